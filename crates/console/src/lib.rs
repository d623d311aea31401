//! The console: server-rendered pages (askama templates, htmx for partial updates, no JavaScript
//! build step, assets embedded in the binary), Simplified Chinese first with an English switch,
//! laid out for a phone first and widened for a command-centre screen.
//!
//! It signs in through the API's `sign_in`, is authenticated by the API's middleware (the same
//! session cookie), and reads only through storage calls that take the account's `Scope`, so the
//! console cannot show more than the API would. Personal data is masked through the API's
//! `Personal`/`show`, which also audits every full view.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod alliances;
mod mobile;
mod pages;
mod public;
mod stats;

use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use xiangzhi_api::{AppState, Authenticated};
use xiangzhi_domain::Right;
use xiangzhi_storage::accounts::User;
use xiangzhi_storage::{Scope, StoreError};

/// The language cookie's name: `en` switches the console to English.
pub const LANG_COOKIE: &str = "xz_lang";

/// The console's routes, to be merged with the API's router; `api_and_console` does both.
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/lang", get(pages::switch_lang))
        .route("/tree", get(pages::tree))
        .route("/search", get(pages::search))
        .route("/search/results", get(pages::search_results))
        .route("/households/{id}", get(pages::household))
        .route("/residents/{id}", get(pages::resident))
        .route("/residents/{id}/reveal", post(pages::reveal_resident))
        .route("/party", get(pages::party))
        .route("/party/{id}", get(pages::party_org))
        .route("/coverage", get(pages::coverage))
        .route("/cases", get(pages::cases))
        .route("/cases/{id}", get(pages::case))
        .route("/cases/{id}/step", post(pages::case_step))
        .route(
            "/cases/{id}/files",
            post(pages::case_upload).layer(axum::extract::DefaultBodyLimit::max(
                xiangzhi_storage::files::MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .route("/report", get(public::report_form).post(public::report))
        .route("/report/track", get(public::track).post(public::answer))
        .route("/notifications", get(pages::notifications))
        .route("/stats", get(stats::page))
        .route("/alliances", get(alliances::page).post(alliances::create))
        .route("/alliances/compare", get(alliances::compare_page))
        .route("/alliances/{id}", get(alliances::plan))
        .route("/alliances/{id}/accept", post(alliances::accept_page))
        .route("/stats.xlsx", get(stats::xlsx))
        .route("/notifications/{id}/retry", post(pages::retry_notification))
        .route("/m", get(mobile::bare))
        .route("/m/", get(mobile::page))
        .route("/m/app.js", get(mobile::app_js))
        .route("/m/app.css", get(mobile::app_css))
        .route("/m/sw.js", get(mobile::service_worker))
        .route("/users", get(pages::users).post(pages::create_user))
        .route("/users/{id}/disable", post(pages::disable_user))
        .route("/users/{id}/enable", post(pages::enable_user))
        .route("/users/{id}/password", post(pages::reset_password))
        .route("/users/requests/{id}/approve", post(pages::approve_request))
        .route("/users/requests/{id}/reject", post(pages::reject_request))
        .route("/audit", get(pages::audit))
        .route("/audit/verify", post(pages::audit_verify))
        .route("/audit/checkpoint", post(pages::audit_checkpoint))
        .route(
            "/audit/checkpoints.jsonl",
            get(pages::audit_checkpoints_file),
        )
        .route("/assets/{name}", get(asset))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            xiangzhi_api::authenticate,
        ))
        .with_state(state)
}

/// The whole HTTP application: the API (with its OpenAPI document and Swagger UI) and the console,
/// behind the one edge (client address, cross-site writes, control characters, headers).
pub fn app(state: AppState) -> Router {
    let all = xiangzhi_api::routes(state.clone()).merge(routes(state.clone()));
    xiangzhi_api::with_edge(all, state)
}

/// Serves `app` on `addr` until Ctrl-C.
pub async fn serve(state: AppState, addr: std::net::SocketAddr) -> std::io::Result<()> {
    let listener = tokio_listener(addr).await?;
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

async fn tokio_listener(addr: std::net::SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await
}

const HTMX: &[u8] = include_bytes!("../assets/htmx.min.js");
const CSS: &[u8] = include_bytes!("../assets/app.css");
const ECHARTS: &[u8] = include_bytes!("../assets/echarts.min.js");
const STATS_JS: &[u8] = include_bytes!("../assets/stats.js");
const ALLIANCES_JS: &[u8] = include_bytes!("../assets/alliances.js");

async fn asset(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "app.css" => (CSS, "text/css; charset=utf-8"),
        "echarts.min.js" => (ECHARTS, "text/javascript; charset=utf-8"),
        "stats.js" => (STATS_JS, "text/javascript; charset=utf-8"),
        "alliances.js" => (ALLIANCES_JS, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

/// Chinese or English, from the language cookie.
#[derive(Clone, Copy, Debug, Default)]
pub struct L {
    pub en: bool,
}

impl L {
    pub fn from_headers(h: &HeaderMap) -> L {
        L {
            en: xiangzhi_api::cookie(h, LANG_COOKIE).as_deref() == Some("en"),
        }
    }
    /// The text in the chosen language.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.en {
            en
        } else {
            zh
        }
    }
    pub fn html_lang(&self) -> &'static str {
        if self.en {
            "en"
        } else {
            "zh-CN"
        }
    }
    /// A timestamp (ms since the epoch) in China Standard Time.
    pub fn time(&self, ms: &i64) -> String {
        let Some(tz) = chrono::FixedOffset::east_opt(8 * 3600) else {
            return String::new();
        };
        chrono::DateTime::from_timestamp_millis(*ms)
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    }
}

/// The signed-in account of a console page. Without one, the page redirects to the login form.
pub struct Viewer {
    pub user: Arc<User>,
    pub l: L,
    pub path: String,
    pub source: String,
    /// Set when the page writes its own audit entry (the middleware then writes none).
    pub audit_mark: Option<xiangzhi_api::AuditMark>,
}

impl Viewer {
    pub fn scope(&self) -> Scope {
        self.user.scope()
    }
    /// The page needs `right`; without it the account sees a refusal page.
    pub fn need(&self, right: Right) -> Result<(), PageError> {
        if self.user.can(right) {
            Ok(())
        } else {
            Err(PageError::Forbidden(self.l))
        }
    }
    pub fn caller(&self) -> xiangzhi_api::Caller {
        xiangzhi_api::Caller {
            user: self.user.clone(),
            scope: self.scope(),
            source: self.source.clone(),
        }
    }
    pub fn chrome(&self, title: &str) -> Chrome {
        Chrome {
            l: self.l,
            title: title.to_string(),
            me: Some(Me {
                name: self.user.display_name.clone(),
                role_zh: self.user.role.zh().to_string(),
                role_en: self.user.role.as_str().replace('_', " "),
                division: self.user.division_code.clone(),
                registry: self.user.can(Right::ReadRegistry),
                accounts: self.user.can(Right::ManageAccounts)
                    || self.user.can(Right::ApproveAccounts),
                audit: self.user.can(Right::ReadAudit),
            }),
            path: self.path.clone(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        let l = L::from_headers(&parts.headers);
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        match parts.extensions.get::<Authenticated>() {
            Some(Authenticated(u)) => Ok(Viewer {
                audit_mark: parts.extensions.get::<xiangzhi_api::AuditMark>().cloned(),
                user: u.clone(),
                l,
                source: xiangzhi_api::source_of(&parts.extensions),
                path,
            }),
            None => {
                let to = format!("/login?next={}", encode(&path));
                // htmx follows HX-Redirect for partial requests.
                if parts.headers.contains_key("hx-request") {
                    Err(([("HX-Redirect", to)], StatusCode::UNAUTHORIZED).into_response())
                } else {
                    Err(Redirect::to(&to).into_response())
                }
            }
        }
    }
}

/// Percent-encodes a path for a query parameter.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What every full page shows around its content.
pub struct Chrome {
    pub l: L,
    pub title: String,
    pub me: Option<Me>,
    pub path: String,
}

pub struct Me {
    pub name: String,
    pub role_zh: String,
    pub role_en: String,
    pub division: String,
    pub registry: bool,
    pub accounts: bool,
    pub audit: bool,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    status: u16,
    zh: String,
    en: String,
}

/// Why a page cannot be shown.
pub enum PageError {
    NotFound(L),
    Forbidden(L),
    Store(L, StoreError),
    Api(L, xiangzhi_api::error::ApiError),
    Render(askama::Error),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (l, status, zh, en) = match self {
            PageError::NotFound(l) | PageError::Store(l, StoreError::NotFound) => (
                l,
                StatusCode::NOT_FOUND,
                "未找到该记录，或不在您的管辖范围内".to_string(),
                "no such record within your jurisdiction".to_string(),
            ),
            PageError::Forbidden(l) => (
                l,
                StatusCode::FORBIDDEN,
                "您的角色无权查看此页面".into(),
                "your role may not see this page".into(),
            ),
            PageError::Store(l, e) => {
                let api: xiangzhi_api::error::ApiError = e.into();
                let (zh, en) = api.reasons();
                (l, api.status_code(), zh, en)
            }
            PageError::Api(l, e) => {
                let (zh, en) = e.reasons();
                (l, e.status_code(), zh, en)
            }
            PageError::Render(e) => {
                tracing::error!(error = %e, "template failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        if status.is_server_error() {
            tracing::error!(%status, %en, "console page failed");
        }
        let page = ErrorPage {
            c: Chrome {
                l,
                title: l.t("出错了", "Something went wrong").into(),
                me: None,
                path: "/".into(),
            },
            status: status.as_u16(),
            zh,
            en,
        };
        match page.render() {
            Ok(html) => (status, axum::response::Html(html)).into_response(),
            Err(_) => status.into_response(),
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        PageError::Render(e)
    }
}

/// The viewer's own division and those just below it that `keep` accepts, as (code, name) for an
/// area choice (the ones below indented).
pub async fn own_and_below(
    s: &AppState,
    v: &Viewer,
    keep: impl Fn(&xiangzhi_storage::Division) -> bool,
) -> Vec<(String, String)> {
    let scope = v.scope();
    let mut out = Vec::new();
    if let Ok(d) = s.db.get_division(&scope, &v.user.division_code).await {
        out.push((d.code, d.name));
    }
    let below = xiangzhi_storage::ListQuery {
        parent: Some(v.user.division_code.clone()),
        limit: Some(500),
        ..Default::default()
    };
    if let Ok(p) = s.db.list_divisions(&scope, &below).await {
        out.extend(
            p.items
                .into_iter()
                .filter(|d| keep(d))
                .map(|d| (d.code, format!("　{}", d.name))),
        );
    }
    out
}

/// Renders a template as an HTML response.
pub fn html<T: Template>(t: T) -> Result<Response, PageError> {
    Ok(axum::response::Html(t.render()?).into_response())
}

/// The state extractor re-exported for the page handlers.
pub type St = State<AppState>;
