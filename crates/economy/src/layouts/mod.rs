//! The collective economy's file layouts, offered in the console, the API and on the command
//! line: the organisation's members (成员名册), the households' land and capital shares (股权)
//! and the funds journal (收支明细账) as a village accountant keeps them in a spreadsheet. Each
//! file is checked in full with reads only and written as one job, all or nothing; the same file
//! twice changes nothing, and a row that contradicts what the county holds is refused by row.

mod holdings;
mod journal;
mod members;

use std::collections::HashMap;
use std::path::Path;
use xiangzhi_registry::layouts::{import_checked, open_upload, resolve_county};
use xiangzhi_registry::tables::DIVISIONS;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::staged::Staged;
use xiangzhi_storage::{Db, Scope};
use xiangzhi_tabular::columns::{header, Col, Errors, Mapped};
use xiangzhi_tabular::plan::{Checked, Summary, WritePlan};
use xiangzhi_tabular::{table, ExchangeError, FileLayout, ImportReport, Progress};

/// The economy's file layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 集体经济组织成员名册
    Members,
    /// 股权（土地入股、资金入股）
    Holdings,
    /// 集体资金收支明细账
    Journal,
}

xiangzhi_tabular::file_layout!(
    ECONOMY_MEMBERS,
    Layout::Members,
    "economy-members",
    ["集体经济组织成员", "成员名册"],
    "集体经济组织成员名册",
    "Members of the collective economic organisation",
    crate::RECORD_ECONOMY
);
xiangzhi_tabular::file_layout!(
    ECONOMY_HOLDINGS,
    Layout::Holdings,
    "economy-holdings",
    ["股权", "土地入股"],
    "股权（土地入股、资金入股）",
    "Households' land and capital shares",
    crate::RECORD_ECONOMY
);
xiangzhi_tabular::file_layout!(
    ECONOMY_JOURNAL,
    Layout::Journal,
    "economy-journal",
    ["收支明细账", "资金台账"],
    "集体资金收支明细账",
    "The collective's funds journal",
    crate::RECORD_ECONOMY
);

/// This feature's file layouts.
pub const LAYOUTS: &[&FileLayout] = &[&ECONOMY_MEMBERS, &ECONOMY_HOLDINGS, &ECONOMY_JOURNAL];

fn cols(layout: Layout) -> &'static [Col] {
    match layout {
        Layout::Members => members::COLS,
        Layout::Holdings => holdings::COLS,
        Layout::Journal => journal::COLS,
    }
}

fn layout_name(layout: Layout) -> &'static str {
    match layout {
        Layout::Members => ECONOMY_MEMBERS.name,
        Layout::Holdings => ECONOMY_HOLDINGS.name,
        Layout::Journal => ECONOMY_JOURNAL.name,
    }
}

/// A blank template's header, as a clerk reads it.
pub fn template_header(layout: Layout) -> Vec<String> {
    cols(layout).iter().map(|c| c.zh.to_string()).collect()
}

/// What a checked file writes: the rows of one table, ids reserved as it is written.
struct Rows {
    /// The id kind (`fund_entry`) and the table.
    kind: &'static str,
    table: &'static str,
    columns: &'static [&'static str],
    /// Every value but the leading county id and id.
    rows: Vec<Vec<xiangzhi_storage::sql::Arg>>,
}

impl WritePlan for Rows {
    fn write<'a>(
        self: Box<Self>,
        staged: &'a mut Staged<'_>,
        county_id: i64,
        progress: &'a dyn Progress,
    ) -> xiangzhi_tabular::plan::WriteFuture<'a> {
        Box::pin(async move {
            if self.rows.is_empty() {
                return Ok(0);
            }
            let first = staged.reserve(self.kind, self.rows.len() as i64).await?;
            let rows = self
                .rows
                .into_iter()
                .enumerate()
                .map(|(k, rest)| {
                    let mut row = Vec::with_capacity(rest.len() + 2);
                    row.push(county_id.into());
                    row.push((first + k as i64).into());
                    row.extend(rest);
                    row
                })
                .collect();
            staged
                .insert(self.table, self.columns, rows, &|n| progress.advance(n))
                .await?;
            Ok(staged.written() as usize)
        })
    }
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
    let (t, county_id, scope) =
        open_upload(db, scope, name, bytes, cols(layout), county, progress).await?;
    let m = Mapped::new(&t, cols(layout))?;
    let mut summary = Summary::default();
    let rows = match layout {
        Layout::Members => members::check(db, &scope, county_id, &m, &mut summary).await?,
        Layout::Holdings => holdings::check(db, &scope, county_id, &m, &mut summary).await?,
        Layout::Journal => journal::check(db, &scope, county_id, &m, &mut summary).await?,
    };
    summary.added = rows.rows.len();
    Ok(Checked::new(
        layout_name(layout),
        county_id,
        scope,
        &m,
        summary,
        Box::new(rows),
    ))
}

/// Imports a file on the command line, as one job.
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

/// Writes what the layout holds in reach to `path`, in the layout import reads; ID numbers
/// masked unless `full`.
pub async fn export(
    db: &Db,
    scope: &Scope,
    layout: Layout,
    path: &Path,
    county: Option<i64>,
    full: bool,
) -> Result<usize, ExchangeError> {
    let scope = match county {
        Some(c) => resolve_county(db, scope, Some(c)).await?.1,
        None => scope.clone(),
    };
    let rows = match layout {
        Layout::Members => members::export(db, &scope, full).await?,
        Layout::Holdings => holdings::export(db, &scope).await?,
        Layout::Journal => journal::export(db, &scope).await?,
    };
    table::write(path, &header(cols(layout), false), &rows)?;
    Ok(rows.len())
}

/// The villages in reach of a county: by code, and by name where the name is unique.
pub(super) struct Villages {
    names: HashMap<String, String>,
    by_name: HashMap<String, Option<String>>,
    /// The one village the scope covers (a village account's file may leave the column out).
    only: Option<String>,
}

impl Villages {
    async fn of(db: &Db, scope: &Scope, county_id: i64) -> Result<Villages, ExchangeError> {
        let mut q = Q::with(
            "SELECT t.code, t.name FROM divisions t WHERE t.county_id = ? AND t.level = 'village'",
            vec![county_id.into()],
        );
        scope.filter(&mut q, &DIVISIONS, "t", "code");
        let list: Vec<(String, String)> = db.all(&q).await?;
        let mut by_name: HashMap<String, Option<String>> = HashMap::new();
        for (code, name) in &list {
            by_name
                .entry(name.clone())
                .and_modify(|c| *c = None)
                .or_insert_with(|| Some(code.clone()));
        }
        let only = match list.as_slice() {
            [(code, _)] => Some(code.clone()),
            _ => None,
        };
        Ok(Villages {
            names: list.into_iter().collect(),
            by_name,
            only,
        })
    }

    /// The village a row names by its 12-digit code or its name (the only one in reach when the
    /// cell is empty), or the row's error.
    fn find(&self, m: &Mapped, errs: &mut Errors, r: usize, key: &str) -> Option<String> {
        let cell = m.get(r, key).trim();
        if cell.is_empty() {
            if self.only.is_none() {
                errs.add(
                    r,
                    key,
                    "请填写村名或村的区划代码",
                    "name the village or give its code",
                );
            }
            return self.only.clone();
        }
        if self.names.contains_key(cell) {
            return Some(cell.to_string());
        }
        match self.by_name.get(cell) {
            Some(Some(code)) => Some(code.clone()),
            Some(None) => {
                errs.add(
                    r,
                    key,
                    format!("有多个村叫“{cell}”，请写村的12位区划代码"),
                    format!(
                        "several villages are called '{cell}': give the village's 12-digit code"
                    ),
                );
                None
            }
            None => {
                errs.add(
                    r,
                    key,
                    format!("您管辖范围内没有“{cell}”这个村"),
                    format!("no village '{cell}' within your jurisdiction"),
                );
                None
            }
        }
    }

    fn name<'a>(&'a self, code: &'a str) -> &'a str {
        self.names.get(code).map(String::as_str).unwrap_or(code)
    }
}

/// A choice as typed: its key or its Chinese name.
pub(super) fn choice<'l>(list: &'l [(&'l str, &'l str)], text: &str) -> Option<&'l str> {
    let t = text.trim();
    list.iter()
        .find(|(k, zh)| *k == t || *zh == t)
        .map(|(k, _)| *k)
}

/// A date as offices write it, or the row's error.
pub(super) fn date_in(
    m: &Mapped,
    errs: &mut Errors,
    r: usize,
    key: &str,
) -> Option<chrono::NaiveDate> {
    let d = xiangzhi_domain::validate::parse_date(m.get(r, key));
    if d.is_none() {
        errs.add(
            r,
            key,
            "日期请写成 2026-11-30（或 2026/11/30、2026年11月30日）",
            "write the date as 2026-11-30 (or 2026/11/30)",
        );
    }
    d
}

/// Who the rows are recorded by: the account importing (0 on the command line).
pub(super) fn recorder(scope: &Scope) -> i64 {
    scope.actor().user_id.unwrap_or(0)
}
