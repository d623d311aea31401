//! The demo county's party: the county committee, a committee per township, a branch (a general
//! branch above ten groups) per village with a party group per villager group, about 6% of adults
//! as members (the village's grid leader as branch secretary, 党组织书记任网格长), the households each
//! member keeps in touch with, and the county's and townships' contact duties. Drawn from the
//! party's own generator (seeded by the county's seed) over the registry the demo built, in one
//! transaction.

use crate::store::bulk::columns;
use chrono::{Datelike, Duration, NaiveDate};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, HashMap, HashSet};
use xiangzhi_domain::{BranchStanding, MemberRole, MemberStatus, PartyOrgKind};
use xiangzhi_registry::demo::names;
use xiangzhi_registry::store::bulk::BulkTx;
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{Actor, Db, Result, StoreError, Value};
use xiangzhi_web::feature::DemoCounty;

/// A village as the party's draws need it.
#[derive(Default)]
struct Village {
    name: String,
    township: String,
    /// Villager groups (code, name), by code.
    groups: Vec<(String, String)>,
    households: Vec<i64>,
    /// Adults (resident, birth date, name), by resident id.
    adults: Vec<(i64, NaiveDate, String)>,
    leader: Option<String>,
}

fn t(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// Reads the registry's county back: townships, villages with their groups, households and
/// adults, and each village's grid leader.
async fn registry(
    db: &Db,
    county: i64,
    today: NaiveDate,
) -> Result<(Vec<(String, String)>, BTreeMap<String, Village>)> {
    let divisions: Vec<(String, String, String, Option<String>)> = db
        .all(&Q::with(
            "SELECT t.code, t.name, t.level, t.parent_code FROM divisions t WHERE t.county_id = ? ORDER BY t.code",
            vec![county.into()],
        ))
        .await?;
    let mut townships = Vec::new();
    let mut villages: BTreeMap<String, Village> = BTreeMap::new();
    for (code, name, level, parent) in divisions {
        match level.as_str() {
            "township" => townships.push((code, name)),
            "village" => {
                let name = name
                    .replace("居民委员会", "")
                    .replace("村民委员会", "")
                    .replace("委员会", "");
                villages.insert(
                    code,
                    Village {
                        name,
                        township: parent.unwrap_or_default(),
                        ..Default::default()
                    },
                );
            }
            "group" => {
                if let Some(v) = parent.and_then(|p| villages.get_mut(&p)) {
                    v.groups.push((code, name));
                }
            }
            _ => {}
        }
    }
    let village_of = |code: &str| code.get(..12).unwrap_or("").to_string();
    let households: Vec<(i64, String)> = db
        .all(&Q::with(
            "SELECT t.id, t.division_code FROM households t WHERE t.county_id = ? ORDER BY t.id",
            vec![county.into()],
        ))
        .await?;
    for (id, code) in households {
        if let Some(v) = villages.get_mut(&village_of(&code)) {
            v.households.push(id);
        }
    }
    let adult =
        NaiveDate::from_ymd_opt(today.year() - 18, today.month(), today.day()).unwrap_or(today);
    let adults: Vec<(i64, NaiveDate, String, String)> = db
        .all(&Q::with(
            "SELECT t.id, t.birth_date, t.name, t.division_code FROM residents t \
             WHERE t.county_id = ? AND t.birth_date <= ? ORDER BY t.id",
            vec![county.into(), adult.into()],
        ))
        .await?;
    for (id, birth, name, code) in adults {
        if let Some(v) = villages.get_mut(&village_of(&code)) {
            v.adults.push((id, birth, name));
        }
    }
    let leaders: Vec<(String, String)> = db
        .all(&Q::with(
            "SELECT t.division_code, t.name FROM grid_staff t \
             WHERE t.county_id = ? AND t.role = 'grid_leader' ORDER BY t.id",
            vec![county.into()],
        ))
        .await?;
    for (code, name) in leaders {
        if let Some(v) = villages.get_mut(&code) {
            v.leader.get_or_insert(name);
        }
    }
    Ok((townships, villages))
}

/// Builds the demo county's party into `db` and says what it built.
pub async fn build(db: &Db, county: &DemoCounty) -> Result<String> {
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or(NaiveDate::MIN);
    let at = county.at;
    let cid = county.county_id;
    let county_code = format!("{cid:06}000000");
    let mut rng = ChaCha8Rng::seed_from_u64(county.seed ^ 0x0070_6172_7479);
    let (townships, mut villages) = registry(db, cid, today).await?;
    let mut tx = db.begin().await?;

    let groups: usize = villages.values().map(|v| v.groups.len()).sum();
    let n_orgs = 1 + townships.len() + villages.len() + groups;
    let mut oid = next_ids(&mut tx, cid, "party_org", n_orgs as i64).await?;
    let mut take = || {
        oid += 1;
        oid - 1
    };
    let mut org_rows = Vec::with_capacity(n_orgs);
    let org = |id: i64,
               code: String,
               kind: PartyOrgKind,
               name: String,
               parent: Option<i64>,
               div: &str,
               standing: BranchStanding,
               path: &str| {
        vec![
            Value::I64(cid),
            Value::I64(id),
            t(&code),
            t(kind.as_str()),
            t(&name),
            Value::OptI64(parent),
            t(div),
            t(standing.as_str()),
            t(path),
            Value::I64(at),
            Value::I64(at),
        ]
    };
    let root = take();
    org_rows.push(org(
        root,
        format!("{cid}-P"),
        PartyOrgKind::Committee,
        "中共乡宁县委员会".into(),
        None,
        &county_code,
        BranchStanding::Ordinary,
        &format!("/{root}/"),
    ));
    let mut town_org = HashMap::new();
    for (code, name) in &townships {
        let id = take();
        let path = format!("/{root}/{id}/");
        org_rows.push(org(
            id,
            format!("{}-P", &code[..9]),
            PartyOrgKind::Committee,
            format!("中共{name}委员会"),
            Some(root),
            code,
            BranchStanding::Ordinary,
            &path,
        ));
        town_org.insert(code.clone(), (id, path));
    }
    let adults: usize = villages.values().map(|v| v.adults.len()).sum();
    // At most 7% of adults, and at least three, per village.
    let most = adults / 10 + 3 * villages.len() + 10;
    let mut pmid = next_ids(&mut tx, cid, "party_member", most as i64).await?;
    let mut member_rows = Vec::new();
    let mut contact_rows = Vec::new();
    for (code, v) in villages.iter_mut() {
        let (tid, tpath) = town_org
            .get(&v.township)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        let id = take();
        let kind = if v.groups.len() > 10 {
            PartyOrgKind::GeneralBranch
        } else {
            PartyOrgKind::Branch
        };
        let standing = match rng.random_range(0..100) {
            0..25 => BranchStanding::Model,
            25..94 => BranchStanding::Ordinary,
            _ => BranchStanding::Weak,
        };
        let bpath = format!("{tpath}{id}/");
        let suffix = if kind == PartyOrgKind::GeneralBranch {
            "总支部委员会"
        } else {
            "支部委员会"
        };
        org_rows.push(org(
            id,
            format!("{code}-P"),
            kind,
            format!("中共{}{suffix}", v.name),
            Some(tid),
            code,
            standing,
            &bpath,
        ));
        for (gcode, gname) in &v.groups {
            let gid = take();
            org_rows.push(org(
                gid,
                format!("{gcode}-P"),
                PartyOrgKind::Group,
                format!("{gname}党小组"),
                Some(id),
                gcode,
                BranchStanding::Ordinary,
                &format!("{bpath}{gid}/"),
            ));
        }
        // About 6% of adults are members; the grid leader first, as the branch secretary.
        let n = ((v.adults.len() as f64) * rng.random_range(0.05..0.07))
            .round()
            .max(3.0) as usize;
        v.adults.shuffle(&mut rng);
        if let Some(k) = v
            .leader
            .as_ref()
            .and_then(|l| v.adults.iter().position(|a| &a.2 == l))
        {
            v.adults.swap(0, k);
        }
        for (k, (res, birth, _)) in v.adults.iter().take(n).enumerate() {
            let m = pmid;
            pmid += 1;
            let role = match k {
                0 => MemberRole::Secretary,
                1 => MemberRole::DeputySecretary,
                2..5 => MemberRole::CommitteeMember,
                _ => MemberRole::Member,
            };
            let eighteen =
                NaiveDate::from_ymd_opt(birth.year() + 18, birth.month(), 1).unwrap_or(*birth);
            let span = (today - eighteen).num_days().max(1);
            let joined = eighteen + Duration::days(rng.random_range(0..span));
            let status = if (today - joined).num_days() < 365 && rng.random_bool(0.6) {
                MemberStatus::Probationary
            } else {
                MemberStatus::Full
            };
            member_rows.push(vec![
                Value::I64(cid),
                Value::I64(m),
                Value::I64(*res),
                Value::I64(id),
                t(code),
                t(status.as_str()),
                t(role.as_str()),
                Value::Date(joined),
                Value::I64(at),
                Value::I64(at),
            ]);
            let mut hs: HashSet<i64> = HashSet::new();
            for _ in 0..rng.random_range(3..9) {
                if let Some(h) = v
                    .households
                    .get(rng.random_range(0..v.households.len().max(1)))
                {
                    hs.insert(*h);
                }
            }
            let mut hs: Vec<i64> = hs.into_iter().collect();
            hs.sort();
            for h in hs {
                contact_rows.push(vec![
                    Value::I64(cid),
                    Value::I64(m),
                    Value::I64(h),
                    Value::I64(at),
                ]);
            }
        }
    }

    // Contact duties: county leaders take villages (a few left uncovered, as in real life),
    // township leaders take every village, first secretaries go to some.
    let mut did = next_ids(&mut tx, cid, "duty", (villages.len() * 3) as i64).await?;
    let mut duty_rows = Vec::new();
    let leaders: Vec<String> = (0..28).map(|_| names::person(&mut rng)).collect();
    let since = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap_or(today);
    let mut duty = |name: &str, rank: &str, unit: &str, village: &str| {
        let row = vec![
            Value::I64(cid),
            Value::I64(did),
            t(name),
            t(rank),
            t(unit),
            t("village"),
            t(village),
            Value::OptI64(None),
            Value::Date(since),
            Value::I64(at),
            Value::I64(at),
        ];
        did += 1;
        row
    };
    for (i, code) in villages.keys().enumerate() {
        if rng.random_bool(0.95) {
            let leader = &leaders[i % leaders.len()];
            duty_rows.push(duty(leader, "county_leader", "乡宁县委、县政府", code));
        }
        let n = names::person(&mut rng);
        duty_rows.push(duty(&n, "township_leader", "乡镇党委", code));
        if rng.random_bool(0.4) {
            let n = names::person(&mut rng);
            duty_rows.push(duty(&n, "first_secretary", names::UNITS[i % 4], code));
        }
    }
    let line = format!(
        "党组织 party organisations {}, 党员 party members {}, 联系户 contacts {}, 包联 duties {}",
        org_rows.len(),
        member_rows.len(),
        contact_rows.len(),
        duty_rows.len()
    );
    tx.insert_rows(&columns::PARTY_ORGS, org_rows).await?;
    tx.insert_rows(&columns::PARTY_MEMBERS, member_rows).await?;
    tx.insert_rows(&columns::MEMBER_CONTACTS, contact_rows)
        .await?;
    tx.insert_rows(&columns::CONTACT_DUTIES, duty_rows).await?;
    let by = Actor::system("demo builder");
    tx.audit(
        &by,
        "build demo party",
        format!("county {cid}, seed {}", county.seed),
    )
    .await?;
    tx.commit().await?;
    Ok(line)
}

/// The feature's demo builder.
pub fn builder<'a>(
    db: &'a Db,
    county: &'a DemoCounty,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String>> + Send + 'a>> {
    Box::pin(build(db, county))
}
