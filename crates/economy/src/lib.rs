//! 集体经济 (issue 21): the village collective economy. The pure rules come first — income
//! distribution exact to the fen ([`rules::distribution`]), depreciation
//! ([`rules::depreciation`]), rent and its schedules ([`rules::rent`]), strong villages
//! ([`rules::strong`]) and the window to challenge a decision ([`rules::challenge`]). The store
//! keeps the organisation's members and the households' shares ([`members`]) and the income
//! distributions, bound to a passed resolution of the decisions feature before anything is paid
//! ([`distributions`]). Money is integer fen everywhere; no float touches an amount. Points
//! never reach this crate.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
#![allow(async_fn_in_trait)]

pub mod api;
pub mod assets;
pub mod batch;
mod batch_pages;
pub mod codes;
pub mod demo;
mod distribution_pages;
pub mod distributions;
mod enterprise_pages;
pub mod enterprises;
pub mod funds;
pub mod layouts;
pub mod leases;
pub mod members;
pub mod overview;
mod pages;
pub mod project_api;
mod project_pages;
pub mod projects;
mod public_pages;
mod resource_pages;
pub mod resources;
pub mod rules;
pub mod sales;
mod sheets;
pub mod tables;

pub use assets::AssetStore;
pub use batch::BatchStore;
pub use distributions::DistributionStore;
pub use enterprises::EnterpriseStore;
pub use funds::FundStore;
pub use leases::LeaseStore;
pub use members::MemberStore;
pub use overview::OverviewStore;
pub use projects::ProjectStore;
pub use resources::ResourceStore;
pub use sales::SaleStore;

use axum::routing::{get, post};
use axum::Router;
use xiangzhi_domain::{Right, Role};
use xiangzhi_web::feature::no_doc;
use xiangzhi_web::{AppState, Feature, MenuEntry, Tag};

/// Keep the collective's members, shares and distributions, and record payments.
pub const RECORD_ECONOMY: Right = Right::new(
    "economy.record",
    "管理集体经济",
    "keep the collective economy",
    &[Role::VillageSecretary, Role::TownshipOfficer],
);

/// Set the county's targets for the collective economy (the share of strong villages).
pub const SET_TARGETS: Right = Right::new(
    "economy.target",
    "设定集体经济目标",
    "set the collective economy's targets",
    &[Role::CountyAdmin],
);

/// This feature, as the binary composes it.
pub const FEATURE: Feature = Feature {
    name: "economy",
    zh: "集体经济",
    en: "Collective economy",
    tags: &[Tag {
        name: "economy",
        description: "集体经济 — members, shares and income distribution",
    }],
    api: api_routes,
    doc: no_doc,
    pages: routes,
    public: public_routes,
    menu: &[MenuEntry {
        href: "/economy",
        zh: "集体经济",
        en: "Economy",
        right: Right::ReadRegistry,
        roles: xiangzhi_web::console::OFFICES_AND_VILLAGES,
    }],
    rights: &[Right::ReadRegistry, RECORD_ECONOMY, SET_TARGETS],
    tables: tables::TABLES,
    layouts: layouts::LAYOUTS,
    demo: Some(demo::builder),
    home: None,
    household: None,
    assets: &[],
};

/// The feature's JSON API: the books and the project library.
fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    api::routes().merge(project_api::routes())
}

fn public_routes() -> Router<AppState> {
    Router::new().route(
        "/economy/household",
        get(public_pages::form).post(public_pages::look),
    )
}

fn routes() -> Router<AppState> {
    Router::new()
        .route("/economy", get(pages::overview))
        .route("/economy.xlsx", get(sheets::overview_xlsx))
        .route("/economy/idle.xlsx", get(sheets::idle_xlsx))
        .route("/economy/strong-target", post(pages::set_target))
        .route(
            "/economy/projects",
            get(project_pages::list).post(project_pages::add),
        )
        .route("/economy/projects.xlsx", get(project_pages::list_xlsx))
        .route(
            "/economy/projects/{county}/{id}",
            get(project_pages::project),
        )
        .route(
            "/economy/projects/{county}/{id}/stage",
            post(project_pages::stage),
        )
        .route(
            "/economy/projects/{county}/{id}/funding",
            post(project_pages::funding),
        )
        .route(
            "/economy/projects/{county}/{id}/milestones",
            post(project_pages::milestone),
        )
        .route(
            "/economy/projects/{county}/{id}/milestones/{milestone}/done",
            post(project_pages::milestone_done),
        )
        .route("/economy/villages/{code}", get(pages::books))
        .route(
            "/economy/enterprises/{county}/{id}",
            get(enterprise_pages::enterprise),
        )
        .route(
            "/economy/enterprises/{county}/{id}/members",
            post(enterprise_pages::join),
        )
        .route(
            "/economy/enterprises/{county}/{id}/years",
            post(enterprise_pages::report),
        )
        .route("/economy/villages/{code}/funds", post(pages::enter))
        .route("/economy/villages/{code}/reversal", post(pages::reverse))
        .route(
            "/economy/villages/{code}/asset-state",
            post(pages::asset_state),
        )
        .route("/economy/villages/{code}/rent", post(pages::rent))
        .route(
            "/economy/villages/{code}/resources",
            post(resource_pages::add_resource),
        )
        .route(
            "/economy/villages/{code}/sales",
            post(resource_pages::add_sale),
        )
        .route(
            "/economy/villages/{code}/resource-use",
            post(resource_pages::resource_use),
        )
        .route("/economy/villages/{code}/codes", post(pages::codes))
        .route(
            "/economy/villages/{code}/statement.xlsx",
            get(sheets::statement_xlsx),
        )
        .route(
            "/economy/villages/{code}/distributions",
            post(distribution_pages::draft),
        )
        .route(
            "/economy/distributions/batch",
            get(batch_pages::form).post(batch_pages::draft),
        )
        .route(
            "/economy/distributions/{county}/{id}",
            get(distribution_pages::distribution),
        )
        .route(
            "/economy/distributions/{county}/{id}/approval",
            post(distribution_pages::approve),
        )
        .route(
            "/economy/distributions/{county}/{id}/inspection",
            post(distribution_pages::inspection),
        )
        .route(
            "/economy/distributions/{county}/{id}/payments",
            post(distribution_pages::pay),
        )
        .route(
            "/economy/distributions/{county}/{id}/plan.xlsx",
            get(distribution_pages::plan_xlsx),
        )
}
