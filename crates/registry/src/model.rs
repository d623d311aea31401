//! Registry records as stored and returned, and the inputs that create or replace them.
//!
//! Inputs arrive as plain strings (JSON bodies, CSV cells); `validate` parses them into domain types
//! and reports every bad field at once, naming it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_domain::*;
use xiangzhi_storage::FieldError;
use xiangzhi_storage::StoreError;

/// 区划: a county, township, village/community or villager group.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Division {
    pub county_id: i64,
    /// 12-digit statistical division code (15 digits for a villager group).
    pub code: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub level: DivisionLevel,
    pub parent_code: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Raised by every change; send it back to change the record (a stale one answers 409).
    pub version: i64,
}

/// A province or prefecture: shared reference data above the counties.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Region {
    pub code: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub level: DivisionLevel,
    pub parent_code: Option<String>,
}

/// 网格: one node of the five-level grid.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Grid {
    pub county_id: i64,
    pub id: i64,
    /// Stable code, unique in the county (used by imports and exports).
    pub code: String,
    #[sqlx(try_from = "String")]
    pub level: GridLevel,
    pub name: String,
    pub division_code: String,
    pub parent_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Raised by every change; send it back to change the record (a stale one answers 409).
    pub version: i64,
}

/// 网格员
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Staff {
    pub county_id: i64,
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: StaffRole,
    pub grid_id: i64,
    pub division_code: String,
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedPhoneOpt")]
    pub phone: Option<String>,
    /// 所在单位 (for dedicated grid workers: police station, school, clinic, company).
    pub unit: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Raised by every change; send it back to change the record (a stale one answers 409).
    pub version: i64,
}

/// 户
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Household {
    pub county_id: i64,
    pub id: i64,
    /// 户号, unique in the county.
    pub number: String,
    /// The division of its micro-grid.
    pub division_code: String,
    pub micro_grid_id: i64,
    pub address: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Raised by every change; send it back to change the record (a stale one answers 409).
    pub version: i64,
}

/// 居民
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Resident {
    pub county_id: i64,
    pub id: i64,
    pub household_id: i64,
    pub division_code: String,
    pub name: String,
    /// Stored sealed (SM4-GCM); opened as the row is read.
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedIdNumber")]
    pub id_number: String,
    #[sqlx(try_from = "String")]
    pub gender: Gender,
    pub birth_date: NaiveDate,
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedPhoneOpt")]
    pub phone: Option<String>,
    #[sqlx(try_from = "String")]
    pub relation: Relation,
    #[sqlx(try_from = "i64")]
    pub tags: Tags,
    pub created_at: i64,
    pub updated_at: i64,
    /// Raised by every change; send it back to change the record (a stale one answers 409).
    pub version: i64,
}

/// One move of a resident between households (户籍/居住变动), kept as history.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct ResidentMove {
    pub county_id: i64,
    pub id: i64,
    pub resident_id: i64,
    pub from_household_id: Option<i64>,
    pub to_household_id: i64,
    pub moved_at: i64,
    pub reason: String,
}

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
pub struct DivisionInput {
    /// 12-digit official code, or 15 digits for a villager group.
    pub code: String,
    pub name: String,
    /// Required for everything below the county; must be one level up and a prefix of `code`.
    #[serde(default)]
    pub parent_code: Option<String>,
}

pub struct ValidDivision {
    pub code: DivisionCode,
    pub name: String,
    pub parent: Option<DivisionCode>,
}

impl DivisionInput {
    pub fn validate(&self) -> Result<ValidDivision, StoreError> {
        let mut c = Checker::default();
        let code = c.parse("code", DivisionCode::parse(&self.code));
        let name = c.text("name", &self.name, 100);
        let parent = match self.parent_code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => c.parse("parent_code", DivisionCode::parse(p)),
        };
        if let Some(code) = &code {
            match &parent {
                Some(p) => {
                    if let Err(e) = code.check_parent(p) {
                        c.0.push(FieldError::new("parent_code", e));
                    }
                }
                None if code.level() > DivisionLevel::County => c.0.push(FieldError::new(
                    "parent_code",
                    Invalid::new(
                        "县以下区划必须填写上级区划代码",
                        "divisions below a county need a parent_code",
                    ),
                )),
                None => {}
            }
        }
        let v = match (code, name) {
            (Some(code), Some(name)) => Some(ValidDivision { code, name, parent }),
            _ => None,
        };
        Ok(c.finish(v)?)
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DivisionRename {
    pub name: String,
    /// The version of the record this change was made from (needed to change it; ignored when
    /// creating).
    #[serde(default)]
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct GridInput {
    /// Stable code unique in the county; generated (`G<id>`) when absent.
    #[serde(default)]
    pub code: Option<String>,
    /// county_centre, township_centre, village, group or micro.
    #[schema(value_type = xiangzhi_domain::GridLevel)]
    pub level: String,
    pub name: String,
    pub division_code: String,
    /// The grid one level up; absent only for a county command centre.
    #[serde(default)]
    pub parent_id: Option<i64>,
}

pub struct ValidGrid {
    pub code: Option<String>,
    pub level: GridLevel,
    pub name: String,
    pub division: DivisionCode,
    pub parent_id: Option<i64>,
}

impl GridInput {
    pub fn validate(&self) -> Result<ValidGrid, StoreError> {
        let mut c = Checker::default();
        let level = c.parse("level", self.level.parse::<GridLevel>());
        let name = c.text("name", &self.name, 100);
        let division = c.parse("division_code", DivisionCode::parse(&self.division_code));
        if let (Some(l), Some(d)) = (level, &division) {
            if !l.division_levels().contains(&d.level()) {
                c.0.push(FieldError::new(
                    "division_code",
                    Invalid::new(
                        format!("{}不能设在{}级区划上", l.zh(), d.level().zh()),
                        format!(
                            "a {} grid cannot sit on a {} division",
                            l.as_str(),
                            d.level().as_str()
                        ),
                    ),
                ));
            }
            if l.parent().is_some() != self.parent_id.is_some() {
                c.0.push(FieldError::new(
                    "parent_id",
                    Invalid::new(
                        "只有县级指挥中心没有上级网格",
                        "every grid but the county command centre needs a parent_id",
                    ),
                ));
            }
        }
        let code = c.opt_text("code", &self.code, 40);
        let v = match (level, name, division, code) {
            (Some(level), Some(name), Some(division), Some(code)) => Some(ValidGrid {
                code,
                level,
                name,
                division,
                parent_id: self.parent_id,
            }),
            _ => None,
        };
        Ok(c.finish(v)?)
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct GridRename {
    pub name: String,
    /// The version of the record this change was made from (needed to change it; ignored when
    /// creating).
    #[serde(default)]
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct StaffInput {
    pub name: String,
    /// grid_leader, full_time, part_time, micro or dedicated.
    #[schema(value_type = xiangzhi_domain::StaffRole)]
    pub role: String,
    pub grid_id: i64,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    /// The version of the record this change was made from (needed to change it; ignored when
    /// creating).
    #[serde(default)]
    pub version: Option<i64>,
}

pub struct ValidStaff {
    pub name: String,
    pub role: StaffRole,
    pub grid_id: i64,
    pub phone: Option<Phone>,
    pub unit: Option<String>,
}

impl StaffInput {
    pub fn validate(&self) -> Result<ValidStaff, StoreError> {
        let mut c = Checker::default();
        let name = c.text("name", &self.name, 50);
        let role = c.parse("role", self.role.parse::<StaffRole>());
        let phone = c.opt_phone("phone", &self.phone);
        let unit = c.opt_text("unit", &self.unit, 100);
        let v = match (name, role, phone, unit) {
            (Some(name), Some(role), Some(phone), Some(unit)) => Some(ValidStaff {
                name,
                role,
                grid_id: self.grid_id,
                phone,
                unit,
            }),
            _ => None,
        };
        Ok(c.finish(v)?)
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct HouseholdInput {
    /// 户号, unique in the county.
    pub number: String,
    pub micro_grid_id: i64,
    pub address: String,
    /// The version of the record this change was made from (needed to change it; ignored when
    /// creating).
    #[serde(default)]
    pub version: Option<i64>,
}

pub struct ValidHousehold {
    pub number: String,
    pub micro_grid_id: i64,
    pub address: String,
}

impl HouseholdInput {
    pub fn validate(&self) -> Result<ValidHousehold, StoreError> {
        let mut c = Checker::default();
        let number = c.text("number", &self.number, 40);
        let address = c.text("address", &self.address, 200);
        let v = match (number, address) {
            (Some(number), Some(address)) => Some(ValidHousehold {
                number,
                micro_grid_id: self.micro_grid_id,
                address,
            }),
            _ => None,
        };
        Ok(c.finish(v)?)
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ResidentInput {
    pub household_id: i64,
    pub name: String,
    /// 18-character ID number (GB 11643); gender and birth date are read from it.
    pub id_number: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// head, spouse, child, parent, grandchild or other.
    #[schema(value_type = xiangzhi_domain::Relation)]
    pub relation: String,
    /// poverty_alleviated, subsistence, elderly_alone, left_behind_child, disabled, veteran.
    #[serde(default)]
    #[schema(value_type = Vec<xiangzhi_domain::ResidentTag>)]
    pub tags: Vec<String>,
    /// The version of the record this change was made from (needed to change it; ignored when
    /// creating).
    #[serde(default)]
    pub version: Option<i64>,
}

pub struct ValidResident {
    pub household_id: i64,
    pub name: String,
    pub id_number: IdNumber,
    pub phone: Option<Phone>,
    pub relation: Relation,
    pub tags: Vec<ResidentTag>,
}

impl ResidentInput {
    pub fn validate(&self) -> Result<ValidResident, StoreError> {
        let mut c = Checker::default();
        let name = c.text("name", &self.name, 50);
        let id_number = c.parse("id_number", IdNumber::parse(&self.id_number));
        let phone = c.opt_phone("phone", &self.phone);
        let relation = c.parse("relation", self.relation.parse::<Relation>());
        let tags = c.parse("tags", ResidentTag::parse_list(&self.tags.join(";")));
        let v = match (name, id_number, phone, relation, tags) {
            (Some(name), Some(id_number), Some(phone), Some(relation), Some(tags)) => {
                Some(ValidResident {
                    household_id: self.household_id,
                    name,
                    id_number,
                    phone,
                    relation,
                    tags,
                })
            }
            _ => None,
        };
        Ok(c.finish(v)?)
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct MoveInput {
    pub to_household_id: i64,
    pub reason: String,
}

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
