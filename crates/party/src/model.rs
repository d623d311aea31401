//! Party records as stored and returned, and the inputs that create or replace them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_domain::*;
use xiangzhi_registry::model::*;
use xiangzhi_storage::{FieldError, StoreError};

/// 党组织
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct PartyOrg {
    pub county_id: i64,
    pub id: i64,
    /// Stable code, unique in the county (used by imports and exports).
    pub code: String,
    #[sqlx(try_from = "String")]
    pub kind: PartyOrgKind,
    pub name: String,
    pub parent_id: Option<i64>,
    pub division_code: String,
    #[sqlx(try_from = "String")]
    pub standing: BranchStanding,
    pub created_at: i64,
    pub updated_at: i64,
    /// Raised by every change; send it back to change the record (a stale one answers 409).
    pub version: i64,
}

/// 党员
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct PartyMember {
    pub county_id: i64,
    pub id: i64,
    pub resident_id: i64,
    /// The resident's name.
    pub name: String,
    pub org_id: i64,
    pub division_code: String,
    #[sqlx(try_from = "String")]
    pub status: MemberStatus,
    #[sqlx(try_from = "String")]
    pub role: MemberRole,
    pub joined_on: NaiveDate,
    pub created_at: i64,
    pub updated_at: i64,
    /// Raised by every change; send it back to change the record (a stale one answers 409).
    pub version: i64,
}

/// 党员联系户: a household a party member keeps in touch with.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct MemberContact {
    pub county_id: i64,
    pub member_id: i64,
    pub household_id: i64,
    pub created_at: i64,
}

/// 包联责任: a leader or cadre responsible for a village, group or household.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct ContactDuty {
    pub county_id: i64,
    pub id: i64,
    pub person_name: String,
    #[sqlx(try_from = "String")]
    pub rank: DutyRank,
    /// 派出单位或职务
    pub unit: Option<String>,
    #[sqlx(try_from = "String")]
    pub target: DutyTarget,
    pub division_code: String,
    pub household_id: Option<i64>,
    pub since: NaiveDate,
    pub created_at: i64,
    pub updated_at: i64,
    /// Raised by every change; send it back to change the record (a stale one answers 409).
    pub version: i64,
}

// ---------------------------------------------------------------------------------------------
// Inputs

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct PartyOrgInput {
    /// Stable code unique in the county; generated (`P<id>`) when absent.
    #[serde(default)]
    pub code: Option<String>,
    /// committee, general_branch, branch, group or joint_committee.
    #[schema(value_type = xiangzhi_domain::PartyOrgKind)]
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub parent_id: Option<i64>,
    pub division_code: String,
    /// model, ordinary or weak; default ordinary.
    #[serde(default)]
    #[schema(value_type = Option<xiangzhi_domain::BranchStanding>)]
    pub standing: Option<String>,
    /// The version of the record this change was made from (needed to change it; ignored when
    /// creating).
    #[serde(default)]
    pub version: Option<i64>,
}

pub struct ValidPartyOrg {
    pub code: Option<String>,
    pub kind: PartyOrgKind,
    pub name: String,
    pub parent_id: Option<i64>,
    pub division: DivisionCode,
    pub standing: BranchStanding,
}

impl PartyOrgInput {
    pub fn validate(&self) -> Result<ValidPartyOrg, StoreError> {
        let mut c = Checker::default();
        let kind = c.parse("kind", self.kind.parse::<PartyOrgKind>());
        let name = c.text("name", &self.name, 100);
        let division = c.parse("division_code", DivisionCode::parse(&self.division_code));
        let standing = match self.standing.as_deref().map(str::trim) {
            None | Some("") => Some(BranchStanding::Ordinary),
            Some(s) => c.parse("standing", s.parse()),
        };
        let code = c.opt_text("code", &self.code, 40);
        let v = match (kind, name, division, standing, code) {
            (Some(kind), Some(name), Some(division), Some(standing), Some(code)) => {
                Some(ValidPartyOrg {
                    code,
                    kind,
                    name,
                    parent_id: self.parent_id,
                    division,
                    standing,
                })
            }
            _ => None,
        };
        Ok(c.finish(v)?)
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct PartyMemberInput {
    pub resident_id: i64,
    pub org_id: i64,
    /// full or probationary.
    #[schema(value_type = xiangzhi_domain::MemberStatus)]
    pub status: String,
    /// secretary, deputy_secretary, committee_member or member; default member.
    #[serde(default)]
    #[schema(value_type = Option<xiangzhi_domain::MemberRole>)]
    pub role: Option<String>,
    /// YYYY-MM-DD
    pub joined_on: String,
    /// The version of the record this change was made from (needed to change it; ignored when
    /// creating).
    #[serde(default)]
    pub version: Option<i64>,
}

pub struct ValidPartyMember {
    pub resident_id: i64,
    pub org_id: i64,
    pub status: MemberStatus,
    pub role: MemberRole,
    pub joined_on: NaiveDate,
}

impl PartyMemberInput {
    pub fn validate(&self) -> Result<ValidPartyMember, StoreError> {
        let mut c = Checker::default();
        let status = c.parse("status", self.status.parse::<MemberStatus>());
        let role = match self.role.as_deref().map(str::trim) {
            None | Some("") => Some(MemberRole::Member),
            Some(s) => c.parse("role", s.parse()),
        };
        let joined_on = c.date("joined_on", &self.joined_on);
        let v = match (status, role, joined_on) {
            (Some(status), Some(role), Some(joined_on)) => Some(ValidPartyMember {
                resident_id: self.resident_id,
                org_id: self.org_id,
                status,
                role,
                joined_on,
            }),
            _ => None,
        };
        Ok(c.finish(v)?)
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ContactDutyInput {
    pub person_name: String,
    /// county_leader, township_leader, first_secretary, village_cadre or party_member.
    #[schema(value_type = xiangzhi_domain::DutyRank)]
    pub rank: String,
    #[serde(default)]
    pub unit: Option<String>,
    /// village, group or household.
    #[schema(value_type = xiangzhi_domain::DutyTarget)]
    pub target: String,
    /// The village or group (for village and group duties).
    #[serde(default)]
    pub division_code: Option<String>,
    /// The household (for household duties).
    #[serde(default)]
    pub household_id: Option<i64>,
    /// YYYY-MM-DD
    pub since: String,
    /// The version of the record this change was made from (needed to change it; ignored when
    /// creating).
    #[serde(default)]
    pub version: Option<i64>,
}

pub struct ValidContactDuty {
    pub person_name: String,
    pub rank: DutyRank,
    pub unit: Option<String>,
    pub target: DutyTarget,
    pub division: Option<DivisionCode>,
    pub household_id: Option<i64>,
    pub since: NaiveDate,
}

impl ContactDutyInput {
    pub fn validate(&self) -> Result<ValidContactDuty, StoreError> {
        let mut c = Checker::default();
        let person_name = c.text("person_name", &self.person_name, 50);
        let rank = c.parse("rank", self.rank.parse::<DutyRank>());
        let unit = c.opt_text("unit", &self.unit, 100);
        let target = c.parse("target", self.target.parse::<DutyTarget>());
        let since = c.date("since", &self.since);
        let mut division = None;
        match target {
            Some(DutyTarget::Household) if self.household_id.is_none() => {
                c.0.push(FieldError::new(
                    "household_id",
                    Invalid::new("包联到户须填写户", "a household duty needs household_id"),
                ));
            }
            Some(DutyTarget::Household) => {}
            Some(t) => {
                let want = if t == DutyTarget::Village {
                    DivisionLevel::Village
                } else {
                    DivisionLevel::Group
                };
                match self.division_code.as_deref() {
                    Some(d) => {
                        division = c.parse("division_code", DivisionCode::parse(d));
                        if let Some(d) = &division {
                            if d.level() != want {
                                c.0.push(FieldError::new(
                                    "division_code",
                                    Invalid::new(
                                        format!("包联对象应为{}级区划", want.zh()),
                                        format!("the duty's division must be a {}", want.as_str()),
                                    ),
                                ));
                            }
                        }
                    }
                    None => c.0.push(FieldError::new(
                        "division_code",
                        Invalid::new(
                            "包联村或组须填写区划代码",
                            "a village or group duty needs division_code",
                        ),
                    )),
                }
            }
            None => {}
        }
        let v = match (person_name, rank, unit, target, since) {
            (Some(person_name), Some(rank), Some(unit), Some(target), Some(since)) => {
                Some(ValidContactDuty {
                    person_name,
                    rank,
                    unit,
                    target,
                    division,
                    household_id: if target == DutyTarget::Household {
                        self.household_id
                    } else {
                        None
                    },
                    since,
                })
            }
            _ => None,
        };
        Ok(c.finish(v)?)
    }
}

/// 包联覆盖情况: the gaps in contact-duty coverage.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageReport {
    /// Villages with no county-level leader responsible for them.
    pub villages_without_county_leader: Vec<Division>,
    /// Number of households that no party member keeps in touch with.
    pub households_without_member_contact: i64,
    /// The first of them (up to 200).
    pub households_without_member_contact_sample: Vec<Household>,
    /// Micro-grids with no micro-grid worker.
    pub micro_grids_without_worker: Vec<Grid>,
    pub villages_total: i64,
    pub households_total: i64,
    pub micro_grids_total: i64,
}
