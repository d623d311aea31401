//! The collective economy's JSON API.

use crate::assets::*;
use crate::distributions::*;
use crate::funds::*;
use crate::leases::*;
use crate::members::*;
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
    /// Keep the collective's members, shares and distributions.
    Record = crate::RECORD_ECONOMY
);

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_members, add_member))
        .routes(routes!(get_member))
        .routes(routes!(member_leaves))
        .routes(routes!(list_holdings, add_holding))
        .routes(routes!(list_distributions, draft_distribution))
        .routes(routes!(draft_distributions))
        .routes(routes!(get_distribution))
        .routes(routes!(approve_distribution))
        .routes(routes!(pay))
        .routes(routes!(list_leases, create_lease))
        .routes(routes!(overdue_leases))
        .routes(routes!(get_lease))
        .routes(routes!(receive_rent))
        .routes(routes!(list_assets, register_asset))
        .routes(routes!(idle_assets))
        .routes(routes!(get_asset))
        .routes(routes!(move_asset))
        .routes(routes!(list_sales, record_sale))
        .routes(routes!(sales_year))
        .routes(routes!(list_enterprises, found_enterprise))
        .routes(routes!(get_enterprise))
        .routes(routes!(join_enterprise))
        .routes(routes!(report_year))
        .routes(routes!(list_resources, register_resource))
        .routes(routes!(idle_resources))
        .routes(routes!(get_resource))
        .routes(routes!(use_resource))
        .routes(routes!(list_funds, enter_fund))
        .routes(routes!(reverse_fund))
        .routes(routes!(fund_statement))
        .routes(routes!(overview))
        .routes(routes!(set_strong_target))
}

/// Every village in reach with its books for a year (income, expense, operating income, strong
/// or not, assets, idle assets, leases and rent overdue, the latest distribution's state), and
/// the share of strong villages against the county's target.
#[utoipa::path(get, path = "/economy/overview", tag = "economy", params(OverviewQuery),
    responses((status = 200, body = crate::overview::Overview), (status = 422, body = Problem)))]
pub async fn overview(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<OverviewQuery>,
) -> R<Json<crate::overview::Overview>> {
    use crate::overview::OverviewStore;
    let today = xiangzhi_domain::china_today();
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&today));
    period(Some(year), None)?;
    Ok(Json(
        s.db.overview(&c.scope, q.division.as_deref(), year, today)
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OverviewQuery {
    /// Within this division only.
    pub division: Option<String>,
    /// The year (this year when absent).
    pub year: Option<i32>,
}

xiangzhi_web::needs!(
    /// Set the county's targets.
    SetTarget = crate::SET_TARGETS
);

/// Sets the county's target for its share of strong villages in a year.
#[utoipa::path(put, path = "/economy/strong-target", tag = "economy",
    request_body = crate::overview::TargetInput,
    responses((status = 200, body = crate::overview::TargetInput), (status = 422, body = Problem)))]
pub async fn set_strong_target(
    State(s): State<AppState>,
    c: Authorized<SetTarget>,
    Json(input): Json<crate::overview::TargetInput>,
) -> R<Json<crate::overview::TargetInput>> {
    use crate::overview::OverviewStore;
    s.db.set_strong_target(&c.scope, &input).await?;
    Ok(Json(input))
}

/// Drafts every listed village's plan at once (a township's or the county's year-end plans),
/// each with its own income and the same classes: all or nothing, in one transaction.
#[utoipa::path(post, path = "/economy/distributions/batch", tag = "economy",
    request_body = crate::batch::BatchInput,
    responses((status = 201, body = [crate::batch::Drafted]), (status = 422, body = Problem)))]
pub async fn draft_distributions(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<crate::batch::BatchInput>,
) -> R<(StatusCode, Json<Vec<crate::batch::Drafted>>)> {
    use crate::batch::BatchStore;
    Ok((
        StatusCode::CREATED,
        Json(s.db.draft_distributions(&c.scope, &input).await?),
    ))
}

/// Produce sales in reach, latest first.
#[utoipa::path(get, path = "/economy/sales", tag = "economy", params(Narrow),
    responses((status = 200, body = [crate::sales::Sale]), (status = 422, body = Problem)))]
pub async fn list_sales(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<Narrow>,
) -> R<Json<Vec<crate::sales::Sale>>> {
    use crate::sales::SaleStore;
    Ok(Json(
        s.db.sales(&c.scope, q.division.as_deref(), q.q.as_deref())
            .await?,
    ))
}

/// Records a sale of a village's produce: product, kilograms, amount, buyer and channel.
#[utoipa::path(post, path = "/economy/sales", tag = "economy", request_body = crate::sales::SaleInput,
    responses((status = 201, body = crate::sales::Sale), (status = 422, body = Problem)))]
pub async fn record_sale(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<crate::sales::SaleInput>,
) -> R<(StatusCode, Json<crate::sales::Sale>)> {
    use crate::sales::SaleStore;
    Ok((
        StatusCode::CREATED,
        Json(s.db.record_sale(&c.scope, &input).await?),
    ))
}

/// A year's produce sales in reach (or under `?division=`), by product, buyer and channel, in
/// kilograms and fen.
#[utoipa::path(get, path = "/economy/sales/year", tag = "economy", params(OverviewQuery),
    responses((status = 200, body = crate::sales::SalesYear), (status = 422, body = Problem)))]
pub async fn sales_year(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<OverviewQuery>,
) -> R<Json<crate::sales::SalesYear>> {
    use crate::sales::SaleStore;
    let year = q
        .year
        .unwrap_or_else(|| chrono::Datelike::year(&xiangzhi_domain::china_today()));
    Ok(Json(
        s.db.sales_year(&c.scope, q.division.as_deref(), year)
            .await?,
    ))
}

/// The companies and cooperatives the villages' branches founded, in reach.
#[utoipa::path(get, path = "/economy/enterprises", tag = "economy", params(Narrow),
    responses((status = 200, body = [crate::enterprises::Enterprise]), (status = 422, body = Problem)))]
pub async fn list_enterprises(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<Narrow>,
) -> R<Json<Vec<crate::enterprises::Enterprise>>> {
    use crate::enterprises::EnterpriseStore;
    Ok(Json(
        s.db.enterprises(&c.scope, q.division.as_deref(), q.q.as_deref())
            .await?,
    ))
}

/// Records a company or cooperative founded by a village's branch.
#[utoipa::path(post, path = "/economy/enterprises", tag = "economy",
    request_body = crate::enterprises::EnterpriseInput,
    responses((status = 201, body = crate::enterprises::EnterpriseView), (status = 422, body = Problem)))]
pub async fn found_enterprise(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<crate::enterprises::EnterpriseInput>,
) -> R<(StatusCode, Json<crate::enterprises::EnterpriseView>)> {
    use crate::enterprises::EnterpriseStore;
    Ok((
        StatusCode::CREATED,
        Json(s.db.found_enterprise(&c.scope, &input).await?),
    ))
}

/// An enterprise with its member households and its years.
#[utoipa::path(get, path = "/economy/enterprises/{county}/{id}", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = crate::enterprises::EnterpriseView), (status = 404, body = Problem)))]
pub async fn get_enterprise(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((county, id)): Path<(i64, i64)>,
) -> R<Json<crate::enterprises::EnterpriseView>> {
    use crate::enterprises::EnterpriseStore;
    Ok(Json(s.db.enterprise(&c.scope, county, id).await?))
}

/// A household of the village joins the enterprise with its shares (409 when it has already).
#[utoipa::path(post, path = "/economy/enterprises/{county}/{id}/members", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)),
    request_body = crate::enterprises::EnterpriseMemberInput,
    responses((status = 201, body = crate::enterprises::EnterpriseView), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn join_enterprise(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<crate::enterprises::EnterpriseMemberInput>,
) -> R<(StatusCode, Json<crate::enterprises::EnterpriseView>)> {
    use crate::enterprises::EnterpriseStore;
    Ok((
        StatusCode::CREATED,
        Json(s.db.join_enterprise(&c.scope, county, id, &input).await?),
    ))
}

/// An enterprise's figures for a year: revenue, profit, and what went to the collective and the
/// members (409 when the year is reported already).
#[utoipa::path(post, path = "/economy/enterprises/{county}/{id}/years", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = crate::enterprises::YearInput,
    responses((status = 201, body = crate::enterprises::EnterpriseView), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn report_year(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<crate::enterprises::YearInput>,
) -> R<(StatusCode, Json<crate::enterprises::EnterpriseView>)> {
    use crate::enterprises::EnterpriseStore;
    Ok((
        StatusCode::CREATED,
        Json(s.db.report_year(&c.scope, county, id, &input).await?),
    ))
}

/// The collective's resources in reach (land, forest, water, barren land).
#[utoipa::path(get, path = "/economy/resources", tag = "economy", params(Narrow),
    responses((status = 200, body = [crate::resources::Resource]), (status = 422, body = Problem)))]
pub async fn list_resources(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<Narrow>,
) -> R<Json<Vec<crate::resources::Resource>>> {
    use crate::resources::ResourceStore;
    Ok(Json(
        s.db.resources(&c.scope, q.division.as_deref(), q.q.as_deref(), None)
            .await?,
    ))
}

/// Registers a resource with its area, rights registration and use.
#[utoipa::path(post, path = "/economy/resources", tag = "economy",
    request_body = crate::resources::ResourceInput,
    responses((status = 201, body = crate::resources::Resource), (status = 422, body = Problem)))]
pub async fn register_resource(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<crate::resources::ResourceInput>,
) -> R<(StatusCode, Json<crate::resources::Resource>)> {
    use crate::resources::ResourceStore;
    Ok((
        StatusCode::CREATED,
        Json(s.db.register_resource(&c.scope, &input).await?),
    ))
}

/// The idle resources of every village in reach (闲变宝).
#[utoipa::path(get, path = "/economy/resources/idle", tag = "economy", params(Narrow),
    responses((status = 200, body = [crate::resources::Resource]), (status = 422, body = Problem)))]
pub async fn idle_resources(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<Narrow>,
) -> R<Json<Vec<crate::resources::Resource>>> {
    use crate::resources::ResourceStore;
    Ok(Json(
        s.db.resources(
            &c.scope,
            q.division.as_deref(),
            q.q.as_deref(),
            Some("idle"),
        )
        .await?,
    ))
}

/// A resource in reach.
#[utoipa::path(get, path = "/economy/resources/{county}/{id}", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = crate::resources::Resource), (status = 404, body = Problem)))]
pub async fn get_resource(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((county, id)): Path<(i64, i64)>,
) -> R<Json<crate::resources::Resource>> {
    use crate::resources::ResourceStore;
    Ok(Json(s.db.resource(&c.scope, county, id).await?))
}

/// Changes how a resource is used, from the version the clerk saw (409 when someone else changed
/// it first).
#[utoipa::path(post, path = "/economy/resources/{county}/{id}/use", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = crate::resources::UseInput,
    responses((status = 200, body = crate::resources::Resource), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn use_resource(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<crate::resources::UseInput>,
) -> R<Json<crate::resources::Resource>> {
    use crate::resources::ResourceStore;
    Ok(Json(s.db.use_resource(&c.scope, county, id, &input).await?))
}

/// The funds journal's entries in reach, latest first.
#[utoipa::path(get, path = "/economy/funds", tag = "economy", params(Narrow),
    responses((status = 200, body = [FundEntry]), (status = 422, body = Problem)))]
pub async fn list_funds(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<Narrow>,
) -> R<Json<Vec<FundEntry>>> {
    Ok(Json(
        s.db.fund_entries(&c.scope, q.division.as_deref(), q.q.as_deref())
            .await?,
    ))
}

/// Enters an income or expense with its voucher (409 when the voucher is already entered).
#[utoipa::path(post, path = "/economy/funds", tag = "economy", request_body = FundInput,
    responses((status = 201, body = FundEntry), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn enter_fund(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<FundInput>,
) -> R<(StatusCode, Json<FundEntry>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.enter_fund(&c.scope, &input).await?),
    ))
}

/// Reverses an entry, once, by a new entry of the opposite amount.
#[utoipa::path(post, path = "/economy/funds/{county}/{id}/reversal", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = ReversalInput,
    responses((status = 201, body = FundEntry), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn reverse_fund(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<ReversalInput>,
) -> R<(StatusCode, Json<FundEntry>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.reverse_fund(&c.scope, county, id, &input).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct StatementQuery {
    /// The year (`2026`; this year when absent); the whole year when no month is given.
    pub year: Option<i32>,
    /// The month (1–12).
    pub month: Option<u32>,
}

/// A village's income and expense by category for a month or a year, with its operating income
/// and whether that makes it a strong village (500,000 yuan or more).
#[utoipa::path(get, path = "/economy/statements/{code}", tag = "economy",
    params(("code" = String, Path, description = "The village (12 digits)"), StatementQuery),
    responses((status = 200, body = FundStatement), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn fund_statement(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path(village): Path<String>,
    Query(q): Query<StatementQuery>,
) -> R<Json<FundStatement>> {
    let (from, to) = period(q.year, q.month)?;
    Ok(Json(
        s.db.fund_statement(&c.scope, &village, from, to).await?,
    ))
}

/// The collective's assets in reach with their book value (on `?on=`, or today).
#[utoipa::path(get, path = "/economy/assets", tag = "economy", params(LeaseQuery),
    responses((status = 200, body = [AssetView]), (status = 422, body = Problem)))]
pub async fn list_assets(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<LeaseQuery>,
) -> R<Json<Vec<AssetView>>> {
    let day = on(&q)?;
    Ok(Json(
        s.db.assets(&c.scope, q.division.as_deref(), q.q.as_deref(), None, day)
            .await?,
    ))
}

/// Registers an asset: cost, salvage and useful life; depreciation comes from the rules.
#[utoipa::path(post, path = "/economy/assets", tag = "economy", request_body = AssetInput,
    responses((status = 201, body = AssetView), (status = 422, body = Problem)))]
pub async fn register_asset(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<AssetInput>,
) -> R<(StatusCode, Json<AssetView>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.register_asset(&c.scope, &input).await?),
    ))
}

/// The idle assets of every village in reach (闲变宝: to be put to work).
#[utoipa::path(get, path = "/economy/assets/idle", tag = "economy", params(LeaseQuery),
    responses((status = 200, body = [AssetView]), (status = 422, body = Problem)))]
pub async fn idle_assets(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<LeaseQuery>,
) -> R<Json<Vec<AssetView>>> {
    let day = on(&q)?;
    Ok(Json(
        s.db.assets(
            &c.scope,
            q.division.as_deref(),
            q.q.as_deref(),
            Some("idle"),
            day,
        )
        .await?,
    ))
}

/// An asset with its depreciation and book value.
#[utoipa::path(get, path = "/economy/assets/{county}/{id}", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path), LeaseQuery),
    responses((status = 200, body = AssetView), (status = 404, body = Problem)))]
pub async fn get_asset(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((county, id)): Path<(i64, i64)>,
    Query(q): Query<LeaseQuery>,
) -> R<Json<AssetView>> {
    let day = on(&q)?;
    Ok(Json(s.db.asset(&c.scope, county, id, day).await?))
}

/// Moves an asset's state (409 when someone changed it since the version given).
#[utoipa::path(post, path = "/economy/assets/{county}/{id}/state", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = StateInput,
    responses((status = 200, body = AssetView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn move_asset(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<StateInput>,
) -> R<Json<AssetView>> {
    Ok(Json(s.db.move_asset(&c.scope, county, id, &input).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LeaseQuery {
    /// Within this division only.
    pub division: Option<String>,
    /// Words of the resource or the lessee.
    pub q: Option<String>,
    /// Judge the schedule on this day (`2026-11-30`; today when absent).
    pub on: Option<String>,
}

fn on(q: &LeaseQuery) -> Result<chrono::NaiveDate, ApiError> {
    match q.on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(xiangzhi_domain::china_today()),
        Some(s) => Ok(crate::members::date("on", s)?),
    }
}

/// The leases of collective resources in reach.
#[utoipa::path(get, path = "/economy/leases", tag = "economy", params(LeaseQuery),
    responses((status = 200, body = [Lease]), (status = 422, body = Problem)))]
pub async fn list_leases(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<LeaseQuery>,
) -> R<Json<Vec<Lease>>> {
    Ok(Json(
        s.db.leases(&c.scope, q.division.as_deref(), q.q.as_deref())
            .await?,
    ))
}

/// Records a lease: area in hundredths of a mu, price in fen per mu per year, term and
/// instalments; its schedule comes from the rules.
#[utoipa::path(post, path = "/economy/leases", tag = "economy", request_body = LeaseInput,
    responses((status = 201, body = LeaseView), (status = 422, body = Problem)))]
pub async fn create_lease(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<LeaseInput>,
) -> R<(StatusCode, Json<LeaseView>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.create_lease(&c.scope, &input).await?),
    ))
}

/// The leases in reach with rent due and not received, most overdue first.
#[utoipa::path(get, path = "/economy/leases/overdue", tag = "economy", params(LeaseQuery),
    responses((status = 200, body = [LeaseView]), (status = 422, body = Problem)))]
pub async fn overdue_leases(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<LeaseQuery>,
) -> R<Json<Vec<LeaseView>>> {
    let day = on(&q)?;
    Ok(Json(
        s.db.overdue_leases(&c.scope, q.division.as_deref(), q.q.as_deref(), day)
            .await?,
    ))
}

/// A lease with its schedule, what is due and what is overdue (on `?on=`, or today).
#[utoipa::path(get, path = "/economy/leases/{county}/{id}", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path), LeaseQuery),
    responses((status = 200, body = LeaseView), (status = 404, body = Problem)))]
pub async fn get_lease(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((county, id)): Path<(i64, i64)>,
    Query(q): Query<LeaseQuery>,
) -> R<Json<LeaseView>> {
    let day = on(&q)?;
    Ok(Json(s.db.lease(&c.scope, county, id, day).await?))
}

/// Records rent received (409 beyond the whole term's rent).
#[utoipa::path(post, path = "/economy/leases/{county}/{id}/receipts", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = ReceiptInput,
    responses((status = 201, body = Receipt), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn receive_rent(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<ReceiptInput>,
) -> R<(StatusCode, Json<Receipt>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.receive_rent(&c.scope, county, id, &input).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Narrow {
    /// Within this division only.
    pub division: Option<String>,
    /// Words of the name.
    pub q: Option<String>,
}

/// The collective's members in reach, by village and household.
#[utoipa::path(get, path = "/economy/members", tag = "economy", params(Narrow),
    responses((status = 200, body = [Member]), (status = 422, body = Problem)))]
pub async fn list_members(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<Narrow>,
) -> R<Json<Vec<Member>>> {
    Ok(Json(
        s.db.members(&c.scope, q.division.as_deref(), q.q.as_deref())
            .await?,
    ))
}

/// Records a resident as a member of the village's collective economic organisation.
#[utoipa::path(post, path = "/economy/members", tag = "economy", request_body = MemberInput,
    responses((status = 201, body = Member), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_member(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<MemberInput>,
) -> R<(StatusCode, Json<Member>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.add_member(&c.scope, &input).await?),
    ))
}

/// A member with when and how they joined (and left).
#[utoipa::path(get, path = "/economy/members/{county}/{id}", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = Member), (status = 404, body = Problem)))]
pub async fn get_member(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((county, id)): Path<(i64, i64)>,
) -> R<Json<Member>> {
    Ok(Json(s.db.member(&c.scope, county, id).await?))
}

/// Records that a member left (the line stays, with when and how).
#[utoipa::path(post, path = "/economy/members/{county}/{id}/leave", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = LeaveInput,
    responses((status = 200, body = Member), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn member_leaves(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<LeaveInput>,
) -> R<Json<Member>> {
    Ok(Json(
        s.db.member_leaves(&c.scope, county, id, &input).await?,
    ))
}

/// The households' land and capital shares in reach.
#[utoipa::path(get, path = "/economy/holdings", tag = "economy", params(Narrow),
    responses((status = 200, body = [Holding]), (status = 422, body = Problem)))]
pub async fn list_holdings(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<Narrow>,
) -> R<Json<Vec<Holding>>> {
    Ok(Json(
        s.db.holdings(&c.scope, q.division.as_deref(), q.q.as_deref())
            .await?,
    ))
}

/// Records a household's land or capital shares.
#[utoipa::path(post, path = "/economy/holdings", tag = "economy", request_body = HoldingInput,
    responses((status = 201, body = Holding), (status = 422, body = Problem)))]
pub async fn add_holding(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<HoldingInput>,
) -> R<(StatusCode, Json<Holding>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.add_holding(&c.scope, &input).await?),
    ))
}

/// The income distributions in reach, latest first.
#[utoipa::path(get, path = "/economy/distributions", tag = "economy", params(Narrow),
    responses((status = 200, body = [Distribution]), (status = 422, body = Problem)))]
pub async fn list_distributions(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<Narrow>,
) -> R<Json<Vec<Distribution>>> {
    Ok(Json(
        s.db.distributions(&c.scope, q.division.as_deref(), q.q.as_deref())
            .await?,
    ))
}

/// Drafts a village's income distribution: the fund first, then the classes, then each class
/// among its households by their shares, exact to the fen by the largest remainder rule.
#[utoipa::path(post, path = "/economy/distributions", tag = "economy", request_body = DistributionInput,
    responses((status = 201, body = DistributionView), (status = 422, body = Problem)))]
pub async fn draft_distribution(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Json(input): Json<DistributionInput>,
) -> R<(StatusCode, Json<DistributionView>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.draft_distribution(&c.scope, &input).await?),
    ))
}

/// A distribution with its lines and what is paid.
#[utoipa::path(get, path = "/economy/distributions/{county}/{id}", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = DistributionView), (status = 404, body = Problem)))]
pub async fn get_distribution(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((county, id)): Path<(i64, i64)>,
) -> R<Json<DistributionView>> {
    Ok(Json(s.db.distribution(&c.scope, county, id).await?))
}

/// Binds a draft to the village's matter of income distribution decided by a passed
/// resolution (409 while it is not); only then may it be paid.
#[utoipa::path(post, path = "/economy/distributions/{county}/{id}/approval", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = ApprovalInput,
    responses((status = 200, body = DistributionView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn approve_distribution(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<ApprovalInput>,
) -> R<Json<DistributionView>> {
    Ok(Json(
        s.db.approve_distribution(&c.scope, county, id, &input)
            .await?,
    ))
}

/// Records a payment to a household (409 before approval or beyond what the plan gives it).
#[utoipa::path(post, path = "/economy/distributions/{county}/{id}/payments", tag = "economy",
    params(("county" = i64, Path), ("id" = i64, Path)), request_body = PaymentInput,
    responses((status = 201, body = Payment), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn pay(
    State(s): State<AppState>,
    c: Authorized<Record>,
    Path((county, id)): Path<(i64, i64)>,
    Json(input): Json<PaymentInput>,
) -> R<(StatusCode, Json<Payment>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.pay(&c.scope, county, id, &input).await?),
    ))
}
