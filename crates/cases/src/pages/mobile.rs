//! 网格员移动上报: the grid worker's report page for a phone. One small page (no htmx, no chart
//! library) whose script keeps reports on the phone until the server has them, and a service
//! worker that lets the page open without signal. Reports go through the API's `POST /cases`
//! with an idempotency key made when the report was written, so a resend never files twice.

use crate::prelude::*;
use crate::rules::{ReporterKind, Urgency};
use crate::store::CaseCategory;
use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use xiangzhi_domain::{DivisionCode, Right};
use xiangzhi_web::console::{html, PageError, St, Viewer, L};

const SCRIPT: &[u8] = include_bytes!("../../assets/mobile.js");
const WORKER: &[u8] = include_bytes!("../../assets/sw.js");
const STYLE: &[u8] = include_bytes!("../../assets/mobile.css");

#[derive(Template)]
#[template(path = "mobile.html")]
struct MobilePage {
    l: L,
    name: String,
    categories: Vec<CaseCategory>,
    divisions: Vec<xiangzhi_registry::places::Place>,
    urgencies: &'static [Urgency],
    kinds: &'static [ReporterKind],
    /// What the script needs, as JSON safe inside a `<script>` element.
    data: String,
}

/// The messages the script shows, in the page's language.
fn messages(l: L) -> serde_json::Value {
    serde_json::json!({
        "none": l.t("无", "None"),
        "discard": l.t("删除", "Discard"),
        "offline": l.t("无网络：报告保存在本机，有信号后自动发送", "No signal: reports are kept on this phone and sent when the signal returns"),
        "allSent": l.t("全部已送达", "Everything has been delivered"),
        "sending": l.t("正在发送…", "Sending…"),
        "signIn": l.t("登录已过期，报告仍保存在本机", "Your session has ended; the reports are still kept on this phone"),
        "waitingSignal": l.t("暂未送达，将自动重试", "Not delivered yet; will retry by itself"),
        "needDescription": l.t("请填写情况描述", "Please describe what happened"),
        "locating": l.t("正在获取位置…", "Finding your location…"),
        "photos": l.t("照片", "photos"),
        "photosTooBig": l.t("手机存储已满：报告已保存，照片未能保存", "the phone's storage is full: the report is kept, its photos are not"),
    })
}

pub async fn page(axum::extract::State(s): St, v: Viewer) -> Result<Response, PageError> {
    v.need(Right::ReadRegistry)?;
    let store = |e| PageError::Store(v.l, e);
    let scope = v.scope();
    let categories = match DivisionCode::parse(&v.user.division_code)
        .ok()
        .and_then(|d| d.county_id())
    {
        Some(county) => s.db.case_categories(county).await.map_err(store)?,
        None => Vec::new(),
    };
    // Every place of the jurisdiction, named with the way down to it (the phone files without
    // signal, so the whole list comes with the page).
    let divisions = xiangzhi_registry::places::every_place(&s.db, &scope)
        .await
        .map_err(store)?;
    let data = serde_json::json!({
        "user": v.user.id,
        "lang": if v.l.en { "en" } else { "zh" },
        "t": messages(v.l),
    })
    .to_string()
    .replace('<', "\\u003c");
    let mut r = html(MobilePage {
        l: v.l,
        name: v.user.display_name.clone(),
        categories,
        divisions,
        urgencies: Urgency::ALL,
        kinds: ReporterKind::ALL,
        data,
    })?;
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache, private"),
    );
    Ok(r)
}

pub async fn bare() -> Redirect {
    Redirect::permanent("/m/")
}

/// A file of the page, revalidated on every load (the service worker keeps the last copy).
fn file(body: &'static [u8], kind: &'static str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

fn script(body: &'static [u8]) -> Response {
    file(body, "text/javascript; charset=utf-8")
}

pub async fn app_css() -> Response {
    file(STYLE, "text/css; charset=utf-8")
}

pub async fn app_js() -> Response {
    script(SCRIPT)
}

pub async fn service_worker() -> Response {
    script(WORKER)
}
