//! The console: server-rendered pages (askama templates, htmx for partial updates, no JavaScript
//! build step, assets embedded in the binary), Simplified Chinese first with an English switch,
//! laid out for a phone first and widened for a command-centre screen.
//!
//! It signs in through the API's `sign_in`, is authenticated by the API's middleware (the same
//! session cookie), and reads only through storage calls that take the account's `Scope`, so the
//! console cannot show more than the API would. Personal data is masked through the API's
//! `Personal`/`show`, which also audits every full view.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod mobile;
mod pages;
mod public;
mod stats;

use axum::routing::{get, post};
use axum::Router;
use xiangzhi_api::AppState;
use xiangzhi_domain::Right;
pub use xiangzhi_web::console::*;
use xiangzhi_web::{MenuEntry, Tag};

/// The areas not yet in crates of their own (registry, party, cases), as one feature while
/// they move.
pub const FEATURE: xiangzhi_web::Feature = xiangzhi_web::Feature {
    name: "registry-party-cases",
    zh: "区划网格、党组织、诉求",
    en: "Registry, party, cases",
    tags: &[
        Tag {
            name: "registry",
            description: "区划、网格、人口 — divisions, grids, people",
        },
        Tag {
            name: "party",
            description: "党组织与包联 — party organisation and contact duties",
        },
        Tag {
            name: "cases",
            description: "诉求与矛盾纠纷闭环 — demands and disputes in a closed loop",
        },
        Tag {
            name: "open311",
            description: "Open311 GeoReport v2 — public reading, submissions with an account token",
        },
    ],
    api: xiangzhi_api::routes,
    doc: xiangzhi_api::doc,
    pages: routes,
    public: xiangzhi_api::public,
    menu: &[
        MenuEntry {
            href: "/tree",
            zh: "区划网格",
            en: "Divisions & grids",
            right: Right::ReadRegistry,
        },
        MenuEntry {
            href: "/search",
            zh: "户籍查询",
            en: "Households",
            right: Right::ReadRegistry,
        },
        MenuEntry {
            href: "/party",
            zh: "党组织",
            en: "Party",
            right: Right::ReadRegistry,
        },
        MenuEntry {
            href: "/coverage",
            zh: "包联覆盖",
            en: "Coverage",
            right: Right::ReadRegistry,
        },
        MenuEntry {
            href: "/cases",
            zh: "事项待办",
            en: "Cases",
            right: Right::ReadRegistry,
        },
        MenuEntry {
            href: "/stats",
            zh: "统计",
            en: "Statistics",
            right: Right::ReadRegistry,
        },
        MenuEntry {
            href: "/notifications",
            zh: "通知",
            en: "Notices",
            right: Right::ReadRegistry,
        },
        MenuEntry {
            href: "/m/",
            zh: "移动上报",
            en: "Field report",
            right: Right::ReadRegistry,
        },
    ],
    rights: &[
        Right::ReadRegistry,
        Right::WriteRegistry,
        Right::WriteStructure,
        Right::Unmask,
    ],
    tables: &[],
};

fn routes() -> Router<AppState> {
    Router::new()
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
        .route("/stats.xlsx", get(stats::xlsx))
        .route("/notifications/{id}/retry", post(pages::retry_notification))
        .route("/m", get(mobile::bare))
        .route("/m/", get(mobile::page))
        .route("/m/app.js", get(mobile::app_js))
        .route("/m/app.css", get(mobile::app_css))
        .route("/m/sw.js", get(mobile::service_worker))
        .route("/assets/stats.js", get(|| script(STATS_JS)))
}

const STATS_JS: &[u8] = include_bytes!("../assets/stats.js");
