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
use xiangzhi_domain::{ResidentChange, Standing};
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
    /// "昌宁镇 · 城关社区 · 第一村民小组"
    area: String,
    grid: Option<Grid>,
    /// Who looks after it: (name, role, masked phone) of its micro-grid's workers and its
    /// village's grid leader.
    staff: Vec<(String, String, String)>,
    people: Vec<Resident>,
    /// What the features add: its party contact and cadres, its cases.
    cards: Vec<xiangzhi_web::home::Card>,
}

/// The grid staff who look after a household: its micro-grid's workers, then its village's grid
/// leader (name, role, phone masked to its first 3 and last 4 digits).
async fn carers(
    s: &AppState,
    l: L,
    scope: &Scope,
    h: &Household,
) -> Result<Vec<(String, String, String)>, PageError> {
    let mut out = Vec::new();
    let mut lists = vec![ListQuery {
        grid: Some(h.micro_grid_id),
        limit: Some(20),
        ..Default::default()
    }];
    if let Some(village) = h.division_code.get(..12) {
        lists.push(ListQuery {
            division: Some(village.to_string()),
            kind: Some("grid_leader".into()),
            limit: Some(5),
            ..Default::default()
        });
    }
    for lq in lists {
        // A grid-bound account may not reach the village's grid: it sees its own staff only.
        let Ok(page) = s.db.list_staff(scope, &lq).await else {
            continue;
        };
        for st in page.items {
            let phone = st
                .phone
                .as_deref()
                .map(|p| xiangzhi_domain::id_number::mask(p, 3, 4))
                .unwrap_or_default();
            out.push((
                st.name,
                l.t(st.role.zh(), st.role.as_str()).to_string(),
                phone,
            ));
        }
    }
    Ok(out)
}

pub async fn household(
    axum::extract::State(s): St,
    v: Viewer,
    Path(id): Path<i64>,
    axum::Extension(parts): axum::Extension<xiangzhi_web::home::HouseholdParts>,
) -> P {
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
    let area = crate::places::area_labels(&s.db, std::slice::from_ref(&h.division_code))
        .await
        .map_err(store(v.l))?
        .remove(&h.division_code)
        .unwrap_or_else(|| h.division_code.clone());
    let staff = carers(&s, v.l, &scope, &h).await?;
    let cards = parts.cards(&s, &v, id).await?;
    html(HouseholdPage {
        c: v.chrome(&format!("{} {}", v.l.t("户", "Household"), h.number)),
        h,
        area,
        grid,
        staff,
        people,
        cards,
    })
}

#[derive(Template)]
#[template(path = "resident.html")]
struct ResidentPage {
    c: Chrome,
    r: Resident,
    household: Household,
    moves: Vec<ResidentMove>,
    events: Vec<ResidentEvent>,
    can_reveal: bool,
    revealed: bool,
    error: Option<(String, String)>,
}

impl ResidentPage {
    /// A recorded change in the page's language.
    fn change_word(&self, kind: &str) -> String {
        match kind.parse::<ResidentChange>() {
            Ok(k) if self.c.l.en => k.as_str().replace('_', " "),
            Ok(k) => k.zh().to_string(),
            Err(_) => kind.to_string(),
        }
    }
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
    let events = s.db.resident_events(&scope, id).await.map_err(store(v.l))?;
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
            events,
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

// ------------------------------------------------------------------------------------------
// The grid staff roster

#[derive(Debug, Default, Deserialize)]
pub struct StaffQuery {
    #[serde(default)]
    division: String,
    #[serde(default)]
    grid: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    cursor: String,
}

struct StaffRow {
    name: String,
    role: String,
    grid: String,
    phone: String,
    unit: String,
}

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage {
    c: Chrome,
    /// What the roster is of: "昌宁镇 · 城关社区", or a grid's name.
    of: String,
    division: String,
    grid: String,
    role: String,
    roles: Vec<(&'static str, String)>,
    rows: Vec<StaffRow>,
    next: Option<String>,
}

/// `/staff`: the grid staff (网格队伍) of a division or a grid, by grid, with their role and
/// phone (masked).
pub async fn staff(axum::extract::State(s): St, v: Viewer, Query(q): Query<StaffQuery>) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let grid = q.grid.trim().parse::<i64>().ok();
    let division = Some(q.division.trim().to_string())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| v.user.division_code.clone());
    let lq = ListQuery {
        division: grid.is_none().then(|| division.clone()),
        grid,
        kind: Some(q.role.trim().to_string()).filter(|r| !r.is_empty()),
        cursor: Some(q.cursor.clone()).filter(|c| !c.is_empty()),
        limit: Some(100),
        ..Default::default()
    };
    let page = s.db.list_staff(&scope, &lq).await.map_err(store(v.l))?;
    let mut grid_names: std::collections::HashMap<i64, String> = Default::default();
    let mut ids: Vec<i64> = page.items.iter().map(|st| st.grid_id).collect();
    ids.sort_unstable();
    ids.dedup();
    for g in ids {
        let name =
            s.db.get_grid(&scope, g)
                .await
                .map(|g| g.name)
                .unwrap_or_default();
        grid_names.insert(g, name);
    }
    let of = match grid {
        Some(g) => s.db.get_grid(&scope, g).await.map_err(store(v.l))?.name,
        None => crate::places::area_labels(&s.db, std::slice::from_ref(&division))
            .await
            .map_err(store(v.l))?
            .remove(&division)
            .unwrap_or(division.clone()),
    };
    let rows = page
        .items
        .into_iter()
        .map(|st| StaffRow {
            grid: grid_names.get(&st.grid_id).cloned().unwrap_or_default(),
            phone: st
                .phone
                .as_deref()
                .map(|p| xiangzhi_domain::id_number::mask(p, 3, 4))
                .unwrap_or_default(),
            role: v.l.t(st.role.zh(), st.role.as_str()).to_string(),
            unit: st.unit.unwrap_or_default(),
            name: st.name,
        })
        .collect();
    let next = page.next_cursor.map(|c| {
        format!(
            "/staff?division={}&grid={}&role={}&cursor={}",
            encode(&q.division),
            encode(&q.grid),
            encode(&q.role),
            encode(&c)
        )
    });
    html(StaffPage {
        c: v.chrome(v.l.t("网格队伍", "Grid staff")),
        of,
        division: q.division.clone(),
        grid: q.grid.clone(),
        role: q.role.clone(),
        roles: xiangzhi_domain::StaffRole::ALL
            .iter()
            .map(|r| (r.as_str(), v.l.t(r.zh(), r.as_str()).to_string()))
            .collect(),
        rows,
        next,
    })
}
