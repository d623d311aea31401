//! Grids and their staff.

use super::*;

pub(super) async fn import_grids(
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
pub(super) async fn import_staff(
    tx: &mut Tx,
    m: &Mapped<'_>,
    county_id: i64,
    scope: &Scope,
) -> Result<usize, ExchangeError> {
    let grids = tx.grid_refs(county_id, scope).await?;
    let known: Vec<Known> = tx
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
    let mut changed: Vec<(i64, Option<String>)> = Vec::new();
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
            Some(k) if k.unit == v.unit => {}
            Some(k) => changed.push((k.id, v.unit.clone())),
            None => out.push((v, g.id, g.division_code.clone())),
        }
        seen.insert(key, r);
    }
    errs.finish()?;
    for (id, unit) in &changed {
        tx.exec(&xiangzhi_storage::sql::Q::with(
            "UPDATE grid_staff SET unit = ?, updated_at = ?, version = version + 1 WHERE county_id = ? AND id = ?",
            vec![
                unit.clone().into(),
                now.into(),
                county_id.into(),
                (*id).into(),
            ],
        ))
        .await?;
    }
    if out.is_empty() {
        return Ok(changed.len());
    }
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
    Ok(n + changed.len())
}
