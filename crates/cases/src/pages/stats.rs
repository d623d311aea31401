//! 统计: a jurisdiction's case figures for a period, with charts (Apache ECharts, embedded) and an
//! .xlsx export. The figures come from the same storage call as `GET /api/v1/case-stats`.

use crate::api::{stats_window, StatsQuery};
use crate::prelude::*;
use crate::store::CaseStats;
use askama::Template;
use axum::extract::Query;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use xiangzhi_domain::{DivisionCode, Right};
use xiangzhi_storage::now_ms;
use xiangzhi_web::console::{html, PageError, St, Viewer};

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    c: xiangzhi_web::console::Chrome,
    st: CaseStats,
    from: String,
    to: String,
    division: String,
    /// (code, name) of the areas the viewer may look at: their own and the ones just below.
    divisions: Vec<(String, String)>,
    on_time: String,
    village: String,
    township: String,
    median: String,
    satisfaction: String,
    chart_data: String,
    /// The ledger of the figures' cases (period and area), to which each figure links.
    ledger: String,
    /// (name, cases, ledger link) per category and per state, under the charts.
    by_category: Vec<(String, i64, String)>,
    by_state: Vec<(String, i64, String)>,
    /// The command-centre screen: large type, no form, refreshing itself every minute.
    wall: bool,
    /// This page's address on the wall screen (and back).
    wall_link: String,
}

/// `?wall=1`: the statistics on the command-centre screen.
#[derive(Debug, Default, serde::Deserialize)]
pub struct WallQuery {
    #[serde(default)]
    wall: String,
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "—".into())
}

fn duration(ms: Option<i64>, en: bool) -> String {
    match ms {
        None => "—".into(),
        Some(ms) => {
            let hours = ms as f64 / 3_600_000.0;
            if hours < 48.0 {
                format!("{hours:.1} {}", if en { "h" } else { "小时" })
            } else {
                format!("{:.1} {}", hours / 24.0, if en { "days" } else { "天" })
            }
        }
    }
}

/// The day (`YYYY-MM-DD`, China time) of an instant.
pub(crate) fn day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + 8 * 3_600_000)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The figures, and the period and area they are for, as the viewer asked.
async fn figures(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    q: &StatsQuery,
) -> Result<(CaseStats, String, String, String), PageError> {
    v.need(Right::ReadRegistry)?;
    let now = now_ms();
    let (scope, from, to) =
        stats_window(&v.caller(), q, now).map_err(|e| PageError::Api(v.l, e))?;
    let st =
        s.db.case_stats(&scope, from, to, now)
            .await
            .map_err(|e| PageError::Store(v.l, e))?;
    let division = q
        .division
        .clone()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| v.user.division_code.clone());
    Ok((st, day(from), day(to - 1), division))
}

pub async fn page(
    axum::extract::State(s): St,
    v: Viewer,
    Query(q): Query<StatsQuery>,
    Query(w): Query<WallQuery>,
) -> Result<Response, PageError> {
    let wall = matches!(w.wall.as_str(), "1" | "on" | "true");
    let (st, from, to, division) = figures(&s, &v, &q).await?;
    let own = DivisionCode::parse(&v.user.division_code).map_err(|_| PageError::NotFound(v.l))?;
    let divisions = xiangzhi_registry::own_and_below(&s, &v, |_| true).await;
    let names =
        s.db.case_category_names(own.county_id().unwrap_or_default())
            .await
            .unwrap_or_default();
    let category = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_string());
    let state = |code: &str| match code.parse::<crate::rules::CaseState>() {
        Ok(st) => v.l.t(st.zh(), st.as_str()).replace('_', " "),
        Err(_) => code.to_string(),
    };
    let chart_data = serde_json::json!({
        "categories": st.by_category.iter().map(|(c, n)| (category(c), *n)).collect::<Vec<_>>(),
        "states": st.by_state.iter().map(|(c, n)| (state(c), *n)).collect::<Vec<_>>(),
        "wall": wall,
    })
    .to_string()
    .replace('<', "\\u003c");
    let ledger = format!(
        "/cases/ledger?from={from}&to={to}&division={}",
        xiangzhi_web::console::encode(&division)
    );
    let by_category = st
        .by_category
        .iter()
        .map(|(c, n)| {
            (
                category(c),
                *n,
                format!("{ledger}&category={}", xiangzhi_web::console::encode(c)),
            )
        })
        .collect();
    let by_state = st
        .by_state
        .iter()
        .map(|(c, n)| (state(c), *n, format!("{ledger}&state={c}")))
        .collect();
    let wall_link = format!(
        "/stats?from={from}&to={to}&division={}{}",
        xiangzhi_web::console::encode(&division),
        if wall { "" } else { "&wall=1" }
    );
    html(StatsPage {
        wall,
        wall_link,
        ledger,
        by_category,
        by_state,
        c: v.chrome(v.l.t("事项统计", "Case statistics")),
        on_time: pct(st.on_time_rate),
        village: pct(st.settled_in_village),
        township: pct(st.settled_in_township),
        median: duration(st.median_resolve_ms, v.l.en),
        satisfaction: st
            .satisfaction
            .map(|x| format!("{x:.2} / 5 ({})", st.rated))
            .unwrap_or_else(|| "—".into()),
        st,
        from,
        to,
        division,
        divisions,
        chart_data,
    })
}

/// The same figures as an Excel workbook: a summary sheet and one sheet per breakdown.
pub async fn xlsx(
    axum::extract::State(s): St,
    v: Viewer,
    Query(q): Query<StatsQuery>,
) -> Result<Response, PageError> {
    let (st, from, to, division) = figures(&s, &v, &q).await?;
    let book = workbook(&st, &from, &to, &division).map_err(|e| {
        tracing::error!(error = %e, "statistics workbook failed");
        PageError::NotFound(v.l)
    })?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"case-stats-{division}-{from}-{to}.xlsx\""),
            ),
        ],
        book,
    )
        .into_response())
}

/// (label, cases) rows of a breakdown sheet.
type Counts = Vec<(String, i64)>;

fn workbook(
    st: &CaseStats,
    from: &str,
    to: &str,
    division: &str,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let sheet = book.add_worksheet().set_name("概况 Summary")?;
    sheet.set_column_width(0, 34)?;
    sheet.set_column_width(1, 22)?;
    sheet.write_with_format(0, 0, "项目 / Figure", &bold)?;
    sheet.write_with_format(0, 1, "数值 / Value", &bold)?;
    let rows: [(&str, Option<f64>, bool); 8] = [
        ("事项总数 / cases", Some(st.total as f64), false),
        ("已办结 / resolved", Some(st.resolved as f64), false),
        ("按时办结率 / on-time rate", st.on_time_rate, true),
        (
            "小事不出村 / settled in the village",
            st.settled_in_village,
            true,
        ),
        (
            "大事不出乡 / settled in the township",
            st.settled_in_township,
            true,
        ),
        (
            "办结用时中位数（小时）/ median hours to resolve",
            st.median_resolve_ms.map(|m| m as f64 / 3_600_000.0),
            false,
        ),
        ("满意度 / satisfaction (1–5)", st.satisfaction, false),
        ("超期未办 / overdue", Some(st.overdue.len() as f64), false),
    ];
    let mut r = 1;
    sheet.write(r, 0, "区划 / division")?;
    sheet.write(r, 1, division)?;
    r += 1;
    sheet.write(r, 0, "期间 / period")?;
    sheet.write(r, 1, format!("{from} — {to}"))?;
    for (name, value, is_pct) in rows {
        r += 1;
        sheet.write(r, 0, name)?;
        match (value, is_pct) {
            (Some(x), true) => {
                sheet.write_with_format(r, 1, x, &percent)?;
            }
            (Some(x), false) => {
                sheet.write(r, 1, x)?;
            }
            (None, _) => {
                sheet.write(r, 1, "—")?;
            }
        }
    }
    let pairs: [(&str, &str, Counts); 3] = [
        (
            "按类别 By category",
            "类别 / category",
            st.by_category.clone(),
        ),
        ("按状态 By state", "状态 / state", st.by_state.clone()),
        (
            "重复反映 Repeats",
            "户 / household id",
            st.repeat_households
                .iter()
                .map(|(h, n)| (h.to_string(), *n))
                .collect(),
        ),
    ];
    for (title, head, rows) in pairs {
        let sheet = book.add_worksheet().set_name(title)?;
        sheet.set_column_width(0, 24)?;
        sheet.write_with_format(0, 0, head, &bold)?;
        sheet.write_with_format(0, 1, "事项数 / cases", &bold)?;
        for (k, (name, n)) in rows.iter().enumerate() {
            sheet.write(k as u32 + 1, 0, name.as_str())?;
            sheet.write(k as u32 + 1, 1, *n as f64)?;
        }
    }
    let sheet = book.add_worksheet().set_name("超期 Overdue")?;
    sheet.write_with_format(0, 0, "事项号 / case id", &bold)?;
    for (k, id) in st.overdue.iter().enumerate() {
        sheet.write(k as u32 + 1, 0, *id as f64)?;
    }
    book.save_to_buffer()
}
