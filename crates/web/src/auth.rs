//! Login, logout, password change, API tokens; account administration (security administrators
//! only); the audit log (auditors only).

use crate::error::{ApiError, Problem};
use crate::{source_of, Account, AppState, Json, Path, Query, SESSION_COOKIE};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xiangzhi_domain::access::{LOCKOUT_MINUTES, LOCKOUT_THRESHOLD};
use xiangzhi_domain::Right;
use xiangzhi_storage::accounts::{LoggedIn, LoginAttempt, LoginError, NewUser, User};
use xiangzhi_storage::audit::{
    AuditEntry, AuditRecord, ChainReport, Checkpoint, CheckpointProblem,
};
use xiangzhi_storage::duties::{AccountOp, AccountOutcome, AccountRequest};
use xiangzhi_storage::{now_ms, Actor};

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
        .routes(routes!(enable_user))
        .routes(routes!(reset_password))
        .routes(routes!(account_requests))
        .routes(routes!(approve_request))
        .routes(routes!(reject_request))
        .routes(routes!(audit_entries))
        .routes(routes!(audit_verify))
        .routes(routes!(audit_checkpoints, audit_new_checkpoint))
        .routes(routes!(audit_check_checkpoints))
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

/// 登录. An unknown login, a wrong password and a locked account get the same answer (401); only
/// with the right password does the answer say that an account is disabled or its password must
/// be changed. Every fifth wrong password locks the account for 15 minutes for browsers that have
/// not logged in to it before; a browser that has (its `xz_device` cookie) keeps its own count, so
/// a stranger cannot lock the owner out. A source address with 20 failures in 15 minutes waits
/// (429). The session token in the answer is also accepted as a bearer token.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginInput, security(()),
    responses((status = 200, body = LoginOutput), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    State(s): State<AppState>,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> R<Response> {
    let attrs = crate::cookie_attrs(&s, req.extensions());
    let ext = req.extensions().clone();
    let body = axum::body::to_bytes(req.into_body(), 64 * 1024)
        .await
        .map_err(|_| ApiError::too_large("请求体过大", "the request body is too large"))?;
    let input: LoginInput = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(
            "body",
            format!("请求体无法解析：{e}"),
            format!("request body could not be read: {e}"),
        )
    })?;
    let device = crate::cookie(&headers, DEVICE_COOKIE);
    let (user, token, new_device) =
        sign_in(&s, &input.login, &input.password, &ext, device.as_deref()).await?;
    let mut resp = axum::Json(LoginOutput {
        token: token.clone(),
        user,
    })
    .into_response();
    set_login_cookies(resp.headers_mut(), &token, new_device.as_deref(), attrs);
    Ok(resp)
}

/// The device cookie's name: set on a browser the first time it logs in to an account.
pub const DEVICE_COOKIE: &str = "xz_device";

/// Adds the cookies a successful login sets to an answer's headers: the session, and a new device
/// cookie when there is one.
pub fn set_login_cookies(
    headers: &mut HeaderMap,
    session: &str,
    new_device: Option<&str>,
    attrs: &str,
) {
    let mut cookies = vec![format!("{SESSION_COOKIE}={session}; {attrs}")];
    if let Some(d) = new_device {
        cookies.push(format!("{DEVICE_COOKIE}={d}; {attrs}; Max-Age=31536000"));
    }
    for c in cookies {
        if let Ok(v) = header::HeaderValue::from_str(&c) {
            headers.append(header::SET_COOKIE, v);
        }
    }
}

/// Checks a login and password (throttle, lockout, expiry, disabled accounts), opens a session and
/// audits the attempt either way — and marks the request audited, so the middleware adds no second
/// entry; shared by the API and the console. The client's address comes from the request's
/// extensions. Returns the account, the session token and a new device cookie value when the
/// browser had none for this account.
pub async fn sign_in(
    s: &AppState,
    login: &str,
    password: &str,
    ext: &axum::http::Extensions,
    device: Option<&str>,
) -> R<(User, String, Option<String>)> {
    let source = source_of(ext);
    let signed = check_login(s, login, password, &source, device).await;
    crate::mark_audited(ext);
    signed
}

async fn check_login(
    s: &AppState,
    login: &str,
    password: &str,
    source: &str,
    device: Option<&str>,
) -> R<(User, String, Option<String>)> {
    let now = now_ms();
    let attempt = LoginAttempt {
        login,
        password,
        now,
        source,
        device,
        new_device: true,
    };
    let outcome = s.db.authenticate(&attempt).await?;
    let audit = |outcome: &str| AuditEntry {
        user_id: None,
        login: login.to_string(),
        action: "login".into(),
        object: format!("user {login}"),
        outcome: outcome.into(),
        source: source.to_string(),
        detail: String::new(),
        county_id: None,
    };
    match outcome {
        Ok(LoggedIn { user, new_device }) => {
            let token = s.db.create_session(user.id, source, now).await?;
            s.db.audit(&AuditEntry {
                user_id: Some(user.id),
                ..audit("ok")
            })
            .await?;
            Ok((user, token, new_device))
        }
        Err(e) => {
            let (status, zh, en, tag) = match e {
                LoginError::BadCredentials | LoginError::Locked(_) => (
                    StatusCode::UNAUTHORIZED,
                    format!("登录名或密码错误（连续输错{LOCKOUT_THRESHOLD}次后须等待{LOCKOUT_MINUTES}分钟）"),
                    format!("wrong login or password (after {LOCKOUT_THRESHOLD} wrong passwords in a row, wait {LOCKOUT_MINUTES} minutes)"),
                    if matches!(e, LoginError::Locked(_)) { "locked" } else { "failed" },
                ),
                LoginError::Throttled(until) => {
                    s.db.audit(&audit("throttled")).await?;
                    let secs = ((until - now) / 1000).max(1);
                    let minutes = (secs + 59) / 60;
                    return Err(ApiError::too_many_retry(
                        &format!("此地址登录失败次数过多，请{}分钟后再试", minutes),
                        &format!("too many failed logins from this address; try again in {} minutes", minutes),
                        secs,
                    ));
                }
                LoginError::Disabled => (
                    StatusCode::FORBIDDEN,
                    "账号已停用，请联系安全管理员".into(),
                    "the account is disabled; ask your security administrator".into(),
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
    headers: HeaderMap,
    ext: axum::http::Extensions,
    Json(p): Json<PasswordChange>,
) -> R<StatusCode> {
    let source = source_of(&ext);
    let device = crate::cookie(&headers, DEVICE_COOKIE);
    let old = LoginAttempt {
        login: &p.login,
        password: &p.old_password,
        now: now_ms(),
        source: &source,
        device: device.as_deref(),
        new_device: false,
    };
    s.db.change_password(&old, &p.new_password).await?;
    // The store wrote the entry, naming the account.
    crate::mark_audited(&ext);
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
    Extension(actor): Extension<Actor>,
    Json(i): Json<TokenInput>,
) -> R<(StatusCode, Json<TokenOutput>)> {
    let (id, token) = s.db.create_api_token(&actor, u.id, i.name.trim()).await?;
    Ok((StatusCode::CREATED, Json(TokenOutput { id, token })))
}

/// Revokes one of one's own tokens (a security administrator may revoke any).
#[utoipa::path(delete, path = "/auth/tokens/{id}", tag = "auth", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    Account(u): Account,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> R<StatusCode> {
    let owner = if u.can(Right::ManageAccounts) {
        None
    } else {
        Some(u.id)
    };
    s.db.revoke_api_token(&actor, id, owner).await?;
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

/// 账号列表: the accounts of the caller's jurisdiction (security administrators).
#[utoipa::path(get, path = "/users", tag = "auth", responses((status = 200, body = Vec<User>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_users(State(s): State<AppState>, Account(u): Account) -> R<Json<Vec<User>>> {
    require(&u, Right::ManageAccounts)?;
    Ok(Json(s.db.users_in_scope(&u).await?))
}

/// What an account change led to: the account (done), or a request waiting for a second
/// administrator's approval.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum AccountChange {
    Done(User),
    Pending(AccountRequest),
}

fn answer(o: AccountOutcome) -> (StatusCode, Json<AccountChange>) {
    match o {
        AccountOutcome::Done(u) => (StatusCode::OK, Json(AccountChange::Done(u))),
        AccountOutcome::Pending(r) => (StatusCode::ACCEPTED, Json(AccountChange::Pending(r))),
    }
}

/// 新建账号 (security administrators): a business role at once (201); a county administrator,
/// auditor or security administrator only as a request another administrator must approve (202).
#[utoipa::path(post, path = "/users", tag = "auth", request_body = NewUser, responses((status = 201, body = User),
    (status = 202, body = AccountRequest), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    State(s): State<AppState>,
    Account(u): Account,
    Extension(actor): Extension<Actor>,
    Json(n): Json<NewUser>,
) -> R<(StatusCode, Json<AccountChange>)> {
    let (status, body) = answer(
        s.db.manage_account(&u, &actor, &AccountOp::Create(n), now_ms())
            .await?,
    );
    let status = if status == StatusCode::OK {
        StatusCode::CREATED
    } else {
        status
    };
    Ok((status, body))
}

/// 停用账号: ends its sessions and revokes its tokens (security administrators; a privileged
/// account by approved request, 202).
#[utoipa::path(post, path = "/users/{id}/disable", tag = "auth", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 202, body = AccountRequest), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn disable_user(
    State(s): State<AppState>,
    Account(u): Account,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> R<(StatusCode, Json<AccountChange>)> {
    set_disabled(&s, &u, &actor, id, true).await
}

async fn set_disabled(
    s: &AppState,
    u: &User,
    actor: &Actor,
    id: i64,
    disabled: bool,
) -> R<(StatusCode, Json<AccountChange>)> {
    let op = AccountOp::SetDisabled {
        user_id: id,
        disabled,
    };
    Ok(answer(s.db.manage_account(u, actor, &op, now_ms()).await?))
}

/// 启用账号 (security administrators; a privileged account by approved request, 202).
#[utoipa::path(post, path = "/users/{id}/enable", tag = "auth", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 202, body = AccountRequest), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn enable_user(
    State(s): State<AppState>,
    Account(u): Account,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> R<(StatusCode, Json<AccountChange>)> {
    set_disabled(&s, &u, &actor, id, false).await
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordReset {
    pub new_password: String,
}

/// 重置密码并解锁 (security administrators): a business role's at once; the password of a
/// privileged account (at or above one's own rank) only by approved request (202), after which
/// its owner must change it at the next login.
#[utoipa::path(put, path = "/users/{id}/password", tag = "auth", params(("id" = i64, Path)), request_body = PasswordReset,
    responses((status = 200, body = User), (status = 202, body = AccountRequest), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reset_password(
    State(s): State<AppState>,
    Account(u): Account,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
    Json(p): Json<PasswordReset>,
) -> R<(StatusCode, Json<AccountChange>)> {
    let op = AccountOp::ResetPassword {
        user_id: id,
        password: p.new_password,
    };
    Ok(answer(
        s.db.manage_account(&u, &actor, &op, now_ms()).await?,
    ))
}

/// 账号变更申请: requests of the caller's jurisdiction, pending first (security and county
/// administrators).
#[utoipa::path(get, path = "/account-requests", tag = "auth",
    responses((status = 200, body = Vec<AccountRequest>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn account_requests(
    State(s): State<AppState>,
    Account(u): Account,
) -> R<Json<Vec<AccountRequest>>> {
    Ok(Json(s.db.account_requests(&u).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[schema(as = AccountDecision)]
pub struct Decision {
    /// Why (kept with the request).
    #[serde(default)]
    pub note: String,
}

/// Approves a request and carries it out: another administrator than the requester, whose
/// jurisdiction holds the account, and not the account itself.
#[utoipa::path(post, path = "/account-requests/{id}/approve", tag = "auth", params(("id" = i64, Path)), request_body = Decision,
    responses((status = 200, body = AccountRequest), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn approve_request(
    State(s): State<AppState>,
    Account(u): Account,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
    Json(d): Json<Decision>,
) -> R<Json<AccountRequest>> {
    Ok(Json(
        s.db.decide_account_request(&u, &actor, id, true, &d.note, now_ms())
            .await?,
    ))
}

/// Rejects a request (the same people who may approve it).
#[utoipa::path(post, path = "/account-requests/{id}/reject", tag = "auth", params(("id" = i64, Path)), request_body = Decision,
    responses((status = 200, body = AccountRequest), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn reject_request(
    State(s): State<AppState>,
    Account(u): Account,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
    Json(d): Json<Decision>,
) -> R<Json<AccountRequest>> {
    Ok(Json(
        s.db.decide_account_request(&u, &actor, id, false, &d.note, now_ms())
            .await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries before the one with this id (for paging back).
    pub before: Option<i64>,
    /// 1-500 (default 100).
    #[param(minimum = 1, maximum = 500)]
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
    /// Linked entries checked, over every county's chain.
    pub entries: i64,
    /// Entries written moments ago and not yet linked.
    pub unlinked: i64,
    /// Every chain verifies and every stored checkpoint matches it.
    pub intact: bool,
    /// Each county's chain (0: the system's own), with its last linked entry.
    pub chains: Vec<ChainReport>,
    /// The first tampered entry: its chain, its place and why.
    pub problem_county: Option<i64>,
    pub problem_seq: Option<i64>,
    pub problem: Option<String>,
    /// Stored checkpoints that do not match the log.
    pub checkpoint_problems: Vec<CheckpointProblem>,
}

/// Verifies the audit log's hash chain (auditors).
#[utoipa::path(get, path = "/audit/verify", tag = "auth", responses((status = 200, body = AuditVerification), (status = 403, body = Problem)))]
pub async fn audit_verify(
    State(s): State<AppState>,
    Account(u): Account,
) -> R<Json<AuditVerification>> {
    require(&u, Right::ReadAudit)?;
    // What was written a moment ago is linked first, so the answer covers it.
    s.db.audit_link().await?;
    let v = s.db.audit_verify().await?;
    let checkpoint_problems = s.db.audit_check_checkpoints(None).await?;
    Ok(Json(AuditVerification {
        entries: v.entries,
        unlinked: v.unlinked,
        intact: v.problem.is_none() && checkpoint_problems.is_empty(),
        chains: v.chains,
        problem_county: v.problem.as_ref().map(|p| p.county_id),
        problem_seq: v.problem.as_ref().map(|p| p.seq),
        problem: v.problem.map(|p| p.problem),
        checkpoint_problems,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct CheckpointList {
    /// The SM2 public key (SEC1, hex) that checks every signature; keep it with the checkpoints.
    pub public_key: String,
    pub checkpoints: Vec<Checkpoint>,
}

/// 审计检查点: signed checkpoints of the audit chain, newest first, for an auditor to keep apart
/// from the database (auditors).
#[utoipa::path(get, path = "/audit/checkpoints", tag = "auth",
    responses((status = 200, body = CheckpointList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn audit_checkpoints(
    State(s): State<AppState>,
    Account(u): Account,
) -> R<Json<CheckpointList>> {
    require(&u, Right::ReadAudit)?;
    Ok(Json(CheckpointList {
        public_key: xiangzhi_storage::crypto::keyring()?.checkpoint_public_key(),
        checkpoints: s.db.audit_checkpoints(1000).await?,
    }))
}

/// Signs a checkpoint of every county's chain at its newest entry now; answers the newest
/// checkpoint of every chain (auditors).
#[utoipa::path(post, path = "/audit/checkpoints", tag = "auth",
    responses((status = 201, body = Vec<Checkpoint>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn audit_new_checkpoint(
    State(s): State<AppState>,
    Account(u): Account,
) -> R<(StatusCode, Json<Vec<Checkpoint>>)> {
    require(&u, Right::ReadAudit)?;
    s.db.audit_link().await?;
    Ok((
        StatusCode::CREATED,
        Json(
            s.db.audit_checkpoint(now_ms())
                .await?
                .into_iter()
                .map(|(c, _)| c)
                .collect(),
        ),
    ))
}

/// Checks checkpoints kept apart against the log: a wrong signature, a rewritten entry or a log
/// cut short is named (auditors).
#[utoipa::path(post, path = "/audit/checkpoints/verify", tag = "auth", request_body = Vec<Checkpoint>,
    responses((status = 200, body = Vec<CheckpointProblem>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn audit_check_checkpoints(
    State(s): State<AppState>,
    Account(u): Account,
    Json(kept): Json<Vec<Checkpoint>>,
) -> R<Json<Vec<CheckpointProblem>>> {
    require(&u, Right::ReadAudit)?;
    Ok(Json(s.db.audit_check_checkpoints(Some(&kept)).await?))
}
