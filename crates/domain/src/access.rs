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

/// What a role may do: a key, its name in both languages, and the roles that hold it. Checked in
/// one place (the web platform's `Authorized<R>` extractor, and the store's scope). The platform's
/// rights are the constants below; a feature that brings a right of its own declares it as a
/// constant of its crate with [`Right::new`], naming the roles that hold it, and lists it in its
/// `Feature`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Right {
    /// Stable name, `area.verb` (`registry.read`).
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    roles: &'static [Role],
}

// The platform's rights keep the names they had as an enum, so `Right::ReadRegistry` reads as before.
#[allow(non_upper_case_globals)]
impl Right {
    /// Read the registry (divisions, grids, people, party), cases and plans.
    pub const ReadRegistry: Right = Right::new(
        "registry.read",
        "查看区划、人口、党组织、诉求与规划",
        "read divisions, people, party, cases and plans",
        &[
            Role::CountyAdmin,
            Role::TownshipOfficer,
            Role::VillageSecretary,
            Role::GridWorker,
        ],
    );
    /// Create, change and delete households, residents, staff, party records and cases.
    pub const WriteRegistry: Right = Right::new(
        "registry.write",
        "登记和修改户、居民、网格员、党员与诉求",
        "record and change households, residents, staff, party records and cases",
        &[
            Role::CountyAdmin,
            Role::TownshipOfficer,
            Role::VillageSecretary,
            Role::GridWorker,
        ],
    );
    /// Create, change and delete divisions and grids (the structure itself), case categories and
    /// clocks, village profiles and plans.
    pub const WriteStructure: Right = Right::new(
        "structure.write",
        "调整区划、网格、事项类别与规划",
        "change divisions, grids, case categories and plans",
        &[Role::CountyAdmin, Role::TownshipOfficer],
    );
    /// See ID numbers and phones in full, for a stated purpose (every such view is audited).
    pub const Unmask: Right = Right::new(
        "personal.unmask",
        "查看完整个人信息（须说明用途，留痕）",
        "see personal data in full (a stated purpose, audited)",
        &[
            Role::CountyAdmin,
            Role::TownshipOfficer,
            Role::VillageSecretary,
        ],
    );
    /// Read the audit log.
    pub const ReadAudit: Right = Right::new(
        "audit.read",
        "查看审计日志",
        "read the audit log",
        &[Role::Auditor],
    );
    /// Create, lock, reset and revoke accounts (of roles below one's own; above, by request).
    pub const ManageAccounts: Right = Right::new(
        "accounts.manage",
        "管理账号",
        "manage accounts",
        &[Role::SecurityAdmin],
    );
    /// Approve another administrator's request to create, reset or disable a privileged account
    /// (the second person of 三员分立).
    pub const ApproveAccounts: Right = Right::new(
        "accounts.approve",
        "审批特权账号申请",
        "approve requests for privileged accounts",
        &[Role::CountyAdmin, Role::SecurityAdmin],
    );

    /// The platform's rights.
    pub const PLATFORM: [Right; 7] = [
        Right::ReadRegistry,
        Right::WriteRegistry,
        Right::WriteStructure,
        Right::Unmask,
        Right::ReadAudit,
        Right::ManageAccounts,
        Right::ApproveAccounts,
    ];
}

impl Right {
    /// A right held by `roles`.
    pub const fn new(
        key: &'static str,
        zh: &'static str,
        en: &'static str,
        roles: &'static [Role],
    ) -> Right {
        Right { key, zh, en, roles }
    }
    /// Whether `role` holds it.
    pub fn held_by(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
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
        right.held_by(self)
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
