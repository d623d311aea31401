//! 批量建账号: accounts created from a file by a security administrator, all or none, through
//! the same separation of duties as one at a time (三员分立): a business account is created at
//! once, a privileged one is filed as a request for a second administrator. Each account gets a
//! random initial password, returned once to be handed over and kept nowhere in clear; its owner
//! must change it at the first login.

use crate::accounts::{hash_password, insert_user, NewUser, PreparedUser, User};
use crate::duties::insert_request;
use crate::sql::Q;
use crate::{Actor, Db, FieldError, Result, StoreError};
use rand::Rng;
use xiangzhi_domain::{Invalid, Right};

/// One row of an accounts file, as written: the division by code or by name, the grid by code.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct BulkAccount {
    pub login: String,
    pub display_name: String,
    /// The role, by name (网格员) or code (grid_worker).
    pub role: String,
    /// The division of the jurisdiction: its 12- or 15-digit code, or its name (unique in the county).
    #[serde(default)]
    pub division: String,
    /// For an account bound to one grid (a grid worker's micro-grid): the grid's code.
    #[serde(default)]
    pub grid_code: String,
}

/// An account the file created, or requested, with its initial password: shown once.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Handover {
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub division_code: String,
    /// The initial password; the owner must change it at the first login.
    pub password: String,
    /// The account created at once; none while a privileged one waits for approval.
    pub user_id: Option<i64>,
    /// The request filed instead, for a privileged account.
    pub request_id: Option<i64>,
}

/// What is wrong with row `index` (from 0) of the file: the field and why.
pub type RowFault = (usize, FieldError);

/// Letters and digits that cannot be mistaken for each other when read aloud or copied by hand.
const LOWER: &[u8] = b"abcdefghjkmnpqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"#%+=@";

/// A random 12-character initial password mixing all four kinds (the policy asks for three).
pub fn initial_password() -> String {
    let mut rng = rand::rng();
    let mut pick = |set: &[u8]| set[rng.random_range(0..set.len())] as char;
    let mut chars: Vec<char> = vec![pick(LOWER), pick(UPPER), pick(DIGITS), pick(SYMBOLS)];
    let all: Vec<u8> = [LOWER, UPPER, DIGITS].concat();
    while chars.len() < 12 {
        chars.push(pick(&all));
    }
    // The four kinds at random places.
    for i in (1..chars.len()).rev() {
        let j = rand::rng().random_range(0..=i);
        chars.swap(i, j);
    }
    chars.into_iter().collect()
}

fn fault(index: usize, field: &str, zh: impl Into<String>, en: impl Into<String>) -> RowFault {
    (index, FieldError::new(field, Invalid::new(zh, en)))
}

impl Db {
    /// Creates the accounts of a file for `by` (a security administrator), all or none: the
    /// faults of every row when any row is wrong (nothing written), else each account with its
    /// initial password.
    pub async fn create_accounts(
        &self,
        by: &User,
        actor: &Actor,
        rows: &[BulkAccount],
        now: i64,
    ) -> Result<std::result::Result<Vec<Handover>, Vec<RowFault>>> {
        if !by.can(Right::ManageAccounts) {
            return Err(StoreError::Forbidden(
                "您的角色无权管理账号 / your role may not manage accounts".into(),
            ));
        }
        let scope = by.scope();
        // The county a row acts in: its division's, else the administrator's own.
        let own_county = by.division_code.get(..6).filter(|c| !c.ends_with("00"));
        let mut faults = Vec::new();
        let mut ready: Vec<(PreparedUser, String)> = Vec::new();
        let mut logins: std::collections::HashMap<String, usize> = Default::default();
        for (i, row) in rows.iter().enumerate() {
            let division = row.division.trim();
            let county = if division.len() >= 6 && division.bytes().all(|b| b.is_ascii_digit()) {
                Some(division[..6].to_string())
            } else {
                own_county.map(str::to_string)
            };
            let Some(county) = county.and_then(|c| c.parse::<i64>().ok()) else {
                faults.push(fault(
                    i,
                    "division",
                    "请填写管辖区划代码（12位，村民小组15位）",
                    "give the division's code (12 digits, 15 for a villager group)",
                ));
                continue;
            };
            let mut code = division.to_string();
            if !division.is_empty() && !division.bytes().all(|b| b.is_ascii_digit()) {
                let found: Vec<(String,)> = self
                    .all(&Q::with(
                        "SELECT t.code FROM divisions t WHERE t.county_id = ? AND t.name = ?",
                        vec![county.into(), division.into()],
                    ))
                    .await?;
                let found: Vec<String> = found
                    .into_iter()
                    .map(|(c,)| c)
                    .filter(|c| scope.covers(c))
                    .collect();
                match found.as_slice() {
                    [c] => code = c.clone(),
                    [] => {
                        faults.push(fault(
                            i,
                            "division",
                            format!("您的管辖范围内没有名为“{division}”的区划"),
                            format!("no division named '{division}' within your jurisdiction"),
                        ));
                        continue;
                    }
                    _ => {
                        faults.push(fault(
                            i,
                            "division",
                            format!("有多个名为“{division}”的区划，请填写区划代码"),
                            format!("several divisions are named '{division}': give the code"),
                        ));
                        continue;
                    }
                }
            }
            let mut grid_id = None;
            let grid_code = row.grid_code.trim();
            if !grid_code.is_empty() {
                let g: Option<(i64, String)> = self
                    .optional(&Q::with(
                        "SELECT t.id, t.division_code FROM grids t WHERE t.county_id = ? AND t.code = ?",
                        vec![county.into(), grid_code.into()],
                    ))
                    .await?;
                match g {
                    Some((id, d)) if scope.covers(&d) => {
                        grid_id = Some(id);
                        if code.is_empty() {
                            code = d;
                        }
                    }
                    _ => {
                        faults.push(fault(
                            i,
                            "grid_code",
                            format!("网格“{grid_code}”不存在或不在您的管辖范围内"),
                            format!(
                                "grid '{grid_code}' does not exist or is outside your jurisdiction"
                            ),
                        ));
                        continue;
                    }
                }
            }
            let password = initial_password();
            let u = NewUser {
                login: row.login.trim().to_string(),
                display_name: row.display_name.trim().to_string(),
                role: row.role.trim().to_string(),
                division_code: code,
                grid_id,
                password: password.clone(),
            };
            if let Some(first) = logins.insert(u.login.clone(), i) {
                faults.push(fault(
                    i,
                    "login",
                    format!("登录名与第{}个账号重复", first + 1),
                    format!("the login repeats account {}", first + 1),
                ));
                continue;
            }
            match self.check_user(&u).await {
                Ok(p) if !scope.covers(&p.division_code) => faults.push(fault(
                    i,
                    "division",
                    "只能在自己的管辖范围内建账号",
                    "accounts can be created only within your own jurisdiction",
                )),
                Ok(p) => ready.push((p, password)),
                Err(StoreError::Invalid(fields)) => {
                    faults.extend(fields.into_iter().map(|f| (i, f)));
                }
                Err(StoreError::Conflict(f)) => faults.push((i, f)),
                Err(e) => return Err(e),
            }
        }
        if !faults.is_empty() {
            return Ok(Err(faults));
        }
        // Hashing is CPU work of tens of milliseconds an account: apart from request threads.
        let ready = tokio::task::spawn_blocking(move || {
            ready
                .into_iter()
                .map(|(mut p, password)| {
                    p.password_hash = hash_password(&password)?;
                    Ok((p, password))
                })
                .collect::<Result<Vec<_>>>()
        })
        .await
        .map_err(|e| StoreError::Query(format!("hashing: {e}")))??;
        let mut tx = self.begin().await?;
        let mut out = Vec::with_capacity(ready.len());
        for (p, password) in ready {
            let (user_id, request_id) = if by.role.needs_approval_for(p.role) {
                let r = insert_request(&mut tx, by, actor, "create_user", None, &p, now).await?;
                (None, Some(r))
            } else {
                // The owner sets their own password at the first login.
                let id = insert_user(&mut tx, &p, now, Some(0)).await?;
                let object = crate::accounts::account_object(id, &p.login);
                tx.audit(actor, "create account", object).await?;
                (Some(id), None)
            };
            out.push(Handover {
                login: p.login,
                display_name: p.display_name,
                role: p.role.as_str().to_string(),
                division_code: p.division_code,
                password,
                user_id,
                request_id,
            });
        }
        let requested = out.iter().filter(|h| h.request_id.is_some()).count();
        tx.audit(
            actor,
            "create accounts from file",
            format!(
                "{} accounts: {} created, {requested} requested for approval",
                out.len(),
                out.len() - requested
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(out))
    }
}
