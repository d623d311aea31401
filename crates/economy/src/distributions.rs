//! Income distributions in the store. Drafting one takes the village's households as they stand
//! — members (population shares), land and capital shares, and whether a household is one
//! lifted out of poverty — and splits the year's income by the rules
//! ([`crate::rules::distribution`]); the lines are kept as computed. The plan pays nothing until
//! it is carried by a matter of income distribution that a passed resolution decided (the
//! decisions engine refuses that decision unless the plan was posted for inspection ten days
//! before the vote). A payment is appended, and only while the household's lines cover it: one
//! statement checks and writes, so racing clerks never pay a fen more than the plan gives.

use crate::rules::distribution::{distribute, Class, Holding, Outcome, Plan, WHOLE};
use crate::tables::{DISTRIBUTIONS, DISTRIBUTION_LINES, DISTRIBUTION_PAYMENTS};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use xiangzhi_decisions::procedure_store::MatterStore;
use xiangzhi_domain::{DivisionCode, ResidentTag};
use xiangzhi_storage::list::in_reach;
use xiangzhi_storage::list::{next_ids, starts_with};
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, Result, Scope, StoreError, Tx, Value};

/// What a class splits by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The household's members on the day (one share each).
    Members,
    /// Land put in, in hundredths of a mu.
    Land,
    /// Capital shares, in hundredths.
    Capital,
}

/// Which households a class is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    All,
    /// Households with someone marked 脱贫户 in the registry.
    PovertyAlleviated,
    /// The other households.
    Others,
}

/// A class of the plan as asked.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
pub struct ClassInput {
    pub name: String,
    /// Per ten thousand of what is left after the fund: 7000 is 70%.
    pub weight: u32,
    /// Kept by the collective.
    #[serde(default)]
    pub kept: bool,
    #[serde(default = "members")]
    pub basis: Basis,
    #[serde(default = "all")]
    pub who: Who,
}

fn members() -> Basis {
    Basis::Members
}
fn all() -> Who {
    Who::All
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct DistributionInput {
    /// The village (12 digits).
    pub division_code: String,
    pub year: i32,
    pub title: String,
    /// The year's distributable income in fen.
    pub distributable: i64,
    /// The provident and welfare fund, per ten thousand (1000 is 10%).
    pub reserve: u32,
    pub classes: Vec<ClassInput>,
}

/// A distribution as stored.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Distribution {
    pub county_id: i64,
    pub id: i64,
    pub division_code: String,
    pub year: i64,
    pub title: String,
    pub distributable: i64,
    pub reserve: i64,
    /// The provident and welfare fund, in fen.
    pub reserve_amount: i64,
    /// All the collective keeps, in fen: the fund and the kept classes.
    pub kept_amount: i64,
    /// The classes as asked (JSON).
    pub classes: String,
    /// `draft` (nothing may be paid) or `approved` (carried by a passed resolution).
    pub state: String,
    pub matter_id: Option<i64>,
    pub decided_on: Option<NaiveDate>,
    pub version: i64,
}

/// A household's line.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct DistributionLine {
    pub class: String,
    pub household_id: i64,
    pub shares: i64,
    pub amount: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DistributionView {
    pub distribution: Distribution,
    pub lines: Vec<DistributionLine>,
    /// Paid so far, in fen.
    pub paid: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ApprovalInput {
    /// The village's matter of income distribution decided by a passed resolution.
    pub matter_id: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct PaymentInput {
    pub household_id: i64,
    /// In fen.
    pub amount: i64,
    pub paid_on: String,
    /// The voucher's number (凭证号).
    pub voucher: String,
}

/// A payment as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Payment {
    pub county_id: i64,
    pub id: i64,
    pub distribution_id: i64,
    pub household_id: i64,
    pub amount: i64,
    pub paid_on: NaiveDate,
    pub voucher: String,
}

const DIST_COLS: &str =
    "t.county_id, t.id, t.division_code, t.year, t.title, t.distributable, t.reserve, \
    t.reserve_amount, t.kept_amount, t.classes, t.state, t.matter_id, t.decided_on, t.version";
const PAY_COLS: &str =
    "t.county_id, t.id, t.distribution_id, t.household_id, t.amount, t.paid_on, t.voucher";

#[derive(Debug, Default)]
pub(crate) struct HouseholdShares {
    id: i64,
    members: i64,
    land: i64,
    capital: i64,
    poor: i64,
}

pub(crate) fn bad(e: crate::rules::Fault) -> StoreError {
    StoreError::invalid(e.field, e.zh, e.en)
}

/// A read whose rows are one text column `v` of comma-separated fields, answered as one text of
/// rows separated by `;`. SQLite hands each row from its worker thread to the program on its
/// own (about 5 µs a row on two cores): a county's 70,000 households, 210,000 members and 70,000
/// holdings cost half a second that way, and milliseconds as four texts.
async fn packed(db: &Db, inner: Q) -> Result<String> {
    let agg = if db.backend_name() == "postgres" {
        "string_agg(x.v, ';')"
    } else {
        "group_concat(x.v, ';')"
    };
    let q = Q {
        sql: format!("SELECT COALESCE({agg}, '') FROM ({}) x", inner.sql),
        ..inner
    };
    let (text,): (String,) = db.one(&q).await?;
    Ok(text)
}

/// The integer fields of a packed row (a bad field as 0: the text is the database's own).
fn fields<const N: usize>(row: &str) -> [i64; N] {
    let mut out = [0; N];
    for (slot, f) in out.iter_mut().zip(row.split(',')) {
        *slot = f.trim().parse().unwrap_or_default();
    }
    out
}

/// The households under `prefix` (a village, or a township's or county's villages) by village,
/// with their members, land and capital shares and whether someone in them is marked 脱贫户:
/// four reads along the county-first indexes (the households, then the members, shares and
/// tagged residents grouped by household), run at once on four connections, each answered as one
/// packed text ([`packed`]) and joined here rather than by a subquery per household.
pub(crate) async fn shares_under(
    db: &Db,
    county_id: i64,
    prefix: &str,
) -> Result<BTreeMap<String, Vec<HouseholdShares>>> {
    let mut q = Q::with(
        "SELECT CAST(h.id AS TEXT) || ',' || h.division_code AS v FROM households h WHERE h.county_id = ?",
        vec![county_id.into()],
    );
    starts_with(&mut q, "h.division_code", prefix);
    let households_q = q;
    let mut q = Q::with(
        "SELECT CAST(m.household_id AS TEXT) || ',' || CAST(COUNT(*) AS TEXT) AS v \
         FROM collective_members m \
         WHERE m.county_id = ? AND m.left_on IS NULL",
        vec![county_id.into()],
    );
    starts_with(&mut q, "m.division_code", prefix);
    q.push(" GROUP BY m.household_id");
    let members_q = q;
    let mut q = Q::with(
        "SELECT CAST(s.household_id AS TEXT) || CASE s.kind WHEN 'land' THEN ',1,' \
         WHEN 'capital' THEN ',2,' ELSE ',0,' END || CAST(SUM(s.shares) AS TEXT) AS v \
         FROM share_holdings s WHERE s.county_id = ?",
        vec![county_id.into()],
    );
    starts_with(&mut q, "s.division_code", prefix);
    q.push(" GROUP BY s.household_id, s.kind");
    let shares_q = q;
    let mut q = Q::with(
        "SELECT DISTINCT CAST(r.household_id AS TEXT) AS v FROM residents r WHERE r.county_id = ?",
        vec![county_id.into()],
    );
    starts_with(&mut q, "r.division_code", prefix);
    let bit = q.arg(ResidentTag::PovertyAlleviated.bit());
    q.push(&format!(" AND (r.tags & {bit}) <> 0"));
    let poor_q = q;
    // The four reads are independent: each on its own connection, at once.
    let (households, members, shares, poor) = futures::try_join!(
        packed(db, households_q),
        packed(db, members_q),
        packed(db, shares_q),
        packed(db, poor_q)
    )?;
    let rows = |text: &str| -> Vec<String> {
        text.split(';')
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut by: BTreeMap<i64, (String, HouseholdShares)> = rows(&households)
        .into_iter()
        .filter_map(|r| {
            let (id, code) = r.split_once(',')?;
            let id: i64 = id.parse().ok()?;
            Some((
                id,
                (
                    code.get(..12).unwrap_or_default().to_string(),
                    HouseholdShares {
                        id,
                        ..HouseholdShares::default()
                    },
                ),
            ))
        })
        .collect();
    for r in members.split(';').filter(|r| !r.is_empty()) {
        let [h, n] = fields::<2>(r);
        if let Some((_, x)) = by.get_mut(&h) {
            x.members = n;
        }
    }
    for r in shares.split(';').filter(|r| !r.is_empty()) {
        let [h, kind, n] = fields::<3>(r);
        if let Some((_, x)) = by.get_mut(&h) {
            match kind {
                1 => x.land += n,
                2 => x.capital += n,
                _ => {}
            }
        }
    }
    for r in poor.split(';').filter(|r| !r.is_empty()) {
        let [h] = fields::<1>(r);
        if let Some((_, x)) = by.get_mut(&h) {
            x.poor = 1;
        }
    }
    let mut out: BTreeMap<String, Vec<HouseholdShares>> = BTreeMap::new();
    // In household order within each village (the map is by household id).
    for (_, (village, x)) in by {
        out.entry(village).or_default().push(x);
    }
    Ok(out)
}

/// The title, year and classes of a plan checked; its village in reach.
pub(crate) fn checked(scope: &Scope, input: &DistributionInput) -> Result<(DivisionCode, String)> {
    let village = crate::members::village(scope, &input.division_code)?;
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 100 || title.contains('\0') {
        return Err(StoreError::invalid(
            "title",
            "请填写方案名称（不超过100个字）",
            "a title of at most 100 characters",
        ));
    }
    if !(2000..=2100).contains(&input.year) {
        return Err(StoreError::invalid(
            "year",
            "年度应在2000到2100年之间",
            "the year is 2000 to 2100",
        ));
    }
    if input.classes.len() > 20 {
        return Err(StoreError::invalid(
            "classes",
            "分配类别最多20个",
            "at most 20 classes",
        ));
    }
    Ok((village, title.to_string()))
}

/// The plan's split over its village's households as they stand.
pub(crate) fn outcome_of(
    input: &DistributionInput,
    rows: &[HouseholdShares],
) -> std::result::Result<Outcome, crate::rules::Fault> {
    let classes: Vec<Class> = input
        .classes
        .iter()
        .map(|c| Class {
            name: c.name.trim().to_string(),
            weight: c.weight,
            kept: c.kept,
            holdings: if c.kept {
                Vec::new()
            } else {
                rows.iter()
                    .filter(|h| match c.who {
                        Who::All => true,
                        Who::PovertyAlleviated => h.poor == 1,
                        Who::Others => h.poor == 0,
                    })
                    .map(|h| Holding {
                        household_id: h.id,
                        shares: match c.basis {
                            Basis::Members => h.members as u64 * 100,
                            Basis::Land => h.land as u64,
                            Basis::Capital => h.capital as u64,
                        },
                    })
                    .filter(|h| h.shares > 0)
                    .collect()
            },
        })
        .collect();
    distribute(&Plan {
        distributable: input.distributable,
        reserve: input.reserve,
        classes,
    })
}

/// The columns of a distribution's lines, in the order [`write_draft`] gives their values.
const LINE_COLUMNS: [&str; 7] = [
    "county_id",
    "distribution_id",
    "class",
    "household_id",
    "division_code",
    "shares",
    "amount",
];

/// Writes the lines [`write_draft`] gathered, many plans' at once (on PostgreSQL one `COPY`).
pub(crate) async fn write_lines(tx: &mut Tx, rows: Vec<Vec<Value>>) -> Result<()> {
    tx.bulk_insert("distribution_lines", &LINE_COLUMNS, rows)
        .await
}

/// Writes a drafted plan in `tx` and adds its lines to `lines`, for [`write_lines`] (the caller
/// writes them, audits and commits), and answers the plan as it will be written.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn write_draft(
    tx: &mut Tx,
    county_id: i64,
    id: i64,
    village: &str,
    input: &DistributionInput,
    title: &str,
    outcome: Outcome,
    by: i64,
    line_rows: &mut Vec<Vec<Value>>,
) -> Result<DistributionView> {
    let classes_json =
        serde_json::to_string(&input.classes).map_err(|e| StoreError::Query(e.to_string()))?;
    tx.exec(&Q::with(
        "INSERT INTO distributions (county_id, id, division_code, year, title, distributable, reserve, \
         reserve_amount, kept_amount, classes, state, matter_id, decided_on, version, recorded_by, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', NULL, NULL, 1, ?, ?)",
        vec![
            county_id.into(),
            id.into(),
            village.into(),
            i64::from(input.year).into(),
            title.into(),
            input.distributable.into(),
            i64::from(input.reserve.min(WHOLE)).into(),
            outcome.reserve.into(),
            outcome.kept.into(),
            classes_json.clone().into(),
            by.into(),
            now_ms().into(),
        ],
    ))
    .await?;
    line_rows.extend(outcome.lines.iter().map(|l| {
        vec![
            county_id.into(),
            id.into(),
            l.class.clone().into(),
            l.household_id.into(),
            village.into(),
            (l.shares as i64).into(),
            l.amount.into(),
        ]
    }));
    let mut lines: Vec<DistributionLine> = outcome
        .lines
        .into_iter()
        .map(|l| DistributionLine {
            class: l.class,
            household_id: l.household_id,
            shares: l.shares as i64,
            amount: l.amount,
        })
        .collect();
    lines.sort_by(|a, b| {
        a.class
            .cmp(&b.class)
            .then(a.household_id.cmp(&b.household_id))
    });
    Ok(DistributionView {
        distribution: Distribution {
            county_id,
            id,
            division_code: village.to_string(),
            year: i64::from(input.year),
            title: title.to_string(),
            distributable: input.distributable,
            reserve: i64::from(input.reserve.min(WHOLE)),
            reserve_amount: outcome.reserve,
            kept_amount: outcome.kept,
            classes: classes_json,
            state: "draft".into(),
            matter_id: None,
            decided_on: None,
            version: 1,
        },
        lines,
        paid: 0,
    })
}

/// Each household's number and head, for the households of `village`.
pub(crate) async fn heads(
    db: &Db,
    county_id: i64,
    village: &str,
) -> Result<std::collections::HashMap<i64, (String, String)>> {
    let mut q = Q::with(
        "SELECT h.id, h.number, COALESCE(MIN(r.name), '') FROM households h \
         LEFT JOIN residents r ON r.county_id = h.county_id AND r.household_id = h.id AND r.relation = 'head' \
         WHERE h.county_id = ?",
        vec![county_id.into()],
    );
    xiangzhi_storage::list::starts_with(&mut q, "h.division_code", village);
    q.push(" GROUP BY h.id, h.number");
    let rows: Vec<(i64, String, String)> = db.all(&q).await?;
    Ok(rows.into_iter().map(|(id, n, h)| (id, (n, h))).collect())
}

#[easy_ext::ext(DistributionStore)]
pub impl Db {
    /// Drafts a village's distribution from its households as they stand.
    async fn draft_distribution(
        &self,
        scope: &Scope,
        input: &DistributionInput,
    ) -> Result<DistributionView> {
        let by = scope.acting()?;
        let (village, title) = checked(scope, input)?;
        let county_id = village.county_id().unwrap_or_default();
        let rows = shares_under(self, county_id, village.as_str())
            .await?
            .remove(village.as_str())
            .unwrap_or_default();
        let outcome = outcome_of(input, &rows).map_err(bad)?;
        let mut tx = self.begin().await?;
        let id = next_ids(&mut tx, county_id, "distribution", 1).await?;
        let mut lines = Vec::new();
        let view = write_draft(
            &mut tx,
            county_id,
            id,
            village.as_str(),
            input,
            &title,
            outcome,
            by,
            &mut lines,
        )
        .await?;
        write_lines(&mut tx, lines).await?;
        tx.audit(
            scope.actor(),
            "draft distribution",
            format!(
                "distribution {county_id}:{id}: {} fen, {} lines",
                input.distributable,
                view.lines.len()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(view)
    }

    /// A distribution in reach with its lines and what is paid.
    async fn distribution(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
    ) -> Result<DistributionView> {
        let mut q = Q::with(
            &format!("SELECT {DIST_COLS} FROM distributions t WHERE t.county_id = ? AND t.id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &DISTRIBUTIONS, "t", "division_code");
        let distribution: Distribution = self.optional(&q).await?.ok_or(StoreError::NotFound)?;
        let mut q = Q::with(
            "SELECT t.class, t.household_id, t.shares, t.amount FROM distribution_lines t \
             WHERE t.county_id = ? AND t.distribution_id = ?",
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &DISTRIBUTION_LINES, "t", "division_code");
        q.push(" ORDER BY t.class, t.household_id");
        let lines = self.all(&q).await?;
        let (paid,): (i64,) = self
            .one(&Q::with(
                "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM distribution_payments \
                 WHERE county_id = ? AND distribution_id = ?",
                vec![county_id.into(), id.into()],
            ))
            .await?;
        Ok(DistributionView {
            distribution,
            lines,
            paid,
        })
    }

    /// The distributions in reach (and `division`, and with `words` in the title), latest first.
    async fn distributions(
        &self,
        scope: &Scope,
        division: Option<&str>,
        words: Option<&str>,
    ) -> Result<Vec<Distribution>> {
        let mut q = in_reach(
            scope,
            division,
            &DISTRIBUTIONS,
            DIST_COLS,
            &["t.title"],
            words,
            &[],
        )?;
        q.push(" ORDER BY t.year DESC, t.id DESC LIMIT 500");
        self.all(&q).await
    }

    /// Binds a draft to the village's matter of income distribution that a passed resolution
    /// decided; only then may it be paid.
    async fn approve_distribution(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        input: &ApprovalInput,
    ) -> Result<DistributionView> {
        scope.acting()?;
        let d = self.distribution(scope, county_id, id).await?.distribution;
        let matter = self
            .matter(scope, county_id, input.matter_id)
            .await
            .map_err(|_| {
                StoreError::invalid(
                    "matter_id",
                    "没有本村的这一事项",
                    "no such matter of this village",
                )
            })?;
        let m = &matter.matter;
        if m.division_code != d.division_code || m.kind != "income_distribution" {
            return Err(StoreError::invalid(
                "matter_id",
                "须选择本村的“收益分配方案”事项",
                "name this village's matter of income distribution",
            ));
        }
        let decision = matter
            .steps
            .iter()
            .rev()
            .find(|s| s.step == "decision")
            .filter(|s| s.passed && matches!(m.state.as_str(), "decided" | "done"));
        let Some(decision) = decision else {
            return Err(StoreError::conflict(
                "matter_id",
                "分配方案须经成员（代表）大会表决通过后才能发放（集体经济组织法第二十六、二十七条）",
                "a distribution is paid only once a resolution that met its legal threshold carried it",
            ));
        };
        let mut tx = self.begin().await?;
        let n = tx
            .exec(&Q::with(
                "UPDATE distributions SET state = 'approved', matter_id = ?, decided_on = ?, version = version + 1 \
                 WHERE county_id = ? AND id = ? AND state = 'draft'",
                vec![
                    input.matter_id.into(),
                    Arg::Date(decision.taken_on),
                    county_id.into(),
                    id.into(),
                ],
            ))
            .await?;
        if n == 0 {
            return Err(StoreError::conflict(
                "state",
                "这一方案已经核准",
                "this plan is already approved",
            ));
        }
        tx.audit(
            scope.actor(),
            "approve distribution",
            format!("distribution {county_id}:{id}: matter {}", input.matter_id),
        )
        .await?;
        tx.commit().await?;
        self.distribution(scope, county_id, id).await
    }

    /// Records a payment to a household: refused before approval, and beyond what the plan
    /// gives the household (one statement checks and writes).
    async fn pay(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        input: &PaymentInput,
    ) -> Result<Payment> {
        let by = scope.acting()?;
        let d = self.distribution(scope, county_id, id).await?.distribution;
        if d.state != "approved" {
            return Err(StoreError::conflict(
                "state",
                "分配方案尚未经表决通过并核准，不能发放",
                "the plan has not been carried by a passed resolution; nothing may be paid",
            ));
        }
        if input.amount <= 0 {
            return Err(StoreError::invalid(
                "amount",
                "发放金额应大于0（以分为单位）",
                "the amount is more than nothing, in fen",
            ));
        }
        let voucher = input.voucher.trim();
        if voucher.is_empty() || voucher.chars().count() > 50 || voucher.contains('\0') {
            return Err(StoreError::invalid(
                "voucher",
                "请填写凭证号（不超过50个字）",
                "give the voucher's number (at most 50 characters)",
            ));
        }
        let paid_on = crate::members::date("paid_on", &input.paid_on)?;
        let mut tx = self.begin().await?;
        // The plan's row is locked first, so payments to it are checked one after another (on
        // PostgreSQL each statement then sees the payments committed before it).
        let locked = tx
            .exec(&Q::with(
                "UPDATE distributions SET version = version WHERE county_id = ? AND id = ? AND state = 'approved'",
                vec![county_id.into(), id.into()],
            ))
            .await?;
        if locked != 1 {
            return Err(StoreError::NotFound);
        }
        let pid = next_ids(&mut tx, county_id, "distribution_payment", 1).await?;
        let n = tx
            .exec(&Q::with(
                "INSERT INTO distribution_payments (county_id, id, distribution_id, household_id, division_code, amount, \
                 paid_on, voucher, recorded_by, created_at) \
                 SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE \
                 (SELECT COALESCE(SUM(l.amount), 0) FROM distribution_lines l WHERE l.county_id = ? \
                   AND l.distribution_id = ? AND l.household_id = ?) \
                 - (SELECT COALESCE(SUM(p.amount), 0) FROM distribution_payments p WHERE p.county_id = ? \
                   AND p.distribution_id = ? AND p.household_id = ?) >= ?",
                vec![
                    county_id.into(),
                    pid.into(),
                    id.into(),
                    input.household_id.into(),
                    d.division_code.clone().into(),
                    input.amount.into(),
                    Arg::Date(paid_on),
                    voucher.into(),
                    by.into(),
                    now_ms().into(),
                    county_id.into(),
                    id.into(),
                    input.household_id.into(),
                    county_id.into(),
                    id.into(),
                    input.household_id.into(),
                    input.amount.into(),
                ],
            ))
            .await?;
        if n == 0 {
            return Err(StoreError::conflict(
                "amount",
                "超出该户在本方案中应得的金额",
                "more than the plan gives this household",
            ));
        }
        tx.audit(
            scope.actor(),
            "pay distribution",
            format!(
                "distribution {county_id}:{id}: household {} {} fen",
                input.household_id, input.amount
            ),
        )
        .await?;
        tx.commit().await?;
        let mut q = Q::with(
            &format!(
                "SELECT {PAY_COLS} FROM distribution_payments t WHERE t.county_id = ? AND t.id = ?"
            ),
            vec![county_id.into(), pid.into()],
        );
        scope.filter(&mut q, &DISTRIBUTION_PAYMENTS, "t", "division_code");
        self.optional(&q).await?.ok_or(StoreError::NotFound)
    }
}
