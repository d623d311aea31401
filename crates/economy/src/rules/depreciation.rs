//! 折旧: straight-line depreciation of a collective asset, month by month, in fen. The amount to
//! depreciate (cost less the expected salvage) is split over the months of its useful life by
//! the largest remainder rule, so the months differ by at most a fen, the earlier months carry
//! the odd fen, and the schedule adds up exactly: the last month leaves the salvage value.

use super::{apportion, fault, Fault};

/// Each month's depreciation, first month first.
pub fn schedule(cost: i64, salvage: i64, months: u32) -> Result<Vec<i64>, Fault> {
    if cost < 0 || salvage < 0 {
        return Err(fault(
            "cost",
            "原值和残值不能为负数",
            "cost and salvage cannot be negative",
        ));
    }
    if salvage > cost {
        return Err(fault(
            "salvage",
            "预计残值不能高于原值",
            "the salvage value cannot exceed the cost",
        ));
    }
    if months == 0 || months > 100 * 12 {
        return Err(fault(
            "months",
            "使用年限应为1个月到100年",
            "the useful life is one month to a hundred years",
        ));
    }
    apportion(cost - salvage, &vec![1; months as usize])
}

/// The book value after `elapsed` months (never below the salvage value).
pub fn book_value(cost: i64, salvage: i64, months: u32, elapsed: u32) -> Result<i64, Fault> {
    let s = schedule(cost, salvage, months)?;
    Ok(cost - s.iter().take(elapsed as usize).sum::<i64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cold store bought for 100,000.00 yuan, salvage 4,000.00, ten years: 960,000 fen a
    /// year, 80,000 fen a month, exact.
    #[test]
    fn a_cold_store() {
        let s = schedule(10_000_000, 400_000, 120).unwrap();
        assert!(s.iter().all(|m| *m == 80_000));
        assert_eq!(book_value(10_000_000, 400_000, 120, 12).unwrap(), 9_040_000);
        assert_eq!(book_value(10_000_000, 400_000, 120, 120).unwrap(), 400_000);
        assert_eq!(book_value(10_000_000, 400_000, 120, 500).unwrap(), 400_000);
    }

    /// 1,000.00 yuan over 3 months: 333.34, 333.33, 333.33.
    #[test]
    fn the_odd_fen_first() {
        assert_eq!(
            schedule(100_000, 0, 3).unwrap(),
            vec![33_334, 33_333, 33_333]
        );
    }

    #[test]
    fn refuses_nonsense() {
        assert_eq!(schedule(100, 200, 12).unwrap_err().field, "salvage");
        assert_eq!(schedule(100, 0, 0).unwrap_err().field, "months");
        assert_eq!(schedule(-1, 0, 12).unwrap_err().field, "cost");
    }
}
