//! Login, logout, password change, API tokens; account administration (security administrators
//! only); the audit log (auditors only).

use crate::error::{ApiError, Problem};
use crate::{source_of, Account, AppState, Json, Path, Query, SESSION_COOKIE};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xiangzhi_domain::Right;
use xiangzhi_storage::accounts::{LoginError, NewUser, User};
use xiangzhi_storage::audit::{AuditEntry, AuditRecord};
use xiangzhi_storage::now_ms;

type R<T> = Result<T, ApiError>;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(list_users, create_user))
        .routes(routes!(disable_user))
        .routes(routes!(reset_password))
        .routes(routes!(audit_entries))
        .routes(routes!(audit_verify))
}

#[derive(Deserialize, ToSchema)]
pub struct LoginInput {
    pub login: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginOutput {
    /// Session token (also set as the `xz_session` cookie); ends after 30 idle minutes.
    pub token: String,
    pub user: User,
}

/// 登录: five wrong passwords lock the account for 15 minutes; a password older than 90 days must be
/// changed first (`/auth/password`).
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginInput, security(()),
    responses((status = 200, body = LoginOutput), (status = 401, body = Problem), (status = 423, body = Problem)))]
pub async fn login(
    State(s): State<AppState>,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> R<Response> {
    let source = source_of(&headers, req.extensions());
    let body = axum::body::to_bytes(req.into_body(), 64 * 1024)
        .await
        .map_err(|_| ApiError::bad_request("body", "请求体过大".into(), "body too large".into()))?;
    let input: LoginInput = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(
            "body",
            format!("请求体无法解析：{e}"),
            format!("request body could not be read: {e}"),
        )
    })?;
    let (user, token) = sign_in(&s, &input.login, &input.password, &source).await?;
    let cookie = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
    Ok((
        [(header::SET_COOKIE, cookie)],
        axum::Json(LoginOutput { token, user }),
    )
        .into_response())
}

/// Checks a login and password (lockout, expiry, disabled accounts), opens a session and audits
/// the attempt either way; shared by the API and the console.
pub async fn sign_in(s: &AppState, login: &str, password: &str, source: &str) -> R<(User, String)> {
    let now = now_ms();
    let outcome = s.db.authenticate(login, password, now).await?;
    let audit = |outcome: &str| AuditEntry {
        user_id: None,
        login: login.to_string(),
        action: "login".into(),
        object: format!("user {login}"),
        outcome: outcome.into(),
        source: source.to_string(),
        detail: String::new(),
    };
    match outcome {
        Ok(user) => {
            let token = s.db.create_session(user.id, source, now).await?;
            s.db.audit(&AuditEntry {
                user_id: Some(user.id),
                ..audit("ok")
            })
            .await?;
            Ok((user, token))
        }
        Err(e) => {
            let (status, zh, en, tag) = match e {
                LoginError::BadCredentials => (
                    StatusCode::UNAUTHORIZED,
                    "登录名或密码错误".to_string(),
                    "wrong login or password".to_string(),
                    "failed",
                ),
                LoginError::Locked(until) => (
                    StatusCode::LOCKED,
                    format!(
                        "连续输错密码，账号已锁定，约{}分钟后再试",
                        ((until - now) / 60_000).max(1)
                    ),
                    format!(
                        "too many wrong passwords; the account is locked for about {} more minutes",
                        ((until - now) / 60_000).max(1)
                    ),
                    "locked",
                ),
                LoginError::Disabled => (
                    StatusCode::FORBIDDEN,
                    "账号已停用".into(),
                    "the account is disabled".into(),
                    "disabled",
                ),
                LoginError::PasswordExpired => (
                    StatusCode::FORBIDDEN,
                    "密码已超过90天，请先修改密码".into(),
                    "the password is older than 90 days; change it first".into(),
                    "password expired",
                ),
            };
            s.db.audit(&audit(tag)).await?;
            Err(ApiError::status(status, "login", zh, en))
        }
    }
}

/// 退出登录
#[utoipa::path(post, path = "/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(State(s): State<AppState>, headers: HeaderMap) -> R<Response> {
    if let Some(token) = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| {
            c.split(';').find_map(|p| {
                p.trim()
                    .strip_prefix(SESSION_COOKIE)
                    .and_then(|r| r.strip_prefix('='))
            })
        })
    {
        s.db.end_session(token).await?;
    }
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}

/// The logged-in account.
#[utoipa::path(get, path = "/auth/me", tag = "auth", responses((status = 200, body = User), (status = 401, body = Problem)))]
pub async fn me(Account(u): Account) -> Json<User> {
    Json((*u).clone())
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    pub login: String,
    pub old_password: String,
    pub new_password: String,
}

/// 修改密码 (also possible with an expired password, which is why it needs no session).
#[utoipa::path(post, path = "/auth/password", tag = "auth", request_body = PasswordChange, security(()),
    responses((status = 204), (status = 422, body = Problem)))]
pub async fn change_password(
    State(s): State<AppState>,
    Json(p): Json<PasswordChange>,
) -> R<StatusCode> {
    s.db.change_password(&p.login, &p.old_password, &p.new_password, now_ms())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct TokenInput {
    /// What the token is for, e.g. "网格员手机".
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenOutput {
    pub id: i64,
    /// Shown only now; send as `Authorization: Bearer <token>`.
    pub token: String,
}

/// Issues a bearer token for an API client of the logged-in account.
#[utoipa::path(post, path = "/auth/tokens", tag = "auth", request_body = TokenInput, responses((status = 201, body = TokenOutput)))]
pub async fn create_token(
    State(s): State<AppState>,
    Account(u): Account,
    Json(i): Json<TokenInput>,
) -> R<(StatusCode, Json<TokenOutput>)> {
    let (id, token) = s.db.create_api_token(u.id, i.name.trim()).await?;
    Ok((StatusCode::CREATED, Json(TokenOutput { id, token })))
}

/// Revokes one of one's own tokens (a security administrator may revoke any).
#[utoipa::path(delete, path = "/auth/tokens/{id}", tag = "auth", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    Account(u): Account,
    Path(id): Path<i64>,
) -> R<StatusCode> {
    let owner = if u.can(Right::ManageAccounts) {
        None
    } else {
        Some(u.id)
    };
    s.db.revoke_api_token(id, owner).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn require(u: &User, right: Right) -> R<()> {
    if u.can(right) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "您的角色无权进行此操作",
            "your role may not do this",
        ))
    }
}

/// 账号列表 (security administrators).
#[utoipa::path(get, path = "/users", tag = "auth", responses((status = 200, body = Vec<User>), (status = 403, body = Problem)))]
pub async fn list_users(State(s): State<AppState>, Account(u): Account) -> R<Json<Vec<User>>> {
    require(&u, Right::ManageAccounts)?;
    Ok(Json(s.db.list_users().await?))
}

/// 新建账号 (security administrators).
#[utoipa::path(post, path = "/users", tag = "auth", request_body = NewUser, responses((status = 201, body = User), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    State(s): State<AppState>,
    Account(u): Account,
    Json(n): Json<NewUser>,
) -> R<(StatusCode, Json<User>)> {
    require(&u, Right::ManageAccounts)?;
    Ok((StatusCode::CREATED, Json(s.db.create_user(&n).await?)))
}

/// 停用账号: ends its sessions and revokes its tokens (security administrators).
#[utoipa::path(post, path = "/users/{id}/disable", tag = "auth", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = Problem)))]
pub async fn disable_user(
    State(s): State<AppState>,
    Account(u): Account,
    Path(id): Path<i64>,
) -> R<StatusCode> {
    require(&u, Right::ManageAccounts)?;
    s.db.set_user_disabled(id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordReset {
    pub new_password: String,
}

/// 重置密码并解锁 (security administrators).
#[utoipa::path(put, path = "/users/{id}/password", tag = "auth", params(("id" = i64, Path)), request_body = PasswordReset,
    responses((status = 204), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn reset_password(
    State(s): State<AppState>,
    Account(u): Account,
    Path(id): Path<i64>,
    Json(p): Json<PasswordReset>,
) -> R<StatusCode> {
    require(&u, Right::ManageAccounts)?;
    s.db.set_password(id, &p.new_password, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries before this sequence number (for paging back).
    pub before: Option<i64>,
    pub limit: Option<u32>,
}

/// 审计日志, newest first (auditors).
#[utoipa::path(get, path = "/audit", tag = "auth", params(AuditQuery), responses((status = 200, body = Vec<AuditRecord>), (status = 403, body = Problem)))]
pub async fn audit_entries(
    State(s): State<AppState>,
    Account(u): Account,
    Query(q): Query<AuditQuery>,
) -> R<Json<Vec<AuditRecord>>> {
    require(&u, Right::ReadAudit)?;
    Ok(Json(
        s.db.audit_entries(q.before, q.limit.unwrap_or(100)).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct AuditVerification {
    pub entries: i64,
    pub intact: bool,
    /// The first tampered entry and why.
    pub problem_seq: Option<i64>,
    pub problem: Option<String>,
}

/// Verifies the audit log's hash chain (auditors).
#[utoipa::path(get, path = "/audit/verify", tag = "auth", responses((status = 200, body = AuditVerification), (status = 403, body = Problem)))]
pub async fn audit_verify(
    State(s): State<AppState>,
    Account(u): Account,
) -> R<Json<AuditVerification>> {
    require(&u, Right::ReadAudit)?;
    let v = s.db.audit_verify().await?;
    Ok(Json(AuditVerification {
        entries: v.entries,
        intact: v.problem.is_none(),
        problem_seq: v.problem.as_ref().map(|p| p.0),
        problem: v.problem.map(|p| p.1),
    }))
}
