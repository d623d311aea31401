//! Case endpoints (诉求、事件、矛盾纠纷): intake with idempotency keys, the case queue, a case and
//! its timeline, steps of the closed loop, and each county's categories.

use crate::prelude::*;
use crate::rules::{Action, Actor, CaseLevel, Deadlines};
use crate::store::files::CaseFile;
use crate::store::mediation::{
    AgreementInput, Mediation, MediationInput, SessionInput, VisitInput,
};
use crate::store::notifications::Notification;
use crate::store::{By, Case, CaseCategory, CaseEvent, CaseInput, CaseStats};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xiangzhi_domain::{DivisionLevel, Role};
use xiangzhi_storage::accounts::User;
use xiangzhi_storage::{now_ms, ListQuery, Page};
use xiangzhi_web::error::{ApiError, Problem};
use xiangzhi_web::rights::{Authorized, ReadRegistry, WriteRegistry, WriteStructure};
use xiangzhi_web::{AppState, Caller, Json, Path, Query};

type R<T> = Result<T, ApiError>;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cases, create_case))
        .routes(routes!(get_case))
        .routes(routes!(case_timeline))
        .routes(routes!(case_duplicates))
        .routes(routes!(get_mediation, put_mediation))
        .routes(routes!(add_mediation_session))
        .routes(routes!(set_mediation_agreement))
        .routes(routes!(add_mediation_visit))
        .routes(routes!(case_action))
        .routes(routes!(list_case_categories))
        .routes(routes!(put_case_category))
        .routes(routes!(get_case_deadlines, put_case_deadlines))
        .routes(routes!(case_stats))
        .routes(routes!(list_case_files, add_case_file))
        .routes(routes!(get_case_file))
        .routes(routes!(my_notifications))
        .routes(routes!(list_notifications))
        .routes(routes!(retry_notification))
}

/// The level an account works at, for deciding whether it dispatches a case or supervises it.
pub fn level_of(role: Role) -> Option<CaseLevel> {
    match role {
        Role::CountyAdmin => Some(CaseLevel::County),
        Role::TownshipOfficer => Some(CaseLevel::Township),
        Role::VillageSecretary => Some(CaseLevel::Village),
        Role::GridWorker => Some(CaseLevel::Grid),
        Role::Auditor | Role::SecurityAdmin => None,
    }
}

/// In which capacity `user` takes `action` on `case`, or why they may not.
fn actor_for(user: &User, case: &Case, action: &Action) -> R<Actor> {
    let mine = level_of(user.role);
    let above = mine.is_some_and(|m| m > case.level);
    let at_or_above = mine.is_some_and(|m| m >= case.level);
    let refuse = |zh: &str, en: &str| Err(ApiError::forbidden(zh, en));
    match action {
        // Recorded on the resident's behalf after a call or a visit (代为确认), never by whoever
        // handled or reported the case: nobody confirms their own work.
        Action::Confirm { .. } | Action::Reopen => {
            if case.handler_id == Some(user.id) || case.reported_by == Some(user.id) {
                refuse(
                    "不能代群众确认自己办理或上报的事项",
                    "you cannot record the resident's answer on a case you handled or reported",
                )
            } else {
                Ok(Actor::Proxy)
            }
        }
        Action::Start | Action::Return | Action::Resolve | Action::RequestExtension => {
            if case.handler_id == Some(user.id) {
                Ok(Actor::Handler)
            } else {
                refuse(
                    "只有承办人可以这样做",
                    "only the case's handler may do this",
                )
            }
        }
        Action::GrantExtension | Action::DenyExtension | Action::Supervise => {
            if above {
                Ok(Actor::Superior)
            } else {
                refuse("须由上级办理", "this is for a higher level")
            }
        }
        Action::Escalate if above => Ok(Actor::Superior),
        _ if at_or_above => Ok(Actor::Dispatcher),
        _ => refuse("该事项在您的层级之上", "the case is above your level"),
    }
}

/// 事项列表 (the queue): cases in your jurisdiction; `kind` filters by state.
#[utoipa::path(get, path = "/cases", tag = "cases", params(ListQuery),
    responses((status = 200, body = inline(Page<Case>))))]
pub async fn list_cases(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<ListQuery>,
) -> R<Json<Page<Case>>> {
    Ok(Json(s.db.list_cases(&c.scope, &q).await?))
}

/// 上报事项. The same idempotency key again returns the case already filed (200), never a second.
#[utoipa::path(post, path = "/cases", tag = "cases", request_body = CaseInput,
    responses((status = 201, body = Case), (status = 200, body = Case), (status = 422, body = Problem)))]
pub async fn create_case(
    State(s): State<AppState>,
    c: Authorized<WriteRegistry>,
    Json(mut i): Json<CaseInput>,
) -> R<axum::response::Response> {
    use axum::response::IntoResponse;
    // A grid worker's report belongs to their grid unless it names a household or another grid.
    if i.grid_id.is_none() && i.household_id.is_none() {
        i.grid_id = c.user.grid_id;
    }
    let (case, created) =
        s.db.create_case(&c.scope, &i, Some(c.user.id), now_ms())
            .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(case)).into_response())
}

#[utoipa::path(get, path = "/cases/{id}", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = Case), (status = 404, body = Problem)))]
pub async fn get_case(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path(id): Path<i64>,
) -> R<Json<Case>> {
    Ok(Json(s.db.get_case(&c.scope, id).await?))
}

/// 办理过程: every step, who took it, when, and what they said.
#[utoipa::path(get, path = "/cases/{id}/timeline", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CaseEvent>), (status = 404, body = Problem)))]
pub async fn case_timeline(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path(id): Path<i64>,
) -> R<Json<Vec<CaseEvent>>> {
    Ok(Json(s.db.case_timeline(&c.scope, id).await?))
}

/// 疑似重复: open cases nearby or of the same household, for the handler to merge
/// (`{"action": "merge", "into": …}` on the duplicate).
#[utoipa::path(get, path = "/cases/{id}/duplicates", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Case>), (status = 404, body = Problem)))]
pub async fn case_duplicates(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path(id): Path<i64>,
) -> R<Json<Vec<Case>>> {
    Ok(Json(s.db.case_duplicates(&c.scope, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = CaseStepInput)]
pub struct StepInput {
    #[serde(flatten)]
    pub action: Action,
    /// What was said or done (goes into the timeline).
    #[serde(default)]
    pub note: String,
    /// For `confirm` and `reopen` recorded by staff on the resident's behalf (代为确认): how the
    /// resident's answer was obtained. Required for those steps.
    #[serde(default)]
    pub via: Option<AnswerVia>,
    /// Show the note to the resident on the tracking page (what was done, the expected date);
    /// internal otherwise.
    #[serde(default)]
    pub public: bool,
}

/// How a staff member got the resident's answer they record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerVia {
    /// 电话回访
    Phone,
    /// 入户走访
    Visit,
}

impl AnswerVia {
    pub fn zh(self) -> &'static str {
        match self {
            AnswerVia::Phone => "电话回访",
            AnswerVia::Visit => "入户走访",
        }
    }
    pub fn parse(s: &str) -> Option<AnswerVia> {
        match s {
            "phone" => Some(AnswerVia::Phone),
            "visit" => Some(AnswerVia::Visit),
            _ => None,
        }
    }
}

/// 办理一步: accept, assign, start, return, transfer, escalate, extensions, resolve, confirm,
/// close, reopen, close unresolved, merge, supervise.
#[utoipa::path(post, path = "/cases/{id}/actions", tag = "cases", params(("id" = i64, Path)), request_body = StepInput,
    responses((status = 200, body = Case), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn case_action(
    State(s): State<AppState>,
    c: Authorized<WriteRegistry>,
    Path(id): Path<i64>,
    Json(i): Json<StepInput>,
) -> R<Json<Case>> {
    Ok(Json(take_step(&s, &c, id, &i).await?))
}

/// Takes one step of a case for the caller (API and console alike): the caller's role and level
/// decide the capacity they act in, and a new handler must be able to work on the case.
pub async fn take_step(s: &AppState, c: &Caller, id: i64, input: &StepInput) -> R<Case> {
    let (action, note, via) = (&input.action, input.note.as_str(), input.via);
    let case = s.db.get_case(&c.scope, id).await?;
    let actor = actor_for(&c.user, &case, action)?;
    // A resident's answer recorded by staff says how it was obtained, in the timeline.
    let note = match (actor, via) {
        (Actor::Proxy, Some(v)) => format!("代为确认（{}）{note}", v.zh()),
        (Actor::Proxy, None) => {
            return Err(xiangzhi_storage::StoreError::invalid(
                "via",
                "代为确认须说明如何得到群众的答复：电话回访或入户走访",
                "say how you got the resident's answer: a phone call or a visit",
            )
            .into())
        }
        _ => note.to_string(),
    };
    if let Action::Assign { handler } | Action::Transfer { handler } = action {
        // The handler must be an active account that can see and work on the case.
        let ok = match s.db.user_by_id(*handler).await {
            Ok(u) => can_handle(&u, &case),
            Err(_) => false,
        };
        if !ok {
            return Err(xiangzhi_storage::StoreError::invalid(
                "handler",
                "承办人不存在，或无权办理该区划的事项",
                "no such handler, or they cannot work on cases of this division",
            )
            .into());
        }
    }
    let note = note.chars().take(2100).collect::<String>();
    let by = By {
        actor,
        user: Some(c.user.id),
        note: &note,
        at: now_ms(),
        public: input.public,
    };
    Ok(s.db.case_step(&c.scope, id, action, by).await?)
}

/// The steps (by code) `user` may take on `case` now: those the account's role and level allow
/// and the case's state admits. The console offers only these.
pub fn allowed_steps(user: &User, case: &Case, d: &Deadlines, now: i64) -> Vec<&'static str> {
    let status = case.status();
    let probes = Action::every(0, 0);
    if !user.can(xiangzhi_domain::Right::WriteRegistry) {
        return Vec::new();
    }
    probes
        .iter()
        .filter(|a| {
            actor_for(user, case, a)
                .ok()
                .is_some_and(|actor| status.apply(a, actor, now, d).is_ok())
        })
        .map(|a| a.name())
        .collect()
}

/// Whether an account may be given a case: active, allowed to write, and reaching its division;
/// or a grid worker of the village (or group) the case was filed in (小事不出村: the village
/// hands its case to one of its grids).
pub fn can_handle(u: &User, case: &Case) -> bool {
    if u.disabled || !u.can(xiangzhi_domain::Right::WriteRegistry) {
        return false;
    }
    if u.scope().covers(&case.division_code) {
        return true;
    }
    let Ok(d) = xiangzhi_domain::DivisionCode::parse(&case.division_code) else {
        return false;
    };
    u.grid_id.is_some()
        && d.level() >= DivisionLevel::Village
        && u.division_code.starts_with(d.prefix())
}

/// 事项类别 of your county.
#[utoipa::path(get, path = "/case-categories", tag = "cases",
    responses((status = 200, body = Vec<CaseCategory>)))]
pub async fn list_case_categories(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
) -> R<Json<Vec<CaseCategory>>> {
    match c.scope.county_id() {
        Some(county) => Ok(Json(s.db.case_categories(county).await?)),
        None => Ok(Json(vec![])),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CategoryInput {
    pub county_id: i64,
    pub name: String,
    /// The level that should settle cases of this category.
    #[schema(value_type = crate::rules::CaseLevel)]
    pub level: String,
    #[serde(default)]
    pub is_dispute: bool,
    /// Publish cases of this category in the public Open311 feed (never for disputes).
    #[serde(default)]
    pub is_public: bool,
}

/// Adds or changes a category of a county: for accounts whose jurisdiction holds the whole county.
#[utoipa::path(put, path = "/case-categories/{code}", tag = "cases", params(("code" = String, Path)),
    request_body = CategoryInput,
    responses((status = 200, body = CaseCategory), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_case_category(
    State(s): State<AppState>,
    c: Authorized<WriteStructure>,
    Path(code): Path<String>,
    Json(i): Json<CategoryInput>,
) -> R<Json<CaseCategory>> {
    let whole_county = c.scope.covers(&format!("{:06}000000", i.county_id))
        && c.scope
            .root()
            .is_none_or(|r| r.level() <= DivisionLevel::County);
    if !whole_county {
        return Err(ApiError::forbidden(
            "事项类别由县级统一设置",
            "case categories are set for the whole county",
        ));
    }
    let mut chk = xiangzhi_storage::Checker::default();
    let name = chk.text("name", &i.name, 50);
    let level = chk.parse("level", i.level.parse::<CaseLevel>());
    let code_ok = chk.text("code", &code, 30);
    let (name, level, code) =
        chk.finish(name.zip(level).zip(code_ok).map(|((a, b), c)| (a, b, c)))?;
    let cat = CaseCategory {
        county_id: i.county_id,
        code,
        name,
        level,
        is_dispute: i.is_dispute,
        is_public: i.is_public,
    };
    s.db.put_case_category(&c.scope, &cat).await?;
    Ok(Json(cat))
}

/// 调解记录 of a dispute case: parties, mediator, method, sessions, agreement, follow-up visits.
#[utoipa::path(get, path = "/cases/{id}/mediation", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = Mediation), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn get_mediation(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path(id): Path<i64>,
) -> R<Json<Mediation>> {
    Ok(Json(s.db.mediation(&c.scope, id).await?))
}

/// Opens or changes the mediation record (mediator, parties, method).
#[utoipa::path(put, path = "/cases/{id}/mediation", tag = "cases", params(("id" = i64, Path)),
    request_body = MediationInput,
    responses((status = 200, body = Mediation), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_mediation(
    State(s): State<AppState>,
    c: Authorized<WriteRegistry>,
    Path(id): Path<i64>,
    Json(i): Json<MediationInput>,
) -> R<Json<Mediation>> {
    Ok(Json(s.db.put_mediation(&c.scope, id, &i, now_ms()).await?))
}

/// Records a mediation session.
#[utoipa::path(post, path = "/cases/{id}/mediation/sessions", tag = "cases", params(("id" = i64, Path)),
    request_body = SessionInput,
    responses((status = 200, body = Mediation), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_mediation_session(
    State(s): State<AppState>,
    c: Authorized<WriteRegistry>,
    Path(id): Path<i64>,
    Json(i): Json<SessionInput>,
) -> R<Json<Mediation>> {
    Ok(Json(
        s.db.add_mediation_session(&c.scope, id, &i, Some(c.user.id), now_ms())
            .await?,
    ))
}

/// Records the agreement reached (once).
#[utoipa::path(put, path = "/cases/{id}/mediation/agreement", tag = "cases", params(("id" = i64, Path)),
    request_body = AgreementInput,
    responses((status = 200, body = Mediation), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn set_mediation_agreement(
    State(s): State<AppState>,
    c: Authorized<WriteRegistry>,
    Path(id): Path<i64>,
    Json(i): Json<AgreementInput>,
) -> R<Json<Mediation>> {
    Ok(Json(
        s.db.set_mediation_agreement(&c.scope, id, &i, now_ms())
            .await?,
    ))
}

/// Records a follow-up visit: does the agreement hold?
#[utoipa::path(post, path = "/cases/{id}/mediation/visits", tag = "cases", params(("id" = i64, Path)),
    request_body = VisitInput,
    responses((status = 200, body = Mediation), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_mediation_visit(
    State(s): State<AppState>,
    c: Authorized<WriteRegistry>,
    Path(id): Path<i64>,
    Json(i): Json<VisitInput>,
) -> R<Json<Mediation>> {
    Ok(Json(
        s.db.add_mediation_visit(&c.scope, id, &i, Some(c.user.id), now_ms())
            .await?,
    ))
}

/// Only an account whose jurisdiction holds the whole county sets county-wide case settings.
fn whole_county(c: &Caller, county_id: i64) -> R<()> {
    let whole = c.scope.covers(&format!("{county_id:06}000000"))
        && c.scope
            .root()
            .is_none_or(|r| r.level() <= DivisionLevel::County);
    if whole {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "事项设置由县级统一制定",
            "case settings are made for the whole county",
        ))
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CountyParam {
    /// The county (6 digits); your own county if you are bound inside one.
    pub county_id: Option<i64>,
}

/// 办理时限: your county's case clocks.
#[utoipa::path(get, path = "/case-deadlines", tag = "cases", params(CountyParam),
    responses((status = 200, body = Deadlines), (status = 404, body = Problem)))]
pub async fn get_case_deadlines(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<CountyParam>,
) -> R<Json<Deadlines>> {
    let county = q
        .county_id
        .or(c.scope.county_id())
        .filter(|k| c.scope.county_id() == Some(*k) || c.scope.covers(&format!("{k:06}000000")))
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(s.db.case_deadlines(county).await?))
}

/// Sets the county's case clocks (within the Petition Work Regulations' limits).
#[utoipa::path(put, path = "/case-deadlines", tag = "cases", params(CountyParam), request_body = Deadlines,
    responses((status = 200, body = Deadlines), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_case_deadlines(
    State(s): State<AppState>,
    c: Authorized<WriteStructure>,
    Query(q): Query<CountyParam>,
    Json(d): Json<Deadlines>,
) -> R<Json<Deadlines>> {
    let county = q
        .county_id
        .or(c.scope.county_id())
        .ok_or_else(ApiError::not_found)?;
    whole_county(&c, county)?;
    Ok(Json(
        s.db.put_case_deadlines(c.scope.actor(), county, &d).await?,
    ))
}

/// The jurisdiction and period `[from, to)` (ms) a statistics request asks for, within the caller's.
pub fn stats_window(
    c: &Caller,
    q: &StatsQuery,
    now: i64,
) -> R<(xiangzhi_storage::Scope, i64, i64)> {
    const DAY: i64 = 24 * 3_600_000;
    let to = match q.to.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => day_start("to", d)? + DAY,
        None => now,
    };
    let from = match q.from.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => day_start("from", d)?,
        None => to - 365 * DAY,
    };
    let scope = match q.division.as_deref().filter(|d| !d.is_empty()) {
        None => c.scope.clone(),
        Some(d) => {
            let code = xiangzhi_domain::DivisionCode::parse(d).map_err(|e| {
                xiangzhi_storage::StoreError::Invalid(vec![xiangzhi_storage::FieldError::new(
                    "division", e,
                )])
            })?;
            c.scope.narrow(&code).ok_or_else(ApiError::not_found)?
        }
    };
    Ok((scope, from, to))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct StatsQuery {
    /// First day (YYYY-MM-DD, China time); default a year before `to`.
    pub from: Option<String>,
    /// Last day, inclusive; default today.
    pub to: Option<String>,
    /// A division inside your jurisdiction (grid, village, township or county statistics).
    pub division: Option<String>,
}

/// The first instant (ms) of a day `YYYY-MM-DD` in China time.
pub(crate) fn china_day_start(d: &str) -> Option<i64> {
    chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis() - 8 * 3_600_000)
}

fn day_start(field: &str, d: &str) -> R<i64> {
    china_day_start(d).ok_or_else(|| {
        xiangzhi_storage::StoreError::invalid(
            field,
            "日期应为 YYYY-MM-DD",
            "a date must be YYYY-MM-DD",
        )
        .into()
    })
}

/// 统计: cases by category and state, on-time rate, share settled inside the village and the
/// township, median time to resolve, satisfaction, overdue cases, repeat households.
#[utoipa::path(get, path = "/case-stats", tag = "cases", params(StatsQuery),
    responses((status = 200, body = CaseStats), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn case_stats(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<StatsQuery>,
) -> R<Json<CaseStats>> {
    let now = now_ms();
    let (scope, from, to) = stats_window(&c, &q, now)?;
    Ok(Json(s.db.case_stats(&scope, from, to, now).await?))
}

/// 我的通知: the notices addressed to you or to the office you work at, newest first (at most 100).
#[utoipa::path(get, path = "/notifications/mine", tag = "cases",
    responses((status = 200, body = Vec<Notification>)))]
pub async fn my_notifications(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
) -> R<Json<Vec<Notification>>> {
    Ok(Json(
        s.db.notifications_for(c.user.id, &c.user.division_code, 100)
            .await?,
    ))
}

/// 通知发送情况: the notices of cases in your jurisdiction and how their delivery to the webhook
/// went; `kind` = `pending`, `sent` or `failed`.
#[utoipa::path(get, path = "/notifications", tag = "cases", params(ListQuery),
    responses((status = 200, body = inline(Page<Notification>)), (status = 422, body = Problem)))]
pub async fn list_notifications(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<ListQuery>,
) -> R<Json<Page<Notification>>> {
    Ok(Json(s.db.list_notifications(&c.scope, &q).await?))
}

/// 重发: sends a failed notice again, from the start of the retry schedule.
#[utoipa::path(post, path = "/notifications/{id}/retry", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = Notification), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn retry_notification(
    State(s): State<AppState>,
    c: Authorized<WriteRegistry>,
    Path(id): Path<i64>,
) -> R<Json<Notification>> {
    Ok(Json(s.db.retry_notification(&c.scope, id, now_ms()).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FileQuery {
    /// The file's name, e.g. `塌方现场.jpg`.
    pub name: String,
    /// A photo of the result the reporter may see on the tracking page.
    #[serde(default)]
    pub public: bool,
}

/// 上传照片或附件: the request body is the file itself (at most 10 MB; JPEG, PNG, WebP, GIF, HEIC,
/// PDF, Word or Excel, recognised from the content). The same content again returns the file
/// already attached (200), so a resend is harmless.
#[utoipa::path(post, path = "/cases/{id}/files", tag = "cases", params(("id" = i64, Path), FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = CaseFile), (status = 200, body = CaseFile), (status = 404, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn add_case_file(
    State(s): State<AppState>,
    c: Authorized<WriteRegistry>,
    Path(id): Path<i64>,
    Query(q): Query<FileQuery>,
    body: axum::body::Body,
) -> R<(StatusCode, Json<CaseFile>)> {
    let data = axum::body::to_bytes(body, crate::store::files::MAX_FILE_BYTES)
        .await
        .map_err(|_| ApiError::too_large("文件超过10MB", "the file is larger than 10 MB"))?;
    let (f, created) =
        s.db.add_case_file(
            &c.scope,
            id,
            &q.name,
            data.to_vec(),
            crate::store::files::Upload {
                user: Some(c.user.id),
                at: now_ms(),
                public: q.public,
            },
        )
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(f)))
}

/// 附件列表: a case's photos and documents.
#[utoipa::path(get, path = "/cases/{id}/files", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CaseFile>), (status = 404, body = Problem)))]
pub async fn list_case_files(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path(id): Path<i64>,
) -> R<Json<Vec<CaseFile>>> {
    Ok(Json(s.db.case_files(&c.scope, id).await?))
}

/// 下载附件: the file's bytes, with its type; photos are shown inline, documents downloaded.
#[utoipa::path(get, path = "/cases/{id}/files/{seq}", tag = "cases", params(("id" = i64, Path), ("seq" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem)))]
pub async fn get_case_file(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((id, seq)): Path<(i64, i64)>,
) -> R<axum::response::Response> {
    use axum::response::IntoResponse;
    let (f, data) = s.db.case_file(&c.scope, id, seq).await?;
    Ok(file_response(&f, data).into_response())
}

/// A stored file as an HTTP response that a browser will not run as a page.
pub fn file_response(f: &CaseFile, data: Vec<u8>) -> impl axum::response::IntoResponse {
    use axum::http::header;
    let disposition = if f.content_type.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    let encoded: String = f
        .name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, f.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (header::CONTENT_SECURITY_POLICY, "sandbox".into()),
            (header::CACHE_CONTROL, "private, max-age=3600".into()),
        ],
        data,
    )
}
