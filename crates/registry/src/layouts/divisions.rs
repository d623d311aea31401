//! Divisions: the county's own file or the official `china-division` tables, upserted in tree order.

use super::*;

pub(super) struct DivRow {
    code: DivisionCode,
    name: String,
    /// Usually `code.level()`; a prefecture-level city without counties (东莞, 中山, 儋州) also
    /// appears as its own county-level unit under the same code.
    level: DivisionLevel,
    parent: Option<DivisionCode>,
}

pub(super) const CHINA_DIVISION_FILES: [&str; 5] = [
    "provinces.csv",
    "cities.csv",
    "areas.csv",
    "streets.csv",
    "villages.csv",
];

/// The level a row states: its `level` column, or in the `china-division` tables the length of its
/// short code.
pub(super) fn stated_level(
    m: &Mapped,
    r: usize,
    china: bool,
) -> Result<Option<DivisionLevel>, Invalid> {
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
pub(super) fn division_row(
    m: &Mapped,
    r: usize,
    china: bool,
) -> Result<Option<DivRow>, StoreError> {
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

pub(super) fn county_of(d: &DivRow) -> Option<i64> {
    if d.level.is_county_owned() {
        d.code.as_str()[..6].parse().ok()
    } else {
        None
    }
}

pub(super) async fn import_divisions(
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
        let mut t = table::read(f)?;
        // The `china-division` tables carry short codes (2/4/6/9/12 digits) and no level column.
        let china = t.headers.first().is_some_and(|h| h == "code")
            && t.headers.get(1).is_some_and(|h| h == "name")
            && !t.headers.iter().any(|h| h == "level" || h == "parent_code");
        let m = if china {
            Mapped::positional(&t, DIVISION_COLS, vec![Some(0), Some(1), None, None])
        } else {
            xiangzhi_tabular::find_header(&mut t, DIVISION_COLS);
            Mapped::new(&t, DIVISION_COLS)?
        };
        read += t.rows.len();
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
    let existing = db.existing_divisions(&missing).await?;
    let mut tx = db.begin().await?;
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
    let object = format!("{read} rows, {written} written");
    tx.audit(scope.actor(), "import divisions", object).await?;
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
pub fn tree_order(n: usize, parent_of: impl Fn(usize) -> Option<usize>) -> Vec<usize> {
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
