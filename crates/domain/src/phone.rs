//! 联系电话: a mainland mobile number (11 digits, 1[3-9]…) or a landline with its area code.

use crate::id_number::mask;
use crate::Invalid;
use std::fmt;
use std::str::FromStr;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '(' | ')'))
            .collect();
        let s = s.strip_prefix("+86").unwrap_or(&s).to_string();
        let b = s.as_bytes();
        let mobile = b.len() == 11
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1])
            && b.iter().all(u8::is_ascii_digit);
        let landline = {
            let (area, rest) = s.split_once('-').unwrap_or(("", ""));
            area.starts_with('0')
                && (3..=4).contains(&area.len())
                && (7..=8).contains(&rest.len())
                && area.bytes().chain(rest.bytes()).all(|c| c.is_ascii_digit())
        };
        if mobile || landline {
            Ok(Phone(s))
        } else {
            Err(Invalid::new(
                format!(
                    "电话号码“{}”无效，应为11位手机号或“区号-号码”",
                    input.trim()
                ),
                format!(
                    "phone number '{}' is not valid; expected an 11-digit mobile or 'area-number'",
                    input.trim()
                ),
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// First 3 and last 4 digits shown.
    pub fn masked(&self) -> String {
        mask(&self.0, 3, 4)
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}
impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl FromStr for Phone {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn phones() {
        assert_eq!(
            Phone::parse("138 0013 8000").unwrap().as_str(),
            "13800138000"
        );
        assert_eq!(
            Phone::parse("+8613800138000").unwrap().masked(),
            "138****8000"
        );
        assert!(Phone::parse("0357-6822123").is_ok());
        assert!(Phone::parse("12800138000").is_err());
        assert!(Phone::parse("1380013800").is_err());
        assert!(Phone::parse("357-6822123").is_err());
    }
}
