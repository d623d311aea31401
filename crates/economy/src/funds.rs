//! 资金: the collective's funds journal. Each income or expense is entered with its voucher and
//! never changed; a mistake is corrected by a reversing entry naming the one it reverses, once.
//! A village's statement for a month or a year sums the journal by category; its operating
//! income (business, contracting and rent, investment returns) decides whether it is a strong
//! village ([`crate::rules::strong`]).

use crate::rules::strong;
use crate::tables::FUND_ENTRIES;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_domain::{DivisionCode, DivisionLevel};
use xiangzhi_storage::list::in_reach;
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, Result, Scope, StoreError};

/// Categories of income; the first three are operating income (集体经营收入).
pub const INCOME: [(&str, &str); 5] = [
    ("business", "经营收入"),
    ("contracting", "发包及上交收入"),
    ("investment", "投资收益"),
    ("subsidy", "补助收入"),
    ("other_income", "其他收入"),
];
/// Categories of expense.
pub const EXPENSE: [(&str, &str); 4] = [
    ("business_cost", "经营支出"),
    ("management", "管理费用"),
    ("public_welfare", "公益支出"),
    ("other_expense", "其他支出"),
];
pub(crate) const OPERATING: [&str; 3] = ["business", "contracting", "investment"];

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct FundInput {
    pub division_code: String,
    pub entry_on: String,
    /// `income` or `expense`.
    pub direction: String,
    pub category: String,
    /// In fen, more than nothing.
    pub amount: i64,
    pub summary: String,
    /// The voucher's number, unique in the village (记-2026-11-001).
    pub voucher: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct FundEntry {
    pub county_id: i64,
    pub id: i64,
    pub division_code: String,
    pub entry_on: NaiveDate,
    pub direction: String,
    pub category: String,
    /// In fen; negative on a reversing entry.
    pub amount: i64,
    pub summary: String,
    pub voucher: String,
    pub reverses: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ReversalInput {
    pub reason: String,
    pub entry_on: String,
}

/// A village's sums over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundStatement {
    pub division_code: String,
    pub from: NaiveDate,
    /// The last day included.
    pub to: NaiveDate,
    /// Income by category, every category listed.
    pub income: Vec<CategorySum>,
    /// Expense by category, every category listed.
    pub expense: Vec<CategorySum>,
    pub total_income: i64,
    pub total_expense: i64,
    pub net: i64,
    /// Business, contracting and investment income.
    pub operating_income: i64,
    /// Operating income of 500,000 yuan or more.
    pub strong: bool,
}

/// One category's sum over the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CategorySum {
    pub category: String,
    /// The category's name in Chinese.
    pub zh: String,
    /// In fen.
    pub amount: i64,
}

const COLS: &str =
    "t.county_id, t.id, t.division_code, t.entry_on, t.direction, t.category, t.amount, \
    t.summary, t.voucher, t.reverses";

fn db_conflict(e: StoreError) -> StoreError {
    match e {
        StoreError::Db(d) => StoreError::from_db(d),
        e => e,
    }
}

/// A village's entries from `from` to `to` (both included), latest first; every one of them,
/// for the period's journal and its statement.
pub(crate) async fn entries_between(
    db: &Db,
    scope: &Scope,
    village: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<FundEntry>> {
    let mut q = Q::with(
        &format!(
            "SELECT {COLS} FROM fund_entries t WHERE t.county_id = ? AND t.division_code = ? \
             AND t.entry_on >= ? AND t.entry_on <= ?"
        ),
        vec![
            village
                .get(..6)
                .and_then(|c| c.parse::<i64>().ok())
                .unwrap_or_default()
                .into(),
            village.into(),
            Arg::Date(from),
            Arg::Date(to),
        ],
    );
    scope.filter(&mut q, &FUND_ENTRIES, "t", "division_code");
    q.push(" ORDER BY t.entry_on DESC, t.id DESC");
    db.all(&q).await
}

/// The first and last day of a year, or of one of its months.
pub fn period(
    year: Option<i32>,
    month: Option<u32>,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate), xiangzhi_storage::StoreError> {
    let bad =
        |field: &str, zh: &str, en: &str| xiangzhi_storage::StoreError::invalid(field, zh, en);
    let year =
        Some(year.unwrap_or_else(|| chrono::Datelike::year(&xiangzhi_domain::china_today())))
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| {
                bad(
                    "year",
                    "年度应在2000到2100年之间",
                    "the year is 2000 to 2100",
                )
            })?;
    let (from, to) = match month {
        None => (
            chrono::NaiveDate::from_ymd_opt(year, 1, 1),
            chrono::NaiveDate::from_ymd_opt(year, 12, 31),
        ),
        Some(m) if (1..=12).contains(&m) => {
            let first = chrono::NaiveDate::from_ymd_opt(year, m, 1);
            (
                first,
                first
                    .and_then(|f| f.checked_add_months(chrono::Months::new(1)))
                    .and_then(|n| n.pred_opt()),
            )
        }
        Some(_) => (None, None),
    };
    match (from, to) {
        (Some(from), Some(to)) => Ok((from, to)),
        _ => Err(bad("month", "月份应为1到12", "the month is 1 to 12")),
    }
}

#[easy_ext::ext(FundStore)]
pub impl Db {
    /// Enters an income or expense of a village in reach.
    async fn enter_fund(&self, scope: &Scope, input: &FundInput) -> Result<FundEntry> {
        let by = scope.acting()?;
        let village = crate::members::village(scope, &input.division_code)?;
        let county_id = village.county_id().unwrap_or_default();
        let list: &[(&str, &str)] = match input.direction.as_str() {
            "income" => &INCOME,
            "expense" => &EXPENSE,
            _ => {
                return Err(StoreError::invalid(
                    "direction",
                    "请选择收入或支出",
                    "income or expense",
                ))
            }
        };
        if !list.iter().any(|(k, _)| *k == input.category) {
            return Err(StoreError::invalid(
                "category",
                "请选择收支科目",
                "choose the category",
            ));
        }
        if input.amount <= 0 || input.amount > 100_000_000_000 {
            return Err(StoreError::invalid(
                "amount",
                "金额应大于0（以分为单位）",
                "the amount is more than nothing, in fen",
            ));
        }
        let summary = input.summary.trim();
        let voucher = input.voucher.trim();
        if summary.is_empty() || summary.chars().count() > 200 || summary.contains('\0') {
            return Err(StoreError::invalid(
                "summary",
                "请填写摘要（不超过200个字）",
                "a summary of at most 200 characters",
            ));
        }
        if voucher.is_empty() || voucher.chars().count() > 50 || voucher.contains('\0') {
            return Err(StoreError::invalid(
                "voucher",
                "请填写凭证号（不超过50个字）",
                "the voucher's number, at most 50 characters",
            ));
        }
        let on = crate::members::date("entry_on", &input.entry_on)?;
        let mut tx = self.begin().await?;
        let taken: Option<(i64,)> = tx
            .optional(&Q::with(
                "SELECT id FROM fund_entries WHERE county_id = ? AND division_code = ? AND voucher = ?",
                vec![county_id.into(), village.as_str().into(), voucher.into()],
            ))
            .await?;
        if taken.is_some() {
            return Err(StoreError::conflict(
                "voucher",
                format!("凭证号“{voucher}”已经入账"),
                format!("voucher {voucher} is already entered"),
            ));
        }
        let id = next_ids(&mut tx, county_id, "fund_entry", 1).await?;
        let e: FundEntry = tx
            .one(&Q::with(
                &format!(
                    "INSERT INTO fund_entries (county_id, id, division_code, entry_on, direction, category, amount, \
                     summary, voucher, reverses, recorded_by, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?) RETURNING {}",
                    COLS.replace("t.", "")
                ),
                vec![
                    county_id.into(),
                    id.into(),
                    village.as_str().into(),
                    Arg::Date(on),
                    input.direction.clone().into(),
                    input.category.clone().into(),
                    input.amount.into(),
                    summary.into(),
                    voucher.into(),
                    by.into(),
                    now_ms().into(),
                ],
            ))
            .await
            .map_err(db_conflict)?;
        tx.audit(
            scope.actor(),
            "enter fund",
            format!(
                "fund entry {county_id}:{id}: {} {}",
                input.direction, input.amount
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(e)
    }

    /// Reverses an entry once, by a new entry of the opposite amount.
    async fn reverse_fund(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        input: &ReversalInput,
    ) -> Result<FundEntry> {
        let by = scope.acting()?;
        let mut q = Q::with(
            &format!("SELECT {COLS} FROM fund_entries t WHERE t.county_id = ? AND t.id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &FUND_ENTRIES, "t", "division_code");
        let e: FundEntry = self.optional(&q).await?.ok_or(StoreError::NotFound)?;
        if e.reverses.is_some() {
            return Err(StoreError::conflict(
                "id",
                "冲销分录不能再冲销",
                "a reversing entry is not reversed",
            ));
        }
        let reason = input.reason.trim();
        if reason.is_empty() || reason.chars().count() > 200 || reason.contains('\0') {
            return Err(StoreError::invalid(
                "reason",
                "请写明冲销原因（不超过200个字）",
                "give the reason (at most 200 characters)",
            ));
        }
        let on = crate::members::date("entry_on", &input.entry_on)?;
        let mut tx = self.begin().await?;
        let rid = next_ids(&mut tx, county_id, "fund_entry", 1).await?;
        let r: FundEntry = tx
            .one(&Q::with(
                &format!(
                    "INSERT INTO fund_entries (county_id, id, division_code, entry_on, direction, category, amount, \
                     summary, voucher, reverses, recorded_by, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
                    COLS.replace("t.", "")
                ),
                vec![
                    county_id.into(),
                    rid.into(),
                    e.division_code.clone().into(),
                    Arg::Date(on),
                    e.direction.clone().into(),
                    e.category.clone().into(),
                    (-e.amount).into(),
                    format!("冲销：{reason}").into(),
                    format!("{}-冲", e.voucher).into(),
                    id.into(),
                    by.into(),
                    now_ms().into(),
                ],
            ))
            .await
            .map_err(|err| match db_conflict(err) {
                StoreError::Conflict(_) => StoreError::conflict(
                    "id",
                    "这笔分录已经冲销过",
                    "this entry is already reversed",
                ),
                other => other,
            })?;
        tx.audit(
            scope.actor(),
            "reverse fund",
            format!("fund entry {county_id}:{rid} reverses {id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    /// The entries in reach (and `division`, with `words` in the summary or voucher).
    async fn fund_entries(
        &self,
        scope: &Scope,
        division: Option<&str>,
        words: Option<&str>,
    ) -> Result<Vec<FundEntry>> {
        let mut q = in_reach(
            scope,
            division,
            &FUND_ENTRIES,
            COLS,
            &["t.summary", "t.voucher"],
            words,
            &[],
        )?;
        q.push(" ORDER BY t.entry_on DESC, t.id DESC LIMIT 5000");
        self.all(&q).await
    }

    /// A village's statement from `from` to `to` (both included).
    async fn fund_statement(
        &self,
        scope: &Scope,
        village: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<FundStatement> {
        let code = DivisionCode::parse(village)
            .ok()
            .filter(|c| c.level() == DivisionLevel::Village && scope.covers(c.as_str()))
            .ok_or(StoreError::NotFound)?;
        let mut q = Q::with(
            "SELECT t.direction, t.category, CAST(SUM(t.amount) AS BIGINT) FROM fund_entries t \
             WHERE t.county_id = ? AND t.division_code = ? AND t.entry_on >= ? AND t.entry_on <= ?",
            vec![
                code.county_id().unwrap_or_default().into(),
                code.as_str().into(),
                Arg::Date(from),
                Arg::Date(to),
            ],
        );
        scope.filter(&mut q, &FUND_ENTRIES, "t", "division_code");
        q.push(" GROUP BY t.direction, t.category");
        let sums: Vec<(String, String, i64)> = self.all(&q).await?;
        let of = |dir: &str, list: &[(&str, &str)]| -> Vec<CategorySum> {
            list.iter()
                .map(|(k, zh)| {
                    let v = sums
                        .iter()
                        .filter(|(d, c, _)| d == dir && c == k)
                        .map(|s| s.2)
                        .sum();
                    CategorySum {
                        category: k.to_string(),
                        zh: zh.to_string(),
                        amount: v,
                    }
                })
                .collect()
        };
        let income = of("income", &INCOME);
        let expense = of("expense", &EXPENSE);
        let total_income: i64 = income.iter().map(|x| x.amount).sum();
        let total_expense: i64 = expense.iter().map(|x| x.amount).sum();
        let operating_income = income
            .iter()
            .filter(|x| OPERATING.contains(&x.category.as_str()))
            .map(|x| x.amount)
            .sum();
        Ok(FundStatement {
            division_code: code.as_str().to_string(),
            from,
            to,
            income,
            expense,
            total_income,
            total_expense,
            net: total_income - total_expense,
            operating_income,
            strong: strong::is_strong(operating_income),
        })
    }
}
