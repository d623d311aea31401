//! The HTTP API of xiangzhi: JSON under `/api/v1`, the OpenAPI 3.1 document at `/api/openapi.json`
//! (generated from the handlers below) and Swagger UI at `/api/docs`.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod cases;
mod open311;
pub mod plans;
mod registry;
pub mod webhook;

pub use registry::{show, Personal};
pub use xiangzhi_web::*;

use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;
use xiangzhi_web::openapi::{ApiDoc, CommonResponses};

/// The Open311 operations, documented beside the API's own.
#[derive(OpenApi)]
#[openapi(paths(
    open311::services,
    open311::service_definition,
    open311::requests,
    open311::request,
    open311::create
))]
struct Open311Doc;

/// The API router and its OpenAPI document, built from the same handler list.
pub fn api(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi({
        let mut d = ApiDoc::openapi();
        d.merge(Open311Doc::openapi());
        d
    })
    .nest(
        "/api/v1",
        registry::routes()
            .merge(xiangzhi_web::auth::routes())
            .merge(cases::routes())
            .merge(plans::routes()),
    )
    .split_for_parts();
    // After the routes joined the document: the answers every operation can give.
    let mut doc = doc;
    utoipa::Modify::modify(&CommonResponses, &mut doc);
    let router = router
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            xiangzhi_web::authenticate,
        ))
        .with_state(state);
    (router, doc)
}

/// The API's routes (API, OpenAPI document, Swagger UI, Open311) without the edge, for the
/// console to merge its own into before the edge wraps them all.
pub fn routes(state: AppState) -> Router {
    let (api, doc) = api(state.clone());
    api.merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
        .merge(open311::routes(state))
}

/// Wraps a whole application in the edge (see [`edge`]) and request tracing.
pub fn with_edge(router: Router, state: AppState) -> Router {
    router
        .layer(axum::middleware::from_fn_with_state(
            state,
            xiangzhi_web::edge::edge,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// The whole HTTP API application: API, OpenAPI document, Swagger UI and Open311, behind the edge.
pub fn app(state: AppState) -> Router {
    with_edge(routes(state.clone()), state)
}
