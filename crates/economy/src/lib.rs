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
pub mod distributions;
pub mod funds;
pub mod leases;
pub mod members;
pub mod rules;
pub mod tables;

pub use assets::AssetStore;
pub use distributions::DistributionStore;
pub use funds::FundStore;
pub use leases::LeaseStore;
pub use members::MemberStore;

use xiangzhi_domain::{Right, Role};
use xiangzhi_web::feature::{no_doc, no_pages};
use xiangzhi_web::{Feature, Tag};

/// Keep the collective's members, shares and distributions, and record payments.
pub const RECORD_ECONOMY: Right = Right::new(
    "economy.record",
    "管理集体经济",
    "keep the collective economy",
    &[Role::VillageSecretary, Role::TownshipOfficer],
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
    api: api::routes,
    doc: no_doc,
    pages: no_pages,
    public: no_pages,
    menu: &[],
    rights: &[Right::ReadRegistry, RECORD_ECONOMY],
    tables: tables::TABLES,
    layouts: &[],
    demo: None,
    home: None,
    household: None,
    assets: &[],
};
