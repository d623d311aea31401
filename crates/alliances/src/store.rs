//! Cross-village alliances (跨村联建): the villages' planning profiles (population, position,
//! industries, strength, flags, borders), the plans the planner produced as background jobs, and
//! accepting a plan, which creates one joint party organisation (联合党委) per new alliance and
//! records the villages it joins. Every read and write is limited by the caller's scope.

use crate::tables::{ALLIANCE_PLANS, ALLIANCE_VILLAGES, VILLAGE_PROFILES};
use easy_ext::ext;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;
use xiangzhi_domain::{BranchStanding, DivisionCode, Invalid, PartyOrgKind};
use xiangzhi_party::store::insert_party_org;
use xiangzhi_party::{PartyOrg, ValidPartyOrg};
use xiangzhi_registry::store::next_ids;
use xiangzhi_registry::tables::DIVISIONS;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{Db, FieldError, Result, Scope, StoreError};

/// A village's planning profile, with its name and township from the registry.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct VillageProfile {
    pub code: String,
    pub name: String,
    pub township_code: Option<String>,
    pub township_name: Option<String>,
    pub population: i64,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    /// Main industries, '|'-separated.
    pub industries: String,
    /// Collective income in fen.
    pub income_fen: Option<i64>,
    pub standing: Option<String>,
    pub target: bool,
    pub may_lead: bool,
    pub excluded: bool,
    /// Bordering villages' codes, space-separated (empty: borders from positions).
    pub neighbours: String,
}

/// A profile to store (validated by the caller's reader, checked here against the registry).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct VillageProfileInput {
    pub code: String,
    pub population: i64,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    #[serde(default)]
    pub industries: Vec<String>,
    pub income_fen: Option<i64>,
    pub standing: Option<String>,
    pub target: bool,
    pub may_lead: bool,
    #[serde(default)]
    pub excluded: bool,
    #[serde(default)]
    pub neighbours: Vec<String>,
}

/// A plan run: its rules, progress and, once done, the plan (JSON, as the API shows it).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct PlanRecord {
    pub county_id: i64,
    pub id: i64,
    pub division_code: String,
    pub status: String,
    pub params: String,
    pub seed: i64,
    pub villages_done: i64,
    pub villages_total: i64,
    pub result: Option<String>,
    pub error: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub accepted_by: Option<i64>,
    pub accepted_at: Option<i64>,
}

impl PlanRecord {
    /// The plan's result as JSON (`Null` until it is done, or if it cannot be read).
    pub fn result_json(&self) -> serde_json::Value {
        self.result
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(serde_json::Value::Null)
    }
}

/// One village of a formed alliance (a joint party organisation).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct AllianceVillage {
    pub org_id: i64,
    pub org_name: String,
    pub division_code: String,
    pub lead: bool,
    pub plan_id: Option<i64>,
}

/// An alliance of an accepted plan, to be formed.
#[derive(Debug, Clone)]
pub struct NewAlliance {
    pub name: String,
    pub members: Vec<String>,
    pub lead: Option<String>,
}

const PROFILE_COLS: &str = "t.division_code AS code, d.name, d.parent_code AS township_code, \
    p.name AS township_name, t.population, t.longitude, t.latitude, t.industries, t.income_fen, \
    t.standing, t.target, t.may_lead, t.excluded, t.neighbours";

const PLAN_COLS: &str = "t.county_id, t.id, t.division_code, t.status, t.params, t.seed, \
    t.villages_done, t.villages_total, t.result, t.error, t.created_by, t.created_at, \
    t.finished_at, t.accepted_by, t.accepted_at";

fn row_error(row: usize, field: &str, zh: String, en: String) -> FieldError {
    FieldError::new(format!("rows[{row}].{field}"), Invalid::new(zh, en))
}

/// The feature's queries, as methods of the store.
#[ext(AllianceStore)]
pub impl Db {
    /// The profiles of the villages in scope, by code.
    async fn village_profiles(&self, scope: &Scope) -> Result<Vec<VillageProfile>> {
        let mut q = Q::new(&format!(
            "SELECT {PROFILE_COLS} FROM village_profiles t \
             JOIN divisions d ON d.county_id = t.county_id AND d.code = t.division_code \
             LEFT JOIN divisions p ON p.county_id = d.county_id AND p.code = d.parent_code WHERE 1=1"
        ));
        scope.filter(&mut q, &VILLAGE_PROFILES, "t", "division_code");
        q.push(" ORDER BY t.county_id, t.division_code");
        self.all(&q).await
    }

    /// Stores profiles (new or replacing), all or none: every row must name a village of the
    /// registry inside the caller's scope, once; every error is reported with its row.
    async fn put_village_profiles(
        &self,
        scope: &Scope,
        rows: &[VillageProfileInput],
        now: i64,
    ) -> Result<usize> {
        let mut q = Q::new("SELECT t.code, t.county_id FROM divisions t WHERE t.level = 'village'");
        scope.filter(&mut q, &DIVISIONS, "t", "code");
        let known: HashMap<String, i64> =
            self.all::<(String, i64)>(&q).await?.into_iter().collect();
        let mut errors = Vec::new();
        let mut seen = HashSet::new();
        let codes: HashSet<&str> = rows.iter().map(|r| r.code.as_str()).collect();
        for (i, r) in rows.iter().enumerate() {
            if !known.contains_key(&r.code) {
                errors.push(row_error(
                    i,
                    "code",
                    format!("{} 不是本辖区内登记的村", r.code),
                    format!(
                        "{} is not a registered village in your jurisdiction",
                        r.code
                    ),
                ));
            }
            if !seen.insert(r.code.as_str()) {
                errors.push(row_error(
                    i,
                    "code",
                    format!("村 {} 重复", r.code),
                    format!("village {} appears twice", r.code),
                ));
            }
            if !(0..=10_000_000).contains(&r.population) {
                errors.push(row_error(
                    i,
                    "population",
                    "人口应在 0 到 10,000,000 之间".into(),
                    "population should be between 0 and 10,000,000".into(),
                ));
            }
            if let Some(f) = r
                .income_fen
                .filter(|f| !(0..=100_000_000_000_000).contains(f))
            {
                errors.push(row_error(
                    i,
                    "income_fen",
                    format!("村集体收入不能为负数或过大（收到{f}分）"),
                    format!("collective income cannot be negative or huge (got {f} fen)"),
                ));
            }
            match (r.longitude, r.latitude) {
                (None, None) => {}
                (Some(x), Some(y))
                    if (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y) => {}
                _ => errors.push(row_error(
                    i,
                    "longitude",
                    "经纬度应成对给出且在有效范围内".into(),
                    "longitude and latitude go together and must be in range".into(),
                )),
            }
            if let Some(s) = &r.standing {
                if s.chars().count() > 40 {
                    errors.push(row_error(
                        i,
                        "standing",
                        "支部评定过长".into(),
                        "branch standing is too long".into(),
                    ));
                }
            }
            if r.industries
                .iter()
                .any(|s| s.contains('|') || s.chars().count() > 40)
            {
                errors.push(row_error(
                    i,
                    "industries",
                    "产业名称不能含“|”且不超过40字".into(),
                    "an industry name may not contain '|' and has at most 40 characters".into(),
                ));
            }
            for n in &r.neighbours {
                if !known.contains_key(n) && !codes.contains(n.as_str()) {
                    errors.push(row_error(
                        i,
                        "neighbours",
                        format!("相邻村 {n} 不是本辖区内登记的村"),
                        format!("neighbour {n} is not a registered village in your jurisdiction"),
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let mut tx = self.begin().await?;
        for r in rows {
            tx.exec(&Q::with(
                "INSERT INTO village_profiles (county_id, division_code, population, longitude, latitude, industries, \
                 income_fen, standing, target, may_lead, excluded, neighbours, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (county_id, division_code) DO UPDATE SET \
                 population = excluded.population, longitude = excluded.longitude, latitude = excluded.latitude, \
                 industries = excluded.industries, income_fen = excluded.income_fen, standing = excluded.standing, \
                 target = excluded.target, may_lead = excluded.may_lead, excluded = excluded.excluded, \
                 neighbours = excluded.neighbours, updated_at = excluded.updated_at",
                vec![
                    known[&r.code].into(),
                    r.code.clone().into(),
                    r.population.into(),
                    r.longitude.into(),
                    r.latitude.into(),
                    r.industries.join("|").into(),
                    r.income_fen.into(),
                    r.standing.clone().into(),
                    Arg::Bool(r.target),
                    Arg::Bool(r.may_lead),
                    Arg::Bool(r.excluded),
                    r.neighbours.join(" ").into(),
                    now.into(),
                ],
            ))
            .await?;
            // A village's position is the registry's too: every map draws its area from it.
            if let (Some(lat), Some(lon)) = (r.latitude, r.longitude) {
                xiangzhi_registry::store::position_division(
                    &mut tx,
                    known[&r.code],
                    &r.code,
                    lat,
                    lon,
                )
                .await?;
            }
        }
        tx.audit(
            scope.actor(),
            "store village profiles",
            format!("{} villages", rows.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(rows.len())
    }

    /// Starts a plan of `division` (a county or township in scope): queued, to be run by a job.
    #[allow(clippy::too_many_arguments)]
    async fn create_plan(
        &self,
        scope: &Scope,
        division: &DivisionCode,
        params: &str,
        seed: i64,
        villages: i64,
        user: Option<i64>,
        now: i64,
    ) -> Result<PlanRecord> {
        let county_id = division.county_id().ok_or(StoreError::NotFound)?;
        let mut q = Q::with(
            "SELECT t.county_id FROM divisions t WHERE t.county_id = ? AND t.code = ?",
            vec![county_id.into(), division.as_str().into()],
        );
        scope.filter(&mut q, &DIVISIONS, "t", "code");
        if self.optional::<(i64,)>(&q).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.begin().await?;
        let id = next_ids(&mut tx, county_id, "alliance_plan", 1).await?;
        tx.exec(&Q::with(
            "INSERT INTO alliance_plans (county_id, id, division_code, status, params, seed, villages_done, \
             villages_total, result, error, created_by, created_at, finished_at, accepted_by, accepted_at) \
             VALUES (?, ?, ?, 'queued', ?, ?, 0, ?, NULL, NULL, ?, ?, NULL, NULL, NULL)",
            vec![
                county_id.into(),
                id.into(),
                division.as_str().into(),
                params.into(),
                seed.into(),
                villages.into(),
                user.into(),
                now.into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "start alliance plan",
            format!("plan {county_id}:{id} of {division}"),
        )
        .await?;
        tx.commit().await?;
        self.get_plan(scope, id).await
    }

    /// Records a running plan's progress (the planning job only).
    async fn plan_progress(&self, county_id: i64, id: i64, done: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.bookkeeping(xiangzhi_storage::Bookkeeping::WorkerProgress);
        tx.exec(&Q::with(
            "UPDATE alliance_plans SET status = 'running', villages_done = ? \
             WHERE county_id = ? AND id = ? AND status IN ('queued', 'running')",
            vec![done.into(), county_id.into(), id.into()],
        ))
        .await?;
        tx.commit().await
    }

    /// Records how a plan ended: its result (JSON) or what went wrong (the planning job only).
    async fn finish_plan(
        &self,
        county_id: i64,
        id: i64,
        outcome: std::result::Result<String, String>,
        now: i64,
    ) -> Result<()> {
        let (status, result, error) = match outcome {
            Ok(r) => ("done", Some(r), None),
            Err(e) => ("failed", None, Some(e)),
        };
        // The job's own write is the system's, after the request that started it was the
        // caller's.
        let by = xiangzhi_storage::Actor::system("planner");
        let mut entry = by.entry("finish alliance plan", format!("plan {county_id}:{id}"));
        entry.outcome = match &error {
            None => "done".into(),
            Some(why) => format!("failed: {why}").chars().take(200).collect(),
        };
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "UPDATE alliance_plans SET status = ?, villages_done = CASE WHEN ? = 'done' THEN villages_total ELSE villages_done END, \
             result = ?, error = ?, finished_at = ? WHERE county_id = ? AND id = ? AND status IN ('queued', 'running')",
            vec![
                status.into(),
                status.into(),
                result.into(),
                error.into(),
                now.into(),
                county_id.into(),
                id.into(),
            ],
        ))
        .await?;
        tx.audit_entry(&by, &entry).await?;
        tx.commit().await
    }

    /// Marks the plans a stopped server left queued or running as failed (at start-up: their jobs
    /// died with the process). Returns how many.
    async fn fail_unfinished_plans(&self, now: i64) -> Result<u64> {
        let mut tx = self.begin().await?;
        let n = tx
            .exec(&Q::with(
                "UPDATE alliance_plans SET status = 'failed', error = ?, finished_at = ? \
                 WHERE status IN ('queued', 'running')",
                vec![
                    "服务重启，规划中断，请重新规划 / the server restarted while planning: plan again"
                        .into(),
                    now.into(),
                ],
            ))
            .await?;
        if n == 0 {
            // Nothing was unfinished: the transaction wrote nothing and ends without an entry.
            drop(tx);
            return Ok(0);
        }
        let by = xiangzhi_storage::Actor::system("start-up");
        tx.audit(&by, "fail unfinished plans", format!("{n} plans"))
            .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// A plan in scope.
    async fn get_plan(&self, scope: &Scope, id: i64) -> Result<PlanRecord> {
        let mut q = Q::with(
            &format!("SELECT {PLAN_COLS} FROM alliance_plans t WHERE t.id = ?"),
            vec![id.into()],
        );
        scope.filter(&mut q, &ALLIANCE_PLANS, "t", "division_code");
        self.one(&q).await
    }

    /// The latest plans in scope, newest first (without their results).
    async fn list_plans(&self, scope: &Scope, limit: i64) -> Result<Vec<PlanRecord>> {
        let mut q = Q::new(&format!(
            "SELECT {} FROM alliance_plans t WHERE 1=1",
            PLAN_COLS.replace("t.result", "NULL AS result")
        ));
        scope.filter(&mut q, &ALLIANCE_PLANS, "t", "division_code");
        let l = q.arg(limit.clamp(1, 500));
        q.push(&format!(" ORDER BY t.created_at DESC, t.id DESC LIMIT {l}"));
        self.all(&q).await
    }

    /// The villages of the alliances already formed in scope.
    async fn alliance_villages(&self, scope: &Scope) -> Result<Vec<AllianceVillage>> {
        let mut q = Q::new(
            "SELECT t.org_id, o.name AS org_name, t.division_code, t.lead, t.plan_id FROM alliance_villages t \
             JOIN party_orgs o ON o.county_id = t.county_id AND o.id = t.org_id WHERE 1=1",
        );
        scope.filter(&mut q, &ALLIANCE_VILLAGES, "t", "division_code");
        q.push(" ORDER BY t.county_id, t.org_id, t.division_code");
        self.all(&q).await
    }

    /// Accepts a finished plan: one joint party organisation (联合党委) per new alliance, under
    /// the lead village's township committee, and its villages recorded; all or nothing. A
    /// village already in an alliance refuses the whole acceptance.
    async fn accept_plan(
        &self,
        scope: &Scope,
        id: i64,
        alliances: &[NewAlliance],
        user: Option<i64>,
        now: i64,
    ) -> Result<Vec<PartyOrg>> {
        let plan = self.get_plan(scope, id).await?;
        if plan.status != "done" {
            return Err(StoreError::conflict(
                "status",
                format!("方案状态为“{}”，只能采纳已完成的方案", plan.status),
                format!(
                    "the plan is '{}': only a finished plan can be accepted",
                    plan.status
                ),
            ));
        }
        let county_id = plan.county_id;
        let mut tx = self.begin().await?;
        let cas = tx
            .exec(&Q::with(
                "UPDATE alliance_plans SET status = 'accepted', accepted_by = ?, accepted_at = ? \
                 WHERE county_id = ? AND id = ? AND status = 'done'",
                vec![user.into(), now.into(), county_id.into(), id.into()],
            ))
            .await?;
        if cas != 1 {
            return Err(StoreError::conflict(
                "status",
                "方案已被他人采纳或更改",
                "the plan was accepted or changed by someone else",
            ));
        }
        let mut created = Vec::with_capacity(alliances.len());
        for a in alliances {
            let mut q = Q::with(
                "SELECT t.division_code, o.name FROM alliance_villages t \
                 JOIN party_orgs o ON o.county_id = t.county_id AND o.id = t.org_id WHERE t.county_id = ?",
                vec![county_id.into()],
            );
            if a.members.is_empty() || a.members.iter().any(|m| !scope.covers(m)) {
                return Err(StoreError::NotFound);
            }
            let list: Vec<String> = a.members.iter().map(|m| q.arg(m.clone())).collect();
            q.push(&format!(" AND t.division_code IN ({})", list.join(", ")));
            if let Some((code, org)) = tx.optional::<(String, String)>(&q).await? {
                return Err(StoreError::conflict(
                    "alliances",
                    format!("村 {code} 已属于{org}"),
                    format!("village {code} already belongs to {org}"),
                ));
            }
            let lead = a.lead.clone().unwrap_or_else(|| a.members[0].clone());
            let lead_code = DivisionCode::parse(&lead)
                .map_err(|e| StoreError::invalid("alliances", e.zh.clone(), e.en.clone()))?;
            let township: Option<(Option<String>,)> = tx
                .optional(&Q::with(
                    "SELECT t.parent_code FROM divisions t WHERE t.county_id = ? AND t.code = ?",
                    vec![county_id.into(), lead.clone().into()],
                ))
                .await?;
            let township = township.and_then(|t| t.0);
            let parent: Option<(i64,)> = match &township {
                Some(code) => {
                    tx.optional(&Q::with(
                        "SELECT t.id FROM party_orgs t WHERE t.county_id = ? AND t.division_code = ? AND t.kind = 'committee' ORDER BY t.id LIMIT 1",
                        vec![county_id.into(), code.clone().into()],
                    ))
                    .await?
                }
                None => None,
            };
            // The organisation sits at the lead village's township (the lead village when the
            // township lies outside the caller's scope).
            let division = township
                .as_deref()
                .and_then(|t| DivisionCode::parse(t).ok())
                .filter(|t| scope.covers(t.as_str()))
                .unwrap_or(lead_code);
            let org = insert_party_org(
                &mut tx,
                scope,
                &ValidPartyOrg {
                    code: None,
                    kind: PartyOrgKind::JointCommittee,
                    name: a.name.clone(),
                    parent_id: parent.map(|p| p.0),
                    division,
                    standing: BranchStanding::Ordinary,
                },
            )
            .await?;
            for m in &a.members {
                tx.exec(&Q::with(
                    "INSERT INTO alliance_villages (county_id, org_id, division_code, lead, plan_id) VALUES (?, ?, ?, ?, ?)",
                    vec![
                        county_id.into(),
                        org.id.into(),
                        m.clone().into(),
                        Arg::Bool(*m == lead),
                        id.into(),
                    ],
                ))
                .await?;
            }
            created.push(org);
        }
        tx.audit(
            scope.actor(),
            "accept alliance plan",
            format!("plan {county_id}:{id}, {} alliances", created.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }
}
