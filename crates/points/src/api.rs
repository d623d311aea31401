//! The points ledger's JSON API.

use crate::boards::*;
use crate::model::*;
use crate::months::*;
use crate::rules::Holder;
use crate::settings::*;
use crate::shop::*;
use crate::store::PointsStore;
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
    /// Record points (and redeem them at the points store).
    Record = crate::RECORD_POINTS
);
xiangzhi_web::needs!(
    /// Approve or reject recorded points, reverse an entry.
    Approve = crate::APPROVE_POINTS
);
xiangzhi_web::needs!(
    /// Keep a county's catalogue of points rules.
    Rules = crate::POINTS_RULES
);

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rules, create_rule))
        .routes(routes!(list_claims, record))
        .routes(routes!(decide))
        .routes(routes!(reverse))
        .routes(routes!(redeem))
        .routes(routes!(statement))
        .routes(routes!(list_goods, create_goods))
        .routes(routes!(donate))
        .routes(routes!(stocktake))
        .routes(routes!(redeem_goods))
        .routes(routes!(store_report))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(publish_month))
        .routes(routes!(get_month))
        .routes(routes!(finalize_month))
        .routes(routes!(ranking))
        .routes(routes!(get_board_rules, put_board_rules))
        .routes(routes!(list_boards, draft_board))
        .routes(routes!(get_board))
        .routes(routes!(lodge_objection))
        .routes(routes!(decide_objection))
        .routes(routes!(publish_board))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CountyQuery {
    /// The county (an account of one county may leave it out).
    pub county_id: Option<i64>,
}

/// A county's star thresholds and publication days.
#[utoipa::path(get, path = "/points/settings", tag = "points", params(CountyQuery),
    responses((status = 200, body = Settings), (status = 422, body = Problem)))]
pub async fn get_settings(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<CountyQuery>,
) -> R<Json<Settings>> {
    let county = county_in_reach(&c.scope, q.county_id)?;
    Ok(Json(s.db.points_settings(county).await?))
}

/// The county a reader names (or their own), if it lies in their reach.
fn county_in_reach(scope: &xiangzhi_storage::Scope, named: Option<i64>) -> R<i64> {
    let county = named.or(scope.county_id()).ok_or_else(|| {
        ApiError::from(xiangzhi_storage::StoreError::invalid(
            "county_id",
            "请指定县",
            "name the county",
        ))
    })?;
    if !(scope.county_id() == Some(county) || scope.covers(&format!("{county:06}000000"))) {
        return Err(xiangzhi_storage::StoreError::NotFound.into());
    }
    Ok(county)
}

/// Sets a county's star thresholds and publication days.
#[utoipa::path(put, path = "/points/settings", tag = "points", request_body = Settings,
    responses((status = 200, body = Settings), (status = 422, body = Problem)))]
pub async fn put_settings(
    State(s): State<AppState>,
    c: Authorized<Rules>,
    Json(input): Json<Settings>,
) -> R<Json<Settings>> {
    Ok(Json(s.db.set_points_settings(&c.scope, &input).await?))
}

/// Publishes a branch's month on the village board (members' points and stars).
#[utoipa::path(post, path = "/points/member-months", tag = "points", request_body = PublishInput,
    responses((status = 201, body = MonthView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn publish_month(
    State(s): State<AppState>,
    c: Authorized<Approve>,
    Json(input): Json<PublishInput>,
) -> R<(StatusCode, Json<MonthView>)> {
    let v =
        s.db.publish_month(&c.scope, &input, xiangzhi_storage::now_ms())
            .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A branch's month with each member's points and stars.
#[utoipa::path(get, path = "/points/member-months/{county}/{id}", tag = "points",
    params(("county" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = MonthView), (status = 404, body = Problem)))]
pub async fn get_month(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((county, id)): Path<(i64, i64)>,
) -> R<Json<MonthView>> {
    Ok(Json(s.db.member_month(&c.scope, county, id).await?))
}

/// Makes a published month final once its days on the board have passed.
#[utoipa::path(post, path = "/points/member-months/{county}/{id}/final", tag = "points",
    params(("county" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = MonthView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn finalize_month(
    State(s): State<AppState>,
    c: Authorized<Approve>,
    Path((county, id)): Path<(i64, i64)>,
) -> R<Json<MonthView>> {
    Ok(Json(
        s.db.finalize_month(&c.scope, county, id, xiangzhi_storage::now_ms())
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct YearQuery {
    /// The year (default this one).
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

/// The members' year in the caller's reach, ranked, with the lists for commendation and talks.
#[utoipa::path(get, path = "/points/rankings", tag = "points", params(YearQuery),
    responses((status = 200, body = Vec<Ranked>), (status = 422, body = Problem)))]
pub async fn ranking(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<YearQuery>,
) -> R<Json<Vec<Ranked>>> {
    let year = q
        .year
        .unwrap_or_else(|| crate::store::this_month()[..4].parse().unwrap_or(2026));
    if !(2000..=2100).contains(&year) {
        return Err(xiangzhi_storage::StoreError::invalid("year", "年份无效", "not a year").into());
    }
    Ok(Json(s.db.member_ranking(&c.scope, year).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AreaQuery {
    /// Only this division (a village's store) and below.
    pub division: Option<String>,
}

/// 积分超市: the goods of the stores in the caller's reach.
#[utoipa::path(get, path = "/points/goods", tag = "points", params(AreaQuery), responses((status = 200, body = Vec<Goods>)))]
pub async fn list_goods(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<AreaQuery>,
) -> R<Json<Vec<Goods>>> {
    let division = q.division.as_deref().filter(|d| !d.is_empty());
    Ok(Json(s.db.store_goods(&c.scope, division).await?))
}

/// Puts goods on a village store's shelf.
#[utoipa::path(post, path = "/points/goods", tag = "points", request_body = GoodsInput,
    responses((status = 201, body = Goods), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_goods(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<GoodsInput>,
) -> R<(StatusCode, Json<Goods>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.create_goods(&c.scope, &input).await?),
    ))
}

/// Goods given to the store, with the donor.
#[utoipa::path(post, path = "/points/goods/{county}/{id}/donations", tag = "points",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = Donation,
    responses((status = 201, body = StoreMove), (status = 422, body = Problem)))]
pub async fn donate(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(d): Json<Donation>,
) -> R<(StatusCode, Json<StoreMove>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.donate_goods(&c.scope, county, id, &d).await?),
    ))
}

/// A stock-take: the counted stock, and why it differs from the books.
#[utoipa::path(post, path = "/points/goods/{county}/{id}/stocktake", tag = "points",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = StockTake,
    responses((status = 201, body = StoreMove), (status = 422, body = Problem)))]
pub async fn stocktake(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(t): Json<StockTake>,
) -> R<(StatusCode, Json<StoreMove>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.stocktake(&c.scope, county, id, &t).await?),
    ))
}

/// Goods taken home, paid in points (never more than the stock or the balance).
#[utoipa::path(post, path = "/points/goods/{county}/{id}/redemptions", tag = "points",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = GoodsRedemption,
    responses((status = 201, body = Entry), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn redeem_goods(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(r): Json<GoodsRedemption>,
) -> R<(StatusCode, Json<Entry>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.redeem_goods(&c.scope, county, id, &r).await?),
    ))
}

/// A store's reconciliation: goods in and out, stock, and points out against the ledger.
#[utoipa::path(get, path = "/points/store-report", tag = "points", params(AreaQuery),
    responses((status = 200, body = Vec<Reconciliation>)))]
pub async fn store_report(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<AreaQuery>,
) -> R<Json<Vec<Reconciliation>>> {
    let division = q.division.as_deref().filter(|d| !d.is_empty());
    Ok(Json(s.db.store_reconciliation(&c.scope, division).await?))
}

/// 积分项目: the rule catalogues of the caller's counties.
#[utoipa::path(get, path = "/points/rules", tag = "points", responses((status = 200, body = Vec<PointRule>)))]
pub async fn list_rules(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
) -> R<Json<Vec<PointRule>>> {
    Ok(Json(s.db.points_rules(&c.scope).await?))
}

/// Adds a rule to a county's catalogue.
#[utoipa::path(post, path = "/points/rules", tag = "points", request_body = RuleInput,
    responses((status = 201, body = PointRule), (status = 422, body = Problem), (status = 409, body = Problem)))]
pub async fn create_rule(
    State(s): State<AppState>,
    c: Authorized<Rules>,
    Json(input): Json<RuleInput>,
) -> R<(StatusCode, Json<PointRule>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.create_points_rule(&c.scope, &input).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ClaimQuery {
    /// `pending`, `approved` or `rejected`; all if left out.
    pub state: Option<String>,
    /// Only this division and below.
    pub division: Option<String>,
}

/// Recorded points in the caller's reach, waiting ones first.
#[utoipa::path(get, path = "/points/claims", tag = "points", params(ClaimQuery), responses((status = 200, body = Vec<Claim>)))]
pub async fn list_claims(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<ClaimQuery>,
) -> R<Json<Vec<Claim>>> {
    let state = q.state.as_deref().filter(|s| !s.is_empty());
    let division = q.division.as_deref().filter(|d| !d.is_empty());
    Ok(Json(s.db.points_claims(&c.scope, state, division).await?))
}

/// Records points for a member or a household by a rule; another person approves them.
#[utoipa::path(post, path = "/points/claims", tag = "points", request_body = ClaimInput,
    responses((status = 201, body = Claim), (status = 422, body = Problem)))]
pub async fn record(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<ClaimInput>,
) -> R<(StatusCode, Json<Claim>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.record_points(&c.scope, &input).await?),
    ))
}

/// Approves recorded points (writing the ledger entry, within the rule's caps) or rejects them.
#[utoipa::path(post, path = "/points/claims/{county}/{id}/decision", tag = "points",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = Decision,
    responses((status = 200, body = Claim), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide(
    State(s): State<AppState>,
    c: Authorized<Approve>,
    Path((county, id)): Path<(i64, i64)>,
    Json(d): Json<Decision>,
) -> R<Json<Claim>> {
    Ok(Json(s.db.decide_points(&c.scope, county, id, &d).await?))
}

/// Takes an entry back with a reversing entry (the entry itself stays).
#[utoipa::path(post, path = "/points/entries/{county}/{id}/reversal", tag = "points",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = Reversal,
    responses((status = 201, body = Entry), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reverse(
    State(s): State<AppState>,
    c: Authorized<Approve>,
    Path((county, id)): Path<(i64, i64)>,
    Json(r): Json<Reversal>,
) -> R<(StatusCode, Json<Entry>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.reverse_points(&c.scope, county, id, &r).await?),
    ))
}

/// Spends points at the points store (积分超市); never more than the balance.
#[utoipa::path(post, path = "/points/redemptions", tag = "points", request_body = RedeemInput,
    responses((status = 201, body = Entry), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn redeem(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<RedeemInput>,
) -> R<(StatusCode, Json<Entry>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.redeem_points(&c.scope, &input).await?),
    ))
}

/// A member's or a household's balance and every entry, newest first.
#[utoipa::path(get, path = "/points/statements/{holder}/{holder_id}", tag = "points",
    params(("holder" = String, Path, description = "member or household"), ("holder_id" = i64, Path)),
    responses((status = 200, body = Statement), (status = 404, body = Problem)))]
pub async fn statement(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((holder, holder_id)): Path<(String, i64)>,
) -> R<Json<Statement>> {
    let holder: Holder = holder
        .parse()
        .map_err(|_| ApiError::from(xiangzhi_storage::StoreError::NotFound))?;
    Ok(Json(
        s.db.points_statement(&c.scope, holder, holder_id).await?,
    ))
}

/// A county's rules for the red and black lists (size, objection days, days on the board,
/// privacy).
#[utoipa::path(get, path = "/points/board-rules", tag = "points", params(CountyQuery),
    responses((status = 200, body = BoardRules), (status = 422, body = Problem)))]
pub async fn get_board_rules(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<CountyQuery>,
) -> R<Json<BoardRules>> {
    let county = county_in_reach(&c.scope, q.county_id)?;
    Ok(Json(s.db.board_rules(county).await?))
}

/// Sets a county's rules for the red and black lists.
#[utoipa::path(put, path = "/points/board-rules", tag = "points", request_body = BoardRules,
    responses((status = 200, body = BoardRules), (status = 422, body = Problem)))]
pub async fn put_board_rules(
    State(s): State<AppState>,
    c: Authorized<Rules>,
    Json(input): Json<BoardRules>,
) -> R<Json<BoardRules>> {
    Ok(Json(s.db.set_board_rules(&c.scope, &input).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct BoardsQuery {
    /// One month only: `2026-11`.
    pub month: Option<String>,
    /// Within this division only.
    pub division: Option<String>,
}

/// A board in a list, with its village's name.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BoardItem {
    #[serde(flatten)]
    pub board: Board,
    pub village_name: String,
}

/// The villages' red and black lists in the caller's reach, newest month first.
#[utoipa::path(get, path = "/points/boards", tag = "points", params(BoardsQuery),
    responses((status = 200, body = [BoardItem]), (status = 422, body = Problem)))]
pub async fn list_boards(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<BoardsQuery>,
) -> R<Json<Vec<BoardItem>>> {
    let month = match q.month.as_deref() {
        Some(m) => Some(crate::rules::parse_month(m).map_err(|e| {
            ApiError::from(xiangzhi_storage::StoreError::Invalid(vec![
                xiangzhi_storage::FieldError::new("month", e),
            ]))
        })?),
        None => None,
    };
    let rows =
        s.db.points_boards(&c.scope, month.as_deref(), q.division.as_deref())
            .await?;
    Ok(Json(
        rows.into_iter()
            .map(|(board, village_name)| BoardItem {
                board,
                village_name,
            })
            .collect(),
    ))
}

/// Drafts a village's red and black lists of a month from the ledger; they stay open to
/// objections for the county's days before they may be published.
#[utoipa::path(post, path = "/points/boards", tag = "points", request_body = DraftInput,
    responses((status = 201, body = BoardView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn draft_board(
    State(s): State<AppState>,
    c: Authorized<Approve>,
    Json(input): Json<DraftInput>,
) -> R<(StatusCode, Json<BoardView>)> {
    let v =
        s.db.draft_board(&c.scope, &input, xiangzhi_storage::now_ms())
            .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A village's month of lists, with the objections to them.
#[utoipa::path(get, path = "/points/boards/{county}/{id}", tag = "points",
    params(("county" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = BoardView), (status = 404, body = Problem)))]
pub async fn get_board(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((county, id)): Path<(i64, i64)>,
) -> R<Json<BoardView>> {
    Ok(Json(s.db.points_board(&c.scope, county, id).await?))
}

/// Records an objection to a household's place on a drafted list.
#[utoipa::path(post, path = "/points/boards/{county}/{id}/objections", tag = "points",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = ObjectionInput,
    responses((status = 201, body = Objection), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn lodge_objection(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<ObjectionInput>,
) -> R<(StatusCode, Json<Objection>)> {
    let o =
        s.db.lodge_objection(&c.scope, county, id, &input, xiangzhi_storage::now_ms())
            .await?;
    Ok((StatusCode::CREATED, Json(o)))
}

/// Upholds an objection (the household leaves that list) or dismisses it.
#[utoipa::path(post, path = "/points/objections/{county}/{id}/decision", tag = "points",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = ObjectionDecision,
    responses((status = 200, body = Objection), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn decide_objection(
    State(s): State<AppState>,
    c: Authorized<Approve>,
    Path((county, id)): Path<(i64, i64)>,
    Json(d): Json<ObjectionDecision>,
) -> R<Json<Objection>> {
    Ok(Json(
        s.db.decide_objection(&c.scope, county, id, &d, xiangzhi_storage::now_ms())
            .await?,
    ))
}

/// Publishes a village's lists on its public board once the objection days have passed.
#[utoipa::path(post, path = "/points/boards/{county}/{id}/publication", tag = "points",
    params(("county" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = BoardView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn publish_board(
    State(s): State<AppState>,
    c: Authorized<Approve>,
    Path((county, id)): Path<(i64, i64)>,
) -> R<Json<BoardView>> {
    Ok(Json(
        s.db.publish_board(&c.scope, county, id, xiangzhi_storage::now_ms())
            .await?,
    ))
}
