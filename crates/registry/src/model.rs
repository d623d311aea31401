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
    /// 在册, 已迁出 or 已死亡: lists and rosters hold only those present unless asked.
    #[sqlx(try_from = "String")]
    pub standing: Standing,
    pub created_at: i64,
    pub updated_at: i64,
    /// Raised by every change; send it back to change the record (a stale one answers 409).
    pub version: i64,
}

/// A resident's move out of the county, death or return (人口变动), kept as history.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct ResidentEvent {
    pub id: i64,
    /// `moved_out`, `died` or `returned`.
    pub kind: String,
    pub happened_on: NaiveDate,
    pub place: Option<String>,
    pub note: Option<String>,
}

/// 出租房屋: a rented house, its owner, and how many tenants live there now.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Rental {
    pub county_id: i64,
    pub id: i64,
    pub division_code: String,
    /// The micro-grid, and its name.
    pub grid_id: i64,
    pub grid_name: String,
    pub address: String,
    pub owner_name: String,
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedPhoneOpt")]
    pub owner_phone: Option<String>,
    #[sqlx(try_from = "String")]
    pub purpose: RentalPurpose,
    pub tenants_now: i64,
}

/// 租客: one tenancy of a rented house (流动人口).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Tenant {
    pub id: i64,
    pub rental_id: i64,
    pub name: String,
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedIdNumber")]
    pub id_number: String,
    #[sqlx(try_from = "String")]
    pub gender: Gender,
    pub birth_date: NaiveDate,
    #[sqlx(try_from = "xiangzhi_storage::crypto::SealedPhoneOpt")]
    pub phone: Option<String>,
    pub origin: Option<String>,
    pub workplace: Option<String>,
    pub moved_in: NaiveDate,
    /// None while the tenant lives there.
    pub moved_out: Option<NaiveDate>,
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
