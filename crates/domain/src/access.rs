//! Roles, their rights, and the password policy (等保 2.0 level 3; 三员分立: the administrator, the
//! auditor and the security administrator are separate roles with separate rights).

use crate::Invalid;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// 角色
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 县级管理员
    CountyAdmin,
    /// 乡镇干部
    TownshipOfficer,
    /// 村党组织书记
    VillageSecretary,
    /// 网格员
    GridWorker,
    /// 审计员: reads the audit log only
    Auditor,
    /// 安全管理员: manages accounts, cannot read residents
    SecurityAdmin,
}

/// What a role may do. Checked in one place (the API's caller extractor and the storage scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// Read the registry (divisions, grids, people, party).
    ReadRegistry,
    /// Create, change and delete households, residents, staff, party records.
    WriteRegistry,
    /// Create, change and delete divisions and grids (the structure itself).
    WriteStructure,
    /// See ID numbers and phones in full, for a stated purpose (every such view is audited).
    Unmask,
    /// Read the audit log.
    ReadAudit,
    /// Create, lock, reset and revoke accounts (of roles below one's own; above, by request).
    ManageAccounts,
    /// Approve another administrator's request to create, reset or disable a privileged account
    /// (the second person of 三员分立).
    ApproveAccounts,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::CountyAdmin,
        Role::TownshipOfficer,
        Role::VillageSecretary,
        Role::GridWorker,
        Role::Auditor,
        Role::SecurityAdmin,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::CountyAdmin => "county_admin",
            Role::TownshipOfficer => "township_officer",
            Role::VillageSecretary => "village_secretary",
            Role::GridWorker => "grid_worker",
            Role::Auditor => "auditor",
            Role::SecurityAdmin => "security_admin",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Role::CountyAdmin => "县级管理员",
            Role::TownshipOfficer => "乡镇干部",
            Role::VillageSecretary => "村党组织书记",
            Role::GridWorker => "网格员",
            Role::Auditor => "审计员",
            Role::SecurityAdmin => "安全管理员",
        }
    }
    pub fn has(self, right: Right) -> bool {
        use Right::*;
        use Role::*;
        match self {
            CountyAdmin => matches!(
                right,
                ReadRegistry | WriteRegistry | WriteStructure | Unmask | ApproveAccounts
            ),
            TownshipOfficer => matches!(
                right,
                ReadRegistry | WriteRegistry | WriteStructure | Unmask
            ),
            VillageSecretary => matches!(right, ReadRegistry | WriteRegistry | Unmask),
            GridWorker => matches!(right, ReadRegistry | WriteRegistry),
            Auditor => matches!(right, ReadAudit),
            SecurityAdmin => matches!(right, ManageAccounts | ApproveAccounts),
        }
    }

    /// The county administrator, the auditor and the security administrator: the three
    /// privileged roles of 三员分立, which watch each other.
    pub fn is_privileged(self) -> bool {
        matches!(
            self,
            Role::CountyAdmin | Role::Auditor | Role::SecurityAdmin
        )
    }

    /// 2 for the privileged roles, 1 for the business roles.
    pub fn rank(self) -> u8 {
        if self.is_privileged() {
            2
        } else {
            1
        }
    }

    /// Whether `self` acting on an account of role `target` (creating it, resetting its password,
    /// disabling or enabling it) needs a second person's approval: always when the target ranks
    /// at or above the actor, so nobody can make or take over an account as strong as their own.
    pub fn needs_approval_for(self, target: Role) -> bool {
        target.rank() >= self.rank()
    }
}

impl FromStr for Role {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        let t = s.trim();
        Role::ALL.into_iter().find(|r| r.as_str() == t || r.zh() == t).ok_or_else(|| {
            Invalid::new(
                format!("角色“{t}”无效"),
                format!("role '{t}' is not valid; expected one of county_admin, township_officer, village_secretary, grid_worker, auditor, security_admin"),
            )
        })
    }
}

impl TryFrom<String> for Role {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        s.parse()
    }
}

/// Minimum password length.
pub const PASSWORD_MIN_LEN: usize = 8;
/// Days before a password must be changed.
pub const PASSWORD_MAX_AGE_DAYS: i64 = 90;
/// How many previous passwords may not be reused.
pub const PASSWORD_HISTORY: usize = 5;
/// Failed logins before the account locks.
pub const LOCKOUT_THRESHOLD: i64 = 5;
/// How long a lockout lasts, in minutes.
pub const LOCKOUT_MINUTES: i64 = 15;
/// Idle minutes after which a session expires.
pub const SESSION_IDLE_MINUTES: i64 = 30;

/// Checks a new password against the policy: at least 8 characters mixing at least three of lower
/// case, upper case, digits and other characters, and not containing the login.
pub fn check_password(password: &str, login: &str) -> Result<(), Invalid> {
    if password.chars().count() < PASSWORD_MIN_LEN {
        return Err(Invalid::new(
            format!("密码至少{PASSWORD_MIN_LEN}位"),
            format!("the password must have at least {PASSWORD_MIN_LEN} characters"),
        ));
    }
    let kinds = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if kinds.iter().filter(|k| **k).count() < 3 {
        return Err(Invalid::new(
            "密码须包含小写字母、大写字母、数字、符号中的至少三类",
            "the password must mix at least three of: lower case, upper case, digits, symbols",
        ));
    }
    if !login.is_empty() && password.to_lowercase().contains(&login.to_lowercase()) {
        return Err(Invalid::new(
            "密码不能包含登录名",
            "the password must not contain the login",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separation_of_duties() {
        for r in Role::ALL {
            // Nobody both administers accounts and reads residents or the audit log.
            assert!(
                !(r.has(Right::ManageAccounts)
                    && (r.has(Right::ReadRegistry) || r.has(Right::ReadAudit)))
            );
            assert!(!(r.has(Right::ReadAudit) && r.has(Right::ReadRegistry)));
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
    }

    #[test]
    fn a_second_person_for_privileged_accounts() {
        use Role::*;
        for target in [CountyAdmin, Auditor, SecurityAdmin] {
            assert!(SecurityAdmin.needs_approval_for(target), "{target:?}");
        }
        for target in [TownshipOfficer, VillageSecretary, GridWorker] {
            assert!(!SecurityAdmin.needs_approval_for(target), "{target:?}");
        }
    }

    #[test]
    fn password_policy() {
        assert!(check_password("Xz1!", "wang").is_err());
        assert!(check_password("abcdefgh1", "wang").is_err());
        assert!(check_password("Abcdefg1", "wang").is_ok());
        assert!(check_password("abc-defg1", "wang").is_ok());
        assert!(check_password("Wang2026!x", "wang").is_err());
    }
}
