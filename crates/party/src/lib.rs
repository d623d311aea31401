//! 党组织与包联: party organisations (committees, general branches, branches, groups, joint
//! committees), party members and the households each keeps in touch with (党员联系户), contact
//! duties (包联: who answers for a village or a household) and the report of their gaps. Its pages
//! (organisations, coverage) and its file layouts.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
// The store's extension traits are used on the concrete `Db` only, where the futures' `Send` is
// known; no generic caller needs a bound on them.
#![allow(async_fn_in_trait)]

pub mod api;
pub mod demo;
pub mod layouts;
pub mod model;
mod pages;
pub mod store;
pub mod tables;

pub use model::*;

use axum::routing::get;
use axum::Router;
use xiangzhi_domain::Right;
use xiangzhi_web::feature::{no_doc, no_pages};
use xiangzhi_web::{AppState, Feature, MenuEntry, Tag};

/// This feature, as the binary composes it.
pub const FEATURE: Feature = Feature {
    name: "party",
    zh: "党组织与包联",
    en: "Party organisation and contact duties",
    tags: &[Tag {
        name: "party",
        description: "党组织与包联 — party organisation and contact duties",
    }],
    api: api::routes,
    doc: no_doc,
    pages: routes,
    public: no_pages,
    menu: &[
        MenuEntry {
            href: "/party",
            zh: "党组织",
            en: "Party",
            right: Right::ReadRegistry,

            roles: xiangzhi_web::console::OFFICES_AND_VILLAGES,
        },
        MenuEntry {
            href: "/coverage",
            zh: "包联覆盖",
            en: "Coverage",
            right: Right::ReadRegistry,

            roles: xiangzhi_web::console::OFFICES_AND_VILLAGES,
        },
    ],
    rights: &[Right::ReadRegistry, Right::WriteRegistry, Right::Unmask],
    tables: tables::TABLES,
    layouts: layouts::LAYOUTS,
    demo: Some(demo::builder),
    home: None,
    household: Some(pages::household),
    assets: &[],
};

fn routes() -> Router<AppState> {
    Router::new()
        .route("/party", get(pages::party))
        .route("/party/{id}", get(pages::party_org))
        .route("/coverage", get(pages::coverage))
}

/// Everything a caller needs to use the feature's store: the extension traits of `Db`.
pub mod prelude {
    pub use crate::store::{DutyStore, PartyBulkRead, PartyExport, PartyStore};
}
