//! The composition of xiangzhi: the list of feature areas the binary serves. Adding an area is a
//! new crate that exports one `Feature`, its migrations, and one line in [`FEATURES`].
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use axum::Router;
use xiangzhi_web::{AppState, Feature};

/// Every feature area, in the order the console's navigation and the OpenAPI document list them.
pub const FEATURES: &[Feature] = &[
    xiangzhi_registry::FEATURE,  // 区划网格与人口 registry
    xiangzhi_party::FEATURE,     // 党组织与包联 party
    xiangzhi_cases::FEATURE,     // 诉求与矛盾纠纷 cases
    xiangzhi_alliances::FEATURE, // 跨村联建 alliances
];

/// The whole HTTP application: the API with its OpenAPI document and Swagger UI, the console, and
/// Open311, behind the edge.
pub fn app(state: AppState) -> Router {
    xiangzhi_web::feature::app(state, FEATURES)
}

/// The API router and its OpenAPI document (without the edge).
pub fn api(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    xiangzhi_web::feature::api(state, FEATURES)
}

/// Every table: the platform's and each feature's.
pub fn tables() -> Vec<&'static xiangzhi_storage::tables::Table> {
    let mut all: Vec<_> = xiangzhi_storage::tables::TABLES.to_vec();
    for f in FEATURES {
        all.extend_from_slice(f.tables);
    }
    all
}

/// The file layout called `name` among every feature's (for `import` and `export`).
pub fn layout(name: &str) -> Result<&'static xiangzhi_tabular::FileLayout, String> {
    let all: Vec<&'static xiangzhi_tabular::FileLayout> = FEATURES
        .iter()
        .flat_map(|f| f.layouts.iter().copied())
        .collect();
    xiangzhi_tabular::find(&all, name)
}

/// Builds the demo county into `db` (which should be empty): the registry's divisions, grids,
/// people and party, then what each feature adds to it.
pub async fn demo(
    db: &xiangzhi_storage::Db,
    seed: u64,
    progress: impl FnMut(&str),
) -> xiangzhi_storage::Result<(xiangzhi_registry::demo::Summary, Vec<String>)> {
    let (summary, county) = xiangzhi_registry::demo::build(db, seed, progress).await?;
    let mut lines = Vec::new();
    for f in FEATURES {
        if let Some(build) = f.demo {
            lines.push(build(db, &county).await?);
        }
    }
    Ok((summary, lines))
}

/// Serves [`app`] on `addr` until Ctrl-C.
pub async fn serve(state: AppState, addr: std::net::SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
