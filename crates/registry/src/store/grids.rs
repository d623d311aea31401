//! 网格: the five levels of the grid, each with its materialised path.

use super::*;

// ---------------------------------------------------------------------------------------------
// Grids

pub const GRID_COLS: &str = "t.county_id, t.id, t.code, t.level, t.name, t.division_code, t.parent_id, t.created_at, t.updated_at, t.version";

#[derive(sqlx::FromRow)]
struct GridWithPath {
    #[sqlx(flatten)]
    grid: Grid,
    path: String,
}

pub async fn get_grid_row(
    db: &Db,
    scope: &Scope,
    county_id: Option<i64>,
    id: i64,
) -> Result<(Grid, String)> {
    let mut q = Q::new(&format!(
        "SELECT {GRID_COLS}, t.path FROM grids t WHERE 1=1"
    ));
    let p = q.arg(id);
    q.push(&format!(" AND t.id = {p}"));
    if let Some(c) = county_id {
        let p = q.arg(c);
        q.push(&format!(" AND t.county_id = {p}"));
    }
    scope.filter(&mut q, &crate::tables::GRIDS, "t", "division_code");
    let rows: Vec<GridWithPath> = db.all(&q).await?;
    match rows.len() {
        1 => rows
            .into_iter()
            .next()
            .map(|r| (r.grid, r.path))
            .ok_or(StoreError::NotFound),
        0 => Err(StoreError::NotFound),
        _ => Err(xiangzhi_storage::list::several_counties(id)),
    }
}

pub async fn tx_grid(
    tx: &mut Tx,
    scope: &Scope,
    county_id: i64,
    id: i64,
) -> Result<(Grid, String)> {
    let mut q = Q::with(
        &format!("SELECT {GRID_COLS}, t.path FROM grids t WHERE t.county_id = ? AND t.id = ?"),
        vec![county_id.into(), id.into()],
    );
    scope.filter(&mut q, &crate::tables::GRIDS, "t", "division_code");
    let r: GridWithPath = tx.one(&q).await?;
    Ok((r.grid, r.path))
}

/// Inserts a grid after checking its division and parent; returns it with its tree path.
pub async fn insert_grid(tx: &mut Tx, scope: &Scope, v: &ValidGrid) -> Result<Grid> {
    let county_id = v.division.county_id().ok_or(StoreError::NotFound)?;
    if !scope.covers(v.division.as_str()) {
        return Err(StoreError::NotFound);
    }
    let mut q = Q::with(
        "SELECT t.county_id FROM divisions t WHERE t.county_id = ? AND t.code = ?",
        vec![county_id.into(), v.division.as_str().into()],
    );
    scope.filter(&mut q, &crate::tables::DIVISIONS, "t", "code");
    if tx.optional::<(i64,)>(&q).await?.is_none() {
        return Err(StoreError::invalid(
            "division_code",
            "区划不存在",
            "the division does not exist",
        ));
    }
    let parent_path = match v.parent_id {
        None => String::from("/"),
        Some(pid) => {
            let (parent, path) = tx_grid(tx, scope, county_id, pid)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => StoreError::invalid(
                        "parent_id",
                        "上级网格不存在",
                        "the parent grid does not exist",
                    ),
                    e => e,
                })?;
            if Some(parent.level) != v.level.parent() {
                return Err(StoreError::invalid(
                    "parent_id",
                    format!(
                        "{}的上级应为{}",
                        v.level.zh(),
                        v.level.parent().map(|l| l.zh()).unwrap_or("无")
                    ),
                    format!(
                        "a {} grid's parent must be a {} grid",
                        v.level.as_str(),
                        v.level.parent().map(|l| l.as_str()).unwrap_or("none")
                    ),
                ));
            }
            let pd = DivisionCode::parse(&parent.division_code).map_err(|e| {
                StoreError::Invalid(vec![xiangzhi_storage::FieldError::new("parent_id", e)])
            })?;
            if !v.division.is_within(&pd) {
                return Err(StoreError::invalid(
                    "division_code",
                    "网格所在区划须在上级网格的区划之内",
                    "a grid's division must lie within its parent grid's division",
                ));
            }
            path
        }
    };
    let id = next_ids(tx, county_id, "grid", 1).await?;
    let now = now_ms();
    let q = Q::with(
        &format!(
            "INSERT INTO grids (county_id, id, code, level, name, division_code, parent_id, path, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
            GRID_COLS.replace("t.", "")
        ),
        vec![
            county_id.into(),
            id.into(),
            v.code.clone().unwrap_or_else(|| format!("G{id}")).into(),
            v.level.as_str().into(),
            v.name.clone().into(),
            v.division.as_str().into(),
            v.parent_id.into(),
            format!("{parent_path}{id}/").into(),
            now.into(),
            now.into(),
        ],
    );
    tx.one(&q).await
}

/// This part's queries, as methods of the store.
#[easy_ext::ext(GridStore)]
pub impl Db {
    async fn create_grid(&self, scope: &Scope, input: &GridInput) -> Result<Grid> {
        let v = input.validate()?;
        let mut tx = self.begin().await?;
        let g = insert_grid(&mut tx, scope, &v).await?;
        tx.audit(
            scope.actor(),
            "create grid",
            format!("grid {}:{}", g.county_id, g.id),
        )
        .await?;
        tx.commit().await?;
        Ok(g)
    }

    async fn get_grid(&self, scope: &Scope, id: i64) -> Result<Grid> {
        Ok(get_grid_row(self, scope, scope.county_id(), id).await?.0)
    }

    async fn rename_grid(&self, scope: &Scope, id: i64, input: &GridRename) -> Result<Grid> {
        let mut c = Checker::default();
        let name = c.text("name", &input.name, 100);
        let name = c.finish(name)?;
        let g = self.get_grid(scope, id).await?;
        let version = expected_version(input.version, g.version)?;
        let mut tx = self.begin().await?;
        update_versioned(&mut tx, &Q::with(
            "UPDATE grids SET name = ?, updated_at = ?, version = version + 1 WHERE county_id = ? AND id = ? AND version = ?",
            vec![
                name.into(),
                now_ms().into(),
                g.county_id.into(),
                g.id.into(),
                version.into(),
            ],
        ), |e| e)
        .await?;
        tx.audit(
            scope.actor(),
            "rename grid",
            format!("grid {}:{id}", g.county_id),
        )
        .await?;
        tx.commit().await?;
        self.get_grid(scope, id).await
    }

    async fn delete_grid(&self, scope: &Scope, id: i64) -> Result<()> {
        let g = self.get_grid(scope, id).await?;
        let mut tx = self.begin().await?;
        tx.delete_by_id("grids", g.county_id, g.id).await?;
        tx.audit(
            scope.actor(),
            "delete grid",
            format!("grid {}:{id}", g.county_id),
        )
        .await?;
        tx.commit().await
    }

    async fn list_grids(&self, scope: &Scope, lq: &ListQuery) -> Result<Page<Grid>> {
        let scope = division_filter(scope, lq)?;
        let mut q = Q::new(&format!("SELECT {GRID_COLS} FROM grids t WHERE 1=1"));
        scope.filter(&mut q, &crate::tables::GRIDS, "t", "division_code");
        if let Some(level) = parse_kind::<GridLevel>(lq)? {
            let p = q.arg(level.as_str());
            q.push(&format!(" AND t.level = {p}"));
        }
        if let Some(parent) = lq.parent.as_deref().filter(|p| !p.is_empty()) {
            let id: i64 = parent.parse().map_err(|_| {
                StoreError::invalid("parent", "上级网格编号应为整数", "parent must be a grid id")
            })?;
            let p = q.arg(id);
            q.push(&format!(" AND t.parent_id = {p}"));
        }
        if let Some(g) = lq.grid {
            grid_subtree_filter(self, &scope, &mut q, "t.id", g).await?;
        }
        if let Some(text) = q_text(lq) {
            xiangzhi_storage::sql::push_contains(&mut q, "t.name", &text);
        }
        page(self, q, Order::Id, lq).await
    }
}
