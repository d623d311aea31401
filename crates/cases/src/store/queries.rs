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
