//! Dispute mediation (调解) records: who mediates between which parties and how, each session,
//! the agreement, and the follow-up visits that check it holds. Only for cases whose category is a
//! dispute; reached through the case, so the case's jurisdiction applies.

use crate::prelude::*;
use crate::store::Case;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{Db, Result, Scope, StoreError};

/// A party to a dispute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Party {
    pub name: String,
    /// e.g. 申请人 / 被申请人, applicant / respondent.
    pub side: String,
}

/// The mediator, the parties and the method (e.g. 情理法说劝和).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MediationInput {
    pub mediator: String,
    pub parties: Vec<Party>,
    pub method: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Mediation {
    pub case_id: i64,
    pub mediator: String,
    pub parties: Vec<Party>,
    pub method: String,
    pub agreement: Option<String>,
    pub agreed_at: Option<i64>,
    pub sessions: Vec<MediationSession>,
    pub visits: Vec<MediationVisit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct MediationSession {
    pub seq: i64,
    pub held_at: i64,
    pub place: String,
    pub summary: String,
    pub user_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct MediationVisit {
    pub seq: i64,
    pub visited_at: i64,
    pub note: String,
    pub holding: bool,
    pub user_id: Option<i64>,
}

/// One session, or one follow-up visit.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SessionInput {
    pub place: String,
    pub summary: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct VisitInput {
    pub note: String,
    /// Whether the agreement still holds.
    pub holding: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AgreementInput {
    pub agreement: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    mediator: String,
    parties: String,
    method: String,
    agreement: Option<String>,
    agreed_at: Option<i64>,
}

/// This part's queries, as methods of the store.
#[easy_ext::ext(MediationStore)]
pub impl Db {
    /// The dispute case behind a mediation: in scope, and of a dispute category.
    async fn dispute_case(&self, scope: &Scope, id: i64) -> Result<Case> {
        let c = self.get_case(scope, id).await?;
        let (dispute,): (bool,) = self
            .one(&Q::with(
                "SELECT t.is_dispute FROM case_categories t WHERE t.county_id = ? AND t.code = ?",
                vec![c.county_id.into(), c.category.clone().into()],
            ))
            .await?;
        if !dispute {
            return Err(StoreError::invalid(
                "case",
                "只有矛盾纠纷类事项才有调解记录",
                "only dispute cases have a mediation record",
            ));
        }
        Ok(c)
    }

    /// Opens or changes the mediation record of a dispute case.
    async fn put_mediation(
        &self,
        scope: &Scope,
        id: i64,
        input: &MediationInput,
        now: i64,
    ) -> Result<Mediation> {
        let mut chk = xiangzhi_storage::Checker::default();
        let mediator = chk.text("mediator", &input.mediator, 50);
        let method = chk.text("method", &input.method, 200);
        if input.parties.len() < 2 {
            chk.0.push(xiangzhi_storage::FieldError::new(
                "parties",
                xiangzhi_domain::Invalid::new(
                    "纠纷至少有两方当事人",
                    "a dispute has at least two parties",
                ),
            ));
        }
        for (k, p) in input.parties.iter().enumerate() {
            chk.text(&format!("parties[{k}].name"), &p.name, 50);
            chk.text(&format!("parties[{k}].side"), &p.side, 20);
        }
        let (mediator, method) = chk.finish(mediator.zip(method))?;
        let c = self.dispute_case(scope, id).await?;
        let parties = serde_json::to_string(&input.parties)
            .map_err(|e| StoreError::invalid("parties", e.to_string(), e.to_string()))?;
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "INSERT INTO mediations (county_id, case_id, mediator, parties, method, agreement, agreed_at, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?) ON CONFLICT (county_id, case_id) DO UPDATE SET \
             mediator = excluded.mediator, parties = excluded.parties, method = excluded.method, updated_at = excluded.updated_at",
            vec![
                c.county_id.into(),
                c.id.into(),
                mediator.into(),
                parties.into(),
                method.into(),
                now.into(),
                now.into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "open mediation",
            format!("case {}:{id}", c.county_id),
        )
        .await?;
        tx.commit().await?;
        self.mediation(scope, id).await
    }

    /// The whole record: parties, sessions, agreement, visits.
    async fn mediation(&self, scope: &Scope, id: i64) -> Result<Mediation> {
        Ok(self.mediation_of(scope, id).await?.1)
    }

    /// The dispute case and its mediation record.
    async fn mediation_of(&self, scope: &Scope, id: i64) -> Result<(Case, Mediation)> {
        let c = self.dispute_case(scope, id).await?;
        let key = || vec![c.county_id.into(), c.id.into()];
        let row: Row = self
            .one(&Q::with(
                "SELECT t.mediator, t.parties, t.method, t.agreement, t.agreed_at FROM mediations t \
                 WHERE t.county_id = ? AND t.case_id = ?",
                key(),
            ))
            .await?;
        let sessions = self
            .all(&Q::with(
                "SELECT t.seq, t.held_at, t.place, t.summary, t.user_id FROM mediation_sessions t \
                 WHERE t.county_id = ? AND t.case_id = ? ORDER BY t.seq",
                key(),
            ))
            .await?;
        let visits = self
            .all(&Q::with(
                "SELECT t.seq, t.visited_at, t.note, t.holding, t.user_id FROM mediation_visits t \
                 WHERE t.county_id = ? AND t.case_id = ? ORDER BY t.seq",
                key(),
            ))
            .await?;
        let m = Mediation {
            case_id: c.id,
            mediator: row.mediator,
            parties: serde_json::from_str(&row.parties).unwrap_or_default(),
            method: row.method,
            agreement: row.agreement,
            agreed_at: row.agreed_at,
            sessions,
            visits,
        };
        Ok((c, m))
    }

    /// Records a mediation session.
    async fn add_mediation_session(
        &self,
        scope: &Scope,
        id: i64,
        input: &SessionInput,
        user: Option<i64>,
        now: i64,
    ) -> Result<Mediation> {
        let mut chk = xiangzhi_storage::Checker::default();
        let place = chk.text("place", &input.place, 100);
        let summary = chk.text("summary", &input.summary, 4000);
        let (place, summary) = chk.finish(place.zip(summary))?;
        let (c, m) = self.mediation_of(scope, id).await?;
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "INSERT INTO mediation_sessions (county_id, case_id, seq, held_at, place, summary, user_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                c.county_id.into(),
                m.case_id.into(),
                (m.sessions.len() as i64 + 1).into(),
                now.into(),
                place.into(),
                summary.into(),
                user.into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "add mediation session",
            format!("case {}:{id}", c.county_id),
        )
        .await?;
        tx.commit().await?;
        self.mediation(scope, id).await
    }

    /// Records the agreement the parties reached (once; a changed agreement is a new dispute).
    async fn set_mediation_agreement(
        &self,
        scope: &Scope,
        id: i64,
        input: &AgreementInput,
        now: i64,
    ) -> Result<Mediation> {
        let mut chk = xiangzhi_storage::Checker::default();
        let text = chk.text("agreement", &input.agreement, 4000);
        let text = chk.finish(text)?;
        let (c, m) = self.mediation_of(scope, id).await?;
        if m.agreement.is_some() {
            return Err(StoreError::conflict(
                "agreement",
                "调解协议已登记，不能改写",
                "the agreement is already recorded and cannot be rewritten",
            ));
        }
        if m.sessions.is_empty() {
            return Err(StoreError::invalid(
                "agreement",
                "尚无调解记录，不能登记协议",
                "record a mediation session before the agreement",
            ));
        }
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "UPDATE mediations SET agreement = ?, agreed_at = ?, updated_at = ? WHERE county_id = ? AND case_id = ?",
            vec![text.into(), now.into(), now.into(), c.county_id.into(), c.id.into()],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "record mediation agreement",
            format!("case {}:{id}", c.county_id),
        )
        .await?;
        tx.commit().await?;
        self.mediation(scope, id).await
    }

    /// Records a follow-up visit after the agreement.
    async fn add_mediation_visit(
        &self,
        scope: &Scope,
        id: i64,
        input: &VisitInput,
        user: Option<i64>,
        now: i64,
    ) -> Result<Mediation> {
        let mut chk = xiangzhi_storage::Checker::default();
        let note = chk.text("note", &input.note, 2000);
        let note = chk.finish(note)?;
        let (c, m) = self.mediation_of(scope, id).await?;
        if m.agreement.is_none() {
            return Err(StoreError::invalid(
                "note",
                "达成协议后才能回访",
                "follow-up visits come after the agreement",
            ));
        }
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "INSERT INTO mediation_visits (county_id, case_id, seq, visited_at, note, holding, user_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                c.county_id.into(),
                c.id.into(),
                (m.visits.len() as i64 + 1).into(),
                now.into(),
                note.into(),
                xiangzhi_storage::sql::Arg::Bool(input.holding),
                user.into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "add mediation follow-up visit",
            format!("case {}:{id}", c.county_id),
        )
        .await?;
        tx.commit().await?;
        self.mediation(scope, id).await
    }

    /// The follow-up visits (回访) to a household in the scope, about its cases' mediations,
    /// newest first: (case, when, what was found, whether the agreement holds).
    async fn household_visits(
        &self,
        scope: &Scope,
        household_id: i64,
        limit: i64,
    ) -> Result<Vec<(i64, i64, String, bool)>> {
        let mut q = Q::with(
            "SELECT v.case_id, v.visited_at, v.note, v.holding FROM cases t \
             JOIN mediation_visits v ON v.county_id = t.county_id AND v.case_id = t.id \
             WHERE t.household_id = ?",
            vec![household_id.into()],
        );
        scope.filter(&mut q, &crate::tables::CASES, "t", "division_code");
        let l = q.arg(limit);
        q.push(&format!(" ORDER BY v.visited_at DESC LIMIT {l}"));
        self.all(&q).await
    }

    /// Mediated cases in the scope whose agreement is due a follow-up visit (回访): no visit since
    /// `before` (the agreement or the last visit is older). Longest waiting first: (case,
    /// category, the last visit or the agreement).
    async fn visits_due(
        &self,
        scope: &Scope,
        before: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String, i64)>> {
        let mut q = Q::new(
            "SELECT t.id, t.category, COALESCE(MAX(v.visited_at), m.agreed_at) AS last FROM cases t \
             JOIN mediations m ON m.county_id = t.county_id AND m.case_id = t.id \
             LEFT JOIN mediation_visits v ON v.county_id = t.county_id AND v.case_id = t.id \
             WHERE m.agreed_at IS NOT NULL",
        );
        scope.filter(&mut q, &crate::tables::CASES, "t", "division_code");
        let (b, l) = (q.arg(before), q.arg(limit));
        q.push(&format!(
            " GROUP BY t.id, t.category, m.agreed_at HAVING COALESCE(MAX(v.visited_at), m.agreed_at) < {b} \
             ORDER BY last, t.id LIMIT {l}"
        ));
        self.all(&q).await
    }
}
