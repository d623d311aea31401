//! Loading a drawn history (the demo county's year of cases) in one transaction: the cases with
//! their timelines, as the state machine lived them, audited as one entry.

use super::*;
use crate::demo::history::Drawn;
use xiangzhi_storage::sql::Arg;

/// Cases per statement (31 values each: within both backends' limits on parameters).
const CASE_ROWS: usize = 300;
/// Timeline steps per statement (13 values each).
const STEP_ROWS: usize = 1000;

/// This part's queries, as methods of the store.
#[easy_ext::ext(CaseHistory)]
pub impl Db {
    /// Stores `cases` of `county` with new numbers (keys `history-<id>`) and their timelines,
    /// all or nothing, with one audit entry naming `by`; answers the first new number.
    async fn load_case_history(
        &self,
        by: &xiangzhi_storage::Actor,
        county: i64,
        cases: &[Drawn],
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let first =
            xiangzhi_registry::store::next_ids(&mut tx, county, "case", cases.len().max(1) as i64)
                .await?;
        for (k, chunk) in cases.chunks(CASE_ROWS).enumerate() {
            let mut q = Q::new(
                "INSERT INTO cases (county_id, id, idempotency_key, category, description, division_code, household_id, urgency, \
                 reporter_kind, reporter_name, anonymous, reported_by, state, level, handler_id, extension, supervised, reopened, \
                 due_at, resolved_at, merged_into, rating, proxy_rating, latitude, longitude, version, created_at, updated_at, \
                 reporter_phone, tracking_hash, grid_id, auto_escalations) VALUES ",
            );
            for (j, c) in chunk.iter().enumerate() {
                let id = first + (k * CASE_ROWS + j) as i64;
                let s = &c.status;
                let values: Vec<Arg> = vec![
                    county.into(),
                    id.into(),
                    format!("history-{id}").into(),
                    c.category.clone().into(),
                    c.description.clone().into(),
                    c.division.clone().into(),
                    Arg::OptI64(None),
                    c.urgency.into(),
                    c.reporter_kind.as_str().into(),
                    c.reporter_name.clone().into(),
                    Arg::Bool(false),
                    Arg::OptI64(None),
                    s.state.as_str().into(),
                    s.level.as_str().into(),
                    s.handler.into(),
                    s.extension.as_str().into(),
                    Arg::Bool(s.supervised),
                    i64::from(s.reopened).into(),
                    s.due_at.into(),
                    s.resolved_at.into(),
                    s.merged_into.into(),
                    c.rating.into(),
                    c.proxy_rating.into(),
                    Arg::OptF64(None),
                    Arg::OptF64(None),
                    (c.steps.len() as i64 + 1).into(),
                    c.created_at.into(),
                    c.updated_at().into(),
                    Arg::OptText(None),
                    Arg::OptText(None),
                    c.grid.into(),
                    c.auto_escalations.into(),
                ];
                let ps: Vec<String> = values.into_iter().map(|a| q.arg(a)).collect();
                q.push(&format!(
                    "{}({})",
                    if j == 0 { "" } else { ", " },
                    ps.join(", ")
                ));
            }
            tx.exec(&q).await?;
        }
        // The timelines: the report, then each step.
        let mut rows: Vec<Vec<Arg>> = Vec::new();
        for (k, c) in cases.iter().enumerate() {
            let id = first + k as i64;
            let level0 = c.steps.first().map(|s| s.level).unwrap_or(c.status.level);
            let reporter = match c.reporter_kind {
                crate::rules::ReporterKind::Resident => "resident",
                _ => "dispatcher",
            };
            rows.push(vec![
                county.into(),
                id.into(),
                1i64.into(),
                c.created_at.into(),
                Arg::OptI64(None),
                reporter.into(),
                "report".into(),
                Arg::OptText(None),
                CaseState::Reported.as_str().into(),
                level0.as_str().into(),
                "".into(),
                Arg::OptI64(None),
                Arg::Bool(true),
            ]);
            for (n, s) in c.steps.iter().enumerate() {
                rows.push(vec![
                    county.into(),
                    id.into(),
                    (n as i64 + 2).into(),
                    s.at.into(),
                    s.user.into(),
                    actor_code(s.actor).into(),
                    s.action.into(),
                    s.from.map(|f| f.as_str().to_string()).into(),
                    s.to.as_str().into(),
                    s.level.as_str().into(),
                    s.note.clone().into(),
                    s.handler.into(),
                    Arg::Bool(s.public),
                ]);
            }
        }
        for chunk in rows.chunks(STEP_ROWS) {
            let mut q = Q::new(
                "INSERT INTO case_events (county_id, case_id, seq, at, user_id, actor, action, from_state, to_state, level, note, \
                 handler_id, is_public) VALUES ",
            );
            for (j, r) in chunk.iter().enumerate() {
                let ps: Vec<String> = r.iter().cloned().map(|a| q.arg(a)).collect();
                q.push(&format!(
                    "{}({})",
                    if j == 0 { "" } else { ", " },
                    ps.join(", ")
                ));
            }
            tx.exec(&q).await?;
        }
        // Cases of the past carry their own times: the county's roll-ups are rebuilt whole.
        super::rollups::forget_mark(&mut tx, county).await?;
        tx.audit(
            by,
            "load case history",
            format!("county {county}: {} cases from {first}", cases.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(first)
    }
}
