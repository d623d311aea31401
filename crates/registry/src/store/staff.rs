//! 网格员: grid staff.

use super::*;

// ---------------------------------------------------------------------------------------------
// Grid staff

pub const STAFF_COLS: &str = "t.county_id, t.id, t.name, t.role, t.grid_id, t.division_code, t.phone, t.unit, t.created_at, t.updated_at, t.version";

/// Checks a staff member's grid is in scope and fits the role; returns the grid.
pub async fn staff_grid(
    tx: &mut Tx,
    scope: &Scope,
    county_id: i64,
    v: &ValidStaff,
) -> Result<Grid> {
    let (g, _) = tx_grid(tx, scope, county_id, v.grid_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                StoreError::invalid("grid_id", "网格不存在", "the grid does not exist")
            }
            e => e,
        })?;
    if !v.role.grid_levels().contains(&g.level) {
        return Err(StoreError::invalid(
            "role",
            format!("{}不能配备在{}", v.role.zh(), g.level.zh()),
            format!(
                "a {} cannot be assigned to a {} grid",
                v.role.as_str(),
                g.level.as_str()
            ),
        ));
    }
    Ok(g)
}

pub async fn insert_staff(
    tx: &mut Tx,
    scope: &Scope,
    county_id: i64,
    v: &ValidStaff,
) -> Result<Staff> {
    let g = staff_grid(tx, scope, county_id, v).await?;
    let id = next_ids(tx, county_id, "staff", 1).await?;
    let now = now_ms();
    tx.one(&Q::with(
        &format!(
            "INSERT INTO grid_staff (county_id, id, name, role, grid_id, division_code, phone, unit, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
            STAFF_COLS.replace("t.", "")
        ),
        vec![
            county_id.into(),
            id.into(),
            v.name.clone().into(),
            v.role.as_str().into(),
            g.id.into(),
            g.division_code.into(),
            crypto::seal_opt("phone", v.phone.as_ref().map(|p| p.as_str())).into(),
            v.unit.clone().into(),
            now.into(),
            now.into(),
        ],
    ))
    .await
}

/// This part's queries, as methods of the store.
#[easy_ext::ext(StaffStore)]
pub impl Db {
    async fn get_staff(&self, scope: &Scope, id: i64) -> Result<Staff> {
        xiangzhi_storage::list::get_by_id(
            self,
            scope,
            STAFF_COLS,
            &crate::tables::GRID_STAFF,
            "grid_staff t",
            id,
        )
        .await
    }

    async fn create_staff(&self, scope: &Scope, input: &StaffInput) -> Result<Staff> {
        let v = input.validate()?;
        let county_id = county_for(self, scope, &crate::tables::GRIDS, v.grid_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => {
                    StoreError::invalid("grid_id", "网格不存在", "the grid does not exist")
                }
                e => e,
            })?;
        let mut tx = self.begin().await?;
        let s = insert_staff(&mut tx, scope, county_id, &v).await?;
        tx.audit(
            scope.actor(),
            "create grid staff",
            format!("staff {}:{}", s.county_id, s.id),
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }

    async fn update_staff(&self, scope: &Scope, id: i64, input: &StaffInput) -> Result<Staff> {
        let v = input.validate()?;
        let cur = self.get_staff(scope, id).await?;
        let version = expected_version(input.version, cur.version)?;
        let mut tx = self.begin().await?;
        let g = staff_grid(&mut tx, scope, cur.county_id, &v).await?;
        update_versioned(&mut tx, &Q::with(
            "UPDATE grid_staff SET name = ?, role = ?, grid_id = ?, division_code = ?, phone = ?, unit = ?, updated_at = ?, version = version + 1 \
             WHERE county_id = ? AND id = ? AND version = ?",
            vec![
                v.name.into(),
                v.role.as_str().into(),
                g.id.into(),
                g.division_code.into(),
                crypto::seal_opt("phone", v.phone.as_ref().map(|p| p.as_str())).into(),
                v.unit.into(),
                now_ms().into(),
                cur.county_id.into(),
                id.into(),
                version.into(),
            ],
        ), |e| e)
        .await?;
        tx.audit(
            scope.actor(),
            "update grid staff",
            format!("staff {}:{id}", cur.county_id),
        )
        .await?;
        tx.commit().await?;
        self.get_staff(scope, id).await
    }

    async fn delete_staff(&self, scope: &Scope, id: i64) -> Result<()> {
        let s = self.get_staff(scope, id).await?;
        let mut tx = self.begin().await?;
        tx.delete_by_id("grid_staff", s.county_id, id).await?;
        tx.audit(
            scope.actor(),
            "delete grid staff",
            format!("staff {}:{id}", s.county_id),
        )
        .await?;
        tx.commit().await
    }

    async fn list_staff(&self, scope: &Scope, lq: &ListQuery) -> Result<Page<Staff>> {
        let scope = division_filter(scope, lq)?;
        let mut q = Q::new(&format!("SELECT {STAFF_COLS} FROM grid_staff t WHERE 1=1"));
        scope.filter(&mut q, &crate::tables::GRID_STAFF, "t", "division_code");
        if let Some(role) = parse_kind::<StaffRole>(lq)? {
            let p = q.arg(role.as_str());
            q.push(&format!(" AND t.role = {p}"));
        }
        if let Some(g) = lq.grid {
            grid_subtree_filter(self, &scope, &mut q, "t.grid_id", g).await?;
        }
        if let Some(text) = q_text(lq) {
            starts_with(&mut q, "t.name", &text);
        }
        page(self, q, Order::Id, lq).await
    }
}
