//! The HTTP API of xiangzhi: JSON under `/api/v1`, the OpenAPI 3.1 document at `/api/openapi.json`
//! (generated from the handlers below) and Swagger UI at `/api/docs`.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod registry;

pub use registry::{show, Personal};
pub use xiangzhi_web::*;

use utoipa_axum::router::OpenApiRouter;

/// The JSON routes of the areas not yet in crates of their own (registry, party).
pub fn routes() -> OpenApiRouter<AppState> {
    registry::routes()
}
