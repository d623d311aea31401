//! Cases (诉求、事件、矛盾纠纷): intake with idempotency keys, every step through the domain's state
//! machine with an append-only timeline, and the clock sweep that escalates overdue cases and
//! confirms unanswered ones — exactly once, also across restarts, because the deadline is a column
//! and every step is a compare-and-set on the case's version.

use crate::rules::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_domain::DivisionCode;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{Db, Result, Scope, StoreError, Tx};

/// 诉求/事件/矛盾纠纷
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Case {
    pub county_id: i64,
    pub id: i64,
    pub category: String,
    pub description: String,
    pub division_code: String,
    pub household_id: Option<i64>,
    /// The grid (usually a micro-grid) it belongs to, if known.
    pub grid_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub urgency: Urgency,
    #[sqlx(try_from = "String")]
    pub reporter_kind: ReporterKind,
    /// Never shown to the public when `anonymous`; always to handlers.
    pub reporter_name: Option<String>,
    pub anonymous: bool,
    /// The account that filed it, if any.
    pub reported_by: Option<i64>,
    #[sqlx(try_from = "String")]
    pub state: CaseState,
    #[sqlx(try_from = "String")]
    pub level: CaseLevel,
    pub handler_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub extension: Extension,
    pub supervised: bool,
    pub reopened: i64,
    /// When the running clock runs out (acceptance, resolution or the resident's answer).
    pub due_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub merged_into: Option<i64>,
    pub rating: Option<i64>,
    /// A rating a staff member recorded on the resident's behalf (代为确认): shown apart, never
    /// counted in satisfaction.
    #[serde(default)]
    pub proxy_rating: Option<i64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Case {
    pub fn status(&self) -> CaseStatus {
        CaseStatus {
            state: self.state,
            level: self.level,
            handler: self.handler_id,
            extension: self.extension,
            supervised: self.supervised,
            reopened: self.reopened.max(0) as u32,
            due_at: self.due_at,
            resolved_at: self.resolved_at,
            merged_into: self.merged_into,
        }
    }
}

/// One step of a case's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct CaseEvent {
    pub seq: i64,
    pub at: i64,
    pub user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub level: String,
    pub note: String,
    /// Whom the case was with after this step (the handler an assignment or transfer named).
    pub handler_id: Option<i64>,
    /// The note is for the resident too: shown on the tracking page.
    pub is_public: bool,
}

/// A new case as submitted. The idempotency key is chosen by the client (a phone keeps it with
/// the report it wrote offline): sending the same submission again never makes a second case.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CaseInput {
    pub idempotency_key: String,
    pub category: String,
    pub description: String,
    pub division_code: String,
    pub household_id: Option<i64>,
    /// The grid it belongs to; by default the household's micro-grid.
    #[serde(default)]
    pub grid_id: Option<i64>,
    #[serde(default = "normal")]
    #[schema(value_type = crate::rules::Urgency)]
    pub urgency: String,
    #[schema(value_type = crate::rules::ReporterKind)]
    pub reporter_kind: String,
    pub reporter_name: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
    /// The reporter's phone, for the follow-up visit (sealed at rest; shown to handlers masked).
    #[serde(default)]
    pub reporter_phone: Option<String>,
    /// SHA-256 of the tracking code given to a resident who reported on the public page.
    #[serde(skip)]
    pub tracking_hash: Option<String>,
    /// WGS-84 degrees, if the reporter's phone knows.
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
}

pub(crate) fn normal() -> String {
    "normal".into()
}

/// A category of cases and the level that should settle it, per county.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, ToSchema)]
pub struct CaseCategory {
    pub county_id: i64,
    pub code: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub level: CaseLevel,
    pub is_dispute: bool,
    /// Whether the county publishes cases of this category in the public Open311 feed (never
    /// disputes, never cases tied to a household).
    #[serde(default)]
    pub is_public: bool,
}

/// Who takes a step, when, and what they said (it goes into the timeline).
#[derive(Debug, Clone, Copy)]
pub struct By<'a> {
    pub actor: Actor,
    pub user: Option<i64>,
    pub note: &'a str,
    pub at: i64,
    /// Whether the resident may read the note on the tracking page (a handler's choice; the
    /// resident's own words and the clock's are always theirs to read).
    pub public: bool,
}

pub(crate) const CASE_COLS: &str = "t.county_id, t.id, t.category, t.description, t.division_code, t.household_id, t.grid_id, t.urgency, \
     t.reporter_kind, t.reporter_name, t.anonymous, t.reported_by, t.state, t.level, t.handler_id, t.extension, \
     t.supervised, t.reopened, t.due_at, t.resolved_at, t.merged_into, t.rating, t.proxy_rating, t.latitude, t.longitude, t.version, t.created_at, t.updated_at";

pub(crate) async fn event(
    tx: &mut Tx,
    c: &Case,
    by: By<'_>,
    action: &str,
    from: Option<CaseState>,
) -> Result<()> {
    let By {
        actor,
        user,
        note,
        at: now,
        public,
    } = by;
    let public = public || matches!(actor, Actor::Resident | Actor::System);
    tx.exec(&Q::with(
        "INSERT INTO case_events (county_id, case_id, seq, at, user_id, actor, action, from_state, to_state, level, note, handler_id, is_public) \
         SELECT ?, ?, COALESCE(MAX(e.seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM case_events e WHERE e.county_id = ? AND e.case_id = ?",
        vec![
            c.county_id.into(),
            c.id.into(),
            now.into(),
            user.into(),
            actor_code(actor).into(),
            action.into(),
            from.map(|s| s.as_str().to_string()).into(),
            c.state.as_str().into(),
            c.level.as_str().into(),
            note.into(),
            c.handler_id.into(),
            xiangzhi_storage::sql::Arg::Bool(public),
            c.county_id.into(),
            c.id.into(),
        ],
    ))
    .await?;
    Ok(())
}

pub(crate) fn actor_code(a: Actor) -> &'static str {
    match a {
        Actor::Resident => "resident",
        Actor::Handler => "handler",
        Actor::Dispatcher => "dispatcher",
        Actor::Superior => "superior",
        Actor::System => "system",
        Actor::Proxy => "proxy",
    }
}

mod clock;
pub mod files;
mod history;
mod intake;
pub mod mediation;
pub mod notifications;
mod public;
mod queries;
pub mod rollups;
mod stats;
mod steps;
pub use clock::CaseClock;
pub use files::CaseFileStore;
pub use history::CaseHistory;
pub use intake::CaseIntake;
pub use mediation::MediationStore;
pub use notifications::NotificationStore;
pub use public::*;
pub use queries::{CaseLedger, CaseQueries, LedgerFilter, LedgerSort};
pub use rollups::CaseRollups;
pub use stats::*;
pub use steps::CaseSteps;

xiangzhi_storage::keyed_by_id!(Case);
