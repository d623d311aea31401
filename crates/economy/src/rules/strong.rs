//! 强村: a village whose collective's operating income is 500,000 yuan or more in a year; the
//! county's share of strong villages against its target (the seed's town aimed for at least
//! 27%).

/// 500,000 yuan in fen.
pub const STRONG_FEN: i64 = 50_000_000;

/// Whether a year's operating income makes a strong village.
pub fn is_strong(operating_income: i64) -> bool {
    operating_income >= STRONG_FEN
}

/// The share of strong villages, per ten thousand, rounded down; and whether it reaches a
/// target given per ten thousand (compared exactly, never through the rounded share).
pub fn share(strong: u64, villages: u64, target: u32) -> (u32, bool) {
    if villages == 0 {
        return (0, false);
    }
    let per = (u128::from(strong) * 10_000 / u128::from(villages)) as u32;
    let meets = u128::from(strong) * 10_000 >= u128::from(target) * u128::from(villages);
    (per, meets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_and_the_target() {
        assert!(is_strong(50_000_000));
        assert!(!is_strong(49_999_999));
        // 27 of 100 meets 27%; 26 of 97 is 26.80%, short of it; 27 of 100 at 2700 exactly.
        assert_eq!(share(27, 100, 2_700), (2_700, true));
        assert_eq!(share(26, 97, 2_700), (2_680, false));
        assert_eq!(share(0, 0, 2_700), (0, false));
    }
}
