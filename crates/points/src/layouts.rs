//! The points feature's file layouts: a county's catalogue of rules (积分项目), and recordings
//! (积分录入, in entries.rs), imported all or none in the console, the API and on the command
//! line, and exported in the same layouts. The same file twice changes nothing; a code the
//! catalogue holds with other content is refused by row (a rule in use is changed on its own,
//! never by a file).

mod entries;

use crate::model::RuleInput;
use crate::rules::Holder;
use crate::store::PointsStore;
use std::collections::HashMap;
use std::path::Path;
use xiangzhi_registry::layouts::{import_checked, open_upload};
use xiangzhi_storage::sql::Arg as Value;
use xiangzhi_storage::staged::Staged;
use xiangzhi_storage::{now_ms, Db, Scope};
use xiangzhi_tabular::columns::{blank_row, col, col_aka, header, Col, Errors, Mapped};
use xiangzhi_tabular::plan::{Checked, Summary, WritePlan};
use xiangzhi_tabular::{table, ExchangeError, FileLayout, ImportReport, Progress};

/// The points feature's file layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 积分项目
    Rules,
    /// 积分录入: recordings that wait for approval
    Entries,
}

const RULE_COLS: &[Col] = &[
    col_aka("holder", "积分对象", true, &["对象"]),
    col_aka("code", "项目编码", true, &["编码"]),
    col_aka("dimension", "考评维度", true, &["维度", "类别"]),
    col_aka("item", "积分项目", true, &["项目", "项目名称"]),
    col_aka("points", "分值", true, &["积分", "分数"]),
    col("month_cap", "每月上限", false),
    col("year_cap", "每年上限", false),
    col_aka("evidence_required", "须有依据", false, &["需要依据"]),
];

xiangzhi_tabular::file_layout!(
    POINTS_RULE_FILE,
    Layout::Rules,
    "points-rules",
    ["积分项目"],
    "积分项目",
    "Points rules",
    crate::POINTS_RULES
);

xiangzhi_tabular::file_layout!(
    POINTS_ENTRY_FILE,
    Layout::Entries,
    "points-entries",
    ["积分录入"],
    "积分录入（待审核）",
    "Points recordings (to approve)",
    crate::RECORD_POINTS
);

/// This feature's file layouts.
pub const LAYOUTS: &[&FileLayout] = &[&POINTS_RULE_FILE, &POINTS_ENTRY_FILE];

fn cols(layout: Layout) -> &'static [Col] {
    match layout {
        Layout::Rules => RULE_COLS,
        Layout::Entries => entries::ENTRY_COLS,
    }
}

/// A blank template's header.
pub fn template_header(layout: Layout) -> Vec<String> {
    cols(layout).iter().map(|c| c.zh.to_string()).collect()
}

/// A county's catalogue by (holder, code).
async fn catalogue(
    db: &Db,
    scope: &Scope,
    county_id: i64,
) -> Result<HashMap<(Holder, String), crate::model::PointRule>, ExchangeError> {
    Ok(db
        .points_rules(scope)
        .await?
        .into_iter()
        .filter(|r| r.county_id == county_id)
        .map(|r| ((r.holder, r.code.clone()), r))
        .collect())
}

/// The rules a file adds.
struct RulesPlan {
    rows: Vec<crate::model::ValidRule>,
}

impl WritePlan for RulesPlan {
    fn write<'a>(
        self: Box<Self>,
        staged: &'a mut Staged<'_>,
        county_id: i64,
        progress: &'a dyn Progress,
    ) -> xiangzhi_tabular::plan::WriteFuture<'a> {
        Box::pin(async move {
            let first = staged
                .reserve("points_rule", self.rows.len() as i64)
                .await?;
            let now = now_ms();
            let rows = self
                .rows
                .into_iter()
                .enumerate()
                .map(|(k, v)| {
                    vec![
                        Value::I64(county_id),
                        Value::I64(first + k as i64),
                        Value::Text(v.holder.as_str().into()),
                        Value::Text(v.code),
                        Value::Text(v.dimension),
                        Value::Text(v.item),
                        Value::I64(v.points),
                        Value::OptI64(v.month_cap),
                        Value::OptI64(v.year_cap),
                        Value::Bool(v.evidence_required),
                        Value::Bool(true),
                        Value::I64(now),
                        Value::I64(now),
                    ]
                })
                .collect();
            staged
                .insert(
                    "points_rules",
                    &[
                        "county_id",
                        "id",
                        "holder",
                        "code",
                        "dimension",
                        "item",
                        "points",
                        "month_cap",
                        "year_cap",
                        "evidence_required",
                        "active",
                        "created_at",
                        "updated_at",
                    ],
                    rows,
                    &|n| progress.advance(n),
                )
                .await?;
            Ok(staged.written() as usize)
        })
    }
}

fn number(text: &str) -> Option<Option<i64>> {
    let t = text.trim();
    if t.is_empty() {
        return Some(None);
    }
    t.parse::<i64>().ok().map(Some)
}

/// Reads and checks a file of the layout with reads only.
pub async fn check(
    db: &Db,
    scope: &Scope,
    layout: Layout,
    name: &str,
    bytes: Vec<u8>,
    county: Option<i64>,
    progress: &dyn Progress,
) -> Result<Checked, ExchangeError> {
    match layout {
        Layout::Rules => check_rules(db, scope, name, bytes, county, progress).await,
        Layout::Entries => entries::check(db, scope, name, bytes, county, progress).await,
    }
}

/// Reads and checks a rules file with reads only.
async fn check_rules(
    db: &Db,
    scope: &Scope,
    name: &str,
    bytes: Vec<u8>,
    county: Option<i64>,
    progress: &dyn Progress,
) -> Result<Checked, ExchangeError> {
    let (t, county_id, scope) =
        open_upload(db, scope, name, bytes, RULE_COLS, county, progress).await?;
    let m = Mapped::new(&t, RULE_COLS)?;
    let held = catalogue(db, &scope, county_id).await?;
    let mut errs = Errors::new(&m);
    let mut summary = Summary::default();
    let mut rows = Vec::new();
    let mut seen: HashMap<(Holder, String), usize> = HashMap::new();
    for r in 0..t.rows.len() {
        if blank_row(&m, r) {
            continue;
        }
        let (Some(points), Some(month_cap), Some(year_cap)) = (
            number(m.get(r, "points")).flatten(),
            number(m.get(r, "month_cap")),
            number(m.get(r, "year_cap")),
        ) else {
            errs.add(
                r,
                "points",
                "分值和上限应为整数",
                "points and caps are whole numbers",
            );
            continue;
        };
        let evidence = matches!(
            m.get(r, "evidence_required").trim(),
            "是" | "需要" | "yes" | "true" | "1"
        );
        let input = RuleInput {
            county_id: Some(county_id),
            holder: m.get(r, "holder").to_string(),
            code: m.get(r, "code").to_string(),
            dimension: m.get(r, "dimension").to_string(),
            item: m.get(r, "item").to_string(),
            points,
            month_cap,
            year_cap,
            evidence_required: evidence,
        };
        let v = match input.validate() {
            Ok(v) => v,
            Err(e) => {
                errs.store(r, e, &[]);
                continue;
            }
        };
        let key = (v.holder, v.code.clone());
        if let Some(first) = seen.insert(key.clone(), m.t.line(r)) {
            errs.add(
                r,
                "code",
                format!("项目编码与第{first}行重复"),
                format!("the code repeats row {first}"),
            );
            continue;
        }
        match held.get(&key) {
            Some(h) => {
                let same = h.dimension == v.dimension
                    && h.item == v.item
                    && h.points == v.points
                    && h.month_cap == v.month_cap
                    && h.year_cap == v.year_cap
                    && h.evidence_required == v.evidence_required;
                if same {
                    summary.unchanged += 1;
                } else {
                    errs.add(
                        r,
                        "code",
                        "该项目编码已有内容不同的积分项目（已用的项目不能由文件修改）",
                        "the code holds a rule with other content (a rule in use is not changed by a file)",
                    );
                }
            }
            None => {
                summary.sample(
                    m.t.line(r),
                    format!("新增积分项目 {}（{:+}分）", v.item, v.points),
                    format!("new rule {} ({:+})", v.item, v.points),
                );
                rows.push(v);
            }
        }
    }
    errs.finish()?;
    summary.added = rows.len();
    Ok(Checked::new(
        POINTS_RULE_FILE.name,
        county_id,
        scope,
        &m,
        summary,
        Box::new(RulesPlan { rows }),
    ))
}

/// Imports a rules file on the command line, as one job.
pub async fn import(
    db: &Db,
    scope: &Scope,
    layout: Layout,
    path: &Path,
    county: Option<i64>,
    progress: &dyn Progress,
) -> Result<ImportReport, ExchangeError> {
    import_checked(db, path, progress, |name, bytes| async move {
        check(db, scope, layout, &name, bytes, county, progress).await
    })
    .await
}

/// Writes what the layout holds in reach to `path`, in the layout import reads.
pub async fn export(
    db: &Db,
    scope: &Scope,
    layout: Layout,
    path: &Path,
    county: Option<i64>,
    full: bool,
) -> Result<usize, ExchangeError> {
    if layout == Layout::Entries {
        return entries::export(db, scope, path, county, full).await;
    }
    let rows: Vec<Vec<String>> = db
        .points_rules(scope)
        .await?
        .into_iter()
        .filter(|r| county.is_none_or(|c| c == r.county_id))
        .map(|r| {
            vec![
                r.holder.zh().to_string(),
                r.code,
                r.dimension,
                r.item,
                r.points.to_string(),
                r.month_cap.map(|c| c.to_string()).unwrap_or_default(),
                r.year_cap.map(|c| c.to_string()).unwrap_or_default(),
                if r.evidence_required { "是" } else { "否" }.to_string(),
            ]
        })
        .collect();
    table::write(path, &header(RULE_COLS, false), &rows)?;
    Ok(rows.len())
}
