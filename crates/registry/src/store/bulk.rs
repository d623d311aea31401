//! Support for whole-file imports and exports: reference look-ups for one county and full, ordered
//! extracts of each layout, all limited by the caller's scope.

use std::collections::HashMap;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{Db, Result, Scope, Tx};

/// A grid as imports need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GridRef {
    pub id: i64,
    pub code: String,
    pub level: String,
    pub division_code: String,
    pub path: String,
}

/// The columns bulk writers fill, per table, in the order their rows list values.
pub mod tables {
    /// A table and the columns a bulk insert fills.
    pub struct Columns {
        pub table: &'static str,
        pub columns: &'static [&'static str],
    }
    pub const REGIONS: Columns = Columns {
        table: "regions",
        columns: &["code", "name", "level", "parent_code"],
    };
    pub const DIVISIONS: Columns = Columns {
        table: "divisions",
        columns: &[
            "county_id",
            "code",
            "name",
            "level",
            "parent_code",
            "created_at",
            "updated_at",
        ],
    };
    pub const GRIDS: Columns = Columns {
        table: "grids",
        columns: &[
            "county_id",
            "id",
            "code",
            "level",
            "name",
            "division_code",
            "parent_id",
            "path",
            "created_at",
            "updated_at",
        ],
    };
    pub const GRID_STAFF: Columns = Columns {
        table: "grid_staff",
        columns: &[
            "county_id",
            "id",
            "name",
            "role",
            "grid_id",
            "division_code",
            "phone",
            "unit",
            "created_at",
            "updated_at",
        ],
    };
    pub const HOUSEHOLDS: Columns = Columns {
        table: "households",
        columns: &[
            "county_id",
            "id",
            "number",
            "division_code",
            "micro_grid_id",
            "address",
            "created_at",
            "updated_at",
        ],
    };
    pub const RESIDENTS: Columns = Columns {
        table: "residents",
        columns: &[
            "county_id",
            "id",
            "household_id",
            "division_code",
            "name",
            "id_number",
            "id_number_hash",
            "gender",
            "birth_date",
            "phone",
            "relation",
            "tags",
            "created_at",
            "updated_at",
            "phone_hash",
            "id_tail_hash",
        ],
    };
}

fn scoped(
    sql: &str,
    county_id: i64,
    scope: &Scope,
    table: &xiangzhi_storage::tables::Table,
    column: &str,
) -> Q {
    let mut q = Q::with(sql, vec![county_id.into()]);
    scope.filter(&mut q, table, "t", column);
    q
}

/// Bulk reads and writes inside an import's or the demo's transaction.
#[easy_ext::ext(BulkTx)]
pub impl Tx {
    /// `bulk_insert` into one of the known tables.
    async fn insert_rows(
        &mut self,
        t: &tables::Columns,
        rows: Vec<Vec<xiangzhi_storage::Value>>,
    ) -> Result<()> {
        self.bulk_insert(t.table, t.columns, rows).await
    }

    /// Upserts a division: returns true when a row was written (inserted or renamed).
    async fn upsert_divisions(
        &mut self,
        rows: &[(i64, String, String, String, Option<String>)],
        now: i64,
    ) -> Result<u64> {
        let mut written = 0;
        for chunk in rows.chunks(1000) {
            let mut q = Q::new("INSERT INTO divisions (county_id, code, name, level, parent_code, created_at, updated_at) VALUES ");
            for (i, (c, code, name, level, parent)) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.push_args(
                    "(?, ?, ?, ?, ?, ?, ?)",
                    vec![
                        (*c).into(),
                        code.clone().into(),
                        name.clone().into(),
                        level.clone().into(),
                        parent.clone().into(),
                        now.into(),
                        now.into(),
                    ],
                );
            }
            q.push(
                " ON CONFLICT (county_id, code) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at \
                 WHERE divisions.name <> excluded.name",
            );
            written += self.exec(&q).await?;
        }
        Ok(written)
    }

    async fn upsert_regions(
        &mut self,
        rows: &[(String, String, String, Option<String>)],
    ) -> Result<u64> {
        let mut written = 0;
        for chunk in rows.chunks(1000) {
            let mut q = Q::new("INSERT INTO regions (code, name, level, parent_code) VALUES ");
            for (i, (code, name, level, parent)) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.push_args(
                    "(?, ?, ?, ?)",
                    vec![
                        code.clone().into(),
                        name.clone().into(),
                        level.clone().into(),
                        parent.clone().into(),
                    ],
                );
            }
            q.push(" ON CONFLICT (code) DO UPDATE SET name = excluded.name WHERE regions.name <> excluded.name");
            written += self.exec(&q).await?;
        }
        Ok(written)
    }
}

/// Reference look-ups for one county, read before an import writes anything.
#[easy_ext::ext(BulkRead)]
pub impl Db {
    /// Division codes of the county inside the scope.
    async fn division_codes(
        &self,
        county_id: i64,
        scope: &Scope,
    ) -> Result<std::collections::HashSet<String>> {
        let rows: Vec<(String,)> = self
            .all(&scoped(
                "SELECT t.code FROM divisions t WHERE t.county_id = ?",
                county_id,
                scope,
                &crate::tables::DIVISIONS,
                "code",
            ))
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    async fn grid_refs(&self, county_id: i64, scope: &Scope) -> Result<HashMap<String, GridRef>> {
        let rows: Vec<GridRef> = self
            .all(&scoped(
                "SELECT t.id, t.code, t.level, t.division_code, t.path FROM grids t WHERE t.county_id = ?",
                county_id,
                scope,
                &crate::tables::GRIDS,
                "division_code",
            ))
            .await?;
        Ok(rows.into_iter().map(|g| (g.code.clone(), g)).collect())
    }

    /// Household number → id, for the whole county (numbers are unique county-wide).
    async fn household_numbers(&self, county_id: i64) -> Result<HashMap<String, (i64, String)>> {
        let rows: Vec<(String, i64, String)> = self
            .all(&Q::with(
                "SELECT t.number, t.id, t.division_code FROM households t WHERE t.county_id = ?",
                vec![county_id.into()],
            ))
            .await?;
        Ok(rows.into_iter().map(|(n, id, d)| (n, (id, d))).collect())
    }

    /// Keyed ID-number index ([`xiangzhi_storage::crypto::index`]) → (resident id, name, division), for the
    /// whole county.
    async fn resident_ids(&self, county_id: i64) -> Result<HashMap<String, (i64, String, String)>> {
        let rows: Vec<(String, i64, String, String)> = self
            .all(&Q::with(
                "SELECT t.id_number_hash, t.id, t.name, t.division_code FROM residents t \
                 WHERE t.county_id = ? AND t.standing = 'present'",
                vec![county_id.into()],
            ))
            .await?;
        Ok(rows
            .into_iter()
            .map(|(n, id, name, d)| (n, (id, name, d)))
            .collect())
    }

    /// Which of `codes` exist as divisions (any county).
    async fn existing_divisions(
        &self,
        codes: &[String],
    ) -> Result<std::collections::HashSet<String>> {
        let mut out = std::collections::HashSet::new();
        for chunk in codes.chunks(500) {
            let mut q = Q::new("SELECT t.code FROM divisions t WHERE t.code IN (");
            for (i, c) in chunk.iter().enumerate() {
                let p = q.arg(c.clone());
                q.push(if i == 0 { "" } else { ", " });
                q.push(&p);
            }
            q.push(")");
            let rows: Vec<(String,)> = self.all(&q).await?;
            out.extend(rows.into_iter().map(|r| r.0));
        }
        Ok(out)
    }
}

/// Full extracts for exports, in a stable order.
/// Whole-table reads for exports.
#[easy_ext::ext(BulkExport)]
pub impl Db {
    async fn export_regions(&self) -> Result<Vec<(String, String, String, Option<String>)>> {
        self.all(&Q::new(
            "SELECT code, name, level, parent_code FROM regions ORDER BY code",
        ))
        .await
    }

    async fn export_divisions(
        &self,
        scope: &Scope,
    ) -> Result<Vec<(String, String, String, Option<String>)>> {
        let mut q =
            Q::new("SELECT t.code, t.name, t.level, t.parent_code FROM divisions t WHERE 1=1");
        scope.filter(&mut q, &crate::tables::DIVISIONS, "t", "code");
        q.push(" ORDER BY t.code");
        self.all(&q).await
    }

    /// code, name, level, division, parent code.
    async fn export_grids(
        &self,
        scope: &Scope,
    ) -> Result<Vec<(String, String, String, String, Option<String>)>> {
        let mut q = Q::new(
            "SELECT t.code, t.name, t.level, t.division_code, p.code FROM grids t \
             LEFT JOIN grids p ON p.county_id = t.county_id AND p.id = t.parent_id WHERE 1=1",
        );
        scope.filter(&mut q, &crate::tables::GRIDS, "t", "division_code");
        q.push(" ORDER BY t.county_id, t.id");
        self.all(&q).await
    }

    /// name, role, grid code, phone, unit.
    async fn export_staff(&self, scope: &Scope) -> Result<Vec<StaffExport>> {
        let mut q = Q::new(
            "SELECT t.name, t.role, g.code, t.phone, t.unit FROM grid_staff t \
             JOIN grids g ON g.county_id = t.county_id AND g.id = t.grid_id WHERE 1=1",
        );
        scope.filter(&mut q, &crate::tables::GRID_STAFF, "t", "division_code");
        q.push(" ORDER BY t.county_id, t.id");
        let rows: Vec<StaffExport> = self.all(&q).await?;
        let ring = xiangzhi_storage::crypto::keyring()?;
        rows.into_iter()
            .map(|(n, r, g, p, u)| Ok((n, r, g, p.map(|p| ring.open("phone", &p)).transpose()?, u)))
            .collect()
    }

    /// One page of residents, `limit` rows after the key `after` (county, household, resident):
    /// household number, micro-grid code, address, name, ID number, phone, relation, tag bits.
    async fn export_households(
        &self,
        scope: &Scope,
        after: Option<(i64, i64, i64)>,
        limit: i64,
    ) -> Result<Vec<HouseholdExport>> {
        let mut q = Q::new(
            "SELECT t.county_id, t.household_id, t.id, h.number, g.code AS grid_code, h.address, t.name, t.id_number, \
             t.phone, t.relation, t.relation_word, t.tags FROM residents t \
             JOIN households h ON h.county_id = t.county_id AND h.id = t.household_id \
             JOIN grids g ON g.county_id = h.county_id AND g.id = h.micro_grid_id WHERE t.standing = 'present'",
        );
        if let Some((c, h, r)) = after {
            let (c, h, r) = (q.arg(c), q.arg(h), q.arg(r));
            q.push(&format!(
                " AND (t.county_id, t.household_id, t.id) > ({c}, {h}, {r})"
            ));
        }
        scope.filter(&mut q, &crate::tables::RESIDENTS, "t", "division_code");
        let l = q.arg(limit);
        q.push(&format!(
            " ORDER BY t.county_id, t.household_id, t.id LIMIT {l}"
        ));
        self.all(&q).await
    }

    /// The counties present inside the scope.
    async fn counties(&self, scope: &Scope) -> Result<Vec<(i64, String)>> {
        let mut q = Q::new("SELECT t.county_id, t.name FROM divisions t WHERE t.level = 'county'");
        scope.filter(&mut q, &crate::tables::DIVISIONS, "t", "code");
        q.push(" ORDER BY t.county_id");
        self.all(&q).await
    }
}

/// name, role, grid code, phone (opened), unit.
pub type StaffExport = (String, String, String, Option<String>, Option<String>);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HouseholdExport {
    pub county_id: i64,
    pub household_id: i64,
    pub id: i64,
    pub number: String,
    pub grid_code: String,
    pub address: String,
    pub name: String,
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedIdNumber")]
    pub id_number: String,
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedPhoneOpt")]
    pub phone: Option<String>,
    pub relation: String,
    pub relation_word: Option<String>,
    pub tags: i64,
}
