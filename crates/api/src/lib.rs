//! The HTTP API of xiangzhi: JSON under `/api/v1`, the OpenAPI 3.1 document at `/api/openapi.json`
//! (generated from the handlers below) and Swagger UI at `/api/docs`.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod auth;
pub mod cases;
pub mod edge;
pub mod error;
mod open311;
pub mod plans;
mod registry;
pub mod rights;
pub mod webhook;

pub use auth::{set_login_cookies, sign_in, DEVICE_COOKIE};
pub use registry::{show, Personal};

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::Router;
use error::ApiError;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;
use xiangzhi_domain::Right;
use xiangzhi_storage::accounts::User;
use xiangzhi_storage::audit::AuditEntry;
use xiangzhi_storage::{Db, Scope};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub web: std::sync::Arc<edge::WebConfig>,
}

impl AppState {
    /// A server on `db` with the default web settings (no trusted proxies, `Secure` cookies over
    /// HTTPS).
    pub fn new(db: Db) -> AppState {
        AppState::with_web(db, edge::WebConfig::default())
    }
    pub fn with_web(db: Db, web: edge::WebConfig) -> AppState {
        AppState {
            db,
            web: std::sync::Arc::new(web),
        }
    }
}

/// JSON body whose rejections become problem details naming the field.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// Query string extractor with problem-detail rejections.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// Path extractor with problem-detail rejections.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// The authenticated account of a request, put there by the `authenticate` middleware.
#[derive(Clone)]
pub struct Authenticated(pub std::sync::Arc<User>);

/// The caller of a route and the jurisdiction every storage call is limited to. Handlers get it
/// through [`rights::Authorized`], which names the right the route needs.
pub struct Caller {
    pub user: std::sync::Arc<User>,
    pub scope: Scope,
    /// Where the request came from, for audit entries.
    pub source: String,
}

impl Caller {
    /// Whether to show ID numbers and phones in full: only for a role with the right and a stated
    /// purpose. Every full view is audited by the handler that grants it.
    pub fn reveal(&self, r: &Reveal) -> Result<Option<String>, ApiError> {
        if !r.unmask.unwrap_or(false) {
            return Ok(None);
        }
        if !self.user.can(Right::Unmask) {
            return Err(ApiError::forbidden(
                "您的角色无权查看完整个人信息",
                "your role may not see personal data in full",
            ));
        }
        match r
            .purpose
            .as_deref()
            .map(str::trim)
            .filter(|p| p.chars().count() >= 2)
        {
            Some(p) => Ok(Some(p.to_string())),
            None => Err(ApiError::bad_request(
                "purpose",
                "查看完整个人信息须说明用途".into(),
                "state the purpose of seeing personal data in full".into(),
            )),
        }
    }
}

/// `?unmask=true&purpose=…` on routes that return residents or staff.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Reveal {
    /// Show ID numbers and phones in full (needs the right and a purpose; audited).
    pub unmask: Option<bool>,
    /// Why the full data is needed (recorded in the audit log).
    pub purpose: Option<String>,
}

/// The account behind any authenticated route (auth, accounts, audit), without registry rights.
pub struct Account(pub std::sync::Arc<User>);

impl<S: Send + Sync> FromRequestParts<S> for Account {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        match parts.extensions.get::<Authenticated>() {
            Some(Authenticated(u)) => Ok(Account(u.clone())),
            None => Err(ApiError::unauthorized()),
        }
    }
}

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "xz_session";

/// Where a request came from, as the edge decided (the peer, or behind a trusted proxy the
/// forwarded client); forwarded headers are never read here.
pub fn source_of(ext: &axum::http::Extensions) -> String {
    if let Some(p) = ext.get::<edge::Peer>() {
        return p.addr.clone();
    }
    ext.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The attributes of a cookie set on this request's answer (`Secure` as configured).
pub fn cookie_attrs(state: &AppState, ext: &axum::http::Extensions) -> &'static str {
    ext.get::<edge::Peer>()
        .cloned()
        .unwrap_or(edge::Peer {
            addr: String::new(),
            https: false,
        })
        .cookie_attrs(&state.web)
}

pub fn credential(headers: &axum::http::HeaderMap) -> Option<(bool, String)> {
    if let Some(b) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some((true, b.trim().to_string()));
    }
    cookie(headers, SESSION_COOKIE).map(|t| (false, t))
}

/// The value of the cookie `name`, if the request carries it.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| {
            c.trim()
                .strip_prefix(name)
                .and_then(|r| r.strip_prefix('='))
        })
        .map(str::to_string)
        .next()
}

/// Put in a response's extensions by a handler that wrote its own audit entry (in the same
/// transaction as the write), so the middleware does not write a second.
#[derive(Clone, Copy)]
pub struct Audited;

/// Put in every request's extensions by the middleware; a handler (or a page) that writes its own
/// audit entry sets it, so the middleware does not write a second.
#[derive(Clone, Default)]
pub struct AuditMark(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl AuditMark {
    /// Says that this request's audit entry has been written.
    pub fn set(&self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
    fn is_set(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
    /// Sets the mark of the request whose extensions these are, if it has one.
    pub fn set_in(ext: &axum::http::Extensions) {
        if let Some(m) = ext.get::<AuditMark>() {
            m.set();
        }
    }
}

/// Resolves the account of a request (bearer token or session cookie), then writes one audit entry
/// for every write — API and console alike, refused ones included — unless the handler wrote its
/// own (and the handlers write one for every unmasked read).
pub async fn authenticate(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let now = xiangzhi_storage::now_ms();
    let user = match credential(req.headers()) {
        // A bearer is an API token, or the session token the login answered with.
        Some((true, token)) => match state.db.token_user(&token).await.ok().flatten() {
            Some(u) => Some(u),
            None => state.db.session_user(&token, now).await.ok().flatten(),
        },
        Some((false, token)) => state.db.session_user(&token, now).await.ok().flatten(),
        None => None,
    };
    let user = user.map(std::sync::Arc::new);
    if let Some(u) = &user {
        req.extensions_mut().insert(Authenticated(u.clone()));
    }
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let source = source_of(req.extensions());
    let mark = AuditMark::default();
    req.extensions_mut().insert(mark.clone());
    let resp = next.run(req).await;
    let is_write = !matches!(
        method,
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let audited = resp.extensions().get::<Audited>().is_some() || mark.is_set();
    if is_write && !audited {
        let entry = AuditEntry {
            user_id: user.as_ref().map(|u| u.id),
            login: user.as_ref().map(|u| u.login.clone()).unwrap_or_default(),
            action: format!("{method} {path}"),
            object: path.clone(),
            outcome: resp.status().as_u16().to_string(),
            source,
            detail: String::new(),
        };
        if let Err(e) = state.db.audit(&entry).await {
            tracing::error!(error = %e, "audit append failed");
        }
    }
    resp
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "xiangzhi 乡治 API",
        description = "党建引领基层治理 — party-building-led grassroots governance. Errors are RFC 9457 problem details in Chinese and English.",
        version = "1"
    ),
    paths(open311::services, open311::service_definition, open311::requests, open311::request, open311::create),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "auth", description = "登录、会话、令牌、账号、审计 — login, sessions, tokens, accounts, audit"),
        (name = "registry", description = "区划、网格、人口 — divisions, grids, people"),
        (name = "party", description = "党组织与包联 — party organisation and contact duties"),
        (name = "cases", description = "诉求与矛盾纠纷闭环 — demands and disputes in a closed loop"),
        (name = "alliances", description = "跨村联建规划 — cross-village alliance planning"),
        (name = "open311", description = "Open311 GeoReport v2 — public reading, submissions with an account token")
    )
)]
struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Documents the answers every operation can give besides its own, as the edge and the extractors
/// send them: problem details (`application/problem+json`) for a malformed request (400), a login
/// required (401, routes behind the bearer scheme), a refused role or cross-site write (403), a
/// missing or out-of-jurisdiction record (404, routes with a path parameter or a jurisdiction
/// filter), an oversized field or body (413), a control character or invalid field (422).
struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let problem = |what: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(what)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        };
        for (path, item) in doc.paths.paths.iter_mut() {
            let open311 = path.starts_with("/open311/");
            for (write, op) in [
                (false, item.get.as_mut()),
                (true, item.post.as_mut()),
                (true, item.put.as_mut()),
                (true, item.patch.as_mut()),
                (true, item.delete.as_mut()),
            ]
            .into_iter()
            .filter_map(|(w, o)| o.map(|o| (w, o)))
            {
                let responses = &mut op.responses.responses;
                // Errors documented with the Problem schema are sent as problem+json.
                for (code, r) in responses.iter_mut() {
                    if let RefOr::T(r) = r {
                        // OpenAPI requires a description on every response.
                        if r.description.is_empty() {
                            r.description = code
                                .parse::<u16>()
                                .ok()
                                .and_then(|c| axum::http::StatusCode::from_u16(c).ok())
                                .and_then(|c| c.canonical_reason())
                                .unwrap_or("Answer")
                                .to_string();
                        }
                        if let Some(c) = r.content.shift_remove("application/json") {
                            let is_problem = matches!(&c, RefOr::T(c)
                                if matches!(&c.schema, Some(RefOr::Ref(x)) if x.ref_location.ends_with("/Problem")));
                            let key = if is_problem {
                                "application/problem+json"
                            } else {
                                "application/json"
                            };
                            r.content.insert(key.to_string(), c);
                        }
                    }
                }
                let public = op
                    .security
                    .as_ref()
                    .is_some_and(|s| s.iter().all(|r| r == &Default::default()));
                let mut add = |code: &str, what: &str| {
                    let r = responses
                        .entry(code.to_string())
                        .or_insert_with(|| problem(what));
                    // The edge answers in problem details even where the operation's own errors
                    // have another form (Open311).
                    if let RefOr::T(r) = r {
                        if !r.content.contains_key("application/problem+json") {
                            r.content.insert(
                                "application/problem+json".to_string(),
                                RefOr::T(
                                    ContentBuilder::new()
                                        .schema(Some(Ref::from_schema_name("Problem")))
                                        .build(),
                                ),
                            );
                        }
                    }
                };
                add("422", "A field is invalid or holds a control character");
                if write {
                    add("413", "A field or the body is too large");
                }
                if open311 {
                    continue;
                }
                add("400", "The request could not be read");
                if !public {
                    add("401", "Login required");
                }
                if write || !public {
                    add("403", "Not allowed for this role, or a cross-site write");
                }
                if write {
                    add(
                        "409",
                        "Conflicts with existing data, or changed by someone else meanwhile",
                    );
                }
                if !public {
                    add("404", "No such record within your jurisdiction");
                }
            }
        }
    }
}

/// The API router and its OpenAPI document, built from the same handler list.
pub fn api(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(
            "/api/v1",
            registry::routes()
                .merge(auth::routes())
                .merge(cases::routes())
                .merge(plans::routes()),
        )
        .split_for_parts();
    // After the routes joined the document: the answers every operation can give.
    let mut doc = doc;
    utoipa::Modify::modify(&CommonResponses, &mut doc);
    let router = router
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            authenticate,
        ))
        .with_state(state);
    (router, doc)
}

/// The API's routes (API, OpenAPI document, Swagger UI, Open311) without the edge, for the
/// console to merge its own into before the edge wraps them all.
pub fn routes(state: AppState) -> Router {
    let (api, doc) = api(state.clone());
    api.merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
        .merge(open311::routes(state))
}

/// Wraps a whole application in the edge (see [`edge`]) and request tracing.
pub fn with_edge(router: Router, state: AppState) -> Router {
    router
        .layer(axum::middleware::from_fn_with_state(state, edge::edge))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// The whole HTTP API application: API, OpenAPI document, Swagger UI and Open311, behind the edge.
pub fn app(state: AppState) -> Router {
    with_edge(routes(state.clone()), state)
}
