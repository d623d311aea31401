//! The demo county: Xiangning (乡宁县, 141029) with its real 10 townships and 141 villages and
//! communities, and synthetic but plausible people at the seed articles' scale: 262 village grids,
//! 1,170 group grids, 4,364 micro-grids, 141 grid leaders, 262 full-time, 948 part-time, 4,364
//! micro-grid and 340 dedicated grid workers, about 70,000 households and 200,000 residents. The
//! same seed always gives the same county; the other features' demo builders draw on it with
//! generators of their own (the party's branches and members, the cases' categories, the villages'
//! planning profiles).

pub mod names;

use crate::store::bulk::{tables, BulkTx};
use chrono::{Duration, NaiveDate};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;
use xiangzhi_domain::*;
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::{crypto, Db, StoreError, Tx, Value};
use xiangzhi_web::feature::DemoCounty;

/// The official division table shipped with the binary.
pub const XIANGNING_DIVISIONS: &str = include_str!("../../data/xiangning-141029-divisions.csv");

/// The seed's figures the demo reproduces exactly.
pub const VILLAGE_GRIDS: usize = 262;
pub const GROUP_GRIDS: usize = 1_170;
pub const MICRO_GRIDS: usize = 4_364;
pub const GRID_LEADERS: usize = 141;
pub const FULL_TIME: usize = 262;
pub const PART_TIME: usize = 948;
pub const DEDICATED: usize = 340;
/// Target number of households (the exact count depends on the seed).
pub const HOUSEHOLDS: usize = 70_000;

/// Rows were created "at" this instant so that a seed gives identical content.
const CREATED_AT: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub townships: usize,
    pub villages: usize,
    pub groups: usize,
    pub village_grids: usize,
    pub group_grids: usize,
    pub micro_grids: usize,
    pub staff: usize,
    pub households: usize,
    pub residents: usize,
}

struct Div {
    code: String,
    name: String,
    level: DivisionLevel,
    parent: Option<String>,
}

/// Reads the shipped division table: (code, name, level, parent_code) with a header line.
fn official_divisions() -> Result<Vec<Div>, StoreError> {
    let mut out = Vec::new();
    for (i, line) in XIANGNING_DIVISIONS.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let bad = || {
            StoreError::invalid(
                "divisions",
                format!("内置区划表第{}行有误", i + 1),
                format!("built-in division table line {} is malformed", i + 1),
            )
        };
        if f.len() != 4 {
            return Err(bad());
        }
        let code = DivisionCode::parse(f[0]).map_err(|_| bad())?;
        out.push(Div {
            level: code.level(),
            code: f[0].to_string(),
            name: f[1].to_string(),
            parent: Some(f[3].to_string()),
        });
    }
    Ok(out)
}

/// Splits `total` into `n` parts, each at least `min`, weighted randomly.
fn split(
    rng: &mut ChaCha8Rng,
    total: usize,
    n: usize,
    min: usize,
    weights: Option<&[f64]>,
) -> Vec<usize> {
    let mut parts = vec![min; n];
    let rest = total.saturating_sub(min * n);
    let w: Vec<f64> = match weights {
        Some(w) => w.to_vec(),
        None => (0..n).map(|_| rng.random_range(0.5..1.5)).collect(),
    };
    let sum: f64 = w.iter().sum();
    // Largest-remainder apportionment keeps the total exact.
    let mut given = 0;
    let mut rems: Vec<(f64, usize)> = Vec::with_capacity(n);
    for (i, wi) in w.iter().enumerate() {
        let exact = rest as f64 * wi / sum;
        let whole = exact.floor() as usize;
        parts[i] += whole;
        given += whole;
        rems.push((exact - whole as f64, i));
    }
    rems.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in rems.into_iter().take(rest - given) {
        parts[i] += 1;
    }
    parts
}

struct Ids {
    next: i64,
}
impl Ids {
    fn take(&mut self) -> i64 {
        let id = self.next;
        self.next += 1;
        id
    }
}

async fn reserve(tx: &mut Tx, county: i64, kind: &str, n: usize) -> Result<Ids, StoreError> {
    Ok(Ids {
        next: next_ids(tx, county, kind, n as i64).await?,
    })
}

fn t(s: &str) -> Value {
    Value::Text(s.to_string())
}
fn opt(s: Option<String>) -> Value {
    Value::OptText(s)
}

/// A resident generated before ids are reserved: (local id, household, division, name, ID number,
/// phone, relation, tag bits).
type Staged = (
    i64,
    i64,
    String,
    String,
    IdNumber,
    Option<String>,
    Relation,
    i64,
);

struct GridRow {
    id: i64,
    code: String,
    level: GridLevel,
    name: String,
    division: String,
    parent: Option<i64>,
    path: String,
}

struct Village {
    code: String,
    name: String,
    township: String,
    groups: Vec<(String, String)>,
    village_grids: Vec<i64>,
    group_grids: Vec<i64>,
    adults: Vec<(i64, NaiveDate, String)>,
}

/// Builds the demo county's registry into `db` (which should be empty) in one
/// transaction, and says what the other features' demo builders build on.
pub async fn build(
    db: &Db,
    seed: u64,
    mut progress: impl FnMut(&str),
) -> Result<(Summary, DemoCounty), StoreError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or(NaiveDate::MIN);
    let county_code = "141029000000";
    let county: i64 = 141029;
    let mut sum = Summary::default();
    let mut tx = db.begin().await?;

    // Regions and official divisions.
    progress("区划 divisions");
    tx.insert_rows(
        &tables::REGIONS,
        vec![
            vec![t("140000000000"), t("山西省"), t("province"), opt(None)],
            vec![
                t("141000000000"),
                t("临汾市"),
                t("prefecture"),
                t("140000000000"),
            ],
        ],
    )
    .await?;
    let official = official_divisions()?;
    let mut div_rows = Vec::new();
    let mut villages: Vec<Village> = Vec::new();
    for d in &official {
        let parent = if d.level == DivisionLevel::County {
            None
        } else {
            d.parent.clone()
        };
        div_rows.push(vec![
            Value::I64(county),
            t(&d.code),
            t(&d.name),
            t(d.level.as_str()),
            opt(parent.clone()),
            Value::I64(CREATED_AT),
            Value::I64(CREATED_AT),
        ]);
        match d.level {
            DivisionLevel::Township => sum.townships += 1,
            DivisionLevel::Village => {
                sum.villages += 1;
                villages.push(Village {
                    code: d.code.clone(),
                    name: d
                        .name
                        .replace("居民委员会", "")
                        .replace("村民委员会", "")
                        .replace("委员会", ""),
                    township: parent.unwrap_or_default(),
                    groups: vec![],
                    village_grids: vec![],
                    group_grids: vec![],
                    adults: vec![],
                })
            }
            _ => {}
        }
    }
    // Villager groups: 1,170 in all (one group grid each), at least 3 per village.
    let village_townships: Vec<(String, String)> = villages
        .iter()
        .map(|v| (v.code.clone(), v.township.clone()))
        .collect();
    let size: Vec<f64> = villages
        .iter()
        .map(|_| rng.random_range(0.4..2.2))
        .collect();
    let group_counts = split(&mut rng, GROUP_GRIDS, villages.len(), 3, Some(&size));
    for (v, n) in villages.iter_mut().zip(&group_counts) {
        let community = v.name.ends_with("社区");
        for g in 1..=*n {
            let code = format!("{}{g:03}", v.code);
            let name = if community {
                format!("第{}小区", names::numeral(g))
            } else {
                format!("第{}村民小组", names::numeral(g))
            };
            div_rows.push(vec![
                Value::I64(county),
                t(&code),
                t(&name),
                t("group"),
                t(&v.code),
                Value::I64(CREATED_AT),
                Value::I64(CREATED_AT),
            ]);
            v.groups.push((code, name));
            sum.groups += 1;
        }
    }
    tx.insert_rows(&tables::DIVISIONS, div_rows).await?;

    // The five-level grid.
    progress("网格 grids");
    let townships: Vec<&Div> = official
        .iter()
        .filter(|d| d.level == DivisionLevel::Township)
        .collect();
    let n_grids = 1 + townships.len() + VILLAGE_GRIDS + GROUP_GRIDS + MICRO_GRIDS;
    let mut gid = reserve(&mut tx, county, "grid", n_grids).await?;
    let mut grids: Vec<GridRow> = Vec::with_capacity(n_grids);
    let centre = gid.take();
    grids.push(GridRow {
        id: centre,
        code: "141029-C".into(),
        level: GridLevel::CountyCentre,
        name: "乡宁县网格化服务管理指挥中心".into(),
        division: county_code.into(),
        parent: None,
        path: format!("/{centre}/"),
    });
    let mut town_grid = std::collections::HashMap::new();
    for tw in &townships {
        let id = gid.take();
        town_grid.insert(tw.code.clone(), (id, format!("/{centre}/{id}/")));
        grids.push(GridRow {
            id,
            code: format!("{}-C", &tw.code[..9]),
            level: GridLevel::TownshipCentre,
            name: format!("{}网格化服务管理中心", tw.name),
            division: tw.code.clone(),
            parent: Some(centre),
            path: format!("/{centre}/{id}/"),
        });
    }
    // 262 village grids: every village one, the 121 with the most groups a second.
    let mut by_groups: Vec<usize> = (0..villages.len()).collect();
    by_groups.sort_by(|a, b| group_counts[*b].cmp(&group_counts[*a]).then(a.cmp(b)));
    let second: HashSet<usize> = by_groups
        .into_iter()
        .take(VILLAGE_GRIDS - villages.len())
        .collect();
    let mut micro_grids: Vec<(usize, i64, String)> = Vec::new(); // (village index, id, division)
    let mut group_grid_rows: Vec<(usize, i64, String)> = Vec::new();
    for (vi, v) in villages.iter_mut().enumerate() {
        let (tid, tpath) = town_grid
            .get(&v.township)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        let n = if second.contains(&vi) { 2 } else { 1 };
        let mut vpaths = Vec::new();
        for k in 1..=n {
            let id = gid.take();
            let path = format!("{tpath}{id}/");
            grids.push(GridRow {
                id,
                code: format!("{}-{k:02}", v.code),
                level: GridLevel::Village,
                name: format!("{}第{}网格", v.name, names::numeral(k)),
                division: v.code.clone(),
                parent: Some(tid),
                path: path.clone(),
            });
            v.village_grids.push(id);
            vpaths.push((id, path));
        }
        for (gi, (gcode, gname)) in v.groups.iter().enumerate() {
            let (pid, ppath) = &vpaths[gi * vpaths.len() / v.groups.len()];
            let id = gid.take();
            grids.push(GridRow {
                id,
                code: format!("{gcode}-G"),
                level: GridLevel::Group,
                name: format!("{}{}网格", v.name, gname),
                division: gcode.clone(),
                parent: Some(*pid),
                path: format!("{ppath}{id}/"),
            });
            v.group_grids.push(id);
            group_grid_rows.push((vi, id, gcode.clone()));
        }
    }
    let micro_counts = split(&mut rng, MICRO_GRIDS, group_grid_rows.len(), 1, None);
    let group_paths: std::collections::HashMap<i64, String> =
        grids.iter().map(|g| (g.id, g.path.clone())).collect();
    for ((vi, gid_, gcode), n) in group_grid_rows.iter().zip(&micro_counts) {
        for k in 1..=*n {
            let id = gid.take();
            let ppath = group_paths.get(gid_).cloned().unwrap_or_default();
            grids.push(GridRow {
                id,
                code: format!("{gcode}-{k:02}"),
                level: GridLevel::Micro,
                name: format!("{}号微网格", k),
                division: gcode.clone(),
                parent: Some(*gid_),
                path: format!("{ppath}{id}/"),
            });
            micro_grids.push((*vi, id, gcode.clone()));
        }
    }
    sum.village_grids = grids
        .iter()
        .filter(|g| g.level == GridLevel::Village)
        .count();
    sum.group_grids = grids.iter().filter(|g| g.level == GridLevel::Group).count();
    sum.micro_grids = micro_grids.len();
    let rows: Vec<Vec<Value>> = grids
        .iter()
        .map(|g| {
            vec![
                Value::I64(county),
                Value::I64(g.id),
                t(&g.code),
                t(g.level.as_str()),
                t(&g.name),
                t(&g.division),
                Value::OptI64(g.parent),
                t(&g.path),
                Value::I64(CREATED_AT),
                Value::I64(CREATED_AT),
            ]
        })
        .collect();
    tx.insert_rows(&tables::GRIDS, rows).await?;

    // Households and residents.
    progress("户与居民 households and residents");
    let hh_counts = split(&mut rng, HOUSEHOLDS, micro_grids.len(), 4, None);
    let mut hid = reserve(&mut tx, county, "household", HOUSEHOLDS).await?;
    let mut used_ids: HashSet<(NaiveDate, u16)> = HashSet::new();
    let mut person = |rng: &mut ChaCha8Rng, birth: NaiveDate, gender: Gender| -> IdNumber {
        loop {
            let mut seq: u16 = rng.random_range(0..500) * 2;
            if gender == Gender::Male {
                seq += 1;
            }
            if used_ids.insert((birth, seq)) {
                if let Ok(id) = IdNumber::compose("141029", birth, seq) {
                    return id;
                }
            }
        }
    };
    let mut hh_rows = Vec::with_capacity(HOUSEHOLDS);
    let mut res_rows: Vec<Vec<Value>> = Vec::with_capacity(HOUSEHOLDS * 3);
    let mut res_id = 0i64;
    let mut staged: Vec<Staged> = Vec::new();
    for ((vi, mg, gcode), n) in micro_grids.iter().zip(&hh_counts) {
        let v = &mut villages[*vi];
        for _ in 0..*n {
            let h = hid.take();
            let surname = names::surname(&mut rng);
            let number = format!("{}{:05}", &gcode[6..], h);
            let address = format!(
                "{}{}{}号",
                v.name,
                gcode_group_name(&v.groups, gcode),
                rng.random_range(1..200)
            );
            hh_rows.push(vec![
                Value::I64(county),
                Value::I64(h),
                t(&number),
                t(gcode),
                Value::I64(*mg),
                t(&address),
                Value::I64(CREATED_AT),
                Value::I64(CREATED_AT),
            ]);
            let household_tags = {
                let mut b = 0i64;
                if rng.random_bool(0.06) {
                    b |= ResidentTag::PovertyAlleviated.bit();
                }
                if rng.random_bool(0.035) {
                    b |= ResidentTag::Subsistence.bit();
                }
                b
            };
            let size = match rng.random_range(0..100) {
                0..15 => 1,
                15..40 => 2,
                40..65 => 3,
                65..85 => 4,
                85..95 => 5,
                _ => 6,
            };
            let head_age: i64 = if size == 1 {
                rng.random_range(55..92)
            } else {
                rng.random_range(28..80)
            };
            let head_gender = if rng.random_bool(0.82) {
                Gender::Male
            } else {
                Gender::Female
            };
            let mut members: Vec<(Relation, i64, Gender)> =
                vec![(Relation::Head, head_age, head_gender)];
            if size >= 2 {
                let g = if head_gender == Gender::Male {
                    Gender::Female
                } else {
                    Gender::Male
                };
                members.push((
                    Relation::Spouse,
                    (head_age + rng.random_range(-5..4)).max(20),
                    g,
                ));
            }
            for k in 2..size {
                if k == 5 || (k == 4 && head_age < 45) {
                    members.push((
                        Relation::Parent,
                        head_age + rng.random_range(22..32),
                        if rng.random_bool(0.5) {
                            Gender::Male
                        } else {
                            Gender::Female
                        },
                    ));
                } else if head_age > 60 && k >= 3 {
                    members.push((
                        Relation::Grandchild,
                        rng.random_range(1..16),
                        if rng.random_bool(0.52) {
                            Gender::Male
                        } else {
                            Gender::Female
                        },
                    ));
                } else {
                    members.push((
                        Relation::Child,
                        (head_age - rng.random_range(22..34)).max(0),
                        if rng.random_bool(0.52) {
                            Gender::Male
                        } else {
                            Gender::Female
                        },
                    ));
                }
            }
            for (rel, age, gender) in members {
                let birth = today - Duration::days(age * 365 + rng.random_range(0..365));
                let id = person(&mut rng, birth, gender);
                let given = names::given(&mut rng, gender);
                let name =
                    if rel == Relation::Spouse || rel == Relation::Parent && rng.random_bool(0.5) {
                        format!("{}{}", names::surname(&mut rng), given)
                    } else {
                        format!("{surname}{given}")
                    };
                let mut tags = household_tags;
                if size == 1 && age >= 65 {
                    tags |= ResidentTag::ElderlyAlone.bit();
                }
                if age < 16 && rng.random_bool(0.18) {
                    tags |= ResidentTag::LeftBehindChild.bit();
                }
                if rng.random_bool(0.022) {
                    tags |= ResidentTag::Disabled.bit();
                }
                if gender == Gender::Male && (25..75).contains(&age) && rng.random_bool(0.03) {
                    tags |= ResidentTag::Veteran.bit();
                }
                let phone = (age >= 16 && rng.random_bool(0.85)).then(|| names::mobile(&mut rng));
                res_id += 1;
                if age >= 18 {
                    v.adults.push((res_id, birth, name.clone()));
                }
                staged.push((res_id, h, gcode.clone(), name, id, phone, rel, tags));
            }
        }
    }
    progress("居民编号 resident ids");
    let mut rid = reserve(&mut tx, county, "resident", staged.len()).await?;
    let base = rid.next - 1;
    for v in villages.iter_mut() {
        for a in v.adults.iter_mut() {
            a.0 += base;
        }
    }
    for (_, h, gcode, name, id, phone, rel, tags) in staged {
        let r = rid.take();
        res_rows.push(vec![
            Value::I64(county),
            Value::I64(r),
            Value::I64(h),
            t(&gcode),
            t(&name),
            Value::Text(crypto::seal("id_number", id.as_str())),
            Value::Text(crypto::index("id_number", id.as_str())),
            t(id.gender().as_str()),
            Value::Date(id.birth_date()),
            Value::OptText(crypto::seal_opt("phone", phone.as_deref())),
            t(rel.as_str()),
            Value::I64(tags),
            Value::I64(CREATED_AT),
            Value::I64(CREATED_AT),
            Value::OptText(crypto::phone_index(phone.as_deref())),
            Value::Text(crypto::id_tail_index(id.as_str())),
        ]);
    }
    progress("写入户 writing households");
    sum.households = hh_rows.len();
    sum.residents = res_rows.len();
    tx.insert_rows(&tables::HOUSEHOLDS, hh_rows).await?;
    tx.insert_rows(&tables::RESIDENTS, res_rows).await?;

    // The village's grid leader is one of its adults (the party's demo makes them the branch
    // secretary: 党组织书记任网格长).
    let leaders: Vec<String> = villages
        .iter()
        .map(|v| {
            let k = rng.random_range(0..v.adults.len().max(1));
            v.adults
                .get(k)
                .map(|a| a.2.clone())
                .unwrap_or_else(|| names::person(&mut rng))
        })
        .collect();

    // Grid staff: the village's grid leader, full-time, part-time, micro-grid and dedicated workers.
    progress("网格员 grid staff");
    let total_staff = GRID_LEADERS + FULL_TIME + PART_TIME + MICRO_GRIDS + DEDICATED;
    let mut sid = reserve(&mut tx, county, "staff", total_staff).await?;
    let mut staff_rows = Vec::with_capacity(total_staff);
    let mut staff = |rng: &mut ChaCha8Rng,
                     name: String,
                     role: StaffRole,
                     grid: i64,
                     div: &str,
                     unit: Option<String>| {
        staff_rows.push(vec![
            Value::I64(county),
            Value::I64(sid.take()),
            t(&name),
            t(role.as_str()),
            Value::I64(grid),
            t(div),
            Value::OptText(Some(crypto::seal("phone", &names::mobile(rng)))),
            opt(unit),
            Value::I64(CREATED_AT),
            Value::I64(CREATED_AT),
        ]);
    };
    let village_grids: Vec<(i64, String)> = grids
        .iter()
        .filter(|g| g.level == GridLevel::Village)
        .map(|g| (g.id, g.division.clone()))
        .collect();
    for (v, sec) in villages.iter().zip(&leaders) {
        staff(
            &mut rng,
            sec.clone(),
            StaffRole::GridLeader,
            v.village_grids[0],
            &v.code,
            None,
        );
    }
    for (g, d) in &village_grids {
        let n = names::person(&mut rng);
        staff(&mut rng, n, StaffRole::FullTime, *g, d, None);
    }
    let mut group_grids: Vec<(i64, String)> = grids
        .iter()
        .filter(|g| g.level == GridLevel::Group)
        .map(|g| (g.id, g.division.clone()))
        .collect();
    group_grids.shuffle(&mut rng);
    for (g, d) in group_grids.iter().take(PART_TIME) {
        let n = names::person(&mut rng);
        staff(&mut rng, n, StaffRole::PartTime, *g, d, None);
    }
    for (_, g, d) in &micro_grids {
        let n = names::person(&mut rng);
        staff(&mut rng, n, StaffRole::Micro, *g, d, None);
    }
    for k in 0..DEDICATED {
        let (g, d) = &village_grids[(k * 7919) % village_grids.len()];
        let unit = names::UNITS[k % names::UNITS.len()];
        let n = names::person(&mut rng);
        staff(
            &mut rng,
            n,
            StaffRole::Dedicated,
            *g,
            d,
            Some(unit.to_string()),
        );
    }
    sum.staff = staff_rows.len();
    tx.insert_rows(&tables::GRID_STAFF, staff_rows).await?;

    progress("提交 committing");
    let by = xiangzhi_storage::Actor::system("demo builder");
    tx.audit(
        &by,
        "build demo registry",
        format!("county {county}, seed {seed}"),
    )
    .await?;
    tx.commit().await?;

    // The county's case categories and the level that should settle each (小事不出村、大事不出乡).
    progress("事项类别 case categories");
    Ok((
        sum,
        DemoCounty {
            county_id: county,
            seed,
            at: CREATED_AT,
            villages: village_townships,
            accounts: Vec::new(),
        },
    ))
}

fn gcode_group_name<'a>(groups: &'a [(String, String)], code: &str) -> &'a str {
    groups
        .iter()
        .find(|(c, _)| c == code)
        .map(|(_, n)| n.as_str())
        .unwrap_or("")
}
