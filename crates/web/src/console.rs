//! The console's frame: the language, the signed-in viewer, the chrome around every page (base
//! template, navigation), error pages, the platform's assets, and the helpers every feature's pages
//! use.

use crate::{AppState, Authenticated};
use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;
use xiangzhi_domain::Right;
use xiangzhi_storage::accounts::User;
use xiangzhi_storage::audit::AuditEntry;
use xiangzhi_storage::{Scope, StoreError};

/// The language cookie's name: `en` switches the console to English.
pub const LANG_COOKIE: &str = "xz_lang";

/// What a page handler answers.
pub type P = Result<Response, PageError>;

/// Maps a storage error to the page that explains it.
pub fn store(l: L) -> impl Fn(StoreError) -> PageError {
    move |e| PageError::Store(l, e)
}

/// Writes the audit entry of a page's action (and marks the request audited, so the middleware
/// writes no second one).
pub async fn record(
    s: &AppState,
    v: &Viewer,
    action: &str,
    object: String,
    outcome: &str,
    detail: String,
) {
    let e = AuditEntry {
        user_id: Some(v.user.id),
        login: v.user.login.clone(),
        action: action.into(),
        object,
        outcome: outcome.into(),
        source: v.source.clone(),
        detail,
        county_id: v.actor.county_id,
    };
    match s.db.audit(&e).await {
        Ok(_) => v.actor.mark_audited(),
        Err(e) => tracing::error!(error = %e, "audit append failed"),
    }
}

/// One list as an .xlsx download, audited as an export (`action`, the file's `name`, its rows).
pub async fn export_sheet(
    s: &AppState,
    v: &Viewer,
    action: &str,
    name: &str,
    sheet: &str,
    headers: &[&str],
    rows: Vec<Vec<xiangzhi_tabular::table::Cell>>,
) -> Result<Response, PageError> {
    let n = rows.len();
    let bytes = xiangzhi_tabular::table::sheet_bytes(sheet, headers, &rows).map_err(|e| {
        tracing::error!(error = ?e, "workbook failed");
        PageError::NotFound(v.l)
    })?;
    record(s, v, action, name.to_string(), "ok", format!("{n} rows")).await;
    Ok(attachment(name, false, bytes))
}

/// What a page says after a change: (Chinese, English, whether it went through).
pub type Message = Option<(String, String, bool)>;

/// A refused change, as the page says it.
pub fn refused(e: StoreError) -> Message {
    let (zh, en) = crate::error::ApiError::from(e).reasons();
    Some((zh, en, false))
}

/// 422 when the page shows a refused change, else 200.
pub fn status_of(m: &Message) -> StatusCode {
    if m.as_ref().is_some_and(|m| !m.2) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

/// A file the console serves under `/assets/{name}`, embedded in the binary.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    pub name: &'static str,
    pub body: &'static [u8],
    /// Its content type.
    pub kind: &'static str,
}

impl Asset {
    pub const fn script(name: &'static str, body: &'static [u8]) -> Asset {
        Asset {
            name,
            body,
            kind: "text/javascript; charset=utf-8",
        }
    }
}

/// The platform's own assets: htmx, the stylesheet, ECharts.
pub const PLATFORM_ASSETS: &[Asset] = &[
    Asset::script("htmx.min.js", include_bytes!("../assets/htmx.min.js")),
    Asset {
        name: "app.css",
        body: include_bytes!("../assets/app.css"),
        kind: "text/css; charset=utf-8",
    },
    Asset::script("echarts.min.js", include_bytes!("../assets/echarts.min.js")),
    Asset::script("places.js", include_bytes!("../assets/places.js")),
];

/// Every asset of the composed console, with its version (the start of its SHA-256).
static ASSETS: std::sync::OnceLock<std::collections::HashMap<&'static str, (Asset, String)>> =
    std::sync::OnceLock::new();

/// Records the composed console's assets (the first composition wins; every composition of one
/// binary holds the same files).
pub fn register_assets(list: impl Iterator<Item = Asset>) {
    ASSETS.get_or_init(|| {
        list.map(|a| {
            use sha2::Digest;
            let v = xiangzhi_storage::crypto::hex(&sha2::Sha256::digest(a.body)[..6]);
            (a.name, (a, v))
        })
        .collect()
    });
}

/// The address of an asset with its version, which may be cached for a year.
pub fn asset_href(name: &str) -> String {
    match ASSETS.get().and_then(|m| m.get(name)) {
        Some((_, v)) => format!("/assets/{name}?v={v}"),
        None => format!("/assets/{name}"),
    }
}

/// `/assets/{name}`: asked for with its current version, cached for a year (`immutable`); asked
/// for without, or with an old one, cached for five minutes.
pub async fn asset(
    axum::extract::Path(name): axum::extract::Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let Some((a, v)) = ASSETS.get().and_then(|m| m.get(name.as_str())) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let current = query.as_deref() == Some(&format!("v={v}"));
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    (
        [
            (header::CONTENT_TYPE, a.kind),
            (header::CACHE_CONTROL, cache),
        ],
        a.body,
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
            en: crate::cookie(h, LANG_COOKIE).as_deref() == Some("en"),
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
    /// The request's actor: the scope carries it, and a page that writes its own audit entry marks
    /// it (the middleware then writes none).
    pub actor: xiangzhi_storage::Actor,
    /// The composed console's navigation.
    pub menu: Menu,
    /// The name of the account's division.
    pub place: String,
}

impl Viewer {
    pub fn scope(&self) -> Scope {
        self.user.scope().by(self.actor.clone())
    }
    /// The page needs `right`; without it the account sees a refusal page.
    pub fn need(&self, right: Right) -> Result<(), PageError> {
        if self.user.can(right) {
            Ok(())
        } else {
            Err(PageError::Forbidden(self.l))
        }
    }
    pub fn caller(&self) -> crate::Caller {
        crate::Caller {
            user: self.user.clone(),
            scope: self.scope(),
            source: self.source.clone(),
        }
    }
    pub fn chrome(&self, title: &str) -> Chrome {
        Chrome {
            l: self.l,
            title: title.to_string(),
            nav: self
                .menu
                .0
                .iter()
                .filter(|m| {
                    self.user.can(m.right)
                        && (m.roles.is_empty() || m.roles.contains(&self.user.role))
                })
                .map(|m| (m.href, self.l.t(m.zh, m.en)))
                .collect(),
            me: Some(Me {
                name: self.user.display_name.clone(),
                role_zh: self.user.role.zh().to_string(),
                role_en: self.user.role.as_str().replace('_', " "),
                division: self.place.clone(),
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
                actor: crate::actor_of(&parts.extensions),
                menu: parts.extensions.get::<Menu>().cloned().unwrap_or_default(),
                place: parts
                    .extensions
                    .get::<crate::PlaceName>()
                    .map(|p| p.0.clone())
                    .unwrap_or_else(|| u.division_code.clone()),
                user: u.clone(),
                l,
                source: crate::source_of(&parts.extensions),
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

/// One entry of the console's navigation, shown to accounts with `right`.
#[derive(Debug, Clone, Copy)]
pub struct MenuEntry {
    pub href: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub right: Right,
    /// The roles whose daily work it is (empty: every role holding `right`). The menu stays short
    /// on a grid worker's phone; the pages themselves still check the right, not this list.
    pub roles: &'static [xiangzhi_domain::Role],
}

/// Menu audiences: the county and township offices and the village secretaries.
pub const OFFICES_AND_VILLAGES: &[xiangzhi_domain::Role] = &[
    xiangzhi_domain::Role::CountyAdmin,
    xiangzhi_domain::Role::TownshipOfficer,
    xiangzhi_domain::Role::VillageSecretary,
];
/// Those who work in the field.
pub const FIELD: &[xiangzhi_domain::Role] = &[
    xiangzhi_domain::Role::VillageSecretary,
    xiangzhi_domain::Role::GridWorker,
];

/// The navigation of the composed console, in feature order.
#[derive(Clone, Default)]
pub struct Menu(pub Arc<Vec<MenuEntry>>);

/// What every full page shows around its content.
pub struct Chrome {
    pub l: L,
    pub title: String,
    /// The navigation this account may follow: (link, label).
    pub nav: Vec<(&'static str, &'static str)>,
    pub me: Option<Me>,
    pub path: String,
}

impl Chrome {
    /// The versioned address of an asset (`/assets/app.css?v=…`).
    pub fn asset(&self, name: &str) -> String {
        asset_href(name)
    }

    /// The chrome of a page shown without an account (login, public report, errors).
    pub fn bare(l: L, title: &str, path: &str) -> Chrome {
        Chrome {
            l,
            title: title.into(),
            nav: Vec::new(),
            me: None,
            path: path.into(),
        }
    }
}

pub struct Me {
    pub name: String,
    pub role_zh: String,
    pub role_en: String,
    pub division: String,
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
    Api(L, crate::error::ApiError),
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
                let api: crate::error::ApiError = e.into();
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
            c: Chrome::bare(l, l.t("出错了", "Something went wrong"), "/"),
            status: status.as_u16(),
            zh,
            en,
        };
        let mut r = match page.render() {
            Ok(html) => (status, axum::response::Html(html)).into_response(),
            Err(_) => status.into_response(),
        };
        if status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("2"),
            );
        }
        r
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        PageError::Render(e)
    }
}

/// Renders a template as an HTML response.
/// A file to download (.xlsx, or CSV), never cached or sniffed.
pub fn attachment(name: &str, csv: bool, bytes: Vec<u8>) -> Response {
    use axum::http::header;
    let (ext, kind) = if csv {
        ("csv", "text/csv; charset=utf-8")
    } else {
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    };
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{ext}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}

pub fn html<T: Template>(t: T) -> Result<Response, PageError> {
    Ok(axum::response::Html(t.render()?).into_response())
}

/// The state extractor re-exported for the page handlers.
pub type St = State<AppState>;
