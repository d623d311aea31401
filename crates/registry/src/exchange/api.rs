//! Imports and exports through the API: the console's jobs, for programs. `POST /imports` takes the
//! file as the request body and answers the checked job (a preview, or the rows refused);
//! `POST /imports/{county}/{id}/apply` writes it in the background; `GET /imports/{county}/{id}`
//! follows it. `GET /exports/{layout}` answers an area's file, masked unless a purpose is given
//! by an account that may see personal data.

use super::{clean, may_import, offered, refusal, run, sees_jobs, UPLOAD_LIMIT};
use crate::layouts::{area_prefix, Summary};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xiangzhi_domain::{DivisionCode, Right};
use xiangzhi_storage::staged::{digest, ImportJob, JobStatus};
use xiangzhi_tabular::ExchangeError;
use xiangzhi_web::error::{ApiError, Problem};
use xiangzhi_web::rights::{Authorized, ReadRegistry};
use xiangzhi_web::{AppState, Json, Path, Query};

type R<T> = Result<T, ApiError>;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_imports, create_import))
        .routes(routes!(get_import))
        .routes(routes!(apply_import))
        .routes(routes!(export_file))
}

/// An import job as the API shows it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ImportJobView {
    pub county_id: i64,
    pub id: i64,
    /// `households`, `moves`, `rentals`, `staff`, `grids`, `party-orgs`, `party-members`, `contact-duties` or `village-cadres`.
    pub layout: String,
    pub file_name: String,
    /// SHA-256 of the file, hex.
    pub digest: String,
    /// `checked` (waits to be applied), `refused` (has bad rows), `queued`, `writing`, `done`,
    /// `failed` (what it wrote is undone).
    pub status: String,
    pub rows_total: i64,
    /// Rows written so far.
    pub progress: i64,
    /// What the file adds, changes and moves (a preview; the outcome once done).
    pub summary: Option<Summary>,
    /// The rows refused (the first 200).
    pub errors: Vec<xiangzhi_tabular::RowError>,
    /// How many problems were found in all.
    pub total_errors: usize,
    /// Why a job failed while it was written, in Chinese and English.
    pub failure: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

fn view(j: ImportJob) -> ImportJobView {
    let (errors, total_errors, failure) = refusal(j.errors.as_deref());
    let failure = failure.map(|(zh, en)| format!("{zh} / {en}"));
    ImportJobView {
        summary: j
            .summary
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok()),
        errors,
        total_errors,
        failure,
        county_id: j.county_id,
        id: j.id,
        layout: j.layout,
        file_name: j.file_name,
        digest: j.digest,
        status: j.status,
        rows_total: j.rows_total,
        progress: j.progress,
        created_at: j.created_at,
        updated_at: j.updated_at,
    }
}

fn exchange_error(e: ExchangeError) -> ApiError {
    match e {
        ExchangeError::Store(e) => e.into(),
        ExchangeError::Format { zh, en } => {
            ApiError::status(StatusCode::UNPROCESSABLE_ENTITY, "file", zh, en)
        }
        other => {
            let text = other.to_string();
            ApiError::status(StatusCode::UNPROCESSABLE_ENTITY, "file", text.clone(), text)
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// What the file holds: `households`, `moves`, `rentals`, `staff`, `grids`, `party-orgs`, `party-members`, `contact-duties` or `village-cadres`.
    #[serde(default)]
    pub layout: String,
    /// The file's name (its extension tells CSV from .xlsx), e.g. `城关社区花名册.xlsx`.
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ImportListQuery {
    /// Only the jobs of this area (a division code within the caller's jurisdiction).
    #[serde(default)]
    pub division: Option<String>,
}

/// The jobs of a list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ImportJobs {
    pub items: Vec<ImportJobView>,
}

/// The caller's scope narrowed to `division` (the caller's own when absent); a division outside
/// it is not found, as a missing one is.
fn area(c: &xiangzhi_web::Caller, division: Option<&str>) -> R<xiangzhi_storage::Scope> {
    match division.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(c.scope.clone()),
        Some(d) => DivisionCode::parse(d)
            .ok()
            .and_then(|d| c.scope.narrow(&d))
            .ok_or_else(ApiError::not_found),
    }
}

/// 上传导入文件: the request body is the file (CSV in UTF-8, GBK or UTF-16, or .xlsx; at most
/// 64 MB). Every row is checked, nothing is written: the answer is the job, `checked` with a
/// preview of what it will add, change and move, or `refused` with its bad rows.
#[utoipa::path(post, path = "/imports", tag = "registry", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = ImportJobView), (status = 403, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem)))]
pub async fn create_import(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Body,
) -> R<(StatusCode, Json<ImportJobView>)> {
    let Some((which, _, _, right)) = offered(&q.layout) else {
        return Err(ApiError::status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "layout",
            "数据类别应为 households、moves、rentals、staff、grids、party-orgs、party-members、contact-duties 或 village-cadres".into(),
            "layout must be households, moves, rentals, staff, grids, party-orgs, party-members, contact-duties or village-cadres".into(),
        ));
    };
    if !may_import(&c.user, right) {
        return Err(ApiError::forbidden(
            "您的账号不能导入这类数据",
            "your account may not import this kind of data",
        ));
    }
    let bytes = axum::body::to_bytes(body, UPLOAD_LIMIT)
        .await
        .map_err(|_| ApiError::too_large("文件超过64MB", "the file is larger than 64 MB"))?
        .to_vec();
    let (county, id) = super::check_upload(&s.db, &c.scope, which, &q.name, bytes)
        .await
        .map_err(exchange_error)?;
    let j = s.db.import_job(county, id, &area_prefix(&c.scope)).await?;
    Ok((StatusCode::CREATED, Json(view(j))))
}

/// 导入任务列表: the newest 50 jobs within the caller's area (or the `division` given).
#[utoipa::path(get, path = "/imports", tag = "registry", params(ImportListQuery),
    responses((status = 200, body = ImportJobs), (status = 404, body = Problem)))]
pub async fn list_imports(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Query(q): Query<ImportListQuery>,
) -> R<Json<ImportJobs>> {
    let scope = area(&c, q.division.as_deref())?;
    let shown = if sees_jobs(&c.user) { 50 } else { 0 };
    let jobs = s.db.import_jobs(&area_prefix(&scope), shown).await?;
    Ok(Json(ImportJobs {
        items: jobs.into_iter().map(view).collect(),
    }))
}

/// 导入任务: its state, preview or outcome, and its progress while it is written.
#[utoipa::path(get, path = "/imports/{county}/{id}", tag = "registry",
    params(("county" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = ImportJobView), (status = 404, body = Problem)))]
pub async fn get_import(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((county, id)): Path<(i64, i64)>,
) -> R<Json<ImportJobView>> {
    if !sees_jobs(&c.user) {
        return Err(ApiError::not_found());
    }
    Ok(Json(view(
        s.db.import_job(county, id, &area_prefix(&c.scope)).await?,
    )))
}

/// 确认导入: a `checked` job is written in the background, in short transactions (the service
/// keeps answering), all or nothing as a whole. Follow it with `GET /imports/{county}/{id}`.
#[utoipa::path(post, path = "/imports/{county}/{id}/apply", tag = "registry",
    params(("county" = i64, Path), ("id" = i64, Path)),
    responses((status = 202, body = ImportJobView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn apply_import(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((county, id)): Path<(i64, i64)>,
) -> R<(StatusCode, Json<ImportJobView>)> {
    let job = s.db.import_job(county, id, &area_prefix(&c.scope)).await?;
    let Some((which, _, _, right)) = offered(&job.layout) else {
        return Err(ApiError::not_found());
    };
    if !may_import(&c.user, right) {
        return Err(ApiError::forbidden(
            "您的账号不能导入这类数据",
            "your account may not import this kind of data",
        ));
    }
    s.db.queue_import_job(c.scope.actor(), county, id).await?;
    let (db, scope) = (s.db.clone(), c.scope.clone());
    let queued = job.clone();
    tokio::spawn(async move {
        if let Err(e) = run(&db, &scope, which, &queued).await {
            tracing::error!(county, job = id, error = %e, "import job failed");
        }
    });
    let mut v = view(job);
    v.status = JobStatus::Queued.as_str().into();
    Ok((StatusCode::ACCEPTED, Json(v)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// The area: a division code within the caller's jurisdiction (default: the caller's own); one
    /// outside it is not found.
    #[serde(default)]
    pub division: Option<String>,
    /// `xlsx` (default) or `csv`.
    #[serde(default)]
    pub format: Option<String>,
    /// Why ID numbers and phones are needed in full; without it they are masked. Needs the right
    /// to see personal data; written to the audit log.
    #[serde(default)]
    pub purpose: Option<String>,
}

/// 导出文件: an area's rows of any layout offered (households, party members…) as .xlsx or CSV, in the layout imports read.
/// Audited with the rows, the file's digest and the purpose.
#[utoipa::path(get, path = "/exports/{layout}", tag = "registry",
    params(("layout" = String, Path, description = "households, moves, rentals, staff, grids, party-orgs, party-members, contact-duties or village-cadres"), ExportQuery),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn export_file(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path(layout): Path<String>,
    Query(q): Query<ExportQuery>,
) -> R<axum::response::Response> {
    let Some((which, _, _, _)) = offered(&layout) else {
        return Err(ApiError::not_found());
    };
    let scope = area(&c, q.division.as_deref())?;
    let area_code = scope.root().map(|r| r.to_string()).unwrap_or_default();
    let purpose = q
        .purpose
        .map(|p| clean(p.trim(), 200))
        .filter(|p| !p.is_empty());
    if purpose.is_some() && !c.user.can(Right::Unmask) {
        return Err(ApiError::forbidden(
            "您的账号不能导出完整的身份证号码和电话",
            "your account may not export full ID numbers and phones",
        ));
    }
    let csv = q.format.as_deref() == Some("csv");
    let (bytes, rows) = super::export_bytes(&s.db, &scope, which, csv, purpose.is_some())
        .await
        .map_err(exchange_error)?;
    let mut e = c.scope.actor().entry(
        &format!("export {}", which.name),
        format!("area {area_code}: {rows} rows, sha256 {}", digest(&bytes)),
    );
    e.detail = match &purpose {
        Some(p) => format!("in full, for: {p}"),
        None => "masked".into(),
    };
    s.db.audit(&e).await?;
    c.scope.actor().mark_audited();
    Ok(super::file_response(which.name, &area_code, csv, bytes))
}
