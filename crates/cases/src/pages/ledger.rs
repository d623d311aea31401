//! 事件台账: every case of the caller's area, filtered, searched, sorted and paged, with names
//! instead of codes, and the filtered list as .xlsx.

use crate::pages::home::due_words;
use crate::prelude::*;
use crate::rules::{CaseLevel, CaseState, ReporterKind};
use crate::store::{Case, LedgerFilter, LedgerSort};
use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;
use xiangzhi_domain::{DivisionCode, Right};
use xiangzhi_registry::prelude::DivisionStore;
use xiangzhi_storage::now_ms;
use xiangzhi_web::console::{html, store, Chrome, PageError, St, Viewer, L, P};
use xiangzhi_web::{AppState, Query};

/// Rows per page.
const PAGE: i64 = 50;
/// The most rows an export holds.
const EXPORT_MAX: i64 = 50_000;

/// The ledger's query string, as a form sends it (empty fields are no filter).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct LedgerQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    division: String,
    #[serde(default)]
    grid: String,
    #[serde(default)]
    household: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    resolved: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    supervised: String,
    #[serde(default)]
    reporter_kind: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: String,
}

impl LedgerQuery {
    /// The filter, or what is wrong with the query in words.
    fn filter(&self, l: L) -> Result<LedgerFilter, String> {
        fn some(s: &str) -> Option<&str> {
            Some(s.trim()).filter(|s| !s.is_empty())
        }
        let bad = |zh: &str, en: &str| l.t(zh, en).to_string();
        let day = |s: &str, zh: &str, en: &str| -> Result<Option<i64>, String> {
            match some(s) {
                None => Ok(None),
                Some(d) => crate::api::china_day_start(d)
                    .map(Some)
                    .ok_or_else(|| bad(zh, en)),
            }
        };
        let on = |s: &str| matches!(s, "1" | "on" | "true");
        Ok(LedgerFilter {
            state: some(&self.state)
                .map(|s| s.parse::<CaseState>())
                .transpose()
                .map_err(|_| bad("办理状态无效", "unknown state"))?,
            category: some(&self.category).map(str::to_string),
            level: some(&self.level)
                .map(|s| s.parse::<CaseLevel>())
                .transpose()
                .map_err(|_| bad("办理层级无效", "unknown level"))?,
            division: some(&self.division)
                .map(DivisionCode::parse)
                .transpose()
                .map_err(|_| bad("区域代码无效", "unknown area"))?,
            grid: some(&self.grid)
                .map(|g| g.parse::<i64>())
                .transpose()
                .map_err(|_| bad("网格编号应为数字", "a grid number is a number"))?,
            household: some(&self.household)
                .map(|g| g.parse::<i64>())
                .transpose()
                .map_err(|_| bad("户编号应为数字", "a household number is a number"))?,
            from: day(
                &self.from,
                "起始日期应为 年-月-日",
                "the first day is a date",
            )?,
            to: day(&self.to, "截止日期应为 年-月-日", "the last day is a date")?
                .map(|t| t + 86_400_000),
            resolved: on(&self.resolved),
            overdue: on(&self.overdue),
            supervised: on(&self.supervised),
            reporter_kind: some(&self.reporter_kind)
                .map(|s| s.parse::<ReporterKind>())
                .transpose()
                .map_err(|_| bad("来源无效", "unknown reporter"))?,
            text: some(&self.q).map(|s| s.chars().take(100).collect()),
            sort: match self.sort.as_str() {
                "oldest" => LedgerSort::Oldest,
                "due" => LedgerSort::Due,
                _ => LedgerSort::Newest,
            },
        })
    }

    fn page(&self) -> i64 {
        self.page.parse::<i64>().unwrap_or(1).clamp(1, 10_000)
    }

    /// The query string of this filter at `page` (for paging and export links).
    fn link(&self, page: i64) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("state", &self.state),
            ("category", &self.category),
            ("level", &self.level),
            ("division", &self.division),
            ("grid", &self.grid),
            ("household", &self.household),
            ("from", &self.from),
            ("to", &self.to),
            ("resolved", &self.resolved),
            ("overdue", &self.overdue),
            ("supervised", &self.supervised),
            ("reporter_kind", &self.reporter_kind),
            ("q", &self.q),
            ("sort", &self.sort),
        ] {
            if !v.trim().is_empty() {
                parts.push(format!("{k}={}", xiangzhi_web::console::encode(v.trim())));
            }
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        parts.join("&")
    }
}

/// A ledger row in words.
struct Row {
    id: i64,
    category: String,
    what: String,
    area: String,
    state: String,
    level: String,
    reported: String,
    due: String,
    late: bool,
    supervised: bool,
    rating: String,
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    c: Chrome,
    f: LedgerQuery,
    error: String,
    total: i64,
    rows: Vec<Row>,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
    export: String,
    /// (code, name) choices
    states: Vec<(&'static str, String)>,
    categories: Vec<(String, String)>,
    levels: Vec<(&'static str, String)>,
    areas: Vec<(String, String)>,
    kinds: Vec<(&'static str, String)>,
}

/// Names of a county's categories, and of the divisions of `cases`.
async fn names(
    s: &AppState,
    v: &Viewer,
    cases: &[Case],
) -> Result<(HashMap<String, String>, HashMap<String, String>), PageError> {
    let county = v
        .scope()
        .county_id()
        .or_else(|| cases.first().map(|c| c.county_id));
    let Some(county) = county else {
        return Ok(Default::default());
    };
    let categories = s.db.case_category_names(county).await.map_err(store(v.l))?;
    let mut codes: Vec<String> = cases
        .iter()
        .flat_map(|c| {
            [
                c.division_code.clone(),
                c.division_code[..12.min(c.division_code.len())].to_string(),
            ]
        })
        .collect();
    codes.sort();
    codes.dedup();
    let areas =
        s.db.division_names(county, &codes)
            .await
            .map_err(store(v.l))?;
    Ok((categories, areas))
}

/// "城关社区 · 第一村民小组": the village and, below it, the group.
pub(crate) fn area_name(areas: &HashMap<String, String>, code: &str) -> String {
    let village = code.get(..12).unwrap_or(code);
    let v = areas
        .get(village)
        .cloned()
        .unwrap_or_else(|| village.to_string());
    match (code.len() > 12, areas.get(code)) {
        (true, Some(g)) => format!("{v} · {g}"),
        _ => v,
    }
}

fn rows(
    l: L,
    cases: &[Case],
    cats: &HashMap<String, String>,
    areas: &HashMap<String, String>,
    now: i64,
) -> Vec<Row> {
    cases
        .iter()
        .map(|k| {
            let open = k.state.in_hand();
            Row {
                id: k.id,
                category: cats
                    .get(&k.category)
                    .cloned()
                    .unwrap_or_else(|| k.category.clone()),
                what: k.description.chars().take(40).collect(),
                area: area_name(areas, &k.division_code),
                state: l.t(k.state.zh(), k.state.as_str()).replace('_', " "),
                level: l.t(k.level.zh(), k.level.as_str()).replace('_', " "),
                reported: l.time(&k.created_at),
                due: match (open, k.due_at) {
                    (true, Some(d)) => due_words(l, d, now),
                    _ => String::new(),
                },
                late: open && k.due_at.is_some_and(|d| d < now),
                supervised: k.supervised,
                rating: match (k.rating, k.proxy_rating) {
                    (Some(r), _) => format!("{r}/5"),
                    (None, Some(r)) => format!("{r}/5 {}", l.t("（代）", "(staff)")),
                    _ => String::new(),
                },
            }
        })
        .collect()
}

pub async fn ledger(axum::extract::State(s): St, v: Viewer, Query(f): Query<LedgerQuery>) -> P {
    v.need(Right::ReadRegistry)?;
    let l = v.l;
    let now = now_ms();
    let page = f.page();
    let (filter, error) = match f.filter(l) {
        Ok(x) => (Some(x), String::new()),
        Err(e) => (None, e),
    };
    let (total, cases) = match &filter {
        Some(x) => {
            s.db.case_ledger(&v.scope(), x, now, PAGE, (page - 1) * PAGE)
                .await
                .map_err(store(l))?
        }
        None => (0, Vec::new()),
    };
    let (cats, areas) = names(&s, &v, &cases).await?;
    let pages = ((total + PAGE - 1) / PAGE).max(1);
    let link = |p: i64| format!("/cases/ledger?{}", f.link(p));
    let mut categories: Vec<(String, String)> = cats.clone().into_iter().collect();
    categories.sort();
    let areas_choice = xiangzhi_registry::own_and_below(&s, &v, |_| true).await;
    html(LedgerPage {
        c: v.chrome(l.t("事件台账", "Case ledger")),
        rows: rows(l, &cases, &cats, &areas, now),
        error,
        total,
        page,
        pages,
        prev: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
        export: format!("/cases/ledger.xlsx?{}", f.link(1)),
        states: CaseState::ALL
            .iter()
            .map(|s| (s.as_str(), l.t(s.zh(), s.as_str()).replace('_', " ")))
            .collect(),
        categories,
        levels: CaseLevel::ALL
            .iter()
            .map(|s| (s.as_str(), l.t(s.zh(), s.as_str()).replace('_', " ")))
            .collect(),
        areas: areas_choice,
        kinds: ReporterKind::ALL
            .iter()
            .map(|s| (s.as_str(), l.t(s.zh(), s.as_str()).replace('_', " ")))
            .collect(),
        f,
    })
}

/// The filtered ledger as .xlsx (at most 50,000 rows; the export is audited as a read of the
/// cases' area).
pub async fn xlsx(
    axum::extract::State(s): St,
    v: Viewer,
    Query(f): Query<LedgerQuery>,
) -> Result<Response, PageError> {
    v.need(Right::ReadRegistry)?;
    let l = v.l;
    let now = now_ms();
    let filter = f.filter(l).map_err(|_| PageError::NotFound(l))?;
    let (_, cases) =
        s.db.case_ledger(&v.scope(), &filter, now, EXPORT_MAX, 0)
            .await
            .map_err(store(l))?;
    let (cats, areas) = names(&s, &v, &cases).await?;
    let rows = rows(l, &cases, &cats, &areas, now);
    let book = workbook(&rows).map_err(|e| {
        tracing::error!(error = %e, "ledger workbook failed");
        PageError::NotFound(l)
    })?;
    xiangzhi_web::console::record(
        &s,
        &v,
        "export case ledger",
        format!("{} cases", rows.len()),
        "ok",
        f.link(1),
    )
    .await;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"case-ledger.xlsx\"".to_string(),
            ),
        ],
        book,
    )
        .into_response())
}

fn workbook(rows: &[Row]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("事件台账 Cases")?;
    let heads = [
        "编号 No.",
        "类别 Category",
        "内容 What",
        "区域 Area",
        "状态 State",
        "层级 Level",
        "上报时间 Reported",
        "期限 Due",
        "督办 Supervised",
        "评价 Rating",
    ];
    for (c, h) in heads.iter().enumerate() {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = (i + 1) as u32;
        sheet.write(row, 0, r.id as f64)?;
        for (c, text) in [
            &r.category,
            &r.what,
            &r.area,
            &r.state,
            &r.level,
            &r.reported,
            &r.due,
        ]
        .iter()
        .enumerate()
        {
            sheet.write(row, (c + 1) as u16, text.as_str())?;
        }
        sheet.write(row, 8, if r.supervised { "是" } else { "" })?;
        sheet.write(row, 9, r.rating.as_str())?;
    }
    sheet.set_column_width(2, 40)?;
    sheet.set_column_width(3, 24)?;
    book.save_to_buffer()
}
