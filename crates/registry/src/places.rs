//! 地点选择, the area picker: township → village → group → micro-grid, one level at a time or by
//! searching a name, for every form that names a place (a case, an account, a plan, statistics).
//! Console forms ask `/places` (the viewer's jurisdiction); the public report form asks
//! `/places/public` (one county's tree: names only, which are public). The picker itself is
//! `places.js`, which turns a code field into the cascade and keeps the field working without it.

use crate::prelude::*;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use xiangzhi_domain::{DivisionCode, DivisionLevel};
use xiangzhi_storage::{Db, ListQuery, Result, Scope};
use xiangzhi_web::console::{store, PageError, Viewer, L};
use xiangzhi_web::AppState;

/// One place to choose.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    /// The division's code (for a micro-grid: the group it lies in).
    pub code: String,
    /// The micro-grid's id; none for a division.
    pub grid: Option<i64>,
    /// township, village, group or micro.
    pub level: &'static str,
    pub name: String,
    /// The way down to it ("昌宁镇 · 龙鼻村 · 第一村民小组"), for search results.
    pub label: String,
    /// Whether something lies below it to choose.
    pub more: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct PlaceQuery {
    /// The division whose places below are wanted; the top of the jurisdiction when absent.
    pub parent: Option<String>,
    /// Words of a name to search for, instead.
    pub q: Option<String>,
    /// For the public form: the county.
    pub county: Option<i64>,
}

/// Every grid of a list (all its pages), e.g. every micro-grid of a scope.
pub async fn all_grids(db: &Db, scope: &Scope, mut lq: ListQuery) -> Result<Vec<crate::Grid>> {
    let mut out = Vec::new();
    lq.limit = Some(500);
    loop {
        let page = db.list_grids(scope, &lq).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => lq.cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// Every division of a list (all its pages), e.g. every village of a scope.
pub async fn all_divisions(
    db: &Db,
    scope: &Scope,
    mut lq: ListQuery,
) -> Result<Vec<crate::Division>> {
    let mut out = Vec::new();
    lq.limit = Some(500);
    loop {
        let page = db.list_divisions(scope, &lq).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => lq.cursor = Some(c),
            None => return Ok(out),
        }
    }
}

fn level_word(level: DivisionLevel) -> &'static str {
    match level {
        DivisionLevel::Township => "township",
        DivisionLevel::Village => "village",
        DivisionLevel::Group => "group",
        _ => "county",
    }
}

/// The places right below `parent` (a division in the scope): its divisions, or for a group its
/// micro-grids.
pub async fn children(db: &Db, scope: &Scope, parent: &DivisionCode) -> Result<Vec<Place>> {
    if parent.level() >= DivisionLevel::Group {
        let lq = ListQuery {
            division: Some(parent.as_str().to_string()),
            kind: Some("micro".into()),
            limit: Some(500),
            ..Default::default()
        };
        let grids = db.list_grids(scope, &lq).await?.items;
        return Ok(grids
            .into_iter()
            .map(|g| Place {
                code: g.division_code,
                grid: Some(g.id),
                level: "micro",
                label: g.name.clone(),
                name: g.name,
                more: false,
            })
            .collect());
    }
    let lq = ListQuery {
        parent: Some(parent.as_str().to_string()),
        ..Default::default()
    };
    Ok(all_divisions(db, scope, lq)
        .await?
        .into_iter()
        .map(|d| Place {
            more: true,
            level: level_word(d.level),
            label: d.name.clone(),
            name: d.name,
            code: d.code,
            grid: None,
        })
        .collect())
}

/// Divisions of the scope whose name holds `text` (at most 20), each with the way down to it.
pub async fn search(db: &Db, scope: &Scope, text: &str) -> Result<Vec<Place>> {
    let lq = ListQuery {
        q: Some(text.trim().to_string()),
        limit: Some(20),
        ..Default::default()
    };
    let found: Vec<_> = db
        .list_divisions(scope, &lq)
        .await?
        .items
        .into_iter()
        .filter(|d| d.level >= DivisionLevel::Township)
        .collect();
    let Some(county) = found.first().map(|d| d.county_id) else {
        return Ok(Vec::new());
    };
    let codes: Vec<String> = found.iter().flat_map(above).collect();
    let names: HashMap<String, String> = db.division_names(county, &codes).await?;
    Ok(labelled(found, &names))
}

/// The township and the village above a division, by their codes.
fn above(d: &crate::Division) -> Vec<String> {
    let mut up = Vec::new();
    if d.level > DivisionLevel::Township {
        up.push(format!("{}000", &d.code[..9]));
    }
    if d.level > DivisionLevel::Village {
        up.push(d.code[..12].to_string());
    }
    up
}

/// "昌宁镇 · 龙鼻村 · 第一村民小组": the way down to each division, from `names`.
fn labelled(found: Vec<crate::Division>, names: &HashMap<String, String>) -> Vec<Place> {
    found
        .into_iter()
        .map(|d| {
            let mut way: Vec<String> = above(&d)
                .iter()
                .filter_map(|c| names.get(c).cloned())
                .collect();
            way.push(d.name.clone());
            Place {
                more: true,
                level: level_word(d.level),
                label: way.join(" · "),
                name: d.name,
                code: d.code,
                grid: None,
            }
        })
        .collect()
}

/// Every township, village and group of the scope with the way down to it, in code order (the
/// phone page keeps them for filing without signal).
pub async fn every_place(db: &Db, scope: &Scope) -> Result<Vec<Place>> {
    let found: Vec<_> = all_divisions(db, scope, ListQuery::default())
        .await?
        .into_iter()
        .filter(|d| d.level >= DivisionLevel::Township)
        .collect();
    let Some(county) = found.first().map(|d| d.county_id) else {
        return Ok(Vec::new());
    };
    let mut names: HashMap<String, String> = found
        .iter()
        .map(|d| (d.code.clone(), d.name.clone()))
        .collect();
    let missing: Vec<String> = found
        .iter()
        .flat_map(above)
        .filter(|c| !names.contains_key(c))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    names.extend(db.division_names(county, &missing).await?);
    Ok(labelled(found, &names))
}

/// "昌宁镇 · 城关社区 · 第一村民小组" for each of `codes` (divisions of one or more counties): the
/// township, the village and the group, as far down as the code goes. Unknown codes keep their
/// digits.
pub async fn area_labels(db: &Db, codes: &[String]) -> Result<HashMap<String, String>> {
    let mut by_county: std::collections::BTreeMap<i64, std::collections::BTreeSet<String>> =
        Default::default();
    for code in codes {
        let Ok(d) = DivisionCode::parse(code) else {
            continue;
        };
        let Some(county) = d.county_id() else {
            continue;
        };
        let set = by_county.entry(county).or_default();
        if d.level() >= DivisionLevel::Township {
            set.insert(format!("{}000", &code[..9]));
        }
        if d.level() >= DivisionLevel::Village {
            set.insert(code[..12].to_string());
        }
        set.insert(code.clone());
    }
    let mut names = HashMap::new();
    for (county, set) in by_county {
        let wanted: Vec<String> = set.into_iter().collect();
        names.extend(db.division_names(county, &wanted).await?);
    }
    Ok(codes
        .iter()
        .map(|code| {
            let mut way: Vec<String> = Vec::new();
            if let Ok(d) = DivisionCode::parse(code) {
                let mut push = |c: String| {
                    if let Some(n) = names.get(&c) {
                        if way.last() != Some(n) {
                            way.push(n.clone());
                        }
                    }
                };
                if d.level() >= DivisionLevel::Township {
                    push(format!("{}000", &code[..9]));
                }
                if d.level() >= DivisionLevel::Village {
                    push(code[..12].to_string());
                }
                push(code.clone());
            }
            let label = if way.is_empty() {
                code.clone()
            } else {
                way.join(" · ")
            };
            (code.clone(), label)
        })
        .collect())
}

/// The answer both routes give: places below `parent`, or those matching `q`.
async fn answer(db: &Db, scope: &Scope, top: &DivisionCode, q: &PlaceQuery) -> Result<Vec<Place>> {
    if let Some(text) = q.q.as_deref().filter(|t| !t.trim().is_empty()) {
        return search(db, scope, text).await;
    }
    let parent = match q.parent.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => match DivisionCode::parse(p) {
            Ok(c) if scope.covers(c.as_str()) => c,
            _ => return Ok(Vec::new()),
        },
        None => top.clone(),
    };
    children(db, scope, &parent).await
}

fn json(places: Vec<Place>) -> Response {
    (
        [(axum::http::header::CACHE_CONTROL, "private, max-age=300")],
        axum::Json(places),
    )
        .into_response()
}

/// `GET /places`: for console forms, in the viewer's jurisdiction. Any account may ask (the
/// security administrator creating accounts too): places are names, public on the report form.
pub async fn places(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<PlaceQuery>,
) -> Result<Response, PageError> {
    let scope = v.scope();
    let top = DivisionCode::parse(&v.user.division_code).map_err(|_| PageError::NotFound(v.l))?;
    let places = answer(&s.db, &scope, &top, &q).await.map_err(store(v.l))?;
    Ok(json(places))
}

/// `GET /places/public?county=…`: for the public report form, one county's places by name.
pub async fn public_places(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(q): Query<PlaceQuery>,
) -> Result<Response, PageError> {
    let l = L::from_headers(&headers);
    let top = q
        .county
        .and_then(|c| DivisionCode::parse(&format!("{c}000000")).ok())
        .filter(|c| c.level() == DivisionLevel::County)
        .ok_or(PageError::NotFound(l))?;
    let scope = Scope::division(&top);
    let places = answer(&s.db, &scope, &top, &q)
        .await
        .map_err(|e| PageError::Store(l, e))?;
    Ok(json(places))
}
