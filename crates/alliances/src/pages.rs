//! 跨村联建: plan alliances for a county or township, watch the job's progress, see the plan on a
//! map (ECharts, embedded) with the alliance table, score parts and the unplaced villages with
//! reasons, re-plan with alliances locked and pairs pinned or forbidden, compare two plans, and
//! accept one (forming the joint party committees). Everything goes through the API's functions,
//! so the console plans and accepts exactly as the API does, within the viewer's jurisdiction.

use crate::api::{accept, compare, start_plan, PlanRequest, PlanView};
use crate::store::AllianceStore;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::Value;
use xiangzhi_domain::Right;
use xiangzhi_registry::own_and_below;
use xiangzhi_web::console::{html, Chrome, PageError, St, Viewer};

type P = Result<Response, PageError>;

/// A plan's row in the list.
pub struct PlanRow {
    pub id: i64,
    pub division: String,
    pub status: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "alliances.html")]
struct ListPage {
    c: Chrome,
    plans: Vec<PlanRow>,
    divisions: Vec<(String, String)>,
    form: PlanForm,
    error: String,
    profiles: usize,
    /// Whether this account may start and accept plans (otherwise the page only shows them).
    can_plan: bool,
}

/// One alliance as the page shows it.
pub struct AllianceRow {
    pub number: u64,
    pub members: String,
    pub codes: String,
    pub lead: String,
    pub population: u64,
    pub targets: u64,
    pub heterogeneity: u64,
    pub shared: String,
    pub spread_km: String,
    pub locked: bool,
}

#[derive(Template)]
#[template(path = "alliance_plan.html")]
struct PlanPage {
    c: Chrome,
    /// Whether this account may re-plan and accept (otherwise no form is shown).
    can_plan: bool,
    p: PlanView,
    status: String,
    percent: i64,
    rows: Vec<AllianceRow>,
    unplaced: Vec<(String, String, String)>,
    score: Vec<(String, String)>,
    map_data: String,
    form: PlanForm,
    others: Vec<PlanRow>,
}

#[derive(Template)]
#[template(path = "alliance_compare.html")]
struct ComparePage {
    c: Chrome,
    a: i64,
    b: i64,
    score: Vec<(String, String, String)>,
    both: usize,
    only_a: Vec<String>,
    only_b: Vec<String>,
}

/// The plan form: rules, adjustments (one pair or alliance per line) and the area.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    pub division_code: String,
    #[serde(default)]
    pub min_villages: String,
    #[serde(default)]
    pub max_villages: String,
    #[serde(default)]
    pub min_population: String,
    #[serde(default)]
    pub max_population: String,
    /// "1" when each alliance needs exactly one lead village.
    #[serde(default)]
    pub one_lead: Option<String>,
    #[serde(default)]
    pub same_township: Option<String>,
    #[serde(default)]
    pub max_distance_km: String,
    #[serde(default)]
    pub locks: String,
    #[serde(default)]
    pub pins: String,
    #[serde(default)]
    pub forbids: String,
    #[serde(default)]
    pub exclude: String,
    #[serde(default)]
    pub seed: String,
    /// Alliance numbers of the plan shown to lock (checkboxes), with their member codes.
    #[serde(default)]
    pub lock: Vec<String>,
}

fn codes(line: &str) -> Vec<String> {
    line.split(|c: char| c == ',' || c == '，' || c == ';' || c == '、' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

impl PlanForm {
    fn request(&self) -> Result<PlanRequest, (String, String)> {
        fn num<T: std::str::FromStr>(field: &str, v: &str) -> Result<Option<T>, (String, String)> {
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            v.parse().map(Some).map_err(|_| {
                (
                    format!("“{field}”应为数字：{v}"),
                    format!("'{field}' should be a number: {v}"),
                )
            })
        }
        let pairs = |text: &str, what: &str| -> Result<Vec<[String; 2]>, (String, String)> {
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| match codes(l).as_slice() {
                    [a, b] => Ok([a.clone(), b.clone()]),
                    _ => Err((
                        format!("{what}每行应为两个村代码：{l}"),
                        format!("each line of {what} should hold two village codes: {l}"),
                    )),
                })
                .collect()
        };
        let mut locks: Vec<Vec<String>> = self
            .locks
            .lines()
            .map(codes)
            .filter(|c| !c.is_empty())
            .collect();
        locks.extend(self.lock.iter().map(|l| codes(l)).filter(|c| !c.is_empty()));
        Ok(PlanRequest {
            division_code: self.division_code.trim().to_string(),
            min_villages: num("min_villages", &self.min_villages)?,
            max_villages: num("max_villages", &self.max_villages)?,
            min_population: num("min_population", &self.min_population)?,
            max_population: num("max_population", &self.max_population)?,
            one_lead: Some(self.one_lead.is_some()),
            same_township: Some(self.same_township.is_some()),
            max_distance_km: num("max_distance_km", &self.max_distance_km)?,
            link_km: None,
            pins: pairs(&self.pins, "必须同组 pins")?,
            forbids: pairs(&self.forbids, "不得同组 forbids")?,
            locks,
            exclude: codes(&self.exclude),
            seed: num("seed", &self.seed)?,
            seconds: Some(10.0),
        })
    }

    /// The form that produced a plan, to start from when re-planning.
    fn from_params(p: &Value) -> PlanForm {
        let s = |k: &str| match &p[k] {
            Value::Null => String::new(),
            v => v.to_string().trim_matches('"').to_string(),
        };
        let lines = |k: &str| {
            p[k].as_array()
                .map(|l| {
                    l.iter()
                        .map(|x| {
                            x.as_array()
                                .map(|v| {
                                    v.iter()
                                        .filter_map(|c| c.as_str())
                                        .collect::<Vec<_>>()
                                        .join(",")
                                })
                                .unwrap_or_default()
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default()
        };
        PlanForm {
            division_code: s("division_code"),
            min_villages: s("min_villages"),
            max_villages: s("max_villages"),
            min_population: s("min_population"),
            max_population: s("max_population"),
            one_lead: (p["one_lead"] != Value::Bool(false)).then(|| "1".into()),
            same_township: (p["same_township"] == Value::Bool(true)).then(|| "1".into()),
            max_distance_km: s("max_distance_km"),
            locks: lines("locks").replace(',', " "),
            pins: lines("pins"),
            forbids: lines("forbids"),
            exclude: p["exclude"]
                .as_array()
                .map(|l| {
                    l.iter()
                        .filter_map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default(),
            seed: s("seed"),
            lock: Vec::new(),
        }
    }
}

fn status_text(v: &Viewer, s: &str) -> String {
    let (zh, en) = match s {
        "queued" => ("排队中", "queued"),
        "running" => ("规划中", "running"),
        "done" => ("已完成", "done"),
        "failed" => ("失败", "failed"),
        "accepted" => ("已采纳", "accepted"),
        _ => (s, s),
    };
    v.l.t(zh, en).to_string()
}

async fn plan_rows(s: &xiangzhi_web::AppState, v: &Viewer) -> Result<Vec<PlanRow>, PageError> {
    let list =
        s.db.list_plans(&v.scope(), 50)
            .await
            .map_err(|e| PageError::Store(v.l, e))?;
    Ok(list
        .into_iter()
        .map(|p| PlanRow {
            id: p.id,
            division: p.division_code,
            status: status_text(v, &p.status),
            created: v.l.time(&p.created_at),
        })
        .collect())
}

async fn list_page(s: &xiangzhi_web::AppState, v: &Viewer, form: PlanForm, error: String) -> P {
    let profiles =
        s.db.village_profiles(&v.scope())
            .await
            .map_err(|e| PageError::Store(v.l, e))?
            .len();
    html(ListPage {
        can_plan: v.user.can(Right::WriteStructure),
        c: v.chrome(v.l.t("跨村联建规划", "Cross-village alliances")),
        plans: plan_rows(s, v).await?,
        divisions: own_and_below(s, v, |d| d.level.as_str() != "village").await,
        form,
        error,
        profiles,
    })
}

pub async fn page(axum::extract::State(s): St, v: Viewer) -> P {
    v.need(Right::ReadRegistry)?;
    let form = PlanForm {
        division_code: v.user.division_code.clone(),
        one_lead: Some("1".into()),
        ..Default::default()
    };
    list_page(&s, &v, form, String::new()).await
}

/// Starts a plan from the form (or re-plans with the shown plan's alliances locked).
pub async fn create(axum::extract::State(s): St, v: Viewer, Form(f): Form<PlanForm>) -> P {
    v.need(Right::WriteStructure)?;
    let req = match f.request() {
        Ok(r) => r,
        Err((zh, en)) => return list_page(&s, &v, f, v.l.t(&zh, &en).to_string()).await,
    };
    match start_plan(&s, &v.caller(), &req).await {
        Ok(rec) => Ok(Redirect::to(&format!("/alliances/{}", rec.id)).into_response()),
        Err(e) => {
            let (zh, en) = e.reasons();
            list_page(&s, &v, f, v.l.t(&zh, &en).to_string()).await
        }
    }
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

pub async fn plan(axum::extract::State(s): St, v: Viewer, Path(id): Path<i64>) -> P {
    v.need(Right::ReadRegistry)?;
    let rec =
        s.db.get_plan(&v.scope(), id)
            .await
            .map_err(|e| PageError::Store(v.l, e))?;
    plan_page(&s, &v, rec.into()).await
}

async fn plan_page(s: &xiangzhi_web::AppState, v: &Viewer, p: PlanView) -> P {
    let r = p.result.clone().unwrap_or(Value::Null);
    let names: std::collections::HashMap<String, String> = r["villages"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|x| Some((x["code"].as_str()?.into(), x["name"].as_str()?.into())))
                .collect()
        })
        .unwrap_or_default();
    let rows: Vec<AllianceRow> = r["alliances"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|a| {
                    let members: Vec<(String, String)> = a["members"]
                        .as_array()
                        .map(|m| {
                            m.iter()
                                .map(|x| {
                                    (
                                        x["code"].as_str().unwrap_or("").to_string(),
                                        x["name"].as_str().unwrap_or("").to_string(),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let lead = a["lead"].as_str().unwrap_or("");
                    AllianceRow {
                        number: u(&a["number"]),
                        members: members
                            .iter()
                            .map(|(_, n)| n.as_str())
                            .collect::<Vec<_>>()
                            .join("、"),
                        codes: members
                            .iter()
                            .map(|(c, _)| c.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                        lead: names.get(lead).cloned().unwrap_or_else(|| "—".into()),
                        population: u(&a["population"]),
                        targets: u(&a["targets"]),
                        heterogeneity: u(&a["heterogeneity"]),
                        shared: a["shared_industries"]
                            .as_array()
                            .map(|l| {
                                l.iter()
                                    .filter_map(|x| x.as_str())
                                    .collect::<Vec<_>>()
                                    .join("、")
                            })
                            .unwrap_or_default(),
                        spread_km: format!("{:.1}", u(&a["spread_m"]) as f64 / 1000.0),
                        locked: a["locked"].as_bool().unwrap_or(false),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let unplaced = r["unplaced"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|x| {
                    (
                        x["code"].as_str().unwrap_or("").to_string(),
                        x["name"].as_str().unwrap_or("").to_string(),
                        v.l.t(
                            x["zh"].as_str().unwrap_or(""),
                            x["en"].as_str().unwrap_or(""),
                        )
                        .to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let sc = &r["score"];
    let score = vec![
        (
            v.l.t("重点村纳入", "Target villages placed").to_string(),
            format!("{} / {}", u(&sc["targets_placed"]), u(&sc["targets"])),
        ),
        (
            v.l.t("联建数", "Alliances").to_string(),
            u(&sc["alliances"]).to_string(),
        ),
        (
            v.l.t("纳入村数", "Villages placed").to_string(),
            format!("{} / {}", u(&sc["villages_placed"]), u(&sc["villages"])),
        ),
        (
            v.l.t(
                "产业差异（越小越好）",
                "Industry heterogeneity (lower is better)",
            )
            .to_string(),
            u(&sc["heterogeneity"]).to_string(),
        ),
        (
            v.l.t("联建跨度合计（公里）", "Total alliance span (km)")
                .to_string(),
            format!("{:.1}", u(&sc["spread_m"]) as f64 / 1000.0),
        ),
        (
            v.l.t("可行联建方案数", "Feasible alliances considered")
                .to_string(),
            u(&r["candidates"]).to_string(),
        ),
    ];
    let map_data = serde_json::json!({
        "villages": r["villages"],
        "cells": village_cells(&r["villages"]),
        "alliances": r["alliances"],
        "labels": {
            "unplaced": v.l.t("未纳入", "not placed"),
            "alliance": v.l.t("联建", "Alliance"),
            "lead": v.l.t("牵头村", "lead"),
            "cells": v.l.t(
                "村域为按村委会位置推算的示意范围，并非法定界线",
                "Village areas are drawn from the village offices' positions; they are not legal boundaries"
            ),
        }
    })
    .to_string()
    .replace('<', "\\u003c");
    let percent = if p.villages_total > 0 {
        p.villages_done * 100 / p.villages_total
    } else {
        0
    };
    let others = plan_rows(s, v)
        .await?
        .into_iter()
        .filter(|o| o.id != p.id)
        .collect();
    html(PlanPage {
        can_plan: v.user.can(Right::WriteStructure),
        c: v.chrome(&format!("{} #{}", v.l.t("联建方案", "Alliance plan"), p.id)),
        status: status_text(v, &p.status),
        percent,
        rows,
        unplaced,
        score,
        map_data,
        form: PlanForm::from_params(&p.params),
        others,
        p,
    })
}

pub async fn accept_page(axum::extract::State(s): St, v: Viewer, Path(id): Path<i64>) -> P {
    v.need(Right::WriteStructure)?;
    match accept(&s, &v.caller(), id).await {
        Ok(_) => Ok(Redirect::to(&format!("/alliances/{id}")).into_response()),
        Err(e) => Err(PageError::Api(v.l, e)),
    }
}

#[derive(Deserialize)]
pub struct CompareQuery {
    pub a: i64,
    pub b: i64,
}

pub async fn compare_page(
    axum::extract::State(s): St,
    v: Viewer,
    Query(q): Query<CompareQuery>,
) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let a =
        s.db.get_plan(&scope, q.a)
            .await
            .map_err(|e| PageError::Store(v.l, e))?
            .result_json();
    let b =
        s.db.get_plan(&scope, q.b)
            .await
            .map_err(|e| PageError::Store(v.l, e))?
            .result_json();
    let cmp = compare(&a, &b);
    let names: std::collections::HashMap<String, String> = a["villages"]
        .as_array()
        .into_iter()
        .chain(b["villages"].as_array())
        .flatten()
        .filter_map(|x| Some((x["code"].as_str()?.into(), x["name"].as_str()?.into())))
        .collect();
    let show = |k: &str| -> Vec<String> {
        cmp[k]
            .as_array()
            .map(|l| {
                l.iter()
                    .map(|g| {
                        g.as_array()
                            .map(|m| {
                                m.iter()
                                    .filter_map(|c| c.as_str())
                                    .map(|c| names.get(c).cloned().unwrap_or_else(|| c.into()))
                                    .collect::<Vec<_>>()
                                    .join("、")
                            })
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let part = |k: &str, zh: &str, en: &str| {
        (
            v.l.t(zh, en).to_string(),
            a["score"][k].to_string(),
            b["score"][k].to_string(),
        )
    };
    html(ComparePage {
        c: v.chrome(v.l.t("方案对比", "Compare plans")),
        a: q.a,
        b: q.b,
        score: vec![
            part("targets_placed", "重点村纳入", "Target villages placed"),
            part("alliances", "联建数", "Alliances"),
            part("villages_placed", "纳入村数", "Villages placed"),
            part("heterogeneity", "产业差异", "Industry heterogeneity"),
            part("spread_m", "联建跨度（米）", "Alliance span (m)"),
        ],
        both: cmp["both"].as_array().map(Vec::len).unwrap_or(0),
        only_a: show("only_first"),
        only_b: show("only_second"),
    })
}

/// Each village's area on the map, drawn from the villages' positions (Voronoi cells cut to a
/// disc about the usual distance between neighbours), as `[[lon, lat], …]` by village code: the
/// map's base layer, with no outside dataset to license.
fn village_cells(villages: &serde_json::Value) -> serde_json::Value {
    let located: Vec<(String, (f64, f64))> = villages
        .as_array()
        .map(|vs| {
            vs.iter()
                .filter_map(|v| {
                    Some((
                        v["code"].as_str()?.to_string(),
                        (v["lon"].as_f64()?, v["lat"].as_f64()?),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    if located.len() < 2 {
        return serde_json::json!({});
    }
    const R: f64 = 6_371_008.8;
    let degrees: Vec<(f64, f64)> = located.iter().map(|(_, p)| *p).collect();
    let lat0 = degrees.iter().map(|p| p.1).sum::<f64>() / degrees.len() as f64;
    let k = lat0.to_radians().cos();
    let plane = xiangzhi_planner::geometry::project_degrees(&degrees);
    let back = |(x, y): (f64, f64)| {
        let lon = (x / (R * k)).to_degrees();
        let lat = (y / R).to_degrees();
        [(lon * 1e5).round() / 1e5, (lat * 1e5).round() / 1e5]
    };
    let cells = xiangzhi_planner::geometry::area_cells(&plane);
    serde_json::Value::Object(
        located
            .iter()
            .zip(cells)
            .map(|((code, _), cell)| {
                (
                    code.clone(),
                    serde_json::json!(cell.into_iter().map(back).collect::<Vec<_>>()),
                )
            })
            .collect(),
    )
}
