//! The console's pages of 数据导入导出: the upload form and the export form, an import job's page
//! (preview, errors by cell, progress), the confirmation.

use super::{
    check_upload, clean, export_bytes, file_response, may_import, offered, offers, refusal, run,
    sees_jobs,
};
use crate::layouts::{area_prefix, Summary};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use xiangzhi_domain::{DivisionCode, Right};
use xiangzhi_storage::staged::{digest, ImportJob, JobStatus};
use xiangzhi_tabular::ExchangeError;
use xiangzhi_web::console::{html, store, Chrome, St, Viewer, L, P};

fn words(l: L, e: &ExchangeError) -> String {
    match e {
        ExchangeError::Format { zh, en } => l.t(zh, en).to_string(),
        ExchangeError::Store(e) if e.is_busy() => l
            .t(
                "系统正忙，请稍后再试",
                "the system is busy; try again shortly",
            )
            .to_string(),
        other => other.to_string(),
    }
}

fn layout_label(l: L, name: &str) -> String {
    offered(name)
        .map(|o| l.t(o.1, o.2).to_string())
        .unwrap_or_else(|| name.to_string())
}

struct JobRow {
    href: String,
    file: String,
    layout: String,
    status: String,
    rows: i64,
    who: String,
    when: String,
}

#[derive(Template)]
#[template(path = "exchange.html")]
struct ExchangePage {
    c: Chrome,
    imports: Vec<(&'static str, String)>,
    exports: Vec<(&'static str, String)>,
    areas: Vec<(String, String)>,
    can_full: bool,
    jobs: Vec<JobRow>,
    error: String,
}

fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + 8 * 3_600_000)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn status_words(l: L, status: &str) -> String {
    match JobStatus::parse(status) {
        Some(s) => l.t(s.zh(), s.en()).to_string(),
        None => status.to_string(),
    }
}

async fn exchange_page(s: &xiangzhi_web::AppState, v: &Viewer, error: String) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let shown = if sees_jobs(&v.user) { 20 } else { 0 };
    let jobs =
        s.db.import_jobs(&area_prefix(&scope), shown)
            .await
            .map_err(store(v.l))?
            .into_iter()
            .map(|j| JobRow {
                href: format!("/exchange/jobs/{}/{}", j.county_id, j.id),
                layout: layout_label(v.l, &j.layout),
                status: status_words(v.l, &j.status),
                rows: j.rows_total,
                who: j.login,
                when: when(j.created_at),
                file: j.file_name,
            })
            .collect();
    let imports = offers()
        .filter(|o| may_import(&v.user, o.3))
        .map(|o| (o.0.name, v.l.t(o.1, o.2).to_string()))
        .collect();
    let exports = offers()
        .map(|o| (o.0.name, v.l.t(o.1, o.2).to_string()))
        .collect();
    let areas = crate::pages::own_and_below(s, v, |_| true).await;
    html(ExchangePage {
        c: v.chrome(v.l.t("数据导入导出", "Import and export")),
        imports,
        exports,
        areas,
        can_full: v.user.can(Right::Unmask),
        jobs,
        error,
    })
}

/// `GET /exchange`
pub async fn exchange(State(s): St, v: Viewer) -> P {
    exchange_page(&s, &v, String::new()).await
}

/// `POST /exchange/import`: a multipart form with `layout` and `file`; the file is checked in
/// full (reads only) and the page of its job shows the preview or the errors.
pub async fn upload(State(s): St, v: Viewer, mut form: axum::extract::Multipart) -> P {
    v.need(Right::ReadRegistry)?;
    let mut layout = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                let e = v.l.t(
                    "上传的内容无法读取，请重新选择文件再上传",
                    "the upload could not be read; choose the file again",
                );
                return exchange_page(&s, &v, e.into()).await;
            }
        };
        match field.name() {
            Some("layout") => layout = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(_) => {
                        let e = v.l.t(
                            "文件超过64MB，请分村（社区）导入",
                            "the file is larger than 64 MB; import one village at a time",
                        );
                        return exchange_page(&s, &v, e.into()).await;
                    }
                }
            }
            _ => {}
        }
    }
    let Some((which, _, _, right)) = offered(&layout) else {
        return exchange_page(
            &s,
            &v,
            v.l.t("请选择数据类别", "choose what the file holds").into(),
        )
        .await;
    };
    if !may_import(&v.user, right) {
        return exchange_page(
            &s,
            &v,
            v.l.t(
                "您的账号不能导入这类数据",
                "your account may not import this kind of data",
            )
            .into(),
        )
        .await;
    }
    let Some((name, bytes)) = file.filter(|f| !f.1.is_empty()) else {
        return exchange_page(&s, &v, v.l.t("请选择文件", "choose a file").into()).await;
    };
    match check_upload(&s.db, &v.scope(), which, &name, bytes).await {
        Ok((county, id)) => {
            Ok(Redirect::to(&format!("/exchange/jobs/{county}/{id}")).into_response())
        }
        Err(e) => exchange_page(&s, &v, words(v.l, &e)).await,
    }
}

#[derive(Template)]
#[template(path = "import_job.html")]
struct JobPage {
    c: Chrome,
    job: ImportJob,
    layout: String,
    status: String,
    when: String,
    summary: Option<Summary>,
    errors: Vec<xiangzhi_tabular::RowError>,
    total_errors: usize,
    failure: String,
    can_apply: bool,
    running: bool,
    percent: i64,
}

/// `GET /exchange/jobs/{county}/{id}`
pub async fn job(State(s): St, v: Viewer, Path((county, id)): Path<(i64, i64)>) -> P {
    v.need(Right::ReadRegistry)?;
    if !sees_jobs(&v.user) {
        return Err(store(v.l)(xiangzhi_storage::StoreError::NotFound));
    }
    let scope = v.scope();
    let job =
        s.db.import_job(county, id, &area_prefix(&scope))
            .await
            .map_err(store(v.l))?;
    let summary: Option<Summary> = job
        .summary
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok());
    let (errors, total_errors, failure) = refusal(job.errors.as_deref());
    let failure = failure
        .map(|(zh, en)| v.l.t(&zh, &en).to_string())
        .unwrap_or_default();
    let status = job.status();
    let right = offered(&job.layout)
        .map(|o| o.3)
        .unwrap_or(Right::WriteStructure);
    let running = matches!(status, Some(JobStatus::Queued | JobStatus::Writing));
    let percent = if job.rows_total > 0 {
        (job.progress * 100 / job.rows_total).clamp(0, 100)
    } else {
        0
    };
    html(JobPage {
        c: v.chrome(v.l.t("导入", "Import")),
        layout: layout_label(v.l, &job.layout),
        status: status_words(v.l, &job.status),
        when: when(job.created_at),
        can_apply: status == Some(JobStatus::Checked)
            && may_import(&v.user, right)
            && summary.as_ref().is_some_and(|s| !s.is_empty()),
        running,
        percent,
        summary,
        errors,
        total_errors,
        failure,
        job,
    })
}

/// `POST /exchange/jobs/{county}/{id}/apply`: queues a checked job and writes it in the
/// background; the job's page follows its progress.
pub async fn apply(State(s): St, v: Viewer, Path((county, id)): Path<(i64, i64)>) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let job =
        s.db.import_job(county, id, &area_prefix(&scope))
            .await
            .map_err(store(v.l))?;
    let Some((which, _, _, right)) = offered(&job.layout) else {
        return Err(store(v.l)(xiangzhi_storage::StoreError::NotFound));
    };
    if !may_import(&v.user, right) {
        v.need(Right::ManageAccounts)?;
    }
    s.db.queue_import_job(scope.actor(), county, id)
        .await
        .map_err(store(v.l))?;
    let db = s.db.clone();
    tokio::spawn(async move {
        if let Err(e) = run(&db, &scope, which, &job).await {
            tracing::error!(county, job = id, error = %e, "import job failed");
        }
    });
    Ok(Redirect::to(&format!("/exchange/jobs/{county}/{id}")).into_response())
}

/// The export form.
#[derive(serde::Deserialize)]
pub struct ExportForm {
    layout: String,
    area: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    full: Option<String>,
    #[serde(default)]
    purpose: String,
}

/// `POST /exchange/export`: the area's rows as a file to download; masked unless the account may
/// see personal data and gives its purpose. Audited with the rows, the digest and the purpose.
pub async fn export(
    State(s): St,
    v: Viewer,
    axum::extract::Form(f): axum::extract::Form<ExportForm>,
) -> P {
    v.need(Right::ReadRegistry)?;
    let Some((which, _, _, _)) = offered(&f.layout) else {
        return exchange_page(
            &s,
            &v,
            v.l.t("请选择数据类别", "choose what to export").into(),
        )
        .await;
    };
    let scope = v.scope();
    let area = DivisionCode::parse(f.area.trim()).ok();
    let Some(narrowed) = area.as_ref().and_then(|a| scope.narrow(a)) else {
        return exchange_page(
            &s,
            &v,
            v.l.t(
                "请选择您管辖范围内的区域",
                "choose an area within your jurisdiction",
            )
            .into(),
        )
        .await;
    };
    let purpose = f.purpose.trim().to_string();
    let full = f.full.is_some();
    if full && !v.user.can(Right::Unmask) {
        return exchange_page(
            &s,
            &v,
            v.l.t(
                "您的账号不能导出完整的身份证号码和电话",
                "your account may not export full ID numbers and phones",
            )
            .into(),
        )
        .await;
    }
    if full && purpose.chars().count() < 2 {
        return exchange_page(
            &s,
            &v,
            v.l.t(
                "导出完整信息须写明用途",
                "state the purpose of an export in full",
            )
            .into(),
        )
        .await;
    }
    let csv = f.format == "csv";
    let area_code = area.map(|a| a.to_string()).unwrap_or_default();
    let (bytes, rows) = match export_bytes(&s.db, &narrowed, which, csv, full).await {
        Ok(x) => x,
        Err(e) => return exchange_page(&s, &v, words(v.l, &e)).await,
    };
    let mut e = v.actor.entry(
        &format!("export {}", which.name),
        format!("area {area_code}: {rows} rows, sha256 {}", digest(&bytes)),
    );
    e.outcome = "ok".into();
    e.detail = if full {
        format!("in full, for: {}", clean(&purpose, 200))
    } else {
        "masked".into()
    };
    s.db.audit(&e).await.map_err(store(v.l))?;
    v.actor.mark_audited();
    Ok(file_response(which.name, &area_code, csv, bytes))
}

/// `GET /exchange/template/{layout}`: a blank .xlsx with the layout's columns, for a clerk to fill.
pub async fn template(State(s): St, v: Viewer, Path(layout): Path<String>) -> P {
    v.need(Right::ReadRegistry)?;
    let Some((which, _, _, _)) = offered(&layout) else {
        return exchange_page(&s, &v, v.l.t("没有这种模板", "no such template").into()).await;
    };
    let bytes = match xiangzhi_tabular::table::template_bytes(
        &which.offered.map(|o| (o.template)()).unwrap_or_default(),
    ) {
        Ok(b) => b,
        Err(e) => return exchange_page(&s, &v, words(v.l, &e)).await,
    };
    Ok(file_response(which.name, "template", false, bytes))
}
