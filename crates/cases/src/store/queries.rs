//! Lists: the ledger, a handler's inbox, the categories, likely duplicates.

use super::*;

/// Great-circle distance in metres (haversine).
pub(crate) fn metres(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().asin()
}

/// This part's queries, as methods of the store.
#[easy_ext::ext(CaseQueries)]
pub impl Db {
    /// Cases in the scope, filtered by division, state (`kind`) and words of the description (`q`);
    /// paged.
    async fn list_cases(
        &self,
        scope: &Scope,
        lq: &xiangzhi_storage::ListQuery,
    ) -> Result<xiangzhi_storage::Page<Case>> {
        let scope = xiangzhi_registry::store::division_filter(scope, lq)?;
        let mut q = Q::new(&format!("SELECT {CASE_COLS} FROM cases t WHERE 1=1"));
        scope.filter(&mut q, &crate::tables::CASES, "t", "division_code");
        if let Some(state) = xiangzhi_registry::store::parse_kind::<CaseState>(lq)? {
            let p = q.arg(state.as_str());
            q.push(&format!(" AND t.state = {p}"));
        }
        if let Some(text) = lq.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            xiangzhi_storage::sql::push_contains(&mut q, "t.description", text);
        }
        xiangzhi_registry::store::page(self, q, xiangzhi_registry::store::Order::Id, lq).await
    }

    /// The case categories of a county.
    async fn case_categories(&self, county_id: i64) -> Result<Vec<CaseCategory>> {
        self.all(&Q::with(
            "SELECT t.county_id, t.code, t.name, t.level, t.is_dispute, t.is_public FROM case_categories t \
             WHERE t.county_id = ? ORDER BY t.code",
            vec![county_id.into()],
        ))
        .await
    }

    /// The names of a county's case categories, by code (pages show names, never codes).
    async fn case_category_names(
        &self,
        county_id: i64,
    ) -> Result<std::collections::HashMap<String, String>> {
        Ok(self
            .case_categories(county_id)
            .await?
            .into_iter()
            .map(|c| (c.code, c.name))
            .collect())
    }

    /// Possible duplicates of a case, for the handler to merge: open cases of the same county
    /// filed within 30 days of it that share its household, or share its category and either its
    /// division or a spot within 300 m of it. Nearest first, at most 20.
    async fn case_duplicates(&self, scope: &Scope, id: i64) -> Result<Vec<Case>> {
        const WINDOW: i64 = 30 * 24 * 3_600_000;
        const METRES: f64 = 300.0;
        let c = self.get_case(scope, id).await?;
        let mut q = Q::with(
            &format!(
                "SELECT {CASE_COLS} FROM cases t WHERE t.county_id = ? AND t.id <> ? \
                 AND t.state NOT IN ('merged', 'closed', 'closed_unresolved') \
                 AND t.created_at >= ? AND t.created_at <= ?"
            ),
            vec![
                c.county_id.into(),
                c.id.into(),
                (c.created_at - WINDOW).into(),
                (c.created_at + WINDOW).into(),
            ],
        );
        let cat = q.arg(c.category.clone());
        let div = q.arg(c.division_code.clone());
        let mut near = format!("(t.category = {cat} AND (t.division_code = {div}");
        if let (Some(la), Some(lo)) = (c.latitude, c.longitude) {
            // A box around the spot (lat degrees ≈ 111 km); the exact distance is checked below.
            let dlat = METRES / 111_000.0;
            let dlon = dlat / la.to_radians().cos().max(0.01);
            let (a, b, e, d) = (
                q.arg(Some(la - dlat)),
                q.arg(Some(la + dlat)),
                q.arg(Some(lo - dlon)),
                q.arg(Some(lo + dlon)),
            );
            near.push_str(&format!(
                " OR (t.latitude BETWEEN {a} AND {b} AND t.longitude BETWEEN {e} AND {d})"
            ));
        }
        near.push_str("))");
        match c.household_id {
            Some(h) => {
                let p = q.arg(h);
                q.push(&format!(" AND ({near} OR t.household_id = {p})"));
            }
            None => {
                q.push(&format!(" AND {near}"));
            }
        }
        scope.filter(&mut q, &crate::tables::CASES, "t", "division_code");
        q.push(" ORDER BY t.created_at DESC LIMIT 200");
        let found: Vec<Case> = self.all(&q).await?;
        let distance = |o: &Case| match (c.latitude, c.longitude, o.latitude, o.longitude) {
            (Some(a), Some(b), Some(x), Some(y)) => Some(metres(a, b, x, y)),
            _ => None,
        };
        let mut out: Vec<(f64, Case)> = found
            .into_iter()
            .filter(|o| {
                o.household_id.is_some() && o.household_id == c.household_id
                    || o.division_code == c.division_code
                    || distance(o).is_some_and(|m| m <= METRES)
            })
            .map(|o| (distance(&o).unwrap_or(f64::MAX), o))
            .collect();
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(out.into_iter().take(20).map(|(_, o)| o).collect())
    }

    /// Up to `limit` cases of the scope in `state`, soonest deadline first.
    async fn cases_in_state(&self, scope: &Scope, state: &str, limit: i64) -> Result<Vec<Case>> {
        let mut q = Q::with(
            &format!("SELECT {CASE_COLS} FROM cases t WHERE t.state = ?"),
            vec![state.into()],
        );
        scope.filter(&mut q, &crate::tables::CASES, "t", "division_code");
        let p = q.arg(limit);
        q.push(&format!(" ORDER BY t.due_at, t.id LIMIT {p}"));
        self.all(&q).await
    }

    /// A handler's inbox: the cases assigned to `user` that are still being worked on, and the
    /// cases in the scope waiting to be accepted or dispatched; soonest deadline first.
    async fn case_inbox(&self, scope: &Scope, user: i64) -> Result<(Vec<Case>, Vec<Case>)> {
        let mut mine = Q::with(
            &format!(
                "SELECT {CASE_COLS} FROM cases t WHERE t.handler_id = ? AND t.state IN ('assigned', 'in_progress')"
            ),
            vec![user.into()],
        );
        scope.filter(&mut mine, &crate::tables::CASES, "t", "division_code");
        mine.push(" ORDER BY t.due_at, t.id LIMIT 100");
        let mut waiting = Q::new(&format!(
            "SELECT {CASE_COLS} FROM cases t WHERE t.state IN ('reported', 'accepted', 'returned')"
        ));
        scope.filter(&mut waiting, &crate::tables::CASES, "t", "division_code");
        waiting.push(" ORDER BY t.due_at, t.id LIMIT 100");
        Ok((self.all(&mine).await?, self.all(&waiting).await?))
    }
}

/// 事件台账: what the ledger is filtered by. Every field is optional.
#[derive(Debug, Clone, Default)]
pub struct LedgerFilter {
    pub state: Option<CaseState>,
    pub category: Option<String>,
    pub level: Option<CaseLevel>,
    /// A division in the caller's scope (township, village, group): its cases and those below.
    pub division: Option<DivisionCode>,
    pub grid: Option<i64>,
    /// The cases of one household.
    pub household: Option<i64>,
    /// Reported in `[from, to)` (ms).
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Resolved at some time (办结), whatever happened after.
    pub resolved: bool,
    /// Open and past its deadline.
    pub overdue: bool,
    pub supervised: bool,
    pub reporter_kind: Option<ReporterKind>,
    /// Words of the description.
    pub text: Option<String>,
    pub sort: LedgerSort,
}

/// The ledger's orders.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LedgerSort {
    #[default]
    Newest,
    Oldest,
    /// Soonest deadline first (no deadline last).
    Due,
}

/// The states in which a case is no longer being worked on: its deadline no longer runs.
pub const SETTLED: &str = "('resolved', 'confirmed', 'closed', 'closed_unresolved', 'merged')";

/// The ledger's queries, as methods of the store.
#[easy_ext::ext(CaseLedger)]
pub impl Db {
    /// One page of the ledger (`limit` cases after `offset`) and how many match in all.
    async fn case_ledger(
        &self,
        scope: &Scope,
        f: &LedgerFilter,
        now: i64,
        limit: i64,
        offset: i64,
    ) -> Result<(i64, Vec<Case>)> {
        let Some(q) = ledger_query(scope, f, now, &format!("SELECT {CASE_COLS}")) else {
            return Ok((0, Vec::new()));
        };
        let Some(count) = ledger_query(scope, f, now, "SELECT COUNT(*)") else {
            return Ok((0, Vec::new()));
        };
        let mut q = q;
        q.push(match f.sort {
            LedgerSort::Newest => " ORDER BY t.created_at DESC, t.id DESC",
            LedgerSort::Oldest => " ORDER BY t.created_at, t.id",
            LedgerSort::Due => {
                " ORDER BY CASE WHEN t.due_at IS NULL THEN 1 ELSE 0 END, t.due_at, t.id"
            }
        });
        let (l, o) = (q.arg(limit.clamp(1, 50_000)), q.arg(offset.max(0)));
        q.push(&format!(" LIMIT {l} OFFSET {o}"));
        let ((total,), rows) =
            futures::try_join!(self.one::<(i64,)>(&count), self.all::<Case>(&q))?;
        Ok((total, rows))
    }
}

/// The ledger's statement for `select` (`None` when the division lies outside the scope: no rows).
fn ledger_query(scope: &Scope, f: &LedgerFilter, now: i64, select: &str) -> Option<Q> {
    let scope = match &f.division {
        Some(d) => scope.narrow(d)?,
        None => scope.clone(),
    };
    let mut q = Q::new(&format!("{select} FROM cases t WHERE 1=1"));
    scope.filter(&mut q, &crate::tables::CASES, "t", "division_code");
    let eq = |q: &mut Q, col: &str, v: xiangzhi_storage::Value| {
        let p = q.arg(v);
        q.push(&format!(" AND t.{col} = {p}"));
    };
    if let Some(s) = f.state {
        eq(&mut q, "state", s.as_str().into());
    }
    if let Some(c) = &f.category {
        eq(&mut q, "category", c.clone().into());
    }
    if let Some(l) = f.level {
        eq(&mut q, "level", l.as_str().into());
    }
    if let Some(g) = f.grid {
        eq(&mut q, "grid_id", g.into());
    }
    if let Some(h) = f.household {
        eq(&mut q, "household_id", h.into());
    }
    if let Some(k) = f.reporter_kind {
        eq(&mut q, "reporter_kind", k.as_str().into());
    }
    if let Some(from) = f.from {
        let p = q.arg(from);
        q.push(&format!(" AND t.created_at >= {p}"));
    }
    if let Some(to) = f.to {
        let p = q.arg(to);
        q.push(&format!(" AND t.created_at < {p}"));
    }
    if f.resolved {
        q.push(" AND t.resolved_at IS NOT NULL");
    }
    if f.overdue {
        let p = q.arg(now);
        q.push(&format!(
            " AND t.due_at IS NOT NULL AND t.due_at < {p} AND t.state NOT IN {SETTLED}"
        ));
    }
    if f.supervised {
        q.push(" AND t.supervised = TRUE");
    }
    if let Some(text) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        xiangzhi_storage::sql::push_contains(&mut q, "t.description", text);
    }
    Some(q)
}
