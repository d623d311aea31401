//! A feature area's description of itself, and the composition of a list of them into one
//! application. Adding an area is a new crate that exports one [`Feature`], and one line in the
//! binary's list.

pub use crate::console::MenuEntry;
use crate::openapi::{ApiDoc, CommonResponses};
use crate::AppState;
use axum::Router;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;
use xiangzhi_domain::Right;
use xiangzhi_storage::tables::Table;

/// An OpenAPI tag: a group of operations with its description.
#[derive(Debug, Clone, Copy)]
pub struct Tag {
    pub name: &'static str,
    pub description: &'static str,
}

/// What a feature area brings to the application.
pub struct Feature {
    /// Its name in code (`cases`).
    pub name: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// The OpenAPI tags of its operations, in the order the document lists them.
    pub tags: &'static [Tag],
    /// Its JSON routes under `/api/v1`, which make up its part of the OpenAPI document.
    pub api: fn() -> OpenApiRouter<AppState>,
    /// Operations it documents outside `/api/v1` (Open311).
    pub doc: fn() -> utoipa::openapi::OpenApi,
    /// Its console pages and assets (behind authentication; a page without an account
    /// redirects to the login form).
    pub pages: fn() -> Router<AppState>,
    /// Routes outside authentication (Open311, which reads its own API key).
    pub public: fn() -> Router<AppState>,
    /// Its entries in the console's navigation.
    pub menu: &'static [MenuEntry],
    /// The rights its routes ask for.
    pub rights: &'static [Right],
    /// The tables it owns.
    pub tables: &'static [&'static Table],
    /// The file layouts its `import` and `export` commands read and write.
    pub layouts: &'static [&'static xiangzhi_tabular::FileLayout],
    /// What it adds to the demo county once the registry has built it.
    pub demo: Option<DemoBuilder>,
    /// Its part of an account's home page (to-do lists, figures, quick actions).
    pub home: Option<crate::home::HomeBuilder>,
    /// Its part of a household's page.
    pub household: Option<crate::home::HouseholdBuilder>,
    /// The files its pages load from `/assets/` (scripts), served versioned and compressed.
    pub assets: &'static [crate::console::Asset],
}

/// What a feature's demo builder builds on: the demo county the registry built.
pub struct DemoCounty {
    pub county_id: i64,
    /// The seed the county was drawn from; a builder draws from its own generator seeded by it.
    pub seed: u64,
    /// The instant every demo row is created at, so that a seed gives identical content.
    pub at: i64,
    /// Every village: (code, township code).
    pub villages: Vec<(String, String)>,
    /// The demo's accounts, one per role (created after the registry, before the features), so a
    /// feature's history can name who handled what.
    pub accounts: Vec<xiangzhi_storage::accounts::User>,
}

/// A feature's demo builder: builds its part of the demo county in one transaction and answers a
/// line saying what it built (for `xiangzhi demo` to print).
pub type DemoBuilder = for<'a> fn(
    &'a xiangzhi_storage::Db,
    &'a DemoCounty,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = xiangzhi_storage::Result<String>> + Send + 'a>,
>;

/// Every feature's layouts offered in the console and the API (imported as jobs, exported by
/// area), in the features' order; registered once when the application is composed, like the
/// console's assets.
static OFFERED: std::sync::OnceLock<Vec<&'static xiangzhi_tabular::FileLayout>> =
    std::sync::OnceLock::new();

fn register_offered(features: &[Feature]) {
    OFFERED.get_or_init(|| {
        features
            .iter()
            .flat_map(|f| f.layouts.iter().copied())
            .filter(|l| l.offered.is_some())
            .collect()
    });
}

/// The layouts offered in the console and the API.
pub fn offered() -> &'static [&'static xiangzhi_tabular::FileLayout] {
    OFFERED.get().map(Vec::as_slice).unwrap_or(&[])
}

/// The offered layout called `name`, with how it is offered.
pub fn offered_layout(
    name: &str,
) -> Option<(
    &'static xiangzhi_tabular::FileLayout,
    &'static xiangzhi_tabular::Offered,
)> {
    offered()
        .iter()
        .find(|l| l.name == name)
        .and_then(|l| l.offered.map(|o| (*l, o)))
}

/// No routes.
pub fn no_api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}

/// No document beyond the routes'.
pub fn no_doc() -> utoipa::openapi::OpenApi {
    utoipa::openapi::OpenApi::default()
}

/// No pages.
pub fn no_pages() -> Router<AppState> {
    Router::new()
}

/// The API router and its OpenAPI document, built from the same handler lists: the platform's
/// (sign-in, accounts, audit) and each feature's.
pub fn api(state: AppState, features: &[Feature]) -> (Router, utoipa::openapi::OpenApi) {
    register_offered(features);
    let mut doc = ApiDoc::openapi();
    let mut v1 = crate::auth::routes();
    for f in features {
        v1 = v1.merge((f.api)());
        doc.merge((f.doc)());
        let tags = doc.tags.get_or_insert_with(Vec::new);
        for t in f.tags {
            let mut tag = utoipa::openapi::tag::Tag::new(t.name);
            tag.description = Some(t.description.to_string());
            tags.push(tag);
        }
    }
    let (router, mut doc) = OpenApiRouter::with_openapi(doc)
        .nest("/api/v1", v1)
        .split_for_parts();
    // After the routes joined the document: the answers every operation can give.
    utoipa::Modify::modify(&CommonResponses, &mut doc);
    let router = router
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::authenticate,
        ))
        .with_state(state);
    (router, doc)
}

/// The whole HTTP application composed of `features`: the API with its OpenAPI document and
/// Swagger UI, the console's pages, and the features' public routes, behind the one edge (client
/// address, cross-site writes, control characters, headers) and request tracing.
pub fn app(state: AppState, features: &[Feature]) -> Router {
    let (api, doc) = api(state.clone(), features);
    let menu = crate::console::Menu(Arc::new(
        features
            .iter()
            .flat_map(|f| f.menu.iter().copied())
            .collect(),
    ));
    crate::console::register_assets(
        crate::console::PLATFORM_ASSETS
            .iter()
            .chain(features.iter().flat_map(|f| f.assets.iter()))
            .copied(),
    );
    let homes = crate::home::Homes(Arc::new(features.iter().filter_map(|f| f.home).collect()));
    let households = crate::home::HouseholdParts(Arc::new(
        features.iter().filter_map(|f| f.household).collect(),
    ));
    let mut pages = crate::pages::routes();
    let mut public = Router::new();
    for f in features {
        pages = pages.merge((f.pages)());
        public = public.merge((f.public)());
    }
    let pages = pages
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::authenticate,
        ))
        .layer(axum::Extension(menu))
        .layer(axum::Extension(homes))
        .layer(axum::Extension(households))
        .with_state(state.clone());
    api.merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
        .merge(public.with_state(state.clone()))
        .merge(pages)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::edge::edge,
        ))
        // At most so many requests at work; past that, 503 within half a second.
        .layer(axum::middleware::from_fn_with_state(
            state.admission.clone(),
            crate::admission::admit,
        ))
        // Compressed for whoever accepts it (br, else gzip): ECharts goes from 1 MB to ~330 kB.
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http())
}
