//! The HTTP API of xiangzhi: JSON under `/api/v1`, the OpenAPI 3.1 document at `/api/openapi.json`
//! (generated from the handlers below) and Swagger UI at `/api/docs`.

pub mod error;
mod registry;

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::Router;
use error::ApiError;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;
use xiangzhi_storage::{Db, Scope};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
}

/// JSON body whose rejections become problem details naming the field.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// Query string extractor with problem-detail rejections.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// Path extractor with problem-detail rejections.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// The caller and the jurisdiction every storage call is limited to.
pub struct Caller {
    pub scope: Scope,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        // Accounts and sessions bind a caller to a division (issue 3); until then the API serves
        // the whole registry, as the command line does.
        Ok(Caller {
            scope: Scope::everything(),
        })
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "xiangzhi 乡治 API",
        description = "党建引领基层治理 — party-building-led grassroots governance. Errors are RFC 9457 problem details in Chinese and English.",
        version = "1"
    ),
    tags(
        (name = "registry", description = "区划、网格、人口 — divisions, grids, people"),
        (name = "party", description = "党组织与包联 — party organisation and contact duties")
    )
)]
struct ApiDoc;

/// The API router and its OpenAPI document, built from the same handler list.
pub fn api(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", registry::routes())
        .split_for_parts();
    let router = router.with_state(state);
    (router, doc)
}

/// The whole HTTP application: API, OpenAPI document and Swagger UI.
pub fn app(state: AppState) -> Router {
    let (api, doc) = api(state);
    api.merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// Serves `app` on `addr` until Ctrl-C.
pub async fn serve(state: AppState, addr: std::net::SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
