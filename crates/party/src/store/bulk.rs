//! The party's reads for imports and exports.

use chrono::NaiveDate;
use std::collections::HashMap;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{Db, Result, Scope};

/// The columns the party's bulk writers (imports, the demo) fill, in the order their rows list
/// values.
pub mod columns {
    use xiangzhi_registry::store::bulk::tables::Columns;
    pub const PARTY_ORGS: Columns = Columns {
        table: "party_orgs",
        columns: &[
            "county_id",
            "id",
            "code",
            "kind",
            "name",
            "parent_id",
            "division_code",
            "standing",
            "path",
            "created_at",
            "updated_at",
        ],
    };
    pub const PARTY_MEMBERS: Columns = Columns {
        table: "party_members",
        columns: &[
            "county_id",
            "id",
            "resident_id",
            "org_id",
            "division_code",
            "status",
            "role",
            "joined_on",
            "created_at",
            "updated_at",
        ],
    };
    pub const MEMBER_CONTACTS: Columns = Columns {
        table: "member_contacts",
        columns: &["county_id", "member_id", "household_id", "created_at"],
    };
    pub const CONTACT_DUTIES: Columns = Columns {
        table: "contact_duties",
        columns: &[
            "county_id",
            "id",
            "person_name",
            "rank",
            "unit",
            "target",
            "division_code",
            "household_id",
            "since",
            "created_at",
            "updated_at",
        ],
    };
}

/// A party organisation as imports need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgRef {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub division_code: String,
    pub path: String,
}

#[derive(Debug, Clone)]
pub struct MemberExport {
    pub id_number: String,
    pub name: String,
    pub org_code: String,
    pub status: String,
    pub role: String,
    pub joined_on: NaiveDate,
    pub contacts: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct MemberRow {
    county_id: i64,
    id: i64,
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedIdNumber")]
    id_number: String,
    name: String,
    org_code: String,
    status: String,
    role: String,
    joined_on: NaiveDate,
}

/// Look-ups for checking an import (reads only).
#[easy_ext::ext(PartyBulkRead)]
pub impl Db {
    async fn org_refs(&self, county_id: i64) -> Result<HashMap<String, OrgRef>> {
        // Parents may lie above the caller's scope (the township committee), so the whole county.
        let rows: Vec<OrgRef> = self
            .all(&Q::with(
                "SELECT t.id, t.code, t.kind, t.division_code, t.path FROM party_orgs t WHERE t.county_id = ?",
                vec![county_id.into()],
            ))
            .await?;
        Ok(rows.into_iter().map(|g| (g.code.clone(), g)).collect())
    }
    /// Residents who are already party members.
    async fn member_residents(&self, county_id: i64) -> Result<std::collections::HashSet<i64>> {
        let rows: Vec<(i64,)> = self
            .all(&Q::with(
                "SELECT t.resident_id FROM party_members t WHERE t.county_id = ?",
                vec![county_id.into()],
            ))
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}

/// Whole-table reads for exports.
#[easy_ext::ext(PartyExport)]
pub impl Db {
    /// code, name, kind, division, parent code, standing.
    async fn export_party_orgs(
        &self,
        scope: &Scope,
    ) -> Result<Vec<(String, String, String, String, Option<String>, String)>> {
        let mut q = Q::new(
            "SELECT t.code, t.name, t.kind, t.division_code, p.code, t.standing FROM party_orgs t \
             LEFT JOIN party_orgs p ON p.county_id = t.county_id AND p.id = t.parent_id WHERE 1=1",
        );
        scope.filter(&mut q, &crate::tables::PARTY_ORGS, "t", "division_code");
        q.push(" ORDER BY t.county_id, t.id");
        self.all(&q).await
    }
    /// ID number, name, org code, status, role, joined on, contact household numbers (`;`-joined).
    async fn export_party_members(&self, scope: &Scope) -> Result<Vec<MemberExport>> {
        let mut q = Q::new(
            "SELECT t.county_id, t.id, r.id_number, r.name, o.code AS org_code, t.status, t.role, t.joined_on FROM party_members t \
             JOIN residents r ON r.county_id = t.county_id AND r.id = t.resident_id \
             JOIN party_orgs o ON o.county_id = t.county_id AND o.id = t.org_id WHERE 1=1",
        );
        scope.filter(&mut q, &crate::tables::PARTY_MEMBERS, "t", "division_code");
        q.push(" ORDER BY t.county_id, t.id");
        let members: Vec<MemberRow> = self.all(&q).await?;
        let mut q = Q::new(
            "SELECT c.county_id, c.member_id, h.number FROM member_contacts c \
             JOIN party_members t ON t.county_id = c.county_id AND t.id = c.member_id \
             JOIN households h ON h.county_id = c.county_id AND h.id = c.household_id WHERE 1=1",
        );
        scope.filter(&mut q, &crate::tables::PARTY_MEMBERS, "t", "division_code");
        q.push(" ORDER BY c.county_id, c.member_id, h.number");
        let contacts: Vec<(i64, i64, String)> = self.all(&q).await?;
        let mut by_member: HashMap<(i64, i64), Vec<String>> = HashMap::new();
        for (c, m, n) in contacts {
            by_member.entry((c, m)).or_default().push(n);
        }
        Ok(members
            .into_iter()
            .map(|m| MemberExport {
                contacts: by_member
                    .remove(&(m.county_id, m.id))
                    .unwrap_or_default()
                    .join(";"),
                id_number: m.id_number,
                name: m.name,
                org_code: m.org_code,
                status: m.status,
                role: m.role,
                joined_on: m.joined_on,
            })
            .collect())
    }
}
