//! Households with their residents, one row per resident. A file both registers and updates: a
//! household or resident the county already holds (by household number, by ID number) is
//! compared, and what differs is changed — a newborn joins its household, a member who appears
//! under another household number moves there (with the date in 变动日期), a new phone replaces
//! the old — while the same file twice changes nothing.

use super::*;
use chrono::NaiveDate;
use xiangzhi_storage::staged::{Change, Staged};

/// A household the file names: one the county holds, or one the file adds (its index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Hh {
    Known(i64),
    New(usize),
}

/// A household as the county holds it.
#[derive(Debug, Clone, sqlx::FromRow)]
struct KnownHousehold {
    id: i64,
    number: String,
    division_code: String,
    micro_grid_id: i64,
    address: String,
}

/// A resident as the county holds it: what a file row is compared with (the phone by its keyed
/// index, never opened).
#[derive(Debug, Clone, sqlx::FromRow)]
struct KnownResident {
    id: i64,
    household_id: i64,
    division_code: String,
    id_number_hash: String,
    name: String,
    /// Sealed as stored (restored as it was if the import is undone; never opened here).
    phone: Option<String>,
    phone_hash: Option<String>,
    relation: String,
    relation_word: Option<String>,
    tags: i64,
    standing: String,
}

struct NewHousehold {
    number: String,
    grid_id: i64,
    division: String,
    address: String,
}

struct NewResident {
    hh: Hh,
    division: String,
    v: ValidResident,
    id_index: String,
    word: Option<String>,
}

/// A move recorded in `resident_moves`: a member who joined a household the county holds (born
/// or moved in), or moved from one household to another.
struct MoveRecord {
    /// A resident the county holds, or the index of one the file adds.
    resident: Result<i64, usize>,
    from: Option<i64>,
    to: Hh,
    on: NaiveDate,
    reason: &'static str,
}

/// What a household file will do, checked in full before anything is written.
pub(super) struct HouseholdPlan {
    new_households: Vec<NewHousehold>,
    household_changes: Vec<Change>,
    new_residents: Vec<NewResident>,
    resident_changes: Vec<Change>,
    moves: Vec<MoveRecord>,
    pub(super) summary: Summary,
}

/// Midnight of `day` in China (UTC+8), in milliseconds: how a move's date is stored.
fn day_ms(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis() - 8 * 3_600_000)
        .unwrap_or(0)
}

use super::moves::today;

/// The register's word, kept when it is not the vocabulary's own (妻 for 配偶).
fn kept_word(word: &str, relation: Relation) -> Option<String> {
    let w = xiangzhi_tabular::columns::squeeze(word);
    (w != relation.zh() && w != relation.as_str() && !w.is_empty()).then_some(w)
}

pub(super) async fn check_households(
    db: &Db,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
    progress: &dyn Progress,
) -> Result<HouseholdPlan, ExchangeError> {
    let grids = db.grid_refs(county_id, scope).await?;
    let known_households: Vec<KnownHousehold> = db
        .all(&Q::with(
            "SELECT t.id, t.number, t.division_code, t.micro_grid_id, t.address FROM households t WHERE t.county_id = ?",
            vec![county_id.into()],
        ))
        .await?;
    let known_residents: Vec<KnownResident> = db
        .all(&Q::with(
            "SELECT t.id, t.household_id, t.division_code, t.id_number_hash, t.name, t.phone, t.phone_hash, t.relation, \
             t.relation_word, t.tags, t.standing FROM residents t WHERE t.county_id = ?",
            vec![county_id.into()],
        ))
        .await?;
    let by_number: HashMap<&str, &KnownHousehold> = known_households
        .iter()
        .map(|h| (h.number.as_str(), h))
        .collect();
    let by_hh_id: HashMap<i64, &KnownHousehold> =
        known_households.iter().map(|h| (h.id, h)).collect();
    let by_id: HashMap<&str, &KnownResident> = known_residents
        .iter()
        .map(|r| (r.id_number_hash.as_str(), r))
        .collect();
    // A blank phone or tags cell keeps what the county holds (a roster often leaves them out);
    // a filled one replaces it. Clearing a phone is done on the resident's page.
    let has_phone = m.index("phone").is_some();
    let has_tags = m.index("tags").is_some();
    let mut errs = Errors::new(m);
    let mut plan = HouseholdPlan {
        new_households: Vec::new(),
        household_changes: Vec::new(),
        new_residents: Vec::new(),
        resident_changes: Vec::new(),
        moves: Vec::new(),
        summary: Summary::default(),
    };
    // Household number → (the household, the first row naming it, its address and grid there).
    let mut households: HashMap<String, (Hh, usize, String, i64)> = HashMap::new();
    // Each household the file touches → the rows whose member is its head after the import.
    // (household number → its first row and its heads' rows), from every row of the file, so a
    // row refused for another reason neither adds a second head nor leaves one missing.
    let mut heads: std::collections::BTreeMap<String, (usize, Vec<usize>)> = Default::default();
    // Residents the file names (known ones by id), so a household's other members are known.
    let mut named: HashSet<i64> = HashSet::new();
    let mut id_rows: HashMap<String, usize> = HashMap::with_capacity(m.t.rows.len());
    let mut moved_from: HashMap<i64, usize> = HashMap::new();
    for r in 0..m.t.rows.len() {
        if r % 10_000 == 0 {
            progress.advance(if r == 0 { 0 } else { 10_000 });
        }
        if blank_row(m, r) {
            continue;
        }
        let number = m.get(r, "household_number");
        let grid_code = m.get(r, "micro_grid_code");
        // The register's own words (妻, 长子, 儿媳…) onto the vocabulary, the word kept.
        let word = m.get(r, "relation");
        let relation = Relation::from_register(word);
        if !number.is_empty() {
            let entry = heads.entry(number.to_string()).or_insert((r, Vec::new()));
            if relation == Some(Relation::Head) {
                entry.1.push(r);
            }
        }
        // A resident the county holds, named by this row (whatever else the row gets wrong).
        let id_index = IdNumber::parse(m.get(r, "id_number"))
            .ok()
            .map(|n| crypto::index("id_number", n.as_str()));
        if let Some(k) = id_index.as_deref().and_then(|i| by_id.get(i)) {
            named.insert(k.id);
        }
        let address = m.get(r, "address");
        let hinput = HouseholdInput {
            number: number.to_string(),
            micro_grid_id: 0,
            address: address.to_string(),
            version: None,
        };
        let rinput = ResidentInput {
            household_id: 0,
            name: m.get(r, "name").to_string(),
            id_number: m.get(r, "id_number").to_string(),
            phone: m.opt(r, "phone"),
            // An unknown word is passed on and refused by name.
            relation: relation
                .map(|rel| rel.as_str().to_string())
                .unwrap_or_else(|| word.to_string()),
            tags: m.opt(r, "tags").into_iter().collect(),
            version: None,
        };
        let mut ok = true;
        if let Err(e) = hinput.validate() {
            errs.store(r, e, &[("number", "household_number")]);
            ok = false;
        }
        let v = match rinput.validate() {
            Ok(v) => Some(v),
            Err(e) => {
                errs.store(r, e, &[]);
                None
            }
        };
        let moved_on = match super::moves::date_cell(m, &mut errs, r, "moved_on") {
            Ok(d) => d,
            Err(()) => {
                ok = false;
                None
            }
        };
        let grid = grids.get(grid_code);
        match grid {
            None => {
                errs.add(
                    r,
                    "micro_grid_code",
                    "微网格不存在或不在管辖范围内",
                    "the micro-grid does not exist or is outside your jurisdiction",
                );
                ok = false;
            }
            Some(g) if g.level != "micro" => {
                errs.add(
                    r,
                    "micro_grid_code",
                    "户只能归属到微网格",
                    "a household must belong to a micro-grid",
                );
                ok = false;
            }
            _ => {}
        }
        let known_hh = by_number.get(number).copied();
        if let Some(h) = known_hh {
            if !scope.covers(&h.division_code) {
                errs.add(
                    r,
                    "household_number",
                    "户号已在您管辖范围以外登记",
                    "the household number is registered outside your jurisdiction",
                );
                ok = false;
            }
        }
        let Some(v) = v else { continue };
        // A roster's own gender and birth-date columns must agree with the ID number.
        if let Some(g) = m.opt(r, "gender") {
            let given = match g.as_str() {
                "男" | "male" | "m" | "M" => Some(Gender::Male),
                "女" | "female" | "f" | "F" => Some(Gender::Female),
                _ => None,
            };
            if given != Some(v.id_number.gender()) {
                errs.add(
                    r,
                    "gender",
                    format!(
                        "性别“{g}”与身份证号码不符（应为{}）",
                        v.id_number.gender().zh()
                    ),
                    format!(
                        "gender '{g}' does not match the ID number ({})",
                        v.id_number.gender().as_str()
                    ),
                );
                continue;
            }
        }
        if let Some(b) = m.opt(r, "birth_date") {
            if xiangzhi_domain::validate::parse_date(&b) != Some(v.id_number.birth_date()) {
                errs.add(
                    r,
                    "birth_date",
                    format!(
                        "出生日期“{b}”与身份证号码不符（应为{}）",
                        v.id_number.birth_date()
                    ),
                    format!(
                        "birth date '{b}' does not match the ID number ({})",
                        v.id_number.birth_date()
                    ),
                );
                continue;
            }
        }
        if let Some(first) = id_rows.get(v.id_number.as_str()) {
            errs.add(
                r,
                "id_number",
                format!("身份证号码与第{first}行重复"),
                format!("ID number repeats row {first}"),
            );
            continue;
        }
        id_rows.insert(v.id_number.as_str().to_string(), m.t.line(r));
        let id_index = id_index.unwrap_or_else(|| crypto::index("id_number", v.id_number.as_str()));
        let known = by_id.get(id_index.as_str()).copied();
        if let Some(k) = known {
            if !scope.covers(&k.division_code) {
                errs.add(
                    r,
                    "id_number",
                    "该身份证号码已在您管辖范围以外登记",
                    "this ID number is registered outside your jurisdiction",
                );
                continue;
            }
            // Someone who left the county or died is not re-registered by a roster.
            if k.standing != Standing::Present.as_str() {
                let (zh, en) = if k.standing == Standing::Deceased.as_str() {
                    (
                        "此人已登记死亡，不能再登记为户成员".to_string(),
                        "this person is registered as deceased and cannot be listed as a member"
                            .to_string(),
                    )
                } else {
                    (
                        "此人已迁出本县：迁回请用“人口变动”表登记（变动类型填“迁回”）".to_string(),
                        "this person has moved out of the county: record their return with the moves file (kind 迁回)".to_string(),
                    )
                };
                errs.add(r, "id_number", zh, en);
                continue;
            }
        }
        if !ok {
            continue;
        }
        let Some(g) = grid else { continue };
        // The household: the same number on an earlier row must agree with this one.
        let hh = match households.get(number) {
            Some((hh, first, addr, gid)) => {
                if *gid != g.id || addr != address {
                    errs.add(
                        r,
                        "household_number",
                        format!(
                            "同一户号在第{}行的微网格或住址与此行不同",
                            m.t.line(*first)
                        ),
                        format!(
                            "the same household number has a different micro-grid or address on row {}",
                            m.t.line(*first)
                        ),
                    );
                    continue;
                }
                *hh
            }
            None => {
                let hh = match known_hh {
                    Some(h) => {
                        if h.micro_grid_id != g.id || h.address != address {
                            if h.division_code != g.division_code {
                                errs.add(
                                    r,
                                    "micro_grid_code",
                                    "整户迁往其他村（社区）请先办理迁出，再在迁入地登记",
                                    "a household moving to another village is moved out first and registered where it arrives",
                                );
                                continue;
                            }
                            plan.household_changes.push(Change {
                                id: h.id,
                                set: vec![
                                    ("micro_grid_id", Value::I64(g.id)),
                                    ("address", Value::Text(address.to_string())),
                                    ("updated_at", Value::I64(now_ms())),
                                ],
                                before: vec![
                                    ("micro_grid_id", Value::I64(h.micro_grid_id)),
                                    ("address", Value::Text(h.address.clone())),
                                ],
                            });
                            plan.summary.sample(
                                m.t.line(r),
                                format!("户 {number}：住址或微网格变更"),
                                format!("household {number}: address or micro-grid changed"),
                            );
                        }
                        Hh::Known(h.id)
                    }
                    None => {
                        plan.new_households.push(NewHousehold {
                            number: number.to_string(),
                            grid_id: g.id,
                            division: g.division_code.clone(),
                            address: address.to_string(),
                        });
                        plan.summary.sample(
                            m.t.line(r),
                            format!("新增户 {number}（{address}）"),
                            format!("new household {number} ({address})"),
                        );
                        Hh::New(plan.new_households.len() - 1)
                    }
                };
                households.insert(number.to_string(), (hh, r, address.to_string(), g.id));
                hh
            }
        };
        let relation = v.relation;
        let word = kept_word(word, relation);
        let name = v.name.clone();
        match known {
            None => {
                // A new member of a household the county holds was born or moved in: recorded.
                if let Hh::Known(_) = hh {
                    let on = moved_on.unwrap_or_else(today);
                    let born = moved_on == Some(v.id_number.birth_date());
                    plan.moves.push(MoveRecord {
                        resident: Err(plan.new_residents.len()),
                        from: None,
                        to: hh,
                        on,
                        reason: if born {
                            "出生 / born"
                        } else {
                            "迁入 / moved in"
                        },
                    });
                    plan.summary.sample(
                        m.t.line(r),
                        format!(
                            "{name}：{}户 {number}（{on}）",
                            if born { "出生入" } else { "迁入" }
                        ),
                        format!(
                            "{name}: {} household {number} ({on})",
                            if born { "born into" } else { "joins" }
                        ),
                    );
                }
                let division = match hh {
                    Hh::Known(id) => by_hh_id
                        .get(&id)
                        .map(|h| h.division_code.clone())
                        .unwrap_or_default(),
                    Hh::New(i) => plan.new_households[i].division.clone(),
                };
                plan.new_residents.push(NewResident {
                    hh,
                    division,
                    v,
                    id_index,
                    word,
                });
            }
            Some(k) => {
                let mut set: Vec<(&'static str, Value)> = Vec::new();
                let mut before: Vec<(&'static str, Value)> = Vec::new();
                let mut what: Vec<&str> = Vec::new();
                if k.name != v.name {
                    set.push(("name", Value::Text(v.name.clone())));
                    before.push(("name", Value::Text(k.name.clone())));
                    what.push("姓名");
                }
                if k.relation != relation.as_str() || k.relation_word != word {
                    set.push(("relation", Value::Text(relation.as_str().into())));
                    set.push(("relation_word", Value::OptText(word.clone())));
                    before.push(("relation", Value::Text(k.relation.clone())));
                    before.push(("relation_word", Value::OptText(k.relation_word.clone())));
                    what.push("与户主关系");
                }
                let phone = v.phone.as_ref().map(|p| p.as_str());
                if has_phone && phone.is_some() && crypto::phone_index(phone) != k.phone_hash {
                    set.push(("phone", Value::OptText(crypto::seal_opt("phone", phone))));
                    set.push(("phone_hash", Value::OptText(crypto::phone_index(phone))));
                    before.push(("phone", Value::OptText(k.phone.clone())));
                    before.push(("phone_hash", Value::OptText(k.phone_hash.clone())));
                    what.push("电话");
                }
                let bits = ResidentTag::to_bits(&v.tags);
                if has_tags && !v.tags.is_empty() && bits != k.tags {
                    set.push(("tags", Value::I64(bits)));
                    before.push(("tags", Value::I64(k.tags)));
                    what.push("标签");
                }
                let target = match hh {
                    Hh::Known(id) => Some(id),
                    Hh::New(_) => None,
                };
                if target != Some(k.household_id) {
                    // A member listed under another household moves there.
                    let on = moved_on.unwrap_or_else(today);
                    moved_from.insert(k.household_id, r);
                    let division = match hh {
                        Hh::Known(id) => by_hh_id
                            .get(&id)
                            .map(|h| h.division_code.clone())
                            .unwrap_or_default(),
                        Hh::New(i) => plan.new_households[i].division.clone(),
                    };
                    set.push(("division_code", Value::Text(division)));
                    before.push(("division_code", Value::Text(k.division_code.clone())));
                    plan.moves.push(MoveRecord {
                        resident: Ok(k.id),
                        from: Some(k.household_id),
                        to: hh,
                        on,
                        reason: "户间迁移 / moved between households",
                    });
                    let from = by_hh_id
                        .get(&k.household_id)
                        .map(|h| h.number.as_str())
                        .unwrap_or("");
                    plan.summary.sample(
                        m.t.line(r),
                        format!("{name}：从户 {from} 迁到户 {number}（{on}）"),
                        format!("{name}: moves from household {from} to {number} ({on})"),
                    );
                    // The household id is set when it is known (a new household's id is
                    // reserved at writing).
                    set.push(("household_id", Value::I64(target.unwrap_or(-1))));
                    before.push(("household_id", Value::I64(k.household_id)));
                    plan.summary.moved += 1;
                } else if !what.is_empty() {
                    plan.summary.sample(
                        m.t.line(r),
                        format!("{name}：{}已变更", what.join("、")),
                        format!("{name}: {} changed", what.len()),
                    );
                }
                if set.is_empty() {
                    plan.summary.unchanged += 1;
                } else {
                    if target == Some(k.household_id) {
                        plan.summary.changed += 1;
                    }
                    set.push(("updated_at", Value::I64(now_ms())));
                    plan.resident_changes.push(Change {
                        id: k.id,
                        set,
                        before,
                    });
                }
            }
        }
    }
    // Every household the file touches has exactly one head (户主) afterwards: its rows' heads,
    // and its other members' (those the file does not name) as the county holds them.
    for k in &known_residents {
        let present = k.standing == Standing::Present.as_str();
        if present && !named.contains(&k.id) && k.relation == Relation::Head.as_str() {
            let number = by_hh_id.get(&k.household_id).map(|h| h.number.as_str());
            if let Some(entry) = number.and_then(|n| heads.get_mut(n)) {
                entry.1.push(usize::MAX);
            }
        }
    }
    // A household a member leaves, and the file names no further, must keep a head.
    for (from, row) in &moved_from {
        let number = by_hh_id.get(from).map(|h| h.number.as_str()).unwrap_or("");
        if heads.contains_key(number) {
            continue;
        }
        let staying: Vec<&KnownResident> = known_residents
            .iter()
            .filter(|k| {
                k.household_id == *from
                    && !named.contains(&k.id)
                    && k.standing == Standing::Present.as_str()
            })
            .collect();
        if !staying.is_empty()
            && !staying
                .iter()
                .any(|k| k.relation == Relation::Head.as_str())
        {
            errs.add(
                *row,
                "relation",
                format!("户主迁出后户“{number}”没有户主：请在文件中为该户指定新的户主"),
                format!("household '{number}' has no head once its head moves out: name its new head in the file"),
            );
        }
    }
    for (number, (first, rows)) in &heads {
        match rows.as_slice() {
            [_] => {}
            [] => errs.add(
                *first,
                "household_number",
                format!("户“{number}”没有户主：请在其中一人的与户主关系填“户主”"),
                format!(
                    "household '{number}' has no head: mark one member's relation as head (户主)"
                ),
            ),
            [a, b, ..] => {
                // usize::MAX stands for a head the county holds (not a row of the file).
                let (row, other) = match (*a, *b) {
                    (usize::MAX, _) => (*first, None),
                    (a, usize::MAX) => (a, None),
                    (a, b) => (b, Some(a)),
                };
                match other {
                    Some(o) => errs.add(
                        row,
                        "relation",
                        format!("一户只能有一位户主，第{}行已是这一户的户主", m.t.line(o)),
                        format!("a household has one head; row {} is already its head", m.t.line(o)),
                    ),
                    None => errs.add(
                        row,
                        "relation",
                        format!("一户只能有一位户主，户“{number}”已登记了户主"),
                        format!("a household has one head; household '{number}' already has one registered"),
                    ),
                }
            }
        }
    }
    errs.finish()?;
    let s = &mut plan.summary;
    s.added = plan.new_residents.len();
    s.new_households = plan.new_households.len();
    s.changed_households = plan.household_changes.len();
    Ok(plan)
}

/// Writes a checked household plan in short transactions; returns the rows written.
pub(super) async fn write_households(
    staged: &mut Staged<'_>,
    plan: HouseholdPlan,
    county_id: i64,
    progress: &dyn Progress,
) -> Result<usize, ExchangeError> {
    let advance = |n: u64| progress.advance(n);
    let now = now_ms();
    let h_first = staged
        .reserve("household", plan.new_households.len() as i64)
        .await?;
    let r_first = staged
        .reserve("resident", plan.new_residents.len() as i64)
        .await?;
    let m_first = staged.reserve("move", plan.moves.len() as i64).await?;
    let hh_id = |hh: Hh| match hh {
        Hh::Known(id) => id,
        Hh::New(i) => h_first + i as i64,
    };
    progress.phase(
        "写入户 writing households",
        plan.new_households.len() as u64,
    );
    let hrows: Vec<Vec<Value>> = plan
        .new_households
        .iter()
        .enumerate()
        .map(|(k, h)| {
            vec![
                Value::I64(county_id),
                Value::I64(h_first + k as i64),
                Value::Text(h.number.clone()),
                Value::Text(h.division.clone()),
                Value::I64(h.grid_id),
                Value::Text(h.address.clone()),
                Value::I64(now),
                Value::I64(now),
            ]
        })
        .collect();
    staged
        .insert(
            tables::HOUSEHOLDS.table,
            tables::HOUSEHOLDS.columns,
            hrows,
            &advance,
        )
        .await?;
    staged
        .update("households", plan.household_changes, &advance)
        .await?;
    progress.phase(
        "写入居民 writing residents",
        plan.new_residents.len() as u64,
    );
    let mut rows = Vec::with_capacity(plan.new_residents.len());
    for (k, r) in plan.new_residents.iter().enumerate() {
        let mut row = crate::store::resident_row(
            county_id,
            r_first + k as i64,
            hh_id(r.hh),
            r.division.clone(),
            &r.v,
            r.id_index.clone(),
            now,
        );
        row.push(Value::OptText(r.word.clone()));
        rows.push(row);
    }
    // The bulk layout's columns, and the register's own word.
    let columns: Vec<&str> = tables::RESIDENTS
        .columns
        .iter()
        .copied()
        .chain(["relation_word"])
        .collect();
    staged
        .insert(tables::RESIDENTS.table, &columns, rows, &advance)
        .await?;
    // Members moving into a household the file adds learn its id now (each mover's destination
    // looked up once, not searched for per change).
    let moving_to: HashMap<i64, Hh> = plan
        .moves
        .iter()
        .filter_map(|m| m.resident.ok().map(|id| (id, m.to)))
        .collect();
    let changes: Vec<Change> = plan
        .resident_changes
        .into_iter()
        .map(|mut c| {
            for (col, v) in c.set.iter_mut() {
                if *col == "household_id" && *v == Value::I64(-1) {
                    if let Some(to) = moving_to.get(&c.id) {
                        *v = Value::I64(hh_id(*to));
                    }
                }
            }
            c
        })
        .collect();
    staged.update("residents", changes, &advance).await?;
    let mrows: Vec<Vec<Value>> = plan
        .moves
        .iter()
        .enumerate()
        .map(|(k, mv)| {
            let resident = match mv.resident {
                Ok(id) => id,
                Err(i) => r_first + i as i64,
            };
            vec![
                Value::I64(county_id),
                Value::I64(m_first + k as i64),
                Value::I64(resident),
                Value::OptI64(mv.from),
                Value::I64(hh_id(mv.to)),
                Value::I64(day_ms(mv.on)),
                Value::Text(mv.reason.to_string()),
            ]
        })
        .collect();
    staged
        .insert(
            "resident_moves",
            &[
                "county_id",
                "id",
                "resident_id",
                "from_household_id",
                "to_household_id",
                "moved_at",
                "reason",
            ],
            mrows,
            &advance,
        )
        .await?;
    Ok(staged.written() as usize)
}
