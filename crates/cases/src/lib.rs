//! 诉求与矛盾纠纷 (demands and disputes) in a closed loop: intake from residents, grid workers and
//! Open311 with idempotency keys; dispatch, handling, escalation by the case clock, confirmation
//! and review; mediation records; files; notifications to a gateway; public tracking; statistics;
//! and the offline phone page. The rules of the loop (`rules`) are pure.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
// The store's extension traits are used on the concrete `Db` only, where the futures' `Send` is
// known; no generic caller needs a bound on them.
#![allow(async_fn_in_trait)]

pub mod api;
pub mod demo;
mod open311;
mod pages;
pub mod rules;
pub mod store;
pub mod tables;
pub mod webhook;

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;
use xiangzhi_domain::Right;
use xiangzhi_web::{AppState, Feature, MenuEntry, Tag};

/// This feature, as the binary composes it.
pub const FEATURE: Feature = Feature {
    name: "cases",
    zh: "诉求与矛盾纠纷",
    en: "Demands and disputes",
    tags: &[
        Tag {
            name: "cases",
            description: "诉求与矛盾纠纷闭环 — demands and disputes in a closed loop",
        },
        Tag {
            name: "open311",
            description: "Open311 GeoReport v2 — public reading, submissions with an account token",
        },
    ],
    api: api::routes,
    doc: open311_doc,
    pages: routes,
    public: open311::routes,
    menu: &[
        MenuEntry {
            href: "/cases",
            zh: "事项待办",
            en: "Cases",
            right: Right::ReadRegistry,

            roles: &[],
        },
        MenuEntry {
            href: "/stats",
            zh: "统计",
            en: "Statistics",
            right: Right::ReadRegistry,

            roles: xiangzhi_web::console::OFFICES_AND_VILLAGES,
        },
        MenuEntry {
            href: "/notifications",
            zh: "通知",
            en: "Notices",
            right: Right::ReadRegistry,

            roles: &[],
        },
        MenuEntry {
            href: "/m/",
            zh: "移动上报",
            en: "Field report",
            right: Right::ReadRegistry,

            roles: xiangzhi_web::console::FIELD,
        },
    ],
    rights: &[
        Right::ReadRegistry,
        Right::WriteRegistry,
        Right::WriteStructure,
    ],
    tables: tables::TABLES,
    layouts: &[],
    demo: Some(demo::builder),
    home: Some(pages::home::builder),
    household: Some(pages::home::household),
    assets: ASSETS,
};

/// The Open311 operations, documented beside the API's own.
#[derive(OpenApi)]
#[openapi(paths(
    open311::services,
    open311::service_definition,
    open311::requests,
    open311::request,
    open311::create
))]
struct Open311Doc;

fn open311_doc() -> utoipa::openapi::OpenApi {
    Open311Doc::openapi()
}

const ASSETS: &[xiangzhi_web::console::Asset] = &[
    xiangzhi_web::console::Asset::script("stats.js", include_bytes!("../assets/stats.js")),
    xiangzhi_web::console::Asset::script("report.js", include_bytes!("../assets/report.js")),
];

fn routes() -> Router<AppState> {
    use pages::{cases, filing, ledger, mobile, notifications, public, stats};
    Router::new()
        .route("/cases", get(cases::cases))
        .route("/cases/new", get(filing::form).post(filing::file))
        .route("/cases/ledger", get(ledger::ledger))
        .route("/cases/ledger.xlsx", get(ledger::xlsx))
        .route("/cases/{id}", get(cases::case))
        .route("/cases/{id}/step", post(cases::case_step))
        .route(
            "/cases/{id}/files",
            post(cases::case_upload).layer(axum::extract::DefaultBodyLimit::max(
                store::files::MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/report",
            get(public::report_form).post(public::report).layer(
                axum::extract::DefaultBodyLimit::max(store::files::MAX_FILE_BYTES + 64 * 1024),
            ),
        )
        .route("/report/track", get(public::track).post(public::answer))
        .route("/report/track/photo", get(public::photo))
        .route("/notifications", get(notifications::notifications))
        .route(
            "/notifications/{id}/retry",
            post(notifications::retry_notification),
        )
        .route("/stats", get(stats::page))
        .route("/stats.xlsx", get(stats::xlsx))
        .route("/m", get(mobile::bare))
        .route("/m/", get(mobile::page))
        .route("/m/app.js", get(mobile::app_js))
        .route("/m/app.css", get(mobile::app_css))
        .route("/m/sw.js", get(mobile::service_worker))
}

/// Everything a caller needs to use the feature's store: the extension traits of `Db`.
pub mod prelude {
    pub use crate::store::{
        CaseClock, CaseFileStore, CaseHistory, CaseIntake, CaseLedger, CaseQueries, CaseStatistics,
        CaseSteps, MediationStore, NotificationStore, PublicCases,
    };
}
