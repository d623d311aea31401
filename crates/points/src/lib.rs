//! 积分 (points): one append-only ledger for party members' and villager households' points.
//! Each county keeps its catalogue of rules (item, points, dimension, caps, evidence); a
//! recording waits for a second person's approval, which writes the entry within the rule's
//! caps; a correction is a reversing entry; a balance always equals the sum of its entries and a
//! redemption never overdraws it, however many race. Points never feed dividends or shares.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
#![allow(async_fn_in_trait)]

pub mod api;
mod board_pages;
pub mod board_public;
pub mod boards;
pub mod demo;
pub mod layouts;
pub mod member_links;
mod member_pages;
pub mod model;
pub mod months;
mod my_pages;
mod pages;
pub mod rules;
pub mod settings;
pub mod shop;
pub mod store;
pub mod tables;

pub use board_public::PublicBoards;
pub use boards::BoardStore;
pub use member_links::MemberLinks;
pub use model::*;
pub use months::MonthStore;
pub use settings::SettingsStore;
pub use shop::ShopStore;
pub use store::{PointsStore, PointsViews, StatementViews};

use axum::routing::{get, post};
use axum::Router;
use xiangzhi_domain::{Right, Role};
use xiangzhi_web::feature::no_doc;
use xiangzhi_web::{AppState, Feature, MenuEntry, Tag};

/// Record points, and redeem them at the points store.
pub const RECORD_POINTS: Right = Right::new(
    "points.record",
    "录入积分",
    "record points",
    &[
        Role::VillageSecretary,
        Role::TownshipOfficer,
        Role::GridWorker,
    ],
);
/// Approve or reject recorded points; reverse an entry.
pub const APPROVE_POINTS: Right = Right::new(
    "points.approve",
    "审核积分",
    "approve points",
    &[Role::VillageSecretary, Role::TownshipOfficer],
);
/// Keep the county's catalogue of points rules.
pub const POINTS_RULES: Right = Right::new(
    "points.rules",
    "管理积分项目",
    "keep points rules",
    &[Role::CountyAdmin],
);

/// This feature, as the binary composes it.
pub const FEATURE: Feature = Feature {
    name: "points",
    zh: "积分",
    en: "Points",
    tags: &[Tag {
        name: "points",
        description: "积分台账 — the points ledger",
    }],
    api: api::routes,
    doc: no_doc,
    pages: routes,
    public: xiangzhi_web::feature::no_pages,
    menu: &[MenuEntry {
        href: "/points",
        zh: "积分",
        en: "Points",
        right: Right::ReadRegistry,
        roles: xiangzhi_web::console::OFFICES_AND_VILLAGES,
    }],
    rights: &[
        Right::ReadRegistry,
        RECORD_POINTS,
        APPROVE_POINTS,
        POINTS_RULES,
    ],
    tables: tables::TABLES,
    layouts: layouts::LAYOUTS,
    demo: Some(demo::builder),
    home: None,
    household: None,
    assets: &[],
};

fn routes() -> Router<AppState> {
    Router::new()
        .route("/points", get(pages::page))
        .route("/points/record", post(pages::record))
        .route("/points/claims/{county}/{id}", post(pages::decide))
        .route("/points/store", get(pages::counter))
        .route("/points/store/redeem", post(pages::redeem))
        .route("/points/store/goods", post(pages::create_goods))
        .route("/points/statement/{holder}/{id}", get(pages::statement))
        .route(
            "/points/boards",
            get(board_pages::boards).post(board_pages::draft),
        )
        .route("/points/boards/{county}/{id}", get(board_pages::board))
        .route(
            "/points/boards/{county}/{id}/objections",
            post(board_pages::object),
        )
        .route(
            "/points/boards/{county}/{id}/publish",
            post(board_pages::publish),
        )
        .route(
            "/points/objections/{county}/{id}",
            post(board_pages::decide),
        )
        .route("/board/{code}", get(board_pages::public_board))
        .route(
            "/points/members",
            get(member_pages::members).post(member_pages::publish),
        )
        .route("/points/members/{county}/{id}", get(member_pages::month))
        .route(
            "/points/members/{county}/{id}/final",
            post(member_pages::finalize),
        )
        .route(
            "/points/members/{county}/{id}/export",
            get(member_pages::month_xlsx),
        )
        .route("/points/ranking.xlsx", get(member_pages::ranking_xlsx))
        .route(
            "/points/members/{county}/{id}/link",
            post(my_pages::issue_link),
        )
        .route("/points/members/{county}/{id}/away", post(my_pages::away))
        .route("/my", get(my_pages::my).post(my_pages::report))
        .route(
            "/points/boards/{county}/{id}/export",
            get(member_pages::board_xlsx),
        )
        .route("/points/claims.xlsx", get(member_pages::claims_xlsx))
        .route("/points/store/report.xlsx", get(member_pages::store_xlsx))
        .route(
            "/points/statement/{holder}/{id}/export",
            get(member_pages::statement_xlsx),
        )
        .route(
            "/points/store/goods/{county}/{id}/donate",
            post(pages::donate),
        )
}
