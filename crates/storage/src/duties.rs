//! 三员分立: account administration with separation of duties, in one place for the API and the
//! console.
//!
//! A security administrator manages the accounts of the business roles (township officers,
//! village secretaries, grid workers) within their jurisdiction directly. Creating, resetting the
//! password of, disabling or enabling an account whose role ranks at or above the actor's own
//! (a county administrator, auditor or security administrator) becomes a request that another
//! administrator of the same jurisdiction must approve; the requester can neither approve their
//! own request nor one about themselves. A proposed password is kept only as its hash, and an
//! account created or reset by approval must have its password changed at the first login.

use crate::accounts::{apply_disabled, apply_password, insert_user, NewUser, PreparedUser, User};
use crate::sql::Q;
use crate::{Actor, Db, Result, StoreError};
use xiangzhi_domain::{Right, Role};

/// What an administrator asks to do to an account.
#[derive(Debug, Clone)]
pub enum AccountOp {
    Create(NewUser),
    ResetPassword { user_id: i64, password: String },
    SetDisabled { user_id: i64, disabled: bool },
}

/// The result: done at once, or waiting for a second person.
#[derive(Debug, Clone)]
pub enum AccountOutcome {
    /// Done; the account as it is now.
    Done(User),
    Pending(AccountRequest),
}

/// 账号变更申请: a change to a privileged account waiting for approval.
#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AccountRequest {
    pub id: i64,
    /// `create_user`, `reset_password`, `disable_user` or `enable_user`.
    pub kind: String,
    pub requested_by: i64,
    pub requested_at: i64,
    /// The account concerned (none yet for `create_user`).
    pub target_user_id: Option<i64>,
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub division_code: String,
    pub grid_id: Option<i64>,
    /// `pending`, `approved` or `rejected`.
    pub state: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
    pub note: String,
}

const REQUEST_COLS: &str = "id, kind, requested_by, requested_at, target_user_id, login, display_name, role, division_code, grid_id, state, decided_by, decided_at, note";

fn forbidden(zh: &str, en: &str) -> StoreError {
    StoreError::Forbidden(format!("{zh} / {en}"))
}

impl Db {
    /// The accounts of a security administrator's jurisdiction.
    pub async fn users_in_scope(&self, by: &User) -> Result<Vec<User>> {
        let scope = by.scope();
        Ok(self
            .list_users()
            .await?
            .into_iter()
            .filter(|u| scope.covers(&u.division_code))
            .collect())
    }

    /// An account the actor may administer: inside their jurisdiction (else not found).
    async fn managed(&self, by: &User, user_id: i64) -> Result<User> {
        let u = self.user_by_id(user_id).await?;
        if !by.scope().covers(&u.division_code) {
            return Err(StoreError::NotFound);
        }
        Ok(u)
    }

    /// Creates, resets, disables or enables an account for `by` (a security administrator):
    /// directly for the business roles, as a request for a second person otherwise.
    pub async fn manage_account(
        &self,
        by: &User,
        actor: &Actor,
        op: &AccountOp,
        now: i64,
    ) -> Result<AccountOutcome> {
        if !by.can(Right::ManageAccounts) {
            return Err(forbidden(
                "您的角色无权管理账号",
                "your role may not manage accounts",
            ));
        }
        match op {
            AccountOp::Create(n) => {
                let p = self.prepare_user(n).await?;
                if !by.scope().covers(&p.division_code) {
                    return Err(StoreError::invalid(
                        "division_code",
                        "只能在自己的管辖范围内建账号",
                        "accounts can be created only within your own jurisdiction",
                    ));
                }
                if by.role.needs_approval_for(p.role) {
                    let r = self
                        .file_request(by, actor, "create_user", None, &p, now)
                        .await?;
                    return Ok(AccountOutcome::Pending(r));
                }
                let mut tx = self.begin().await?;
                let id = insert_user(&mut tx, &p, now, None).await?;
                let object = crate::accounts::account_object(id, &p.login);
                tx.audit(actor, "create account", object).await?;
                tx.commit().await?;
                Ok(AccountOutcome::Done(self.user_by_id(id).await?))
            }
            AccountOp::ResetPassword { user_id, password } => {
                let u = self.managed(by, *user_id).await?;
                let hash = self.check_new_password(u.id, password).await?;
                if by.role.needs_approval_for(u.role) {
                    let p = prepared_of(&u, hash);
                    let r = self
                        .file_request(by, actor, "reset_password", Some(u.id), &p, now)
                        .await?;
                    return Ok(AccountOutcome::Pending(r));
                }
                let mut tx = self.begin().await?;
                apply_password(&mut tx, u.id, &hash, now, now).await?;
                let object = crate::accounts::account_object(u.id, &u.login);
                tx.audit(actor, "reset password", object).await?;
                tx.commit().await?;
                Ok(AccountOutcome::Done(self.user_by_id(u.id).await?))
            }
            AccountOp::SetDisabled { user_id, disabled } => {
                let u = self.managed(by, *user_id).await?;
                if by.role.needs_approval_for(u.role) {
                    let kind = if *disabled {
                        "disable_user"
                    } else {
                        "enable_user"
                    };
                    let p = prepared_of(&u, String::new());
                    let r = self
                        .file_request(by, actor, kind, Some(u.id), &p, now)
                        .await?;
                    return Ok(AccountOutcome::Pending(r));
                }
                let mut tx = self.begin().await?;
                apply_disabled(&mut tx, u.id, *disabled, now).await?;
                let action = if *disabled {
                    "disable account"
                } else {
                    "enable account"
                };
                let object = crate::accounts::account_object(u.id, &u.login);
                tx.audit(actor, action, object).await?;
                tx.commit().await?;
                Ok(AccountOutcome::Done(self.user_by_id(u.id).await?))
            }
        }
    }

    async fn file_request(
        &self,
        by: &User,
        actor: &Actor,
        kind: &str,
        target: Option<i64>,
        p: &PreparedUser,
        now: i64,
    ) -> Result<AccountRequest> {
        let mut tx = self.begin().await?;
        let id = insert_request(&mut tx, by, actor, kind, target, p, now).await?;
        tx.commit().await?;
        self.account_request(id).await
    }

    async fn account_request(&self, id: i64) -> Result<AccountRequest> {
        self.one(&Q::with(
            &format!("SELECT {REQUEST_COLS} FROM account_requests WHERE id = ?"),
            vec![id.into()],
        ))
        .await
    }

    /// Requests within `by`'s jurisdiction, pending first, newest first.
    pub async fn account_requests(&self, by: &User) -> Result<Vec<AccountRequest>> {
        if !(by.can(Right::ManageAccounts) || by.can(Right::ApproveAccounts)) {
            return Err(forbidden(
                "您的角色无权查看账号申请",
                "your role may not see account requests",
            ));
        }
        let scope = by.scope();
        let all: Vec<AccountRequest> = self
            .all(&Q::new(&format!(
                "SELECT {REQUEST_COLS} FROM account_requests \
                 ORDER BY CASE WHEN state = 'pending' THEN 0 ELSE 1 END, id DESC LIMIT 500"
            )))
            .await?;
        Ok(all
            .into_iter()
            .filter(|r| scope.covers(&r.division_code))
            .collect())
    }

    /// Approves or rejects a pending request: only another administrator whose jurisdiction
    /// holds the account, never the requester or the account itself. Approval carries the change
    /// out in the same transaction that closes the request.
    pub async fn decide_account_request(
        &self,
        by: &User,
        actor: &Actor,
        id: i64,
        approve: bool,
        note: &str,
        now: i64,
    ) -> Result<AccountRequest> {
        if !by.can(Right::ApproveAccounts) {
            return Err(forbidden(
                "您的角色无权批准账号申请",
                "your role may not approve account requests",
            ));
        }
        let r = self.account_request(id).await?;
        if !by.scope().covers(&r.division_code) {
            return Err(StoreError::NotFound);
        }
        if r.requested_by == by.id {
            return Err(forbidden(
                "不能批准自己提出的申请，须由另一位管理员批准",
                "you cannot decide your own request; another administrator must",
            ));
        }
        if r.target_user_id == Some(by.id) || (r.kind == "create_user" && r.login == by.login) {
            return Err(forbidden(
                "不能批准与自己账号有关的申请",
                "you cannot decide a request about your own account",
            ));
        }
        let (hash,): (String,) = self
            .one(&Q::with(
                "SELECT password_hash FROM account_requests WHERE id = ?",
                vec![id.into()],
            ))
            .await?;
        let state = if approve { "approved" } else { "rejected" };
        let mut tx = self.begin().await?;
        // Closing the request first takes its row: two approvers cannot both carry it out.
        let n = tx
            .exec(&Q::with(
                "UPDATE account_requests SET state = ?, decided_by = ?, decided_at = ?, note = ? \
                 WHERE id = ? AND state = 'pending'",
                vec![
                    state.into(),
                    by.id.into(),
                    now.into(),
                    note.chars().take(500).collect::<String>().into(),
                    id.into(),
                ],
            ))
            .await?;
        if n == 0 {
            return Err(StoreError::conflict(
                "state",
                "该申请已处理",
                "the request has already been decided",
            ));
        }
        if approve {
            match (r.kind.as_str(), r.target_user_id) {
                ("create_user", _) => {
                    let role: Role = r.role.parse().map_err(|e| {
                        StoreError::Invalid(vec![crate::FieldError::new("role", e)])
                    })?;
                    let p = PreparedUser {
                        login: r.login.clone(),
                        display_name: r.display_name.clone(),
                        role,
                        division_code: r.division_code.clone(),
                        grid_id: r.grid_id,
                        grid_path: None,
                        password_hash: hash,
                    };
                    // The new administrator sets their own password at the first login.
                    insert_user(&mut tx, &p, now, Some(0)).await?;
                }
                ("reset_password", Some(t)) => {
                    apply_password(&mut tx, t, &hash, 0, now).await?;
                }
                ("disable_user", Some(t)) => {
                    apply_disabled(&mut tx, t, true, now).await?;
                }
                ("enable_user", Some(t)) => {
                    apply_disabled(&mut tx, t, false, now).await?;
                }
                _ => {
                    return Err(StoreError::invalid(
                        "kind",
                        "申请的类型无效",
                        "the request's kind is not valid",
                    ))
                }
            }
        }
        let action = if approve {
            "approve account request"
        } else {
            "reject account request"
        };
        tx.audit(
            actor,
            action,
            format!("account request {id}: {} {}", r.kind, r.login),
        )
        .await?;
        tx.commit().await?;
        self.account_request(id).await
    }
}

/// Files a request inside the caller's transaction, audited there; its id.
pub(crate) async fn insert_request(
    tx: &mut crate::Tx,
    by: &User,
    actor: &Actor,
    kind: &str,
    target: Option<i64>,
    p: &PreparedUser,
    now: i64,
) -> Result<i64> {
    let id = crate::list::next_ids(tx, 0, "account_request", 1).await?;
    tx.exec(&Q::with(
        "INSERT INTO account_requests (id, kind, requested_by, requested_at, target_user_id, login, display_name, role, \
         division_code, grid_id, password_hash, state, decided_by, decided_at, note) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', NULL, NULL, '')",
        vec![
            id.into(),
            kind.into(),
            by.id.into(),
            now.into(),
            target.into(),
            p.login.clone().into(),
            p.display_name.clone().into(),
            p.role.as_str().into(),
            p.division_code.clone().into(),
            p.grid_id.into(),
            p.password_hash.clone().into(),
        ],
    ))
    .await?;
    tx.audit(
        actor,
        "file account request",
        format!("account request {id}: {kind} {}", p.login),
    )
    .await?;
    Ok(id)
}

fn prepared_of(u: &User, password_hash: String) -> PreparedUser {
    PreparedUser {
        login: u.login.clone(),
        display_name: u.display_name.clone(),
        role: u.role,
        division_code: u.division_code.clone(),
        grid_id: u.grid_id,
        grid_path: u.grid_path.clone(),
        password_hash,
    }
}
