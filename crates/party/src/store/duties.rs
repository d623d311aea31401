//! 包联: contact duties (who answers for which village or household), and the coverage report.

use super::*;

// ---------------------------------------------------------------------------------------------
// Contact duties (包联) and the coverage report

pub(crate) const DUTY_COLS: &str = "t.county_id, t.id, t.person_name, t.rank, t.unit, t.target, t.division_code, t.household_id, t.since, \
     t.created_at, t.updated_at, t.version";

/// Resolves a duty's target to (county, division code, household) inside the scope.
pub(crate) async fn duty_target(
    db: &Db,
    tx: &mut Tx,
    scope: &Scope,
    v: &ValidContactDuty,
) -> Result<(i64, String, Option<i64>)> {
    match (&v.division, v.household_id) {
        (Some(d), _) => {
            let county_id = d.county_id().ok_or(StoreError::NotFound)?;
            let mut q = Q::with(
                "SELECT t.county_id FROM divisions t WHERE t.county_id = ? AND t.code = ?",
                vec![county_id.into(), d.as_str().into()],
            );
            scope.filter(&mut q, &xiangzhi_registry::tables::DIVISIONS, "t", "code");
            if tx.optional::<(i64,)>(&q).await?.is_none() {
                return Err(StoreError::invalid(
                    "division_code",
                    "区划不存在",
                    "the division does not exist",
                ));
            }
            Ok((county_id, d.as_str().to_string(), None))
        }
        (None, Some(hid)) => {
            let county_id = county_for(db, scope, &xiangzhi_registry::tables::HOUSEHOLDS, hid)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => StoreError::invalid(
                        "household_id",
                        "户不存在",
                        "the household does not exist",
                    ),
                    e => e,
                })?;
            let h = tx_household(tx, scope, county_id, hid, "household_id").await?;
            Ok((county_id, h.division_code, Some(hid)))
        }
        (None, None) => Err(StoreError::invalid(
            "target",
            "缺少包联对象",
            "the duty has no target",
        )),
    }
}

/// This part's queries, as methods of the store.
#[easy_ext::ext(DutyStore)]
pub impl Db {
    async fn get_contact_duty(&self, scope: &Scope, id: i64) -> Result<ContactDuty> {
        xiangzhi_storage::list::get_by_id(
            self,
            scope,
            DUTY_COLS,
            &crate::tables::CONTACT_DUTIES,
            "contact_duties t",
            id,
        )
        .await
    }

    async fn create_contact_duty(
        &self,
        scope: &Scope,
        input: &ContactDutyInput,
    ) -> Result<ContactDuty> {
        let v = input.validate()?;
        let mut tx = self.begin().await?;
        let (county_id, division, household) = duty_target(self, &mut tx, scope, &v).await?;
        let id = next_ids(&mut tx, county_id, "duty", 1).await?;
        let now = now_ms();
        let d = tx
            .one(&Q::with(
                &format!(
                    "INSERT INTO contact_duties (county_id, id, person_name, rank, unit, target, division_code, household_id, since, \
                     created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
                    DUTY_COLS.replace("t.", "")
                ),
                vec![
                    county_id.into(),
                    id.into(),
                    v.person_name.into(),
                    v.rank.as_str().into(),
                    v.unit.into(),
                    v.target.as_str().into(),
                    division.into(),
                    household.into(),
                    v.since.into(),
                    now.into(),
                    now.into(),
                ],
            ))
            .await?;
        tx.audit(
            scope.actor(),
            "create contact duty",
            format!("duty {county_id}:{id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    async fn update_contact_duty(
        &self,
        scope: &Scope,
        id: i64,
        input: &ContactDutyInput,
    ) -> Result<ContactDuty> {
        let v = input.validate()?;
        let cur = self.get_contact_duty(scope, id).await?;
        let version = expected_version(input.version, cur.version)?;
        let mut tx = self.begin().await?;
        let (county_id, division, household) = duty_target(self, &mut tx, scope, &v).await?;
        if county_id != cur.county_id {
            return Err(StoreError::NotFound);
        }
        update_versioned(&mut tx, &Q::with(
            "UPDATE contact_duties SET person_name = ?, rank = ?, unit = ?, target = ?, division_code = ?, household_id = ?, \
             since = ?, updated_at = ?, version = version + 1 WHERE county_id = ? AND id = ? AND version = ?",
            vec![
                v.person_name.into(),
                v.rank.as_str().into(),
                v.unit.into(),
                v.target.as_str().into(),
                division.into(),
                household.into(),
                v.since.into(),
                now_ms().into(),
                county_id.into(),
                id.into(),
                version.into(),
            ],
        ), |e| e)
        .await?;
        tx.audit(
            scope.actor(),
            "update contact duty",
            format!("duty {}:{id}", cur.county_id),
        )
        .await?;
        tx.commit().await?;
        self.get_contact_duty(scope, id).await
    }

    async fn delete_contact_duty(&self, scope: &Scope, id: i64) -> Result<()> {
        let d = self.get_contact_duty(scope, id).await?;
        let mut tx = self.begin().await?;
        tx.delete_by_id("contact_duties", d.county_id, id).await?;
        tx.audit(
            scope.actor(),
            "delete contact duty",
            format!("duty {}:{id}", d.county_id),
        )
        .await?;
        tx.commit().await
    }

    async fn list_contact_duties(
        &self,
        scope: &Scope,
        lq: &ListQuery,
    ) -> Result<Page<ContactDuty>> {
        let scope = division_filter(scope, lq)?;
        let mut q = Q::new(&format!(
            "SELECT {DUTY_COLS} FROM contact_duties t WHERE 1=1"
        ));
        scope.filter(&mut q, &crate::tables::CONTACT_DUTIES, "t", "division_code");
        if let Some(rank) = parse_kind::<DutyRank>(lq)? {
            let p = q.arg(rank.as_str());
            q.push(&format!(" AND t.rank = {p}"));
        }
        if let Some(text) = q_text(lq) {
            starts_with(&mut q, "t.person_name", &text);
        }
        page(self, q, Order::Id, lq).await
    }

    /// 包联覆盖: villages with no county-level leader, households with no party-member contact,
    /// micro-grids with no micro-grid worker, all inside the scope.
    async fn coverage_report(&self, scope: &Scope) -> Result<CoverageReport> {
        let mut q = Q::new(&format!(
            "SELECT {DIVISION_COLS} FROM divisions t WHERE t.level = 'village' AND NOT EXISTS (\
             SELECT 1 FROM contact_duties d WHERE d.county_id = t.county_id AND d.division_code = t.code \
             AND d.target = 'village' AND d.rank = 'county_leader')"
        ));
        scope.filter(&mut q, &xiangzhi_registry::tables::DIVISIONS, "t", "code");
        q.push(" ORDER BY t.code");
        let villages_without_county_leader: Vec<Division> = self.all(&q).await?;

        let no_contact = "FROM households t WHERE NOT EXISTS (SELECT 1 FROM member_contacts c \
             WHERE c.county_id = t.county_id AND c.household_id = t.id)";
        let mut q = Q::new(&format!("SELECT COUNT(*) {no_contact}"));
        scope.filter(
            &mut q,
            &xiangzhi_registry::tables::HOUSEHOLDS,
            "t",
            "division_code",
        );
        let (households_without_member_contact,): (i64,) = self.one(&q).await?;
        let mut q = Q::new(&format!("SELECT {HOUSEHOLD_COLS} {no_contact}"));
        scope.filter(
            &mut q,
            &xiangzhi_registry::tables::HOUSEHOLDS,
            "t",
            "division_code",
        );
        q.push(" ORDER BY t.county_id, t.id LIMIT 200");
        let households_without_member_contact_sample: Vec<Household> = self.all(&q).await?;

        let mut q = Q::new(&format!(
            "SELECT {GRID_COLS} FROM grids t WHERE t.level = 'micro' AND NOT EXISTS (\
             SELECT 1 FROM grid_staff s WHERE s.county_id = t.county_id AND s.grid_id = t.id AND s.role = 'micro')"
        ));
        scope.filter(
            &mut q,
            &xiangzhi_registry::tables::GRIDS,
            "t",
            "division_code",
        );
        q.push(" ORDER BY t.county_id, t.id");
        let micro_grids_without_worker: Vec<Grid> = self.all(&q).await?;

        let count = |sql: &str, table: &xiangzhi_storage::tables::Table, col: &str| {
            let mut q = Q::new(sql);
            scope.filter(&mut q, table, "t", col);
            q
        };
        let (villages_total,): (i64,) = self
            .one(&count(
                "SELECT COUNT(*) FROM divisions t WHERE t.level = 'village'",
                &xiangzhi_registry::tables::DIVISIONS,
                "code",
            ))
            .await?;
        let (households_total,): (i64,) = self
            .one(&count(
                "SELECT COUNT(*) FROM households t WHERE 1=1",
                &xiangzhi_registry::tables::HOUSEHOLDS,
                "division_code",
            ))
            .await?;
        let (micro_grids_total,): (i64,) = self
            .one(&count(
                "SELECT COUNT(*) FROM grids t WHERE t.level = 'micro'",
                &xiangzhi_registry::tables::GRIDS,
                "division_code",
            ))
            .await?;
        Ok(CoverageReport {
            villages_without_county_leader,
            households_without_member_contact,
            households_without_member_contact_sample,
            micro_grids_without_worker,
            villages_total,
            households_total,
            micro_grids_total,
        })
    }
}
