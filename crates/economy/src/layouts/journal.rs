//! 收支明细账: a village's funds journal as its accountant keeps it — date, voucher, summary,
//! category, and the amount in the income or the expense column (yuan, at most two decimals,
//! kept exactly in fen). The ledger's own total lines (本月合计, 本年累计, 承前页 …) carry no
//! voucher and are passed over; its balance column is read past (the system sums the journal
//! itself). A voucher the village already holds with the same entry changes nothing; with
//! another entry it is refused.

use super::{choice, date_in, recorder, Rows, Villages};
use crate::funds::{EXPENSE, INCOME};
use crate::tables::FUND_ENTRIES;
use std::collections::HashMap;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, Scope};
use xiangzhi_tabular::columns::{blank_row, col, col_aka, Col, Errors, Mapped};
use xiangzhi_tabular::plan::Summary;
use xiangzhi_tabular::ExchangeError;

pub(super) const COLS: &[Col] = &[
    col_aka(
        "village",
        "村",
        false,
        &["村名", "村庄", "单位", "村区划代码", "区划代码"],
    ),
    col_aka("entry_on", "日期", true, &["记账日期", "入账日期"]),
    col_aka(
        "voucher",
        "凭证号",
        true,
        &["凭证号码", "凭证编号", "凭证字号"],
    ),
    col("summary", "摘要", true),
    col_aka("category", "科目", true, &["收支科目", "会计科目"]),
    col_aka("income", "收入", false, &["收入金额", "借方", "借方金额"]),
    col_aka("expense", "支出", false, &["支出金额", "贷方", "贷方金额"]),
    col_aka("balance", "余额", false, &["结余"]),
];

/// The ledger's own lines that sum or carry the others: no entry of their own.
const TOTAL_LINES: [&str; 8] = [
    "本月合计",
    "本年累计",
    "本期合计",
    "累计",
    "承前页",
    "过次页",
    "上年结转",
    "期初余额",
];

pub(super) const COLUMNS: &[&str] = &[
    "county_id",
    "id",
    "division_code",
    "entry_on",
    "direction",
    "category",
    "amount",
    "summary",
    "voucher",
    "reverses",
    "recorded_by",
    "created_at",
];

/// An entry as held: (date, direction, category, amount, summary).
type Held = (chrono::NaiveDate, String, String, i64, String);

pub(super) async fn check(
    db: &Db,
    scope: &Scope,
    county_id: i64,
    m: &Mapped<'_>,
    summary: &mut Summary,
) -> Result<Rows, ExchangeError> {
    let villages = Villages::of(db, scope, county_id).await?;
    let mut q = Q::with(
        "SELECT t.division_code, t.voucher, t.entry_on, t.direction, t.category, t.amount, t.summary \
         FROM fund_entries t WHERE t.county_id = ?",
        vec![county_id.into()],
    );
    scope.filter(&mut q, &FUND_ENTRIES, "t", "division_code");
    let held: Vec<(
        String,
        String,
        chrono::NaiveDate,
        String,
        String,
        i64,
        String,
    )> = db.all(&q).await?;
    let held: HashMap<(String, String), Held> = held
        .into_iter()
        .map(|(d, v, on, dir, cat, amount, s)| ((d, v), (on, dir, cat, amount, s)))
        .collect();
    let by = recorder(scope);
    let now = now_ms();
    let mut errs = Errors::new(m);
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut rows = Vec::new();
    for r in 0..m.t.rows.len() {
        if blank_row(m, r) {
            continue;
        }
        let text = m.get(r, "summary").trim();
        let voucher = m.get(r, "voucher").trim();
        if voucher.is_empty() && TOTAL_LINES.contains(&text.replace([' ', '\u{3000}'], "").as_str())
        {
            continue;
        }
        let Some(village) = villages.find(m, &mut errs, r, "village") else {
            continue;
        };
        let on = date_in(m, &mut errs, r, "entry_on");
        let (direction, category) = match (
            choice(&INCOME, m.get(r, "category")),
            choice(&EXPENSE, m.get(r, "category")),
        ) {
            (Some(c), _) => ("income", c),
            (_, Some(c)) => ("expense", c),
            _ => {
                let names: Vec<&str> = INCOME.iter().chain(&EXPENSE).map(|(_, zh)| *zh).collect();
                errs.add(
                    r,
                    "category",
                    format!("科目应为：{}", names.join("、")),
                    "the category is one of the journal's categories (经营收入, 管理费用 …)",
                );
                continue;
            }
        };
        let amount = amount_of(m, &mut errs, r, direction);
        let text = crate::members::text("summary", text, 200, true)
            .map_err(|e| errs.store(r, e, &[]))
            .ok();
        let voucher = crate::members::text("voucher", voucher, 50, true)
            .map_err(|e| errs.store(r, e, &[]))
            .ok();
        let (Some(on), Some(amount), Some(text), Some(voucher)) = (on, amount, text, voucher)
        else {
            continue;
        };
        let key = (village.clone(), voucher.clone());
        if let Some(first) = seen.insert(key.clone(), m.t.line(r)) {
            errs.add(
                r,
                "voucher",
                format!("凭证号与第{first}行重复"),
                format!("the voucher repeats row {first}"),
            );
            continue;
        }
        let entry: Held = (
            on,
            direction.to_string(),
            category.to_string(),
            amount,
            text.clone(),
        );
        match held.get(&key) {
            Some(h) if *h == entry => summary.unchanged += 1,
            Some(_) => errs.add(
                r,
                "voucher",
                format!("凭证号“{voucher}”已经入账，内容与文件不同（入错的账请在账页上冲销）"),
                format!(
                    "voucher {voucher} is already entered with other content (reverse a wrong entry on the books page)"
                ),
            ),
            None if !(1..=100_000_000_000).contains(&amount) => errs.add(
                r,
                if direction == "income" { "income" } else { "expense" },
                "金额应大于0且不超过10亿元（冲销请在账页上办理）",
                "the amount is more than nothing and at most 1,000,000,000 yuan (reversals are made on the books page)",
            ),
            None => {
                summary.sample(
                    m.t.line(r),
                    format!(
                        "{} {} {}{} 元（{}）",
                        villages.name(&village),
                        on,
                        if direction == "income" { "收入" } else { "支出" },
                        xiangzhi_domain::Fen(amount),
                        text
                    ),
                    format!(
                        "{} {} {} {} yuan ({})",
                        villages.name(&village),
                        on,
                        direction,
                        xiangzhi_domain::Fen(amount),
                        text
                    ),
                );
                rows.push(vec![
                    Arg::Text(village),
                    Arg::Date(on),
                    direction.into(),
                    category.into(),
                    amount.into(),
                    Arg::Text(text),
                    Arg::Text(voucher),
                    Arg::OptI64(None),
                    by.into(),
                    now.into(),
                ]);
            }
        }
    }
    errs.finish()?;
    Ok(Rows {
        kind: "fund_entry",
        table: "fund_entries",
        columns: COLUMNS,
        rows,
    })
}

/// The row's amount in fen (a reversal exported is negative), from the column its category's
/// direction uses; the other column stays empty (or zero).
fn amount_of(m: &Mapped, errs: &mut Errors, r: usize, direction: &str) -> Option<i64> {
    let (own, other) = if direction == "income" {
        ("income", "expense")
    } else {
        ("expense", "income")
    };
    let zero = |t: &str| {
        let t = t.trim();
        t.is_empty() || crate::pages::fen_of(other, t).is_ok_and(|f| f == 0)
    };
    if !zero(m.get(r, other)) {
        errs.add(
            r,
            other,
            if direction == "income" {
                "这是收入科目，金额应写在收入栏"
            } else {
                "这是支出科目，金额应写在支出栏"
            },
            format!("the category is {direction}: put the amount in the {own} column"),
        );
        return None;
    }
    crate::pages::fen_of(own, m.get(r, own))
        .map_err(|e| errs.store(r, e, &[]))
        .ok()
}

/// The journal in reach, in the layout import reads (reversals shown as negative amounts).
pub(super) async fn export(db: &Db, scope: &Scope) -> Result<Vec<Vec<String>>, ExchangeError> {
    let mut q = Q::new(
        "SELECT t.division_code, t.entry_on, t.voucher, t.summary, t.direction, t.category, t.amount \
         FROM fund_entries t WHERE 1=1",
    );
    scope.filter(&mut q, &FUND_ENTRIES, "t", "division_code");
    q.push(" ORDER BY t.division_code, t.entry_on, t.id");
    let list: Vec<(
        String,
        chrono::NaiveDate,
        String,
        String,
        String,
        String,
        i64,
    )> = db.all(&q).await?;
    Ok(list
        .into_iter()
        .map(
            |(village, on, voucher, summary, direction, category, amount)| {
                let name = INCOME
                    .iter()
                    .chain(&EXPENSE)
                    .find(|(k, _)| *k == category)
                    .map(|(_, zh)| zh.to_string())
                    .unwrap_or(category);
                let shown = xiangzhi_domain::Fen(amount).to_string();
                let (income, expense) = if direction == "income" {
                    (shown, String::new())
                } else {
                    (String::new(), shown)
                };
                vec![
                    village,
                    on.to_string(),
                    voucher,
                    summary,
                    name,
                    income,
                    expense,
                    String::new(),
                ]
            },
        )
        .collect())
}
