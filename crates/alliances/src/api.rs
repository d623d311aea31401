//! Cross-village alliance planning (跨村联建): village profiles, plans run as background jobs with
//! progress, comparing two plans, and accepting one (which forms the joint party organisations).

use crate::files::{formed_alliances, plan_json, villages_from_profiles, ReadOptions, Villages};
use crate::store::{AllianceStore, NewAlliance, PlanRecord, VillageProfile, VillageProfileInput};
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xiangzhi_domain::DivisionCode;
use xiangzhi_party::PartyOrg;
use xiangzhi_storage::now_ms;
use xiangzhi_web::error::{ApiError, Problem};
use xiangzhi_web::rights::{Authorized, ReadRegistry, WriteStructure};
use xiangzhi_web::{AppState, Caller, Json, Path};

type R<T> = Result<T, ApiError>;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_profiles, put_profiles))
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(get_plan))
        .routes(routes!(accept_plan))
        .routes(routes!(compare_plans))
}

/// The rules of a plan and the officials' adjustments. Everything but the division is optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PlanRequest {
    /// The county or township to plan.
    pub division_code: String,
    pub min_villages: Option<usize>,
    pub max_villages: Option<usize>,
    pub min_population: Option<u32>,
    pub max_population: Option<u32>,
    /// "Strong leads weak": exactly one lead village per alliance (default true).
    pub one_lead: Option<bool>,
    /// Keep every alliance inside one township (default false).
    pub same_township: Option<bool>,
    /// Largest distance between two members, km.
    pub max_distance_km: Option<f64>,
    /// With positions only: the longest border drawn, km (default 5).
    pub link_km: Option<f64>,
    /// Pairs of village codes that must share an alliance if placed.
    #[serde(default)]
    pub pins: Vec<[String; 2]>,
    /// Pairs of village codes that must not share an alliance.
    #[serde(default)]
    pub forbids: Vec<[String; 2]>,
    /// Alliances to keep as they are (besides those already formed, which are always kept).
    #[serde(default)]
    pub locks: Vec<Vec<String>>,
    /// Villages to leave out of this plan.
    #[serde(default)]
    pub exclude: Vec<String>,
    pub seed: Option<u64>,
    /// Time limit, seconds (default 10; 0.1 to 120).
    #[schema(minimum = 0.1, maximum = 120)]
    pub seconds: Option<f64>,
}

/// A plan: its rules, progress, and once done the alliances, villages and unplaced targets.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub id: i64,
    pub division_code: String,
    /// queued, running, done, failed or accepted.
    pub status: String,
    pub villages_done: i64,
    pub villages_total: i64,
    #[schema(value_type = Object)]
    pub params: Value,
    pub seed: i64,
    /// The plan once done (null before).
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
    pub error: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub accepted_at: Option<i64>,
}

impl From<PlanRecord> for PlanView {
    fn from(r: PlanRecord) -> Self {
        let result = Some(r.result_json()).filter(|v| !v.is_null());
        PlanView {
            id: r.id,
            division_code: r.division_code,
            status: r.status,
            villages_done: r.villages_done,
            villages_total: r.villages_total,
            params: serde_json::from_str(&r.params).unwrap_or(Value::Null),
            seed: r.seed,
            result,
            error: r.error,
            created_at: r.created_at,
            finished_at: r.finished_at,
            accepted_at: r.accepted_at,
        }
    }
}

/// A request that is well formed but cannot be planned (422, naming the field).
fn bad(field: &str, zh: String, en: String) -> ApiError {
    xiangzhi_storage::StoreError::invalid(field, zh, en).into()
}

/// 村情 (planning profiles) of the villages in the caller's jurisdiction.
#[utoipa::path(get, path = "/village-profiles", tag = "alliances",
    responses((status = 200, body = Vec<VillageProfile>)))]
pub async fn list_profiles(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
) -> R<Json<Vec<VillageProfile>>> {
    Ok(Json(s.db.village_profiles(&c.scope).await?))
}

/// Stores village profiles, all or none; every bad row is reported with its index and field.
#[utoipa::path(put, path = "/village-profiles", tag = "alliances",
    request_body = Vec<VillageProfileInput>,
    responses((status = 200, body = Object), (status = 422, body = Problem)))]
pub async fn put_profiles(
    State(s): State<AppState>,
    c: Authorized<WriteStructure>,
    Json(rows): Json<Vec<VillageProfileInput>>,
) -> R<Json<Value>> {
    let n = s.db.put_village_profiles(&c.scope, &rows, now_ms()).await?;
    Ok(Json(json!({ "stored": n })))
}

/// The latest plans in the caller's jurisdiction (without their results).
#[utoipa::path(get, path = "/plans", tag = "alliances",
    responses((status = 200, body = Vec<PlanView>)))]
pub async fn list_plans(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
) -> R<Json<Vec<PlanView>>> {
    let list = s.db.list_plans(&c.scope, 50).await?;
    Ok(Json(list.into_iter().map(PlanView::from).collect()))
}

/// A plan with its progress and, once done, its result.
#[utoipa::path(get, path = "/plans/{id}", tag = "alliances", params(("id" = i64, Path)),
    responses((status = 200, body = PlanView), (status = 404, body = Problem)))]
pub async fn get_plan(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path(id): Path<i64>,
) -> R<Json<PlanView>> {
    Ok(Json(s.db.get_plan(&c.scope, id).await?.into()))
}

/// The problem a request describes: the division's village profiles, the rules, the alliances
/// already formed (locked), and the officials' locks, pins, forbids and exclusions.
pub async fn build_problem(
    s: &AppState,
    c: &Caller,
    req: &PlanRequest,
) -> R<(DivisionCode, Villages, Vec<Option<(f64, f64)>>)> {
    let division = DivisionCode::parse(req.division_code.trim())
        .map_err(|e| bad("division_code", e.zh, e.en))?;
    let scope = c
        .scope
        .narrow(&division)
        .ok_or(ApiError::from(xiangzhi_storage::StoreError::NotFound))?;
    let profiles = s.db.village_profiles(&scope).await?;
    if profiles.is_empty() {
        return Err(bad(
            "division_code",
            "该区划下还没有村情数据（人口、位置、产业），请先导入".into(),
            "no village profiles (population, position, industries) under this division yet: import them first".into(),
        ));
    }
    let link = req.link_km.unwrap_or(5.0);
    if !(0.1..=100.0).contains(&link) {
        return Err(bad(
            "link_km",
            "相邻距离应在 0.1 到 100 公里之间".into(),
            "link_km should be between 0.1 and 100".into(),
        ));
    }
    let opts = ReadOptions {
        link_distance_m: link * 1000.0,
        ..ReadOptions::default()
    };
    let mut v = villages_from_profiles(&profiles, &opts).map_err(|e| {
        bad(
            "village_profiles",
            format!("村情数据有误：{e}"),
            format!("the village profiles are not usable: {e}"),
        )
    })?;
    let positions: Vec<Option<(f64, f64)>> = profiles
        .iter()
        .map(|p| p.longitude.zip(p.latitude))
        .collect();
    let p = &mut v.problem.params;
    p.min_villages = req.min_villages.unwrap_or(p.min_villages);
    p.max_villages = req.max_villages.unwrap_or(p.max_villages);
    p.min_population = req.min_population.unwrap_or(p.min_population);
    p.max_population = req.max_population.unwrap_or(p.max_population);
    p.one_lead = req.one_lead.unwrap_or(p.one_lead);
    p.same_township = req.same_township.unwrap_or(p.same_township);
    p.max_distance = req.max_distance_km.map(|k| k * 1000.0);
    if !(1..=10).contains(&p.min_villages) || !(1..=10).contains(&p.max_villages) {
        return Err(bad(
            "max_villages",
            "每个联建的村数应在 1 到 10 之间".into(),
            "villages per alliance should be between 1 and 10".into(),
        ));
    }
    let index: HashMap<String, usize> = v
        .problem
        .villages
        .iter()
        .enumerate()
        .map(|(i, x)| (x.code.clone(), i))
        .collect();
    let find = |field: &str, code: &str| -> R<usize> {
        index.get(code.trim()).copied().ok_or_else(|| {
            bad(
                field,
                format!("村 {code} 不在规划范围内或没有村情数据"),
                format!("village {code} is not in the planned area or has no profile"),
            )
        })
    };
    let mut taken = BTreeSet::new();
    // Alliances already formed are kept as they are.
    let mut locked = formed_alliances(&v, &s.db.alliance_villages(&scope).await?);
    for (k, group) in req.locks.iter().enumerate() {
        let mut g = Vec::new();
        for code in group {
            g.push(find(&format!("locks[{k}]"), code)?);
        }
        locked.push(g);
    }
    for g in &locked {
        for &i in g {
            if !taken.insert(i) {
                return Err(bad(
                    "locks",
                    format!("村 {} 出现在两个锁定的联建中", v.problem.villages[i].code),
                    format!(
                        "village {} is in two locked alliances",
                        v.problem.villages[i].code
                    ),
                ));
            }
        }
    }
    locked.sort();
    v.problem.locked = locked;
    for (k, [a, b]) in req.pins.iter().enumerate() {
        let pair = (
            find(&format!("pins[{k}]"), a)?,
            find(&format!("pins[{k}]"), b)?,
        );
        v.problem.pinned.push(pair);
    }
    for (k, [a, b]) in req.forbids.iter().enumerate() {
        let pair = (
            find(&format!("forbids[{k}]"), a)?,
            find(&format!("forbids[{k}]"), b)?,
        );
        v.problem.forbidden.push(pair);
    }
    for (k, code) in req.exclude.iter().enumerate() {
        let i = find(&format!("exclude[{k}]"), code)?;
        v.problem.villages[i].excluded = true;
    }
    v.problem.validate().map_err(|e| {
        bad(
            "params",
            format!("规划条件有误：{}", e.0),
            format!("the rules are not consistent: {}", e.0),
        )
    })?;
    Ok((division, v, positions))
}

/// Starts a plan as a background job; poll `GET /plans/{id}` for progress and the result.
#[utoipa::path(post, path = "/plans", tag = "alliances", request_body = PlanRequest,
    responses((status = 202, body = PlanView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_plan(
    State(s): State<AppState>,
    c: Authorized<WriteStructure>,
    Json(req): Json<PlanRequest>,
) -> R<(StatusCode, Json<PlanView>)> {
    let rec = start_plan(&s, &c, &req).await?;
    Ok((StatusCode::ACCEPTED, Json(rec.into())))
}

/// Records a plan and starts its job (for the API and the console).
pub async fn start_plan(s: &AppState, c: &Caller, req: &PlanRequest) -> R<PlanRecord> {
    let (division, v, positions) = build_problem(s, c, req).await?;
    let seed = req.seed.unwrap_or(1);
    let seconds = match req.seconds {
        None => 10.0,
        Some(x) if x.is_finite() && (0.1..=120.0).contains(&x) => x,
        Some(x) => {
            return Err(bad(
                "seconds",
                format!("时间限制应在0.1到120秒之间，收到{x}"),
                format!("seconds must be between 0.1 and 120, got {x}"),
            ))
        }
    };
    for (field, v) in [
        ("max_distance_km", req.max_distance_km),
        ("link_km", req.link_km),
    ] {
        if let Some(x) = v.filter(|x| !(x.is_finite() && *x > 0.0 && *x <= 1000.0)) {
            return Err(bad(
                field,
                format!("距离应大于0且不超过1000公里，收到{x}"),
                format!("a distance must be above 0 and at most 1000 km, got {x}"),
            ));
        }
    }
    let params = serde_json::to_string(req).unwrap_or_default();
    let free = v.problem.villages.len() as i64;
    let rec =
        s.db.create_plan(
            &c.scope,
            &division,
            &params,
            seed as i64,
            free,
            Some(c.user.id),
            now_ms(),
        )
        .await?;
    let (county, id) = (rec.county_id, rec.id);
    let db = s.db.clone();
    tokio::spawn(async move {
        let done = Arc::new(AtomicUsize::new(0));
        let seen = done.clone();
        let job = tokio::task::spawn_blocking(move || {
            let plan = xiangzhi_planner::solve_with(
                &v.problem,
                seed,
                Duration::from_secs_f64(seconds),
                &|p: xiangzhi_planner::Progress| seen.store(p.villages_done, Ordering::Relaxed),
            );
            plan.map(|plan| {
                let (groups, leads) = plan.groups();
                let violations = xiangzhi_planner::check(&v.problem, &groups, &leads);
                (plan_json(&v, &plan, &positions), violations)
            })
        });
        tokio::pin!(job);
        let mut last = 0;
        let outcome = loop {
            tokio::select! {
                r = &mut job => break r,
                _ = tokio::time::sleep(Duration::from_millis(200)) => {
                    let now = done.load(Ordering::Relaxed);
                    if now != last {
                        last = now;
                        if let Err(e) = db.plan_progress(county, id, now as i64).await {
                            tracing::warn!(error = %e, plan = id, "plan progress not recorded");
                        }
                    }
                }
            }
        };
        let outcome = match outcome {
            Ok(Ok((json, violations))) if violations.is_empty() => Ok(json.to_string()),
            Ok(Ok((_, violations))) => Err(format!(
                "方案未通过独立核对 / the plan failed the independent check: {violations:?}"
            )),
            Ok(Err(e)) => Err(format!("规划无法进行 / cannot plan: {}", e.0)),
            Err(e) => Err(format!("规划中断 / planning stopped: {e}")),
        };
        if let Err(e) = db.finish_plan(county, id, outcome, now_ms()).await {
            tracing::error!(error = %e, plan = id, "plan result not recorded");
        }
    });
    Ok(rec)
}

/// The alliances of a plan's result: member codes (ascending), lead, locked.
fn alliances_of(result: &Value) -> Vec<(Vec<String>, Option<String>, bool)> {
    result["alliances"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|a| {
                    let mut members: Vec<String> = a["members"]
                        .as_array()
                        .map(|m| {
                            m.iter()
                                .filter_map(|x| x["code"].as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default();
                    members.sort();
                    (
                        members,
                        a["lead"].as_str().map(String::from),
                        a["locked"].as_bool().unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Accepts a finished plan: each new alliance becomes a joint party organisation (联合党委)
/// under its lead village's township committee, with its villages recorded; all or nothing.
#[utoipa::path(post, path = "/plans/{id}/accept", tag = "alliances", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PartyOrg>), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn accept_plan(
    State(s): State<AppState>,
    c: Authorized<WriteStructure>,
    Path(id): Path<i64>,
) -> R<Json<Vec<PartyOrg>>> {
    Ok(Json(accept(&s, &c, id).await?))
}

/// Accepts a plan (for the API and the console): the joint committees it formed.
pub async fn accept(s: &AppState, c: &Caller, id: i64) -> R<Vec<PartyOrg>> {
    let result = s.db.get_plan(&c.scope, id).await?.result_json();
    let names: HashMap<String, String> = result["villages"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|v| {
                    Some((
                        v["code"].as_str()?.to_string(),
                        v["name"].as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let new: Vec<NewAlliance> = alliances_of(&result)
        .into_iter()
        .filter(|(_, _, locked)| !*locked)
        .map(|(members, lead, _)| {
            let head = lead.clone().unwrap_or_else(|| members[0].clone());
            let name = names.get(&head).cloned().unwrap_or(head);
            NewAlliance {
                name: format!("{name}等{}村联合党委", members.len()),
                members,
                lead,
            }
        })
        .collect();
    Ok(s.db
        .accept_plan(&c.scope, id, &new, Some(c.user.id), now_ms())
        .await?)
}

/// What two plans share and where they differ: alliances in both, only in the first, only in the
/// second, and the score parts side by side.
#[utoipa::path(get, path = "/plans/{id}/compare/{other}", tag = "alliances",
    params(("id" = i64, Path), ("other" = i64, Path)),
    responses((status = 200, body = Object), (status = 404, body = Problem)))]
pub async fn compare_plans(
    State(s): State<AppState>,
    c: Authorized<ReadRegistry>,
    Path((id, other)): Path<(i64, i64)>,
) -> R<Json<Value>> {
    let a = s.db.get_plan(&c.scope, id).await?.result_json();
    let b = s.db.get_plan(&c.scope, other).await?.result_json();
    Ok(Json(compare(&a, &b)))
}

/// The comparison of two plan results.
pub fn compare(a: &Value, b: &Value) -> Value {
    let set =
        |v: &Value| -> BTreeSet<Vec<String>> { alliances_of(v).into_iter().map(|x| x.0).collect() };
    let (sa, sb) = (set(a), set(b));
    json!({
        "score": [a["score"].clone(), b["score"].clone()],
        "both": sa.intersection(&sb).collect::<Vec<_>>(),
        "only_first": sa.difference(&sb).collect::<Vec<_>>(),
        "only_second": sb.difference(&sa).collect::<Vec<_>>(),
    })
}
