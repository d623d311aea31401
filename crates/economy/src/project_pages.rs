//! The project library in the console: `/economy/projects` lists the projects in reach with the
//! library's figures (projects and planned investment by stage, funding sought and won by
//! source) and a form to add one; a project's page keeps its stages, funding and milestones,
//! each changed by a form of its own. The list downloads as .xlsx.

use crate::pages::{fen_of, name_in, townships_of, yuan};
use crate::projects::*;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use xiangzhi_domain::Right;
use xiangzhi_registry::prelude::DivisionStore;
use xiangzhi_storage::StoreError;
use xiangzhi_tabular::table::Cell;
use xiangzhi_web::console::{
    export_sheet, html, refused, status_of, store, Chrome, Message, St, Viewer, P,
};
use xiangzhi_web::Query;

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    pub division: Option<String>,
    pub stage: Option<String>,
}

#[derive(Template)]
#[template(path = "economy_projects.html")]
struct ListPage {
    c: Chrome,
    projects: Vec<Project>,
    library: Library,
    /// Villages and townships in reach: (code, name).
    leads: Vec<(String, String)>,
    villages: Vec<(String, String)>,
    townships: Vec<(String, String)>,
    alliances: Vec<(i64, String)>,
    division: String,
    stage: String,
    may_record: bool,
    today: String,
    message: Message,
}

impl ListPage {
    fn stage_name(&self, k: &str) -> String {
        name_in(&STAGES, k, self.c.l.en)
    }
    fn kind_name(&self, k: &str) -> String {
        name_in(&KINDS, k, self.c.l.en)
    }
    fn lead_name(&self, code: &str) -> String {
        self.leads
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| code.to_string())
    }
    fn kinds(&self) -> &'static [(&'static str, &'static str)] {
        &KINDS
    }
    fn stages(&self) -> &'static [(&'static str, &'static str)] {
        &STAGES
    }
}

/// The villages and townships in reach, named `township · village` and `township`.
async fn leads_in_reach(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), xiangzhi_web::console::PageError> {
    let villages =
        s.db.villages_in_reach(&v.scope())
            .await
            .map_err(store(v.l))?;
    // A township leads only where the account reaches the whole township.
    let scope = v.scope();
    let mut leads: Vec<(String, String)> = townships_of(&villages)
        .into_iter()
        .map(|(c, n)| (format!("{c}000"), n))
        .filter(|(c, _)| scope.covers(c))
        .collect();
    leads.extend(villages.iter().cloned());
    leads.sort();
    Ok((leads, villages))
}

async fn list_page(s: &xiangzhi_web::AppState, v: &Viewer, q: &ListQuery, message: Message) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let division = q
        .division
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    let stage = q.stage.as_deref().map(str::trim).filter(|d| !d.is_empty());
    let projects =
        s.db.projects(&scope, division, stage, None)
            .await
            .map_err(store(v.l))?;
    let library = s.db.library(&scope, division).await.map_err(store(v.l))?;
    let (leads, villages) = leads_in_reach(s, v).await?;
    let alliances = s.db.alliances_in_reach(&scope).await.map_err(store(v.l))?;
    let status = status_of(&message);
    let page = ListPage {
        c: v.chrome(v.l.t("项目库", "Project library")),
        projects,
        library,
        townships: townships_of(&villages),
        leads,
        villages,
        alliances,
        division: division.unwrap_or_default().to_string(),
        stage: stage.unwrap_or_default().to_string(),
        may_record: v.user.can(crate::RECORD_ECONOMY),
        today: xiangzhi_domain::china_today().to_string(),
        message,
    };
    Ok((status, html(page)?).into_response())
}

/// `GET /economy/projects`
pub async fn list(State(s): St, v: Viewer, Query(q): Query<ListQuery>) -> P {
    list_page(&s, &v, &q, None).await
}

/// `POST /economy/projects`: adds a project (villages as repeated `villages` fields).
pub async fn add(State(s): St, v: Viewer, Form(f): Form<Vec<(String, String)>>) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let get = |k: &str| {
        f.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let done = async {
        let input = ProjectInput {
            division_code: get("division_code").to_string(),
            name: get("name").to_string(),
            kind: get("kind").to_string(),
            summary: get("summary").to_string(),
            budget: fen_of("budget", get("budget"))?,
            alliance_id: match get("alliance_id").trim() {
                "" => None,
                a => Some(a.parse().map_err(|_| {
                    StoreError::invalid("alliance_id", "请选择联村党组织", "choose the alliance")
                })?),
            },
            villages: f
                .iter()
                .filter(|(k, _)| k == "villages")
                .map(|(_, v)| v.clone())
                .collect(),
            since: Some(get("since").to_string()),
        };
        s.db.add_project(&v.scope(), &input).await
    }
    .await;
    match done {
        Ok(p) => Ok(Redirect::to(&format!(
            "/economy/projects/{}/{}",
            p.project.county_id, p.project.id
        ))
        .into_response()),
        Err(e) => list_page(&s, &v, &ListQuery::default(), refused(e)).await,
    }
}

/// `GET /economy/projects.xlsx`: the projects in reach as a workbook.
pub async fn list_xlsx(State(s): St, v: Viewer, Query(q): Query<ListQuery>) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let projects =
        s.db.projects(
            &scope,
            q.division.as_deref().filter(|d| !d.trim().is_empty()),
            q.stage.as_deref().filter(|d| !d.trim().is_empty()),
            None,
        )
        .await
        .map_err(store(v.l))?;
    let (leads, _) = leads_in_reach(&s, &v).await?;
    let rows = projects
        .iter()
        .map(|p| {
            vec![
                Cell::Text(p.name.clone()),
                Cell::Text(
                    leads
                        .iter()
                        .find(|(c, _)| *c == p.division_code)
                        .map(|(_, n)| n.clone())
                        .unwrap_or_else(|| p.division_code.clone()),
                ),
                Cell::Text(name_in(&KINDS, &p.kind, false)),
                Cell::Text(name_in(&STAGES, &p.stage, false)),
                Cell::Text(p.stage_on.to_string()),
                Cell::Int(p.budget),
                Cell::Int(p.sought),
                Cell::Int(p.won),
            ]
        })
        .collect();
    export_sheet(
        &s,
        &v,
        "export project library",
        "项目库.xlsx",
        "项目库",
        &[
            "项目",
            "牵头单位",
            "类别",
            "阶段",
            "进入本阶段日期",
            "计划投资（分）",
            "申请资金（分）",
            "到位资金（分）",
        ],
        rows,
    )
    .await
}

#[derive(Template)]
#[template(path = "economy_project.html")]
struct ProjectPage {
    c: Chrome,
    v: ProjectView,
    lead: String,
    /// The villages in it, by name.
    village_names: Vec<String>,
    alliance: Option<String>,
    /// Where it may move next: (stage, name).
    next: Vec<(&'static str, &'static str)>,
    may_record: bool,
    today: String,
    message: Message,
}

impl ProjectPage {
    fn stage_name(&self, k: &str) -> String {
        name_in(&STAGES, k, self.c.l.en)
    }
    fn kind_name(&self, k: &str) -> String {
        name_in(&KINDS, k, self.c.l.en)
    }
    fn source_name(&self, k: &str) -> String {
        name_in(&SOURCES, k, self.c.l.en)
    }
    fn funding_kind(&self, k: &str) -> String {
        name_in(&FUNDING_KINDS, k, self.c.l.en)
    }
    fn sources(&self) -> &'static [(&'static str, &'static str)] {
        &SOURCES
    }
    fn step_of(&self, k: &str) -> usize {
        STAGES.iter().position(|(s, _)| *s == k).unwrap_or(0)
    }
    fn stages(&self) -> &'static [(&'static str, &'static str)] {
        &STAGES
    }
    fn late(&self, m: &Milestone) -> bool {
        m.done_on.is_none() && m.due_on.to_string() < self.today
    }
}

async fn project_page(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    county: i64,
    id: i64,
    message: Message,
) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let view = s.db.project(&scope, county, id).await.map_err(store(v.l))?;
    let (leads, _) = leads_in_reach(s, v).await?;
    let names =
        s.db.village_names(county, &view.villages)
            .await
            .map_err(store(v.l))?;
    let name_of = |code: &str| {
        leads
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, n)| n.clone())
            .or_else(|| names.get(code).cloned())
            .unwrap_or_else(|| code.to_string())
    };
    let alliance = match view.project.alliance_id {
        Some(a) => {
            s.db.alliances_in_reach(&scope)
                .await
                .map_err(store(v.l))?
                .into_iter()
                .find(|(id, _)| *id == a)
                .map(|(_, n)| n)
        }
        None => None,
    };
    let status = status_of(&message);
    let page = ProjectPage {
        c: v.chrome(&view.project.name),
        lead: name_of(&view.project.division_code),
        village_names: view.villages.iter().map(|c| name_of(c)).collect(),
        alliance,
        next: STAGES
            .iter()
            .filter(|(k, _)| may_move(&view.project.stage, k))
            .copied()
            .collect(),
        may_record: v.user.can(crate::RECORD_ECONOMY),
        today: xiangzhi_domain::china_today().to_string(),
        v: view,
        message,
    };
    Ok((status, html(page)?).into_response())
}

/// `GET /economy/projects/{county}/{id}`
pub async fn project(State(s): St, v: Viewer, Path((county, id)): Path<(i64, i64)>) -> P {
    project_page(&s, &v, county, id, None).await
}

#[derive(Debug, Deserialize)]
pub struct StageForm {
    pub stage: String,
    pub stage_on: String,
    #[serde(default)]
    pub note: String,
    pub version: i64,
}

/// `POST /economy/projects/{county}/{id}/stage`
pub async fn stage(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Form(f): Form<StageForm>,
) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let done =
        s.db.move_project(
            &v.scope(),
            county,
            id,
            &StageInput {
                stage: f.stage.clone(),
                stage_on: f.stage_on.clone(),
                note: f.note.clone(),
                version: f.version,
            },
        )
        .await;
    let m = match done {
        Ok(p) => Some((
            format!("已进入“{}”阶段", name_in(&STAGES, &p.project.stage, false)),
            format!("Moved to {}", p.project.stage),
            true,
        )),
        Err(e) => refused(e),
    };
    project_page(&s, &v, county, id, m).await
}

#[derive(Debug, Deserialize)]
pub struct FundingForm {
    pub source: String,
    pub kind: String,
    /// In yuan; negative to correct.
    pub amount: String,
    pub entry_on: String,
    #[serde(default)]
    pub note: String,
}

/// `POST /economy/projects/{county}/{id}/funding`
pub async fn funding(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Form(f): Form<FundingForm>,
) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let done = async {
        let amount = fen_of("amount", &f.amount)?;
        s.db.add_funding(
            &v.scope(),
            county,
            id,
            &FundingInput {
                source: f.source.clone(),
                kind: f.kind.clone(),
                amount,
                entry_on: f.entry_on.clone(),
                note: f.note.clone(),
            },
        )
        .await
        .map(|_| amount)
    }
    .await;
    let m = match done {
        Ok(amount) => Some((
            format!(
                "已记入{}{} 元（{}）",
                name_in(&FUNDING_KINDS, &f.kind, false),
                yuan(amount),
                name_in(&SOURCES, &f.source, false)
            ),
            format!("Recorded {} {} yuan ({})", f.kind, yuan(amount), f.source),
            true,
        )),
        Err(e) => refused(e),
    };
    project_page(&s, &v, county, id, m).await
}

#[derive(Debug, Deserialize)]
pub struct MilestoneForm {
    pub title: String,
    pub due_on: String,
}

/// `POST /economy/projects/{county}/{id}/milestones`
pub async fn milestone(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Form(f): Form<MilestoneForm>,
) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let done =
        s.db.add_milestone(
            &v.scope(),
            county,
            id,
            &MilestoneInput {
                title: f.title.clone(),
                due_on: f.due_on.clone(),
            },
        )
        .await;
    let m = match done {
        Ok(_) => Some((
            format!("已添加节点：{}", f.title.trim()),
            format!("Milestone added: {}", f.title.trim()),
            true,
        )),
        Err(e) => refused(e),
    };
    project_page(&s, &v, county, id, m).await
}

#[derive(Debug, Deserialize)]
pub struct DoneForm {
    pub done_on: String,
}

/// `POST /economy/projects/{county}/{id}/milestones/{milestone}/done`
pub async fn milestone_done(
    State(s): St,
    v: Viewer,
    Path((county, id, milestone)): Path<(i64, i64, i64)>,
    Form(f): Form<DoneForm>,
) -> P {
    v.need(crate::RECORD_ECONOMY)?;
    let done =
        s.db.milestone_done(
            &v.scope(),
            county,
            id,
            milestone,
            &MilestoneDone {
                done_on: f.done_on.clone(),
            },
        )
        .await;
    let m = match done {
        Ok(_) => Some(("节点已完成".into(), "Milestone done".into(), true)),
        Err(e) => refused(e),
    };
    project_page(&s, &v, county, id, m).await
}
