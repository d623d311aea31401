//! 党员积分·星级评定: a branch's month. The members' points come from the ledger (approved
//! entries, reversals included); publishing puts the month on the village board for the
//! county's number of days; once that has passed the month is made final, recomputed so that a
//! reversal made while it was published counts. Stars follow the county's thresholds. A year's
//! final months rank the members and give the lists for commendation and for a talk with the
//! township committee.

use crate::rules::stars;
use crate::settings::{SettingsStore, DEFAULT_THRESHOLDS};
use crate::tables::{MEMBER_MONTHS, MEMBER_MONTH_RESULTS};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_domain::Invalid;
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{Db, FieldError, Result, Scope, StoreError, Tx};

/// A branch's month.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct MemberMonth {
    pub county_id: i64,
    pub id: i64,
    pub org_id: i64,
    pub division_code: String,
    pub month: String,
    /// `published` or `final`.
    pub state: String,
    pub published_at: i64,
    pub publish_until: i64,
    pub finalized_at: Option<i64>,
}

/// One member's month as it stood.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct MemberResult {
    pub member_id: i64,
    pub name: String,
    pub points: i64,
    pub stars: i64,
    pub probationary: bool,
    /// Away from the village that month (流动党员).
    pub away: bool,
}

/// A branch's month with its members.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthView {
    pub month: MemberMonth,
    pub results: Vec<MemberResult>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct PublishInput {
    /// The branch (a party organisation).
    pub org_id: i64,
    /// `2026-11`.
    pub month: String,
}

/// A member's year: the final months' points, ranked.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Ranked {
    pub rank: usize,
    pub member_id: i64,
    pub name: String,
    pub points: i64,
    pub months: i64,
    /// Months at the county's top star.
    pub five_star_months: i64,
    /// Months without a star.
    pub low_star_months: i64,
    /// On the list for commendation: the top tenth of the ranking with no low month.
    pub commend: bool,
    /// On the list for a talk with the township committee: a month without a star while at
    /// home (a month away, 流动党员, is followed up by the branch instead).
    pub talk: bool,
}

#[derive(sqlx::FromRow)]
struct MonthRow {
    #[sqlx(flatten)]
    month: MemberMonth,
    branch: String,
}

const MONTH_COLS: &str = "t.county_id, t.id, t.org_id, t.division_code, t.month, t.state, t.published_at, t.publish_until, t.finalized_at";

fn bad(field: &str, zh: impl Into<String>, en: impl Into<String>) -> StoreError {
    StoreError::Invalid(vec![FieldError::new(field, Invalid::new(zh, en))])
}

const DAY_MS: i64 = 86_400_000;

/// Each member of the branch, with the month's points from the ledger.
async fn tally(tx: &mut Tx, county_id: i64, org_id: i64, month: &str) -> Result<Vec<Tallied>> {
    tx.all(&Q::with(
        "SELECT m.id, r.name, CAST(COALESCE((SELECT SUM(e.points) FROM points_entries e \
           JOIN points_accounts a ON a.county_id = e.county_id AND a.id = e.account_id \
           WHERE a.county_id = m.county_id AND a.holder = 'member' AND a.holder_id = m.id AND e.month = ? \
           AND e.kind IN ('award', 'reversal')), 0) AS BIGINT) AS points, \
         CAST(CASE WHEN m.status = 'probationary' THEN 1 ELSE 0 END AS BIGINT) AS probationary, m.division_code, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM member_away w WHERE w.county_id = m.county_id AND w.member_id = m.id \
           AND w.from_month <= ? AND (w.to_month IS NULL OR w.to_month >= ?)) THEN 1 ELSE 0 END AS BIGINT) AS away \
         FROM party_members m JOIN residents r ON r.county_id = m.county_id AND r.id = m.resident_id \
         WHERE m.county_id = ? AND m.org_id = ? ORDER BY m.id",
        vec![month.into(), month.into(), month.into(), county_id.into(), org_id.into()],
    ))
    .await
    .map(|rows: Vec<(i64, String, i64, i64, String, i64)>| {
        rows.into_iter()
            .map(|(id, _name, points, pr, division, away)| Tallied {
                member: id,
                points,
                probationary: pr == 1,
                division,
                away: away == 1,
            })
            .collect()
    })
}

/// A member's month as the ledger gives it.
struct Tallied {
    member: i64,
    points: i64,
    probationary: bool,
    division: String,
    /// Away from the village (流动党员) that month.
    away: bool,
}

async fn write_results(
    tx: &mut Tx,
    county_id: i64,
    month_id: i64,
    rows: &[Tallied],
    thresholds: &[i64],
) -> Result<()> {
    tx.exec(&Q::with(
        "DELETE FROM member_month_results WHERE county_id = ? AND month_id = ?",
        vec![county_id.into(), month_id.into()],
    ))
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    // One block of ids and one multi-row insert per branch (not a round trip per member).
    let first = next_ids(tx, county_id, "member_month_result", rows.len() as i64).await?;
    let values = rows
        .iter()
        .enumerate()
        .map(|(k, r)| {
            use xiangzhi_storage::sql::Arg;
            vec![
                Arg::I64(county_id),
                Arg::I64(first + k as i64),
                Arg::I64(month_id),
                Arg::I64(r.member),
                Arg::Text(r.division.clone()),
                Arg::I64(r.points),
                Arg::I64(i64::from(stars(r.points, thresholds))),
                Arg::Bool(r.probationary),
                Arg::Bool(r.away),
            ]
        })
        .collect();
    tx.bulk_insert(
        "member_month_results",
        &[
            "county_id",
            "id",
            "month_id",
            "member_id",
            "division_code",
            "points",
            "stars",
            "probationary",
            "away",
        ],
        values,
    )
    .await
}

#[easy_ext::ext(MonthStore)]
pub impl Db {
    /// Publishes a branch's month on the village board: every member's points from the ledger
    /// and the stars they give; refused while recordings of the branch's members wait.
    async fn publish_month(
        &self,
        scope: &Scope,
        input: &PublishInput,
        now: i64,
    ) -> Result<MonthView> {
        let by = scope
            .actor()
            .user_id
            .ok_or_else(|| StoreError::Forbidden("须以账号登录 / an account is needed".into()))?;
        let month = crate::rules::parse_month(&input.month)
            .map_err(|e| StoreError::Invalid(vec![FieldError::new("month", e)]))?;
        let mut q = Q::with(
            "SELECT t.county_id, t.division_code FROM party_orgs t WHERE t.id = ?",
            vec![input.org_id.into()],
        );
        scope.filter(
            &mut q,
            &xiangzhi_party::tables::PARTY_ORGS,
            "t",
            "division_code",
        );
        if let Some(c) = scope.county_id() {
            let p = q.arg(c);
            q.push(&format!(" AND t.county_id = {p}"));
        }
        let Some((county_id, division)): Option<(i64, String)> = self.optional(&q).await? else {
            return Err(bad(
                "org_id",
                "党组织不存在或不在管辖范围内",
                "no such party organisation within your jurisdiction",
            ));
        };
        let settings = self.points_settings(county_id).await?;
        let mut tx = self.begin().await?;
        let (waiting,): (i64,) = tx
            .one(&Q::with(
                "SELECT COUNT(*) FROM points_claims c JOIN points_accounts a ON a.county_id = c.county_id AND a.id = c.account_id \
                 JOIN party_members m ON m.county_id = a.county_id AND m.id = a.holder_id \
                 WHERE c.county_id = ? AND c.state = 'pending' AND c.month = ? AND a.holder = 'member' AND m.org_id = ?",
                vec![county_id.into(), month.clone().into(), input.org_id.into()],
            ))
            .await?;
        if waiting > 0 {
            return Err(bad(
                "month",
                format!("本月还有{waiting}条积分待审核，审核后再公示"),
                format!("{waiting} recordings of this month still wait for approval"),
            ));
        }
        let id = next_ids(&mut tx, county_id, "member_month", 1).await?;
        tx.exec(&Q::with(
            "INSERT INTO member_months (county_id, id, org_id, division_code, month, state, published_at, publish_until, published_by) \
             VALUES (?, ?, ?, ?, ?, 'published', ?, ?, ?)",
            vec![
                county_id.into(),
                id.into(),
                input.org_id.into(),
                division.into(),
                month.clone().into(),
                now.into(),
                (now + settings.publish_days * DAY_MS).into(),
                by.into(),
            ],
        ))
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => StoreError::conflict("month", "该支部本月已公示", "this branch's month is already published"),
            e => e,
        })?;
        let rows = tally(&mut tx, county_id, input.org_id, &month).await?;
        write_results(&mut tx, county_id, id, &rows, &settings.star_thresholds).await?;
        tx.audit(
            scope.actor(),
            "publish member month",
            format!(
                "member month {county_id}:{id}: org {} {month}",
                input.org_id
            ),
        )
        .await?;
        tx.commit().await?;
        self.member_month(scope, county_id, id).await
    }

    /// Makes a published month final once its days on the board have passed, recomputed from the
    /// ledger (a reversal made while it was published counts).
    async fn finalize_month(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        now: i64,
    ) -> Result<MonthView> {
        let by = scope
            .actor()
            .user_id
            .ok_or_else(|| StoreError::Forbidden("须以账号登录 / an account is needed".into()))?;
        let settings = self.points_settings(county_id).await?;
        let mut tx = self.begin().await?;
        let mut q = Q::with(
            &format!("SELECT {MONTH_COLS} FROM member_months t WHERE t.county_id = ? AND t.id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &MEMBER_MONTHS, "t", "division_code");
        let m: MemberMonth = tx.optional(&q).await?.ok_or(StoreError::NotFound)?;
        if m.state != "published" {
            return Err(StoreError::conflict(
                "state",
                "该月已确定",
                "the month is already final",
            ));
        }
        if now < m.publish_until {
            return Err(bad(
                "state",
                "公示期未满，不能确定",
                "the month is still on the board",
            ));
        }
        let rows = tally(&mut tx, county_id, m.org_id, &m.month).await?;
        write_results(&mut tx, county_id, id, &rows, &settings.star_thresholds).await?;
        let n = tx
            .exec(&Q::with(
                "UPDATE member_months SET state = 'final', finalized_at = ?, finalized_by = ? \
                 WHERE county_id = ? AND id = ? AND state = 'published'",
                vec![now.into(), by.into(), county_id.into(), id.into()],
            ))
            .await?;
        if n != 1 {
            return Err(StoreError::conflict(
                "state",
                "该月已确定",
                "the month is already final",
            ));
        }
        tx.audit(
            scope.actor(),
            "finalize member month",
            format!("member month {county_id}:{id}"),
        )
        .await?;
        tx.commit().await?;
        self.member_month(scope, county_id, id).await
    }

    async fn member_month(&self, scope: &Scope, county_id: i64, id: i64) -> Result<MonthView> {
        let mut q = Q::with(
            &format!("SELECT {MONTH_COLS} FROM member_months t WHERE t.county_id = ? AND t.id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &MEMBER_MONTHS, "t", "division_code");
        let month: MemberMonth = self.optional(&q).await?.ok_or(StoreError::NotFound)?;
        let mut q = Q::with(
            "SELECT t.member_id, r.name, t.points, t.stars, t.probationary, t.away FROM member_month_results t \
             JOIN party_members m ON m.county_id = t.county_id AND m.id = t.member_id \
             JOIN residents r ON r.county_id = m.county_id AND r.id = m.resident_id \
             WHERE t.county_id = ? AND t.month_id = ?",
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &MEMBER_MONTH_RESULTS, "t", "division_code");
        q.push(" ORDER BY t.points DESC, t.member_id");
        let results = self.all(&q).await?;
        Ok(MonthView { month, results })
    }

    /// The branches' months in the caller's reach, newest first, with each branch's name.
    async fn member_months(&self, scope: &Scope) -> Result<Vec<(MemberMonth, String)>> {
        let mut q = Q::new(&format!(
            "SELECT {MONTH_COLS}, COALESCE(o.name, '') AS branch FROM member_months t \
             LEFT JOIN party_orgs o ON o.county_id = t.county_id AND o.id = t.org_id WHERE 1=1"
        ));
        scope.filter(&mut q, &MEMBER_MONTHS, "t", "division_code");
        q.push(" ORDER BY t.month DESC, t.division_code, t.org_id LIMIT 500");
        let rows: Vec<MonthRow> = self.all(&q).await?;
        Ok(rows.into_iter().map(|r| (r.month, r.branch)).collect())
    }

    /// The party branches in the caller's reach: (id, name).
    async fn branches_in_reach(&self, scope: &Scope) -> Result<Vec<(i64, String)>> {
        let mut q = Q::new(
            "SELECT t.id, t.name FROM party_orgs t WHERE t.kind IN ('branch', 'general_branch')",
        );
        scope.filter(
            &mut q,
            &xiangzhi_party::tables::PARTY_ORGS,
            "t",
            "division_code",
        );
        q.push(" ORDER BY t.division_code, t.id LIMIT 2000");
        self.all(&q).await
    }

    /// A party organisation's name (empty if there is none).
    async fn branch_name(&self, county_id: i64, org_id: i64) -> Result<String> {
        let row: Option<(String,)> = self
            .optional(&Q::with(
                "SELECT t.name FROM party_orgs t WHERE t.county_id = ? AND t.id = ?",
                vec![county_id.into(), org_id.into()],
            ))
            .await?;
        Ok(row.map(|r| r.0).unwrap_or_default())
    }

    /// The members' year in the caller's reach: final months only, ranked by points.
    async fn member_ranking(&self, scope: &Scope, year: i32) -> Result<Vec<Ranked>> {
        let settings_top = match scope.county_id() {
            Some(c) => self.points_settings(c).await?.star_thresholds.len() as i64,
            None => DEFAULT_THRESHOLDS.len() as i64,
        };
        let mut q = Q::with(
            "SELECT t.member_id, r.name, CAST(SUM(t.points) AS BIGINT), CAST(COUNT(*) AS BIGINT), \
             CAST(SUM(CASE WHEN t.stars >= ? THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN t.stars = 0 THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN t.stars = 0 AND t.away = ? THEN 1 ELSE 0 END) AS BIGINT) FROM member_month_results t \
             JOIN member_months mm ON mm.county_id = t.county_id AND mm.id = t.month_id \
             JOIN party_members m ON m.county_id = t.county_id AND m.id = t.member_id \
             JOIN residents r ON r.county_id = m.county_id AND r.id = m.resident_id \
             WHERE mm.state = 'final' AND mm.month >= ? AND mm.month <= ?",
            vec![
                settings_top.into(),
                xiangzhi_storage::sql::Arg::Bool(false),
                format!("{year:04}-01").into(),
                format!("{year:04}-12").into(),
            ],
        );
        scope.filter(&mut q, &MEMBER_MONTH_RESULTS, "t", "division_code");
        q.push(" GROUP BY t.member_id, r.name ORDER BY 3 DESC, t.member_id");
        let rows: Vec<(i64, String, i64, i64, i64, i64, i64)> = self.all(&q).await?;
        let top = rows.len().div_ceil(10);
        Ok(rows
            .into_iter()
            .enumerate()
            .map(
                |(k, (member_id, name, points, months, five, low, low_at_home))| Ranked {
                    rank: k + 1,
                    member_id,
                    name,
                    points,
                    months,
                    five_star_months: five,
                    low_star_months: low,
                    commend: k < top && low == 0,
                    talk: low_at_home > 0,
                },
            )
            .collect())
    }
}
