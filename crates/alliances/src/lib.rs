//! 跨村联建 (cross-village alliances): the villages' planning profiles, alliance plans formed by
//! the pure planner (`xiangzhi-planner`) as background jobs with progress, comparing two plans,
//! and accepting one, which forms the joint party organisations. Its files (villages in, plans
//! out) are read and written on the tabular engine.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
// The store's extension traits are used on the concrete `Db` only, where the futures' `Send` is
// known; no generic caller needs a bound on them.
#![allow(async_fn_in_trait)]

pub mod api;
pub mod demo;
pub mod files;
mod pages;
pub mod store;
pub mod tables;

pub use store::AllianceStore;

use axum::routing::{get, post};
use axum::Router;
use xiangzhi_domain::Right;
use xiangzhi_web::feature::{no_doc, no_pages};
use xiangzhi_web::{AppState, Feature, MenuEntry, Tag};

/// This feature, as the binary composes it.
pub const FEATURE: Feature = Feature {
    name: "alliances",
    zh: "跨村联建",
    en: "Cross-village alliances",
    tags: &[Tag {
        name: "alliances",
        description: "跨村联建规划 — cross-village alliance planning",
    }],
    api: api::routes,
    doc: no_doc,
    pages: routes,
    public: no_pages,
    menu: &[MenuEntry {
        href: "/alliances",
        zh: "跨村联建",
        en: "Alliances",
        right: Right::ReadRegistry,

        roles: xiangzhi_web::console::OFFICES_AND_VILLAGES,
    }],
    rights: &[Right::ReadRegistry, Right::WriteStructure],
    tables: tables::TABLES,
    layouts: &[],
    demo: Some(demo::builder),
    home: None,
    household: None,
    assets: ASSETS,
};

const ASSETS: &[xiangzhi_web::console::Asset] = &[xiangzhi_web::console::Asset::script(
    "alliances.js",
    include_bytes!("../assets/alliances.js"),
)];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/alliances", get(pages::page).post(pages::create))
        .route("/alliances/compare", get(pages::compare_page))
        .route("/alliances/{id}", get(pages::plan))
        .route("/alliances/{id}/accept", post(pages::accept_page))
}
