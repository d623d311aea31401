//! 统计用区划代码: the official 12-digit statistical division codes, extended by three digits for
//! villager groups (村民小组), which have no official code.
//!
//! Layout: `PP CC DD TTT VVV [GGG]`: province, prefecture, county, township, village, group.

use crate::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The level of a division, from province down to villager group.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DivisionLevel {
    /// 省级
    Province,
    /// 地级
    Prefecture,
    /// 县级
    County,
    /// 乡级（乡镇、街道）
    Township,
    /// 村级（行政村、社区）
    Village,
    /// 村民小组、小区
    Group,
}

impl DivisionLevel {
    pub const ALL: [DivisionLevel; 6] = [
        DivisionLevel::Province,
        DivisionLevel::Prefecture,
        DivisionLevel::County,
        DivisionLevel::Township,
        DivisionLevel::Village,
        DivisionLevel::Group,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            DivisionLevel::Province => "province",
            DivisionLevel::Prefecture => "prefecture",
            DivisionLevel::County => "county",
            DivisionLevel::Township => "township",
            DivisionLevel::Village => "village",
            DivisionLevel::Group => "group",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            DivisionLevel::Province => "省",
            DivisionLevel::Prefecture => "地市",
            DivisionLevel::County => "县",
            DivisionLevel::Township => "乡镇",
            DivisionLevel::Village => "村（社区）",
            DivisionLevel::Group => "村民小组",
        }
    }
    /// Number of leading digits that identify a division at this level.
    pub fn significant_digits(self) -> usize {
        match self {
            DivisionLevel::Province => 2,
            DivisionLevel::Prefecture => 4,
            DivisionLevel::County => 6,
            DivisionLevel::Township => 9,
            DivisionLevel::Village => 12,
            DivisionLevel::Group => 15,
        }
    }
    /// The level directly above, if any.
    pub fn parent(self) -> Option<DivisionLevel> {
        match self {
            DivisionLevel::Province => None,
            DivisionLevel::Prefecture => Some(DivisionLevel::Province),
            DivisionLevel::County => Some(DivisionLevel::Prefecture),
            DivisionLevel::Township => Some(DivisionLevel::County),
            DivisionLevel::Village => Some(DivisionLevel::Township),
            DivisionLevel::Group => Some(DivisionLevel::Village),
        }
    }
    /// Levels stored per county (county and below); province and prefecture are shared reference data.
    pub fn is_county_owned(self) -> bool {
        self >= DivisionLevel::County
    }
}

impl FromStr for DivisionLevel {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        let t = s.trim();
        DivisionLevel::ALL
            .into_iter()
            .find(|l| l.as_str() == t || l.zh() == t)
            .or(match t {
                "city" | "市" => Some(DivisionLevel::Prefecture),
                "town" | "乡" | "镇" | "街道" => Some(DivisionLevel::Township),
                "community" | "社区" | "村" => Some(DivisionLevel::Village),
                "小组" | "小区" => Some(DivisionLevel::Group),
                _ => None,
            })
            .ok_or_else(|| {
                Invalid::new(
                    format!("区划级别“{t}”无效"),
                    format!("division level '{t}' is not valid"),
                )
            })
    }
}

impl TryFrom<String> for DivisionLevel {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        s.parse()
    }
}

/// A validated division code: 12 digits (official) or 15 digits (villager group).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DivisionCode(String);

impl DivisionCode {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = input.trim();
        if s.len() != 12 && s.len() != 15 {
            return Err(Invalid::new(
                format!(
                    "区划代码应为12位（村民小组15位），实际为{}位",
                    s.chars().count()
                ),
                format!(
                    "division code must have 12 digits (15 for a villager group), found {}",
                    s.chars().count()
                ),
            ));
        }
        if let Some(pos) = s.bytes().position(|c| !c.is_ascii_digit()) {
            return Err(Invalid::new(
                format!("区划代码第{}位不是数字", pos + 1),
                format!("division code character {} is not a digit", pos + 1),
            ));
        }
        let code = DivisionCode(s.to_string());
        // A code whose lower part is set while a higher part is zero is malformed, e.g. a village
        // number under township 000.
        let level = code.level();
        let b = s.as_bytes();
        let zero = |r: std::ops::Range<usize>| b[r].iter().all(|c| *c == b'0');
        if zero(0..2)
            || (level > DivisionLevel::Prefecture && zero(2..4) && !zero(4..6))
            || (level == DivisionLevel::Group && zero(12..15))
        {
            return Err(Invalid::new(
                format!("区划代码“{s}”的层级结构无效"),
                format!("division code '{s}' has an invalid structure"),
            ));
        }
        if level == DivisionLevel::Group && (zero(9..12) || zero(6..9)) {
            return Err(Invalid::new(
                format!("村民小组代码“{s}”须以村级代码开头"),
                format!("villager group code '{s}' must start with a village code"),
            ));
        }
        Ok(code)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The level implied by which digit groups are non-zero.
    pub fn level(&self) -> DivisionLevel {
        let b = self.0.as_bytes();
        if b.len() == 15 {
            return DivisionLevel::Group;
        }
        let zero = |r: std::ops::Range<usize>| b[r].iter().all(|c| *c == b'0');
        if !zero(9..12) {
            DivisionLevel::Village
        } else if !zero(6..9) {
            DivisionLevel::Township
        } else if !zero(4..6) {
            DivisionLevel::County
        } else if !zero(2..4) {
            DivisionLevel::Prefecture
        } else {
            DivisionLevel::Province
        }
    }

    /// The digits that identify this division; every descendant's code starts with them.
    pub fn prefix(&self) -> &str {
        &self.0[..self.level().significant_digits()]
    }

    /// The county this division belongs to, as its 6-digit number (the shard key `county_id`).
    /// Province and prefecture codes have none.
    pub fn county_id(&self) -> Option<i64> {
        if self.level().is_county_owned() {
            self.0[..6].parse().ok()
        } else {
            None
        }
    }

    /// The parent code implied by the digits (for a county: its prefecture).
    pub fn implied_parent(&self) -> Option<DivisionCode> {
        let parent_level = self.level().parent()?;
        let keep = parent_level.significant_digits();
        let mut s = self.0[..keep].to_string();
        while s.len() < 12 {
            s.push('0');
        }
        Some(DivisionCode(s))
    }

    /// Whether `self` lies inside (or is) `ancestor`.
    pub fn is_within(&self, ancestor: &DivisionCode) -> bool {
        self.0.starts_with(ancestor.prefix())
    }

    /// Checks that `parent` is one level up and that this code starts with its digits.
    ///
    /// Counties directly under a province (省直辖县级行政区) have a prefecture code that exists
    /// only as a grouping, so only the prefix rule is applied there.
    pub fn check_parent(&self, parent: &DivisionCode) -> Result<(), Invalid> {
        let level = self.level();
        if level.parent() != Some(parent.level()) {
            return Err(Invalid::new(
                format!(
                    "上级区划“{}”是{}，而“{}”是{}，层级不相邻",
                    parent.0,
                    parent.level().zh(),
                    self.0,
                    level.zh()
                ),
                format!(
                    "parent '{}' is a {} but '{}' is a {}; levels must be adjacent",
                    parent.0,
                    parent.level().as_str(),
                    self.0,
                    level.as_str()
                ),
            ));
        }
        if !self.is_within(parent) {
            return Err(Invalid::new(
                format!("区划代码“{}”不以上级代码“{}”开头", self.0, parent.prefix()),
                format!(
                    "division code '{}' does not start with its parent's digits '{}'",
                    self.0,
                    parent.prefix()
                ),
            ));
        }
        Ok(())
    }

    /// The code of the `n`th villager group (1–999) of a village.
    pub fn group(&self, n: u16) -> Result<DivisionCode, Invalid> {
        if self.level() != DivisionLevel::Village || n == 0 || n > 999 {
            return Err(Invalid::new(
                "村民小组只能设在村级区划下，编号1–999",
                "villager groups belong to a village and are numbered 1-999",
            ));
        }
        Ok(DivisionCode(format!("{}{n:03}", self.0)))
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Debug for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DivisionCode({})", self.0)
    }
}
impl FromStr for DivisionCode {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Self::parse(s)
    }
}
impl TryFrom<String> for DivisionCode {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Self::parse(&s)
    }
}
impl From<DivisionCode> for String {
    fn from(c: DivisionCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> DivisionCode {
        DivisionCode::parse(s).unwrap()
    }

    #[test]
    fn levels_and_parents() {
        assert_eq!(c("140000000000").level(), DivisionLevel::Province);
        assert_eq!(c("141000000000").level(), DivisionLevel::Prefecture);
        assert_eq!(c("141029000000").level(), DivisionLevel::County);
        assert_eq!(c("141029100000").level(), DivisionLevel::Township);
        assert_eq!(c("141029100001").level(), DivisionLevel::Village);
        assert_eq!(c("141029100001003").level(), DivisionLevel::Group);
        assert_eq!(
            c("141029100001").implied_parent().unwrap(),
            c("141029100000")
        );
        assert_eq!(
            c("141029100000").implied_parent().unwrap(),
            c("141029000000")
        );
        assert_eq!(
            c("141029100001003").implied_parent().unwrap(),
            c("141029100001")
        );
        assert_eq!(c("141029100001").county_id(), Some(141029));
        assert_eq!(c("141000000000").county_id(), None);
        assert!(c("141029100001").check_parent(&c("141029100000")).is_ok());
        assert!(c("141029100001").check_parent(&c("141029101000")).is_err());
        assert!(c("141029100001").check_parent(&c("141029000000")).is_err());
        assert_eq!(c("141029100001").group(3).unwrap(), c("141029100001003"));
    }

    #[test]
    fn rejects_bad_codes() {
        for bad in [
            "14102910000",
            "1410291000011",
            "14102910000a",
            "000000000000",
            "141029100001000",
            "141029000000001",
        ] {
            assert!(DivisionCode::parse(bad).is_err(), "{bad}");
        }
    }
}
