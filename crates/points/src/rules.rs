//! The pure rules of points (no I/O): what a rule may award, how caps bound an award, and how a
//! month's points give stars.

use serde::{Deserialize, Serialize};
use xiangzhi_domain::Invalid;

/// Whose points: a party member's (党员积分) or a villager household's (户积分).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Holder {
    Member,
    Household,
}

impl Holder {
    pub fn as_str(self) -> &'static str {
        match self {
            Holder::Member => "member",
            Holder::Household => "household",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Holder::Member => "党员",
            Holder::Household => "农户",
        }
    }
}

impl std::str::FromStr for Holder {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        match s.trim() {
            "member" | "党员" => Ok(Holder::Member),
            "household" | "农户" | "户" => Ok(Holder::Household),
            t => Err(Invalid::new(
                format!("积分对象“{t}”无效，可选：党员、农户"),
                format!("holder '{t}' is not valid; expected member or household"),
            )),
        }
    }
}

impl TryFrom<String> for Holder {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        s.parse()
    }
}

/// What an entry of the ledger is. Entries are never changed: a correction is a reversal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Points of a rule, recorded and approved.
    Award,
    /// Takes back an earlier entry in full.
    Reversal,
    /// Points spent at the points store.
    Redemption,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Award => "award",
            EntryKind::Reversal => "reversal",
            EntryKind::Redemption => "redemption",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            EntryKind::Award => "积分",
            EntryKind::Reversal => "冲正",
            EntryKind::Redemption => "兑换",
        }
    }
}

impl TryFrom<String> for EntryKind {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        match s.as_str() {
            "award" => Ok(EntryKind::Award),
            "reversal" => Ok(EntryKind::Reversal),
            "redemption" => Ok(EntryKind::Redemption),
            t => Err(Invalid::new(
                format!("账目类别“{t}”无效"),
                format!("entry kind '{t}' is not valid"),
            )),
        }
    }
}

/// A rule's caps: the most its awards may add up to for one holder in a month and in a year
/// (absolute values: a deducting rule's caps bound how much it takes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Caps {
    pub month: Option<i64>,
    pub year: Option<i64>,
}

/// Whether an award of `points` fits the caps, given what the rule has already awarded the
/// holder this month and this year (signed sums); the reason in words if not.
pub fn within_caps(
    caps: Caps,
    points: i64,
    month_so_far: i64,
    year_so_far: i64,
) -> Result<(), Invalid> {
    if let Some(cap) = caps.month {
        if (month_so_far + points).abs() > cap {
            return Err(Invalid::new(
                format!(
                    "超过本项每月上限{cap}分（本月已有{}分）",
                    month_so_far.abs()
                ),
                format!(
                    "over this item's monthly cap of {cap} ({} this month already)",
                    month_so_far.abs()
                ),
            ));
        }
    }
    if let Some(cap) = caps.year {
        if (year_so_far + points).abs() > cap {
            return Err(Invalid::new(
                format!("超过本项每年上限{cap}分（本年已有{}分）", year_so_far.abs()),
                format!(
                    "over this item's yearly cap of {cap} ({} this year already)",
                    year_so_far.abs()
                ),
            ));
        }
    }
    Ok(())
}

/// Stars for a month's points by thresholds (ascending: `[60, 70, 80, 90, 95]` gives one star
/// from 60, five from 95): how many thresholds the points reach.
pub fn stars(points: i64, thresholds: &[i64]) -> u8 {
    thresholds.iter().filter(|t| points >= **t).count() as u8
}

/// A month as the ledger keys it: `2026-11`.
pub fn month_key(year: i32, month: u32) -> Result<String, Invalid> {
    if !(2000..=2100).contains(&year) || !(1..=12).contains(&month) {
        return Err(Invalid::new(
            "月份无效，请写成 2026-11",
            "not a month; write it as 2026-11",
        ));
    }
    Ok(format!("{year:04}-{month:02}"))
}

/// Reads `2026-11` (or `2026-11-05`, `2026年11月`) as a month key.
pub fn parse_month(text: &str) -> Result<String, Invalid> {
    let t = text.trim().replace('年', "-").replace('月', "");
    let mut parts = t.split(['-', '/', '.']);
    let y = parts.next().and_then(|y| y.trim().parse::<i32>().ok());
    let m = parts.next().and_then(|m| m.trim().parse::<u32>().ok());
    match (y, m) {
        (Some(y), Some(m)) => month_key(y, m),
        _ => Err(Invalid::new(
            format!("月份“{text}”无效，请写成 2026-11"),
            format!("'{text}' is not a month; write it as 2026-11"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_at_their_boundaries() {
        let caps = Caps {
            month: Some(10),
            year: Some(50),
        };
        assert!(
            within_caps(caps, 5, 5, 5).is_ok(),
            "exactly the monthly cap"
        );
        assert!(
            within_caps(caps, 6, 5, 5).is_err(),
            "one over the monthly cap"
        );
        assert!(
            within_caps(caps, 5, 0, 45).is_ok(),
            "exactly the yearly cap"
        );
        assert!(
            within_caps(caps, 5, 0, 46).is_err(),
            "one over the yearly cap"
        );
        let deduct = Caps {
            month: Some(10),
            year: None,
        };
        assert!(within_caps(deduct, -10, 0, 0).is_ok());
        assert!(within_caps(deduct, -11, 0, 0).is_err());
        assert!(within_caps(Caps::default(), 1_000_000, 0, 0).is_ok());
    }

    #[test]
    fn stars_at_their_thresholds() {
        let t = [60, 70, 80, 90, 95];
        assert_eq!(stars(59, &t), 0);
        assert_eq!(stars(60, &t), 1);
        assert_eq!(stars(89, &t), 3);
        assert_eq!(stars(90, &t), 4);
        assert_eq!(stars(95, &t), 5);
        assert_eq!(stars(100, &t), 5);
    }

    #[test]
    fn months() {
        assert_eq!(parse_month("2026-11").unwrap(), "2026-11");
        assert_eq!(parse_month("2026年3月").unwrap(), "2026-03");
        assert_eq!(parse_month("2026/3/15").unwrap(), "2026-03");
        assert!(parse_month("2026-13").is_err());
        assert!(parse_month("十一月").is_err());
    }
}
