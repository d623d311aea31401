//! The console's pages. Every registry read goes through a storage call that takes the viewer's
//! scope; every change and every full view of personal data is audited.

use crate::model::*;
use crate::prelude::*;
use askama::Template;
use axum::extract::{Form, Path, Query};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;
use xiangzhi_domain::Right;
use xiangzhi_storage::*;
use xiangzhi_web::console::{encode, html, store, Chrome, PageError, St, Viewer, L, P};
use xiangzhi_web::personal::show;
use xiangzhi_web::{AppState, Reveal};

// ------------------------------------------------------------------------------------------
// The division and grid tree

#[derive(Template)]
#[template(path = "tree.html")]
struct TreePage {
    c: Chrome,
    here: Division,
    trail: Vec<Division>,
    children: Vec<Division>,
    more_children: bool,
    grids: Vec<Grid>,
}

#[derive(Deserialize)]
pub struct TreeQuery {
    division: Option<String>,
}

pub async fn tree(axum::extract::State(s): St, v: Viewer, Query(q): Query<TreeQuery>) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let err = store(v.l);
    let code = q.division.unwrap_or_else(|| v.user.division_code.clone());
    let here = s.db.get_division(&scope, &code).await.map_err(&err)?;
    let mut trail = Vec::new();
    let mut up = here.parent_code.clone();
    while let Some(p) = up {
        match s.db.get_division(&scope, &p).await {
            Ok(d) => {
                up = d.parent_code.clone();
                trail.push(d);
            }
            Err(_) => break,
        }
    }
    trail.reverse();
    let children =
        s.db.list_divisions(
            &scope,
            &ListQuery {
                parent: Some(code.clone()),
                limit: Some(500),
                ..Default::default()
            },
        )
        .await
        .map_err(&err)?;
    let grids =
        s.db.list_grids(
            &scope,
            &ListQuery {
                division: Some(code.clone()),
                limit: Some(200),
                ..Default::default()
            },
        )
        .await
        .map_err(&err)?
        .items
        .into_iter()
        .filter(|g| g.division_code == code)
        .collect();
    html(TreePage {
        c: v.chrome(&here.name),
        trail,
        more_children: children.next_cursor.is_some(),
        children: children.items,
        grids,
        here,
    })
}

// ------------------------------------------------------------------------------------------
// Household and resident search

#[derive(Deserialize, Default, Clone)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    division: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Chrome,
    q: SearchQuery,
    r: Results,
}

#[derive(Template)]
#[template(path = "results.html")]
struct Results {
    l: L,
    residents: bool,
    households: Vec<Household>,
    people: Vec<Resident>,
    next: Option<String>,
    searched: bool,
    /// Division code → "昌宁镇 · 城关社区 · 第一村民小组".
    areas: std::collections::HashMap<String, String>,
}

impl Results {
    fn area(&self, code: &str) -> String {
        self.areas
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }
}

async fn results(s: &AppState, v: &Viewer, q: &SearchQuery) -> Result<Results, PageError> {
    let scope = v.scope();
    let lq = ListQuery {
        q: Some(q.q.trim().to_string()).filter(|t| !t.is_empty()),
        division: q.division.clone().filter(|d| !d.is_empty()),
        cursor: q.cursor.clone().filter(|c| !c.is_empty()),
        limit: Some(20),
        ..Default::default()
    };
    let residents = q.kind == "residents";
    let mut r = Results {
        l: v.l,
        residents,
        households: vec![],
        people: vec![],
        next: None,
        searched: lq.q.is_some() || lq.division.is_some(),
        areas: Default::default(),
    };
    let link = |cursor: &str| {
        format!(
            "/search/results?kind={}&q={}&division={}&cursor={}",
            encode(&q.kind),
            encode(q.q.trim()),
            encode(q.division.as_deref().unwrap_or("")),
            encode(cursor)
        )
    };
    if residents {
        let page = s.db.list_residents(&scope, &lq).await.map_err(store(v.l))?;
        r.next = page.next_cursor.as_deref().map(link);
        r.people = show(s, &v.caller(), &Reveal::default(), page.items)
            .await
            .map_err(|e| PageError::Api(v.l, e))?;
    } else {
        let page =
            s.db.list_households(&scope, &lq)
                .await
                .map_err(store(v.l))?;
        r.next = page.next_cursor.as_deref().map(link);
        r.households = page.items;
    }
    let codes: Vec<String> = r
        .people
        .iter()
        .map(|p| p.division_code.clone())
        .chain(r.households.iter().map(|h| h.division_code.clone()))
        .collect();
    r.areas = crate::places::area_labels(&s.db, &codes)
        .await
        .map_err(store(v.l))?;
    Ok(r)
}

pub async fn search(axum::extract::State(s): St, v: Viewer, Query(q): Query<SearchQuery>) -> P {
    v.need(Right::ReadRegistry)?;
    let r = results(&s, &v, &q).await?;
    html(SearchPage {
        c: v.chrome(v.l.t("户籍查询", "Search households and residents")),
        q,
        r,
    })
}

pub async fn search_results(
    axum::extract::State(s): St,
    v: Viewer,
    Query(q): Query<SearchQuery>,
) -> P {
    v.need(Right::ReadRegistry)?;
    html(results(&s, &v, &q).await?)
}

// ------------------------------------------------------------------------------------------
// Household and resident pages

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    c: Chrome,
    h: Household,
    grid: Option<Grid>,
    people: Vec<Resident>,
}

pub async fn household(axum::extract::State(s): St, v: Viewer, Path(id): Path<i64>) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let h = s.db.get_household(&scope, id).await.map_err(store(v.l))?;
    let people =
        s.db.household_residents(&scope, id)
            .await
            .map_err(store(v.l))?;
    let people = show(&s, &v.caller(), &Reveal::default(), people)
        .await
        .map_err(|e| PageError::Api(v.l, e))?;
    let grid = s.db.get_grid(&scope, h.micro_grid_id).await.ok();
    html(HouseholdPage {
        c: v.chrome(&format!("{} {}", v.l.t("户", "Household"), h.number)),
        h,
        grid,
        people,
    })
}

#[derive(Template)]
#[template(path = "resident.html")]
struct ResidentPage {
    c: Chrome,
    r: Resident,
    household: Household,
    moves: Vec<ResidentMove>,
    can_reveal: bool,
    revealed: bool,
    error: Option<(String, String)>,
}

async fn resident_page(
    s: &AppState,
    v: &Viewer,
    id: i64,
    purpose: Option<String>,
) -> Result<(StatusCode, ResidentPage), PageError> {
    let scope = v.scope();
    let r = s.db.get_resident(&scope, id).await.map_err(store(v.l))?;
    let household =
        s.db.get_household(&scope, r.household_id)
            .await
            .map_err(store(v.l))?;
    let moves = s.db.resident_moves(&scope, id).await.map_err(store(v.l))?;
    let rv = Reveal {
        unmask: Some(purpose.is_some()),
        purpose,
    };
    let (r, revealed, error, status) = match show(s, &v.caller(), &rv, vec![r.clone()]).await {
        Ok(mut shown) => (
            shown.pop().ok_or(PageError::NotFound(v.l))?,
            rv.unmask == Some(true),
            None,
            StatusCode::OK,
        ),
        Err(e) => {
            let status = e.status_code();
            let masked = show(s, &v.caller(), &Reveal::default(), vec![r])
                .await
                .map_err(|e| PageError::Api(v.l, e))?;
            (
                masked.into_iter().next().ok_or(PageError::NotFound(v.l))?,
                false,
                Some(e.reasons()),
                status,
            )
        }
    };
    Ok((
        status,
        ResidentPage {
            c: v.chrome(&r.name),
            can_reveal: v.user.can(Right::Unmask),
            r,
            household,
            moves,
            revealed,
            error,
        },
    ))
}

pub async fn resident(axum::extract::State(s): St, v: Viewer, Path(id): Path<i64>) -> P {
    v.need(Right::ReadRegistry)?;
    let (status, page) = resident_page(&s, &v, id, None).await?;
    Ok((status, html(page)?).into_response())
}

#[derive(Deserialize)]
pub struct PurposeForm {
    #[serde(default)]
    purpose: String,
}

/// Shows one resident in full for a stated purpose (the right is checked and the view audited
/// by the API's `show`).
pub async fn reveal_resident(
    axum::extract::State(s): St,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<PurposeForm>,
) -> P {
    v.need(Right::ReadRegistry)?;
    let (status, page) = resident_page(&s, &v, id, Some(f.purpose)).await?;
    Ok((status, [(header::CACHE_CONTROL, "no-store")], html(page)?).into_response())
}

/// The viewer's own division and those just below it that `keep` accepts, as (code, name) for an
/// area choice (the ones below indented).
pub async fn own_and_below(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    keep: impl Fn(&Division) -> bool,
) -> Vec<(String, String)> {
    let scope = v.scope();
    let mut out = Vec::new();
    if let Ok(d) = s.db.get_division(&scope, &v.user.division_code).await {
        out.push((d.code, d.name));
    }
    let below = ListQuery {
        parent: Some(v.user.division_code.clone()),
        limit: Some(500),
        ..Default::default()
    };
    if let Ok(p) = s.db.list_divisions(&scope, &below).await {
        out.extend(
            p.items
                .into_iter()
                .filter(|d| keep(d))
                .map(|d| (d.code, format!("　{}", d.name))),
        );
    }
    out
}
