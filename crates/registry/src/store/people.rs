//! 户籍: households and their residents (ID numbers and phones sealed), and moves between households.

use super::*;

// ---------------------------------------------------------------------------------------------
// Households and residents

pub const HOUSEHOLD_COLS: &str = "t.county_id, t.id, t.number, t.division_code, t.micro_grid_id, t.address, t.created_at, t.updated_at, t.version";
pub const RESIDENT_COLS: &str = "t.county_id, t.id, t.household_id, t.division_code, t.name, t.id_number, t.gender, t.birth_date, \
     t.phone, t.relation, t.tags, t.standing, t.created_at, t.updated_at, t.version";

pub async fn micro_grid(tx: &mut Tx, scope: &Scope, county_id: i64, id: i64) -> Result<Grid> {
    let (g, _) = tx_grid(tx, scope, county_id, id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => StoreError::invalid(
                "micro_grid_id",
                "微网格不存在",
                "the micro-grid does not exist",
            ),
            e => e,
        })?;
    if g.level != GridLevel::Micro {
        return Err(StoreError::invalid(
            "micro_grid_id",
            "户只能归属到微网格",
            "a household must belong to a micro-grid",
        ));
    }
    Ok(g)
}

pub async fn insert_household(
    tx: &mut Tx,
    scope: &Scope,
    county_id: i64,
    v: &ValidHousehold,
) -> Result<Household> {
    let g = micro_grid(tx, scope, county_id, v.micro_grid_id).await?;
    let id = next_ids(tx, county_id, "household", 1).await?;
    let now = now_ms();
    tx.one(&Q::with(
        &format!(
            "INSERT INTO households (county_id, id, number, division_code, micro_grid_id, address, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
            HOUSEHOLD_COLS.replace("t.", "")
        ),
        vec![
            county_id.into(),
            id.into(),
            v.number.clone().into(),
            g.division_code.into(),
            g.id.into(),
            v.address.clone().into(),
            now.into(),
            now.into(),
        ],
    ))
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => StoreError::conflict("number", "户号已存在", "the household number already exists"),
        e => e,
    })
}

pub async fn tx_household(
    tx: &mut Tx,
    scope: &Scope,
    county_id: i64,
    id: i64,
    field: &str,
) -> Result<Household> {
    let mut q = Q::with(
        &format!("SELECT {HOUSEHOLD_COLS} FROM households t WHERE t.county_id = ? AND t.id = ?"),
        vec![county_id.into(), id.into()],
    );
    scope.filter(&mut q, &crate::tables::HOUSEHOLDS, "t", "division_code");
    tx.optional(&q)
        .await?
        .ok_or_else(|| StoreError::invalid(field, "户不存在", "the household does not exist"))
}

pub async fn insert_resident(
    tx: &mut Tx,
    scope: &Scope,
    county_id: i64,
    v: &ValidResident,
) -> Result<Resident> {
    let h = tx_household(tx, scope, county_id, v.household_id, "household_id").await?;
    let id = next_ids(tx, county_id, "resident", 1).await?;
    let now = now_ms();
    let r: Resident = tx
        .one(&Q::with(
            &format!(
                "INSERT INTO residents (county_id, id, household_id, division_code, name, id_number, id_number_hash, gender, \
                 birth_date, phone, relation, tags, created_at, updated_at, phone_hash, id_tail_hash) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
                RESIDENT_COLS.replace("t.", "")
            ),
            resident_row(
                county_id,
                id,
                h.id,
                h.division_code.clone(),
                v,
                crypto::index("id_number", v.id_number.as_str()),
                now,
            ),
        ))
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => StoreError::conflict("id_number", "该身份证号码已登记", "this ID number is already registered"),
            e => e,
        })?;
    Ok(r)
}

/// One `residents` row in the column order of `bulk::tables::RESIDENTS`, personal data sealed.
/// `id_index` is the keyed index of the ID number (`crypto::index`), passed in because an import
/// has already computed it to check the county for the number.
pub fn resident_row(
    county_id: i64,
    id: i64,
    household_id: i64,
    division_code: String,
    v: &ValidResident,
    id_index: String,
    now: i64,
) -> Vec<Arg> {
    vec![
        county_id.into(),
        id.into(),
        household_id.into(),
        division_code.into(),
        v.name.clone().into(),
        crypto::seal("id_number", v.id_number.as_str()).into(),
        id_index.into(),
        v.id_number.gender().as_str().into(),
        v.id_number.birth_date().into(),
        crypto::seal_opt("phone", v.phone.as_ref().map(|p| p.as_str())).into(),
        v.relation.as_str().into(),
        ResidentTag::to_bits(&v.tags).into(),
        now.into(),
        now.into(),
        crypto::phone_index(v.phone.as_ref().map(|p| p.as_str())).into(),
        crypto::id_tail_index(v.id_number.as_str()).into(),
    ]
}

/// Whether a search text is the last four characters of an ID number (身份证后四位: three digits
/// and a digit or X).
pub fn is_id_tail(text: &str) -> bool {
    let b = text.trim().as_bytes();
    b.len() == 4
        && b[..3].iter().all(u8::is_ascii_digit)
        && (b[3].is_ascii_digit() || b[3] == b'X' || b[3] == b'x')
}

/// This part's queries, as methods of the store.
#[easy_ext::ext(PeopleStore)]
pub impl Db {
    async fn get_household(&self, scope: &Scope, id: i64) -> Result<Household> {
        xiangzhi_storage::list::get_by_id(
            self,
            scope,
            HOUSEHOLD_COLS,
            &crate::tables::HOUSEHOLDS,
            "households t",
            id,
        )
        .await
    }
    async fn get_resident(&self, scope: &Scope, id: i64) -> Result<Resident> {
        xiangzhi_storage::list::get_by_id(
            self,
            scope,
            RESIDENT_COLS,
            &crate::tables::RESIDENTS,
            "residents t",
            id,
        )
        .await
    }

    async fn create_household(&self, scope: &Scope, input: &HouseholdInput) -> Result<Household> {
        let v = input.validate()?;
        let county_id = county_for(self, scope, &crate::tables::GRIDS, v.micro_grid_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => StoreError::invalid(
                    "micro_grid_id",
                    "微网格不存在",
                    "the micro-grid does not exist",
                ),
                e => e,
            })?;
        let mut tx = self.begin().await?;
        let h = insert_household(&mut tx, scope, county_id, &v).await?;
        tx.audit(
            scope.actor(),
            "create household",
            format!("household {}:{}", h.county_id, h.id),
        )
        .await?;
        tx.commit().await?;
        Ok(h)
    }

    async fn update_household(
        &self,
        scope: &Scope,
        id: i64,
        input: &HouseholdInput,
    ) -> Result<Household> {
        let v = input.validate()?;
        let cur = self.get_household(scope, id).await?;
        let version = expected_version(input.version, cur.version)?;
        let mut tx = self.begin().await?;
        let g = micro_grid(&mut tx, scope, cur.county_id, v.micro_grid_id).await?;
        update_versioned(&mut tx, &Q::with(
            "UPDATE households SET number = ?, micro_grid_id = ?, division_code = ?, address = ?, updated_at = ?, version = version + 1 \
             WHERE county_id = ? AND id = ? AND version = ?",
            vec![
                v.number.into(),
                g.id.into(),
                g.division_code.clone().into(),
                v.address.into(),
                now_ms().into(),
                cur.county_id.into(),
                id.into(),
                version.into(),
            ],
        ), |_| StoreError::conflict("number", "户号已存在", "the household number already exists"))
        .await?;
        // Residents carry their household's division for scoping; keep it in step.
        tx.exec(&Q::with(
            "UPDATE residents SET division_code = ? WHERE county_id = ? AND household_id = ?",
            vec![g.division_code.into(), cur.county_id.into(), id.into()],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "update household",
            format!("household {}:{id}", cur.county_id),
        )
        .await?;
        tx.commit().await?;
        self.get_household(scope, id).await
    }

    async fn delete_household(&self, scope: &Scope, id: i64) -> Result<()> {
        let h = self.get_household(scope, id).await?;
        let mut tx = self.begin().await?;
        tx.delete_by_id("households", h.county_id, id)
            .await
            .map_err(|e| {
                match e {
            StoreError::Conflict(_) => StoreError::conflict(
                "id",
                "该户仍有居民、迁移历史或联系记录，不能删除",
                "the household still has residents, move history or contacts and cannot be deleted",
            ),
            e => e,
        }
            })?;
        tx.audit(
            scope.actor(),
            "delete household",
            format!("household {}:{id}", h.county_id),
        )
        .await?;
        tx.commit().await
    }

    async fn list_households(&self, scope: &Scope, lq: &ListQuery) -> Result<Page<Household>> {
        let scope = division_filter(scope, lq)?;
        let mut q = Q::new(&format!(
            "SELECT {HOUSEHOLD_COLS} FROM households t WHERE 1=1"
        ));
        scope.filter(&mut q, &crate::tables::HOUSEHOLDS, "t", "division_code");
        if let Some(g) = lq.grid {
            grid_subtree_filter(self, &scope, &mut q, "t.micro_grid_id", g).await?;
        }
        let mut order = Order::Id;
        if let Some(text) = q_text(lq) {
            // Household numbers are letters and digits; anything else is part of an address.
            // A number search pages in number order, so it walks the (county, number) index
            // whatever the scope.
            if text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                starts_with(&mut q, "t.number", &text);
                order = Order::Number;
            } else {
                xiangzhi_storage::sql::push_contains(&mut q, "t.address", &text);
            }
        }
        page(self, q, order, lq).await
    }

    async fn household_residents(&self, scope: &Scope, id: i64) -> Result<Vec<Resident>> {
        let h = self.get_household(scope, id).await?;
        let mut q = Q::with(
            &format!(
                "SELECT {RESIDENT_COLS} FROM residents t WHERE t.county_id = ? AND t.household_id = ? \
                 AND t.standing = 'present'"
            ),
            vec![h.county_id.into(), id.into()],
        );
        scope.filter(&mut q, &crate::tables::RESIDENTS, "t", "division_code");
        q.push(" ORDER BY t.id");
        self.all(&q).await
    }

    async fn create_resident(&self, scope: &Scope, input: &ResidentInput) -> Result<Resident> {
        let v = input.validate()?;
        let county_id = county_for(self, scope, &crate::tables::HOUSEHOLDS, v.household_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => {
                    StoreError::invalid("household_id", "户不存在", "the household does not exist")
                }
                e => e,
            })?;
        let mut tx = self.begin().await?;
        let r = insert_resident(&mut tx, scope, county_id, &v).await?;
        tx.audit(
            scope.actor(),
            "create resident",
            format!("resident {}:{}", r.county_id, r.id),
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Replaces a resident's details. The household cannot change here: use `move_resident`, which
    /// keeps the history.
    async fn update_resident(
        &self,
        scope: &Scope,
        id: i64,
        input: &ResidentInput,
    ) -> Result<Resident> {
        let v = input.validate()?;
        let cur = self.get_resident(scope, id).await?;
        let version = expected_version(input.version, cur.version)?;
        if v.household_id != cur.household_id {
            return Err(StoreError::invalid(
                "household_id",
                "变更所在户请使用迁移操作，以保留历史",
                "use the move operation to change household, so the history is kept",
            ));
        }
        let mut tx = self.begin().await?;
        update_versioned(&mut tx, &Q::with(
            "UPDATE residents SET name = ?, id_number = ?, id_number_hash = ?, gender = ?, birth_date = ?, phone = ?, \
             relation_word = CASE WHEN relation = ? THEN relation_word ELSE NULL END, \
             relation = ?, tags = ?, updated_at = ?, phone_hash = ?, id_tail_hash = ?, version = version + 1 \
             WHERE county_id = ? AND id = ? AND version = ?",
            vec![
                v.name.into(),
                crypto::seal("id_number", v.id_number.as_str()).into(),
                crypto::index("id_number", v.id_number.as_str()).into(),
                v.id_number.gender().as_str().into(),
                v.id_number.birth_date().into(),
                crypto::seal_opt("phone", v.phone.as_ref().map(|p| p.as_str())).into(),
                // The register's own word stays only while the relation it names does.
                v.relation.as_str().into(),
                v.relation.as_str().into(),
                ResidentTag::to_bits(&v.tags).into(),
                now_ms().into(),
                crypto::phone_index(v.phone.as_ref().map(|p| p.as_str())).into(),
                crypto::id_tail_index(v.id_number.as_str()).into(),
                cur.county_id.into(),
                id.into(),
                version.into(),
            ],
        ), |_| StoreError::conflict("id_number", "该身份证号码已登记", "this ID number is already registered"))
        .await?;
        tx.audit(
            scope.actor(),
            "update resident",
            format!("resident {}:{id}", cur.county_id),
        )
        .await?;
        tx.commit().await?;
        self.get_resident(scope, id).await
    }

    async fn delete_resident(&self, scope: &Scope, id: i64) -> Result<()> {
        let r = self.get_resident(scope, id).await?;
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "DELETE FROM resident_moves WHERE county_id = ? AND resident_id = ?",
            vec![r.county_id.into(), id.into()],
        ))
        .await?;
        tx.delete_by_id("residents", r.county_id, id)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => StoreError::conflict(
                    "id",
                    "该居民仍是党员，请先处理党员信息",
                    "the resident is still a party member; remove that record first",
                ),
                e => e,
            })?;
        tx.audit(
            scope.actor(),
            "delete resident",
            format!("resident {}:{id}", r.county_id),
        )
        .await?;
        tx.commit().await
    }

    /// Moves a resident to another household of the same county, keeping the history.
    async fn move_resident(&self, scope: &Scope, id: i64, input: &MoveInput) -> Result<Resident> {
        let mut c = Checker::default();
        let reason = c.text("reason", &input.reason, 200);
        let reason = c.finish(reason)?;
        let cur = self.get_resident(scope, id).await?;
        if cur.household_id == input.to_household_id {
            return Err(StoreError::invalid(
                "to_household_id",
                "已在该户",
                "the resident is already in that household",
            ));
        }
        let mut tx = self.begin().await?;
        let h = tx_household(
            &mut tx,
            scope,
            cur.county_id,
            input.to_household_id,
            "to_household_id",
        )
        .await?;
        let now = now_ms();
        tx.exec(&Q::with(
            "UPDATE residents SET household_id = ?, division_code = ?, updated_at = ? WHERE county_id = ? AND id = ?",
            vec![h.id.into(), h.division_code.into(), now.into(), cur.county_id.into(), id.into()],
        ))
        .await?;
        let move_id = next_ids(&mut tx, cur.county_id, "move", 1).await?;
        tx.exec(&Q::with(
            "INSERT INTO resident_moves (county_id, id, resident_id, from_household_id, to_household_id, moved_at, reason) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                cur.county_id.into(),
                move_id.into(),
                id.into(),
                Some(cur.household_id).into(),
                input.to_household_id.into(),
                now.into(),
                reason.into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "move resident",
            format!("resident {}:{id} to household {}", cur.county_id, h.id),
        )
        .await?;
        tx.commit().await?;
        self.get_resident(scope, id).await
    }

    async fn resident_moves(&self, scope: &Scope, id: i64) -> Result<Vec<ResidentMove>> {
        let r = self.get_resident(scope, id).await?;
        self.all(&Q::with(
            "SELECT t.county_id, t.id, t.resident_id, t.from_household_id, t.to_household_id, t.moved_at, t.reason \
             FROM resident_moves t WHERE t.county_id = ? AND t.resident_id = ? ORDER BY t.id",
            vec![r.county_id.into(), id.into()],
        ))
        .await
    }

    /// A resident's moves out of the county, death and returns, oldest first.
    async fn resident_events(&self, scope: &Scope, id: i64) -> Result<Vec<ResidentEvent>> {
        let r = self.get_resident(scope, id).await?;
        self.all(&Q::with(
            "SELECT t.id, t.kind, t.happened_on, t.place, t.note FROM resident_events t \
             WHERE t.county_id = ? AND t.resident_id = ? ORDER BY t.happened_on, t.id",
            vec![r.county_id.into(), id.into()],
        ))
        .await
    }

    async fn list_residents(&self, scope: &Scope, lq: &ListQuery) -> Result<Page<Resident>> {
        let scope = division_filter(scope, lq)?;
        let mut by_name = false;
        let mut q = Q::new(&format!(
            "SELECT {RESIDENT_COLS} FROM residents t WHERE 1=1"
        ));
        scope.filter(&mut q, &crate::tables::RESIDENTS, "t", "division_code");
        // Those on the roll, unless another standing (or `all`) is asked for.
        match lq.kind.as_deref().filter(|k| !k.is_empty()) {
            None => {
                q.push(" AND t.standing = 'present'");
            }
            Some("all") => {}
            Some(k) => {
                let standing: Standing = k.parse().map_err(|e| {
                    StoreError::Invalid(vec![xiangzhi_storage::FieldError::new("kind", e)])
                })?;
                let p = q.arg(standing.as_str());
                q.push(&format!(" AND t.standing = {p}"));
            }
        }
        if let Some(tag) = lq.tag.as_deref().filter(|t| !t.is_empty()) {
            let tag: ResidentTag = tag.parse().map_err(|e| {
                StoreError::Invalid(vec![xiangzhi_storage::FieldError::new("tag", e)])
            })?;
            let p = q.arg(tag.bit());
            q.push(&format!(" AND (t.tags & {p}) <> 0"));
        }
        if let Some(g) = lq.grid {
            let mut sub = Q::new("");
            std::mem::swap(&mut sub, &mut q);
            let mut inner = sub;
            inner.push(" AND t.household_id IN (SELECT h.id FROM households h WHERE h.county_id = t.county_id");
            grid_subtree_filter(self, &scope, &mut inner, "h.micro_grid_id", g).await?;
            inner.push(")");
            q = inner;
        }
        if let Some(text) = q_text(lq) {
            if let Ok(number) = IdNumber::parse(&text) {
                let p = q.arg(crypto::index("id_number", number.as_str()));
                q.push(&format!(" AND t.id_number_hash = {p}"));
            } else if let Ok(phone) = xiangzhi_domain::Phone::parse(&text) {
                let p = q.arg(crypto::phone_index(Some(phone.as_str())));
                q.push(&format!(" AND t.phone_hash = {p}"));
            } else if is_id_tail(&text) {
                let p = q.arg(crypto::id_tail_index(&text));
                q.push(&format!(" AND t.id_tail_hash = {p}"));
            } else {
                starts_with(&mut q, "t.name", &text);
                by_name = true;
            }
        }
        page(self, q, if by_name { Order::Name } else { Order::Id }, lq).await
    }
}
