//! Accounts, password policy, lockout, sessions and revocable API tokens.
//!
//! Passwords are stored as argon2id hashes; session and API tokens as SHA-256 hashes of 256-bit
//! random values, so a copy of the database gives no usable credential.

use crate::sql::Q;
use crate::{now_ms, Actor, Bookkeeping, Db, Result, Scope, StoreError};
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use xiangzhi_domain::access::*;
use xiangzhi_domain::{DivisionCode, Role};

const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;

/// 用户
#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// The division this account is bound to; it sees only that subtree.
    pub division_code: String,
    /// The grid this account is bound to, if any (its division is the grid's division); it then
    /// sees only that grid's subtree of grids, staff, households, residents and party members.
    pub grid_id: Option<i64>,
    #[serde(skip)]
    pub grid_path: Option<String>,
    pub password_changed_at: i64,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub disabled: bool,
    pub created_at: i64,
}

impl User {
    /// The county this account works in, if it is bound to a county or below.
    pub fn county_id(&self) -> Option<i64> {
        DivisionCode::parse(&self.division_code)
            .ok()
            .and_then(|c| c.county_id())
    }

    /// The jurisdiction of this account.
    pub fn scope(&self) -> Scope {
        match (DivisionCode::parse(&self.division_code), &self.grid_path) {
            (Ok(code), Some(path)) => Scope::grid(&code, path),
            (Ok(code), None) => Scope::division(&code),
            // An account bound to nothing valid sees nothing.
            (Err(_), _) => Scope::nothing(),
        }
    }
    pub fn can(&self, right: Right) -> bool {
        self.role.has(right)
    }
    pub fn password_expired(&self, now: i64) -> bool {
        now - self.password_changed_at > PASSWORD_MAX_AGE_DAYS * DAY
    }
}

const USER_COLS: &str = "id, login, display_name, role, division_code, grid_id, grid_path, password_changed_at, failed_logins, locked_until, disabled, created_at";

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    pub login: String,
    pub display_name: String,
    /// county_admin, township_officer, village_secretary, grid_worker, auditor or security_admin.
    #[schema(value_type = xiangzhi_domain::Role)]
    pub role: String,
    /// The division the account is bound to.
    pub division_code: String,
    /// A grid inside that division to bind the account to instead (a grid worker's micro-grid).
    #[serde(default)]
    pub grid_id: Option<i64>,
    pub password: String,
}

/// Why a login failed. Unknown login, wrong password and a locked account answer alike to the
/// caller (the API maps them to one answer); they differ here for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    BadCredentials,
    /// Locked until this instant (ms) for this device, or for unknown devices.
    Locked(i64),
    /// The right password, but the account is disabled.
    Disabled,
    /// The right password, but older than 90 days: it must be changed first.
    PasswordExpired,
    /// Too many failures from this source address; it may try again at this instant (ms).
    Throttled(i64),
}

/// One login attempt.
#[derive(Debug, Clone, Copy)]
pub struct LoginAttempt<'a> {
    pub login: &'a str,
    pub password: &'a str,
    pub now: i64,
    /// The client's address, for the per-source throttle.
    pub source: &'a str,
    /// The device cookie the browser sent, if any.
    pub device: Option<&'a str>,
    /// Whether a successful login hands a browser without a device cookie a new one.
    pub new_device: bool,
}

/// A successful login: the account, and a device cookie to set when the browser had none.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub user: User,
    pub new_device: Option<String>,
}

/// Failed logins one source address may make in [`SOURCE_WINDOW_MINUTES`] before it must wait.
pub const SOURCE_FAILURE_LIMIT: i64 = 20;
pub const SOURCE_WINDOW_MINUTES: i64 = 15;
/// A device cookie unused this many days no longer counts as known.
pub const DEVICE_DAYS: i64 = 90;

fn dummy_verify(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy =
        DUMMY.get_or_init(|| hash_password("xiangzhi-dummy-Password-1").unwrap_or_default());
    let _ = verify_password(password, dummy);
}

pub(crate) fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::invalid("password", e.to_string(), e.to_string()))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A new account, checked and with its password hashed, ready to insert.
pub(crate) struct PreparedUser {
    pub(crate) login: String,
    pub(crate) display_name: String,
    pub(crate) role: Role,
    pub(crate) division_code: String,
    pub(crate) grid_id: Option<i64>,
    pub(crate) grid_path: Option<String>,
    pub(crate) password_hash: String,
}

fn login_taken() -> StoreError {
    StoreError::conflict("login", "登录名已存在", "the login is taken")
}

/// Inserts an account; `password_changed_at` 0 makes its owner change the password first.
pub(crate) async fn insert_user(
    tx: &mut crate::Tx,
    p: &PreparedUser,
    now: i64,
    password_changed_at: Option<i64>,
) -> Result<i64> {
    let id = crate::list::next_ids(tx, 0, "user", 1).await?;
    tx.exec(&Q::with(
        "INSERT INTO users (id, login, display_name, role, division_code, grid_id, grid_path, password_hash, password_changed_at, \
         failed_logins, locked_until, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?, ?)",
        vec![
            id.into(),
            p.login.clone().into(),
            p.display_name.clone().into(),
            p.role.as_str().into(),
            p.division_code.clone().into(),
            p.grid_id.into(),
            p.grid_path.clone().into(),
            p.password_hash.clone().into(),
            password_changed_at.unwrap_or(now).into(),
            crate::sql::Arg::Bool(false),
            now.into(),
            now.into(),
        ],
    ))
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => login_taken(),
        e => e,
    })?;
    tx.exec(&Q::with(
        "INSERT INTO password_history (user_id, changed_at, password_hash) VALUES (?, ?, ?)",
        vec![id.into(), now.into(), p.password_hash.clone().into()],
    ))
    .await?;
    Ok(id)
}

/// Stores a new password hash, unlocks the account and ends its sessions; `changed_at` 0 makes
/// the owner change it at the next login.
pub(crate) async fn apply_password(
    tx: &mut crate::Tx,
    user_id: i64,
    hash: &str,
    changed_at: i64,
    now: i64,
) -> Result<()> {
    tx.exec(&Q::with(
        "UPDATE users SET password_hash = ?, password_changed_at = ?, failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?",
        vec![hash.into(), changed_at.into(), now.into(), user_id.into()],
    ))
    .await?;
    tx.exec(&Q::with(
        "INSERT INTO password_history (user_id, changed_at, password_hash) VALUES (?, ?, ?)",
        vec![user_id.into(), now.into(), hash.into()],
    ))
    .await?;
    // A new password ends every session of the account.
    tx.exec(&Q::with(
        "DELETE FROM sessions WHERE user_id = ?",
        vec![user_id.into()],
    ))
    .await?;
    Ok(())
}

/// Disables (ending its sessions and revoking its tokens) or enables an account; the rows changed.
pub(crate) async fn apply_disabled(
    tx: &mut crate::Tx,
    user_id: i64,
    disabled: bool,
    now: i64,
) -> Result<u64> {
    let n = tx
        .exec(&Q::with(
            "UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?",
            vec![crate::sql::Arg::Bool(disabled), now.into(), user_id.into()],
        ))
        .await?;
    if disabled {
        tx.exec(&Q::with(
            "DELETE FROM sessions WHERE user_id = ?",
            vec![user_id.into()],
        ))
        .await?;
        tx.exec(&Q::with(
            "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            vec![now.into(), user_id.into()],
        ))
        .await?;
    }
    Ok(n)
}

/// A fresh random token and the hash that is stored for it.
fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    crate::crypto::hex(&Sha256::digest(token.as_bytes()))
}

/// How an account is named in audit entries.
pub(crate) fn account_object(id: i64, login: &str) -> String {
    format!("user {id} ({login})")
}

fn policy(field: &str, r: std::result::Result<(), xiangzhi_domain::Invalid>) -> Result<()> {
    r.map_err(|e| StoreError::Invalid(vec![crate::FieldError::new(field, e)]))
}

impl Db {
    /// Creates an account directly (the command line, run by whoever holds the server; the API
    /// and console go through [`Db::manage_account`], which applies separation of duties).
    pub async fn create_user(&self, by: &Actor, u: &NewUser) -> Result<User> {
        let p = self.prepare_user(u).await?;
        let mut tx = self.begin().await?;
        let id = insert_user(&mut tx, &p, now_ms(), None).await?;
        tx.audit(by, "create account", account_object(id, &p.login))
            .await?;
        tx.commit().await?;
        self.user_by_id(id).await
    }

    /// Checks a new account (fields, password policy, division, grid, free login) and hashes
    /// its password, without writing anything.
    pub(crate) async fn prepare_user(&self, u: &NewUser) -> Result<PreparedUser> {
        let mut p = self.check_user(u).await?;
        p.password_hash = hash_password(&u.password)?;
        Ok(p)
    }

    /// Checks a new account, its password hash left empty (hashing is seconds of CPU for a
    /// file of accounts: done apart, off the threads that answer requests).
    pub(crate) async fn check_user(&self, u: &NewUser) -> Result<PreparedUser> {
        let mut c = xiangzhi_domain::Checker::default();
        let login = c.text("login", &u.login, 50);
        let display = c.text("display_name", &u.display_name, 50);
        let role = c.parse("role", u.role.parse::<Role>());
        let division = c.parse("division_code", DivisionCode::parse(&u.division_code));
        if let Err(e) = check_password(&u.password, &u.login) {
            c.0.push(crate::FieldError::new("password", e));
        }
        let (login, display, role, division) = c.finish(
            login
                .zip(display)
                .zip(role)
                .zip(division)
                .map(|(((a, b), c), d)| (a, b, c, d)),
        )?;
        if division.level().is_county_owned() {
            // The jurisdiction tree is the platform's: read by SQL, not through the registry.
            let found: Option<(i64,)> = self
                .optional(&Q::with(
                    "SELECT t.county_id FROM divisions t WHERE t.county_id = ? AND t.code = ?",
                    vec![
                        division.county_id().unwrap_or_default().into(),
                        division.as_str().into(),
                    ],
                ))
                .await?;
            if found.is_none() {
                return Err(StoreError::invalid(
                    "division_code",
                    "区划不存在",
                    "the division does not exist",
                ));
            }
        }
        // Bound to a grid: the grid must lie in the division; the account takes the grid's division.
        let (division_code, grid_path) = match u.grid_id {
            None => (division.as_str().to_string(), None),
            Some(gid) => {
                let missing = || {
                    StoreError::invalid(
                        "grid_id",
                        "网格不存在或不在该区划内",
                        "the grid does not exist or lies outside the division",
                    )
                };
                let county = division.county_id().ok_or_else(missing)?;
                let (path, grid_division): (String, String) = self
                    .optional(&Q::with(
                        "SELECT t.path, t.division_code FROM grids t WHERE t.county_id = ? AND t.id = ?",
                        vec![county.into(), gid.into()],
                    ))
                    .await?
                    .ok_or_else(missing)?;
                if !Scope::division(&division).covers(&grid_division) {
                    return Err(missing());
                }
                (grid_division, Some(path))
            }
        };
        let taken: Option<(i64,)> = self
            .optional(&Q::with(
                "SELECT id FROM users WHERE login = ?",
                vec![login.clone().into()],
            ))
            .await?;
        if taken.is_some() {
            return Err(login_taken());
        }
        Ok(PreparedUser {
            login,
            display_name: display,
            role,
            division_code,
            grid_id: u.grid_id,
            grid_path,
            password_hash: String::new(),
        })
    }

    pub async fn user_by_id(&self, id: i64) -> Result<User> {
        self.one(&Q::with(
            &format!("SELECT {USER_COLS} FROM users WHERE id = ?"),
            vec![id.into()],
        ))
        .await
    }

    pub async fn user_by_login(&self, login: &str) -> Result<User> {
        self.one(&Q::with(
            &format!("SELECT {USER_COLS} FROM users WHERE login = ?"),
            vec![login.into()],
        ))
        .await
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        self.all(&Q::new(&format!(
            "SELECT {USER_COLS} FROM users ORDER BY id"
        )))
        .await
    }

    /// The name of the division an account works in (for the console's header: names, never
    /// codes); `None` when the division is not in the database.
    pub async fn division_name_of(&self, u: &User) -> Result<Option<String>> {
        let county = u.division_code.get(..6).and_then(|c| c.parse::<i64>().ok());
        let row: Option<(String,)> = self
            .optional(&Q::with(
                "SELECT d.name FROM divisions d WHERE d.county_id = ? AND d.code = ?",
                vec![county.into(), u.division_code.clone().into()],
            ))
            .await?;
        Ok(row.map(|(n,)| n))
    }

    /// Checks a login and password.
    ///
    /// Failures are counted in one atomic statement each, so N parallel failures count N. Every
    /// fifth failure since the last success locks the account for 15 minutes — for logins from
    /// unknown devices only: a browser that logged in to this account before (its device cookie)
    /// keeps its own count and lock, so a stranger guessing cannot lock the owner out. A source
    /// address with too many failures in a window is throttled before any password is checked.
    /// While locked, no password is checked at all (an answer that differed for the right password
    /// would let guessing go on through the lock).
    pub async fn authenticate(
        &self,
        a: &LoginAttempt<'_>,
    ) -> Result<std::result::Result<LoggedIn, LoginError>> {
        let now = a.now;
        if let Some(until) = self.source_throttled(a.source, now).await? {
            return Ok(Err(LoginError::Throttled(until)));
        }
        let row: Option<(i64, String)> = self
            .optional(&Q::with(
                "SELECT id, password_hash FROM users WHERE login = ?",
                vec![a.login.into()],
            ))
            .await?;
        let Some((id, hash)) = row else {
            // Spend the same effort as for a real account, so timing does not reveal logins.
            dummy_verify(a.password);
            self.count_source_failure(a.source, now).await?;
            return Ok(Err(LoginError::BadCredentials));
        };
        let user = self.user_by_id(id).await?;
        let device = match a.device {
            Some(d) => self.device_of(id, d, now).await?,
            None => None,
        };
        let locked = match &device {
            Some(d) => d.1.filter(|u| *u > now),
            None => user.locked_until.filter(|u| *u > now),
        };
        if let Some(until) = locked {
            dummy_verify(a.password);
            return Ok(Err(LoginError::Locked(until)));
        }
        if !verify_password(a.password, &hash) {
            self.count_source_failure(a.source, now).await?;
            let until = now + LOCKOUT_MINUTES * MINUTE;
            let (table, key): (&str, crate::sql::Arg) = match &device {
                Some(d) => ("login_devices", d.0.clone().into()),
                None => ("users", id.into()),
            };
            let key_col = if device.is_some() { "token_hash" } else { "id" };
            let mut tx = self.begin().await?;
            tx.bookkeeping(Bookkeeping::Session);
            let (_, locked): (i64, Option<i64>) = tx
                .one(&Q::with(
                    &format!(
                        "UPDATE {table} SET failed_logins = failed_logins + 1, \
                         locked_until = CASE WHEN (failed_logins + 1) % ? = 0 THEN ? ELSE locked_until END \
                         WHERE {key_col} = ? RETURNING failed_logins, locked_until"
                    ),
                    vec![LOCKOUT_THRESHOLD.into(), until.into(), key],
                ))
                .await?;
            tx.commit().await?;
            return Ok(Err(match locked.filter(|u| *u > now) {
                Some(u) => LoginError::Locked(u),
                None => LoginError::BadCredentials,
            }));
        }
        if user.disabled {
            return Ok(Err(LoginError::Disabled));
        }
        // The right password clears the count, unless a parallel failure locked it meanwhile.
        let mut tx = self.begin().await?;
        tx.bookkeeping(Bookkeeping::Session);
        let cleared = match &device {
            Some(d) => {
                tx.exec(&Q::with(
                    "UPDATE login_devices SET failed_logins = 0, locked_until = NULL, last_used = ? \
                     WHERE token_hash = ? AND (locked_until IS NULL OR locked_until <= ?)",
                    vec![now.into(), d.0.clone().into(), now.into()],
                ))
                .await?
            }
            None => {
                tx.exec(&Q::with(
                    "UPDATE users SET failed_logins = 0, locked_until = NULL \
                     WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?)",
                    vec![id.into(), now.into()],
                ))
                .await?
            }
        };
        if cleared == 0 {
            return Ok(Err(LoginError::Locked(now + LOCKOUT_MINUTES * MINUTE)));
        }
        // A browser without a device cookie for this account gets one now.
        let new_device = if device.is_none() && a.new_device {
            let (token, hash) = new_token();
            tx.exec(&Q::with(
                "INSERT INTO login_devices (token_hash, user_id, created_at, last_used, failed_logins, locked_until) \
                 VALUES (?, ?, ?, ?, 0, NULL)",
                vec![hash.into(), id.into(), now.into(), now.into()],
            ))
            .await?;
            Some(token)
        } else {
            None
        };
        tx.commit().await?;
        if user.password_expired(now) {
            return Ok(Err(LoginError::PasswordExpired));
        }
        Ok(Ok(LoggedIn {
            user: self.user_by_id(id).await?,
            new_device,
        }))
    }

    /// The device row (its hash and lock) of a device cookie, if it belongs to this account and
    /// was used within [`DEVICE_DAYS`].
    async fn device_of(
        &self,
        user_id: i64,
        token: &str,
        now: i64,
    ) -> Result<Option<(String, Option<i64>)>> {
        let hash = token_hash(token);
        let row: Option<(Option<i64>,)> = self
            .optional(&Q::with(
                "SELECT locked_until FROM login_devices WHERE token_hash = ? AND user_id = ? AND last_used > ?",
                vec![
                    hash.clone().into(),
                    user_id.into(),
                    (now - DEVICE_DAYS * DAY).into(),
                ],
            ))
            .await?;
        Ok(row.map(|(l,)| (hash, l)))
    }

    /// When a source that failed too often may try again, if it is throttled now.
    async fn source_throttled(&self, source: &str, now: i64) -> Result<Option<i64>> {
        let row: Option<(i64, i64)> = self
            .optional(&Q::with(
                "SELECT window_start, failures FROM login_throttle WHERE source = ?",
                vec![source.into()],
            ))
            .await?;
        Ok(row.and_then(|(start, n)| {
            let end = start + SOURCE_WINDOW_MINUTES * MINUTE;
            (end > now && n >= SOURCE_FAILURE_LIMIT).then_some(end)
        }))
    }

    /// Counts one failed login of a source, in one statement (a new window when the last ended).
    async fn count_source_failure(&self, source: &str, now: i64) -> Result<()> {
        let expired = now - SOURCE_WINDOW_MINUTES * MINUTE;
        let mut tx = self.begin().await?;
        tx.bookkeeping(Bookkeeping::Session);
        tx.exec(&Q::with(
            "INSERT INTO login_throttle (source, window_start, failures) VALUES (?, ?, 1) \
             ON CONFLICT (source) DO UPDATE SET \
             failures = CASE WHEN login_throttle.window_start <= ? THEN 1 ELSE login_throttle.failures + 1 END, \
             window_start = CASE WHEN login_throttle.window_start <= ? THEN ? ELSE login_throttle.window_start END",
            vec![
                source.into(),
                now.into(),
                expired.into(),
                expired.into(),
                now.into(),
            ],
        ))
        .await?;
        tx.commit().await
    }

    /// Sets a new password after checking the policy and the last five passwords.
    pub async fn set_password(
        &self,
        by: &Actor,
        user_id: i64,
        new_password: &str,
        now: i64,
    ) -> Result<()> {
        let hash = self.check_new_password(user_id, new_password).await?;
        let mut tx = self.begin().await?;
        apply_password(&mut tx, user_id, &hash, now, now).await?;
        tx.audit(by, "set password", format!("user {user_id}"))
            .await?;
        tx.commit().await
    }

    /// Checks a new password of an account against the policy and its last five passwords, and
    /// returns its hash.
    pub(crate) async fn check_new_password(
        &self,
        user_id: i64,
        new_password: &str,
    ) -> Result<String> {
        let user = self.user_by_id(user_id).await?;
        policy("new_password", check_password(new_password, &user.login))?;
        let history: Vec<(String,)> = self
            .all(&Q::with(
                &format!("SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY changed_at DESC LIMIT {PASSWORD_HISTORY}"),
                vec![user_id.into()],
            ))
            .await?;
        if history.iter().any(|(h,)| verify_password(new_password, h)) {
            return Err(StoreError::invalid(
                "new_password",
                format!("不能使用最近{PASSWORD_HISTORY}次用过的密码"),
                format!("the password must differ from the last {PASSWORD_HISTORY}"),
            ));
        }
        hash_password(new_password)
    }

    /// Changes one's own password, proving the old one (also the way out of an expired password).
    pub async fn change_password(&self, old: &LoginAttempt<'_>, new: &str) -> Result<()> {
        // The old password is checked as a login is, through the same lockout and throttle, so
        // this is no side door for guessing.
        let wrong = || {
            StoreError::invalid(
                "old_password",
                "登录名或原密码错误（多次输错须等待）",
                "wrong login or old password (after repeated failures, wait)",
            )
        };
        let check = LoginAttempt {
            new_device: false,
            ..*old
        };
        let id = match self.authenticate(&check).await? {
            Ok(l) => l.user.id,
            Err(LoginError::PasswordExpired) => self.user_by_login(old.login).await?.id,
            Err(_) => return Err(wrong()),
        };
        let by = Actor::new(Some(id), old.login, old.source, "change own password");
        self.set_password(&by, id, new, old.now).await
    }

    pub async fn set_user_disabled(&self, by: &Actor, user_id: i64, disabled: bool) -> Result<()> {
        let mut tx = self.begin().await?;
        if apply_disabled(&mut tx, user_id, disabled, now_ms()).await? == 0 {
            return Err(StoreError::NotFound);
        }
        let action = if disabled {
            "disable account"
        } else {
            "enable account"
        };
        tx.audit(by, action, format!("user {user_id}")).await?;
        tx.commit().await
    }

    /// Starts a session; returns the token to hand to the browser.
    pub async fn create_session(&self, user_id: i64, source: &str, now: i64) -> Result<String> {
        let (token, hash) = new_token();
        let mut tx = self.begin().await?;
        tx.bookkeeping(Bookkeeping::Session);
        tx.exec(&Q::with(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen, source) VALUES (?, ?, ?, ?, ?)",
            vec![hash.into(), user_id.into(), now.into(), now.into(), source.into()],
        ))
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The user of a live session; a session idle for 30 minutes is ended.
    pub async fn session_user(&self, token: &str, now: i64) -> Result<Option<User>> {
        let hash = token_hash(token);
        let row: Option<(i64, i64)> = self
            .optional(&Q::with(
                "SELECT user_id, last_seen FROM sessions WHERE token_hash = ?",
                vec![hash.clone().into()],
            ))
            .await?;
        let Some((user_id, last_seen)) = row else {
            return Ok(None);
        };
        let mut tx = self.begin().await?;
        tx.bookkeeping(Bookkeeping::Session);
        if now - last_seen > SESSION_IDLE_MINUTES * MINUTE {
            tx.exec(&Q::with(
                "DELETE FROM sessions WHERE token_hash = ?",
                vec![hash.into()],
            ))
            .await?;
            tx.commit().await?;
            return Ok(None);
        }
        // Write the idle clock at most once a minute.
        if now - last_seen > MINUTE {
            tx.exec(&Q::with(
                "UPDATE sessions SET last_seen = ? WHERE token_hash = ?",
                vec![now.into(), hash.into()],
            ))
            .await?;
        }
        tx.commit().await?;
        let user = self.user_by_id(user_id).await?;
        Ok((!user.disabled).then_some(user))
    }

    pub async fn end_session(&self, token: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.bookkeeping(Bookkeeping::Session);
        tx.exec(&Q::with(
            "DELETE FROM sessions WHERE token_hash = ?",
            vec![token_hash(token).into()],
        ))
        .await?;
        tx.commit().await
    }

    /// Issues a bearer token for an API client; the token itself is shown only now.
    pub async fn create_api_token(
        &self,
        by: &Actor,
        user_id: i64,
        name: &str,
    ) -> Result<(i64, String)> {
        let (token, hash) = new_token();
        let mut tx = self.begin().await?;
        let id = crate::list::next_ids(&mut tx, 0, "api_token", 1).await?;
        tx.exec(&Q::with(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, last_used, revoked_at) VALUES (?, ?, ?, ?, ?, NULL, NULL)",
            vec![id.into(), user_id.into(), name.into(), hash.into(), now_ms().into()],
        ))
        .await?;
        tx.audit(
            by,
            "issue API token",
            format!("token {id} of user {user_id}"),
        )
        .await?;
        tx.commit().await?;
        Ok((id, token))
    }

    /// Revokes a token of `user_id` (or any token, for a security administrator: `user_id = None`).
    pub async fn revoke_api_token(
        &self,
        by: &Actor,
        token_id: i64,
        user_id: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let mut q = Q::with(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            vec![now_ms().into(), token_id.into()],
        );
        if let Some(u) = user_id {
            let p = q.arg(u);
            q.push(&format!(" AND user_id = {p}"));
        }
        if tx.exec(&q).await? == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(by, "revoke API token", format!("token {token_id}"))
            .await?;
        tx.commit().await
    }

    /// The user of a live (unrevoked) API token.
    pub async fn token_user(&self, token: &str) -> Result<Option<User>> {
        let row: Option<(i64,)> = self
            .optional(&Q::with(
                "SELECT user_id FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
                vec![token_hash(token).into()],
            ))
            .await?;
        let Some((user_id,)) = row else {
            return Ok(None);
        };
        let user = self.user_by_id(user_id).await?;
        Ok((!user.disabled).then_some(user))
    }
}
