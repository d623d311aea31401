//! The demo county's points: the county's catalogue (the five dimensions of the members' monthly
//! evaluation, and the households' rules), a year of recordings approved by a second person in
//! the pilot township 昌宁镇, each branch's months evaluated (published, then final) and each
//! village's red and black lists, and a points store per village with donations and
//! redemptions. The year is drawn from the feature's own generator seeded by the county's seed;
//! the evaluations, lists and redemptions then go through the store as a secretary's would.
//!
//! [`draw_year`] is the generator itself, which the benchmark also runs over the whole county at
//! a larger density.

use crate::boards::{BoardStore, DraftInput};
use crate::model::{PointRule, RuleInput};
use crate::months::{MonthStore, PublishInput};
use crate::rules::Holder;
use crate::settings::SettingsStore;
use crate::shop::{Donation, GoodsInput, GoodsRedemption, ShopStore};
use crate::store::PointsStore;
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{Actor, Db, Result, Scope, Value};
use xiangzhi_web::feature::DemoCounty;

/// The pilot township whose year the demo draws.
pub const PILOT: &str = "141029100";

/// A rule as the catalogue below writes it: (holder, code, dimension, item, points, month cap,
/// year cap).
type RuleRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<i64>,
    Option<i64>,
);

/// The county's catalogue.
const RULES: &[RuleRow] = &[
    (
        "member",
        "SX01",
        "思想政治",
        "按时参加组织生活、学习",
        20,
        Some(20),
        None,
    ),
    (
        "member",
        "SX02",
        "思想政治",
        "无故缺席组织生活",
        -5,
        Some(20),
        None,
    ),
    (
        "member",
        "LL01",
        "邻里和睦",
        "邻里团结、调解纠纷",
        20,
        Some(20),
        None,
    ),
    (
        "member",
        "TY01",
        "干净庭院",
        "庭院干净整洁",
        20,
        Some(20),
        None,
    ),
    (
        "member",
        "TY02",
        "干净庭院",
        "庭院脏乱经督促未改",
        -10,
        Some(20),
        None,
    ),
    (
        "member",
        "JF01",
        "良好家风",
        "孝老爱亲、家风良好",
        20,
        Some(20),
        None,
    ),
    (
        "member",
        "SF01",
        "示范带动",
        "带头发展产业、参与志愿服务",
        20,
        Some(20),
        None,
    ),
    (
        "household",
        "HJ01",
        "人居环境",
        "庭院整洁",
        5,
        Some(10),
        Some(120),
    ),
    (
        "household",
        "HJ02",
        "人居环境",
        "参与村庄清洁行动",
        3,
        Some(9),
        None,
    ),
    (
        "household",
        "XJ01",
        "孝老爱亲",
        "孝敬老人、照顾病残",
        5,
        Some(10),
        None,
    ),
    (
        "household",
        "ZY01",
        "志愿服务",
        "参加志愿服务",
        3,
        Some(12),
        None,
    ),
    (
        "household",
        "TJ01",
        "矛盾调解",
        "主动化解邻里纠纷",
        5,
        Some(10),
        None,
    ),
    (
        "household",
        "XM01",
        "项目建设",
        "配合项目清表、让地",
        10,
        Some(20),
        None,
    ),
    (
        "household",
        "HB01",
        "人居环境",
        "垃圾乱倒",
        -5,
        Some(10),
        None,
    ),
    (
        "household",
        "HB02",
        "人居环境",
        "乱堆乱放经督促未改",
        -10,
        Some(20),
        None,
    ),
];

/// How much a year holds.
#[derive(Debug, Clone, Copy)]
pub struct Density {
    /// Recordings a household has in a month, on average.
    pub household_per_month: f64,
    /// The chance a member misses a dimension's points in a month.
    pub member_miss: f64,
    /// The chance a member has a deduction in a month.
    pub member_deduction: f64,
}

/// The demo's year: a village's year as the seeds' counties report it.
pub const DEMO_DENSITY: Density = Density {
    household_per_month: 0.45,
    member_miss: 0.08,
    member_deduction: 0.03,
};

/// What [`draw_year`] wrote.
#[derive(Debug, Default, Clone, Copy)]
pub struct Drawn {
    pub accounts: usize,
    pub entries: usize,
}

/// Milliseconds at `day` 10:00 in China.
fn at_day(day: NaiveDate) -> i64 {
    let t = day.and_hms_opt(2, 0, 0).unwrap_or_default();
    Utc.from_utc_datetime(&t).timestamp_millis()
}

/// The twelve months before `ms`'s month, oldest first (`2025-12` … `2026-11` on 2026-12-01).
pub fn year_before(ms: i64) -> Vec<NaiveDate> {
    let today = xiangzhi_domain::china_date(ms);
    let mut first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let mut out = Vec::new();
    for _ in 0..12 {
        first = first
            .pred_opt()
            .and_then(|d| NaiveDate::from_ymd_opt(d.year(), d.month(), 1))
            .unwrap_or(first);
        out.push(first);
    }
    out.reverse();
    out
}

/// The county's catalogue, created through the store where a rule is missing.
pub async fn catalogue(db: &Db, county_id: i64, by: &Actor) -> Result<Vec<PointRule>> {
    let scope = Scope::everything().by(by.clone());
    let have = db.points_rules(&scope).await?;
    for (holder, code, dimension, item, points, month_cap, year_cap) in RULES {
        if have
            .iter()
            .any(|r| r.county_id == county_id && r.holder.as_str() == *holder && r.code == *code)
        {
            continue;
        }
        db.create_points_rule(
            &scope,
            &RuleInput {
                county_id: Some(county_id),
                holder: holder.to_string(),
                code: code.to_string(),
                dimension: dimension.to_string(),
                item: item.to_string(),
                points: *points,
                month_cap: *month_cap,
                year_cap: *year_cap,
                evidence_required: false,
            },
        )
        .await?;
    }
    Ok(db
        .points_rules(&scope)
        .await?
        .into_iter()
        .filter(|r| r.county_id == county_id && r.active)
        .collect())
}

const CLAIM_COLS: &[&str] = &[
    "county_id",
    "id",
    "account_id",
    "rule_id",
    "division_code",
    "points",
    "month",
    "evidence",
    "case_id",
    "recorded_by",
    "recorded_at",
    "state",
    "decided_by",
    "decided_at",
    "note",
    "entry_id",
];
const ENTRY_COLS: &[&str] = &[
    "county_id",
    "id",
    "account_id",
    "division_code",
    "kind",
    "rule_id",
    "claim_id",
    "points",
    "month",
    "evidence",
    "recorded_by",
    "approved_by",
    "reverses_id",
    "created_at",
];

/// The next (recording, entry) ids of the blocks taken, and one fewer left.
fn take(ids: &mut (i64, i64, i64)) -> (i64, i64) {
    ids.0 += 1;
    ids.1 += 1;
    ids.2 -= 1;
    (ids.0 - 1, ids.1 - 1)
}

/// Rows of one recording and its entry, buffered and written a block at a time.
struct Ledger {
    county_id: i64,
    claims: Vec<Vec<Value>>,
    entries: Vec<Vec<Value>>,
    written: usize,
}

impl Ledger {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        claim: i64,
        entry: i64,
        account: i64,
        division: &str,
        rule: &PointRule,
        month: &str,
        evidence: &str,
        at: i64,
        recorder: i64,
        approver: i64,
    ) {
        let c = self.county_id;
        self.claims.push(vec![
            Value::I64(c),
            Value::I64(claim),
            Value::I64(account),
            Value::I64(rule.id),
            Value::Text(division.to_string()),
            Value::I64(rule.points),
            Value::Text(month.to_string()),
            Value::Text(evidence.to_string()),
            Value::OptI64(None),
            Value::I64(recorder),
            Value::I64(at),
            Value::Text("approved".into()),
            Value::OptI64(Some(approver)),
            Value::OptI64(Some(at + 3_600_000)),
            Value::Text(String::new()),
            Value::OptI64(Some(entry)),
        ]);
        self.entries.push(vec![
            Value::I64(c),
            Value::I64(entry),
            Value::I64(account),
            Value::Text(division.to_string()),
            Value::Text("award".into()),
            Value::OptI64(Some(rule.id)),
            Value::OptI64(Some(claim)),
            Value::I64(rule.points),
            Value::Text(month.to_string()),
            Value::Text(evidence.to_string()),
            Value::I64(recorder),
            Value::OptI64(Some(approver)),
            Value::OptI64(None),
            Value::I64(at + 3_600_000),
        ]);
    }

    async fn flush(&mut self, tx: &mut xiangzhi_storage::Tx) -> Result<()> {
        self.written += self.entries.len();
        tx.bulk_insert(
            "points_claims",
            CLAIM_COLS,
            std::mem::take(&mut self.claims),
        )
        .await?;
        tx.bulk_insert(
            "points_entries",
            ENTRY_COLS,
            std::mem::take(&mut self.entries),
        )
        .await
    }
}

/// Draws a year of approved recordings for the members and households under `prefix` (a division
/// code's significant digits) who have no points account yet, in one transaction: an account
/// each, a recording approved by another person and its entry for every award, each within its
/// rule's caps; every balance then set to the sum of its entries by one statement.
#[allow(clippy::too_many_arguments)]
pub async fn draw_year(
    db: &Db,
    county_id: i64,
    prefix: &str,
    months: &[NaiveDate],
    density: Density,
    seed: u64,
    recorder: i64,
    approver: i64,
) -> Result<Drawn> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x706f_696e_7473);
    let scope = Scope::everything();
    let rules = db.points_rules(&scope).await?;
    let rules: Vec<PointRule> = rules
        .into_iter()
        .filter(|r| r.county_id == county_id && r.active)
        .collect();
    let of = |h: Holder, up: bool| -> Vec<PointRule> {
        rules
            .iter()
            .filter(|r| r.holder == h && (r.points > 0) == up)
            .cloned()
            .collect()
    };
    let (member_awards, member_cuts) = (of(Holder::Member, true), of(Holder::Member, false));
    let (house_awards, house_cuts) = (of(Holder::Household, true), of(Holder::Household, false));
    let like = format!("{prefix}%");
    let holders = |table: &str| {
        Q::with(
            &format!(
                "SELECT t.id, t.division_code FROM {table} t WHERE t.county_id = ? AND t.division_code LIKE ? \
                 AND NOT EXISTS (SELECT 1 FROM points_accounts a WHERE a.county_id = t.county_id \
                 AND a.holder = ? AND a.holder_id = t.id) ORDER BY t.id"
            ),
            vec![county_id.into(), like.clone().into(), if table == "households" { "household" } else { "member" }.into()],
        )
    };
    let members: Vec<(i64, String)> = db.all(&holders("party_members")).await?;
    let households: Vec<(i64, String)> = db.all(&holders("households")).await?;
    let mut tx = db.begin().await?;
    let n_accounts = (members.len() + households.len()) as i64;
    let mut account = next_ids(&mut tx, county_id, "points_account", n_accounts.max(1)).await?;
    let first_account = account;
    let mut account_rows = Vec::with_capacity(n_accounts as usize);
    let mut of_member = Vec::with_capacity(members.len());
    let mut of_household = Vec::with_capacity(households.len());
    let now = months.last().map(|m| at_day(*m)).unwrap_or_default();
    for (holder, list, out) in [
        ("member", &members, &mut of_member),
        ("household", &households, &mut of_household),
    ] {
        for (id, division) in list.iter() {
            account_rows.push(vec![
                Value::I64(county_id),
                Value::I64(account),
                Value::Text(holder.into()),
                Value::I64(*id),
                Value::Text(division.clone()),
                Value::I64(0),
                Value::I64(now),
                Value::I64(now),
            ]);
            out.push((account, division.clone()));
            account += 1;
        }
    }
    for chunk in account_rows.chunks(5_000) {
        tx.bulk_insert(
            "points_accounts",
            &[
                "county_id",
                "id",
                "holder",
                "holder_id",
                "division_code",
                "balance",
                "created_at",
                "updated_at",
            ],
            chunk.to_vec(),
        )
        .await?;
    }
    let mut ledger = Ledger {
        county_id,
        claims: Vec::new(),
        entries: Vec::new(),
        written: 0,
    };
    // Ids are taken a block at a time (one counter row per kind, held to the end).
    let mut ids: (i64, i64, i64) = (0, 0, 0);
    const BLOCK: i64 = 10_000;
    for month in months {
        let key = month.format("%Y-%m").to_string();
        for (acc, division) in &of_member {
            let mut picks: Vec<&PointRule> = member_awards
                .iter()
                .filter(|_| !rng.random_bool(density.member_miss))
                .collect();
            if !member_cuts.is_empty() && rng.random_bool(density.member_deduction) {
                picks.push(&member_cuts[rng.random_range(0..member_cuts.len())]);
            }
            for rule in picks {
                if ids.2 <= 0 {
                    ids.0 = next_ids(&mut tx, county_id, "points_claim", BLOCK).await?;
                    ids.1 = next_ids(&mut tx, county_id, "points_entry", BLOCK).await?;
                    ids.2 = BLOCK;
                }
                let (claim, entry) = take(&mut ids);
                let day = *month + chrono::Duration::days(rng.random_range(0..25));
                ledger.push(
                    claim,
                    entry,
                    *acc,
                    division,
                    rule,
                    &key,
                    "支部月度评议",
                    at_day(day),
                    recorder,
                    approver,
                );
            }
        }
        for (acc, division) in &of_household {
            let whole = density.household_per_month.floor() as usize;
            let n = whole + usize::from(rng.random_bool(density.household_per_month.fract()));
            let mut used: HashMap<i64, i64> = HashMap::new();
            for _ in 0..n {
                let rule = if !house_cuts.is_empty() && rng.random_bool(0.12) {
                    &house_cuts[rng.random_range(0..house_cuts.len())]
                } else if !house_awards.is_empty() {
                    &house_awards[rng.random_range(0..house_awards.len())]
                } else {
                    continue;
                };
                // Within the rule's monthly cap (the yearly cap of 庭院整洁 holds too: at most
                // twice a month is 120 a year).
                let so_far = used.entry(rule.id).or_insert(0);
                if rule
                    .month_cap
                    .is_some_and(|cap| (*so_far + rule.points).abs() > cap)
                {
                    continue;
                }
                *so_far += rule.points;
                if ids.2 <= 0 {
                    ids.0 = next_ids(&mut tx, county_id, "points_claim", BLOCK).await?;
                    ids.1 = next_ids(&mut tx, county_id, "points_entry", BLOCK).await?;
                    ids.2 = BLOCK;
                }
                let (claim, entry) = take(&mut ids);
                let day = *month + chrono::Duration::days(rng.random_range(0..25));
                ledger.push(
                    claim,
                    entry,
                    *acc,
                    division,
                    rule,
                    &key,
                    "网格员核实",
                    at_day(day),
                    recorder,
                    approver,
                );
            }
            if ledger.entries.len() >= 20_000 {
                ledger.flush(&mut tx).await?;
            }
        }
        ledger.flush(&mut tx).await?;
    }
    // Every new account's balance is the sum of its entries.
    tx.exec(&Q::with(
        "UPDATE points_accounts SET balance = (SELECT COALESCE(SUM(e.points), 0) FROM points_entries e \
         WHERE e.county_id = points_accounts.county_id AND e.account_id = points_accounts.id) \
         WHERE county_id = ? AND id >= ? AND id < ?",
        vec![county_id.into(), first_account.into(), account.into()],
    ))
    .await?;
    tx.audit(
        &Actor::system("demo builder"),
        "draw points year",
        format!(
            "county {county_id} under {prefix}: {} entries",
            ledger.written
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Drawn {
        accounts: n_accounts as usize,
        entries: ledger.written,
    })
}

/// The feature's demo: the catalogue, the pilot township's year, its evaluations and lists, its
/// stores.
pub async fn build(db: &Db, county: &DemoCounty) -> Result<String> {
    let cid = county.county_id;
    let user = |role: &str, division: &str| {
        county
            .accounts
            .iter()
            .find(|u| u.role.as_str() == role && u.division_code.starts_with(division))
            .map(|u| (u.id, u.login.clone()))
    };
    let admin = user("county_admin", "").unwrap_or((0, "admin".into()));
    let officer = user("township_officer", PILOT).unwrap_or(admin.clone());
    let secretary = user("village_secretary", PILOT).unwrap_or(admin.clone());
    let actor = |(id, login): &(i64, String)| Actor::new(Some(*id), login, "demo", "demo builder");
    catalogue(db, cid, &actor(&admin)).await?;
    let now = xiangzhi_storage::now_ms();
    let months = year_before(now);
    let drawn = draw_year(
        db,
        cid,
        &format!("{cid:06}{}", &PILOT[6..]),
        &months,
        DEMO_DENSITY,
        county.seed,
        secretary.0,
        officer.0,
    )
    .await?;
    // The planner's statistics after the load (the registry's tables were just loaded too).
    db.analyze().await?;
    let town = Scope::everything().by(actor(&officer));
    // Each branch's months: published a day after the month ends, final when its days are up;
    // the last month is still on the board.
    let orgs: Vec<(i64,)> = db
        .all(&Q::with(
            "SELECT t.id FROM party_orgs t WHERE t.county_id = ? AND t.division_code LIKE ? \
             AND t.kind IN ('branch', 'general_branch') AND EXISTS (SELECT 1 FROM party_members m \
             WHERE m.county_id = t.county_id AND m.org_id = t.id) ORDER BY t.id",
            vec![cid.into(), format!("{PILOT}%").into()],
        ))
        .await?;
    let mut evaluated = 0;
    for (k, m) in months.iter().enumerate() {
        let next_month = months
            .get(k + 1)
            .copied()
            .unwrap_or_else(|| xiangzhi_domain::china_date(now));
        let published = at_day(next_month);
        let last = k + 1 == months.len();
        for (org,) in &orgs {
            let v = db
                .publish_month(
                    &town,
                    &PublishInput {
                        org_id: *org,
                        month: m.format("%Y-%m").to_string(),
                    },
                    if last { now - 3_600_000 } else { published },
                )
                .await?;
            if !last {
                db.finalize_month(&town, cid, v.month.id, v.month.publish_until)
                    .await?;
            }
            evaluated += 1;
        }
    }
    // Each village's lists: the month before last published, the last month open to objection.
    let villages: Vec<&String> = county
        .villages
        .iter()
        .filter(|(v, _)| v.starts_with(PILOT))
        .map(|(v, _)| v)
        .collect();
    let mut boards = 0;
    let rules = db.board_rules(cid).await?;
    for (k, m) in months
        .iter()
        .enumerate()
        .skip(months.len().saturating_sub(2))
    {
        let last = k + 1 == months.len();
        for v in &villages {
            let drafted = if last {
                now - 3_600_000
            } else {
                now - 27 * 86_400_000
            };
            let b = db
                .draft_board(
                    &town,
                    &DraftInput {
                        division_code: v.to_string(),
                        month: m.format("%Y-%m").to_string(),
                    },
                    drafted,
                )
                .await?;
            if !last {
                db.publish_board(
                    &town,
                    cid,
                    b.board.id,
                    drafted + rules.objection_days * 86_400_000,
                )
                .await?;
            }
            boards += 1;
        }
    }
    // A store per village: goods on the shelf, donations in, and some households' redemptions.
    let mut rng = ChaCha8Rng::seed_from_u64(county.seed ^ 0x7368_6f70);
    let village_scope =
        |v: &str| Scope::everything().by(Actor::new(Some(secretary.0), &secretary.1, "demo", v));
    let mut redeemed = 0;
    for v in &villages {
        let s = village_scope(v);
        let mut shelf = Vec::new();
        for (name, unit, price, qty, donor) in [
            ("洗衣粉", "袋", 10, 200, "县供销社"),
            ("食用油", "桶", 60, 40, "爱心企业"),
            ("大米", "袋", 80, 30, "县农商银行"),
            ("毛巾", "条", 5, 300, "乡贤"),
        ] {
            let g = db
                .create_goods(
                    &s,
                    &GoodsInput {
                        division_code: v.to_string(),
                        name: name.into(),
                        unit: unit.into(),
                        price,
                    },
                )
                .await?;
            db.donate_goods(
                &s,
                cid,
                g.id,
                &Donation {
                    quantity: qty,
                    donor: donor.into(),
                },
            )
            .await?;
            shelf.push((g.id, price));
        }
        let rich: Vec<(i64,)> = db
            .all(&Q::with(
                "SELECT t.holder_id FROM points_accounts t WHERE t.county_id = ? AND t.holder = 'household' \
                 AND t.division_code LIKE ? AND t.balance >= 20 ORDER BY t.id LIMIT 40",
                vec![cid.into(), format!("{v}%").into()],
            ))
            .await?;
        for (household,) in rich {
            let (goods, _) = shelf[rng.random_range(0..shelf.len())];
            let r = db
                .redeem_goods(
                    &s,
                    cid,
                    goods,
                    &GoodsRedemption {
                        holder: "household".into(),
                        holder_id: household,
                        quantity: 1,
                    },
                )
                .await;
            if r.is_ok() {
                redeemed += 1;
            }
        }
    }
    Ok(format!(
        "积分 points: 试点镇 pilot township 昌宁镇 {} 账户 accounts, {} 条积分 entries over 12 months, \
         {evaluated} 个支部月评 branch months, {boards} 个红黑榜 village lists, {redeemed} 次兑换 redemptions",
        drawn.accounts, drawn.entries
    ))
}

/// The feature's demo builder.
pub fn builder<'a>(
    db: &'a Db,
    county: &'a DemoCounty,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String>> + Send + 'a>> {
    Box::pin(build(db, county))
}
