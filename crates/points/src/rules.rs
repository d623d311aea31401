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

/// Stars as a page shows them: ★ for each, ☆ for none.
pub fn star_text(n: i64) -> String {
    if n <= 0 {
        "☆".into()
    } else {
        "★".repeat(n.min(10) as usize)
    }
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

/// How the black list names a household (a county's privacy rule): in full, by surname only
/// (张某), or not at all (某户).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BlackNames {
    Full,
    Surname,
    None,
}

impl BlackNames {
    pub fn as_str(self) -> &'static str {
        match self {
            BlackNames::Full => "full",
            BlackNames::Surname => "surname",
            BlackNames::None => "none",
        }
    }
}

impl TryFrom<String> for BlackNames {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        match s.trim() {
            "full" | "全名" => Ok(BlackNames::Full),
            "surname" | "姓氏" => Ok(BlackNames::Surname),
            "none" | "不公开" => Ok(BlackNames::None),
            t => Err(Invalid::new(
                format!("黑榜署名方式“{t}”无效，可选：全名、姓氏、不公开"),
                format!("'{t}' is not a way to name; expected full, surname or none"),
            )),
        }
    }
}

/// What the public board shows for a household on the black list: never a head under
/// `min_age` (nor one whose age is unknown), never more than the county's rule allows, never an
/// ID or a phone (it is only ever given the name).
pub fn black_name(head: Option<(&str, i64)>, min_age: i64, style: BlackNames) -> String {
    match head {
        Some((name, age)) if age >= min_age => match style {
            BlackNames::Full => name.to_string(),
            BlackNames::Surname => match name.chars().next() {
                Some(first) => format!("{first}某"),
                None => "某户".into(),
            },
            BlackNames::None => "某户".into(),
        },
        _ => "某户".into(),
    }
}

/// A household's month on a village's lists: its net points, and the part of them taken by
/// deducting rules (zero or less).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub household_id: i64,
    pub net: i64,
    pub deducted: i64,
}

/// One place on a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub place: i64,
    pub household_id: i64,
    pub points: i64,
}

fn ranked(mut rows: Vec<(i64, i64)>, size: Option<usize>) -> Vec<Placed> {
    // Points first (the sign is chosen by the caller), then the household, so a list is the
    // same however the rows came.
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out: Vec<Placed> = Vec::new();
    for (k, (household_id, points)) in rows.into_iter().enumerate() {
        let place = match out.last() {
            Some(p) if p.points == points => p.place,
            _ => k as i64 + 1,
        };
        // A tie at the last place keeps everyone tied on the list.
        if size.is_some_and(|n| place as usize > n) {
            break;
        }
        out.push(Placed {
            place,
            household_id,
            points,
        });
    }
    out
}

/// The red list: the households with the most points of the month (more than none), `size`
/// places, ties at the last place all kept.
pub fn red_list(tallies: &[Tally], size: usize) -> Vec<Placed> {
    ranked(
        tallies
            .iter()
            .filter(|t| t.net > 0)
            .map(|t| (t.household_id, t.net))
            .collect(),
        Some(size),
    )
}

/// The black list: every household a deducting rule took points from this month, the most
/// taken first (points shown as the deduction, negative).
pub fn black_list(tallies: &[Tally]) -> Vec<Placed> {
    ranked(
        tallies
            .iter()
            .filter(|t| t.deducted < 0)
            .map(|t| (t.household_id, -t.deducted))
            .collect(),
        None,
    )
    .into_iter()
    .map(|p| Placed {
        points: -p.points,
        ..p
    })
    .collect()
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

    #[test]
    fn black_list_names_no_minor_and_follows_the_county() {
        assert_eq!(black_name(Some(("张三", 18)), 18, BlackNames::Full), "张三");
        assert_eq!(black_name(Some(("张三", 17)), 18, BlackNames::Full), "某户");
        assert_eq!(black_name(None, 18, BlackNames::Full), "某户");
        assert_eq!(
            black_name(Some(("欧阳明", 40)), 18, BlackNames::Surname),
            "欧某"
        );
        assert_eq!(black_name(Some(("张三", 40)), 18, BlackNames::None), "某户");
    }

    #[test]
    fn lists_keep_ties_and_signs() {
        let t = |household_id, net, deducted| Tally {
            household_id,
            net,
            deducted,
        };
        let all = [
            t(1, 10, 0),
            t(2, 30, -5),
            t(3, 10, 0),
            t(4, 0, -20),
            t(5, 5, 0),
        ];
        let red = red_list(&all, 2);
        let got: Vec<(i64, i64)> = red.iter().map(|p| (p.place, p.household_id)).collect();
        assert_eq!(
            got,
            vec![(1, 2), (2, 1), (2, 3)],
            "a tie at the last place stays"
        );
        assert_eq!(red_list(&all, 1).len(), 1);
        let black = black_list(&all);
        let got: Vec<(i64, i64, i64)> = black
            .iter()
            .map(|p| (p.place, p.household_id, p.points))
            .collect();
        assert_eq!(got, vec![(1, 4, -20), (2, 2, -5)]);
    }
}
