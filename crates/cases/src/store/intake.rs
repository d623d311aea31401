//! Intake: categories, filing a case once per idempotency key, and finding a case by number.

use super::*;

/// This part's queries, as methods of the store.
#[easy_ext::ext(CaseIntake)]
pub impl Db {
    /// Adds or changes a case category of a county.
    async fn put_case_category(&self, scope: &Scope, c: &CaseCategory) -> Result<()> {
        if scope.county_id().is_some_and(|k| k != c.county_id) {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "INSERT INTO case_categories (county_id, code, name, level, is_dispute, is_public) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (county_id, code) DO UPDATE SET name = excluded.name, level = excluded.level, \
             is_dispute = excluded.is_dispute, is_public = excluded.is_public",
            vec![
                c.county_id.into(),
                c.code.clone().into(),
                c.name.clone().into(),
                c.level.as_str().into(),
                xiangzhi_storage::sql::Arg::Bool(c.is_dispute),
                xiangzhi_storage::sql::Arg::Bool(c.is_public && !c.is_dispute),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "set case category",
            format!("category {}:{}", c.county_id, c.code),
        )
        .await?;
        tx.commit().await
    }

    /// Files a case, or returns the one already filed under the same idempotency key (and
    /// `false`). The case starts at its category's level with the acceptance clock running.
    /// Files a case, or returns the one already filed under the same idempotency key (and
    /// `false`). The case starts at its category's level with the acceptance clock running; its
    /// audit entry is written in the case's own transaction (one commit, not two, in a surge of
    /// reports). A repeat writes nothing and no entry.
    async fn create_case(
        &self,
        scope: &Scope,
        input: &CaseInput,
        user: Option<i64>,
        now: i64,
    ) -> Result<(Case, bool)> {
        self.create_case_with(scope, input, user, now, None).await
    }

    /// [`create_case`](Self::create_case) with a photo of the spot (name, bytes) attached in the
    /// same transaction: both or neither. The photo is checked before anything is written.
    async fn create_case_with(
        &self,
        scope: &Scope,
        input: &CaseInput,
        user: Option<i64>,
        now: i64,
        photo: Option<(&str, Vec<u8>)>,
    ) -> Result<(Case, bool)> {
        let photo = match photo {
            Some((name, data)) => {
                let (name, kind) = crate::store::files::checked(name, &data)?;
                if !kind.starts_with("image/") {
                    return Err(StoreError::invalid(
                        "file",
                        "请上传照片（JPEG、PNG、WebP、GIF、HEIC）",
                        "please send a photo (JPEG, PNG, WebP, GIF, HEIC)",
                    ));
                }
                Some((name, kind, data))
            }
            None => None,
        };
        let mut c = xiangzhi_storage::Checker::default();
        let key = c.text("idempotency_key", &input.idempotency_key, 100);
        let description = c.text("description", &input.description, 2000);
        let division = c.parse("division_code", DivisionCode::parse(&input.division_code));
        let urgency = c.parse("urgency", input.urgency.parse::<Urgency>());
        let kind = c.parse("reporter_kind", input.reporter_kind.parse::<ReporterKind>());
        let name = c.opt_text("reporter_name", &input.reporter_name, 50);
        let phone = match input
            .reporter_phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            None => Some(None),
            Some(p) => c
                .parse("reporter_phone", xiangzhi_domain::Phone::parse(p))
                .map(|p| Some(p.as_str().to_string())),
        };
        match (input.latitude, input.longitude) {
            (None, None) => {}
            (Some(la), Some(lo))
                if (-90.0..=90.0).contains(&la) && (-180.0..=180.0).contains(&lo) => {}
            _ => c.0.push(xiangzhi_storage::FieldError::new(
                "latitude",
                xiangzhi_domain::Invalid::new(
                    "经纬度应成对给出，纬度在±90、经度在±180以内",
                    "latitude and longitude come together, within ±90 and ±180 degrees",
                ),
            )),
        }
        let (key, description, division, urgency, kind, name, phone) = c.finish(
            key.zip(description)
                .zip(division)
                .zip(urgency)
                .zip(kind)
                .zip(name)
                .zip(phone)
                .map(|((((((a, b), c), d), e), f), g)| (a, b, c, d, e, f, g)),
        )?;
        if !scope.covers(division.as_str()) {
            return Err(StoreError::invalid(
                "division_code",
                "区划不存在或不在管辖范围内",
                "the division does not exist or lies outside your jurisdiction",
            ));
        }
        let county = division.county_id().ok_or_else(|| {
            StoreError::invalid(
                "division_code",
                "事项应发生在县级以下区划",
                "a case belongs to a division inside a county",
            )
        })?;
        let existing = |tx_key: String| {
            let mut q = Q::with(
                &format!("SELECT {CASE_COLS} FROM cases t WHERE t.county_id = ? AND t.idempotency_key = ?"),
                vec![county.into(), tx_key.into()],
            );
            scope.filter(&mut q, &crate::tables::CASES, "t", "division_code");
            q
        };
        if let Some(found) = self.optional::<Case>(&existing(key.clone())).await? {
            return Ok((found, false));
        }
        // Read before the transaction: inside it, this connection is the only one to use.
        let deadlines = self.case_deadlines(county).await?;
        // The id from a block reserved ahead: the filing holds no counter row while it commits.
        let id = self.reserve_id(county, "case").await?;
        let mut tx = self.begin().await?;
        let cat: Option<(String,)> = tx
            .optional(&Q::with(
                "SELECT t.level FROM case_categories t WHERE t.county_id = ? AND t.code = ?",
                vec![county.into(), input.category.clone().into()],
            ))
            .await?;
        let Some((level,)) = cat else {
            return Err(StoreError::invalid(
                "category",
                "事项类别不存在",
                "no such case category",
            ));
        };
        let level: CaseLevel = level.parse().map_err(|e| {
            StoreError::Invalid(vec![xiangzhi_storage::FieldError::new("category", e)])
        })?;
        let mut dq = Q::with(
            "SELECT t.code FROM divisions t WHERE t.county_id = ? AND t.code = ?",
            vec![county.into(), division.as_str().into()],
        );
        scope.filter(&mut dq, &xiangzhi_registry::tables::DIVISIONS, "t", "code");
        if tx.optional::<(String,)>(&dq).await?.is_none() {
            return Err(StoreError::invalid(
                "division_code",
                "区划不存在或不在管辖范围内",
                "the division does not exist or lies outside your jurisdiction",
            ));
        }
        let mut grid = input.grid_id;
        if let Some(h) = input.household_id {
            let mut hq = Q::with(
                "SELECT t.micro_grid_id FROM households t WHERE t.county_id = ? AND t.id = ?",
                vec![county.into(), h.into()],
            );
            scope.filter(
                &mut hq,
                &xiangzhi_registry::tables::HOUSEHOLDS,
                "t",
                "division_code",
            );
            match tx.optional::<(i64,)>(&hq).await? {
                Some((micro,)) => grid = grid.or(Some(micro)),
                None => {
                    return Err(StoreError::invalid(
                        "household_id",
                        "户不存在或不在管辖范围内",
                        "the household does not exist or lies outside your jurisdiction",
                    ))
                }
            }
        }
        if let Some(g) = grid {
            // The grid must be in reach and lie in the case's division (or below it).
            let mut gq = Q::with(
                "SELECT t.division_code FROM grids t WHERE t.county_id = ? AND t.id = ?",
                vec![county.into(), g.into()],
            );
            scope.filter(
                &mut gq,
                &xiangzhi_registry::tables::GRIDS,
                "t",
                "division_code",
            );
            let inside = tx
                .optional::<(String,)>(&gq)
                .await?
                .is_some_and(|(d,)| d.starts_with(division.prefix()));
            if !inside {
                return Err(StoreError::invalid(
                    "grid_id",
                    "网格不存在、不在管辖范围内或不在该区划内",
                    "the grid does not exist, lies outside your jurisdiction or outside the division",
                ));
            }
        }
        let status = CaseStatus::new(level, now, &deadlines);
        let inserted = tx
            .exec(&Q::with(
                "INSERT INTO cases (county_id, id, idempotency_key, category, description, division_code, household_id, urgency, \
                 reporter_kind, reporter_name, anonymous, reported_by, state, level, handler_id, extension, supervised, reopened, \
                 due_at, resolved_at, merged_into, rating, latitude, longitude, version, created_at, updated_at, \
                 reporter_phone, tracking_hash, grid_id) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 'none', ?, 0, ?, NULL, NULL, NULL, ?, ?, 1, ?, ?, ?, ?, ?) \
                 ON CONFLICT (county_id, idempotency_key) DO NOTHING",
                vec![
                    county.into(),
                    id.into(),
                    key.clone().into(),
                    input.category.clone().into(),
                    description.into(),
                    division.as_str().into(),
                    input.household_id.into(),
                    urgency.as_str().into(),
                    kind.as_str().into(),
                    name.into(),
                    xiangzhi_storage::sql::Arg::Bool(input.anonymous),
                    user.into(),
                    status.state.as_str().into(),
                    status.level.as_str().into(),
                    xiangzhi_storage::sql::Arg::Bool(false),
                    status.due_at.into(),
                    input.latitude.into(),
                    input.longitude.into(),
                    now.into(),
                    now.into(),
                    xiangzhi_storage::crypto::seal_opt("phone", phone.as_deref()).into(),
                    input.tracking_hash.clone().into(),
                    grid.into(),
                ],
            ))
            .await?;
        if inserted == 0 {
            // Another submission with this key won the race: that case is the answer.
            drop(tx);
            let found = self.one::<Case>(&existing(key)).await?;
            return Ok((found, false));
        }
        let case: Case = tx
            .one(&Q::with(
                &format!("SELECT {CASE_COLS} FROM cases t WHERE t.county_id = ? AND t.id = ?"),
                vec![county.into(), id.into()],
            ))
            .await?;
        let actor = if kind == ReporterKind::Resident {
            Actor::Resident
        } else {
            Actor::Dispatcher
        };
        let by = By {
            actor,
            user,
            note: "",
            at: now,
            public: false,
        };
        event(&mut tx, &case, by, "report", None).await?;
        if let Some((name, kind, data)) = photo {
            let by = crate::store::files::Upload {
                user,
                at: now,
                public: false,
            };
            crate::store::files::attach(&mut tx, &case, &name, kind, data, by).await?;
        }
        // A resident who reported on the public page with a phone is told it arrived (SMS).
        if let (Some(phone), Some(_)) = (&phone, &input.tracking_hash) {
            let notice =
                crate::store::notifications::resident_notice("received", case.id, phone.clone());
            crate::store::notifications::write(&mut tx, &case, vec![notice], now).await?;
        }
        let object = format!("case {}:{}", case.county_id, case.id);
        tx.audit(scope.actor(), "report case", object).await?;
        tx.commit().await?;
        Ok((case, true))
    }

    /// A case by its number. Numbers are unique within a county; a caller whose jurisdiction
    /// spans several counties (a province) where more than one has this number is told so, never
    /// handed one of them at random.
    async fn get_case(&self, scope: &Scope, id: i64) -> Result<Case> {
        xiangzhi_storage::list::get_by_id(
            self,
            scope,
            CASE_COLS,
            &crate::tables::CASES,
            "cases t",
            id,
        )
        .await
    }
}
