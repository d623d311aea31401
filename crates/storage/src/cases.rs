//! Cases (诉求、事件、矛盾纠纷): intake with idempotency keys, every step through the domain's state
//! machine with an append-only timeline, and the clock sweep that escalates overdue cases and
//! confirms unanswered ones — exactly once, also across restarts, because the deadline is a column
//! and every step is a compare-and-set on the case's version.

use crate::sql::Q;
use crate::{Db, Result, Scope, StoreError, Tx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_domain::case::*;
use xiangzhi_domain::DivisionCode;

/// 诉求/事件/矛盾纠纷
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Case {
    pub county_id: i64,
    pub id: i64,
    pub category: String,
    pub description: String,
    pub division_code: String,
    pub household_id: Option<i64>,
    /// The grid (usually a micro-grid) it belongs to, if known.
    pub grid_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub urgency: Urgency,
    #[sqlx(try_from = "String")]
    pub reporter_kind: ReporterKind,
    /// Never shown to the public when `anonymous`; always to handlers.
    pub reporter_name: Option<String>,
    pub anonymous: bool,
    /// The account that filed it, if any.
    pub reported_by: Option<i64>,
    #[sqlx(try_from = "String")]
    pub state: CaseState,
    #[sqlx(try_from = "String")]
    pub level: CaseLevel,
    pub handler_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub extension: Extension,
    pub supervised: bool,
    pub reopened: i64,
    /// When the running clock runs out (acceptance, resolution or the resident's answer).
    pub due_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub merged_into: Option<i64>,
    pub rating: Option<i64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Case {
    pub fn status(&self) -> CaseStatus {
        CaseStatus {
            state: self.state,
            level: self.level,
            handler: self.handler_id,
            extension: self.extension,
            supervised: self.supervised,
            reopened: self.reopened.max(0) as u32,
            due_at: self.due_at,
            resolved_at: self.resolved_at,
            merged_into: self.merged_into,
        }
    }
}

/// One step of a case's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct CaseEvent {
    pub seq: i64,
    pub at: i64,
    pub user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub level: String,
    pub note: String,
}

/// A new case as submitted. The idempotency key is chosen by the client (a phone keeps it with
/// the report it wrote offline): sending the same submission again never makes a second case.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CaseInput {
    pub idempotency_key: String,
    pub category: String,
    pub description: String,
    pub division_code: String,
    pub household_id: Option<i64>,
    /// The grid it belongs to; by default the household's micro-grid.
    #[serde(default)]
    pub grid_id: Option<i64>,
    #[serde(default = "normal")]
    #[schema(value_type = xiangzhi_domain::case::Urgency)]
    pub urgency: String,
    #[schema(value_type = xiangzhi_domain::case::ReporterKind)]
    pub reporter_kind: String,
    pub reporter_name: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
    /// The reporter's phone, for the follow-up visit (sealed at rest; shown to handlers masked).
    #[serde(default)]
    pub reporter_phone: Option<String>,
    /// SHA-256 of the tracking code given to a resident who reported on the public page.
    #[serde(skip)]
    pub tracking_hash: Option<String>,
    /// WGS-84 degrees, if the reporter's phone knows.
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
}

fn normal() -> String {
    "normal".into()
}

/// A category of cases and the level that should settle it, per county.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, ToSchema)]
pub struct CaseCategory {
    pub county_id: i64,
    pub code: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub level: CaseLevel,
    pub is_dispute: bool,
    /// Whether the county publishes cases of this category in the public Open311 feed (never
    /// disputes, never cases tied to a household).
    #[serde(default)]
    pub is_public: bool,
}

/// Who takes a step, when, and what they said (it goes into the timeline).
#[derive(Debug, Clone, Copy)]
pub struct By<'a> {
    pub actor: Actor,
    pub user: Option<i64>,
    pub note: &'a str,
    pub at: i64,
}

const CASE_COLS: &str = "t.county_id, t.id, t.category, t.description, t.division_code, t.household_id, t.grid_id, t.urgency, \
     t.reporter_kind, t.reporter_name, t.anonymous, t.reported_by, t.state, t.level, t.handler_id, t.extension, \
     t.supervised, t.reopened, t.due_at, t.resolved_at, t.merged_into, t.rating, t.latitude, t.longitude, t.version, t.created_at, t.updated_at";

async fn event(
    tx: &mut Tx,
    c: &Case,
    by: By<'_>,
    action: &str,
    from: Option<CaseState>,
) -> Result<()> {
    let By {
        actor,
        user,
        note,
        at: now,
    } = by;
    tx.exec(&Q::with(
        "INSERT INTO case_events (county_id, case_id, seq, at, user_id, actor, action, from_state, to_state, level, note) \
         SELECT ?, ?, COALESCE(MAX(e.seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ? FROM case_events e WHERE e.county_id = ? AND e.case_id = ?",
        vec![
            c.county_id.into(),
            c.id.into(),
            now.into(),
            user.into(),
            actor_code(actor).into(),
            action.into(),
            from.map(|s| s.as_str().to_string()).into(),
            c.state.as_str().into(),
            c.level.as_str().into(),
            note.into(),
            c.county_id.into(),
            c.id.into(),
        ],
    ))
    .await?;
    Ok(())
}

fn actor_code(a: Actor) -> &'static str {
    match a {
        Actor::Resident => "resident",
        Actor::Handler => "handler",
        Actor::Dispatcher => "dispatcher",
        Actor::Superior => "superior",
        Actor::System => "system",
    }
}

impl Db {
    /// Adds or changes a case category of a county.
    pub async fn put_case_category(&self, scope: &Scope, c: &CaseCategory) -> Result<()> {
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
                crate::sql::Arg::Bool(c.is_dispute),
                crate::sql::Arg::Bool(c.is_public && !c.is_dispute),
            ],
        ))
        .await?;
        tx.commit().await
    }

    /// Files a case, or returns the one already filed under the same idempotency key (and
    /// `false`). The case starts at its category's level with the acceptance clock running.
    pub async fn create_case(
        &self,
        scope: &Scope,
        input: &CaseInput,
        user: Option<i64>,
        now: i64,
    ) -> Result<(Case, bool)> {
        self.create_case_audited(scope, input, user, now, None)
            .await
    }

    /// `create_case`, writing `audit` (its object set to the new case) in the case's own
    /// transaction when a case is made: one commit instead of two in a surge of reports. A repeat
    /// writes no entry (the caller audits it as it would any request).
    pub async fn create_case_audited(
        &self,
        scope: &Scope,
        input: &CaseInput,
        user: Option<i64>,
        now: i64,
        audit: Option<crate::audit::AuditEntry>,
    ) -> Result<(Case, bool)> {
        let mut c = crate::Checker::default();
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
            _ => c.0.push(crate::FieldError::new(
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
            scope.filter(&mut q, "cases", "t", "division_code");
            q
        };
        if let Some(found) = self.optional::<Case>(&existing(key.clone())).await? {
            return Ok((found, false));
        }
        // Read before the transaction: inside it, this connection is the only one to use.
        let deadlines = self.case_deadlines(county).await?;
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
        let level: CaseLevel = level
            .parse()
            .map_err(|e| StoreError::Invalid(vec![crate::FieldError::new("category", e)]))?;
        let mut dq = Q::with(
            "SELECT t.code FROM divisions t WHERE t.county_id = ? AND t.code = ?",
            vec![county.into(), division.as_str().into()],
        );
        scope.filter(&mut dq, "divisions", "t", "code");
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
            scope.filter(&mut hq, "households", "t", "division_code");
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
            scope.filter(&mut gq, "grids", "t", "division_code");
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
        let id = crate::registry::next_ids(&mut tx, county, "case", 1).await?;
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
                    crate::sql::Arg::Bool(input.anonymous),
                    user.into(),
                    status.state.as_str().into(),
                    status.level.as_str().into(),
                    crate::sql::Arg::Bool(false),
                    status.due_at.into(),
                    input.latitude.into(),
                    input.longitude.into(),
                    now.into(),
                    now.into(),
                    crate::crypto::seal_opt("phone", phone.as_deref()).into(),
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
        };
        event(&mut tx, &case, by, "report", None).await?;
        if let Some(mut entry) = audit {
            entry.object = format!("case:{}:{}", case.county_id, case.id);
            crate::audit::append(&mut tx, &entry).await?;
        }
        tx.commit().await?;
        Ok((case, true))
    }

    /// A case by its number. Numbers are unique within a county; a caller whose jurisdiction
    /// spans several counties (a province) where more than one has this number is told so, never
    /// handed one of them at random.
    pub async fn get_case(&self, scope: &Scope, id: i64) -> Result<Case> {
        let mut q = Q::with(
            &format!("SELECT {CASE_COLS} FROM cases t WHERE t.id = ?"),
            vec![id.into()],
        );
        scope.filter(&mut q, "cases", "t", "division_code");
        if scope.county_id().is_some() {
            return self.one(&q).await;
        }
        q.push(" ORDER BY t.county_id LIMIT 2");
        let mut found: Vec<Case> = self.all(&q).await?;
        match found.len() {
            0 => Err(StoreError::NotFound),
            1 => Ok(found.remove(0)),
            _ => Err(StoreError::conflict(
                "id",
                format!("多个县都有第{id}号事项，请以县级或以下账号办理"),
                format!(
                    "several counties have a case number {id}; act from a county account or below"
                ),
            )),
        }
    }

    /// Takes one step of a case: the domain decides, the row changes only if nobody changed it
    /// meanwhile (version check), and the step joins the timeline — all in one transaction.
    pub async fn case_step(
        &self,
        scope: &Scope,
        id: i64,
        action: &Action,
        by: By<'_>,
    ) -> Result<Case> {
        let cur = self.get_case(scope, id).await?;
        if let Action::Merge { into } = action {
            self.check_merge_target(scope, &cur, *into).await?;
        }
        let deadlines = self.case_deadlines(cur.county_id).await?;
        self.step_case(&cur, action, by, &deadlines)
            .await?
            .ok_or_else(|| {
                StoreError::conflict(
                    "version",
                    "该事项刚被他人更新，请刷新后重试",
                    "the case was changed by someone else just now; reload and try again",
                )
            })
    }

    /// A case may be merged only into another open case of the same county that the caller can
    /// see; anything else would drop it from every queue while pointing nowhere.
    async fn check_merge_target(&self, scope: &Scope, cur: &Case, into: i64) -> Result<()> {
        let refuse = |zh: &str, en: &str| StoreError::invalid("into", zh, en);
        if into == cur.id {
            return Err(refuse(
                "不能把事项合并到它自己",
                "a case cannot be merged into itself",
            ));
        }
        let target = match self.get_case(scope, into).await {
            Ok(t) if t.county_id == cur.county_id => t,
            Ok(_) | Err(StoreError::NotFound) => {
                return Err(refuse(
                    &format!("要合并到的事项{into}不存在或不在您的管辖范围内"),
                    &format!(
                        "case {into} to merge into does not exist or is outside your jurisdiction"
                    ),
                ))
            }
            Err(e) => return Err(e),
        };
        if !target.status().is_open() {
            return Err(refuse(
                &format!("事项{into}已办结或已合并，不能再合并进去"),
                &format!("case {into} is already closed or merged; merge into an open case"),
            ));
        }
        Ok(())
    }

    /// Applies `action` to `cur` if the stored case is still at `cur.version`; `None` if not.
    async fn step_case(
        &self,
        cur: &Case,
        action: &Action,
        by: By<'_>,
        deadlines: &Deadlines,
    ) -> Result<Option<Case>> {
        let now = by.at;
        let next = cur
            .status()
            .apply(action, by.actor, now, deadlines)
            .map_err(|e| StoreError::Invalid(vec![crate::FieldError::new("action", e)]))?;
        let rating = match action {
            Action::Confirm { rating } => rating.map(i64::from),
            _ => cur.rating,
        };
        let mut tx = self.begin().await?;
        let n = tx
            .exec(&Q::with(
                "UPDATE cases SET state = ?, level = ?, handler_id = ?, extension = ?, supervised = ?, reopened = ?, due_at = ?, \
                 resolved_at = ?, merged_into = ?, rating = ?, auto_escalations = auto_escalations + ?, version = version + 1, \
                 updated_at = ? WHERE county_id = ? AND id = ? AND version = ?",
                vec![
                    next.state.as_str().into(),
                    next.level.as_str().into(),
                    next.handler.into(),
                    next.extension.as_str().into(),
                    crate::sql::Arg::Bool(next.supervised),
                    i64::from(next.reopened).into(),
                    next.due_at.into(),
                    next.resolved_at.into(),
                    next.merged_into.into(),
                    rating.into(),
                    i64::from(matches!(action, Action::Escalate) && by.actor == Actor::System).into(),
                    now.into(),
                    cur.county_id.into(),
                    cur.id.into(),
                    cur.version.into(),
                ],
            ))
            .await?;
        if n == 0 {
            return Ok(None);
        }
        let case: Case = tx
            .one(&Q::with(
                &format!("SELECT {CASE_COLS} FROM cases t WHERE t.county_id = ? AND t.id = ?"),
                vec![cur.county_id.into(), cur.id.into()],
            ))
            .await?;
        event(&mut tx, &case, by, action.name(), Some(cur.state)).await?;
        crate::notifications::on_step(&mut tx, cur, &case, action, now).await?;
        tx.commit().await?;
        Ok(Some(case))
    }

    /// The case's timeline, oldest first.
    pub async fn case_timeline(&self, scope: &Scope, id: i64) -> Result<Vec<CaseEvent>> {
        let c = self.get_case(scope, id).await?;
        self.all(&Q::with(
            "SELECT t.seq, t.at, t.user_id, t.actor, t.action, t.from_state, t.to_state, t.level, t.note \
             FROM case_events t WHERE t.county_id = ? AND t.case_id = ? ORDER BY t.seq",
            vec![c.county_id.into(), id.into()],
        ))
        .await
    }

    /// The clock: every case whose deadline has passed gets its due action (escalation one level
    /// up, or confirmation of an unanswered resolution), each exactly once even if several sweeps
    /// run at the same time or the server restarted in between. Returns the steps taken.
    pub async fn run_due_cases(&self, now: i64) -> Result<usize> {
        const PAGE: i64 = 500;
        let mut done = 0;
        let mut clocks: std::collections::HashMap<i64, Deadlines> = Default::default();
        // Keyset pages over (due_at, county, id): the sweep moves past cases it cannot act on
        // (open county-level cases stay overdue with nothing to do), so whatever sits ahead, every
        // due case is reached.
        let mut after: Option<(i64, i64, i64)> = None;
        loop {
            let mut q = Q::with(
                &format!(
                    "SELECT {CASE_COLS} FROM cases t WHERE t.due_at IS NOT NULL AND t.due_at <= ?"
                ),
                vec![now.into()],
            );
            if let Some((due, county, id)) = after {
                let (a, b, c) = (q.arg(due), q.arg(county), q.arg(id));
                q.push(&format!(
                    " AND (t.due_at, t.county_id, t.id) > ({a}, {b}, {c})"
                ));
            }
            q.push(&format!(
                " ORDER BY t.due_at, t.county_id, t.id LIMIT {PAGE}"
            ));
            let due: Vec<Case> = self.all(&q).await?;
            for c in &due {
                match self.due_step(c, now, &mut clocks).await {
                    Ok(true) => done += 1,
                    Ok(false) => {}
                    // One case that cannot be stepped is logged and left for the next sweep; it
                    // does not stop the others.
                    Err(e) => tracing::error!(
                        county = c.county_id,
                        case = c.id,
                        error = %e,
                        "case clock: could not take the due step"
                    ),
                }
            }
            match due.last() {
                Some(last) if due.len() as i64 == PAGE => {
                    after = Some((last.due_at.unwrap_or(now), last.county_id, last.id));
                }
                _ => return Ok(done),
            }
        }
    }

    /// Takes a due case's step (escalation, or confirmation of an unanswered resolution); false
    /// when it has none or someone changed it meanwhile.
    async fn due_step(
        &self,
        c: &Case,
        now: i64,
        clocks: &mut std::collections::HashMap<i64, Deadlines>,
    ) -> Result<bool> {
        let Some(action) = c.status().due_action(now) else {
            return Ok(false);
        };
        let note = match action {
            Action::Escalate => "超期自动上报 / escalated automatically: deadline passed",
            _ => "群众7日内未答复，视为确认 / no answer from the resident: counted as confirmed",
        };
        let by = By {
            actor: Actor::System,
            user: None,
            note,
            at: now,
        };
        let deadlines = match clocks.get(&c.county_id) {
            Some(d) => d.clone(),
            None => {
                let d = self.case_deadlines(c.county_id).await?;
                clocks.insert(c.county_id, d.clone());
                d
            }
        };
        Ok(self.step_case(c, &action, by, &deadlines).await?.is_some())
    }

    /// Cases in the scope, filtered by division, state (`kind`) and words of the description (`q`);
    /// paged.
    pub async fn list_cases(
        &self,
        scope: &Scope,
        lq: &crate::ListQuery,
    ) -> Result<crate::Page<Case>> {
        let scope = crate::registry::division_filter(scope, lq)?;
        let mut q = Q::new(&format!("SELECT {CASE_COLS} FROM cases t WHERE 1=1"));
        scope.filter(&mut q, "cases", "t", "division_code");
        if let Some(state) = crate::registry::parse_kind::<CaseState>(lq)? {
            let p = q.arg(state.as_str());
            q.push(&format!(" AND t.state = {p}"));
        }
        if let Some(text) = lq.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            crate::sql::push_contains(&mut q, "t.description", text);
        }
        crate::registry::page(self, q, crate::registry::Order::Id, lq).await
    }

    /// The case categories of a county.
    pub async fn case_categories(&self, county_id: i64) -> Result<Vec<CaseCategory>> {
        self.all(&Q::with(
            "SELECT t.county_id, t.code, t.name, t.level, t.is_dispute, t.is_public FROM case_categories t \
             WHERE t.county_id = ? ORDER BY t.code",
            vec![county_id.into()],
        ))
        .await
    }

    /// Possible duplicates of a case, for the handler to merge: open cases of the same county
    /// filed within 30 days of it that share its household, or share its category and either its
    /// division or a spot within 300 m of it. Nearest first, at most 20.
    pub async fn case_duplicates(&self, scope: &Scope, id: i64) -> Result<Vec<Case>> {
        const WINDOW: i64 = 30 * 24 * 3_600_000;
        const METRES: f64 = 300.0;
        let c = self.get_case(scope, id).await?;
        let mut q = Q::with(
            &format!(
                "SELECT {CASE_COLS} FROM cases t WHERE t.county_id = ? AND t.id <> ? \
                 AND t.state NOT IN ('merged', 'closed', 'closed_unresolved') \
                 AND t.created_at >= ? AND t.created_at <= ?"
            ),
            vec![
                c.county_id.into(),
                c.id.into(),
                (c.created_at - WINDOW).into(),
                (c.created_at + WINDOW).into(),
            ],
        );
        let cat = q.arg(c.category.clone());
        let div = q.arg(c.division_code.clone());
        let mut near = format!("(t.category = {cat} AND (t.division_code = {div}");
        if let (Some(la), Some(lo)) = (c.latitude, c.longitude) {
            // A box around the spot (lat degrees ≈ 111 km); the exact distance is checked below.
            let dlat = METRES / 111_000.0;
            let dlon = dlat / la.to_radians().cos().max(0.01);
            let (a, b, e, d) = (
                q.arg(Some(la - dlat)),
                q.arg(Some(la + dlat)),
                q.arg(Some(lo - dlon)),
                q.arg(Some(lo + dlon)),
            );
            near.push_str(&format!(
                " OR (t.latitude BETWEEN {a} AND {b} AND t.longitude BETWEEN {e} AND {d})"
            ));
        }
        near.push_str("))");
        match c.household_id {
            Some(h) => {
                let p = q.arg(h);
                q.push(&format!(" AND ({near} OR t.household_id = {p})"));
            }
            None => {
                q.push(&format!(" AND {near}"));
            }
        }
        scope.filter(&mut q, "cases", "t", "division_code");
        q.push(" ORDER BY t.created_at DESC LIMIT 200");
        let found: Vec<Case> = self.all(&q).await?;
        let distance = |o: &Case| match (c.latitude, c.longitude, o.latitude, o.longitude) {
            (Some(a), Some(b), Some(x), Some(y)) => Some(metres(a, b, x, y)),
            _ => None,
        };
        let mut out: Vec<(f64, Case)> = found
            .into_iter()
            .filter(|o| {
                o.household_id.is_some() && o.household_id == c.household_id
                    || o.division_code == c.division_code
                    || distance(o).is_some_and(|m| m <= METRES)
            })
            .map(|o| (distance(&o).unwrap_or(f64::MAX), o))
            .collect();
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(out.into_iter().take(20).map(|(_, o)| o).collect())
    }

    /// Cases the public may see (Open311 GET): only categories the county marks public, never
    /// disputes (mediation is private), never a case tied to a household (a welfare or family
    /// matter), no reporter; newest first, at most 200. Descriptions are masked by the caller.
    pub async fn public_cases(&self, county_id: i64, f: &PublicFilter) -> Result<Vec<PublicCase>> {
        let mut q = Q::with(
            "SELECT t.id, t.category, c.name AS category_name, t.state, t.level, t.description, d.name AS division_name, \
             t.latitude, t.longitude, t.created_at, t.updated_at, t.due_at FROM cases t \
             JOIN case_categories c ON c.county_id = t.county_id AND c.code = t.category \
             JOIN divisions d ON d.county_id = t.county_id AND d.code = t.division_code \
             WHERE t.county_id = ? AND c.is_dispute = ? AND c.is_public = ? AND t.household_id IS NULL \
             AND t.state <> 'merged'",
            vec![
                county_id.into(),
                crate::sql::Arg::Bool(false),
                crate::sql::Arg::Bool(true),
            ],
        );
        if !f.ids.is_empty() {
            q.push(" AND t.id IN (");
            for (k, id) in f.ids.iter().take(100).enumerate() {
                let p = q.arg(*id);
                q.push(&format!("{}{p}", if k == 0 { "" } else { ", " }));
            }
            q.push(")");
        } else {
            if let Some(code) = &f.category {
                let p = q.arg(code.clone());
                q.push(&format!(" AND t.category = {p}"));
            }
            match f.open {
                Some(true) => {
                    q.push(" AND t.state NOT IN ('closed', 'closed_unresolved')");
                }
                Some(false) => {
                    q.push(" AND t.state IN ('closed', 'closed_unresolved')");
                }
                None => {}
            }
            if let Some(from) = f.from {
                let p = q.arg(from);
                q.push(&format!(" AND t.created_at >= {p}"));
            }
            if let Some(to) = f.to {
                let p = q.arg(to);
                q.push(&format!(" AND t.created_at <= {p}"));
            }
        }
        q.push(" ORDER BY t.created_at DESC, t.id DESC LIMIT 200");
        self.all(&q).await
    }

    /// A county's case clocks (the defaults if it has set none).
    pub async fn case_deadlines(&self, county_id: i64) -> Result<Deadlines> {
        let row: Option<DeadlineRow> = self
            .optional(&Q::with(
                "SELECT t.accept_hours, t.resolve_micro_grid, t.resolve_grid, t.resolve_village, t.resolve_township, \
                 t.resolve_county, t.extension_days, t.confirm_days, t.reopen_days FROM case_deadlines t WHERE t.county_id = ?",
                vec![county_id.into()],
            ))
            .await?;
        Ok(match row {
            None => Deadlines::default(),
            Some(r) => Deadlines {
                accept_hours: r.accept_hours,
                resolve_days: [
                    r.resolve_micro_grid,
                    r.resolve_grid,
                    r.resolve_village,
                    r.resolve_township,
                    r.resolve_county,
                ],
                extension_days: r.extension_days,
                confirm_days: r.confirm_days,
                reopen_days: r.reopen_days,
            },
        })
    }

    /// Sets a county's case clocks, within the law: at most 60 days to settle at county level and
    /// one extension of at most 30 (信访工作条例 第三十四条), every clock at least one hour or day.
    pub async fn put_case_deadlines(&self, county_id: i64, d: &Deadlines) -> Result<Deadlines> {
        let mut errs = Vec::new();
        let mut check = |field: &str, v: i64, max: i64| {
            if !(1..=max).contains(&v) {
                errs.push(crate::FieldError::new(
                    field,
                    xiangzhi_domain::Invalid::new(
                        format!("应在1到{max}之间"),
                        format!("must be between 1 and {max}"),
                    ),
                ));
            }
        };
        check("accept_hours", d.accept_hours, 24 * 15);
        for (k, name) in ["micro_grid", "grid", "village", "township", "county"]
            .iter()
            .enumerate()
        {
            check(&format!("resolve_days.{name}"), d.resolve_days[k], 60);
        }
        check("extension_days", d.extension_days, 30);
        check("confirm_days", d.confirm_days, 30);
        check("reopen_days", d.reopen_days, 90);
        if !d.resolve_days.windows(2).all(|w| w[0] <= w[1]) {
            errs.push(crate::FieldError::new(
                "resolve_days",
                xiangzhi_domain::Invalid::new(
                    "层级越高，办理期限不应越短",
                    "a higher level should not have a shorter deadline",
                ),
            ));
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let r = d.resolve_days;
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "INSERT INTO case_deadlines (county_id, accept_hours, resolve_micro_grid, resolve_grid, resolve_village, \
             resolve_township, resolve_county, extension_days, confirm_days, reopen_days, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (county_id) DO UPDATE SET \
             accept_hours = excluded.accept_hours, resolve_micro_grid = excluded.resolve_micro_grid, \
             resolve_grid = excluded.resolve_grid, resolve_village = excluded.resolve_village, \
             resolve_township = excluded.resolve_township, resolve_county = excluded.resolve_county, \
             extension_days = excluded.extension_days, confirm_days = excluded.confirm_days, \
             reopen_days = excluded.reopen_days, updated_at = excluded.updated_at",
            vec![
                county_id.into(),
                d.accept_hours.into(),
                r[0].into(),
                r[1].into(),
                r[2].into(),
                r[3].into(),
                r[4].into(),
                d.extension_days.into(),
                d.confirm_days.into(),
                d.reopen_days.into(),
                crate::now_ms().into(),
            ],
        ))
        .await?;
        tx.commit().await?;
        self.case_deadlines(county_id).await
    }

    /// 统计: cases filed in `[from, to)` inside the scope — by category and state, how many were
    /// resolved on time (never escalated by the clock), the share settled inside the village and
    /// inside the township, the median time to resolve, satisfaction, the overdue list and
    /// households with repeat cases.
    pub async fn case_stats(
        &self,
        scope: &Scope,
        from: i64,
        to: i64,
        now: i64,
    ) -> Result<CaseStats> {
        let base = |select: &str, tail: &str| {
            let mut q = Q::with(
                &format!(
                    "SELECT {select} FROM cases t WHERE t.created_at >= ? AND t.created_at < ?"
                ),
                vec![from.into(), to.into()],
            );
            scope.filter(&mut q, "cases", "t", "division_code");
            q.push(tail);
            q
        };
        // The passes are independent: they run at once, each on its own connection.
        let groups_q = base(
            "t.category, t.state, COUNT(*)",
            " GROUP BY t.category, t.state",
        );
        // Everything about the resolved cases in one pass: how many, how many the clock never
        // escalated, how many were settled in the village and in the township, the ratings.
        let resolved_q = base(
            "COUNT(*), COALESCE(SUM(CASE WHEN t.auto_escalations = 0 THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN t.level IN ('micro_grid', 'grid', 'village') THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN t.level <> 'county' THEN 1 ELSE 0 END), 0), \
             CAST(COALESCE(SUM(t.rating), 0) AS BIGINT), COUNT(t.rating)",
            " AND t.resolved_at IS NOT NULL",
        );
        // The median: the middle of the resolved cases' durations (the count comes from the
        // same rows, so the offset is computed in SQL).
        let median_q = {
            let mut q = base(
                "t.resolved_at - t.created_at",
                " AND t.resolved_at IS NOT NULL ORDER BY 1 LIMIT 1 OFFSET \
                 (SELECT COUNT(*) / 2 FROM cases t WHERE t.created_at >= ",
            );
            let a = q.arg(from);
            q.push(&format!("{a} AND t.created_at < "));
            let b = q.arg(to);
            q.push(&b);
            scope.filter(&mut q, "cases", "t", "division_code");
            q.push(" AND t.resolved_at IS NOT NULL)");
            q
        };
        let overdue_q = {
            let mut q = base("t.id", " AND t.due_at IS NOT NULL AND t.due_at < ");
            let p = q.arg(now);
            q.push(&format!(
                "{p} AND t.state NOT IN ('resolved', 'confirmed', 'closed', 'closed_unresolved', 'merged') \
                 ORDER BY t.due_at LIMIT 200"
            ));
            q
        };
        let repeats_q = base(
            "t.household_id, COUNT(*)",
            " AND t.household_id IS NOT NULL GROUP BY t.household_id HAVING COUNT(*) > 1 \
             ORDER BY COUNT(*) DESC, t.household_id LIMIT 100",
        );
        let (groups, resolved, median, overdue, repeats) = futures::try_join!(
            self.all::<(String, String, i64)>(&groups_q),
            self.one::<(i64, i64, i64, i64, i64, i64)>(&resolved_q),
            self.optional::<(i64,)>(&median_q),
            self.all::<(i64,)>(&overdue_q),
            self.all::<(i64, i64)>(&repeats_q),
        )?;
        let (n, on_time, village, township, rating_sum, rated) = resolved;
        let median = median.filter(|_| n > 0);
        let mut by_category = std::collections::BTreeMap::<String, i64>::new();
        let mut by_state = std::collections::BTreeMap::<String, i64>::new();
        for (category, state, k) in groups {
            *by_category.entry(category).or_default() += k;
            *by_state.entry(state).or_default() += k;
        }
        let share = |k: i64| (n > 0).then(|| k as f64 / n as f64);
        Ok(CaseStats {
            total: by_category.values().sum(),
            by_category: by_category.into_iter().collect(),
            by_state: by_state.into_iter().collect(),
            resolved: n,
            on_time_rate: share(on_time),
            settled_in_village: share(village),
            settled_in_township: share(township),
            median_resolve_ms: median.map(|m| m.0),
            satisfaction: (rated > 0).then(|| rating_sum as f64 / rated as f64),
            rated,
            overdue: overdue.into_iter().map(|r| r.0).collect(),
            repeat_households: repeats,
        })
    }

    /// A handler's inbox: the cases assigned to `user` that are still being worked on, and the
    /// cases in the scope waiting to be accepted or dispatched; soonest deadline first.
    pub async fn case_inbox(&self, scope: &Scope, user: i64) -> Result<(Vec<Case>, Vec<Case>)> {
        let mut mine = Q::with(
            &format!(
                "SELECT {CASE_COLS} FROM cases t WHERE t.handler_id = ? AND t.state IN ('assigned', 'in_progress')"
            ),
            vec![user.into()],
        );
        scope.filter(&mut mine, "cases", "t", "division_code");
        mine.push(" ORDER BY t.due_at, t.id LIMIT 100");
        let mut waiting = Q::new(&format!(
            "SELECT {CASE_COLS} FROM cases t WHERE t.state IN ('reported', 'accepted', 'returned')"
        ));
        scope.filter(&mut waiting, "cases", "t", "division_code");
        waiting.push(" ORDER BY t.due_at, t.id LIMIT 100");
        Ok((self.all(&mine).await?, self.all(&waiting).await?))
    }
}

/// Filters of the public request list.
#[derive(Debug, Clone, Default)]
pub struct PublicFilter {
    /// These requests only (overrides the rest).
    pub ids: Vec<i64>,
    pub category: Option<String>,
    /// `Some(true)`: open ones only; `Some(false)`: closed ones only.
    pub open: Option<bool>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// What the public may know of a case.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PublicCase {
    pub id: i64,
    pub category: String,
    pub category_name: String,
    #[sqlx(try_from = "String")]
    pub state: CaseState,
    #[sqlx(try_from = "String")]
    pub level: CaseLevel,
    pub description: String,
    pub division_name: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub due_at: Option<i64>,
}

/// Great-circle distance in metres (haversine).
fn metres(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().asin()
}

#[derive(sqlx::FromRow)]
struct DeadlineRow {
    accept_hours: i64,
    resolve_micro_grid: i64,
    resolve_grid: i64,
    resolve_village: i64,
    resolve_township: i64,
    resolve_county: i64,
    extension_days: i64,
    confirm_days: i64,
    reopen_days: i64,
}

/// Case statistics of a jurisdiction and period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CaseStats {
    pub total: i64,
    /// (category code, cases)
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub by_category: Vec<(String, i64)>,
    /// (state, cases)
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub by_state: Vec<(String, i64)>,
    /// Cases resolved (whatever happened after).
    pub resolved: i64,
    /// Share of resolved cases the clock never had to escalate.
    pub on_time_rate: Option<f64>,
    /// Share of resolved cases settled at village level or below (小事不出村).
    pub settled_in_village: Option<f64>,
    /// Share settled at township level or below (大事不出乡).
    pub settled_in_township: Option<f64>,
    /// Median time from report to resolution, in milliseconds.
    pub median_resolve_ms: Option<i64>,
    /// Mean rating (1–5) of the resolved cases the residents rated.
    pub satisfaction: Option<f64>,
    pub rated: i64,
    /// Open cases past their deadline (ids, most overdue first).
    pub overdue: Vec<i64>,
    /// (household id, cases) for households with more than one case in the period.
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub repeat_households: Vec<(i64, i64)>,
}

/// A case of the past, as a previous system kept it (for loading history and for benchmarks).
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub county_id: i64,
    pub category: String,
    pub description: String,
    pub division_code: String,
    pub household_id: Option<i64>,
    pub state: CaseState,
    pub level: CaseLevel,
    pub auto_escalations: i64,
    pub due_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub rating: Option<i64>,
    pub created_at: i64,
}

impl Db {
    /// Loads past cases in one transaction, 500 rows per statement, with new ids and keys
    /// `history-<id>`; the rows are taken as they are (no state machine, no timeline).
    pub async fn insert_history(&self, rows: &[HistoryRow]) -> Result<()> {
        let Some(first) = rows.first() else {
            return Ok(());
        };
        let mut tx = self.begin().await?;
        let mut id =
            crate::registry::next_ids(&mut tx, first.county_id, "case", rows.len() as i64).await?;
        for chunk in rows.chunks(500) {
            let mut q = Q::new(
                "INSERT INTO cases (county_id, id, idempotency_key, category, description, division_code, household_id, urgency, \
                 reporter_kind, reporter_name, anonymous, reported_by, state, level, handler_id, extension, supervised, reopened, \
                 due_at, resolved_at, merged_into, rating, latitude, longitude, version, created_at, updated_at, auto_escalations) VALUES ",
            );
            for (k, r) in chunk.iter().enumerate() {
                let mut ps = Vec::with_capacity(13);
                for a in [
                    crate::sql::Arg::from(r.county_id),
                    id.into(),
                    format!("history-{id}").into(),
                    r.category.clone().into(),
                    r.description.clone().into(),
                    r.division_code.clone().into(),
                    r.household_id.into(),
                    r.state.as_str().into(),
                    r.level.as_str().into(),
                    r.due_at.into(),
                    r.resolved_at.into(),
                    r.rating.into(),
                    r.created_at.into(),
                    r.resolved_at.unwrap_or(r.created_at).into(),
                    r.auto_escalations.into(),
                ] {
                    ps.push(q.arg(a));
                }
                q.push(&format!(
                    "{}({}, {}, {}, {}, {}, {}, {}, 'normal', 'grid_worker', NULL, FALSE, NULL, {}, {}, NULL, 'none', FALSE, 0, \
                     {}, {}, NULL, {}, NULL, NULL, 1, {}, {}, {})",
                    if k == 0 { "" } else { ", " },
                    ps[0], ps[1], ps[2], ps[3], ps[4], ps[5], ps[6], ps[7], ps[8], ps[9], ps[10], ps[11], ps[12], ps[13], ps[14]
                ));
                id += 1;
            }
            tx.exec(&q).await?;
        }
        tx.commit().await
    }
}

impl Db {
    /// One committed single-row insert into `cases`, nothing else: the raw rate the surge
    /// benchmark compares the HTTP intake with. Keys are `raw-<id>`.
    #[doc(hidden)]
    pub async fn bench_raw_case_insert(
        &self,
        county: i64,
        category: &str,
        division: &str,
        writer: i64,
        n: i64,
    ) -> Result<()> {
        // Unique across runs on a kept database: the run's second of the day, the writer, the row.
        let run = crate::now_ms() / 1000 % 86_400;
        let id = 1_000_000_000_000_000 + run * 1_000_000_000 + writer * 10_000_000 + n;
        let now = crate::now_ms();
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "INSERT INTO cases (county_id, id, idempotency_key, category, description, division_code, household_id, urgency, \
             reporter_kind, reporter_name, anonymous, reported_by, state, level, handler_id, extension, supervised, reopened, \
             due_at, resolved_at, merged_into, rating, latitude, longitude, version, created_at, updated_at) \
             VALUES (?, ?, ?, ?, '汛期险情：河堤渗水，请速派人查看', ?, NULL, 'urgent', 'grid_worker', NULL, FALSE, NULL, \
             'reported', 'village', NULL, 'none', FALSE, 0, ?, NULL, NULL, NULL, NULL, NULL, 1, ?, ?)",
            vec![
                county.into(),
                id.into(),
                format!("raw-{id}").into(),
                category.into(),
                division.into(),
                (now + 86_400_000).into(),
                now.into(),
                now.into(),
            ],
        ))
        .await?;
        tx.commit().await
    }
}

/// Who reported a case and how to reach them (personal data: masked unless revealed).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct CaseReporter {
    pub county_id: i64,
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub reporter_kind: ReporterKind,
    pub reporter_name: Option<String>,
    #[sqlx(try_from = "crate::crypto::SealedPhoneOpt")]
    pub reporter_phone: Option<String>,
    /// Not shown to the public (handlers always see the reporter).
    pub anonymous: bool,
}

/// SHA-256 of a tracking code, as stored.
pub fn tracking_hash(code: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(code.trim().to_ascii_uppercase().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Db {
    /// The reporter of a case in the scope.
    pub async fn case_reporter(&self, scope: &Scope, id: i64) -> Result<CaseReporter> {
        let mut q = Q::with(
            "SELECT t.county_id, t.id, t.reporter_kind, t.reporter_name, t.reporter_phone, t.anonymous FROM cases t WHERE t.id = ?",
            vec![id.into()],
        );
        scope.filter(&mut q, "cases", "t", "division_code");
        self.one(&q).await
    }

    /// A case of `county` found by its number and the tracking code its reporter was given;
    /// `NotFound` for a wrong code, the same as for a missing case.
    pub async fn case_by_tracking(&self, county: i64, id: i64, code: &str) -> Result<Case> {
        self.one(&Q::with(
            &format!(
                "SELECT {CASE_COLS} FROM cases t WHERE t.county_id = ? AND t.id = ? AND t.tracking_hash = ?"
            ),
            vec![county.into(), id.into(), tracking_hash(code).into()],
        ))
        .await
    }
}
