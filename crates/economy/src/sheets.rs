//! The collective economy's lists as .xlsx, each download audited: the villages' books for a
//! year, a village's statement with its journal, and the idle assets in reach. Amounts are whole
//! fen in number cells, so a clerk's sums in the spreadsheet stay exact.

use crate::assets::{AssetStore, CATEGORIES};
use crate::funds::{EXPENSE, INCOME};
use crate::overview::OverviewStore;
use crate::pages::{name_in, period_books, this_year, BooksQuery, OverviewQuery, Period};
use axum::extract::{Path, State};
use xiangzhi_domain::Right;
use xiangzhi_registry::prelude::DivisionStore;
use xiangzhi_tabular::table::Cell;
use xiangzhi_web::console::{export_sheet, store, St, Viewer, P};
use xiangzhi_web::Query;

/// `GET /economy.xlsx`: the overview as a workbook.
pub async fn overview_xlsx(State(s): St, v: Viewer, Query(q): Query<OverviewQuery>) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let year = q.year.unwrap_or_else(this_year);
    let o =
        s.db.overview(
            &scope,
            q.division.as_deref(),
            year,
            xiangzhi_domain::china_today(),
        )
        .await
        .map_err(store(v.l))?;
    let rows = o
        .villages
        .iter()
        .map(|b| {
            vec![
                Cell::Text(b.name.clone()),
                Cell::Text(b.division_code.clone()),
                Cell::Int(b.income),
                Cell::Int(b.expense),
                Cell::Int(b.operating_income),
                Cell::Text(if b.strong { "是" } else { "否" }.into()),
                Cell::Int(b.assets),
                Cell::Int(b.asset_cost),
                Cell::Int(b.idle_assets),
                Cell::Int(b.leases),
                Cell::Int(b.overdue_rent),
            ]
        })
        .collect();
    export_sheet(
        &s,
        &v,
        "export economy overview",
        &format!("三资概况-{year}.xlsx"),
        "三资概况",
        &[
            "村",
            "区划代码",
            "收入（分）",
            "支出（分）",
            "经营收入（分）",
            "强村",
            "资产数",
            "资产原值（分）",
            "闲置资产数",
            "合同数",
            "逾期租金（分）",
        ],
        rows,
    )
    .await
}

/// `GET /economy/villages/{code}/statement.xlsx`: the statement and its journal.
pub async fn statement_xlsx(
    State(s): St,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<BooksQuery>,
) -> P {
    let Period {
        name,
        year,
        month,
        statement: st,
        entries,
        ..
    } = period_books(&s, &v, &code, &q).await?;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let line = |what: &str, item: String, fen: i64| {
        vec![
            Cell::Text(what.into()),
            Cell::Text(String::new()),
            Cell::Text(item),
            Cell::Int(fen),
            Cell::Text(String::new()),
        ]
    };
    for c in &st.income {
        rows.push(line("收入合计", c.zh.clone(), c.amount));
    }
    rows.push(line("收入合计", "合计".into(), st.total_income));
    for c in &st.expense {
        rows.push(line("支出合计", c.zh.clone(), c.amount));
    }
    rows.push(line("支出合计", "合计".into(), st.total_expense));
    rows.push(line("收支结余", String::new(), st.net));
    rows.push(line("经营收入", String::new(), st.operating_income));
    for e in entries.iter().rev() {
        rows.push(vec![
            Cell::Text(e.entry_on.to_string()),
            Cell::Text(e.voucher.clone()),
            Cell::Text(if e.direction == "income" {
                name_in(&INCOME, &e.category, false)
            } else {
                name_in(&EXPENSE, &e.category, false)
            }),
            Cell::Int(if e.direction == "income" {
                e.amount
            } else {
                -e.amount
            }),
            Cell::Text(e.summary.clone()),
        ]);
    }
    let period = match month {
        Some(m) => format!("{year}-{m:02}"),
        None => year.to_string(),
    };
    export_sheet(
        &s,
        &v,
        "export funds statement",
        &format!("{name}-收支-{period}.xlsx"),
        "收支",
        &[
            "日期或项目",
            "凭证号",
            "科目",
            "金额（分，支出为负）",
            "摘要",
        ],
        rows,
    )
    .await
}

/// `GET /economy/idle.xlsx`: the idle assets in reach.
pub async fn idle_xlsx(State(s): St, v: Viewer, Query(q): Query<OverviewQuery>) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let villages = s.db.villages_in_reach(&scope).await.map_err(store(v.l))?;
    let idle =
        s.db.assets(
            &scope,
            q.division.as_deref(),
            None,
            Some("idle"),
            xiangzhi_domain::china_today(),
        )
        .await
        .map_err(store(v.l))?;
    let rows = idle
        .iter()
        .map(|a| {
            vec![
                Cell::Text(
                    villages
                        .iter()
                        .find(|(c, _)| *c == a.asset.division_code)
                        .map(|(_, n)| n.clone())
                        .unwrap_or_default(),
                ),
                Cell::Text(a.asset.name.clone()),
                Cell::Text(name_in(&CATEGORIES, &a.asset.category, false)),
                Cell::Text(a.asset.location.clone()),
                Cell::Int(a.asset.cost),
                Cell::Int(a.book_value),
            ]
        })
        .collect();
    export_sheet(
        &s,
        &v,
        "export idle assets",
        "闲置资产.xlsx",
        "闲置资产",
        &["村", "资产", "类别", "位置", "原值（分）", "账面价值（分）"],
        rows,
    )
    .await
}
