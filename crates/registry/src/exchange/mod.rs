//! 数据导入导出 (issue 18): imports and exports in the console and the API. An upload is checked
//! in full (reads only) and kept as a job with its preview — what it adds, changes and moves, row
//! by row — or its errors (row, column, reason); once confirmed it is written in the background
//! in short transactions (`staged`), without stopping the service, its progress on its page.
//! Exports cover any area the account holds, ID numbers and phones masked unless the account may
//! see them and states why. Every import and export is audited: who, what, how many rows, the
//! file's SHA-256.

pub mod api;
mod pages;

pub use pages::{apply, exchange, export, job, template, upload};

use crate::layouts::{self, area_prefix};
use xiangzhi_domain::Right;
use xiangzhi_storage::accounts::User;
use xiangzhi_storage::staged::{digest, reason, ImportJob, JobStatus, NewJob};
use xiangzhi_storage::{Db, Scope};
use xiangzhi_tabular::FileLayout;
use xiangzhi_tabular::{ExchangeError, Quiet, RowError};

/// One upload checked at a time, server-wide: a check is seconds of CPU, and on two cores two at
/// once would slow every other request.
static CHECKING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// The largest file taken (a county's 200,000-resident roster is about 25 MB as CSV).
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// A layout offered here (any feature's): the layout, its title (Chinese, English), and the
/// right an import needs.
type Offer = (&'static FileLayout, &'static str, &'static str, Right);

/// Every layout offered here, in the features' order.
fn offers() -> impl Iterator<Item = Offer> {
    xiangzhi_web::feature::offered()
        .iter()
        .filter_map(|l| l.offered.map(|o| (*l, o.zh, o.en, o.right)))
}

fn offered(name: &str) -> Option<Offer> {
    offers().find(|o| o.0.name == name)
}

/// How a layout checks a file.
fn offer_of(
    which: &'static FileLayout,
) -> Result<&'static xiangzhi_tabular::Offered, ExchangeError> {
    which.offered.ok_or_else(|| ExchangeError::Format {
        zh: format!("“{}”不能在这里导入", which.name),
        en: format!("'{}' cannot be imported here", which.name),
    })
}

/// Imports are a clerk's work in an office: not for an account bound to a grid.
fn may_import(user: &User, right: Right) -> bool {
    user.can(right) && user.grid_id.is_none()
}

/// Import jobs show a whole area's names and moves: an account bound to one grid sees none.
fn sees_jobs(user: &User) -> bool {
    user.grid_id.is_none()
}

/// Text a person typed or a file was named, as it is kept and shown: no control characters
/// (NUL included), at most `max` characters.
fn clean(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// The rows a file was refused for, as its job keeps them.
#[derive(serde::Serialize, serde::Deserialize)]
struct Refusal {
    errors: Vec<RowError>,
    total: usize,
}

impl Refusal {
    /// The rows refused, as a job keeps them.
    fn json(errors: Vec<RowError>, total: usize) -> Option<String> {
        serde_json::to_string(&Refusal { errors, total }).ok()
    }
}

/// A job's kept errors: the rows refused and how many in all, or why it failed (Chinese, English).
fn refusal(json: Option<&str>) -> (Vec<RowError>, usize, Option<(String, String)>) {
    let Some(j) = json else {
        return (Vec::new(), 0, None);
    };
    if let Ok(r) = serde_json::from_str::<Refusal>(j) {
        return (r.errors, r.total, None);
    }
    let reason: serde_json::Value = serde_json::from_str(j).unwrap_or_default();
    let zh = reason["zh"].as_str().unwrap_or(j).to_string();
    let en = reason["en"].as_str().unwrap_or(j).to_string();
    (Vec::new(), 0, Some((zh, en)))
}

/// Checks an upload in full and records it as a job — `checked`, keeping the file and its preview,
/// or `refused`, keeping its rows — audited; answers the job's (county, id).
async fn check_upload(
    db: &Db,
    scope: &Scope,
    which: &'static FileLayout,
    name: &str,
    bytes: Vec<u8>,
) -> Result<(i64, i64), ExchangeError> {
    let offer = offer_of(which)?;
    let county_id = match scope.root().and_then(|r| r.county_id()) {
        Some(c) => c,
        None => layouts::resolve_county(db, scope, None).await?.0,
    };
    let sha = digest(&bytes);
    let permit = CHECKING.acquire().await;
    let checked = (offer.check)(db, scope, name, bytes.clone(), None, &Quiet).await;
    drop(permit);
    let mut job = NewJob {
        county_id,
        layout: which.name.into(),
        file_name: clean(name, 200),
        digest: sha,
        division_code: area_prefix(scope),
        status: JobStatus::Checked,
        rows_total: 0,
        summary: None,
        errors: None,
        file: None,
    };
    match checked {
        Ok(c) => {
            job.rows_total = c.summary.rows as i64;
            job.summary = serde_json::to_string(&c.summary).ok();
            job.file = Some(bytes);
        }
        Err(ExchangeError::Rows { errors, total }) => {
            job.status = JobStatus::Refused;
            job.errors = Refusal::json(errors, total);
        }
        Err(e) => return Err(e),
    }
    let id = db.create_import_job(scope.actor(), &job).await?;
    Ok((county_id, id))
}

/// Writes a queued job: its file checked again (the registry may have changed since the
/// preview), then written in short transactions; a file that no longer passes is closed as
/// failed with its rows, and nothing is written.
pub async fn run(
    db: &Db,
    scope: &Scope,
    which: &'static FileLayout,
    job: &ImportJob,
) -> Result<(), ExchangeError> {
    let offer = offer_of(which)?;
    let by = scope.actor().clone();
    let Some(bytes) = db.import_job_file(job.county_id, job.id).await? else {
        let reason = reason(
            "上传的文件已不在，请重新上传",
            "the uploaded file is gone; upload it again",
        );
        db.close_import_job(&by, job.county_id, job.id, JobStatus::Failed, Some(reason))
            .await?;
        return Ok(());
    };
    let permit = CHECKING.acquire().await;
    let checked = (offer.check)(
        db,
        scope,
        &job.file_name,
        bytes,
        Some(job.county_id),
        &Quiet,
    )
    .await;
    drop(permit);
    // What was confirmed is what is written: if the registry changed since the preview (someone
    // registered a resident the file adds, say), the job stops and asks for a fresh look.
    let previewed: Option<layouts::Summary> = job
        .summary
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok());
    if let (Ok(c), Some(p)) = (&checked, &previewed) {
        let counts = |s: &layouts::Summary| {
            (
                s.added,
                s.changed,
                s.moved,
                s.unchanged,
                s.new_households,
                s.changed_households,
                s.new_rentals,
            )
        };
        if counts(&c.summary) != counts(p) {
            let reason = reason("确认前系统中的数据已有变化，写入内容将与预览不同，未写入。请重新上传核对后再确认", "the registry changed since the preview, so the import would differ from it; nothing was written. Upload the file again and check it");
            db.close_import_job(&by, job.county_id, job.id, JobStatus::Failed, Some(reason))
                .await?;
            return Ok(());
        }
    }
    match checked {
        Ok(checked) => {
            // The server's own job: it steps aside only while the server's writers wait.
            let pause = xiangzhi_storage::staged::Pause::WhenWaited;
            layouts::write(db, checked, job.id, &job.digest, pause, &Quiet).await?;
            Ok(())
        }
        Err(ExchangeError::Rows { errors, total }) => {
            let json = Refusal::json(errors, total);
            db.close_import_job(&by, job.county_id, job.id, JobStatus::Failed, json)
                .await?;
            Ok(())
        }
        Err(e) => {
            let reason = reason(
                &format!("导入失败：{e}"),
                &format!("the import failed: {e}"),
            );
            db.close_import_job(&by, job.county_id, job.id, JobStatus::Failed, Some(reason))
                .await?;
            Err(e)
        }
    }
}

/// An area's rows of a layout as file bytes (written to a temporary file in constant memory,
/// then read back), and how many rows.
async fn export_bytes(
    db: &Db,
    scope: &Scope,
    which: &'static FileLayout,
    csv: bool,
    full: bool,
) -> Result<(Vec<u8>, usize), ExchangeError> {
    let ext = if csv { "csv" } else { "xlsx" };
    let tmp = std::env::temp_dir().join(format!(
        "xiangzhi-export-{}-{}.{ext}",
        std::process::id(),
        rand::random::<u64>()
    ));
    let result = (which.export)(db, scope, &tmp, None, full).await;
    let bytes = std::fs::read(&tmp);
    let _ = std::fs::remove_file(&tmp);
    let rows = result?;
    let bytes = bytes.map_err(|e| ExchangeError::io(&tmp, e))?;
    Ok((bytes, rows))
}

/// A file to download: `households-141029100000.xlsx`, never cached.
fn file_response(layout: &str, area: &str, csv: bool, bytes: Vec<u8>) -> axum::response::Response {
    xiangzhi_web::console::attachment(&format!("{layout}-{area}"), csv, bytes)
}
