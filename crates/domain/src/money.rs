//! Money as an integer number of fen (分). No float ever touches it.

use crate::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An amount in fen (1 yuan = 100 fen). Arithmetic is checked: overflow is an error, never a wrap.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);
    pub fn checked_add(self, o: Fen) -> Option<Fen> {
        self.0.checked_add(o.0).map(Fen)
    }
    pub fn checked_sub(self, o: Fen) -> Option<Fen> {
        self.0.checked_sub(o.0).map(Fen)
    }
    /// Parses "1234.5", "1234.56", "-3" yuan into fen; more than two decimals is an error, not a rounding.
    pub fn parse_yuan(input: &str) -> Result<Fen, Invalid> {
        let s = input.trim().replace([',', '，'], "");
        let bad = || {
            Invalid::new(
                format!("金额“{}”无效，应为最多两位小数的元", input.trim()),
                format!(
                    "amount '{}' is not valid; expected yuan with at most two decimals",
                    input.trim()
                ),
            )
        };
        let (neg, body) = match s.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, s.as_str()),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty()
            || frac.len() > 2
            || !int.bytes().all(|c| c.is_ascii_digit())
            || !frac.bytes().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let yuan: i64 = int.parse().map_err(|_| bad())?;
        let mut f: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| bad())?
        };
        if frac.len() == 1 {
            f *= 10;
        }
        let v = yuan
            .checked_mul(100)
            .and_then(|v| v.checked_add(f))
            .ok_or_else(bad)?;
        Ok(Fen(if neg { -v } else { v }))
    }
}

impl fmt::Display for Fen {
    /// Yuan with two decimals: `1234.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

impl FromStr for Fen {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Self::parse_yuan(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_and_show() {
        assert_eq!(Fen::parse_yuan("1,234.5").unwrap(), Fen(123450));
        assert_eq!(Fen::parse_yuan("-0.07").unwrap(), Fen(-7));
        assert!(Fen::parse_yuan("1.234").is_err());
        assert!(Fen::parse_yuan("1e3").is_err());
        assert_eq!(Fen(-7).to_string(), "-0.07");
    }

    proptest! {
        #[test]
        fn display_round_trips(v in -(i64::MAX / 100)..(i64::MAX / 100)) {
            prop_assert_eq!(Fen::parse_yuan(&Fen(v).to_string()).unwrap(), Fen(v));
        }
    }
}
