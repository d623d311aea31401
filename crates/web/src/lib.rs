//! The web platform of xiangzhi, knowing no feature: the shared state, authentication and the
//! audit of every write, the edge (client address, cross-site writes, control characters, headers),
//! problem details, rights attached to routes, the OpenAPI frame, the console's frame (base page,
//! navigation, language, errors, assets), the account and audit pages, and the composition of
//! feature areas into one application.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod admission;
pub mod auth;
pub mod console;
pub mod edge;
pub mod error;
pub mod feature;
pub mod home;
pub mod openapi;
pub mod pages;
pub mod personal;
pub mod rights;

pub use auth::{set_login_cookies, sign_in, DEVICE_COOKIE};
pub use feature::{Feature, MenuEntry, Tag};

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use error::ApiError;
use xiangzhi_domain::Right;
use xiangzhi_storage::accounts::User;
use xiangzhi_storage::audit::AuditEntry;
use xiangzhi_storage::{Actor, Db, Scope};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub web: std::sync::Arc<edge::WebConfig>,
    /// Division names of signed-in accounts, kept a few minutes (see [`PlaceName`]).
    places: PlaceCache,
    /// Recent requests by key, for per-address limits of this server.
    pub limits: Limits,
    /// The places for requests at work (past them, 503 at once).
    pub admission: admission::Admission,
}

/// Recent requests by key (what and from where, e.g. `report:10.0.0.7`), for limits such as
/// "ten public reports an hour from one address". Each server keeps its own.
#[derive(Clone, Default)]
pub struct Limits(std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Vec<i64>>>>);

impl Limits {
    /// Whether one more request under `key` fits `most` per `window_ms` at `now`; if so it is
    /// counted.
    pub fn allow(&self, key: &str, most: usize, window_ms: i64, now: i64) -> bool {
        let mut recent = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if recent.len() > 10_000 {
            recent.retain(|_, v| v.iter().any(|t| now - t < window_ms));
        }
        let times = recent.entry(key.to_string()).or_default();
        times.retain(|t| now - t < window_ms);
        if times.len() >= most {
            return false;
        }
        times.push(now);
        true
    }

    /// Whether `key` has used up its `most` per `window_ms` at `now` (counts nothing): for
    /// limits on failures only, checked first and counted with [`Limits::allow`] on a failure.
    pub fn exhausted(&self, key: &str, most: usize, window_ms: i64, now: i64) -> bool {
        let recent = self.0.lock().unwrap_or_else(|e| e.into_inner());
        recent
            .get(key)
            .is_some_and(|v| v.iter().filter(|t| now - **t < window_ms).count() >= most)
    }
}

type PlaceCache = std::sync::Arc<
    std::sync::Mutex<std::collections::HashMap<String, (String, std::time::Instant)>>,
>;

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
            places: PlaceCache::default(),
            limits: Limits::default(),
            admission: admission::Admission::default(),
        }
    }

    /// This state with `admission` in front of every request.
    pub fn with_admission(mut self, admission: admission::Admission) -> AppState {
        self.admission = admission;
        self
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

/// The name of the signed-in account's division, for the console's header.
#[derive(Clone)]
pub struct PlaceName(pub String);

/// The name of an account's division, from the server's cache (five minutes, so a renamed
/// division shows its new name soon after, without a query on every request).
async fn place_name(state: &AppState, u: &User) -> String {
    let fresh = |map: &std::collections::HashMap<String, (String, std::time::Instant)>| {
        map.get(&u.division_code)
            .filter(|(_, at)| at.elapsed() < std::time::Duration::from_secs(300))
            .map(|(n, _)| n.clone())
    };
    if let Some(n) = fresh(&state.places.lock().unwrap_or_else(|e| e.into_inner())) {
        return n;
    }
    match state.db.division_name_of(u).await {
        Ok(Some(name)) => {
            let mut map = state.places.lock().unwrap_or_else(|e| e.into_inner());
            if map.len() > 10_000 {
                map.clear();
            }
            map.insert(
                u.division_code.clone(),
                (name.clone(), std::time::Instant::now()),
            );
            name
        }
        // Not (yet) in the database: the code, not remembered.
        _ => u.division_code.clone(),
    }
}

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

/// Says that the request whose extensions these are has its audit entry (written by the handler
/// on its own, not through the store), so the middleware writes no second one.
pub fn mark_audited(ext: &axum::http::Extensions) {
    if let Some(a) = ext.get::<Actor>() {
        a.mark_audited();
    }
}

/// The actor of a request, as the middleware put it in its extensions (the system's when the
/// middleware did not run, as in a unit test).
pub fn actor_of(ext: &axum::http::Extensions) -> Actor {
    ext.get::<Actor>()
        .cloned()
        .unwrap_or_else(|| Actor::system("request"))
}

/// Resolves the account of a request (bearer token or session cookie) and puts the request's
/// [`Actor`] in its extensions: the scope of every handler carries it, so each write through the
/// store appends its entry in its own transaction. A writing request that left no entry — refused,
/// failed, or writing nothing — gets one here, with its status as the outcome.
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
        let name = place_name(&state, u).await;
        req.extensions_mut().insert(PlaceName(name));
    }
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let source = source_of(req.extensions());
    let actor = Actor::new(
        user.as_ref().map(|u| u.id),
        user.as_ref().map(|u| u.login.clone()).unwrap_or_default(),
        source.clone(),
        format!("{method} {path}"),
    )
    .in_county(user.as_ref().and_then(|u| u.county_id()));
    req.extensions_mut().insert(actor.clone());
    let resp = next.run(req).await;
    let is_write = !matches!(
        method,
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    if is_write && !actor.audited() {
        let entry = AuditEntry {
            user_id: user.as_ref().map(|u| u.id),
            login: user.as_ref().map(|u| u.login.clone()).unwrap_or_default(),
            action: format!("{method} {path}"),
            object: path.clone(),
            outcome: resp.status().as_u16().to_string(),
            source,
            detail: String::new(),
            county_id: actor.county_id,
        };
        if let Err(e) = state.db.audit(&entry).await {
            tracing::error!(error = %e, "audit append failed");
        }
    }
    resp
}
