//! The clock: per-county deadlines, and the sweep that takes each due case's step exactly once.

use super::*;

#[derive(sqlx::FromRow)]
pub(crate) struct DeadlineRow {
    accept_hours: i64,
    resolve_micro_grid: i64,
    resolve_grid: i64,
    resolve_village: i64,
    resolve_township: i64,
    resolve_county: i64,
    extension_days: i64,
    confirm_days: i64,
    reopen_days: i64,
}

/// This part's queries, as methods of the store.
#[easy_ext::ext(CaseClock)]
pub impl Db {
    /// The clock: every case whose deadline has passed gets its due action (escalation one level
    /// up, or confirmation of an unanswered resolution), each exactly once even if several sweeps
    /// run at the same time or the server restarted in between. Returns the steps taken.
    async fn run_due_cases(&self, now: i64) -> Result<usize> {
        const PAGE: i64 = 500;
        let mut done = 0;
        let mut clocks: std::collections::HashMap<i64, Deadlines> = Default::default();
        // Keyset pages over (due_at, county, id): the sweep moves past cases it cannot act on
        // (open county-level cases stay overdue with nothing to do), so whatever sits ahead, every
        // due case is reached.
        let mut after: Option<(i64, i64, i64)> = None;
        loop {
            let mut q = Q::with(
                &format!(
                    "SELECT {CASE_COLS} FROM cases t WHERE t.due_at IS NOT NULL AND t.due_at <= ?"
                ),
                vec![now.into()],
            );
            if let Some((due, county, id)) = after {
                let (a, b, c) = (q.arg(due), q.arg(county), q.arg(id));
                q.push(&format!(
                    " AND (t.due_at, t.county_id, t.id) > ({a}, {b}, {c})"
                ));
            }
            q.push(&format!(
                " ORDER BY t.due_at, t.county_id, t.id LIMIT {PAGE}"
            ));
            let due: Vec<Case> = self.all(&q).await?;
            for c in &due {
                match self.due_step(c, now, &mut clocks).await {
                    Ok(true) => done += 1,
                    Ok(false) => {}
                    // One case that cannot be stepped is logged and left for the next sweep; it
                    // does not stop the others.
                    Err(e) => tracing::error!(
                        county = c.county_id,
                        case = c.id,
                        error = %e,
                        "case clock: could not take the due step"
                    ),
                }
            }
            match due.last() {
                Some(last) if due.len() as i64 == PAGE => {
                    after = Some((last.due_at.unwrap_or(now), last.county_id, last.id));
                }
                _ => return Ok(done),
            }
        }
    }

    /// Takes a due case's step (escalation, or confirmation of an unanswered resolution); false
    /// when it has none or someone changed it meanwhile.
    async fn due_step(
        &self,
        c: &Case,
        now: i64,
        clocks: &mut std::collections::HashMap<i64, Deadlines>,
    ) -> Result<bool> {
        let Some(action) = c.status().due_action(now) else {
            return Ok(false);
        };
        let note = match action {
            Action::Escalate => "超期自动上报 / escalated automatically: deadline passed",
            _ => "群众7日内未答复，视为确认 / no answer from the resident: counted as confirmed",
        };
        let by = By {
            actor: Actor::System,
            user: None,
            note,
            at: now,
            public: true,
        };
        let deadlines = match clocks.get(&c.county_id) {
            Some(d) => d.clone(),
            None => {
                let d = self.case_deadlines(c.county_id).await?;
                clocks.insert(c.county_id, d.clone());
                d
            }
        };
        let clock = xiangzhi_storage::Actor::system("case clock");
        Ok(self
            .step_case(&clock, c, &action, by, &deadlines)
            .await?
            .is_some())
    }

    /// A county's case clocks (the defaults if it has set none).
    async fn case_deadlines(&self, county_id: i64) -> Result<Deadlines> {
        let row: Option<DeadlineRow> = self
            .optional(&Q::with(
                "SELECT t.accept_hours, t.resolve_micro_grid, t.resolve_grid, t.resolve_village, t.resolve_township, \
                 t.resolve_county, t.extension_days, t.confirm_days, t.reopen_days FROM case_deadlines t WHERE t.county_id = ?",
                vec![county_id.into()],
            ))
            .await?;
        Ok(match row {
            None => Deadlines::default(),
            Some(r) => Deadlines {
                accept_hours: r.accept_hours,
                resolve_days: [
                    r.resolve_micro_grid,
                    r.resolve_grid,
                    r.resolve_village,
                    r.resolve_township,
                    r.resolve_county,
                ],
                extension_days: r.extension_days,
                confirm_days: r.confirm_days,
                reopen_days: r.reopen_days,
            },
        })
    }

    /// Sets a county's case clocks, within the law: at most 60 days to settle at county level and
    /// one extension of at most 30 (信访工作条例 第三十四条), every clock at least one hour or day.
    async fn put_case_deadlines(
        &self,
        by: &xiangzhi_storage::Actor,
        county_id: i64,
        d: &Deadlines,
    ) -> Result<Deadlines> {
        let mut errs = Vec::new();
        let mut check = |field: &str, v: i64, max: i64| {
            if !(1..=max).contains(&v) {
                errs.push(xiangzhi_storage::FieldError::new(
                    field,
                    xiangzhi_domain::Invalid::new(
                        format!("应在1到{max}之间"),
                        format!("must be between 1 and {max}"),
                    ),
                ));
            }
        };
        check("accept_hours", d.accept_hours, 24 * 15);
        for (k, name) in ["micro_grid", "grid", "village", "township", "county"]
            .iter()
            .enumerate()
        {
            check(&format!("resolve_days.{name}"), d.resolve_days[k], 60);
        }
        check("extension_days", d.extension_days, 30);
        check("confirm_days", d.confirm_days, 30);
        check("reopen_days", d.reopen_days, 90);
        if !d.resolve_days.windows(2).all(|w| w[0] <= w[1]) {
            errs.push(xiangzhi_storage::FieldError::new(
                "resolve_days",
                xiangzhi_domain::Invalid::new(
                    "层级越高，办理期限不应越短",
                    "a higher level should not have a shorter deadline",
                ),
            ));
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let r = d.resolve_days;
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "INSERT INTO case_deadlines (county_id, accept_hours, resolve_micro_grid, resolve_grid, resolve_village, \
             resolve_township, resolve_county, extension_days, confirm_days, reopen_days, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (county_id) DO UPDATE SET \
             accept_hours = excluded.accept_hours, resolve_micro_grid = excluded.resolve_micro_grid, \
             resolve_grid = excluded.resolve_grid, resolve_village = excluded.resolve_village, \
             resolve_township = excluded.resolve_township, resolve_county = excluded.resolve_county, \
             extension_days = excluded.extension_days, confirm_days = excluded.confirm_days, \
             reopen_days = excluded.reopen_days, updated_at = excluded.updated_at",
            vec![
                county_id.into(),
                d.accept_hours.into(),
                r[0].into(),
                r[1].into(),
                r[2].into(),
                r[3].into(),
                r[4].into(),
                d.extension_days.into(),
                d.confirm_days.into(),
                d.reopen_days.into(),
                xiangzhi_storage::now_ms().into(),
            ],
        ))
        .await?;
        tx.audit(by, "set case deadlines", format!("county {county_id}"))
            .await?;
        tx.commit().await?;
        self.case_deadlines(county_id).await
    }
}
