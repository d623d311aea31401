//! Cases: the handler's inbox and a case's page with its timeline.

use crate::prelude::*;
use askama::Template;
use axum::extract::{Form, Path};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use xiangzhi_domain::Right;
use xiangzhi_registry::prelude::DivisionStore;
use xiangzhi_storage::accounts::User;
use xiangzhi_storage::*;
use xiangzhi_web::console::{html, store, Chrome, St, Viewer, L, P};
use xiangzhi_web::AppState;

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    c: Chrome,
    now: i64,
    mine: Vec<crate::store::Case>,
    waiting: Vec<crate::store::Case>,
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
    k: crate::store::Case,
    timeline: Vec<Step>,
    files: Vec<crate::store::files::CaseFile>,
    can_write: bool,
    /// (code, Chinese label) of the steps this account may take now
    actions: Vec<(&'static str, &'static str)>,
    /// Which of the step form's extra fields the offered steps need.
    needs_handler: bool,
    needs_rating: bool,
    needs_via: bool,
    needs_into: bool,
    /// Names instead of codes.
    category: String,
    area: String,
    handler: String,
    /// "还剩2天" / "due in 2 days", or "已超期…".
    due: String,
    late: bool,
    /// (account id, name) of the accounts that may be given the case
    handlers: Vec<(i64, String)>,
    /// The reporter's phone, masked (first 3, last 4).
    reporter_phone: String,
    /// Where it is: the township's villages as areas, its village tinted, the spot (inline SVG).
    map: Option<String>,
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
    /// Whom an assignment or a transfer gave the case to.
    pub to: String,
    /// The resident may read the note.
    pub public: bool,
}

/// Account names by id, for the timeline (staff only; the public page passes none).
pub(crate) type Names = std::collections::HashMap<i64, String>;

pub(crate) fn step_label(l: L, e: &crate::store::CaseEvent, names: &Names) -> Step {
    use crate::rules::{CaseLevel, CaseState};
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
        "proxy" => "代为确认",
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
        who: [
            l.t(actor_zh, &e.actor).to_string(),
            level
                .map(|v| l.t(v.zh(), v.as_str()).replace('_', " "))
                .unwrap_or_else(|| e.level.clone()),
        ]
        .into_iter()
        .chain(e.user_id.and_then(|u| names.get(&u).cloned()))
        .collect::<Vec<_>>()
        .join(" · "),
        note: e.note.clone(),
        to: match (e.action.as_str(), e.handler_id) {
            ("assign" | "transfer", Some(h)) => names.get(&h).cloned().unwrap_or_default(),
            _ => String::new(),
        },
        public: e.is_public,
    }
}

/// An account as people know it: its name and role (张三（网格员）).
pub(crate) fn account_name(l: L, u: &User) -> String {
    format!(
        "{}（{}）",
        u.display_name,
        l.t(u.role.zh(), u.role.as_str())
    )
}

/// The names of the accounts a timeline mentions.
async fn names_in(s: &AppState, l: L, events: &[crate::store::CaseEvent]) -> Names {
    let mut names = Names::new();
    let mut ids: Vec<i64> = Vec::new();
    for e in events {
        ids.extend(e.user_id);
        ids.extend(e.handler_id);
    }
    for id in ids {
        if names.contains_key(&id) {
            continue;
        }
        if let Ok(u) = s.db.user_by_id(id).await {
            names.insert(id, account_name(l, &u));
        }
    }
    names
}

pub async fn case(axum::extract::State(s): St, v: Viewer, Path(id): Path<i64>) -> P {
    case_page(&s, &v, id, String::new()).await
}

async fn case_page(s: &AppState, v: &Viewer, id: i64, error: String) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let k = s.db.get_case(&scope, id).await.map_err(store(v.l))?;
    let events = s.db.case_timeline(&scope, id).await.map_err(store(v.l))?;
    let accounts = names_in(s, v.l, &events).await;
    let timeline = events
        .iter()
        .map(|e| step_label(v.l, e, &accounts))
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
            .filter(|u| crate::api::can_handle(u, &k))
            .map(|u| (u.id, account_name(v.l, &u)))
            .collect()
    } else {
        Vec::new()
    };
    let now = now_ms();
    let deadlines = s.db.case_deadlines(k.county_id).await.map_err(store(v.l))?;
    let allowed = crate::api::allowed_steps(&v.user, &k, &deadlines, now);
    let actions: Vec<(&'static str, &'static str)> = STEPS
        .iter()
        .filter(|(code, _)| allowed.contains(code))
        .copied()
        .collect();
    let has = |c: &str| allowed.contains(&c);
    let category =
        s.db.case_category_names(k.county_id)
            .await
            .map_err(store(v.l))?
            .remove(&k.category)
            .unwrap_or_else(|| k.category.clone());
    let village = k
        .division_code
        .get(..12)
        .unwrap_or(&k.division_code)
        .to_string();
    let names =
        s.db.division_names(k.county_id, &[village.clone(), k.division_code.clone()])
            .await
            .map_err(store(v.l))?;
    let mut area = crate::pages::ledger::area_name(&names, &k.division_code);
    if let Some(g) = k.grid_id {
        use xiangzhi_registry::prelude::GridStore;
        if let Ok(grid) = s.db.get_grid(&scope, g).await {
            area = format!("{area} · {}", grid.name);
        }
    }
    let handler = match k.handler_id {
        Some(h) => match accounts.get(&h) {
            Some(n) => n.clone(),
            None => {
                s.db.user_by_id(h)
                    .await
                    .map(|u| account_name(v.l, &u))
                    .unwrap_or_else(|_| format!("#{h}"))
            }
        },
        None => v.l.t("尚未派单", "not assigned yet").to_string(),
    };
    let open = k.state.in_hand();
    let (due, late) = match k.due_at {
        Some(d) if open => (crate::pages::home::due_words(v.l, d, now), d < now),
        Some(d) => (v.l.time(&d), false),
        None => ("—".to_string(), false),
    };
    let map = crate::pages::map::case_map(
        &s.db,
        &k,
        &format!("{}：{area}", v.l.t("事项所在位置", "Where the case is")),
    )
    .await;
    html(CasePage {
        map,
        needs_handler: has("assign") || has("transfer"),
        needs_rating: has("confirm"),
        needs_via: has("confirm") || has("reopen"),
        needs_into: has("merge"),
        category,
        area,
        handler,
        due,
        late,
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
    #[serde(default)]
    via: String,
    /// "1" when the handler shows the note to the resident.
    #[serde(default)]
    public: Option<String>,
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
    let outcome = match serde_json::from_value::<crate::rules::Action>(action) {
        Ok(action) => {
            let input = crate::api::StepInput {
                action,
                note: f.note.clone(),
                via: crate::api::AnswerVia::parse(&f.via),
                public: f.public.is_some(),
            };
            crate::api::take_step(&s, &v.caller(), id, &input)
                .await
                .map(|_| ())
        }
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
    // The form puts its "for the resident" box before the file, so one pass reads both.
    let mut public = false;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("public") {
            public = true;
            continue;
        }
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
                        crate::store::files::Upload {
                            user: Some(v.user.id),
                            at: now_ms(),
                            public,
                        },
                    )
                    .await
                {
                    Ok(_) => return Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
                    Err(e) => {
                        let api: xiangzhi_web::error::ApiError = e.into();
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
