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

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use xiangzhi_api::AppState;
pub use xiangzhi_web::console::*;

/// The console's routes, to be merged with the API's router; `api_and_console` does both.
pub fn routes(state: AppState) -> Router {
    xiangzhi_web::pages::routes()
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
        .route("/assets/stats.js", get(|| script(STATS_JS)))
        .route("/assets/alliances.js", get(|| script(ALLIANCES_JS)))
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

const STATS_JS: &[u8] = include_bytes!("../assets/stats.js");
const ALLIANCES_JS: &[u8] = include_bytes!("../assets/alliances.js");

async fn script(body: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
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
