//! User administration: security administrators manage business accounts; privileged ones by request and a second person's approval (三员分立).

use crate::console::{html, record, store, Chrome, St, Viewer, P};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use xiangzhi_domain::Right;
use xiangzhi_storage::accounts::{NewUser, User};
use xiangzhi_storage::*;

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    c: Chrome,
    /// Whether this account manages accounts (a security administrator) or only decides requests.
    manage: bool,
    users: Vec<User>,
    requests: Vec<RequestRow>,
    roles: Vec<(&'static str, &'static str)>,
    message: Option<(String, String)>,
    failed: bool,
}

/// A request as the page shows it: names, not ids, and whether this account may decide it.
struct RequestRow {
    r: xiangzhi_storage::duties::AccountRequest,
    what_zh: &'static str,
    what_en: &'static str,
    role_zh: String,
    by: String,
    decided_by: String,
    may_decide: bool,
}

async fn users_page(
    s: &AppState,
    v: &Viewer,
    message: Option<(String, String)>,
    failed: bool,
) -> P {
    let manage = v.user.can(Right::ManageAccounts);
    if !manage {
        v.need(Right::ApproveAccounts)?;
    }
    let users = if manage {
        s.db.users_in_scope(&v.user).await.map_err(store(v.l))?
    } else {
        Vec::new()
    };
    let names: std::collections::HashMap<i64, String> =
        s.db.list_users()
            .await
            .map_err(store(v.l))?
            .into_iter()
            .map(|u| (u.id, format!("{}（{}）", u.display_name, u.login)))
            .collect();
    let name = |id: Option<i64>| id.and_then(|i| names.get(&i).cloned()).unwrap_or_default();
    let requests =
        s.db.account_requests(&v.user)
            .await
            .map_err(store(v.l))?
            .into_iter()
            .map(|r| {
                let (what_zh, what_en) = match r.kind.as_str() {
                    "create_user" => ("新建账号", "create account"),
                    "reset_password" => ("重置密码", "reset password"),
                    "disable_user" => ("停用账号", "disable account"),
                    _ => ("启用账号", "enable account"),
                };
                let role_zh = r
                    .role
                    .parse::<xiangzhi_domain::Role>()
                    .map(|x| v.l.t(x.zh(), x.as_str()).to_string())
                    .unwrap_or_else(|_| r.role.clone());
                let may_decide = r.state == "pending"
                    && v.user.can(Right::ApproveAccounts)
                    && r.requested_by != v.user.id
                    && r.target_user_id != Some(v.user.id);
                RequestRow {
                    by: name(Some(r.requested_by)),
                    decided_by: name(r.decided_by),
                    what_zh,
                    what_en,
                    role_zh,
                    may_decide,
                    r,
                }
            })
            .collect();
    let page = UsersPage {
        c: v.chrome(v.l.t("用户管理", "Users")),
        manage,
        users,
        requests,
        roles: xiangzhi_domain::Role::ALL
            .iter()
            .map(|r| (r.as_str(), r.zh()))
            .collect(),
        message,
        failed,
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html(page)?).into_response())
}

pub async fn users(axum::extract::State(s): St, v: Viewer) -> P {
    users_page(&s, &v, None, false).await
}

/// Carries out an account change for the page and says what happened: done, or waiting for a
/// second administrator. Every attempt is audited.
async fn change_account(
    s: &AppState,
    v: &Viewer,
    op: xiangzhi_storage::duties::AccountOp,
    action: &str,
    object: String,
    done: (String, String),
) -> P {
    use xiangzhi_storage::duties::AccountOutcome;
    // The store audits what it does; a refusal is audited here.
    match s.db.manage_account(&v.user, &v.actor, &op, now_ms()).await {
        Ok(AccountOutcome::Done(_)) => users_page(s, v, Some(done), false).await,
        Ok(AccountOutcome::Pending(r)) => {
            let msg = (
                format!("涉及特权账号，已提交申请（第{}号），须由另一位管理员批准后生效", r.id),
                format!("this concerns a privileged account: request #{} is filed and takes effect when another administrator approves it", r.id),
            );
            users_page(s, v, Some(msg), false).await
        }
        Err(e) => {
            record(s, v, action, object, "failed", String::new()).await;
            let (zh, en) = crate::error::ApiError::from(e).reasons();
            users_page(s, v, Some((zh, en)), true).await
        }
    }
}

pub async fn create_user(axum::extract::State(s): St, v: Viewer, Form(f): Form<NewUser>) -> P {
    v.need(Right::ManageAccounts)?;
    let login = f.login.clone();
    let done = (
        format!("已创建账号 {login}"),
        format!("account {login} created"),
    );
    let op = xiangzhi_storage::duties::AccountOp::Create(f);
    change_account(&s, &v, op, "create user", format!("user {login}"), done).await
}

async fn set_disabled(s: &AppState, v: &Viewer, id: i64, disabled: bool) -> P {
    v.need(Right::ManageAccounts)?;
    let (action, done) = if disabled {
        (
            "disable user",
            ("账号已停用".to_string(), "account disabled".to_string()),
        )
    } else {
        (
            "enable user",
            ("账号已启用".to_string(), "account enabled".to_string()),
        )
    };
    let op = xiangzhi_storage::duties::AccountOp::SetDisabled {
        user_id: id,
        disabled,
    };
    change_account(s, v, op, action, format!("user #{id}"), done).await
}

pub async fn disable_user(axum::extract::State(s): St, v: Viewer, Path(id): Path<i64>) -> P {
    set_disabled(&s, &v, id, true).await
}

pub async fn enable_user(axum::extract::State(s): St, v: Viewer, Path(id): Path<i64>) -> P {
    set_disabled(&s, &v, id, false).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
}

pub async fn reset_password(
    axum::extract::State(s): St,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<PasswordForm>,
) -> P {
    v.need(Right::ManageAccounts)?;
    let op = xiangzhi_storage::duties::AccountOp::ResetPassword {
        user_id: id,
        password: f.password,
    };
    let done = ("密码已重置".to_string(), "password reset".to_string());
    change_account(&s, &v, op, "reset password", format!("user #{id}"), done).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    note: String,
}

async fn decide(s: &AppState, v: &Viewer, id: i64, approve: bool, note: &str) -> P {
    let action = if approve {
        "approve account request"
    } else {
        "reject account request"
    };
    match s
        .db
        .decide_account_request(&v.user, &v.actor, id, approve, note, now_ms())
        .await
    {
        Ok(_) => {
            let msg = if approve {
                (
                    format!("已批准第{id}号申请并生效"),
                    format!("request #{id} approved and carried out"),
                )
            } else {
                (
                    format!("已驳回第{id}号申请"),
                    format!("request #{id} rejected"),
                )
            };
            users_page(s, v, Some(msg), false).await
        }
        Err(e) => {
            record(
                s,
                v,
                action,
                format!("account request {id}"),
                "failed",
                String::new(),
            )
            .await;
            let (zh, en) = crate::error::ApiError::from(e).reasons();
            users_page(s, v, Some((zh, en)), true).await
        }
    }
}

pub async fn approve_request(
    axum::extract::State(s): St,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> P {
    decide(&s, &v, id, true, &f.note).await
}

pub async fn reject_request(
    axum::extract::State(s): St,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> P {
    decide(&s, &v, id, false, &f.note).await
}
