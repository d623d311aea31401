//! The registry (DOMAIN.md §1-2): divisions from the county down to villager groups, the
//! five-level grid, grid staff, households and residents with their moves. Its pages (tree,
//! search, households, residents), its import and export layouts, and the demo county, which every
//! other feature's demo builds on.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
// The store's extension traits are used on the concrete `Db` only, where the futures' `Send` is
// known; no generic caller needs a bound on them.
#![allow(async_fn_in_trait)]

pub mod api;
pub mod demo;
pub mod exchange;
pub mod layouts;
pub mod model;
mod pages;
pub mod places;
mod rentals;
pub mod store;
pub mod tables;

pub use layouts::{export, import, Layout};
pub use model::*;
pub use pages::own_and_below;
pub use xiangzhi_web::personal::{show, Personal};

use axum::routing::{get, post};
use axum::Router;
use xiangzhi_domain::Right;
use xiangzhi_web::feature::{no_doc, no_pages};
use xiangzhi_web::{AppState, Feature, MenuEntry, Tag};

/// This feature, as the binary composes it.
pub const FEATURE: Feature = Feature {
    name: "registry",
    zh: "区划网格与人口",
    en: "Divisions, grids and people",
    tags: &[Tag {
        name: "registry",
        description: "区划、网格、人口 — divisions, grids, people",
    }],
    api: api::routes,
    doc: no_doc,
    pages: routes,
    public: no_pages,
    menu: &[
        MenuEntry {
            href: "/tree",
            zh: "区划网格",
            en: "Divisions & grids",
            right: Right::ReadRegistry,

            roles: &[],
        },
        MenuEntry {
            href: "/staff",
            zh: "网格队伍",
            en: "Grid staff",
            right: Right::ReadRegistry,
            roles: xiangzhi_web::console::OFFICES_AND_VILLAGES,
        },
        MenuEntry {
            href: "/rentals",
            zh: "出租房屋",
            en: "Rented houses",
            right: Right::ReadRegistry,
            roles: &[],
        },
        MenuEntry {
            href: "/exchange",
            zh: "导入导出",
            en: "Import & export",
            right: Right::ReadRegistry,
            roles: xiangzhi_web::console::OFFICES_AND_VILLAGES,
        },
        MenuEntry {
            href: "/search",
            zh: "户籍查询",
            en: "Households",
            right: Right::ReadRegistry,

            roles: &[],
        },
    ],
    rights: &[
        Right::ReadRegistry,
        Right::WriteRegistry,
        Right::WriteStructure,
        Right::Unmask,
    ],
    tables: tables::TABLES,
    layouts: layouts::LAYOUTS,
    demo: None,
    home: None,
    household: None,
    assets: &[xiangzhi_web::console::Asset::script(
        "exchange.js",
        include_bytes!("../assets/exchange.js"),
    )],
};

fn routes() -> Router<AppState> {
    Router::new()
        .route("/tree", get(pages::tree))
        .route("/search", get(pages::search))
        .route("/search/results", get(pages::search_results))
        .route("/households/{id}", get(pages::household))
        .route("/residents/{id}", get(pages::resident))
        .route("/rentals", get(rentals::rentals))
        .route("/rentals/{id}", get(rentals::rental))
        .route("/residents/{id}/reveal", post(pages::reveal_resident))
        .route("/staff", get(pages::staff))
        .route("/exchange", get(exchange::exchange))
        .route(
            "/exchange/import",
            post(exchange::upload)
                .layer(axum::extract::DefaultBodyLimit::max(exchange::UPLOAD_LIMIT)),
        )
        .route("/exchange/export", post(exchange::export))
        .route("/exchange/template/{layout}", get(exchange::template))
        .route("/exchange/jobs/{county}/{id}", get(exchange::job))
        .route("/exchange/jobs/{county}/{id}/apply", post(exchange::apply))
        .route("/places", get(places::places))
        .route("/places/public", get(places::public_places))
}

/// Everything a caller needs to use the feature's store: the extension traits of `Db` and `Tx`.
pub mod prelude {
    pub use crate::store::bulk::{BulkExport, BulkRead, BulkTx};
    pub use crate::store::{DivisionStore, GridStore, PeopleStore, RentalStore, StaffStore};
}
