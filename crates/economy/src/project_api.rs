//! The project library's JSON API.

use crate::api::Record;
use crate::projects::*;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xiangzhi_web::error::{ApiError, Problem};
use xiangzhi_web::rights::{Authorized, ReadRegistry};
use xiangzhi_web::{AppState, Json, Path, Query};

type R<T> = Result<T, ApiError>;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_projects, add_project))
        .routes(routes!(project_library))
        .routes(routes!(get_project))
        .routes(routes!(move_project))
        .routes(routes!(add_funding))
        .routes(routes!(add_milestone))
        .routes(routes!(milestone_done))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ProjectQuery {
    /// Within this division only.
    pub division: Option<String>,
    /// At this stage only (`idea` … `operating`).
    pub stage: Option<String>,
    /// Words of the name or summary.
    pub q: Option<String>,
}

/// The projects in reach, by lead and number.
#[utoipa::path(get, path = "/economy/projects", tag = "economy", params(ProjectQuery),
    responses((status = 200, body = [Project]), (status = 422, body = Problem)))]
pub async fn list_projects(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<ProjectQuery>,
) -> R<Json<Vec<Project>>> {
    Ok(Json(
        s.db.projects(
            &c.scope,
            q.division.as_deref(),
            q.stage.as_deref(),
            q.q.as_deref(),
        )
        .await?,
    ))
}

/// Adds a project to the library at its first stage (谋划构想), led by a village or a township
/// in reach, with the villages (and the alliance) in it.
#[utoipa::path(post, path = "/economy/projects", tag = "economy", request_body = ProjectInput,
    responses((status = 201, body = ProjectView), (status = 422, body = Problem)))]
pub async fn add_project(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<ProjectInput>,
) -> R<(StatusCode, Json<ProjectView>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.add_project(&c.scope, &input).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LibraryQuery {
    /// Within this division only.
    pub division: Option<String>,
}

/// The library in reach: projects and planned investment by stage, funding sought and won by
/// source.
#[utoipa::path(get, path = "/economy/projects/library", tag = "economy", params(LibraryQuery),
    responses((status = 200, body = Library), (status = 422, body = Problem)))]
pub async fn project_library(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<LibraryQuery>,
) -> R<Json<Library>> {
    Ok(Json(s.db.library(&c.scope, q.division.as_deref()).await?))
}

/// A project with its villages, stages, funding and milestones.
#[utoipa::path(get, path = "/economy/projects/{county}/{id}", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = ProjectView), (status = 404, body = Problem)))]
pub async fn get_project(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((county, id)): Path<(i64, i64)>,
) -> R<Json<ProjectView>> {
    Ok(Json(s.db.project(&c.scope, county, id).await?))
}

/// Moves a project to its next stage (409 when it moved meanwhile).
#[utoipa::path(post, path = "/economy/projects/{county}/{id}/stage", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = StageInput,
    responses((status = 200, body = ProjectView), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn move_project(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<StageInput>,
) -> R<Json<ProjectView>> {
    Ok(Json(s.db.move_project(&c.scope, county, id, &input).await?))
}

/// Appends funding sought or won from a source (a negative amount corrects, with a note).
#[utoipa::path(post, path = "/economy/projects/{county}/{id}/funding", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = FundingInput,
    responses((status = 201, body = ProjectView), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn add_funding(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<FundingInput>,
) -> R<(StatusCode, Json<ProjectView>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.add_funding(&c.scope, county, id, &input).await?),
    ))
}

/// Adds a milestone due on a day.
#[utoipa::path(post, path = "/economy/projects/{county}/{id}/milestones", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = MilestoneInput,
    responses((status = 201, body = ProjectView), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn add_milestone(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<MilestoneInput>,
) -> R<(StatusCode, Json<ProjectView>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.add_milestone(&c.scope, county, id, &input).await?),
    ))
}

/// Records a milestone as done (409 when it is done already).
#[utoipa::path(post, path = "/economy/projects/{county}/{id}/milestones/{milestone}/done",
    tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path), ("milestone" = i64, Path)),
    request_body = MilestoneDone,
    responses((status = 200, body = ProjectView), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn milestone_done(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id, milestone)): Path<(i64, i64, i64)>,
    Json(input): Json<MilestoneDone>,
) -> R<Json<ProjectView>> {
    Ok(Json(
        s.db.milestone_done(&c.scope, county, id, milestone, &input)
            .await?,
    ))
}
