//! The HTTP API of xiangzhi: JSON under `/api/v1`, the OpenAPI 3.1 document at `/api/openapi.json`
//! (generated from the handlers below) and Swagger UI at `/api/docs`.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod cases;
mod open311;
mod registry;
pub mod webhook;

pub use registry::{show, Personal};
pub use xiangzhi_web::*;

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

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

/// The JSON routes of the areas not yet in crates of their own (registry, party, cases).
pub fn routes() -> OpenApiRouter<AppState> {
    registry::routes().merge(cases::routes())
}

/// The Open311 operations' part of the OpenAPI document.
pub fn doc() -> utoipa::openapi::OpenApi {
    Open311Doc::openapi()
}

/// The Open311 routes, outside authentication (they read their own API key).
pub fn public() -> axum::Router<AppState> {
    open311::routes()
}
