//! The meetings' JSON API.

use crate::store::*;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xiangzhi_web::error::{ApiError, Problem};
use xiangzhi_web::rights::{Authorized, ReadRegistry};
use xiangzhi_web::{AppState, Json, Path, Query};

type R<T> = Result<T, ApiError>;

xiangzhi_web::needs!(
    /// Record meetings, their sign-in and their votes.
    Record = crate::RECORD_MEETINGS
);

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_meetings, create_meeting))
        .routes(routes!(get_meeting))
        .routes(routes!(record_item))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct MeetingsQuery {
    /// Within this division only.
    pub division: Option<String>,
    /// Words of the title.
    pub q: Option<String>,
}

/// The meetings in the caller's reach, newest first.
#[utoipa::path(get, path = "/meetings", tag = "decisions", params(MeetingsQuery),
    responses((status = 200, body = [Meeting]), (status = 422, body = Problem)))]
pub async fn list_meetings(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<MeetingsQuery>,
) -> R<Json<Vec<Meeting>>> {
    Ok(Json(
        s.db.meetings(&c.scope, q.division.as_deref(), q.q.as_deref())
            .await?,
    ))
}

/// Records a meeting with its roll; whether it reached its legal quorum (and had its notice) is
/// computed, with the reason and the article when it did not.
#[utoipa::path(post, path = "/meetings", tag = "decisions", request_body = MeetingInput,
    responses((status = 201, body = MeetingView), (status = 422, body = Problem)))]
pub async fn create_meeting(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<MeetingInput>,
) -> R<(StatusCode, Json<MeetingView>)> {
    let v = s.db.create_meeting(&c.scope, &input).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A meeting with its items.
#[utoipa::path(get, path = "/meetings/{county}/{id}", tag = "decisions",
    params(("county" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = MeetingView), (status = 404, body = Problem)))]
pub async fn get_meeting(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((county, id)): Path<(i64, i64)>,
) -> R<Json<MeetingView>> {
    Ok(Json(s.db.meeting(&c.scope, county, id).await?))
}

/// Records an item's votes; whether it passed is computed by the law's rules (a meeting without
/// its quorum, a vote short of its threshold, or a matter the meeting may not decide is kept as
/// not passed, with the reason).
#[utoipa::path(post, path = "/meetings/{county}/{id}/items", tag = "decisions",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = ItemInput,
    responses((status = 201, body = Item), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record_item(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<ItemInput>,
) -> R<(StatusCode, Json<Item>)> {
    let item = s.db.record_item(&c.scope, county, id, &input).await?;
    Ok((StatusCode::CREATED, Json(item)))
}
