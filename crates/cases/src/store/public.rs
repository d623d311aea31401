//! What the public sees: the Open311 feed, and a reporter following their own case.

use super::*;

/// Filters of the public request list.
#[derive(Debug, Clone, Default)]
pub struct PublicFilter {
    /// These requests only (overrides the rest).
    pub ids: Vec<i64>,
    pub category: Option<String>,
    /// `Some(true)`: open ones only; `Some(false)`: closed ones only.
    pub open: Option<bool>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// What the public may know of a case.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PublicCase {
    pub id: i64,
    pub category: String,
    pub category_name: String,
    #[sqlx(try_from = "String")]
    pub state: CaseState,
    #[sqlx(try_from = "String")]
    pub level: CaseLevel,
    pub description: String,
    pub division_name: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub due_at: Option<i64>,
}

/// Who reported a case and how to reach them (personal data: masked unless revealed).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct CaseReporter {
    pub county_id: i64,
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub reporter_kind: ReporterKind,
    pub reporter_name: Option<String>,
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedPhoneOpt")]
    pub reporter_phone: Option<String>,
    /// Not shown to the public (handlers always see the reporter).
    pub anonymous: bool,
}

/// SHA-256 of a tracking code, as stored.
pub fn tracking_hash(code: &str) -> String {
    use sha2::{Digest, Sha256};
    xiangzhi_storage::crypto::hex(&Sha256::digest(code.trim().to_ascii_uppercase().as_bytes()))
}

/// This part's queries, as methods of the store.
#[easy_ext::ext(PublicCases)]
pub impl Db {
    /// The reporter of a case in the scope.
    async fn case_reporter(&self, scope: &Scope, id: i64) -> Result<CaseReporter> {
        let mut q = Q::with(
            "SELECT t.county_id, t.id, t.reporter_kind, t.reporter_name, t.reporter_phone, t.anonymous FROM cases t WHERE t.id = ?",
            vec![id.into()],
        );
        scope.filter(&mut q, &crate::tables::CASES, "t", "division_code");
        self.one(&q).await
    }

    /// A case of `county` found by its number and the tracking code its reporter was given;
    /// `NotFound` for a wrong code, the same as for a missing case.
    async fn case_by_tracking(&self, county: i64, id: i64, code: &str) -> Result<Case> {
        self.one(&Q::with(
            &format!(
                "SELECT {CASE_COLS} FROM cases t WHERE t.county_id = ? AND t.id = ? AND t.tracking_hash = ?"
            ),
            vec![county.into(), id.into(), tracking_hash(code).into()],
        ))
        .await
    }

    /// Cases the public may see (Open311 GET): only categories the county marks public, never
    /// disputes (mediation is private), never a case tied to a household (a welfare or family
    /// matter), no reporter; newest first, at most 200. Descriptions are masked by the caller.
    async fn public_cases(&self, county_id: i64, f: &PublicFilter) -> Result<Vec<PublicCase>> {
        let mut q = Q::with(
            "SELECT t.id, t.category, c.name AS category_name, t.state, t.level, t.description, d.name AS division_name, \
             t.latitude, t.longitude, t.created_at, t.updated_at, t.due_at FROM cases t \
             JOIN case_categories c ON c.county_id = t.county_id AND c.code = t.category \
             JOIN divisions d ON d.county_id = t.county_id AND d.code = t.division_code \
             WHERE t.county_id = ? AND c.is_dispute = ? AND c.is_public = ? AND t.household_id IS NULL \
             AND t.state <> 'merged'",
            vec![
                county_id.into(),
                xiangzhi_storage::sql::Arg::Bool(false),
                xiangzhi_storage::sql::Arg::Bool(true),
            ],
        );
        if !f.ids.is_empty() {
            q.push(" AND t.id IN (");
            for (k, id) in f.ids.iter().take(100).enumerate() {
                let p = q.arg(*id);
                q.push(&format!("{}{p}", if k == 0 { "" } else { ", " }));
            }
            q.push(")");
        } else {
            if let Some(code) = &f.category {
                let p = q.arg(code.clone());
                q.push(&format!(" AND t.category = {p}"));
            }
            match f.open {
                Some(true) => {
                    q.push(" AND t.state NOT IN ('closed', 'closed_unresolved')");
                }
                Some(false) => {
                    q.push(" AND t.state IN ('closed', 'closed_unresolved')");
                }
                None => {}
            }
            if let Some(from) = f.from {
                let p = q.arg(from);
                q.push(&format!(" AND t.created_at >= {p}"));
            }
            if let Some(to) = f.to {
                let p = q.arg(to);
                q.push(&format!(" AND t.created_at <= {p}"));
            }
        }
        q.push(" ORDER BY t.created_at DESC, t.id DESC LIMIT 200");
        self.all(&q).await
    }
}
