//! The meetings' JSON API.

use crate::procedure_store::*;
use crate::publicity_store::*;
use crate::roll_store::*;
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
        .routes(routes!(call_meeting))
        .routes(routes!(meeting_roll))
        .routes(routes!(sign_in))
        .routes(routes!(sign_in_sheet))
        .routes(routes!(close_sign_in))
        .routes(routes!(list_matters, create_matter))
        .routes(routes!(get_matter))
        .routes(routes!(take_step))
        .routes(routes!(list_postings, post_publicity))
        .routes(routes!(altered_postings))
        .routes(routes!(overdue_publicity))
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

/// Calls a meeting ahead: its roll is taken by name (from the registry for a villagers' and a
/// party members' meeting; chosen from the village's residents for the others) and its sign-in
/// opens.
#[utoipa::path(post, path = "/meetings/called", tag = "decisions", request_body = CallInput,
    responses((status = 201, body = MeetingView), (status = 422, body = Problem)))]
pub async fn call_meeting(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<CallInput>,
) -> R<(StatusCode, Json<MeetingView>)> {
    let v = s.db.call_meeting(&c.scope, &input).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A meeting's roll by name, with who signed in and how.
#[utoipa::path(get, path = "/meetings/{county}/{id}/roll", tag = "decisions",
    params(("county" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = [RollEntry]), (status = 404, body = Problem)))]
pub async fn meeting_roll(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((county, id)): Path<(i64, i64)>,
) -> R<Json<Vec<RollEntry>>> {
    Ok(Json(s.db.meeting_roll(&c.scope, county, id).await?))
}

/// Signs a person on the roll in (or, with `absent`, out again) while the sign-in is open; the
/// same sign-in sent twice changes nothing, so a tablet may resend after a lost answer.
#[utoipa::path(post, path = "/meetings/{county}/{id}/sign-in", tag = "decisions",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = SignInInput,
    responses((status = 200, body = RollEntry), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn sign_in(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<SignInInput>,
) -> R<Json<RollEntry>> {
    Ok(Json(s.db.sign_in(&c.scope, county, id, &input).await?))
}

/// Enters a paper sign-in sheet at once: everyone listed came in person. Anyone not on the roll
/// is refused and nothing is signed.
#[utoipa::path(post, path = "/meetings/{county}/{id}/sheet", tag = "decisions",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = SheetInput,
    responses((status = 200, body = SheetResult), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn sign_in_sheet(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<SheetInput>,
) -> R<Json<SheetResult>> {
    if input.resident_ids.len() > 20_000 {
        return Err(xiangzhi_storage::StoreError::invalid(
            "resident_ids",
            "一张签到表最多20000人",
            "a sheet holds at most 20000 people",
        )
        .into());
    }
    let signed =
        s.db.sign_in_present(&c.scope, county, id, &input.resident_ids)
            .await?;
    Ok(Json(SheetResult { signed }))
}

/// Closes the sign-in: the roll is counted and the notice and quorum judged by the law's rules.
#[utoipa::path(post, path = "/meetings/{county}/{id}/close", tag = "decisions",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = CloseInput,
    responses((status = 200, body = MeetingView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn close_sign_in(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<CloseInput>,
) -> R<Json<MeetingView>> {
    Ok(Json(
        s.db.close_sign_in(&c.scope, county, id, &input).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct MattersQuery {
    /// Within this division only.
    pub division: Option<String>,
    /// Words of the title.
    pub q: Option<String>,
}

/// The matters in the caller's reach, latest first.
#[utoipa::path(get, path = "/matters", tag = "decisions", params(MattersQuery),
    responses((status = 200, body = [Matter]), (status = 422, body = Problem)))]
pub async fn list_matters(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<MattersQuery>,
) -> R<Json<Vec<Matter>>> {
    Ok(Json(
        s.db.matters(&c.scope, q.division.as_deref(), q.q.as_deref())
            .await?,
    ))
}

/// Opens a village's matter (one the law reserves to a meeting goes through 四议两公开).
#[utoipa::path(post, path = "/matters", tag = "decisions", request_body = MatterInput,
    responses((status = 201, body = MatterView), (status = 422, body = Problem)))]
pub async fn create_matter(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<MatterInput>,
) -> R<(StatusCode, Json<MatterView>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.create_matter(&c.scope, &input).await?),
    ))
}

/// A matter with its steps and the next one.
#[utoipa::path(get, path = "/matters/{county}/{id}", tag = "decisions",
    params(("county" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = MatterView), (status = 404, body = Problem)))]
pub async fn get_matter(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((county, id)): Path<(i64, i64)>,
) -> R<Json<MatterView>> {
    Ok(Json(s.db.matter(&c.scope, county, id).await?))
}

/// Takes the next step of 四议两公开 with its evidence; a step out of order is refused (409),
/// and the decision names the meeting item that decided it.
#[utoipa::path(post, path = "/matters/{county}/{id}/steps", tag = "decisions",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = StepInput,
    responses((status = 200, body = MatterView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn take_step(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<StepInput>,
) -> R<Json<MatterView>> {
    Ok(Json(s.db.take_step(&c.scope, county, id, &input).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PostingsQuery {
    /// Within this division only.
    pub division: Option<String>,
}

/// The village affairs postings in the caller's reach, newest first.
#[utoipa::path(get, path = "/publicity", tag = "decisions", params(PostingsQuery),
    responses((status = 200, body = [Posting]), (status = 422, body = Problem)))]
pub async fn list_postings(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<PostingsQuery>,
) -> R<Json<Vec<Posting>>> {
    Ok(Json(s.db.postings(&c.scope, q.division.as_deref()).await?))
}

/// Posts a village affairs item; its content's SHA-256 is kept so a later change is evident.
#[utoipa::path(post, path = "/publicity", tag = "decisions", request_body = PostingInput,
    responses((status = 201, body = Posting), (status = 422, body = Problem)))]
pub async fn post_publicity(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<PostingInput>,
) -> R<(StatusCode, Json<Posting>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.post_publicity(&c.scope, &input).await?),
    ))
}

/// The postings in reach changed after they were posted (their fingerprint no longer matches).
#[utoipa::path(get, path = "/publicity/altered", tag = "decisions", params(PostingsQuery),
    responses((status = 200, body = [Posting]), (status = 422, body = Problem)))]
pub async fn altered_postings(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<PostingsQuery>,
) -> R<Json<Vec<Posting>>> {
    let scope = xiangzhi_storage::list::within(&c.scope, q.division.as_deref())?;
    Ok(Json(s.db.altered_postings(&scope).await?))
}

/// The villages in reach late with their general (quarterly) or financial (monthly) postings.
#[utoipa::path(get, path = "/publicity/overdue", tag = "decisions", params(PostingsQuery),
    responses((status = 200, body = [Overdue]), (status = 422, body = Problem)))]
pub async fn overdue_publicity(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<PostingsQuery>,
) -> R<Json<Vec<Overdue>>> {
    let scope = xiangzhi_storage::list::within(&c.scope, q.division.as_deref())?;
    let today = xiangzhi_domain::china_today();
    let since = today - chrono::Duration::days(365);
    Ok(Json(s.db.overdue_publicity(&scope, since, today).await?))
}
