//! 区划: divisions (county, township, village, group), and the reference regions above them.

use super::*;

// ---------------------------------------------------------------------------------------------
// Divisions

pub const DIVISION_COLS: &str =
    "t.county_id, t.code, t.name, t.level, t.parent_code, t.created_at, t.updated_at, t.version";

/// This part's queries, as methods of the store.
#[easy_ext::ext(DivisionStore)]
pub impl Db {
    /// The villages in the caller's reach: (code, township · village).
    async fn villages_in_reach(&self, scope: &Scope) -> Result<Vec<(String, String)>> {
        self.divisions_in_reach(scope, "village").await
    }

    /// The villagers' groups in the caller's reach: (code, village · group).
    async fn groups_in_reach(&self, scope: &Scope) -> Result<Vec<(String, String)>> {
        self.divisions_in_reach(scope, "group").await
    }

    /// The divisions of one level in the caller's reach, each named with its parent's name.
    async fn divisions_in_reach(
        &self,
        scope: &Scope,
        level: &str,
    ) -> Result<Vec<(String, String)>> {
        let mut q = Q::new(
            "SELECT t.code, COALESCE(p.name, '') || ' · ' || t.name FROM divisions t \
             LEFT JOIN divisions p ON p.county_id = t.county_id AND p.code = t.parent_code WHERE 1=1",
        );
        let l = q.arg(level);
        q.push(&format!(" AND t.level = {l}"));
        scope.filter(&mut q, &crate::tables::DIVISIONS, "t", "code");
        q.push(" ORDER BY t.code LIMIT 5000");
        self.all(&q).await
    }

    async fn create_division(&self, scope: &Scope, input: &DivisionInput) -> Result<Division> {
        let v = input.validate()?;
        let mut tx = self.begin().await?;
        let d = insert_division(&mut tx, scope, &v).await?;
        tx.audit(
            scope.actor(),
            "create division",
            format!("division {}", d.code),
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    async fn get_division(&self, scope: &Scope, code: &str) -> Result<Division> {
        let mut q = Q::new(&format!(
            "SELECT {DIVISION_COLS} FROM divisions t WHERE 1=1"
        ));
        let p = q.arg(code);
        q.push(&format!(" AND t.code = {p}"));
        scope.filter(&mut q, &crate::tables::DIVISIONS, "t", "code");
        self.one(&q).await
    }

    async fn rename_division(
        &self,
        scope: &Scope,
        code: &str,
        input: &DivisionRename,
    ) -> Result<Division> {
        let mut c = Checker::default();
        let name = c.text("name", &input.name, 100);
        let name = c.finish(name)?;
        let d = self.get_division(scope, code).await?;
        let version = expected_version(input.version, d.version)?;
        let mut tx = self.begin().await?;
        update_versioned(&mut tx, &Q::with(
            "UPDATE divisions SET name = ?, updated_at = ?, version = version + 1 WHERE county_id = ? AND code = ? AND version = ?",
            vec![
                name.into(),
                now_ms().into(),
                d.county_id.into(),
                d.code.clone().into(),
                version.into(),
            ],
        ), |e| e)
        .await?;
        tx.audit(
            scope.actor(),
            "rename division",
            format!("division {}", d.code),
        )
        .await?;
        tx.commit().await?;
        self.get_division(scope, code).await
    }

    async fn delete_division(&self, scope: &Scope, code: &str) -> Result<()> {
        let d = self.get_division(scope, code).await?;
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "DELETE FROM divisions WHERE county_id = ? AND code = ?",
            vec![d.county_id.into(), d.code.into()],
        ))
        .await?;
        tx.audit(scope.actor(), "delete division", format!("division {code}"))
            .await?;
        tx.commit().await
    }

    async fn list_divisions(&self, scope: &Scope, lq: &ListQuery) -> Result<Page<Division>> {
        let scope = division_filter(scope, lq)?;
        let mut q = Q::new(&format!(
            "SELECT {DIVISION_COLS} FROM divisions t WHERE 1=1"
        ));
        scope.filter(&mut q, &crate::tables::DIVISIONS, "t", "code");
        if let Some(level) = parse_kind::<DivisionLevel>(lq)? {
            let p = q.arg(level.as_str());
            q.push(&format!(" AND t.level = {p}"));
        }
        if let Some(parent) = lq.parent.as_deref().filter(|p| !p.is_empty()) {
            let p = q.arg(parent);
            q.push(&format!(" AND t.parent_code = {p}"));
        }
        if let Some(text) = q_text(lq) {
            xiangzhi_storage::sql::push_contains(&mut q, "t.name", &text);
        }
        page(self, q, Order::Code, lq).await
    }

    /// The names of the divisions `codes` of a county (the platform's tree: names are
    /// public, so any code of the county may be asked).
    async fn division_names(
        &self,
        county_id: i64,
        codes: &[String],
    ) -> Result<std::collections::HashMap<String, String>> {
        if codes.is_empty() {
            return Ok(Default::default());
        }
        let mut q = Q::with(
            "SELECT t.code, t.name FROM divisions t WHERE t.county_id = ? AND t.code IN (",
            vec![county_id.into()],
        );
        for (i, c) in codes.iter().enumerate() {
            let p = q.arg(c.clone());
            q.push(&format!("{}{p}", if i == 0 { "" } else { ", " }));
        }
        q.push(")");
        let rows: Vec<(String, String)> = self.all(&q).await?;
        Ok(rows.into_iter().collect())
    }

    /// Records where divisions of a county sit (code, latitude, longitude), all or nothing, in
    /// one audited transaction; codes outside the county are refused.
    async fn set_division_positions(
        &self,
        by: &xiangzhi_storage::Actor,
        county_id: i64,
        positions: &[(String, f64, f64)],
    ) -> Result<usize> {
        let mut tx = self.begin().await?;
        let mut n = 0;
        for (code, lat, lon) in positions {
            if !(-90.0..=90.0).contains(lat) || !(-180.0..=180.0).contains(lon) {
                return Err(StoreError::invalid(
                    "latitude",
                    format!("区划{code}的经纬度超出范围"),
                    format!("the position of division {code} is out of range"),
                ));
            }
            n += position_division(&mut tx, county_id, code, *lat, *lon).await?;
        }
        tx.audit(
            by,
            "set division positions",
            format!("county {county_id}: {n} divisions"),
        )
        .await?;
        tx.commit().await?;
        Ok(n as usize)
    }

    /// The divisions of a county under `prefix` whose position is known: (code, name, latitude,
    /// longitude), in code order. Names and positions are public.
    async fn division_positions(
        &self,
        county_id: i64,
        prefix: &str,
        level: DivisionLevel,
    ) -> Result<Vec<(String, String, f64, f64)>> {
        let hi = xiangzhi_storage::scope::prefix_upper(prefix);
        self.all(&Q::with(
            "SELECT t.code, t.name, t.latitude, t.longitude FROM divisions t WHERE t.county_id = ? AND t.code >= ? \
             AND t.code < ? AND t.level = ? AND t.latitude IS NOT NULL AND t.longitude IS NOT NULL ORDER BY t.code",
            vec![
                county_id.into(),
                prefix.into(),
                hi.into(),
                level.as_str().into(),
            ],
        ))
        .await
    }

    /// Provinces and prefectures (reference data shared by all counties).
    async fn list_regions(&self) -> Result<Vec<Region>> {
        self.all(&Q::new(
            "SELECT code, name, level, parent_code FROM regions ORDER BY code",
        ))
        .await
    }
}

/// Inserts one division after checking its parent exists inside the scope.
pub async fn insert_division(tx: &mut Tx, scope: &Scope, v: &ValidDivision) -> Result<Division> {
    let Some(county_id) = v.code.county_id() else {
        return Err(StoreError::invalid(
            "code",
            "省、地级区划只能通过区划表导入",
            "provinces and prefectures are imported with the division tables, not created one by one",
        ));
    };
    if !scope.covers(v.code.as_str()) {
        return Err(StoreError::NotFound);
    }
    let level = v.code.level();
    let parent = if level == DivisionLevel::County {
        None
    } else {
        let p = v.parent.as_ref().map(|p| p.as_str().to_string());
        let mut q = Q::with(
            "SELECT t.county_id FROM divisions t WHERE t.county_id = ? AND t.code = ?",
            vec![county_id.into(), p.clone().into()],
        );
        scope.filter(&mut q, &crate::tables::DIVISIONS, "t", "code");
        let found: Option<(i64,)> = tx.optional(&q).await?;
        if found.is_none() {
            return Err(StoreError::invalid(
                "parent_code",
                "上级区划不存在",
                "the parent division does not exist",
            ));
        }
        p
    };
    let now = now_ms();
    let q = Q::with(
        &format!(
            "INSERT INTO divisions (county_id, code, name, level, parent_code, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {}",
            DIVISION_COLS.replace("t.", "")
        ),
        vec![
            county_id.into(),
            v.code.as_str().into(),
            v.name.clone().into(),
            level.as_str().into(),
            parent.into(),
            now.into(),
            now.into(),
        ],
    );
    tx.one(&q).await
}

/// Records where a division sits, inside the caller's transaction (which writes the audit entry);
/// answers how many rows changed (0 for an unknown code).
pub async fn position_division(
    tx: &mut xiangzhi_storage::Tx,
    county_id: i64,
    code: &str,
    latitude: f64,
    longitude: f64,
) -> Result<u64> {
    tx.exec(&Q::with(
        "UPDATE divisions SET latitude = ?, longitude = ? WHERE county_id = ? AND code = ?",
        vec![
            Some(latitude).into(),
            Some(longitude).into(),
            county_id.into(),
            code.into(),
        ],
    ))
    .await
}
