//! 居民身份证号码: the 18-character citizen identity number of GB 11643-1999.
//!
//! Layout: 6-digit address code, 8-digit birth date (YYYYMMDD), 3-digit sequence (odd for men, even for
//! women), and a check character computed with ISO 7064 MOD 11-2 (`0`–`9` or `X`).

use crate::Invalid;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [u8; 11] = *b"10X98765432";

/// 性别
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// 男
    Male,
    /// 女
    Female,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Gender::Male => "男",
            Gender::Female => "女",
        }
    }
}

impl FromStr for Gender {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        match s.trim() {
            "male" | "m" | "M" | "男" => Ok(Gender::Male),
            "female" | "f" | "F" | "女" => Ok(Gender::Female),
            other => Err(Invalid::new(
                format!("性别“{other}”无效，应为 男/女"),
                format!("gender '{other}' is not valid; expected male/female"),
            )),
        }
    }
}

impl TryFrom<String> for Gender {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        s.parse()
    }
}

/// A validated 18-character ID number. Construction checks length, characters, birth date and the
/// check character, so holding one means it is well-formed.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(String);

/// The check character for the first 17 digits.
pub fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

impl IdNumber {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        if b.len() != 18 {
            return Err(Invalid::new(
                format!("身份证号码应为18位，实际为{}位", s.chars().count()),
                format!(
                    "ID number must have 18 characters, found {}",
                    s.chars().count()
                ),
            ));
        }
        if let Some(pos) = b[..17].iter().position(|c| !c.is_ascii_digit()) {
            return Err(Invalid::new(
                format!("身份证号码第{}位不是数字", pos + 1),
                format!("ID number character {} is not a digit", pos + 1),
            ));
        }
        if !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(Invalid::new(
                "身份证号码第18位应为数字或X",
                "ID number character 18 must be a digit or X",
            ));
        }
        let birth = parse_birth(&s[6..14]).ok_or_else(|| {
            Invalid::new(
                format!("身份证号码中的出生日期“{}”无效", &s[6..14]),
                format!("birth date '{}' in the ID number is not valid", &s[6..14]),
            )
        })?;
        if birth < NaiveDate::from_ymd_opt(1880, 1, 1).unwrap_or(NaiveDate::MIN)
            || birth > chrono::Utc::now().date_naive()
        {
            return Err(Invalid::new(
                format!("身份证号码中的出生日期“{}”不在合理范围内", &s[6..14]),
                format!(
                    "birth date '{}' in the ID number is out of range",
                    &s[6..14]
                ),
            ));
        }
        let expected = check_char(&b[..17]);
        if b[17] != expected {
            return Err(Invalid::new(
                format!("身份证号码校验码错误（应为{}）", expected as char),
                format!(
                    "ID number check character is wrong (expected {})",
                    expected as char
                ),
            ));
        }
        Ok(IdNumber(s))
    }

    /// Builds a valid number from its parts (used by the demo generator and tests).
    pub fn compose(region: &str, birth: NaiveDate, sequence: u16) -> Result<Self, Invalid> {
        let mut s = format!(
            "{region:0>6}{:04}{:02}{:02}{:03}",
            birth.year(),
            birth.month(),
            birth.day(),
            sequence % 1000
        );
        if s.len() != 17 {
            return Err(Invalid::new(
                "地址码应为6位数字",
                "region code must be 6 digits",
            ));
        }
        let c = check_char(s.as_bytes());
        s.push(c as char);
        Self::parse(&s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// 出生日期
    pub fn birth_date(&self) -> NaiveDate {
        // Validated at construction.
        parse_birth(&self.0[6..14]).unwrap_or(NaiveDate::MIN)
    }
    /// The 6-digit administrative code where the number was issued.
    pub fn region(&self) -> &str {
        &self.0[..6]
    }
    pub fn gender(&self) -> Gender {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }
    /// First 3 and last 4 characters shown, the rest replaced by `*`.
    pub fn masked(&self) -> String {
        mask(&self.0, 3, 4)
    }
}

fn parse_birth(s: &str) -> Option<NaiveDate> {
    // Hand-parsed: this runs once per row of a 200,000-row import.
    if s.len() != 8 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let y: i32 = s[..4].parse().ok()?;
    let m: u32 = s[4..6].parse().ok()?;
    let d: u32 = s[6..].parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Keeps the first `head` and last `tail` characters and masks the rest.
pub fn mask(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out = String::with_capacity(chars.len());
    out.extend(&chars[..head]);
    out.extend(std::iter::repeat_n('*', chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

impl fmt::Debug for IdNumber {
    // Never print a full ID number into logs by accident.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for IdNumber {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Self::parse(s)
    }
}

impl TryFrom<String> for IdNumber {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Self::parse(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_numbers() {
        // The example from GB 11643-1999 itself.
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.gender(), Gender::Female);
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.masked(), "110***********002X");
        assert!(IdNumber::parse("110105194912310021").is_err());
        assert!(IdNumber::parse("11010519491331002X").is_err());
        assert!(IdNumber::parse("1101051949123100").is_err());
        assert_eq!(
            IdNumber::parse("11010519491231002x").unwrap().as_str(),
            "11010519491231002X"
        );
    }

    fn valid_id() -> impl Strategy<Value = IdNumber> {
        (100000u32..=659999, 0i64..(365 * 120), 0u16..1000).prop_map(|(region, days, seq)| {
            let birth = NaiveDate::from_ymd_opt(1905, 1, 1).unwrap() + chrono::Duration::days(days);
            IdNumber::compose(&region.to_string(), birth, seq).unwrap()
        })
    }

    proptest! {
        #[test]
        fn valid_numbers_round_trip(id in valid_id()) {
            let again = IdNumber::parse(id.as_str()).unwrap();
            prop_assert_eq!(&again, &id);
            prop_assert_eq!(again.to_string(), id.as_str());
            prop_assert_eq!(IdNumber::compose(id.region(), id.birth_date(), id.as_str()[14..17].parse().unwrap()).unwrap(), id);
        }

        #[test]
        fn any_single_character_change_is_rejected(id in valid_id(), pos in 0usize..18, delta in 1u8..11) {
            // Replace one position by a different allowed character; MOD 11-2 detects every
            // single substitution.
            let alphabet = b"0123456789X";
            let mut bytes = id.as_str().as_bytes().to_vec();
            let max = if pos == 17 { 11 } else { 10 };
            let cur = alphabet.iter().position(|c| *c == bytes[pos]).unwrap();
            let next = (cur + delta as usize) % max;
            prop_assume!(next != cur);
            bytes[pos] = alphabet[next];
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(IdNumber::parse(&changed).is_err(), "{} accepted", changed);
        }
    }
}
