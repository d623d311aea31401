//! Grids and their staff.

use super::*;
use xiangzhi_storage::staged::Change;

/// What a grid file will do: the grids it adds (row, checked grid, code, parent code), in the
/// file's order, and the renames of grids the county holds.
pub(super) struct GridPlan {
    rows: Vec<(usize, ValidGrid, String, Option<String>)>,
    in_file: HashMap<String, usize>,
    existing: HashMap<String, GridRef>,
    renames: Vec<Change>,
    pub(super) summary: Summary,
}

/// A grid the county holds, as a re-import compares it.
#[derive(sqlx::FromRow)]
struct KnownGrid {
    id: i64,
    code: String,
    name: String,
    level: String,
    division_code: String,
    parent_code: Option<String>,
}

pub(super) async fn check_grids(
    db: &Db,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
) -> Result<GridPlan, ExchangeError> {
    let divisions = db.division_codes(county_id, scope).await?;
    let existing = db.grid_refs(county_id, &Scope::everything()).await?;
    let known: Vec<KnownGrid> = db
        .all(&Q::with(
            "SELECT t.id, t.code, t.name, t.level, t.division_code, p.code AS parent_code FROM grids t \
             LEFT JOIN grids p ON p.county_id = t.county_id AND p.id = t.parent_id WHERE t.county_id = ?",
            vec![county_id.into()],
        ))
        .await?;
    let known: HashMap<&str, &KnownGrid> = known.iter().map(|g| (g.code.as_str(), g)).collect();
    let mut summary = Summary::default();
    let mut renames = Vec::new();
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
        if let Some(k) = known.get(code.as_str()) {
            // The same grid again: unchanged, or renamed; moving it in the tree is not an import's.
            let same_place = k.level == v.level.as_str()
                && k.division_code == v.division.as_str()
                && k.parent_code == parent_code;
            if !same_place || !scope.covers(&k.division_code) {
                errs.add(
                    r,
                    "code",
                    "网格编码已存在，且层级、区划或上级网格与文件不同",
                    "the grid code already exists with another level, division or parent grid",
                );
            } else if k.name != v.name {
                renames.push(Change {
                    id: k.id,
                    set: vec![
                        ("name", Value::Text(v.name.clone())),
                        ("updated_at", Value::I64(now_ms())),
                    ],
                    before: vec![("name", Value::Text(k.name.clone()))],
                });
                summary.changed += 1;
                summary.sample(
                    m.t.line(r),
                    format!("网格 {code} 改名为“{}”", v.name),
                    format!("grid {code} renamed '{}'", v.name),
                );
            } else {
                summary.unchanged += 1;
            }
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
    summary.added = rows.len();
    for (r, v, code, _) in rows.iter().take(SAMPLES) {
        summary.sample(
            m.t.line(*r),
            format!("新增网格 {code}（{}，{}）", v.name, v.level.zh()),
            format!("new grid {code} ({}, {})", v.name, v.level.as_str()),
        );
    }
    Ok(GridPlan {
        rows,
        in_file,
        existing,
        renames,
        summary,
    })
}

pub(super) async fn write_grids(
    staged: &mut Staged<'_>,
    plan: GridPlan,
    county_id: i64,
) -> Result<usize, ExchangeError> {
    let GridPlan {
        rows,
        in_file,
        existing,
        renames,
        ..
    } = plan;
    let order = tree_order(rows.len(), |i| {
        rows[i].3.as_ref().and_then(|p| in_file.get(p).copied())
    });
    let first = staged.reserve("grid", rows.len() as i64).await?;
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
    staged
        .insert(tables::GRIDS.table, tables::GRIDS.columns, out, &|_| {})
        .await?;
    staged.update("grids", renames, &|_| {}).await?;
    Ok(staged.written() as usize)
}

/// A member of staff already recorded, as a re-import compares it (phone opened in the import's
/// own transaction, never shown).
#[derive(sqlx::FromRow)]
struct Known {
    id: i64,
    grid_id: i64,
    name: String,
    role: String,
    // Part of who a person is: two of one name in one grid differ by their phones.
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedPhoneOpt")]
    phone: Option<String>,
    unit: Option<String>,
}

/// Imports grid staff. A member of staff is the same person when the grid, the name, the role
/// and the phone are the same (two people of one name in one grid differ by their phones):
/// importing a file twice changes nothing, a changed unit updates the record, and the same
/// person twice in one file is refused by row.
/// What a staff file will do: the staff it adds and the units it changes.
pub(super) struct StaffPlan {
    out: Vec<(ValidStaff, i64, String)>,
    changed: Vec<Change>,
    pub(super) summary: Summary,
}

pub(super) async fn check_staff(
    db: &Db,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
) -> Result<StaffPlan, ExchangeError> {
    let grids = db.grid_refs(county_id, scope).await?;
    let known: Vec<Known> = db
        .all(&xiangzhi_storage::sql::Q::with(
            "SELECT t.id, t.grid_id, t.name, t.role, t.phone, t.unit FROM grid_staff t WHERE t.county_id = ?",
            vec![county_id.into()],
        ))
        .await?;
    let known: HashMap<(i64, String, String, Option<String>), Known> = known
        .into_iter()
        .map(|k| {
            (
                (k.grid_id, k.name.clone(), k.role.clone(), k.phone.clone()),
                k,
            )
        })
        .collect();
    let mut errs = Errors::new(m);
    let mut out = Vec::new();
    let mut changed: Vec<Change> = Vec::new();
    let mut summary = Summary::default();
    let mut seen: HashMap<(i64, String, String, Option<String>), usize> = HashMap::new();
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
        let phone = v.phone.as_ref().map(|p| p.as_str().to_string());
        let key = (g.id, v.name.clone(), v.role.as_str().to_string(), phone);
        if let Some(first) = seen.get(&key) {
            errs.add(
                r,
                "name",
                format!(
                    "与第{}行是同一人（同一网格、姓名、类别和电话）",
                    m.t.line(*first)
                ),
                format!(
                    "the same person as row {} (same grid, name, role and phone)",
                    m.t.line(*first)
                ),
            );
            continue;
        }
        match known.get(&key) {
            Some(k) if k.unit == v.unit => summary.unchanged += 1,
            Some(k) => {
                summary.sample(
                    m.t.line(r),
                    format!(
                        "{}：所在单位改为“{}”",
                        v.name,
                        v.unit.clone().unwrap_or_default()
                    ),
                    format!("{}: unit changed", v.name),
                );
                changed.push(Change {
                    id: k.id,
                    set: vec![
                        ("unit", Value::OptText(v.unit.clone())),
                        ("updated_at", Value::I64(now)),
                    ],
                    before: vec![("unit", Value::OptText(k.unit.clone()))],
                })
            }
            None => {
                summary.sample(
                    m.t.line(r),
                    format!("新增{}：{}", v.role.zh(), v.name),
                    format!("new {}: {}", v.role.as_str(), v.name),
                );
                out.push((v, g.id, g.division_code.clone()))
            }
        }
        seen.insert(key, r);
    }
    errs.finish()?;
    summary.added = out.len();
    summary.changed = changed.len();
    Ok(StaffPlan {
        out,
        changed,
        summary,
    })
}

pub(super) async fn write_staff(
    staged: &mut Staged<'_>,
    plan: StaffPlan,
    county_id: i64,
) -> Result<usize, ExchangeError> {
    let StaffPlan { out, changed, .. } = plan;
    let now = now_ms();
    staged.update("grid_staff", changed, &|_| {}).await?;
    let first = staged.reserve("staff", out.len() as i64).await?;
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
    staged
        .insert(
            tables::GRID_STAFF.table,
            tables::GRID_STAFF.columns,
            rows,
            &|_| {},
        )
        .await?;
    Ok(staged.written() as usize)
}
