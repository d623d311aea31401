//! The console: server-rendered pages (askama templates, htmx for partial updates, no JavaScript
//! build step, assets embedded in the binary), Simplified Chinese first with an English switch,
//! laid out for a phone first and widened for a command-centre screen.
//!
//! It signs in through the API's `sign_in`, is authenticated by the API's middleware (the same
//! session cookie), and reads only through storage calls that take the account's `Scope`, so the
//! console cannot show more than the API would. Personal data is masked through the API's
//! `Personal`/`show`, which also audits every full view.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod pages;

use axum::routing::{get, post};
use axum::Router;
use xiangzhi_api::AppState;
use xiangzhi_domain::Right;
pub use xiangzhi_web::console::*;
use xiangzhi_web::{MenuEntry, Tag};

/// The areas not yet in crates of their own (registry, party), as one feature while
/// they move.
pub const FEATURE: xiangzhi_web::Feature = xiangzhi_web::Feature {
    name: "registry-party",
    zh: "区划网格、党组织",
    en: "Registry, party",
    tags: &[
        Tag {
            name: "registry",
            description: "区划、网格、人口 — divisions, grids, people",
        },
        Tag {
            name: "party",
            description: "党组织与包联 — party organisation and contact duties",
        },
    ],
    api: xiangzhi_api::routes,
    doc: xiangzhi_web::feature::no_doc,
    pages: routes,
    public: xiangzhi_web::feature::no_pages,
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
}
