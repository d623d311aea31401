//! 议事与公开 (issue 20): village decisions as the law defines them. The pure rules come first:
//! each kind of meeting's quorum and threshold with the article it comes from
//! ([`rules::meetings`]), which matters must go through 四议两公开 and which meeting may decide
//! them ([`rules::matters`]), and the order of the procedure's steps ([`rules::procedure`]).
//! The store records meetings with their roll and items with their votes, computing whether each
//! passed; the procedure's store, the pages and village affairs publicity build on them.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
#![allow(async_fn_in_trait)]

pub mod api;
pub mod demo;
mod pages;
mod papers;
pub mod procedure_store;
mod public_pages;
pub mod publicity_store;
pub mod roll_store;
pub mod rules;
pub mod store;
pub mod tables;

pub use procedure_store::MatterStore;
pub use publicity_store::PublicityStore;
pub use roll_store::RollStore;
pub use store::MeetingStore;

use axum::routing::{get, post};
use axum::Router;
use xiangzhi_domain::{Right, Role};
use xiangzhi_web::feature::{no_doc, no_pages};
use xiangzhi_web::{AppState, Feature, MenuEntry, Tag};

/// Record meetings, their sign-in and their votes.
pub const RECORD_MEETINGS: Right = Right::new(
    "decisions.record",
    "记录会议与表决",
    "record meetings and votes",
    &[Role::VillageSecretary, Role::TownshipOfficer],
);

/// This feature, as the binary composes it.
pub const FEATURE: Feature = Feature {
    name: "decisions",
    zh: "议事与公开",
    en: "Decisions",
    tags: &[Tag {
        name: "decisions",
        description: "议事决策 — meetings, quorums and resolutions by law",
    }],
    api: api::routes,
    doc: no_doc,
    pages: routes,
    public: no_pages,
    menu: &[MenuEntry {
        href: "/decisions",
        zh: "议事",
        en: "Decisions",
        right: Right::ReadRegistry,
        roles: xiangzhi_web::console::OFFICES_AND_VILLAGES,
    }],
    rights: &[Right::ReadRegistry, RECORD_MEETINGS],
    tables: tables::TABLES,
    layouts: &[],
    demo: Some(demo::builder),
    home: None,
    household: None,
    assets: &[
        xiangzhi_web::console::Asset::script("signin.js", include_bytes!("../assets/signin.js")),
        xiangzhi_web::console::Asset::script("print.js", include_bytes!("../assets/print.js")),
    ],
};

fn routes() -> Router<AppState> {
    Router::new()
        .route("/publicity/{code}", get(public_pages::board))
        .route("/decisions", get(pages::overview))
        .route("/decisions/meetings", post(pages::call))
        .route("/decisions/meetings.xlsx", get(papers::meetings_xlsx))
        .route("/decisions/matters", post(pages::open_matter))
        .route("/decisions/publicity", post(pages::post_publicity))
        .route("/decisions/matters.xlsx", get(papers::matters_xlsx))
        .route("/decisions/meetings/{county}/{id}", get(pages::meeting))
        .route(
            "/decisions/meetings/{county}/{id}/sign-in",
            post(pages::sign_in),
        )
        .route(
            "/decisions/meetings/{county}/{id}/close",
            post(pages::close),
        )
        .route(
            "/decisions/meetings/{county}/{id}/sheet",
            post(pages::sheet),
        )
        .route(
            "/decisions/meetings/{county}/{id}/items",
            post(pages::record_item),
        )
        .route(
            "/decisions/meetings/{county}/{id}/print",
            get(papers::print),
        )
        .route(
            "/decisions/meetings/{county}/{id}/roll.xlsx",
            get(papers::roll_xlsx),
        )
        .route("/decisions/matters/{county}/{id}", get(pages::matter))
        .route(
            "/decisions/matters/{county}/{id}/steps",
            post(pages::take_step),
        )
}
