//! The file layouts, and the import and export of each.

use crate::model::*;
use crate::prelude::*;
use crate::store::bulk::{tables, GridRef, OrgRef};
use crate::store::next_ids;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use xiangzhi_domain::*;
use xiangzhi_storage::*;
use xiangzhi_tabular::columns::{
    blank_row, col, header as header_of, Col, Errors, Mapped, SHOWN_ERRORS,
};
use xiangzhi_tabular::table;
use xiangzhi_tabular::{ExchangeError, ImportReport, Progress, RowError};

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
    /// 党组织
    PartyOrgs,
    /// 党员 with the households each keeps in touch with.
    PartyMembers,
}

impl FromStr for Layout {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "divisions" | "区划" => Layout::Divisions,
            "grids" | "网格" => Layout::Grids,
            "staff" | "网格员" => Layout::Staff,
            "households" | "户" | "居民" => Layout::Households,
            "party-orgs" | "党组织" => Layout::PartyOrgs,
            "party-members" | "党员" => Layout::PartyMembers,
            _ => {
                return Err(format!(
                    "未知的数据类别“{s}” / unknown layout '{s}': divisions, grids, staff, households, party-orgs, party-members"
                ))
            }
        })
    }
}

const DIVISION_COLS: &[Col] = &[
    col("code", "区划代码", true),
    col("name", "名称", true),
    col("level", "级别", false),
    col("parent_code", "上级代码", false),
];
const GRID_COLS: &[Col] = &[
    col("code", "网格编码", true),
    col("name", "网格名称", true),
    col("level", "网格层级", true),
    col("division_code", "所在区划代码", true),
    col("parent_code", "上级网格编码", false),
];
const STAFF_COLS: &[Col] = &[
    col("name", "姓名", true),
    col("role", "类别", true),
    col("grid_code", "网格编码", true),
    col("phone", "联系电话", false),
    col("unit", "所在单位", false),
];
const HOUSEHOLD_COLS: &[Col] = &[
    col("household_number", "户号", true),
    col("micro_grid_code", "微网格编码", true),
    col("address", "住址", true),
    col("name", "姓名", true),
    col("id_number", "身份证号码", true),
    col("phone", "联系电话", false),
    col("relation", "与户主关系", true),
    col("tags", "标签", false),
];
const ORG_COLS: &[Col] = &[
    col("code", "党组织编码", true),
    col("name", "党组织名称", true),
    col("kind", "类别", true),
    col("division_code", "所在区划代码", true),
    col("parent_code", "上级党组织编码", false),
    col("standing", "等次", false),
];
const MEMBER_COLS: &[Col] = &[
    col("id_number", "身份证号码", true),
    col("name", "姓名", false),
    col("org_code", "党组织编码", true),
    col("status", "党员类别", true),
    col("role", "党内职务", false),
    col("joined_on", "入党日期", true),
    col("contact_households", "联系户", false),
];

/// Header text written on export: `户号(household_number)`; divisions keep the official plain layout.
fn header(layout: Layout) -> Vec<String> {
    header_of(cols(layout), layout == Layout::Divisions)
}

fn cols(layout: Layout) -> &'static [Col] {
    match layout {
        Layout::Divisions => DIVISION_COLS,
        Layout::Grids => GRID_COLS,
        Layout::Staff => STAFF_COLS,
        Layout::Households => HOUSEHOLD_COLS,
        Layout::PartyOrgs => ORG_COLS,
        Layout::PartyMembers => MEMBER_COLS,
    }
}

/// Resolves which county a non-division file belongs to.
async fn resolve_county(
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
    let t = table::read(path)?;
    let m = Mapped::new(&t, cols(layout))?;
    let (county_id, scope) = resolve_county(db, scope, county).await?;
    progress.phase("校验 checking", t.rows.len() as u64);
    let mut tx = db.begin().await?;
    let written = match layout {
        Layout::Grids => import_grids(&mut tx, &m, county_id, &scope).await?,
        Layout::Staff => import_staff(&mut tx, &m, county_id, &scope).await?,
        Layout::Households => import_households(&mut tx, &m, county_id, &scope, progress).await?,
        Layout::PartyOrgs => import_orgs(&mut tx, &m, county_id, &scope).await?,
        Layout::PartyMembers => import_members(&mut tx, &m, county_id, &scope).await?,
        Layout::Divisions => 0,
    };
    progress.phase("提交 committing", 0);
    tx.commit().await?;
    Ok(ImportReport {
        rows: t.rows.len(),
        written,
        unchanged: 0,
        skipped: 0,
    })
}

fn now_ms() -> i64 {
    xiangzhi_storage::now_ms()
}

// ---------------------------------------------------------------------------------------------
// Divisions

struct DivRow {
    code: DivisionCode,
    name: String,
    /// Usually `code.level()`; a prefecture-level city without counties (东莞, 中山, 儋州) also
    /// appears as its own county-level unit under the same code.
    level: DivisionLevel,
    parent: Option<DivisionCode>,
}

const CHINA_DIVISION_FILES: [&str; 5] = [
    "provinces.csv",
    "cities.csv",
    "areas.csv",
    "streets.csv",
    "villages.csv",
];

/// The level a row states: its `level` column, or in the `china-division` tables the length of its
/// short code.
fn stated_level(m: &Mapped, r: usize, china: bool) -> Result<Option<DivisionLevel>, Invalid> {
    if china {
        return Ok(match m.get(r, "code").len() {
            2 => Some(DivisionLevel::Province),
            4 => Some(DivisionLevel::Prefecture),
            6 => Some(DivisionLevel::County),
            9 => Some(DivisionLevel::Township),
            12 => Some(DivisionLevel::Village),
            _ => None,
        });
    }
    m.opt(r, "level").map(|l| l.parse()).transpose()
}

/// Checks one division row; `Ok(None)` for a placeholder the official tables carry (a sub-unit
/// numbered 000, such as 金门县's, whose code is its parent's own).
fn division_row(m: &Mapped, r: usize, china: bool) -> Result<Option<DivRow>, StoreError> {
    let one = |field: &str, e: Invalid| StoreError::Invalid(vec![FieldError::new(field, e)]);
    let raw = m.get(r, "code");
    let text = if china && !raw.is_empty() && raw.len() < 12 {
        format!("{raw:0<12}")
    } else {
        raw.to_string()
    };
    let code = DivisionCode::parse(&text).map_err(|e| one("code", e))?;
    let stated = stated_level(m, r, china).map_err(|e| one("level", e))?;
    let level = match stated {
        None => code.level(),
        Some(l) if l == code.level() => l,
        Some(DivisionLevel::County) if code.level() == DivisionLevel::Prefecture => {
            DivisionLevel::County
        }
        Some(l) if china && l > code.level() => return Ok(None),
        Some(l) => {
            return Err(one(
                "level",
                Invalid::new(
                    format!("级别“{}”与代码所示的{}不符", l.zh(), code.level().zh()),
                    format!(
                        "level '{}' does not match the code, which is a {}",
                        l.as_str(),
                        code.level().as_str()
                    ),
                ),
            ))
        }
    };
    let mut c = Checker::default();
    let name = c.text("name", m.get(r, "name"), 100);
    let implied = match level {
        DivisionLevel::County if code.level() == DivisionLevel::Prefecture => Some(code.clone()),
        _ => code.implied_parent(),
    };
    let parent = match m.opt(r, "parent_code").filter(|_| !china) {
        None => implied.clone(),
        Some(p) => c.parse("parent_code", DivisionCode::parse(&p)),
    };
    if let (Some(p), Some(i)) = (&parent, &implied) {
        if p != i {
            c.0.push(FieldError::new(
                "parent_code",
                Invalid::new(
                    format!("上级代码应为{i}"),
                    format!("parent_code should be {i}"),
                ),
            ));
        }
    }
    let name = c.finish(name)?;
    Ok(Some(DivRow {
        code,
        name,
        level,
        parent,
    }))
}

fn county_of(d: &DivRow) -> Option<i64> {
    if d.level.is_county_owned() {
        d.code.as_str()[..6].parse().ok()
    } else {
        None
    }
}

async fn import_divisions(
    db: &Db,
    scope: &Scope,
    path: &Path,
    progress: &dyn Progress,
) -> Result<ImportReport, ExchangeError> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let found: Vec<PathBuf> = CHINA_DIVISION_FILES
            .iter()
            .map(|f| path.join(f))
            .filter(|p| p.exists())
            .collect();
        if found.is_empty() {
            return Err(ExchangeError::Format {
                zh: format!(
                    "目录 {} 中没有 provinces/cities/areas/streets/villages.csv",
                    path.display()
                ),
                en: format!(
                    "folder {} has none of provinces/cities/areas/streets/villages.csv",
                    path.display()
                ),
            });
        }
        found
    } else {
        vec![path.to_path_buf()]
    };
    let several = files.len() > 1;
    let mut rows: Vec<DivRow> = Vec::new();
    // (code, county-owned?) → where it was first seen
    let mut seen: HashMap<(String, bool), (String, usize)> = HashMap::new();
    let mut failures: Vec<RowError> = Vec::new();
    let mut total_bad = 0;
    let mut read = 0;
    let mut skipped = 0;
    for f in &files {
        let fname = f
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        progress.phase(&format!("读取 reading {fname}"), 0);
        let t = table::read(f)?;
        read += t.rows.len();
        // The `china-division` tables carry short codes (2/4/6/9/12 digits) and no level column.
        let china = t.headers.first().is_some_and(|h| h == "code")
            && t.headers.get(1).is_some_and(|h| h == "name")
            && !t.headers.iter().any(|h| h == "level" || h == "parent_code");
        let m = if china {
            Mapped::positional(&t, DIVISION_COLS, vec![Some(0), Some(1), None, None])
        } else {
            Mapped::new(&t, DIVISION_COLS)?
        };
        progress.phase(&format!("校验 checking {fname}"), t.rows.len() as u64);
        let mut errs = Errors::new(&m);
        for r in 0..t.rows.len() {
            if blank_row(&m, r) {
                continue;
            }
            let d = match division_row(&m, r, china) {
                Ok(Some(d)) => d,
                Ok(None) => {
                    skipped += 1;
                    continue;
                }
                Err(e) => {
                    errs.store(r, e, &[]);
                    continue;
                }
            };
            if d.level.is_county_owned() && !scope.covers(d.code.as_str()) {
                errs.outside(r, "code");
                continue;
            }
            let key = (d.code.to_string(), d.level.is_county_owned());
            if let Some((file, line)) = seen.get(&key) {
                let at = if several {
                    format!("{file} ")
                } else {
                    String::new()
                };
                errs.add(
                    r,
                    "code",
                    format!("区划代码与{at}第{line}行重复"),
                    format!("code repeats {at}row {line}"),
                );
                continue;
            }
            seen.insert(key, (fname.clone(), t.line(r)));
            rows.push(d);
        }
        total_bad += errs.total;
        failures.extend(errs.list.into_iter().map(|mut e| {
            if several {
                e.column = format!("{fname} {}", e.column);
            }
            e
        }));
    }
    // Parents below the county must exist, in the files or already in the database.
    let in_files = |c: &DivisionCode| seen.contains_key(&(c.to_string(), true));
    let missing: Vec<String> = rows
        .iter()
        .filter(|d| d.level > DivisionLevel::County)
        .filter_map(|d| d.parent.as_ref())
        .filter(|p| !in_files(p))
        .map(|p| p.to_string())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut tx = db.begin().await?;
    let existing = tx.existing_divisions(&missing).await?;
    for d in &rows {
        if d.level <= DivisionLevel::County {
            continue;
        }
        if let Some(p) = &d.parent {
            if !in_files(p) && !existing.contains(p.as_str()) {
                total_bad += 1;
                if failures.len() < SHOWN_ERRORS {
                    let (file, line) = seen
                        .get(&(d.code.to_string(), true))
                        .cloned()
                        .unwrap_or_default();
                    failures.push(RowError {
                        row: line,
                        column: if several {
                            format!("{file} parent_code")
                        } else {
                            "parent_code".into()
                        },
                        zh: format!("上级区划 {p} 不存在"),
                        en: format!("parent division {p} does not exist"),
                    });
                }
            }
        }
    }
    if total_bad > 0 {
        return Err(ExchangeError::Rows {
            errors: failures,
            total: total_bad,
        });
    }
    // Parents first: upper levels, then by code.
    rows.sort_by(|a, b| a.level.cmp(&b.level).then_with(|| a.code.cmp(&b.code)));
    let regions: Vec<(String, String, String, Option<String>)> = rows
        .iter()
        .filter(|d| !d.level.is_county_owned())
        .map(|d| {
            (
                d.code.to_string(),
                d.name.clone(),
                d.level.as_str().to_string(),
                d.parent.as_ref().map(|p| p.to_string()),
            )
        })
        .collect();
    let divisions: Vec<(i64, String, String, String, Option<String>)> = rows
        .iter()
        .filter_map(|d| {
            let county = county_of(d)?;
            let parent = if d.level == DivisionLevel::County {
                None
            } else {
                d.parent.as_ref().map(|p| p.to_string())
            };
            Some((
                county,
                d.code.to_string(),
                d.name.clone(),
                d.level.as_str().to_string(),
                parent,
            ))
        })
        .collect();
    progress.phase("写入 writing", rows.len() as u64);
    let mut written = tx.upsert_regions(&regions).await? as usize;
    progress.advance(regions.len() as u64);
    let now = now_ms();
    for chunk in divisions.chunks(20_000) {
        written += tx.upsert_divisions(chunk, now).await? as usize;
        progress.advance(chunk.len() as u64);
    }
    progress.phase("提交 committing", 0);
    tx.commit().await?;
    Ok(ImportReport {
        rows: read,
        written,
        unchanged: rows.len() - written,
        skipped,
    })
}

// ---------------------------------------------------------------------------------------------
// Grids and party organisations: trees whose parents may come later in the file

/// Orders rows so every parent precedes its children, keeping file order where it already does.
/// `parent_of(i)` names a parent row in the file, if any.
fn tree_order(n: usize, parent_of: impl Fn(usize) -> Option<usize>) -> Vec<usize> {
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    loop {
        let before = order.len();
        for i in 0..n {
            if !placed[i] && parent_of(i).is_none_or(|p| placed[p]) {
                placed[i] = true;
                order.push(i);
            }
        }
        if order.len() == n || order.len() == before {
            return order;
        }
    }
}

async fn import_grids(
    tx: &mut Tx,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
) -> Result<usize, ExchangeError> {
    let divisions = tx.division_codes(county_id, scope).await?;
    let existing = tx.grid_refs(county_id, &Scope::everything()).await?;
    let mut errs = Errors::new(m);
    let mut rows: Vec<(usize, ValidGrid, String, Option<String>)> = Vec::new();
    let mut in_file: HashMap<String, usize> = HashMap::new();
    for r in 0..m.t.rows.len() {
        if blank_row(m, r) {
            continue;
        }
        let parent_code = m.opt(r, "parent_code");
        let input = GridInput {
            code: m.opt(r, "code"),
            level: m.get(r, "level").to_string(),
            name: m.get(r, "name").to_string(),
            division_code: m.get(r, "division_code").to_string(),
            parent_id: parent_code.as_ref().map(|_| 0),
        };
        let v = match input.validate() {
            Ok(v) => v,
            Err(e) => {
                errs.store(r, e, &[("parent_id", "parent_code")]);
                continue;
            }
        };
        let code = v.code.clone().unwrap_or_default();
        if v.division.county_id() != Some(county_id) || !scope.covers(v.division.as_str()) {
            errs.outside(r, "division_code");
            continue;
        }
        if !divisions.contains(v.division.as_str()) {
            errs.add(
                r,
                "division_code",
                "区划不存在",
                "the division does not exist",
            );
            continue;
        }
        if existing.contains_key(&code) {
            errs.add(r, "code", "网格编码已存在", "the grid code already exists");
            continue;
        }
        if let Some(first) = in_file.get(&code) {
            errs.add(
                r,
                "code",
                format!("网格编码与第{}行重复", m.t.line(rows[*first].0)),
                "the grid code repeats an earlier row",
            );
            continue;
        }
        in_file.insert(code.clone(), rows.len());
        rows.push((r, v, code, parent_code));
    }
    // Parents: in the file or in the database, one level up, containing the division.
    let level_of = |code: &str| -> Option<(GridLevel, String)> {
        if let Some(i) = in_file.get(code) {
            return Some((rows[*i].1.level, rows[*i].1.division.to_string()));
        }
        existing
            .get(code)
            .and_then(|g| Some((g.level.parse().ok()?, g.division_code.clone())))
    };
    for (r, v, _, parent) in &rows {
        if let Some(p) = parent {
            match level_of(p) {
                None => errs.add(
                    *r,
                    "parent_code",
                    "上级网格不存在",
                    "the parent grid does not exist",
                ),
                Some((pl, pd)) => {
                    if Some(pl) != v.level.parent() {
                        errs.add(
                            *r,
                            "parent_code",
                            format!("{}的上级不能是{}", v.level.zh(), pl.zh()),
                            format!(
                                "a {} grid cannot sit under a {} grid",
                                v.level.as_str(),
                                pl.as_str()
                            ),
                        );
                    } else if !v.division.as_str().starts_with(
                        DivisionCode::parse(&pd)
                            .map(|d| d.prefix().to_string())
                            .unwrap_or_default()
                            .as_str(),
                    ) {
                        errs.add(
                            *r,
                            "division_code",
                            "网格所在区划须在上级网格的区划之内",
                            "a grid's division must lie within its parent grid's division",
                        );
                    }
                }
            }
        }
    }
    errs.finish()?;
    let order = tree_order(rows.len(), |i| {
        rows[i].3.as_ref().and_then(|p| in_file.get(p).copied())
    });
    let first = next_ids(tx, county_id, "grid", rows.len() as i64).await?;
    let mut assigned: HashMap<String, (i64, String)> = HashMap::new();
    let now = now_ms();
    let mut out = Vec::with_capacity(rows.len());
    for (k, i) in order.into_iter().enumerate() {
        let (_, v, code, parent) = &rows[i];
        let id = first + k as i64;
        let (pid, ppath) = match parent {
            None => (None, "/".to_string()),
            Some(p) => match assigned.get(p) {
                Some((pid, path)) => (Some(*pid), path.clone()),
                None => existing
                    .get(p)
                    .map(|g: &GridRef| (Some(g.id), g.path.clone()))
                    .unwrap_or((None, "/".into())),
            },
        };
        let path = format!("{ppath}{id}/");
        assigned.insert(code.clone(), (id, path.clone()));
        out.push(vec![
            Value::I64(county_id),
            Value::I64(id),
            Value::Text(code.clone()),
            Value::Text(v.level.as_str().into()),
            Value::Text(v.name.clone()),
            Value::Text(v.division.to_string()),
            Value::OptI64(pid),
            Value::Text(path),
            Value::I64(now),
            Value::I64(now),
        ]);
    }
    let n = out.len();
    tx.insert_rows(&tables::GRIDS, out).await?;
    Ok(n)
}

async fn import_orgs(
    tx: &mut Tx,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
) -> Result<usize, ExchangeError> {
    let divisions = tx.division_codes(county_id, scope).await?;
    let existing = tx.org_refs(county_id).await?;
    let mut errs = Errors::new(m);
    let mut rows: Vec<(usize, ValidPartyOrg, String, Option<String>)> = Vec::new();
    let mut in_file: HashMap<String, usize> = HashMap::new();
    for r in 0..m.t.rows.len() {
        if blank_row(m, r) {
            continue;
        }
        let parent_code = m.opt(r, "parent_code");
        let input = PartyOrgInput {
            code: m.opt(r, "code"),
            kind: m.get(r, "kind").to_string(),
            name: m.get(r, "name").to_string(),
            parent_id: parent_code.as_ref().map(|_| 0),
            division_code: m.get(r, "division_code").to_string(),
            standing: m.opt(r, "standing"),
            version: None,
        };
        let v = match input.validate() {
            Ok(v) => v,
            Err(e) => {
                errs.store(r, e, &[("parent_id", "parent_code")]);
                continue;
            }
        };
        let code = v.code.clone().unwrap_or_default();
        if v.division.county_id() != Some(county_id) || !scope.covers(v.division.as_str()) {
            errs.outside(r, "division_code");
            continue;
        }
        if !divisions.contains(v.division.as_str()) {
            errs.add(
                r,
                "division_code",
                "区划不存在",
                "the division does not exist",
            );
            continue;
        }
        if existing.contains_key(&code) {
            errs.add(
                r,
                "code",
                "党组织编码已存在",
                "the organisation code already exists",
            );
            continue;
        }
        if in_file.contains_key(&code) {
            errs.add(
                r,
                "code",
                "党组织编码在文件中重复",
                "the organisation code repeats an earlier row",
            );
            continue;
        }
        in_file.insert(code.clone(), rows.len());
        rows.push((r, v, code, parent_code));
    }
    for (r, v, _, parent) in &rows {
        if let Some(p) = parent {
            let kind = match in_file.get(p) {
                Some(i) => Some(rows[*i].1.kind),
                None => existing
                    .get(p)
                    .and_then(|o| o.kind.parse::<PartyOrgKind>().ok()),
            };
            match kind {
                None => errs.add(
                    *r,
                    "parent_code",
                    "上级党组织不存在",
                    "the parent organisation does not exist",
                ),
                Some(k) if !v.kind.allowed_parents().contains(&k) => errs.add(
                    *r,
                    "parent_code",
                    format!("{}不能隶属于{}", v.kind.zh(), k.zh()),
                    format!("a {} cannot sit under a {}", v.kind.as_str(), k.as_str()),
                ),
                Some(_) => {}
            }
        }
    }
    errs.finish()?;
    let order = tree_order(rows.len(), |i| {
        rows[i].3.as_ref().and_then(|p| in_file.get(p).copied())
    });
    let first = next_ids(tx, county_id, "party_org", rows.len() as i64).await?;
    let mut assigned: HashMap<String, (i64, String)> = HashMap::new();
    let now = now_ms();
    let mut out = Vec::with_capacity(rows.len());
    for (k, i) in order.into_iter().enumerate() {
        let (_, v, code, parent) = &rows[i];
        let id = first + k as i64;
        let (pid, ppath) = match parent {
            None => (None, "/".to_string()),
            Some(p) => match assigned.get(p) {
                Some((pid, path)) => (Some(*pid), path.clone()),
                None => existing
                    .get(p)
                    .map(|o: &OrgRef| (Some(o.id), o.path.clone()))
                    .unwrap_or((None, "/".into())),
            },
        };
        let path = format!("{ppath}{id}/");
        assigned.insert(code.clone(), (id, path.clone()));
        out.push(vec![
            Value::I64(county_id),
            Value::I64(id),
            Value::Text(code.clone()),
            Value::Text(v.kind.as_str().into()),
            Value::Text(v.name.clone()),
            Value::OptI64(pid),
            Value::Text(v.division.to_string()),
            Value::Text(v.standing.as_str().into()),
            Value::Text(path),
            Value::I64(now),
            Value::I64(now),
        ]);
    }
    let n = out.len();
    tx.insert_rows(&tables::PARTY_ORGS, out).await?;
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// Staff, households with residents, party members

async fn import_staff(
    tx: &mut Tx,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
) -> Result<usize, ExchangeError> {
    let grids = tx.grid_refs(county_id, scope).await?;
    let mut errs = Errors::new(m);
    let mut out = Vec::new();
    let now = now_ms();
    for r in 0..m.t.rows.len() {
        if blank_row(m, r) {
            continue;
        }
        let input = StaffInput {
            name: m.get(r, "name").to_string(),
            role: m.get(r, "role").to_string(),
            grid_id: 0,
            phone: m.opt(r, "phone"),
            unit: m.opt(r, "unit"),
            version: None,
        };
        let v = match input.validate() {
            Ok(v) => v,
            Err(e) => {
                errs.store(r, e, &[]);
                continue;
            }
        };
        let Some(g) = grids.get(m.get(r, "grid_code")) else {
            errs.add(
                r,
                "grid_code",
                "网格不存在或不在管辖范围内",
                "the grid does not exist or is outside your jurisdiction",
            );
            continue;
        };
        let level: Option<GridLevel> = g.level.parse().ok();
        if !level.is_some_and(|l| v.role.grid_levels().contains(&l)) {
            errs.add(
                r,
                "role",
                format!("{}不能配备在该层级网格", v.role.zh()),
                format!(
                    "a {} cannot be assigned to a {} grid",
                    v.role.as_str(),
                    g.level
                ),
            );
            continue;
        }
        out.push((v, g.id, g.division_code.clone()));
    }
    errs.finish()?;
    let first = next_ids(tx, county_id, "staff", out.len() as i64).await?;
    let rows: Vec<Vec<Value>> = out
        .into_iter()
        .enumerate()
        .map(|(k, (v, gid, div))| {
            vec![
                Value::I64(county_id),
                Value::I64(first + k as i64),
                Value::Text(v.name),
                Value::Text(v.role.as_str().into()),
                Value::I64(gid),
                Value::Text(div),
                Value::OptText(crypto::seal_opt(
                    "phone",
                    v.phone.as_ref().map(|p| p.as_str()),
                )),
                Value::OptText(v.unit),
                Value::I64(now),
                Value::I64(now),
            ]
        })
        .collect();
    let n = rows.len();
    tx.insert_rows(&tables::GRID_STAFF, rows).await?;
    Ok(n)
}

async fn import_households(
    tx: &mut Tx,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
    progress: &dyn Progress,
) -> Result<usize, ExchangeError> {
    let grids = tx.grid_refs(county_id, scope).await?;
    let existing_households = tx.household_numbers(county_id).await?;
    let existing_ids = tx.resident_ids(county_id).await?;
    let mut errs = Errors::new(m);
    // household number → (index in `households`, first row)
    let mut numbers: HashMap<String, usize> = HashMap::new();
    let mut households: Vec<(String, i64, String, String, usize)> = Vec::new(); // number, grid id, division, address, row
                                                                                // (household index, resident, keyed index of the ID number)
    let mut residents: Vec<(usize, ValidResident, String)> = Vec::new();
    let mut id_rows: HashMap<String, usize> = HashMap::with_capacity(m.t.rows.len());
    for r in 0..m.t.rows.len() {
        if r % 10_000 == 0 {
            progress.advance(if r == 0 { 0 } else { 10_000 });
        }
        if blank_row(m, r) {
            continue;
        }
        let number = m.get(r, "household_number");
        let grid_code = m.get(r, "micro_grid_code");
        let address = m.get(r, "address");
        let hinput = HouseholdInput {
            number: number.to_string(),
            micro_grid_id: 0,
            address: address.to_string(),
            version: None,
        };
        let rinput = ResidentInput {
            household_id: 0,
            name: m.get(r, "name").to_string(),
            id_number: m.get(r, "id_number").to_string(),
            phone: m.opt(r, "phone"),
            relation: m.get(r, "relation").to_string(),
            tags: m.opt(r, "tags").into_iter().collect(),
            version: None,
        };
        let mut ok = true;
        if let Err(e) = hinput.validate() {
            errs.store(r, e, &[("number", "household_number")]);
            ok = false;
        }
        let v = match rinput.validate() {
            Ok(v) => Some(v),
            Err(e) => {
                errs.store(r, e, &[]);
                None
            }
        };
        let grid = grids.get(grid_code);
        match grid {
            None => {
                errs.add(
                    r,
                    "micro_grid_code",
                    "微网格不存在或不在管辖范围内",
                    "the micro-grid does not exist or is outside your jurisdiction",
                );
                ok = false;
            }
            Some(g) if g.level != "micro" => {
                errs.add(
                    r,
                    "micro_grid_code",
                    "户只能归属到微网格",
                    "a household must belong to a micro-grid",
                );
                ok = false;
            }
            _ => {}
        }
        if existing_households.contains_key(number) {
            errs.add(
                r,
                "household_number",
                "户号已存在",
                "the household number already exists",
            );
            ok = false;
        }
        let Some(v) = v else { continue };
        if let Some(first) = id_rows.get(v.id_number.as_str()) {
            errs.add(
                r,
                "id_number",
                format!("身份证号码与第{first}行重复"),
                format!("ID number repeats row {first}"),
            );
            continue;
        }
        id_rows.insert(v.id_number.as_str().to_string(), m.t.line(r));
        let id_index = crypto::index("id_number", v.id_number.as_str());
        if existing_ids.contains_key(&id_index) {
            errs.add(
                r,
                "id_number",
                "该身份证号码已登记",
                "this ID number is already registered",
            );
            continue;
        }
        if !ok {
            continue;
        }
        let Some(g) = grid else { continue };
        let hi = match numbers.get(number) {
            Some(hi) => {
                let h = &households[*hi];
                if h.1 != g.id || h.3 != address {
                    errs.add(
                        r,
                        "household_number",
                        format!("同一户号在第{}行的微网格或住址与此行不同", m.t.line(h.4)),
                        format!("the same household number has a different micro-grid or address on row {}", m.t.line(h.4)),
                    );
                    continue;
                }
                *hi
            }
            None => {
                numbers.insert(number.to_string(), households.len());
                households.push((
                    number.to_string(),
                    g.id,
                    g.division_code.clone(),
                    address.to_string(),
                    r,
                ));
                households.len() - 1
            }
        };
        residents.push((hi, v, id_index));
    }
    errs.finish()?;
    let now = now_ms();
    let h_first = next_ids(tx, county_id, "household", households.len() as i64).await?;
    let r_first = next_ids(tx, county_id, "resident", residents.len() as i64).await?;
    progress.phase("写入户 writing households", households.len() as u64);
    let hrows: Vec<Vec<Value>> = households
        .iter()
        .enumerate()
        .map(|(k, (number, gid, div, address, _))| {
            vec![
                Value::I64(county_id),
                Value::I64(h_first + k as i64),
                Value::Text(number.clone()),
                Value::Text(div.clone()),
                Value::I64(*gid),
                Value::Text(address.clone()),
                Value::I64(now),
                Value::I64(now),
            ]
        })
        .collect();
    let mut hrows = hrows.into_iter().peekable();
    while hrows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = hrows.by_ref().take(20_000).collect();
        let n = chunk.len() as u64;
        tx.insert_rows(&tables::HOUSEHOLDS, chunk).await?;
        progress.advance(n);
    }
    progress.phase("写入居民 writing residents", residents.len() as u64);
    for (c, chunk) in residents.chunks(20_000).enumerate() {
        let base = c * 20_000;
        let mut rows = Vec::with_capacity(chunk.len());
        for (k, (hi, v, id_index)) in chunk.iter().enumerate() {
            rows.push(crate::store::resident_row(
                county_id,
                r_first + (base + k) as i64,
                h_first + *hi as i64,
                households[*hi].2.clone(),
                v,
                id_index.clone(),
                now,
            ));
        }
        tx.insert_rows(&tables::RESIDENTS, rows).await?;
        progress.advance(chunk.len() as u64);
    }
    Ok(residents.len())
}

async fn import_members(
    tx: &mut Tx,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
) -> Result<usize, ExchangeError> {
    let residents = tx.resident_ids(county_id).await?;
    let orgs = tx.org_refs(county_id).await?;
    let households = tx.household_numbers(county_id).await?;
    let members = tx.member_residents(county_id).await?;
    let mut errs = Errors::new(m);
    let mut out: Vec<(ValidPartyMember, String, Vec<i64>)> = Vec::new();
    let mut in_file: HashSet<i64> = HashSet::new();
    for r in 0..m.t.rows.len() {
        if blank_row(m, r) {
            continue;
        }
        let input = PartyMemberInput {
            resident_id: 0,
            org_id: 0,
            status: m.get(r, "status").to_string(),
            role: m.opt(r, "role"),
            joined_on: m.get(r, "joined_on").to_string(),
            version: None,
        };
        let mut v = match input.validate() {
            Ok(v) => v,
            Err(e) => {
                errs.store(r, e, &[]);
                continue;
            }
        };
        let id_text = m.get(r, "id_number").trim().to_ascii_uppercase();
        let resident = match IdNumber::parse(&id_text) {
            Err(e) => {
                errs.invalid(r, "id_number", e);
                continue;
            }
            Ok(n) => match residents.get(&crypto::index("id_number", n.as_str())) {
                Some(res) if scope.covers(&res.2) => res,
                _ => {
                    errs.add(
                        r,
                        "id_number",
                        "居民不存在或不在管辖范围内",
                        "no such resident within your jurisdiction",
                    );
                    continue;
                }
            },
        };
        if let Some(name) = m.opt(r, "name") {
            if name != resident.1 {
                errs.add(
                    r,
                    "name",
                    format!("姓名与登记的“{}”不符", resident.1),
                    "the name does not match the registered resident",
                );
                continue;
            }
        }
        let Some(org) = orgs
            .get(m.get(r, "org_code"))
            .filter(|o| scope.covers(&o.division_code))
        else {
            errs.add(
                r,
                "org_code",
                "党组织不存在或不在管辖范围内",
                "the organisation does not exist or is outside your jurisdiction",
            );
            continue;
        };
        if members.contains(&resident.0) || !in_file.insert(resident.0) {
            errs.add(
                r,
                "id_number",
                "该居民已是党员",
                "the resident is already a party member",
            );
            continue;
        }
        let mut contacts = Vec::new();
        for n in m
            .get(r, "contact_households")
            .split([';', '；', '、', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match households.get(n) {
                Some((hid, div)) if scope.covers(div) => {
                    if !contacts.contains(hid) {
                        contacts.push(*hid)
                    }
                }
                _ => errs.add(
                    r,
                    "contact_households",
                    format!("联系户“{n}”不存在"),
                    format!("contact household '{n}' does not exist"),
                ),
            }
        }
        v.resident_id = resident.0;
        v.org_id = org.id;
        out.push((v, org.division_code.clone(), contacts));
    }
    errs.finish()?;
    let first = next_ids(tx, county_id, "party_member", out.len() as i64).await?;
    let now = now_ms();
    let mut rows = Vec::with_capacity(out.len());
    let mut contact_rows = Vec::new();
    for (k, (v, div, contacts)) in out.into_iter().enumerate() {
        let id = first + k as i64;
        rows.push(vec![
            Value::I64(county_id),
            Value::I64(id),
            Value::I64(v.resident_id),
            Value::I64(v.org_id),
            Value::Text(div),
            Value::Text(v.status.as_str().into()),
            Value::Text(v.role.as_str().into()),
            Value::Date(v.joined_on),
            Value::I64(now),
            Value::I64(now),
        ]);
        for h in contacts {
            contact_rows.push(vec![
                Value::I64(county_id),
                Value::I64(id),
                Value::I64(h),
                Value::I64(now),
            ]);
        }
    }
    let n = rows.len();
    tx.insert_rows(&tables::PARTY_MEMBERS, rows).await?;
    tx.insert_rows(&tables::MEMBER_CONTACTS, contact_rows)
        .await?;
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// Export

fn label<T: FromStr<Err = Invalid>>(code: &str, zh: impl Fn(T) -> &'static str) -> String {
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
                vec![
                    h.number,
                    h.grid_code,
                    h.address,
                    h.name,
                    h.id_number,
                    h.phone.unwrap_or_default(),
                    label::<Relation>(&h.relation, Relation::zh),
                    tags.join("、"),
                ]
            })
            .collect(),
        Layout::PartyOrgs => db
            .export_party_orgs(&scope)
            .await?
            .into_iter()
            .map(|(code, name, kind, div, parent, standing)| {
                vec![
                    code,
                    name,
                    label::<PartyOrgKind>(&kind, PartyOrgKind::zh),
                    div,
                    parent.unwrap_or_default(),
                    label::<BranchStanding>(&standing, BranchStanding::zh),
                ]
            })
            .collect(),
        Layout::PartyMembers => db
            .export_party_members(&scope)
            .await?
            .into_iter()
            .map(|mm| {
                vec![
                    mm.id_number,
                    mm.name,
                    mm.org_code,
                    label::<MemberStatus>(&mm.status, MemberStatus::zh),
                    label::<MemberRole>(&mm.role, MemberRole::zh),
                    mm.joined_on.to_string(),
                    mm.contacts,
                ]
            })
            .collect(),
    };
    table::write(path, &header(layout), &rows)?;
    Ok(rows.len())
}
