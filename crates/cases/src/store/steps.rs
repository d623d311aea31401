//! Steps: every change of a case through the domain's state machine, as compare-and-set on its
//! version, with the timeline.

use super::*;

/// This part's queries, as methods of the store.
#[easy_ext::ext(CaseSteps)]
pub impl Db {
    /// Takes one step of a case: the domain decides, the row changes only if nobody changed it
    /// meanwhile (version check), and the step joins the timeline — all in one transaction.
    async fn case_step(&self, scope: &Scope, id: i64, action: &Action, by: By<'_>) -> Result<Case> {
        let cur = self.get_case(scope, id).await?;
        if let Action::Merge { into } = action {
            self.check_merge_target(scope, &cur, *into).await?;
        }
        let deadlines = self.case_deadlines(cur.county_id).await?;
        self.step_case(scope.actor(), &cur, action, by, &deadlines)
            .await?
            .ok_or_else(|| {
                StoreError::conflict(
                    "version",
                    "该事项刚被他人更新，请刷新后重试",
                    "the case was changed by someone else just now; reload and try again",
                )
            })
    }

    /// A case may be merged only into another open case of the same county that the caller can
    /// see; anything else would drop it from every queue while pointing nowhere.
    async fn check_merge_target(&self, scope: &Scope, cur: &Case, into: i64) -> Result<()> {
        let refuse = |zh: &str, en: &str| StoreError::invalid("into", zh, en);
        if into == cur.id {
            return Err(refuse(
                "不能把事项合并到它自己",
                "a case cannot be merged into itself",
            ));
        }
        let target = match self.get_case(scope, into).await {
            Ok(t) if t.county_id == cur.county_id => t,
            Ok(_) | Err(StoreError::NotFound) => {
                return Err(refuse(
                    &format!("要合并到的事项{into}不存在或不在您的管辖范围内"),
                    &format!(
                        "case {into} to merge into does not exist or is outside your jurisdiction"
                    ),
                ))
            }
            Err(e) => return Err(e),
        };
        if !target.status().is_open() {
            return Err(refuse(
                &format!("事项{into}已办结或已合并，不能再合并进去"),
                &format!("case {into} is already closed or merged; merge into an open case"),
            ));
        }
        Ok(())
    }

    /// Applies `action` to `cur` if the stored case is still at `cur.version`; `None` if not.
    async fn step_case(
        &self,
        who: &xiangzhi_storage::Actor,
        cur: &Case,
        action: &Action,
        by: By<'_>,
        deadlines: &Deadlines,
    ) -> Result<Option<Case>> {
        let now = by.at;
        let next = cur
            .status()
            .apply(action, by.actor, now, deadlines)
            .map_err(|e| {
                StoreError::Invalid(vec![xiangzhi_storage::FieldError::new("action", e)])
            })?;
        // The resident's own rating counts; one recorded on their behalf is kept apart.
        let (rating, proxy_rating) = match (action, by.actor) {
            (Action::Confirm { rating }, crate::rules::Actor::Proxy) => {
                (cur.rating, rating.map(i64::from))
            }
            (Action::Confirm { rating }, _) => (rating.map(i64::from), None),
            _ => (cur.rating, None),
        };
        let mut tx = self.begin().await?;
        let n = tx
            .exec(&Q::with(
                "UPDATE cases SET state = ?, level = ?, handler_id = ?, extension = ?, supervised = ?, reopened = ?, due_at = ?, \
                 resolved_at = ?, merged_into = ?, rating = ?, proxy_rating = COALESCE(?, proxy_rating), auto_escalations = auto_escalations + ?, version = version + 1, \
                 updated_at = ? WHERE county_id = ? AND id = ? AND version = ?",
                vec![
                    next.state.as_str().into(),
                    next.level.as_str().into(),
                    next.handler.into(),
                    next.extension.as_str().into(),
                    xiangzhi_storage::sql::Arg::Bool(next.supervised),
                    i64::from(next.reopened).into(),
                    next.due_at.into(),
                    next.resolved_at.into(),
                    next.merged_into.into(),
                    rating.into(),
                    proxy_rating.into(),
                    i64::from(matches!(action, Action::Escalate) && by.actor == Actor::System).into(),
                    now.into(),
                    cur.county_id.into(),
                    cur.id.into(),
                    cur.version.into(),
                ],
            ))
            .await?;
        if n == 0 {
            return Ok(None);
        }
        let case: Case = tx
            .one(&Q::with(
                &format!("SELECT {CASE_COLS} FROM cases t WHERE t.county_id = ? AND t.id = ?"),
                vec![cur.county_id.into(), cur.id.into()],
            ))
            .await?;
        event(&mut tx, &case, by, action.name(), Some(cur.state)).await?;
        crate::store::notifications::on_step(&mut tx, cur, &case, action, now).await?;
        let object = format!("case {}:{}", case.county_id, case.id);
        tx.audit(who, &format!("case {}", action.name()), object)
            .await?;
        tx.commit().await?;
        Ok(Some(case))
    }

    /// The case's timeline, oldest first.
    async fn case_timeline(&self, scope: &Scope, id: i64) -> Result<Vec<CaseEvent>> {
        let c = self.get_case(scope, id).await?;
        self.all(&Q::with(
            "SELECT t.seq, t.at, t.user_id, t.actor, t.action, t.from_state, t.to_state, t.level, t.note, t.handler_id, t.is_public \
             FROM case_events t WHERE t.county_id = ? AND t.case_id = ? ORDER BY t.seq",
            vec![c.county_id.into(), id.into()],
        ))
        .await
    }
}
