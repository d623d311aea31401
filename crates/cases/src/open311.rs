//! Open311 GeoReport v2 (JSON) at `/open311/v2`: services are a county's case categories, requests
//! are its cases. `jurisdiction_id` is the county's code; `api_key` (needed to file a request) is an
//! account's API token, whose jurisdiction applies. Reading is public, as the standard expects, and
//! shows only what the public may know: no disputes (mediation is private), no reporter, no
//! household, the village rather than an address.

use crate::prelude::*;
use crate::rules::CaseState;
use crate::store::{CaseInput, PublicCase, PublicFilter};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use utoipa::ToSchema;
use xiangzhi_storage::{now_ms, StoreError};
use xiangzhi_web::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/services.json", get(services))
        .route("/open311/v2/services/{code}", get(service_definition))
        .route("/open311/v2/requests.json", get(requests).post(create))
        .route("/open311/v2/requests/{id}", get(request))
}

/// A service (a case category the public may report) as Open311 lists it.
#[derive(Serialize, ToSchema)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    /// Always `realtime`.
    #[serde(rename = "type")]
    pub kind: String,
    pub keywords: String,
    /// The level that settles it.
    pub group: String,
}

/// A service's definition (no extra attributes).
#[derive(Serialize, ToSchema)]
pub struct ServiceDefinition {
    pub service_code: String,
    pub attributes: Vec<Value>,
}

/// A request (case) as the public may see it.
#[derive(Serialize, ToSchema)]
pub struct ServiceRequest {
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: String,
    pub status_notes: String,
    pub service_name: String,
    pub service_code: String,
    /// What happened, with phone and ID numbers masked.
    pub description: String,
    pub agency_responsible: String,
    pub service_notice: String,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    /// The village, not an address.
    pub address: String,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

/// The answer to a submission.
#[derive(Serialize, ToSchema)]
pub struct Submitted {
    pub service_request_id: String,
    pub service_notice: String,
    pub account_id: Option<String>,
}

/// An Open311 error.
#[derive(Serialize, ToSchema)]
pub struct Open311Error {
    pub code: u16,
    /// Chinese / English.
    pub description: String,
}

/// A submission (form-encoded).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct Submission {
    /// An account's API token.
    pub api_key: String,
    /// The county code, e.g. 141029.
    pub jurisdiction_id: String,
    pub service_code: String,
    pub description: String,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    /// The village (12-digit code) or group (15-digit); default: the account's own division.
    pub address_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub device_id: Option<String>,
    /// Makes a retry safe: the same key files nothing new.
    #[serde(rename = "attribute[idempotency_key]")]
    pub idempotency_key: Option<String>,
}

/// An Open311 error: `[{"code": status, "description": …}]`, Chinese then English.
fn error(status: StatusCode, zh: &str, en: &str) -> Response {
    (
        status,
        axum::Json([Open311Error {
            code: status.as_u16(),
            description: format!("{zh} / {en}"),
        }]),
    )
        .into_response()
}

/// A refused query parameter, turned into an Open311 error when answered.
struct Refused(StatusCode, String, String);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        error(self.0, &self.1, &self.2)
    }
}

fn store_error(e: StoreError) -> Response {
    let api: xiangzhi_web::error::ApiError = e.into();
    let (zh, en) = api.reasons();
    error(api.status_code(), &zh, &en)
}

/// `141029` or `141029000000` → the county id.
fn county_of(j: Option<&str>) -> Result<i64, Refused> {
    let bad = || {
        Refused(
            StatusCode::BAD_REQUEST,
            "jurisdiction_id 应为县级区划代码，如 141029".into(),
            "jurisdiction_id must be a county code such as 141029".into(),
        )
    };
    let j = j.map(str::trim).filter(|j| !j.is_empty()).ok_or_else(bad)?;
    let six = match j.len() {
        6 => j,
        12 if j.ends_with("000000") => &j[..6],
        _ => return Err(bad()),
    };
    six.parse().map_err(|_| bad())
}

fn strip_json(s: &str) -> &str {
    s.strip_suffix(".json").unwrap_or(s)
}

fn w3c(ms: i64) -> String {
    let tz = chrono::FixedOffset::east_opt(8 * 3600);
    match (chrono::DateTime::from_timestamp_millis(ms), tz) {
        (Some(t), Some(tz)) => t.with_timezone(&tz).to_rfc3339(),
        _ => String::new(),
    }
}

fn parse_w3c(field: &str, v: Option<&String>) -> Result<Option<i64>, Refused> {
    match v.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.timestamp_millis()))
            .map_err(|_| {
                Refused(
                    StatusCode::BAD_REQUEST,
                    format!("{field} 应为 W3C 时间，如 2026-01-01T00:00:00Z"),
                    format!("{field} must be a W3C datetime such as 2026-01-01T00:00:00Z"),
                )
            }),
    }
}

type Params = Query<HashMap<String, String>>;

fn jurisdiction(q: &HashMap<String, String>) -> Option<&str> {
    q.get("jurisdiction_id").map(String::as_str)
}

/// GET services.json: the case categories the public may report (never disputes).
#[utoipa::path(get, path = "/open311/v2/services.json", tag = "open311", security(()),
    params(("jurisdiction_id" = String, Query, description = "The county code, e.g. 141029")),
    responses((status = 200, body = Vec<Service>), (status = 400, body = Vec<Open311Error>)))]
pub(crate) async fn services(State(s): State<AppState>, Query(j): Params) -> Response {
    let county = match county_of(jurisdiction(&j)) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    match s.db.case_categories(county).await {
        Ok(cats) => axum::Json(
            cats.iter()
                .filter(|c| !c.is_dispute)
                .map(|c| Service {
                    service_code: c.code.clone(),
                    service_name: c.name.clone(),
                    description: format!("{}（由{}办理）", c.name, c.level.zh()),
                    metadata: false,
                    kind: "realtime".into(),
                    keywords: c.code.clone(),
                    group: c.level.as_str().into(),
                })
                .collect::<Vec<Service>>(),
        )
        .into_response(),
        Err(e) => store_error(e),
    }
}

/// GET services/{service_code}.json: a service's definition.
#[utoipa::path(get, path = "/open311/v2/services/{service_code}.json", tag = "open311", security(()),
    params(("service_code" = String, Path), ("jurisdiction_id" = String, Query, description = "The county code")),
    responses((status = 200, body = ServiceDefinition), (status = 400, body = Vec<Open311Error>), (status = 404, body = Vec<Open311Error>)))]
pub(crate) async fn service_definition(
    State(s): State<AppState>,
    Path(code): Path<String>,
    Query(j): Params,
) -> Response {
    let county = match county_of(jurisdiction(&j)) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let code = strip_json(&code);
    match s.db.case_categories(county).await {
        Ok(cats) => match cats.iter().find(|c| c.code == code && !c.is_dispute) {
            Some(c) => axum::Json(ServiceDefinition {
                service_code: c.code.clone(),
                attributes: vec![],
            })
            .into_response(),
            None => error(StatusCode::NOT_FOUND, "没有该服务", "no such service"),
        },
        Err(e) => store_error(e),
    }
}

fn as_request(c: &PublicCase) -> ServiceRequest {
    let closed = matches!(c.state, CaseState::Closed | CaseState::ClosedUnresolved);
    ServiceRequest {
        service_request_id: c.id.to_string(),
        status: if closed { "closed" } else { "open" }.into(),
        status_notes: format!("{} / {}", c.state.zh(), c.state.as_str().replace('_', " ")),
        service_name: c.category_name.clone(),
        service_code: c.category.clone(),
        description: xiangzhi_domain::public_text::mask_numbers(&c.description),
        agency_responsible: c.level.zh().into(),
        service_notice: String::new(),
        requested_datetime: w3c(c.created_at),
        updated_datetime: w3c(c.updated_at),
        expected_datetime: c.due_at.map(w3c),
        address: c.division_name.clone(),
        address_id: None,
        zipcode: None,
        lat: c.latitude,
        long: c.longitude,
        media_url: None,
    }
}

/// GET requests.json: published cases, newest first (the last 90 days unless dates are given).
#[utoipa::path(get, path = "/open311/v2/requests.json", tag = "open311", security(()),
    params(("jurisdiction_id" = String, Query, description = "The county code"),
        ("service_request_id" = Option<String>, Query, description = "Comma-separated ids"),
        ("service_code" = Option<String>, Query), ("status" = Option<String>, Query, description = "open or closed"),
        ("start_date" = Option<String>, Query, description = "W3C datetime"), ("end_date" = Option<String>, Query, description = "W3C datetime")),
    responses((status = 200, body = Vec<ServiceRequest>), (status = 400, body = Vec<Open311Error>)))]
pub(crate) async fn requests(State(s): State<AppState>, Query(q): Params) -> Response {
    let county = match county_of(q.get("jurisdiction_id").map(String::as_str)) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let mut f = PublicFilter::default();
    if let Some(ids) = q.get("service_request_id") {
        f.ids = ids
            .split(',')
            .filter_map(|i| i.trim().parse().ok())
            .collect();
        if f.ids.is_empty() {
            return axum::Json(Vec::<Value>::new()).into_response();
        }
    }
    f.category = q
        .get("service_code")
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    f.open = match q.get("status").map(|s| s.trim()) {
        Some("open") => Some(true),
        Some("closed") => Some(false),
        _ => None,
    };
    f.from = match parse_w3c("start_date", q.get("start_date")) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    f.to = match parse_w3c("end_date", q.get("end_date")) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    if f.ids.is_empty() && f.from.is_none() && f.to.is_none() {
        // The standard's default window: the most recent 90 days.
        f.from = Some(now_ms() - 90 * 24 * 3_600_000);
    }
    match s.db.public_cases(county, &f).await {
        Ok(cases) => axum::Json(cases.iter().map(as_request).collect::<Vec<_>>()).into_response(),
        Err(e) => store_error(e),
    }
}

/// GET requests/{service_request_id}.json: one published case.
#[utoipa::path(get, path = "/open311/v2/requests/{service_request_id}.json", tag = "open311", security(()),
    params(("service_request_id" = String, Path), ("jurisdiction_id" = String, Query, description = "The county code")),
    responses((status = 200, body = Vec<ServiceRequest>), (status = 400, body = Vec<Open311Error>), (status = 404, body = Vec<Open311Error>)))]
pub(crate) async fn request(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(j): Params,
) -> Response {
    let county = match county_of(jurisdiction(&j)) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let Ok(id) = strip_json(&id).parse::<i64>() else {
        return error(StatusCode::NOT_FOUND, "没有该请求", "no such request");
    };
    let f = PublicFilter {
        ids: vec![id],
        ..Default::default()
    };
    match s.db.public_cases(county, &f).await {
        Ok(cases) if !cases.is_empty() => {
            axum::Json(cases.iter().map(as_request).collect::<Vec<_>>()).into_response()
        }
        Ok(_) => error(StatusCode::NOT_FOUND, "没有该请求", "no such request"),
        Err(e) => store_error(e),
    }
}

/// POST requests.json (form-encoded, as the standard has it). `address_id` may name the
/// division (12 or 15 digits); without it the case lands in the account's own division.
/// `attribute[idempotency_key]` makes retries safe; without it the key is derived from the
/// submission, so an identical retry from the same account files nothing new.
#[utoipa::path(post, path = "/open311/v2/requests.json", tag = "open311", security(()),
    request_body(content = Submission, content_type = "application/x-www-form-urlencoded"),
    responses((status = 201, body = Vec<Submitted>), (status = 200, body = Vec<Submitted>, description = "Filed before under the same key"),
        (status = 400, body = Vec<Open311Error>), (status = 401, body = Vec<Open311Error>), (status = 403, body = Vec<Open311Error>),
        (status = 404, body = Vec<Open311Error>), (status = 409, body = Vec<Open311Error>), (status = 422, body = Vec<Open311Error>)))]
pub(crate) async fn create(
    State(s): State<AppState>,
    ext: axum::http::Extensions,
    body: axum::body::Bytes,
) -> Response {
    // Read as a form whatever the content type says (the standard's clients send forms).
    let f: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| f.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let Some(key) = get("api_key") else {
        return error(
            StatusCode::UNAUTHORIZED,
            "提交须带 api_key（账号令牌）",
            "api_key (an account token) is required to submit",
        );
    };
    let user = match s.db.token_user(key).await {
        Ok(Some(u)) => u,
        _ => {
            return error(
                StatusCode::UNAUTHORIZED,
                "api_key 无效或已吊销",
                "the api_key is not valid or was revoked",
            )
        }
    };
    if !user.can(xiangzhi_domain::Right::WriteRegistry) {
        return error(
            StatusCode::FORBIDDEN,
            "该账号无权上报事项",
            "this account may not file cases",
        );
    }
    let county = match county_of(get("jurisdiction_id")) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let division = get("address_id")
        .map(str::to_string)
        .unwrap_or_else(|| user.division_code.clone());
    if !division.starts_with(&format!("{county:06}")) {
        return error(
            StatusCode::BAD_REQUEST,
            "address_id 不在该 jurisdiction_id 内",
            "address_id lies outside the jurisdiction_id",
        );
    }
    let coord = |k: &str| get(k).and_then(|v| v.parse::<f64>().ok());
    let name = [get("last_name"), get("first_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("");
    let idempotency_key = match get("attribute[idempotency_key]") {
        Some(k) => format!("open311:{k}"),
        None => {
            let mut h = Sha256::new();
            for k in [
                "service_code",
                "description",
                "address_id",
                "lat",
                "long",
                "device_id",
                "first_name",
                "last_name",
            ] {
                h.update(get(k).unwrap_or("").as_bytes());
                h.update([0]);
            }
            h.update(user.id.to_le_bytes());
            let digest = xiangzhi_storage::crypto::hex(&h.finalize()[..16]);
            format!("open311:{digest}")
        }
    };
    let input = CaseInput {
        idempotency_key,
        category: get("service_code").unwrap_or("").to_string(),
        description: get("description").unwrap_or("").to_string(),
        division_code: division,
        household_id: None,
        grid_id: None,
        urgency: "normal".into(),
        reporter_kind: "resident".into(),
        reporter_name: (!name.is_empty()).then_some(name),
        anonymous: false,
        latitude: coord("lat"),
        longitude: coord("long"),
        reporter_phone: get("phone").map(str::to_string),
        tracking_hash: None,
    };
    // The key's account acts: the store audits a new case in its own transaction; a refused
    // submission and a repeat (which writes nothing) are audited here. Open311 lies outside the
    // authenticating middleware, so nothing else writes an entry for it.
    let source = xiangzhi_web::source_of(&ext);
    let via = "POST /open311/v2/requests.json";
    let actor = xiangzhi_storage::Actor::new(Some(user.id), user.login.clone(), source, via);
    let result =
        s.db.create_case(
            &user.scope().by(actor.clone()),
            &input,
            Some(user.id),
            now_ms(),
        )
        .await;
    let (object, outcome) = match &result {
        Ok((_, true)) => (String::new(), ""),
        Ok((c, false)) => (format!("case {}:{}", c.county_id, c.id), "repeat"),
        Err(_) => ("case".to_string(), "failed"),
    };
    if !outcome.is_empty() {
        let mut e = actor.entry("report case", object);
        e.outcome = outcome.into();
        if let Err(e) = s.db.audit(&e).await {
            tracing::error!(error = %e, "audit append failed");
        }
    }
    match result {
        Ok((c, created)) => (
            if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            },
            axum::Json([Submitted {
                service_request_id: c.id.to_string(),
                service_notice: format!(
                    "已受理登记，将由{}办理 / registered; to be handled at {} level",
                    c.level.zh(),
                    c.level.as_str().replace('_', " ")
                ),
                account_id: None,
            }]),
        )
            .into_response(),
        Err(e) => store_error(e),
    }
}
