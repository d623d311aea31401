//! Statistics of a jurisdiction and period, and loading past cases (history, benchmarks).

use super::rollups::{self, CaseRollups, TallyRow};
use super::*;

/// Case statistics of a jurisdiction and period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CaseStats {
    pub total: i64,
    /// (category code, cases)
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub by_category: Vec<(String, i64)>,
    /// (state, cases)
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub by_state: Vec<(String, i64)>,
    /// Cases resolved (whatever happened after).
    pub resolved: i64,
    /// Share of resolved cases the clock never had to escalate.
    pub on_time_rate: Option<f64>,
    /// Share of resolved cases settled at village level or below (小事不出村).
    pub settled_in_village: Option<f64>,
    /// Share settled at township level or below (大事不出乡).
    pub settled_in_township: Option<f64>,
    /// Median time from report to resolution, in milliseconds.
    pub median_resolve_ms: Option<i64>,
    /// Mean rating (1–5) of the resolved cases the residents rated.
    pub satisfaction: Option<f64>,
    pub rated: i64,
    /// Open cases past their deadline (ids, most overdue first).
    pub overdue: Vec<i64>,
    /// (household id, cases) for households with more than one case in the period.
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub repeat_households: Vec<(i64, i64)>,
}

/// A case of the past, as a previous system kept it (for loading history and for benchmarks).
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub county_id: i64,
    pub category: String,
    pub description: String,
    pub division_code: String,
    pub household_id: Option<i64>,
    pub state: CaseState,
    pub level: CaseLevel,
    pub auto_escalations: i64,
    pub due_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub rating: Option<i64>,
    pub created_at: i64,
}

/// This part's queries, as methods of the store.
#[easy_ext::ext(CaseStatistics)]
pub impl Db {
    /// Loads past cases in one transaction, 500 rows per statement, with new ids and keys
    /// `history-<id>`; the rows are taken as they are (no state machine, no timeline).
    async fn insert_history(&self, rows: &[HistoryRow]) -> Result<()> {
        let Some(first) = rows.first() else {
            return Ok(());
        };
        let mut tx = self.begin().await?;
        tx.bookkeeping(xiangzhi_storage::Bookkeeping::BenchmarkOrTest);
        let mut id =
            xiangzhi_registry::store::next_ids(&mut tx, first.county_id, "case", rows.len() as i64)
                .await?;
        for chunk in rows.chunks(500) {
            let mut q = Q::new(
                "INSERT INTO cases (county_id, id, idempotency_key, category, description, division_code, household_id, urgency, \
                 reporter_kind, reporter_name, anonymous, reported_by, state, level, handler_id, extension, supervised, reopened, \
                 due_at, resolved_at, merged_into, rating, latitude, longitude, version, created_at, updated_at, auto_escalations) VALUES ",
            );
            for (k, r) in chunk.iter().enumerate() {
                let mut ps = Vec::with_capacity(13);
                for a in [
                    xiangzhi_storage::sql::Arg::from(r.county_id),
                    id.into(),
                    format!("history-{id}").into(),
                    r.category.clone().into(),
                    r.description.clone().into(),
                    r.division_code.clone().into(),
                    r.household_id.into(),
                    r.state.as_str().into(),
                    r.level.as_str().into(),
                    r.due_at.into(),
                    r.resolved_at.into(),
                    r.rating.into(),
                    r.created_at.into(),
                    r.resolved_at.unwrap_or(r.created_at).into(),
                    r.auto_escalations.into(),
                ] {
                    ps.push(q.arg(a));
                }
                q.push(&format!(
                    "{}({}, {}, {}, {}, {}, {}, {}, 'normal', 'grid_worker', NULL, FALSE, NULL, {}, {}, NULL, 'none', FALSE, 0, \
                     {}, {}, NULL, {}, NULL, NULL, 1, {}, {}, {})",
                    if k == 0 { "" } else { ", " },
                    ps[0], ps[1], ps[2], ps[3], ps[4], ps[5], ps[6], ps[7], ps[8], ps[9], ps[10], ps[11], ps[12], ps[13], ps[14]
                ));
                id += 1;
            }
            tx.exec(&q).await?;
        }
        // Cases of the past carry their own times: the county's roll-ups are rebuilt whole.
        rollups::forget_mark(&mut tx, first.county_id).await?;
        tx.commit().await
    }

    /// One committed single-row insert into `cases`, nothing else: the raw rate the surge
    /// benchmark compares the HTTP intake with. Keys are `raw-<id>`.
    #[doc(hidden)]
    async fn bench_raw_case_insert(
        &self,
        county: i64,
        category: &str,
        division: &str,
        writer: i64,
        n: i64,
    ) -> Result<()> {
        // Unique across runs on a kept database: the run's second of the day, the writer, the row.
        let run = xiangzhi_storage::now_ms() / 1000 % 86_400;
        let id = 1_000_000_000_000_000 + run * 1_000_000_000 + writer * 10_000_000 + n;
        let now = xiangzhi_storage::now_ms();
        let mut tx = self.begin().await?;
        tx.bookkeeping(xiangzhi_storage::Bookkeeping::BenchmarkOrTest);
        tx.exec(&Q::with(
            "INSERT INTO cases (county_id, id, idempotency_key, category, description, division_code, household_id, urgency, \
             reporter_kind, reporter_name, anonymous, reported_by, state, level, handler_id, extension, supervised, reopened, \
             due_at, resolved_at, merged_into, rating, latitude, longitude, version, created_at, updated_at) \
             VALUES (?, ?, ?, ?, '汛期险情：河堤渗水，请速派人查看', ?, NULL, 'urgent', 'grid_worker', NULL, FALSE, NULL, \
             'reported', 'village', NULL, 'none', FALSE, 0, ?, NULL, NULL, NULL, NULL, NULL, 1, ?, ?)",
            vec![
                county.into(),
                id.into(),
                format!("raw-{id}").into(),
                category.into(),
                division.into(),
                (now + 86_400_000).into(),
                now.into(),
                now.into(),
            ],
        ))
        .await?;
        tx.commit().await
    }

    /// 统计: cases filed in `[from, to)` inside the scope — by category and state, how many were
    /// resolved on time (never escalated by the clock), the share settled inside the village and
    /// inside the township, the median time to resolve, satisfaction, the overdue list and
    /// households with repeat cases.
    async fn case_stats(&self, scope: &Scope, from: i64, to: i64, now: i64) -> Result<CaseStats> {
        self.case_stats_from(scope, from, to, now, true).await
    }

    /// As [`case_stats`](Self::case_stats), counted from the cases alone (the test that holds
    /// the roll-ups to a recount compares the two).
    #[doc(hidden)]
    async fn case_stats_counted(
        &self,
        scope: &Scope,
        from: i64,
        to: i64,
        now: i64,
    ) -> Result<CaseStats> {
        self.case_stats_from(scope, from, to, now, false).await
    }

    #[doc(hidden)]
    async fn case_stats_from(
        &self,
        scope: &Scope,
        from: i64,
        to: i64,
        now: i64,
        rolled: bool,
    ) -> Result<CaseStats> {
        let base = |select: &str, tail: &str| {
            let mut q = Q::with(
                &format!(
                    "SELECT {select} FROM cases t WHERE t.created_at >= ? AND t.created_at < ?"
                ),
                vec![from.into(), to.into()],
            );
            scope.filter(&mut q, &crate::tables::CASES, "t", "division_code");
            q.push(tail);
            q
        };
        let overdue_q = {
            let mut q = base("t.id", " AND t.due_at IS NOT NULL AND t.due_at < ");
            let p = q.arg(now);
            q.push(&format!(
                "{p} AND t.state NOT IN ('resolved', 'confirmed', 'closed', 'closed_unresolved', 'merged') \
                 ORDER BY t.due_at LIMIT 200"
            ));
            q
        };
        let repeats_q = base(
            "t.household_id, COUNT(*)",
            " AND t.household_id IS NOT NULL GROUP BY t.household_id HAVING COUNT(*) > 1 \
             ORDER BY COUNT(*) DESC, t.household_id LIMIT 100",
        );
        if let Some(plan) = rollup_plan(scope, from, to).filter(|_| rolled) {
            return self
                .case_stats_rolled(scope, plan, from, to, overdue_q, repeats_q)
                .await;
        }
        // The passes are independent: they run at once, each on its own connection.
        let groups_q = base(
            "t.category, t.state, COUNT(*)",
            " GROUP BY t.category, t.state",
        );
        // Everything about the resolved cases in one pass: how many, how many the clock never
        // escalated, how many were settled in the village and in the township, the ratings.
        let resolved_q = base(
            "COUNT(*), COALESCE(SUM(CASE WHEN t.auto_escalations = 0 THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN t.level IN ('micro_grid', 'grid', 'village') THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN t.level <> 'county' THEN 1 ELSE 0 END), 0), \
             CAST(COALESCE(SUM(t.rating), 0) AS BIGINT), COUNT(t.rating)",
            " AND t.resolved_at IS NOT NULL",
        );
        // The median: the middle of the resolved cases' durations, once their count is known
        // (an offset taken from a subquery cannot run across a Citus cluster's shards).
        let median_q = |n: i64| {
            base(
                "t.resolved_at - t.created_at",
                &format!(
                    " AND t.resolved_at IS NOT NULL ORDER BY 1 LIMIT 1 OFFSET {}",
                    n.max(0) / 2
                ),
            )
        };
        let (groups, resolved, overdue, repeats) = futures::try_join!(
            self.all::<(String, String, i64)>(&groups_q),
            self.one::<(i64, i64, i64, i64, i64, i64)>(&resolved_q),
            self.all::<(i64,)>(&overdue_q),
            self.all::<(i64, i64)>(&repeats_q),
        )?;
        let (n, on_time, village, township, rating_sum, rated) = resolved;
        let median = if n > 0 {
            self.optional::<(i64,)>(&median_q(n)).await?
        } else {
            None
        };
        Ok(assemble(
            groups,
            [n, on_time, village, township, rating_sum, rated],
            median.map(|m| m.0),
            overdue,
            repeats,
        ))
    }

    /// The statistics of a period holding whole months, for a county or a township (or several
    /// counties): the months from the roll-ups (folded first), the days at either end from the
    /// cases; the median from the durations' histogram, within 1%.
    #[doc(hidden)]
    async fn case_stats_rolled(
        &self,
        scope: &Scope,
        plan: RollupPlan,
        from: i64,
        to: i64,
        overdue_q: Q,
        repeats_q: Q,
    ) -> Result<CaseStats> {
        // Folded by the server every few seconds; folded here only if that has not happened lately.
        match plan.county {
            Some(c) => {
                self.fold_case_rollups_older_than(c, rollups::FRESH_MS)
                    .await?
            }
            None => self.fold_all_case_rollups(rollups::FRESH_MS).await?,
        };
        let edge = |lo: i64, hi: i64| {
            move |q: &mut Q| {
                q.push_args(
                    "FROM cases t WHERE t.created_at >= ? AND t.created_at < ?",
                    vec![lo.into(), hi.into()],
                );
                scope.filter(q, &crate::tables::CASES, "t", "division_code");
            }
        };
        let (head, tail) = (edge(from, plan.first.start()), edge(plan.last.end(), to));
        let (head_q, tail_q) = (rollups::tally_query(&head), rollups::tally_query(&tail));
        let (head_dq, tail_dq) = (
            rollups::durations_query(&head),
            rollups::durations_query(&tail),
        );
        let (months, head_rows, tail_rows, head_d, tail_d, overdue, repeats) = futures::try_join!(
            self.rolled_up(plan.county, plan.first, plan.last, (&plan.lo, &plan.hi)),
            self.all::<TallyRow>(&head_q),
            self.all::<TallyRow>(&tail_q),
            self.all::<(String, i64)>(&head_dq),
            self.all::<(String, i64)>(&tail_dq),
            self.all::<(i64,)>(&overdue_q),
            self.all::<(i64, i64)>(&repeats_q),
        )?;
        let rows: Vec<&TallyRow> = months
            .rows
            .iter()
            .chain(&head_rows)
            .chain(&tail_rows)
            .collect();
        let mut sums = [0i64; 6];
        for r in &rows {
            for (s, v) in sums.iter_mut().zip([
                r.resolved,
                r.on_time,
                r.settled_village,
                r.settled_township,
                r.rating_sum,
                r.rated,
            ]) {
                *s += v;
            }
        }
        let n = sums[0];
        let mut edges = std::collections::BTreeMap::new();
        rollups::bin(head_d.into_iter().chain(tail_d).collect(), &mut edges);
        let mut histogram = months.durations;
        for ((_, bucket), k) in edges {
            *histogram.entry(bucket).or_default() += k;
        }
        // The element at n / 2 in ascending order, as the exact median takes it.
        let mut seen = 0;
        let median = histogram.iter().find_map(|(bucket, k)| {
            seen += k;
            (seen > n / 2).then(|| rollups::bucket_duration(*bucket))
        });
        let groups = rows
            .iter()
            .map(|r| (r.category.clone(), r.state.clone(), r.cases));
        Ok(assemble(groups, sums, median, overdue, repeats))
    }
}

/// The statistics from what either way of counting found: cases by (category, state); the
/// resolved cases' count, on time, settled in the village and in the township, rating sum and
/// rated; the median duration; the overdue ids and the repeat households.
fn assemble(
    groups: impl IntoIterator<Item = (String, String, i64)>,
    [n, on_time, village, township, rating_sum, rated]: [i64; 6],
    median: Option<i64>,
    overdue: Vec<(i64,)>,
    repeat_households: Vec<(i64, i64)>,
) -> CaseStats {
    let mut by_category = std::collections::BTreeMap::<String, i64>::new();
    let mut by_state = std::collections::BTreeMap::<String, i64>::new();
    for (category, state, k) in groups {
        *by_category.entry(category).or_default() += k;
        *by_state.entry(state).or_default() += k;
    }
    let share = |k: i64| (n > 0).then(|| k as f64 / n as f64);
    CaseStats {
        total: by_category.values().sum(),
        by_category: by_category.into_iter().collect(),
        by_state: by_state.into_iter().collect(),
        resolved: n,
        on_time_rate: share(on_time),
        settled_in_village: share(village),
        settled_in_township: share(township),
        median_resolve_ms: median.filter(|_| n > 0),
        satisfaction: (rated > 0).then(|| rating_sum as f64 / rated as f64),
        rated,
        overdue: overdue.into_iter().map(|r| r.0).collect(),
        repeat_households,
    }
}

/// Where the statistics of a period may read roll-ups: the whole months inside it, and the
/// townships (by the first nine digits of the division code) of the scope.
#[derive(Debug, Clone)]
pub struct RollupPlan {
    /// The one county, if the scope lies in one (folded before reading).
    county: Option<i64>,
    first: rollups::Month,
    last: rollups::Month,
    lo: String,
    hi: String,
}

/// Roll-ups serve a scope of whole townships (a county, a township, or more), never a village or
/// a grid-bound account (their figures are few and counted from the cases), and a period holding
/// at least one whole month.
fn rollup_plan(scope: &Scope, from: i64, to: i64) -> Option<RollupPlan> {
    use xiangzhi_domain::DivisionLevel::*;
    if scope.grid_path().is_some() {
        return None;
    }
    let (lo, hi) = match scope.root() {
        None => ("0".to_string(), ":".to_string()),
        Some(r) if matches!(r.level(), Province | Prefecture | County | Township) => {
            let p = r.prefix().to_string();
            let hi = xiangzhi_storage::scope::prefix_upper(&p);
            (p, hi)
        }
        Some(_) => return None,
    };
    let mut first = rollups::Month::of(from);
    if first.start() < from {
        first = first.next();
    }
    let mut last = None;
    let mut m = first;
    while m.end() <= to {
        last = Some(m);
        m = m.next();
    }
    Some(RollupPlan {
        county: scope.county_id(),
        first,
        last: last?,
        lo,
        hi,
    })
}
