//! 统计汇总: the statistics read roll-ups instead of every case. The cases filed in one township
//! (the first nine digits of the division code) in one month (China time) are tallied by
//! category and state, and the resolved ones' durations kept as a histogram whose buckets are 2%
//! wide, for the median. A fold rebuilds, from the cases themselves, every month holding a case
//! changed since the county's mark (`cases.updated_at`, less a margin for transactions still
//! committing), all in one transaction under the mark's row lock: so a step never waits on a
//! shared counter row, several servers may fold at once, and the roll-ups are always a recount
//! of the cases. The server folds every 5 s; statistics fold first if that has not happened in
//! the last 10 s, then read whole months from the roll-ups and the days at either end of the
//! period (the current month among them) from the cases.

use super::*;
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};
use xiangzhi_storage::Value;

/// Bucket `b` of the duration histogram holds the durations in `[1.02^b, 1.02^(b+1))` ms.
const BUCKET_RATIO: f64 = 1.02;

/// The histogram bucket of a duration in milliseconds.
pub fn duration_bucket(ms: i64) -> i64 {
    ((ms.max(1) as f64).ln() / BUCKET_RATIO.ln()).floor() as i64
}

/// The duration a bucket stands for: its geometric middle, within 1% of every duration in it.
pub fn bucket_duration(b: i64) -> i64 {
    (BUCKET_RATIO.ln() * (b as f64 + 0.5)).exp().round() as i64
}

/// Cases changed this long before the mark are folded again (a transaction that took its time
/// stamp before the mark may commit after the fold read).
const MARGIN_MS: i64 = 30_000;

/// Statistics fold first only when the county's roll-ups were last folded longer ago than this
/// (the server's folder does it every 5 s; the days of the current month are read from the cases
/// anyway, so only a change to an earlier month can be this late in the figures).
pub const FRESH_MS: i64 = 10_000;
/// More changed cases than this since the mark: the county's roll-ups are rebuilt whole.
const REBUILD_OVER: usize = 20_000;

const CHINA_OFFSET_MS: i64 = 8 * 3_600_000;

/// A month in China's calendar: its key (`2026-11`) and its first millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn of(ms: i64) -> Month {
        let d = xiangzhi_domain::china_time::china_date(ms);
        Month {
            year: d.year(),
            month: d.month(),
        }
    }
    pub fn key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
    pub fn start(&self) -> i64 {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp_millis() - CHINA_OFFSET_MS)
            .unwrap_or_default()
    }
    pub fn next(&self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
    pub fn end(&self) -> i64 {
        self.next().start()
    }
}

/// The township part of a division code (a case at county level: the county's own `…000`).
pub fn township_of(division: &str) -> String {
    division.chars().take(9).collect()
}

/// One (township, category, state) line of a tally, from the cases or from the roll-ups.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct TallyRow {
    pub township: String,
    pub category: String,
    pub state: String,
    pub cases: i64,
    pub resolved: i64,
    pub on_time: i64,
    pub settled_village: i64,
    pub settled_township: i64,
    pub rating_sum: i64,
    pub rated: i64,
}

/// What the statistics add up: the tally lines and the resolved durations' histogram.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub rows: Vec<TallyRow>,
    pub durations: BTreeMap<i64, i64>,
}

/// Pushes a `FROM cases t WHERE …` clause, with its arguments, into a query being built (so a
/// scope's filter can append to it as to any query of its own).
pub(crate) type Cases<'a> = &'a dyn Fn(&mut Q);

/// The tally of the cases `cases` names, counted from the cases.
pub(crate) fn tally_query(cases: Cases) -> Q {
    let mut q = Q::new(
        "SELECT SUBSTR(t.division_code, 1, 9) AS township, t.category, t.state, COUNT(*) AS cases, \
         COALESCE(SUM(CASE WHEN t.resolved_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS resolved, \
         COALESCE(SUM(CASE WHEN t.resolved_at IS NOT NULL AND t.auto_escalations = 0 THEN 1 ELSE 0 END), 0) AS on_time, \
         COALESCE(SUM(CASE WHEN t.resolved_at IS NOT NULL AND t.level IN ('micro_grid', 'grid', 'village') THEN 1 ELSE 0 END), 0) AS settled_village, \
         COALESCE(SUM(CASE WHEN t.resolved_at IS NOT NULL AND t.level <> 'county' THEN 1 ELSE 0 END), 0) AS settled_township, \
         CAST(COALESCE(SUM(CASE WHEN t.resolved_at IS NOT NULL THEN t.rating ELSE 0 END), 0) AS BIGINT) AS rating_sum, \
         COALESCE(SUM(CASE WHEN t.resolved_at IS NOT NULL AND t.rating IS NOT NULL THEN 1 ELSE 0 END), 0) AS rated ",
    );
    cases(&mut q);
    q.push(" GROUP BY SUBSTR(t.division_code, 1, 9), t.category, t.state");
    q
}

/// The resolved durations of the cases `cases` names, by township.
pub(crate) fn durations_query(cases: Cases) -> Q {
    let mut q = Q::new("SELECT SUBSTR(t.division_code, 1, 9), t.resolved_at - t.created_at ");
    cases(&mut q);
    q.push(" AND t.resolved_at IS NOT NULL");
    q
}

/// Adds the histogram lines of `(township, duration)` rows to `into`.
pub(crate) fn bin(rows: Vec<(String, i64)>, into: &mut BTreeMap<(String, i64), i64>) {
    for (township, ms) in rows {
        *into.entry((township, duration_bucket(ms))).or_default() += 1;
    }
}

/// This part's queries, as methods of the store.
#[easy_ext::ext(CaseRollups)]
pub impl Db {
    /// Brings `county`'s roll-ups up to date with its cases: every month holding a case changed
    /// since the mark, or the whole county when there is no mark yet or too much changed.
    /// Answers how many months were rebuilt.
    async fn fold_case_rollups(&self, county: i64) -> Result<usize> {
        self.fold_case_rollups_older_than(county, 0).await
    }

    /// As [`fold_case_rollups`](Self::fold_case_rollups), unless the county was folded less than
    /// `ms` ago.
    async fn fold_case_rollups_older_than(&self, county: i64, ms: i64) -> Result<usize> {
        let now = xiangzhi_storage::now_ms();
        let mark: Option<(i64,)> = self
            .optional(&Q::with(
                "SELECT t.folded_to FROM case_rollup_marks t WHERE t.county_id = ?",
                vec![county.into()],
            ))
            .await?;
        let changed = match mark {
            None => None,
            Some((mark,)) if now - mark < ms => return Ok(0),
            Some((mark,)) => {
                let rows: Vec<(String, i64)> = self
                    .all(&Q::with(
                        &format!(
                            "SELECT t.division_code, t.created_at FROM cases t \
                             WHERE t.county_id = ? AND t.updated_at >= ? LIMIT {}",
                            REBUILD_OVER + 1
                        ),
                        vec![county.into(), (mark - MARGIN_MS).into()],
                    ))
                    .await?;
                if rows.is_empty() {
                    return Ok(0);
                }
                (rows.len() <= REBUILD_OVER).then(|| {
                    rows.iter()
                        .map(|(_, at)| Month::of(*at))
                        .collect::<BTreeSet<_>>()
                })
            }
        };
        let mut tx = self.begin().await?;
        tx.bookkeeping(xiangzhi_storage::Bookkeeping::Derived);
        tx.exec(&Q::with(
            "INSERT INTO case_rollup_marks (county_id, folded_to) VALUES (?, 0) ON CONFLICT (county_id) DO NOTHING",
            vec![county.into()],
        ))
        .await?;
        // The mark's row lock: one fold of a county at a time, whichever server runs it.
        tx.exec(&Q::with(
            "UPDATE case_rollup_marks SET folded_to = folded_to WHERE county_id = ?",
            vec![county.into()],
        ))
        .await?;
        let groups = match changed {
            // A month's cases in one pass over the (county, created_at) index: cheaper than a
            // pass per township, each of which reads the whole month's index entries anyway.
            Some(months) => {
                for month in &months {
                    rebuild(&mut tx, county, *month).await?;
                }
                months.len()
            }
            None => {
                for table in ["case_rollups", "case_durations"] {
                    tx.exec(&Q::with(
                        &format!("DELETE FROM {table} WHERE county_id = ?"),
                        vec![county.into()],
                    ))
                    .await?;
                }
                let span: (Option<i64>, Option<i64>) = tx
                    .one(&Q::with(
                        "SELECT MIN(t.created_at), MAX(t.created_at) FROM cases t WHERE t.county_id = ?",
                        vec![county.into()],
                    ))
                    .await?;
                let mut n = 0;
                if let (Some(first), Some(last)) = span {
                    let (mut m, last) = (Month::of(first), Month::of(last));
                    while m <= last {
                        rebuild(&mut tx, county, m).await?;
                        m = m.next();
                        n += 1;
                    }
                }
                n
            }
        };
        tx.exec(&Q::with(
            "UPDATE case_rollup_marks SET folded_to = ? WHERE county_id = ?",
            vec![now.into(), county.into()],
        ))
        .await?;
        tx.commit().await?;
        Ok(groups)
    }

    /// Folds every county that has cases and was not folded in the last `older_than_ms` (the
    /// background folder's round: 0; statistics across counties: [`FRESH_MS`]).
    async fn fold_all_case_rollups(&self, older_than_ms: i64) -> Result<usize> {
        let counties: Vec<(i64,)> = self
            .all(&Q::new(
                "SELECT DISTINCT t.county_id FROM case_categories t",
            ))
            .await?;
        let mut n = 0;
        for (c,) in counties {
            n += self.fold_case_rollups_older_than(c, older_than_ms).await?;
        }
        Ok(n)
    }

    /// The roll-ups of `county` for the months `[first, last]`, optionally only the townships
    /// `[lo, hi)`: what the statistics read for whole months.
    async fn rolled_up(
        &self,
        county: Option<i64>,
        first: Month,
        last: Month,
        townships: (&str, &str),
    ) -> Result<Tally> {
        let filter = |q: &mut Q| {
            if let Some(c) = county {
                let p = q.arg(c);
                q.push(&format!(" AND t.county_id = {p}"));
            }
            q.push_args(
                " AND t.month >= ? AND t.month <= ? AND t.township >= ? AND t.township < ?",
                vec![
                    first.key().into(),
                    last.key().into(),
                    townships.0.into(),
                    townships.1.into(),
                ],
            );
        };
        let mut rq = Q::new(
            "SELECT t.township, t.category, t.state, CAST(SUM(t.cases) AS BIGINT) AS cases, \
             CAST(SUM(t.resolved) AS BIGINT) AS resolved, CAST(SUM(t.on_time) AS BIGINT) AS on_time, \
             CAST(SUM(t.settled_village) AS BIGINT) AS settled_village, \
             CAST(SUM(t.settled_township) AS BIGINT) AS settled_township, \
             CAST(SUM(t.rating_sum) AS BIGINT) AS rating_sum, CAST(SUM(t.rated) AS BIGINT) AS rated \
             FROM case_rollups t WHERE 1 = 1",
        );
        filter(&mut rq);
        rq.push(" GROUP BY t.township, t.category, t.state");
        let mut dq = Q::new(
            "SELECT t.bucket, CAST(SUM(t.cases) AS BIGINT) FROM case_durations t WHERE 1 = 1",
        );
        filter(&mut dq);
        dq.push(" GROUP BY t.bucket");
        let (rows, durations) =
            futures::try_join!(self.all::<TallyRow>(&rq), self.all::<(i64, i64)>(&dq))?;
        Ok(Tally {
            rows,
            durations: durations.into_iter().collect(),
        })
    }

    /// The roll-ups of `county` as they stand, and as a recount from its cases would make them:
    /// (township, month, category, state) lines and (township, month, bucket) counts. For the
    /// test that holds them equal.
    #[doc(hidden)]
    async fn rollups_and_recount(&self, county: i64) -> Result<(RollupImage, RollupImage)> {
        let stored_rows: Vec<StoredLine> = self
            .all(&Q::with(
                "SELECT t.month, t.township, t.category, t.state, t.cases, t.resolved, t.on_time, \
                 t.settled_village, t.settled_township, t.rating_sum, t.rated FROM case_rollups t WHERE t.county_id = ?",
                vec![county.into()],
            ))
            .await?;
        let stored_hist: Vec<(String, String, i64, i64)> = self
            .all(&Q::with(
                "SELECT t.township, t.month, t.bucket, t.cases FROM case_durations t WHERE t.county_id = ?",
                vec![county.into()],
            ))
            .await?;
        let mut stored = RollupImage::default();
        for StoredLine { month, line: r } in stored_rows {
            stored.lines.insert(
                (r.township, month, r.category, r.state),
                [
                    r.cases,
                    r.resolved,
                    r.on_time,
                    r.settled_village,
                    r.settled_township,
                    r.rating_sum,
                    r.rated,
                ],
            );
        }
        for (t, m, b, n) in stored_hist {
            stored.histogram.insert((t, m, b), n);
        }
        let cases: Vec<CaseFacts> = self
            .all(&Q::with(
                "SELECT t.division_code AS division, t.created_at AS at, t.category, t.state, t.resolved_at, \
                 t.auto_escalations AS escalations, t.level, t.rating FROM cases t WHERE t.county_id = ?",
                vec![county.into()],
            ))
            .await?;
        let mut recount = RollupImage::default();
        for CaseFacts {
            division,
            at,
            category,
            state,
            resolved_at,
            escalations,
            level,
            rating,
        } in cases
        {
            let (township, month) = (township_of(&division), Month::of(at).key());
            let line = recount
                .lines
                .entry((township.clone(), month.clone(), category, state))
                .or_default();
            line[0] += 1;
            if let Some(r) = resolved_at {
                line[1] += 1;
                line[2] += i64::from(escalations == 0);
                line[3] += i64::from(matches!(level.as_str(), "micro_grid" | "grid" | "village"));
                line[4] += i64::from(level != "county");
                line[5] += rating.unwrap_or(0);
                line[6] += i64::from(rating.is_some());
                *recount
                    .histogram
                    .entry((township, month, duration_bucket(r - at)))
                    .or_default() += 1;
            }
        }
        Ok((stored, recount))
    }
}

/// A stored roll-up line with its month.
#[derive(sqlx::FromRow)]
struct StoredLine {
    month: String,
    #[sqlx(flatten)]
    line: TallyRow,
}

/// What a recount reads of each case.
#[derive(sqlx::FromRow)]
struct CaseFacts {
    division: String,
    at: i64,
    category: String,
    state: String,
    resolved_at: Option<i64>,
    escalations: i64,
    level: String,
    rating: Option<i64>,
}

/// A county's roll-ups as plain maps: (township, month, category, state) → [cases, resolved,
/// on time, settled in the village, settled in the township, rating sum, rated]; (township,
/// month, bucket) → cases.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RollupImage {
    pub lines: BTreeMap<(String, String, String, String), [i64; 7]>,
    pub histogram: BTreeMap<(String, String, i64), i64>,
}

/// Makes the next fold of `county` rebuild its roll-ups whole: for a write of cases whose times
/// lie in the past (a history loaded), which the fold's mark would not see.
pub async fn forget_mark(tx: &mut Tx, county: i64) -> Result<()> {
    tx.exec(&Q::with(
        "DELETE FROM case_rollup_marks WHERE county_id = ?",
        vec![county.into()],
    ))
    .await?;
    Ok(())
}

/// Rebuilds one month of `county` from its cases.
async fn rebuild(tx: &mut Tx, county: i64, month: Month) -> Result<()> {
    for table in ["case_rollups", "case_durations"] {
        tx.exec(&Q::with(
            &format!("DELETE FROM {table} WHERE county_id = ? AND month = ?"),
            vec![county.into(), month.key().into()],
        ))
        .await?;
    }
    let (from, to) = (month.start(), month.end());
    let cases = |q: &mut Q| {
        q.push_args(
            "FROM cases t WHERE t.county_id = ? AND t.created_at >= ? AND t.created_at < ?",
            vec![county.into(), from.into(), to.into()],
        );
    };
    let rows: Vec<TallyRow> = tx.all(&tally_query(&cases)).await?;
    let key = month.key();
    let lines: Vec<Vec<Value>> = rows
        .into_iter()
        .map(|r| {
            vec![
                county.into(),
                r.township.into(),
                key.clone().into(),
                r.category.into(),
                r.state.into(),
                r.cases.into(),
                r.resolved.into(),
                r.on_time.into(),
                r.settled_village.into(),
                r.settled_township.into(),
                r.rating_sum.into(),
                r.rated.into(),
            ]
        })
        .collect();
    if !lines.is_empty() {
        tx.bulk_insert(
            "case_rollups",
            &[
                "county_id",
                "township",
                "month",
                "category",
                "state",
                "cases",
                "resolved",
                "on_time",
                "settled_village",
                "settled_township",
                "rating_sum",
                "rated",
            ],
            lines,
        )
        .await?;
    }
    let durations: Vec<(String, i64)> = tx.all(&durations_query(&cases)).await?;
    let mut hist = BTreeMap::new();
    bin(durations, &mut hist);
    let lines: Vec<Vec<Value>> = hist
        .into_iter()
        .map(|((township, bucket), n)| {
            vec![
                county.into(),
                township.into(),
                key.clone().into(),
                bucket.into(),
                n.into(),
            ]
        })
        .collect();
    if !lines.is_empty() {
        tx.bulk_insert(
            "case_durations",
            &["county_id", "township", "month", "bucket", "cases"],
            lines,
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_stand_for_their_durations_within_one_percent() {
        for ms in [
            1,
            999,
            60_000,
            3_600_000,
            86_400_000,
            7 * 86_400_000,
            400 * 86_400_000i64,
        ] {
            let back = bucket_duration(duration_bucket(ms));
            let err = (back - ms).abs() as f64 / ms as f64;
            assert!(err <= 0.0101, "{ms}: {back}");
        }
        assert!(
            duration_bucket(0) == duration_bucket(1),
            "no negative or zero bucket"
        );
    }

    #[test]
    fn months_in_china_time() {
        // 2026-11-30 16:00 UTC is 2026-12-01 00:00 in China.
        let m = Month::of(1_796_054_400_000);
        assert_eq!(m.key(), "2026-12");
        assert_eq!(m.start(), 1_796_054_400_000);
        assert_eq!(Month::of(m.start() - 1).key(), "2026-11");
        assert_eq!(m.next().key(), "2027-01");
        assert_eq!(m.end(), m.next().start());
    }
}
