//! Registry endpoints: divisions, grids, staff, households, residents, party organisations and
//! members, contact duties, and the coverage report.

use crate::model::*;
use crate::prelude::*;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xiangzhi_domain::id_number::mask;
use xiangzhi_storage::*;
use xiangzhi_web::error::{ApiError, Problem};
use xiangzhi_web::personal::{show_one, show_page, Personal};
use xiangzhi_web::rights::{Authorized, ReadRegistry, WriteRegistry, WriteStructure};
use xiangzhi_web::{resource, AppState, Json, Path, Query, Reveal};

type R<T> = Result<T, ApiError>;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_divisions, create_division))
        .routes(routes!(get_division, rename_division, delete_division))
        .routes(routes!(list_regions))
        .routes(routes!(list_grids, create_grid))
        .routes(routes!(get_grid, rename_grid, delete_grid))
        .routes(routes!(list_staff, create_staff))
        .routes(routes!(get_staff, update_staff, delete_staff))
        .routes(routes!(list_households, create_household))
        .routes(routes!(get_household, update_household, delete_household))
        .routes(routes!(household_residents))
        .routes(routes!(list_residents, create_resident))
        .routes(routes!(get_resident, update_resident, delete_resident))
        .routes(routes!(move_resident))
        .routes(routes!(resident_moves))
        .merge(crate::exchange::api::routes())
}

impl Personal for Division {}
impl Personal for Grid {}
impl Personal for Household {}
impl Personal for Resident {
    const PERSONAL: bool = true;
    fn masked(mut self) -> Self {
        self.id_number = mask(&self.id_number, 3, 4);
        self.phone = self.phone.map(|p| mask(&p, 3, 4));
        self
    }
    fn label(&self) -> String {
        format!("resident {}:{}", self.county_id, self.id)
    }
}
impl Personal for Staff {
    const PERSONAL: bool = true;
    fn masked(mut self) -> Self {
        self.phone = self.phone.map(|p| mask(&p, 3, 4));
        self
    }
    fn label(&self) -> String {
        format!("staff {}:{}", self.county_id, self.id)
    }
}

// ---- divisions (addressed by code)

/// 区划列表: filter by `division` (subtree), `kind` (level), `parent` (code) and `q` (name).
#[utoipa::path(get, path = "/divisions", tag = "registry", params(ListQuery),
    responses((status = 200, body = Page<Division>), (status = 422, body = Problem)))]
pub async fn list_divisions(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<ListQuery>,
) -> R<Json<Page<Division>>> {
    Ok(Json(s.db.list_divisions(&c.scope, &q).await?))
}

/// 新增区划
#[utoipa::path(post, path = "/divisions", tag = "registry", request_body = DivisionInput,
    responses((status = 201, body = Division), (status = 422, body = Problem), (status = 409, body = Problem)))]
pub async fn create_division(
    State(s): State<AppState>,
    c: Authorized<WriteStructure>,
    Json(i): Json<DivisionInput>,
) -> R<(StatusCode, Json<Division>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.create_division(&c.scope, &i).await?),
    ))
}

#[utoipa::path(get, path = "/divisions/{code}", tag = "registry", params(("code" = String, Path)),
    responses((status = 200, body = Division), (status = 404, body = Problem)))]
pub async fn get_division(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path(code): Path<String>,
) -> R<Json<Division>> {
    Ok(Json(s.db.get_division(&c.scope, &code).await?))
}

/// Renames a division; its code never changes.
#[utoipa::path(put, path = "/divisions/{code}", tag = "registry", params(("code" = String, Path)), request_body = DivisionRename,
    responses((status = 200, body = Division), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn rename_division(
    State(s): State<AppState>,
    c: Authorized<WriteStructure>,
    Path(code): Path<String>,
    Json(i): Json<DivisionRename>,
) -> R<Json<Division>> {
    Ok(Json(s.db.rename_division(&c.scope, &code, &i).await?))
}

#[utoipa::path(delete, path = "/divisions/{code}", tag = "registry", params(("code" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_division(
    State(s): State<AppState>,
    c: Authorized<WriteStructure>,
    Path(code): Path<String>,
) -> R<StatusCode> {
    s.db.delete_division(&c.scope, &code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Provinces and prefectures (shared reference data).
#[utoipa::path(get, path = "/regions", tag = "registry", responses((status = 200, body = Vec<Region>)))]
pub async fn list_regions(
    State(s): State<AppState>,
    _c: Authorized<ReadRegistry>,
) -> R<Json<Vec<Region>>> {
    Ok(Json(s.db.list_regions().await?))
}

// ---- grids

#[utoipa::path(get, path = "/grids", tag = "registry", params(ListQuery),
    responses((status = 200, body = Page<Grid>), (status = 422, body = Problem)))]
pub async fn list_grids(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<ListQuery>,
) -> R<Json<Page<Grid>>> {
    Ok(Json(s.db.list_grids(&c.scope, &q).await?))
}

#[utoipa::path(post, path = "/grids", tag = "registry", request_body = GridInput,
    responses((status = 201, body = Grid), (status = 422, body = Problem)))]
pub async fn create_grid(
    State(s): State<AppState>,
    c: Authorized<WriteStructure>,
    Json(i): Json<GridInput>,
) -> R<(StatusCode, Json<Grid>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.db.create_grid(&c.scope, &i).await?),
    ))
}

#[utoipa::path(get, path = "/grids/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = Grid), (status = 404, body = Problem)))]
pub async fn get_grid(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path(id): Path<i64>,
) -> R<Json<Grid>> {
    Ok(Json(s.db.get_grid(&c.scope, id).await?))
}

#[utoipa::path(put, path = "/grids/{id}", tag = "registry", params(("id" = i64, Path)), request_body = GridRename,
    responses((status = 200, body = Grid), (status = 404, body = Problem)))]
pub async fn rename_grid(
    State(s): State<AppState>,
    c: Authorized<WriteStructure>,
    Path(id): Path<i64>,
    Json(i): Json<GridRename>,
) -> R<Json<Grid>> {
    Ok(Json(s.db.rename_grid(&c.scope, id, &i).await?))
}

#[utoipa::path(delete, path = "/grids/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_grid(
    State(s): State<AppState>,
    c: Authorized<WriteStructure>,
    Path(id): Path<i64>,
) -> R<StatusCode> {
    s.db.delete_grid(&c.scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

resource!(
    "registry",
    "/staff",
    "/staff/{id}",
    Staff,
    StaffInput,
    list_staff,
    create_staff,
    get_staff,
    update_staff,
    delete_staff
);
resource!(
    "registry",
    "/households",
    "/households/{id}",
    Household,
    HouseholdInput,
    list_households,
    create_household,
    get_household,
    update_household,
    delete_household
);
resource!(
    "registry",
    "/residents",
    "/residents/{id}",
    Resident,
    ResidentInput,
    list_residents,
    create_resident,
    get_resident,
    update_resident,
    delete_resident
);

/// The residents of a household.
#[utoipa::path(get, path = "/households/{id}/residents", tag = "registry", params(("id" = i64, Path), Reveal),
    responses((status = 200, body = Vec<Resident>), (status = 404, body = Problem)))]
pub async fn household_residents(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path(id): Path<i64>,
) -> R<Json<Vec<Resident>>> {
    Ok(Json(s.db.household_residents(&c.scope, id).await?))
}

/// Moves a resident to another household, keeping the history.
#[utoipa::path(post, path = "/residents/{id}/move", tag = "registry", params(("id" = i64, Path)), request_body = MoveInput,
    responses((status = 200, body = Resident), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn move_resident(
    State(s): State<AppState>,
    c: Authorized<WriteRegistry>,
    Path(id): Path<i64>,
    Json(i): Json<MoveInput>,
) -> R<Json<Resident>> {
    Ok(Json(s.db.move_resident(&c.scope, id, &i).await?.masked()))
}

/// A resident's household history, oldest first.
#[utoipa::path(get, path = "/residents/{id}/moves", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ResidentMove>), (status = 404, body = Problem)))]
pub async fn resident_moves(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path(id): Path<i64>,
) -> R<Json<Vec<ResidentMove>>> {
    Ok(Json(s.db.resident_moves(&c.scope, id).await?))
}
