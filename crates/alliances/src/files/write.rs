//! Plans out, as CSV, .xlsx or GeoJSON (and the JSON the API and the map show), and every
//! feasible alliance as CSV.

use super::read::*;

/// One sheet of the workbook: name, headers, rows.
type Sheet<'a> = (&'a str, Vec<String>, Vec<Vec<String>>);
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use xiangzhi_planner::{Candidate, Plan};
use xiangzhi_tabular::{table, ExchangeError};

/// For each village, the 1-based number of its alliance in the plan and whether it leads.
fn homes(v: &Villages, plan: &Plan) -> Vec<(Option<usize>, bool)> {
    let mut home = vec![(None, false); v.problem.villages.len()];
    for (k, a) in plan.alliances.iter().enumerate() {
        for &m in &a.members {
            home[m] = (Some(k + 1), a.lead == Some(m));
        }
    }
    home
}

/// The plan as JSON, as the API stores and the console shows it: every alliance with its members,
/// lead, population, shared industries and score parts; every village with its position and
/// alliance (1-based, for the map); the unplaced targets with reasons; the score.
pub fn plan_json(v: &Villages, plan: &Plan, positions: &[Option<(f64, f64)>]) -> Value {
    let p = &v.problem;
    let code = |i: usize| p.villages[i].code.clone();
    let home = homes(v, plan);
    let alliances: Vec<Value> = plan
        .alliances
        .iter()
        .enumerate()
        .map(|(k, a)| {
            json!({
                "number": k + 1,
                "members": a.members.iter().map(|&m| json!({"code": code(m), "name": v.names[m]})).collect::<Vec<_>>(),
                "lead": a.lead.map(code),
                "population": a.population,
                "targets": a.targets,
                "heterogeneity": a.heterogeneity,
                "shared_industries": a.shared_industries.iter().filter_map(|&i| v.industries.get(usize::from(i))).collect::<Vec<_>>(),
                "spread_m": a.spread_m,
                "locked": a.locked,
            })
        })
        .collect();
    let villages: Vec<Value> = p
        .villages
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let pos = positions.get(i).copied().flatten();
            let mut o = village_json(v, i, home[i]);
            o["excluded"] = json!(x.excluded);
            o["lon"] = json!(pos.map(|q| q.0));
            o["lat"] = json!(pos.map(|q| q.1));
            o
        })
        .collect();
    let unplaced: Vec<Value> = plan
        .unplaced
        .iter()
        .map(|u| json!({"code": code(u.village), "name": v.names[u.village], "zh": u.zh, "en": u.en}))
        .collect();
    json!({
        "score": {
            "targets_placed": plan.score.targets_placed,
            "targets": p.villages.iter().filter(|x| x.target).count(),
            "alliances": plan.score.alliances,
            "heterogeneity": plan.score.heterogeneity,
            "spread_m": plan.score.spread_m,
            "villages_placed": plan.alliances.iter().map(|a| a.members.len()).sum::<usize>(),
            "villages": p.villages.len(),
        },
        "candidates": plan.candidates,
        "alliances": alliances,
        "villages": villages,
        "unplaced": unplaced,
    })
}

/// What the plan's JSON and GeoJSON say of village `i`: code, name, township, population, flags,
/// industries, and its alliance (1-based) and whether it leads it.
fn village_json(v: &Villages, i: usize, home: (Option<usize>, bool)) -> Value {
    let x = &v.problem.villages[i];
    json!({
        "code": x.code,
        "name": v.names[i],
        "township": v.townships.get(x.township as usize),
        "population": x.population,
        "target": x.target,
        "may_lead": x.may_lead,
        "industries": x.industries.iter()
            .filter_map(|&k| v.industries.get(usize::from(k))).collect::<Vec<_>>(),
        "alliance": home.0,
        "lead": home.1,
    })
}

fn industry_names(v: &Villages, ids: &[u16]) -> String {
    ids.iter()
        .filter_map(|&i| v.industries.get(usize::from(i)))
        .cloned()
        .collect::<Vec<_>>()
        .join(";")
}

/// One row per village: its alliance (blank if none), whether it leads, and for an unplaced
/// target the reason.
fn village_rows(v: &Villages, plan: &Plan) -> Vec<Vec<String>> {
    let home = homes(v, plan);
    let reason: HashMap<usize, (&str, &str)> = plan
        .unplaced
        .iter()
        .map(|u| (u.village, (u.zh, u.en)))
        .collect();
    v.problem
        .villages
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let (zh, en) = reason.get(&i).copied().unwrap_or(("", ""));
            vec![
                home[i].0.map(|k| k.to_string()).unwrap_or_default(),
                x.code.clone(),
                v.names[i].clone(),
                v.townships[x.township as usize].clone(),
                x.population.to_string(),
                yes(home[i].1),
                yes(x.target),
                yes(x.may_lead),
                industry_names(v, &x.industries),
                zh.to_string(),
                en.to_string(),
            ]
        })
        .collect()
}

const VILLAGE_HEADERS: [&str; 11] = [
    "alliance",
    "code",
    "name",
    "township",
    "population",
    "lead",
    "target",
    "may_lead",
    "industries",
    "reason_zh",
    "reason_en",
];

/// One row per alliance: number, lead, members, population, and the score's parts.
fn alliance_rows(v: &Villages, plan: &Plan) -> Vec<Vec<String>> {
    let name = |i: usize| format!("{}（{}）", v.names[i], v.problem.villages[i].code);
    plan.alliances
        .iter()
        .enumerate()
        .map(|(k, a)| {
            vec![
                (k + 1).to_string(),
                a.lead.map(name).unwrap_or_default(),
                a.members
                    .iter()
                    .map(|&m| name(m))
                    .collect::<Vec<_>>()
                    .join("、"),
                a.members.len().to_string(),
                a.population.to_string(),
                a.targets.to_string(),
                industry_names(v, &a.shared_industries),
                a.heterogeneity.to_string(),
                format!("{:.1}", a.spread_m as f64 / 1000.0),
                if a.locked { "是" } else { "否" }.to_string(),
            ]
        })
        .collect()
}

const ALLIANCE_HEADERS: [&str; 10] = [
    "联建 Alliance",
    "牵头村 Lead",
    "成员 Members",
    "村数 Villages",
    "人口 Population",
    "重点村 Targets",
    "共同产业 Shared industries",
    "产业差异 Heterogeneity",
    "跨度（公里）Spread km",
    "锁定 Locked",
];

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> ExchangeError {
    ExchangeError::Format {
        zh: format!("写入表格失败：{e}"),
        en: format!("cannot write spreadsheet: {e}"),
    }
}

/// Writes a plan: `.csv` (one row per village), `.xlsx` (sheets of alliances, villages and
/// unplaced targets with reasons) or `.geojson` (each village's geometry with its alliance).
pub fn write_plan(path: &Path, v: &Villages, plan: &Plan) -> Result<(), ExchangeError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "geojson" | "json" => {
            let home = homes(v, plan);
            let features: Vec<Value> = v
                .problem
                .villages
                .iter()
                .enumerate()
                .map(|(i, _)| {
                    let reason = plan.unplaced.iter().find(|u| u.village == i);
                    let mut properties = village_json(v, i, home[i]);
                    properties["reason_zh"] = json!(reason.map(|u| u.zh));
                    properties["reason_en"] = json!(reason.map(|u| u.en));
                    json!({
                        "type": "Feature",
                        "geometry": v.geometry[i],
                        "properties": properties,
                    })
                })
                .collect();
            let doc = json!({"type": "FeatureCollection", "features": features});
            let text = serde_json::to_string(&doc).map_err(|e| ExchangeError::Format {
                zh: format!("无法生成 GeoJSON：{e}"),
                en: format!("cannot produce GeoJSON: {e}"),
            })?;
            std::fs::write(path, text).map_err(|e| ExchangeError::io(path, e))
        }
        "xlsx" => {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let bold = rust_xlsxwriter::Format::new().set_bold();
            let sheets: [Sheet; 3] = [
                (
                    "联建 Alliances",
                    ALLIANCE_HEADERS.iter().map(|s| s.to_string()).collect(),
                    alliance_rows(v, plan),
                ),
                (
                    "村 Villages",
                    VILLAGE_HEADERS.iter().map(|s| s.to_string()).collect(),
                    village_rows(v, plan),
                ),
                (
                    "未纳入 Unplaced",
                    ["村代码 Code", "村名 Name", "原因", "Reason"]
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                    plan.unplaced
                        .iter()
                        .map(|u| {
                            vec![
                                v.problem.villages[u.village].code.clone(),
                                v.names[u.village].clone(),
                                u.zh.to_string(),
                                u.en.to_string(),
                            ]
                        })
                        .collect(),
                ),
            ];
            for (name, headers, rows) in sheets {
                let ws = wb.add_worksheet();
                ws.set_name(name).map_err(xlsx_err)?;
                for (c, h) in headers.iter().enumerate() {
                    ws.write_string_with_format(0, c as u16, h, &bold)
                        .map_err(xlsx_err)?;
                }
                for (r, row) in rows.iter().enumerate() {
                    for (c, cell) in row.iter().enumerate() {
                        if !cell.is_empty() {
                            ws.write_string(r as u32 + 1, c as u16, cell)
                                .map_err(xlsx_err)?;
                        }
                    }
                }
            }
            wb.save(path).map_err(xlsx_err)
        }
        _ => table::write(
            path,
            &VILLAGE_HEADERS.map(String::from),
            &village_rows(v, plan),
        ),
    }
}

/// Writes every feasible alliance, one row each: members (codes joined by ';'), population,
/// targets, heterogeneity, spread in metres, lead.
pub fn write_candidates(
    path: &Path,
    v: &Villages,
    cands: &[Candidate],
) -> Result<(), ExchangeError> {
    let code = |i: usize| v.problem.villages[i].code.clone();
    let rows: Vec<Vec<String>> = cands
        .iter()
        .map(|c| {
            vec![
                c.members
                    .iter()
                    .map(|&m| code(m))
                    .collect::<Vec<_>>()
                    .join(";"),
                c.population.to_string(),
                c.targets.to_string(),
                c.heterogeneity.to_string(),
                c.spread_m.to_string(),
                c.lead.map(code).unwrap_or_default(),
            ]
        })
        .collect();
    table::write(
        path,
        &[
            "members",
            "population",
            "targets",
            "heterogeneity",
            "spread_m",
            "lead",
        ]
        .map(String::from),
        &rows,
    )
}
