//! 党组织: party organisations, members and the households members keep in touch with.

use super::*;

// ---------------------------------------------------------------------------------------------
// Party organisations, members and their contact households

pub(crate) const ORG_COLS: &str = "t.county_id, t.id, t.code, t.kind, t.name, t.parent_id, t.division_code, t.standing, t.created_at, t.updated_at, t.version";
pub(crate) const MEMBER_COLS: &str = "t.county_id, t.id, t.resident_id, r.name AS name, t.org_id, t.division_code, t.status, t.role, \
     t.joined_on, t.created_at, t.updated_at, t.version";
pub(crate) const MEMBER_FROM: &str =
    "party_members t JOIN residents r ON r.county_id = t.county_id AND r.id = t.resident_id";

#[derive(sqlx::FromRow)]
struct OrgWithPath {
    #[sqlx(flatten)]
    org: PartyOrg,
    path: String,
}

pub async fn insert_party_org(tx: &mut Tx, scope: &Scope, v: &ValidPartyOrg) -> Result<PartyOrg> {
    let county_id = v.division.county_id().ok_or(StoreError::NotFound)?;
    if !scope.covers(v.division.as_str()) {
        return Err(StoreError::NotFound);
    }
    let mut q = Q::with(
        "SELECT t.county_id FROM divisions t WHERE t.county_id = ? AND t.code = ?",
        vec![county_id.into(), v.division.as_str().into()],
    );
    scope.filter(&mut q, &xiangzhi_registry::tables::DIVISIONS, "t", "code");
    if tx.optional::<(i64,)>(&q).await?.is_none() {
        return Err(StoreError::invalid(
            "division_code",
            "区划不存在",
            "the division does not exist",
        ));
    }
    let parent_path = match v.parent_id {
        None => "/".to_string(),
        Some(pid) => {
            // The parent may sit above the caller's scope (a village branch under the township
            // committee), so it is looked up in the whole county.
            let p: OrgWithPath = tx
                .optional(&Q::with(
                    &format!("SELECT {ORG_COLS}, t.path FROM party_orgs t WHERE t.county_id = ? AND t.id = ?"),
                    vec![county_id.into(), pid.into()],
                ))
                .await?
                .ok_or_else(|| StoreError::invalid("parent_id", "上级党组织不存在", "the parent organisation does not exist"))?;
            if !v.kind.allowed_parents().contains(&p.org.kind) {
                return Err(StoreError::invalid(
                    "parent_id",
                    format!("{}不能隶属于{}", v.kind.zh(), p.org.kind.zh()),
                    format!(
                        "a {} cannot sit under a {}",
                        v.kind.as_str(),
                        p.org.kind.as_str()
                    ),
                ));
            }
            p.path
        }
    };
    let id = next_ids(tx, county_id, "party_org", 1).await?;
    let now = now_ms();
    tx.one(&Q::with(
        &format!(
            "INSERT INTO party_orgs (county_id, id, code, kind, name, parent_id, division_code, standing, path, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
            ORG_COLS.replace("t.", "")
        ),
        vec![
            county_id.into(),
            id.into(),
            v.code.clone().unwrap_or_else(|| format!("P{id}")).into(),
            v.kind.as_str().into(),
            v.name.clone().into(),
            v.parent_id.into(),
            v.division.as_str().into(),
            v.standing.as_str().into(),
            format!("{parent_path}{id}/").into(),
            now.into(),
            now.into(),
        ],
    ))
    .await
}

pub(crate) async fn member_refs(
    tx: &mut Tx,
    scope: &Scope,
    county_id: i64,
    v: &ValidPartyMember,
) -> Result<PartyOrg> {
    let mut q = Q::with(
        &format!("SELECT {ORG_COLS} FROM party_orgs t WHERE t.county_id = ? AND t.id = ?"),
        vec![county_id.into(), v.org_id.into()],
    );
    scope.filter(&mut q, &crate::tables::PARTY_ORGS, "t", "division_code");
    let org: PartyOrg = tx.optional(&q).await?.ok_or_else(|| {
        StoreError::invalid(
            "org_id",
            "党组织不存在",
            "the party organisation does not exist",
        )
    })?;
    let mut q = Q::with(
        "SELECT t.county_id FROM residents t WHERE t.county_id = ? AND t.id = ?",
        vec![county_id.into(), v.resident_id.into()],
    );
    scope.filter(
        &mut q,
        &xiangzhi_registry::tables::RESIDENTS,
        "t",
        "division_code",
    );
    if tx.optional::<(i64,)>(&q).await?.is_none() {
        return Err(StoreError::invalid(
            "resident_id",
            "居民不存在",
            "the resident does not exist",
        ));
    }
    Ok(org)
}

pub async fn insert_party_member(
    tx: &mut Tx,
    scope: &Scope,
    county_id: i64,
    v: &ValidPartyMember,
) -> Result<i64> {
    let org = member_refs(tx, scope, county_id, v).await?;
    let id = next_ids(tx, county_id, "party_member", 1).await?;
    let now = now_ms();
    tx.exec(&Q::with(
        "INSERT INTO party_members (county_id, id, resident_id, org_id, division_code, status, role, joined_on, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            county_id.into(),
            id.into(),
            v.resident_id.into(),
            org.id.into(),
            org.division_code.into(),
            v.status.as_str().into(),
            v.role.as_str().into(),
            v.joined_on.into(),
            now.into(),
            now.into(),
        ],
    ))
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => StoreError::conflict("resident_id", "该居民已是党员", "the resident is already a party member"),
        e => e,
    })?;
    Ok(id)
}

/// This part's queries, as methods of the store.
#[easy_ext::ext(PartyStore)]
pub impl Db {
    async fn get_party_org(&self, scope: &Scope, id: i64) -> Result<PartyOrg> {
        xiangzhi_storage::list::get_by_id(
            self,
            scope,
            ORG_COLS,
            &crate::tables::PARTY_ORGS,
            "party_orgs t",
            id,
        )
        .await
    }
    async fn get_party_member(&self, scope: &Scope, id: i64) -> Result<PartyMember> {
        xiangzhi_storage::list::get_by_id(
            self,
            scope,
            MEMBER_COLS,
            &crate::tables::PARTY_MEMBERS,
            MEMBER_FROM,
            id,
        )
        .await
    }

    async fn create_party_org(&self, scope: &Scope, input: &PartyOrgInput) -> Result<PartyOrg> {
        let v = input.validate()?;
        let mut tx = self.begin().await?;
        let o = insert_party_org(&mut tx, scope, &v).await?;
        tx.audit(
            scope.actor(),
            "create party organisation",
            format!("party org {}:{}", o.county_id, o.id),
        )
        .await?;
        tx.commit().await?;
        Ok(o)
    }

    /// Renames or re-rates an organisation; kind, parent and division stay.
    async fn update_party_org(
        &self,
        scope: &Scope,
        id: i64,
        input: &PartyOrgInput,
    ) -> Result<PartyOrg> {
        let v = input.validate()?;
        let cur = self.get_party_org(scope, id).await?;
        let version = expected_version(input.version, cur.version)?;
        if v.kind != cur.kind
            || v.parent_id != cur.parent_id
            || v.division.as_str() != cur.division_code
        {
            return Err(StoreError::invalid(
                "kind",
                "党组织的类别、上级和所在区划不能修改，请新建",
                "an organisation's kind, parent and division cannot change; create a new one",
            ));
        }
        let mut tx = self.begin().await?;
        update_versioned(&mut tx, &Q::with(
            "UPDATE party_orgs SET name = ?, standing = ?, updated_at = ?, version = version + 1 WHERE county_id = ? AND id = ? AND version = ?",
            vec![
                v.name.into(),
                v.standing.as_str().into(),
                now_ms().into(),
                cur.county_id.into(),
                id.into(),
                version.into(),
            ],
        ), |e| e)
        .await?;
        tx.audit(
            scope.actor(),
            "update party organisation",
            format!("party org {}:{id}", cur.county_id),
        )
        .await?;
        tx.commit().await?;
        self.get_party_org(scope, id).await
    }

    async fn delete_party_org(&self, scope: &Scope, id: i64) -> Result<()> {
        let o = self.get_party_org(scope, id).await?;
        let mut tx = self.begin().await?;
        tx.delete_by_id("party_orgs", o.county_id, id).await?;
        tx.audit(
            scope.actor(),
            "delete party organisation",
            format!("party org {}:{id}", o.county_id),
        )
        .await?;
        tx.commit().await
    }

    async fn list_party_orgs(&self, scope: &Scope, lq: &ListQuery) -> Result<Page<PartyOrg>> {
        let scope = division_filter(scope, lq)?;
        let mut q = Q::new(&format!("SELECT {ORG_COLS} FROM party_orgs t WHERE 1=1"));
        scope.filter(&mut q, &crate::tables::PARTY_ORGS, "t", "division_code");
        if let Some(kind) = parse_kind::<PartyOrgKind>(lq)? {
            let p = q.arg(kind.as_str());
            q.push(&format!(" AND t.kind = {p}"));
        }
        if let Some(parent) = lq.parent.as_deref().filter(|p| !p.is_empty()) {
            let id: i64 = parent.parse().map_err(|_| {
                StoreError::invalid("parent", "上级编号应为整数", "parent must be an id")
            })?;
            let p = q.arg(id);
            q.push(&format!(" AND t.parent_id = {p}"));
        }
        if let Some(text) = q_text(lq) {
            xiangzhi_storage::sql::push_contains(&mut q, "t.name", &text);
        }
        page(self, q, Order::Id, lq).await
    }

    async fn create_party_member(
        &self,
        scope: &Scope,
        input: &PartyMemberInput,
    ) -> Result<PartyMember> {
        let v = input.validate()?;
        let county_id = county_for(self, scope, &crate::tables::PARTY_ORGS, v.org_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => StoreError::invalid(
                    "org_id",
                    "党组织不存在",
                    "the party organisation does not exist",
                ),
                e => e,
            })?;
        let mut tx = self.begin().await?;
        let id = insert_party_member(&mut tx, scope, county_id, &v).await?;
        tx.audit(
            scope.actor(),
            "create party member",
            format!("party member {county_id}:{id}"),
        )
        .await?;
        tx.commit().await?;
        self.get_party_member(scope, id).await
    }

    async fn update_party_member(
        &self,
        scope: &Scope,
        id: i64,
        input: &PartyMemberInput,
    ) -> Result<PartyMember> {
        let v = input.validate()?;
        let cur = self.get_party_member(scope, id).await?;
        let version = expected_version(input.version, cur.version)?;
        if v.resident_id != cur.resident_id {
            return Err(StoreError::invalid(
                "resident_id",
                "不能更换党员对应的居民",
                "a member's resident cannot change",
            ));
        }
        let mut tx = self.begin().await?;
        let org = member_refs(&mut tx, scope, cur.county_id, &v).await?;
        update_versioned(&mut tx, &Q::with(
            "UPDATE party_members SET org_id = ?, division_code = ?, status = ?, role = ?, joined_on = ?, updated_at = ?, version = version + 1 \
             WHERE county_id = ? AND id = ? AND version = ?",
            vec![
                org.id.into(),
                org.division_code.into(),
                v.status.as_str().into(),
                v.role.as_str().into(),
                v.joined_on.into(),
                now_ms().into(),
                cur.county_id.into(),
                id.into(),
                version.into(),
            ],
        ), |e| e)
        .await?;
        tx.audit(
            scope.actor(),
            "update party member",
            format!("party member {}:{id}", cur.county_id),
        )
        .await?;
        tx.commit().await?;
        self.get_party_member(scope, id).await
    }

    async fn delete_party_member(&self, scope: &Scope, id: i64) -> Result<()> {
        let m = self.get_party_member(scope, id).await?;
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "DELETE FROM member_contacts WHERE county_id = ? AND member_id = ?",
            vec![m.county_id.into(), id.into()],
        ))
        .await?;
        tx.delete_by_id("party_members", m.county_id, id).await?;
        tx.audit(
            scope.actor(),
            "delete party member",
            format!("party member {}:{id}", m.county_id),
        )
        .await?;
        tx.commit().await
    }

    async fn list_party_members(&self, scope: &Scope, lq: &ListQuery) -> Result<Page<PartyMember>> {
        let scope = division_filter(scope, lq)?;
        let mut q = Q::new(&format!(
            "SELECT {MEMBER_COLS} FROM {MEMBER_FROM} WHERE 1=1"
        ));
        scope.filter(&mut q, &crate::tables::PARTY_MEMBERS, "t", "division_code");
        if let Some(status) = parse_kind::<MemberStatus>(lq)? {
            let p = q.arg(status.as_str());
            q.push(&format!(" AND t.status = {p}"));
        }
        if let Some(parent) = lq.parent.as_deref().filter(|p| !p.is_empty()) {
            let id: i64 = parent.parse().map_err(|_| {
                StoreError::invalid(
                    "parent",
                    "党组织编号应为整数",
                    "parent must be an organisation id",
                )
            })?;
            let p = q.arg(id);
            q.push(&format!(" AND t.org_id = {p}"));
        }
        if let Some(text) = q_text(lq) {
            starts_with(&mut q, "r.name", &text);
        }
        page(self, q, Order::Id, lq).await
    }

    /// Adds a household to those a member keeps in touch with (idempotent).
    async fn add_member_contact(
        &self,
        scope: &Scope,
        member_id: i64,
        household_id: i64,
    ) -> Result<MemberContact> {
        let m = self.get_party_member(scope, member_id).await?;
        let mut tx = self.begin().await?;
        tx_household(&mut tx, scope, m.county_id, household_id, "household_id").await?;
        tx.exec(&Q::with(
            "INSERT INTO member_contacts (county_id, member_id, household_id, created_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (county_id, member_id, household_id) DO NOTHING",
            vec![m.county_id.into(), member_id.into(), household_id.into(), now_ms().into()],
        ))
        .await?;
        let c = tx
            .one(&Q::with(
                "SELECT county_id, member_id, household_id, created_at FROM member_contacts \
                 WHERE county_id = ? AND member_id = ? AND household_id = ?",
                vec![m.county_id.into(), member_id.into(), household_id.into()],
            ))
            .await?;
        tx.audit(
            scope.actor(),
            "add member contact",
            format!(
                "party member {}:{member_id}, household {household_id}",
                m.county_id
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    async fn remove_member_contact(
        &self,
        scope: &Scope,
        member_id: i64,
        household_id: i64,
    ) -> Result<()> {
        let m = self.get_party_member(scope, member_id).await?;
        let mut tx = self.begin().await?;
        let n = tx
            .exec(&Q::with(
                "DELETE FROM member_contacts WHERE county_id = ? AND member_id = ? AND household_id = ?",
                vec![m.county_id.into(), member_id.into(), household_id.into()],
            ))
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(
            scope.actor(),
            "remove member contact",
            format!(
                "party member {}:{member_id}, household {household_id}",
                m.county_id
            ),
        )
        .await?;
        tx.commit().await
    }

    async fn member_contacts(&self, scope: &Scope, member_id: i64) -> Result<Vec<Household>> {
        let m = self.get_party_member(scope, member_id).await?;
        let mut q = Q::with(
            &format!(
                "SELECT {HOUSEHOLD_COLS} FROM member_contacts c JOIN households t ON t.county_id = c.county_id AND t.id = c.household_id \
                 WHERE c.county_id = ? AND c.member_id = ?"
            ),
            vec![m.county_id.into(), member_id.into()],
        );
        scope.filter(
            &mut q,
            &xiangzhi_registry::tables::HOUSEHOLDS,
            "t",
            "division_code",
        );
        q.push(" ORDER BY t.id");
        self.all(&q).await
    }

    /// The party members who keep contact with a household in the scope (党员联系户): (their
    /// organisation's id, name, organisation).
    async fn household_contacts(
        &self,
        scope: &Scope,
        household_id: i64,
    ) -> Result<Vec<(i64, String, String)>> {
        let mut q = Q::with(
            "SELECT o.id, r.name, o.name FROM households t \
             JOIN member_contacts c ON c.county_id = t.county_id AND c.household_id = t.id \
             JOIN party_members m ON m.county_id = c.county_id AND m.id = c.member_id \
             JOIN residents r ON r.county_id = m.county_id AND r.id = m.resident_id \
             JOIN party_orgs o ON o.county_id = m.county_id AND o.id = m.org_id \
             WHERE t.id = ?",
            vec![household_id.into()],
        );
        scope.filter(
            &mut q,
            &xiangzhi_registry::tables::HOUSEHOLDS,
            "t",
            "division_code",
        );
        q.push(" ORDER BY m.id");
        self.all(&q).await
    }

    /// The cadres with a contact duty for a household in the scope (包联户).
    async fn household_duties(&self, scope: &Scope, household_id: i64) -> Result<Vec<ContactDuty>> {
        let mut q = Q::with(
            &format!(
                "SELECT {} FROM households h JOIN contact_duties t ON t.county_id = h.county_id AND t.household_id = h.id \
                 WHERE h.id = ?",
                crate::store::duties::DUTY_COLS
            ),
            vec![household_id.into()],
        );
        scope.filter(
            &mut q,
            &xiangzhi_registry::tables::HOUSEHOLDS,
            "h",
            "division_code",
        );
        q.push(" ORDER BY t.id");
        self.all(&q).await
    }
}
