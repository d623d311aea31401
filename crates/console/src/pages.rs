//! The console's pages. Every registry read goes through a storage call that takes the viewer's
//! scope; every change and every full view of personal data is audited.

use askama::Template;
use axum::extract::{Form, Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use xiangzhi_api::{show, AppState, Reveal};
use xiangzhi_domain::Right;
use xiangzhi_storage::*;
use xiangzhi_web::console::{encode, html, record, store, Chrome, PageError, St, Viewer, L, P};

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

// ------------------------------------------------------------------------------------------
// Party organisations

#[derive(Template)]
#[template(path = "party.html")]
struct PartyPage {
    c: Chrome,
    orgs: Vec<PartyOrg>,
}

pub async fn party(axum::extract::State(s): St, v: Viewer) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let all =
        s.db.list_party_orgs(
            &scope,
            &ListQuery {
                limit: Some(500),
                ..Default::default()
            },
        )
        .await
        .map_err(store(v.l))?
        .items;
    // The roots of what this account can see: organisations whose parent lies outside the view.
    let ids: std::collections::HashSet<i64> = all.iter().map(|o| o.id).collect();
    let orgs = all
        .into_iter()
        .filter(|o| o.parent_id.is_none_or(|p| !ids.contains(&p)))
        .collect();
    html(PartyPage {
        c: v.chrome(v.l.t("党组织", "Party organisations")),
        orgs,
    })
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    c: Chrome,
    o: PartyOrg,
    parent: Option<PartyOrg>,
    children: Vec<PartyOrg>,
    members: Vec<PartyMember>,
    more_members: bool,
}

pub async fn party_org(axum::extract::State(s): St, v: Viewer, Path(id): Path<i64>) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let err = store(v.l);
    let o = s.db.get_party_org(&scope, id).await.map_err(&err)?;
    let parent = match o.parent_id {
        Some(p) => s.db.get_party_org(&scope, p).await.ok(),
        None => None,
    };
    let by_parent = ListQuery {
        parent: Some(id.to_string()),
        limit: Some(500),
        ..Default::default()
    };
    let children =
        s.db.list_party_orgs(&scope, &by_parent)
            .await
            .map_err(&err)?
            .items;
    let members =
        s.db.list_party_members(&scope, &by_parent)
            .await
            .map_err(&err)?;
    html(OrgPage {
        c: v.chrome(&o.name),
        o,
        parent,
        children,
        more_members: members.next_cursor.is_some(),
        members: members.items,
    })
}

// ------------------------------------------------------------------------------------------
// Contact-duty coverage

#[derive(Template)]
#[template(path = "coverage.html")]
struct CoveragePage {
    c: Chrome,
    r: CoverageReport,
}

pub async fn coverage(axum::extract::State(s): St, v: Viewer) -> P {
    v.need(Right::ReadRegistry)?;
    let r = s.db.coverage_report(&v.scope()).await.map_err(store(v.l))?;
    html(CoveragePage {
        c: v.chrome(v.l.t("包联覆盖", "Contact-duty coverage")),
        r,
    })
}

// ------------------------------------------------------------------------------------------
// Cases: the handler's inbox and a case's page with its timeline

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    c: Chrome,
    now: i64,
    mine: Vec<xiangzhi_storage::cases::Case>,
    waiting: Vec<xiangzhi_storage::cases::Case>,
}

pub async fn cases(axum::extract::State(s): St, v: Viewer) -> P {
    v.need(Right::ReadRegistry)?;
    let (mine, waiting) =
        s.db.case_inbox(&v.scope(), v.user.id)
            .await
            .map_err(store(v.l))?;
    html(CasesPage {
        c: v.chrome(v.l.t("事项待办", "Case inbox")),
        now: now_ms(),
        mine,
        waiting,
    })
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    c: Chrome,
    k: xiangzhi_storage::cases::Case,
    timeline: Vec<Step>,
    files: Vec<xiangzhi_storage::files::CaseFile>,
    can_write: bool,
    /// (code, Chinese label) of every step
    actions: Vec<(&'static str, &'static str)>,
    /// (account id, name) of the accounts that may be given the case
    handlers: Vec<(i64, String)>,
    /// The reporter's phone, masked (first 3, last 4).
    reporter_phone: String,
    error: String,
}

const STEPS: [(&str, &str); 16] = [
    ("accept", "受理"),
    ("assign", "派单"),
    ("start", "开始办理"),
    ("return", "退回"),
    ("transfer", "转办"),
    ("escalate", "上报上级"),
    ("request_extension", "申请延期"),
    ("grant_extension", "批准延期"),
    ("deny_extension", "不予延期"),
    ("resolve", "办结"),
    ("confirm", "群众确认"),
    ("close", "关闭"),
    ("reopen", "重新办理"),
    ("close_unresolved", "未解决关闭"),
    ("merge", "合并"),
    ("supervise", "督办"),
];

/// One timeline entry in the page's language.
pub(crate) struct Step {
    pub at: i64,
    pub action: String,
    pub state: String,
    pub who: String,
    pub note: String,
}

pub(crate) fn step_label(l: L, e: &xiangzhi_storage::cases::CaseEvent) -> Step {
    use xiangzhi_domain::case::{CaseLevel, CaseState};
    let action_zh = match e.action.as_str() {
        "report" => "上报",
        "accept" => "受理",
        "assign" => "派单",
        "start" => "开始办理",
        "return" => "退回",
        "transfer" => "转办",
        "escalate" => "上报上级",
        "request_extension" => "申请延期",
        "grant_extension" => "批准延期",
        "deny_extension" => "不予延期",
        "resolve" => "办结",
        "confirm" => "确认",
        "close" => "关闭",
        "reopen" => "重新办理",
        "close_unresolved" => "未解决关闭",
        "merge" => "合并",
        "supervise" => "督办",
        other => other,
    };
    let actor_zh = match e.actor.as_str() {
        "resident" => "群众",
        "handler" => "承办人",
        "dispatcher" => "派单人",
        "superior" => "上级",
        "system" => "系统",
        other => other,
    };
    let state = e.to_state.parse::<CaseState>().ok();
    let level = e.level.parse::<CaseLevel>().ok();
    let en = |s: &str| s.replace('_', " ");
    Step {
        at: e.at,
        action: l.t(action_zh, &en(&e.action)).to_string(),
        state: state
            .map(|s| l.t(s.zh(), s.as_str()).replace('_', " "))
            .unwrap_or_else(|| e.to_state.clone()),
        who: format!(
            "{} · {}",
            l.t(actor_zh, &e.actor),
            level
                .map(|v| l.t(v.zh(), v.as_str()).replace('_', " "))
                .unwrap_or_else(|| e.level.clone())
        ),
        note: e.note.clone(),
    }
}

pub async fn case(axum::extract::State(s): St, v: Viewer, Path(id): Path<i64>) -> P {
    case_page(&s, &v, id, String::new()).await
}

async fn case_page(s: &AppState, v: &Viewer, id: i64, error: String) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let k = s.db.get_case(&scope, id).await.map_err(store(v.l))?;
    let timeline =
        s.db.case_timeline(&scope, id)
            .await
            .map_err(store(v.l))?
            .iter()
            .map(|e| step_label(v.l, e))
            .collect();
    let files = s.db.case_files(&scope, id).await.map_err(store(v.l))?;
    let reporter_phone =
        s.db.case_reporter(&scope, id)
            .await
            .map_err(store(v.l))?
            .reporter_phone
            .map(|p| xiangzhi_domain::id_number::mask(&p, 3, 4))
            .unwrap_or_default();
    let can_write = v.user.can(Right::WriteRegistry);
    let handlers = if can_write {
        s.db.list_users()
            .await
            .map_err(store(v.l))?
            .into_iter()
            .filter(|u| xiangzhi_api::cases::can_handle(u, &k))
            .map(|u| (u.id, format!("{}（{}）", u.display_name, u.role.zh())))
            .collect()
    } else {
        Vec::new()
    };
    let actions = STEPS.to_vec();
    html(CasePage {
        c: v.chrome(&format!("{} #{}", v.l.t("事项", "Case"), k.id)),
        k,
        timeline,
        files,
        can_write,
        actions,
        handlers,
        reporter_phone,
        error,
    })
}

#[derive(Deserialize)]
pub struct StepForm {
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    handler: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    into: String,
}

/// A step taken from the case page: the same rules as the API's `POST /cases/{id}/actions`.
pub async fn case_step(
    axum::extract::State(s): St,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> P {
    v.need(Right::WriteRegistry)?;
    let num = |t: &str| t.trim().parse::<i64>().ok();
    let mut action = serde_json::json!({ "action": f.action });
    if let Some(h) = num(&f.handler) {
        action["handler"] = h.into();
    }
    if let Some(r) = num(&f.rating) {
        action["rating"] = r.into();
    }
    if let Some(i) = num(&f.into) {
        action["into"] = i.into();
    }
    let outcome = match serde_json::from_value::<xiangzhi_domain::case::Action>(action) {
        Ok(a) => xiangzhi_api::cases::take_step(&s, &v.caller(), id, &a, &f.note)
            .await
            .map(|_| ()),
        Err(_) => Err(xiangzhi_storage::StoreError::invalid(
            "action",
            "请选择操作并填写它需要的项（派单、转办要选承办人，合并要填事项号）",
            "choose a step and fill in what it needs (a handler to assign or transfer, a case number to merge)",
        )
        .into()),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(e) => {
            let (zh, en) = e.reasons();
            case_page(&s, &v, id, v.l.t(&zh, &en).to_string()).await
        }
    }
}

/// A photo or document uploaded from the case page (multipart form, field `file`).
pub async fn case_upload(
    axum::extract::State(s): St,
    v: Viewer,
    Path(id): Path<i64>,
    mut form: axum::extract::Multipart,
) -> P {
    v.need(Right::WriteRegistry)?;
    let mut error = v.l.t("请选择文件", "choose a file").to_string();
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("file").to_string();
        match field.bytes().await {
            Ok(data) => {
                match s
                    .db
                    .add_case_file(
                        &v.scope(),
                        id,
                        &name,
                        data.to_vec(),
                        Some(v.user.id),
                        now_ms(),
                    )
                    .await
                {
                    Ok(_) => return Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
                    Err(e) => {
                        let api: xiangzhi_api::error::ApiError = e.into();
                        let (zh, en) = api.reasons();
                        error = v.l.t(&zh, &en).to_string();
                    }
                }
            }
            Err(_) => {
                error =
                    v.l.t("文件超过10MB", "the file is larger than 10 MB")
                        .to_string();
            }
        }
        break;
    }
    case_page(&s, &v, id, error).await
}

// ------------------------------------------------------------------------------------------
// Notifications: the account's own, and (for those who dispatch) the ones the gateway refused

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    c: Chrome,
    mine: Vec<xiangzhi_storage::notifications::Notification>,
    failed: Option<Vec<xiangzhi_storage::notifications::Notification>>,
    webhook_note: String,
}

async fn notifications_page(s: &AppState, v: &Viewer, note: String) -> P {
    v.need(Right::ReadRegistry)?;
    let mine =
        s.db.notifications_for(v.user.id, &v.user.division_code, 100)
            .await
            .map_err(store(v.l))?;
    let failed = if v.user.can(Right::WriteRegistry) {
        let lq = ListQuery {
            kind: Some("failed".into()),
            limit: Some(200),
            ..Default::default()
        };
        Some(
            s.db.list_notifications(&v.scope(), &lq)
                .await
                .map_err(store(v.l))?
                .items,
        )
    } else {
        None
    };
    html(NotificationsPage {
        c: v.chrome(v.l.t("通知", "Notices")),
        mine,
        failed,
        webhook_note: note,
    })
}

pub async fn notifications(axum::extract::State(s): St, v: Viewer) -> P {
    notifications_page(&s, &v, String::new()).await
}

pub async fn retry_notification(axum::extract::State(s): St, v: Viewer, Path(id): Path<i64>) -> P {
    v.need(Right::WriteRegistry)?;
    let n =
        s.db.retry_notification(&v.scope(), id, now_ms())
            .await
            .map_err(store(v.l))?;
    record(
        &s,
        &v,
        "retry notification",
        format!("notification:{}:{}", n.county_id, n.id),
        "ok",
        String::new(),
    )
    .await;
    let note = format!(
        "{} #{}",
        v.l.t("已重新排队发送", "Queued to be sent again:"),
        n.id
    );
    notifications_page(&s, &v, note).await
}
