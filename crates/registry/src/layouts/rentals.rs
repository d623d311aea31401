//! 出租房屋与流动人口: rented houses in a micro-grid, their owners, and the tenants living
//! there, one row per tenant (a house with no tenant yet has its tenant columns blank). A house
//! is known by its micro-grid and address, a tenancy by the house, the tenant's ID number and
//! the day they moved in: the same file twice changes nothing, and a later file records who
//! moved out. Tenants' ID numbers and phones are sealed like residents'.

use super::*;
use chrono::NaiveDate;
use moves::date_cell;
use xiangzhi_storage::staged::{Change, Staged};

#[derive(Debug, Clone, sqlx::FromRow)]
struct KnownRental {
    id: i64,
    grid_id: i64,
    address: String,
    owner_name: String,
    owner_phone: Option<String>,
    owner_phone_hash: Option<String>,
    purpose: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct KnownTenant {
    id: i64,
    rental_id: i64,
    id_number_hash: String,
    moved_in: NaiveDate,
    moved_out: Option<NaiveDate>,
    phone: Option<String>,
    phone_hash: Option<String>,
    origin: Option<String>,
    workplace: Option<String>,
}

/// A house the file names: one the county holds, or one it adds (its index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum House {
    Known(i64),
    New(usize),
}

struct NewRental {
    grid_id: i64,
    division: String,
    address: String,
    owner_name: String,
    owner_phone: Option<String>,
    purpose: RentalPurpose,
}

struct NewTenant {
    house: House,
    grid_id: i64,
    division: String,
    name: String,
    id_number: IdNumber,
    phone: Option<String>,
    origin: Option<String>,
    workplace: Option<String>,
    moved_in: NaiveDate,
    moved_out: Option<NaiveDate>,
}

/// A house as a file's first row naming it gives it: (the house, that row, owner, owner's phone,
/// use); every other row naming it must agree.
type SeenHouse = (House, usize, String, Option<String>, RentalPurpose);

pub(super) struct RentalPlan {
    new_rentals: Vec<NewRental>,
    rental_changes: Vec<Change>,
    new_tenants: Vec<NewTenant>,
    tenant_changes: Vec<Change>,
    pub(super) summary: Summary,
}

/// A phone cell: blank, or a valid phone (reported otherwise).
fn phone_cell(
    m: &Mapped<'_>,
    errs: &mut Errors<'_, '_>,
    r: usize,
    key: &str,
) -> Result<Option<String>, ()> {
    match m.opt(r, key) {
        None => Ok(None),
        Some(t) => match Phone::parse(&t) {
            Ok(p) => Ok(Some(p.as_str().to_string())),
            Err(e) => {
                errs.invalid(r, key, e);
                Err(())
            }
        },
    }
}

/// A free-text cell, at most `max` characters.
fn text_cell(
    m: &Mapped<'_>,
    errs: &mut Errors<'_, '_>,
    r: usize,
    key: &str,
    max: usize,
) -> Result<Option<String>, ()> {
    match m.opt(r, key) {
        Some(t) if t.chars().count() > max => {
            errs.add(
                r,
                key,
                format!("不能超过{max}个字"),
                format!("at most {max} characters"),
            );
            Err(())
        }
        t => Ok(t),
    }
}

pub(super) async fn check_rentals(
    db: &Db,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
) -> Result<RentalPlan, ExchangeError> {
    let grids = db.grid_refs(county_id, scope).await?;
    let rentals: Vec<KnownRental> = db
        .all(&Q::with(
            "SELECT t.id, t.grid_id, t.address, t.owner_name, t.owner_phone, t.owner_phone_hash, t.purpose \
             FROM rentals t WHERE t.county_id = ?",
            vec![county_id.into()],
        ))
        .await?;
    let tenants: Vec<KnownTenant> = db
        .all(&Q::with(
            "SELECT t.id, t.rental_id, t.id_number_hash, t.moved_in, t.moved_out, t.phone, t.phone_hash, t.origin, \
             t.workplace FROM tenants t WHERE t.county_id = ?",
            vec![county_id.into()],
        ))
        .await?;
    let by_place: HashMap<(i64, &str), &KnownRental> = rentals
        .iter()
        .map(|h| ((h.grid_id, h.address.as_str()), h))
        .collect();
    let by_tenancy: HashMap<(i64, &str, NaiveDate), &KnownTenant> = tenants
        .iter()
        .map(|t| ((t.rental_id, t.id_number_hash.as_str(), t.moved_in), t))
        .collect();
    let mut errs = Errors::new(m);
    let mut plan = RentalPlan {
        new_rentals: Vec::new(),
        rental_changes: Vec::new(),
        new_tenants: Vec::new(),
        tenant_changes: Vec::new(),
        summary: Summary::default(),
    };
    // (grid, address) → the house, the first row naming it, and its owner there.
    let mut houses: HashMap<(i64, String), SeenHouse> = HashMap::new();
    let mut tenancies: HashMap<(String, String, NaiveDate), usize> = HashMap::new();
    let now = now_ms();
    for r in 0..m.t.rows.len() {
        if blank_row(m, r) {
            continue;
        }
        let line = m.t.line(r);
        let grid = match grids.get(m.get(r, "micro_grid_code")) {
            Some(g) if g.level == "micro" => Some(g),
            Some(_) => {
                errs.add(
                    r,
                    "micro_grid_code",
                    "出租房屋只能归属到微网格",
                    "a rented house belongs to a micro-grid",
                );
                None
            }
            None => {
                errs.add(
                    r,
                    "micro_grid_code",
                    "微网格不存在或不在管辖范围内",
                    "the micro-grid does not exist or is outside your jurisdiction",
                );
                None
            }
        };
        let address = xiangzhi_tabular::columns::squeeze(m.get(r, "address"));
        let address_ok = match address.chars().count() {
            0 => {
                errs.add(r, "address", "请填写房屋地址", "the address is required");
                false
            }
            n if n > 200 => {
                errs.add(
                    r,
                    "address",
                    "地址不能超过200个字",
                    "the address is at most 200 characters",
                );
                false
            }
            _ => true,
        };
        let owner = m.get(r, "owner_name").trim().to_string();
        let owner_ok = if owner.is_empty() || owner.chars().count() > 50 {
            errs.add(
                r,
                "owner_name",
                "请填写房东姓名（不超过50个字）",
                "the owner's name is required (at most 50 characters)",
            );
            false
        } else {
            true
        };
        let owner_phone = phone_cell(m, &mut errs, r, "owner_phone");
        let purpose = match m.opt(r, "purpose") {
            None => Ok(RentalPurpose::Dwelling),
            Some(w) => w
                .parse::<RentalPurpose>()
                .map_err(|e| errs.invalid(r, "purpose", e)),
        };
        // The tenant's cells, when the row names one.
        let has_tenant = ["tenant_name", "tenant_id", "tenant_phone", "moved_in"]
            .iter()
            .any(|k| m.opt(r, k).is_some());
        let tenant = if has_tenant {
            let name = m.get(r, "tenant_name").trim().to_string();
            let mut ok = true;
            if name.is_empty() || name.chars().count() > 50 {
                errs.add(
                    r,
                    "tenant_name",
                    "请填写租客姓名（不超过50个字）",
                    "the tenant's name is required (at most 50 characters)",
                );
                ok = false;
            }
            let id =
                IdNumber::parse(m.get(r, "tenant_id")).map_err(|e| errs.invalid(r, "tenant_id", e));
            let phone = phone_cell(m, &mut errs, r, "tenant_phone");
            let origin = text_cell(m, &mut errs, r, "origin", 200);
            let workplace = text_cell(m, &mut errs, r, "workplace", 100);
            let moved_in = match date_cell(m, &mut errs, r, "moved_in") {
                Ok(Some(d)) => Ok(d),
                Ok(None) => {
                    errs.add(
                        r,
                        "moved_in",
                        "请填写入住日期",
                        "the day the tenant moved in is required",
                    );
                    Err(())
                }
                Err(()) => Err(()),
            };
            let moved_out = date_cell(m, &mut errs, r, "moved_out");
            match (ok, id, phone, origin, workplace, moved_in, moved_out) {
                (
                    true,
                    Ok(id),
                    Ok(phone),
                    Ok(origin),
                    Ok(workplace),
                    Ok(moved_in),
                    Ok(moved_out),
                ) => {
                    if moved_out.is_some_and(|d| d < moved_in) {
                        errs.add(
                            r,
                            "moved_out",
                            "退租日期早于入住日期",
                            "the tenant moved out before moving in",
                        );
                        None
                    } else {
                        Some((name, id, phone, origin, workplace, moved_in, moved_out))
                    }
                }
                _ => None,
            }
        } else {
            None
        };
        let (Some(g), true, true, Ok(owner_phone), Ok(purpose)) =
            (grid, address_ok, owner_ok, owner_phone, purpose)
        else {
            continue;
        };
        if has_tenant && tenant.is_none() {
            continue;
        }
        // The house: the same on every row naming it.
        let key = (g.id, address.clone());
        let house = match houses.get(&key) {
            Some((h, first, o, p, u)) => {
                if *o != owner || *p != owner_phone || *u != purpose {
                    errs.add(
                        r,
                        "owner_name",
                        format!(
                            "同一房屋在第{}行的房东、电话或用途与此行不同",
                            m.t.line(*first)
                        ),
                        format!(
                            "the same house has a different owner, phone or use on row {}",
                            m.t.line(*first)
                        ),
                    );
                    continue;
                }
                *h
            }
            None => {
                let h = match by_place.get(&(g.id, address.as_str())) {
                    Some(k) => {
                        let phone_hash = crypto::phone_index(owner_phone.as_deref());
                        if k.owner_name != owner
                            || k.owner_phone_hash != phone_hash
                            || k.purpose != purpose.as_str()
                        {
                            plan.rental_changes.push(Change {
                                id: k.id,
                                set: vec![
                                    ("owner_name", Value::Text(owner.clone())),
                                    (
                                        "owner_phone",
                                        Value::OptText(crypto::seal_opt(
                                            "phone",
                                            owner_phone.as_deref(),
                                        )),
                                    ),
                                    ("owner_phone_hash", Value::OptText(phone_hash)),
                                    ("purpose", Value::Text(purpose.as_str().into())),
                                    ("updated_at", Value::I64(now)),
                                ],
                                before: vec![
                                    ("owner_name", Value::Text(k.owner_name.clone())),
                                    ("owner_phone", Value::OptText(k.owner_phone.clone())),
                                    (
                                        "owner_phone_hash",
                                        Value::OptText(k.owner_phone_hash.clone()),
                                    ),
                                    ("purpose", Value::Text(k.purpose.clone())),
                                ],
                            });
                            plan.summary.changed += 1;
                            plan.summary.sample(
                                line,
                                format!("出租房屋 {address}：房东或用途变更"),
                                format!("rented house {address}: owner or use changed"),
                            );
                        }
                        House::Known(k.id)
                    }
                    None => {
                        plan.new_rentals.push(NewRental {
                            grid_id: g.id,
                            division: g.division_code.clone(),
                            address: address.clone(),
                            owner_name: owner.clone(),
                            owner_phone: owner_phone.clone(),
                            purpose,
                        });
                        plan.summary.new_rentals += 1;
                        plan.summary.sample(
                            line,
                            format!("新增出租房屋 {address}（房东 {owner}）"),
                            format!("new rented house {address} (owner {owner})"),
                        );
                        House::New(plan.new_rentals.len() - 1)
                    }
                };
                houses.insert(key, (h, r, owner.clone(), owner_phone.clone(), purpose));
                h
            }
        };
        let Some((name, id, phone, origin, workplace, moved_in, moved_out)) = tenant else {
            continue;
        };
        let id_index = crypto::index("id_number", id.as_str());
        if let Some(first) = tenancies.insert((address.clone(), id_index.clone(), moved_in), line) {
            errs.add(
                r,
                "tenant_id",
                format!("同一租客同一入住日期在第{first}行已登记"),
                format!("the same tenancy is already on row {first}"),
            );
            continue;
        }
        let known = match house {
            House::Known(hid) => by_tenancy.get(&(hid, id_index.as_str(), moved_in)).copied(),
            House::New(_) => None,
        };
        match known {
            Some(t) => {
                let phone_hash = crypto::phone_index(phone.as_deref());
                // A blank phone, origin or workplace keeps what is held; a filled one replaces it.
                let mut set = Vec::new();
                let mut before = Vec::new();
                if phone.is_some() && phone_hash != t.phone_hash {
                    set.push((
                        "phone",
                        Value::OptText(crypto::seal_opt("phone", phone.as_deref())),
                    ));
                    set.push(("phone_hash", Value::OptText(phone_hash)));
                    before.push(("phone", Value::OptText(t.phone.clone())));
                    before.push(("phone_hash", Value::OptText(t.phone_hash.clone())));
                }
                if origin.is_some() && origin != t.origin {
                    set.push(("origin", Value::OptText(origin)));
                    before.push(("origin", Value::OptText(t.origin.clone())));
                }
                if workplace.is_some() && workplace != t.workplace {
                    set.push(("workplace", Value::OptText(workplace)));
                    before.push(("workplace", Value::OptText(t.workplace.clone())));
                }
                if moved_out.is_some() && moved_out != t.moved_out {
                    set.push(("moved_out", Value::OptDate(moved_out)));
                    before.push(("moved_out", Value::OptDate(t.moved_out)));
                    plan.summary.sample(
                        line,
                        format!(
                            "租客 {name}：{} 退租",
                            moved_out.map(|d| d.to_string()).unwrap_or_default()
                        ),
                        format!("tenant {name}: moved out"),
                    );
                }
                if set.is_empty() {
                    plan.summary.unchanged += 1;
                } else {
                    set.push(("updated_at", Value::I64(now)));
                    plan.tenant_changes.push(Change {
                        id: t.id,
                        set,
                        before,
                    });
                    plan.summary.changed += 1;
                }
            }
            None => {
                plan.summary.sample(
                    line,
                    format!("新增租客 {name}（{address}，{moved_in} 入住）"),
                    format!("new tenant {name} ({address}, moved in {moved_in})"),
                );
                plan.new_tenants.push(NewTenant {
                    house,
                    grid_id: g.id,
                    division: g.division_code.clone(),
                    name,
                    id_number: id,
                    phone,
                    origin,
                    workplace,
                    moved_in,
                    moved_out,
                });
            }
        }
    }
    errs.finish()?;
    plan.summary.added = plan.new_tenants.len();
    // A house row with no tenant, held as it is, is unchanged too.
    Ok(plan)
}

pub(super) const RENTAL_COLUMNS: &[&str] = &[
    "county_id",
    "id",
    "division_code",
    "grid_id",
    "address",
    "owner_name",
    "owner_phone",
    "owner_phone_hash",
    "purpose",
    "created_at",
    "updated_at",
];
pub(super) const TENANT_COLUMNS: &[&str] = &[
    "county_id",
    "id",
    "rental_id",
    "grid_id",
    "division_code",
    "name",
    "id_number",
    "id_number_hash",
    "gender",
    "birth_date",
    "phone",
    "phone_hash",
    "origin",
    "workplace",
    "moved_in",
    "moved_out",
    "created_at",
    "updated_at",
];

/// Writes a checked rentals plan in short transactions; returns the rows written.
pub(super) async fn write_rentals(
    staged: &mut Staged<'_>,
    plan: RentalPlan,
    county_id: i64,
) -> Result<usize, ExchangeError> {
    let now = now_ms();
    let h_first = staged
        .reserve("rental", plan.new_rentals.len() as i64)
        .await?;
    let t_first = staged
        .reserve("tenant", plan.new_tenants.len() as i64)
        .await?;
    let rows: Vec<Vec<Value>> = plan
        .new_rentals
        .iter()
        .enumerate()
        .map(|(k, h)| {
            vec![
                Value::I64(county_id),
                Value::I64(h_first + k as i64),
                Value::Text(h.division.clone()),
                Value::I64(h.grid_id),
                Value::Text(h.address.clone()),
                Value::Text(h.owner_name.clone()),
                Value::OptText(crypto::seal_opt("phone", h.owner_phone.as_deref())),
                Value::OptText(crypto::phone_index(h.owner_phone.as_deref())),
                Value::Text(h.purpose.as_str().into()),
                Value::I64(now),
                Value::I64(now),
            ]
        })
        .collect();
    staged
        .insert("rentals", RENTAL_COLUMNS, rows, &|_| {})
        .await?;
    staged
        .update("rentals", plan.rental_changes, &|_| {})
        .await?;
    let rows: Vec<Vec<Value>> = plan
        .new_tenants
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let rental = match t.house {
                House::Known(id) => id,
                House::New(i) => h_first + i as i64,
            };
            vec![
                Value::I64(county_id),
                Value::I64(t_first + k as i64),
                Value::I64(rental),
                Value::I64(t.grid_id),
                Value::Text(t.division.clone()),
                Value::Text(t.name.clone()),
                Value::Text(crypto::seal("id_number", t.id_number.as_str())),
                Value::Text(crypto::index("id_number", t.id_number.as_str())),
                Value::Text(t.id_number.gender().as_str().into()),
                Value::Date(t.id_number.birth_date()),
                Value::OptText(crypto::seal_opt("phone", t.phone.as_deref())),
                Value::OptText(crypto::phone_index(t.phone.as_deref())),
                Value::OptText(t.origin.clone()),
                Value::OptText(t.workplace.clone()),
                Value::Date(t.moved_in),
                Value::OptDate(t.moved_out),
                Value::I64(now),
                Value::I64(now),
            ]
        })
        .collect();
    staged
        .insert("tenants", TENANT_COLUMNS, rows, &|_| {})
        .await?;
    staged
        .update("tenants", plan.tenant_changes, &|_| {})
        .await?;
    Ok(staged.written() as usize)
}

#[derive(sqlx::FromRow)]
struct RentalRow {
    county_id: i64,
    id: i64,
    tenant_id: Option<i64>,
    grid_code: String,
    address: String,
    owner_name: String,
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedPhoneOpt")]
    owner_phone: Option<String>,
    purpose: String,
    name: Option<String>,
    /// Sealed; opened below.
    id_number: Option<String>,
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedPhoneOpt")]
    phone: Option<String>,
    origin: Option<String>,
    workplace: Option<String>,
    moved_in: Option<NaiveDate>,
    moved_out: Option<NaiveDate>,
}

/// Writes every rented house inside `scope` with its tenants (a row per tenant, one row for a
/// house without any), page by page.
pub(super) async fn export_rentals(
    db: &Db,
    scope: &Scope,
    sink: &mut xiangzhi_tabular::table::Sink,
    full: bool,
) -> Result<(), ExchangeError> {
    let ring = crypto::keyring()?;
    let mut after: Option<(i64, i64, i64)> = None;
    loop {
        let mut q = Q::new(
            "SELECT t.county_id, t.id, n.id AS tenant_id, g.code AS grid_code, t.address, t.owner_name, t.owner_phone, \
             t.purpose, n.name, n.id_number, n.phone, n.origin, n.workplace, n.moved_in, n.moved_out FROM rentals t \
             JOIN grids g ON g.county_id = t.county_id AND g.id = t.grid_id \
             LEFT JOIN tenants n ON n.county_id = t.county_id AND n.rental_id = t.id WHERE 1=1",
        );
        if let Some((c, i, k)) = after {
            let (c, i, k) = (q.arg(c), q.arg(i), q.arg(k));
            q.push(&format!(
                " AND (t.county_id, t.id, COALESCE(n.id, 0)) > ({c}, {i}, {k})"
            ));
        }
        scope.filter(&mut q, &crate::tables::RENTALS, "t", "division_code");
        q.push(" ORDER BY t.county_id, t.id, COALESCE(n.id, 0) LIMIT 5000");
        let page: Vec<RentalRow> = db.all(&q).await?;
        let Some(last) = page.last() else { break };
        after = Some((last.county_id, last.id, last.tenant_id.unwrap_or(0)));
        for h in page {
            let id_number = match h.id_number {
                Some(s) => shown(full, ring.open("id_number", &s)?),
                None => String::new(),
            };
            sink.row(&[
                h.grid_code,
                h.address,
                h.owner_name,
                h.owner_phone.map(|p| shown(full, p)).unwrap_or_default(),
                label::<RentalPurpose>(&h.purpose, RentalPurpose::zh),
                h.name.unwrap_or_default(),
                id_number,
                h.phone.map(|p| shown(full, p)).unwrap_or_default(),
                h.origin.unwrap_or_default(),
                h.workplace.unwrap_or_default(),
                h.moved_in.map(|d| d.to_string()).unwrap_or_default(),
                h.moved_out.map(|d| d.to_string()).unwrap_or_default(),
            ])?;
        }
    }
    Ok(())
}
