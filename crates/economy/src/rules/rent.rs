//! 租金: leases of collective land. A year's rent is the area (in hundredths of a mu) times the
//! price per mu per year (in fen), rounded half up to the fen; it is paid in equal instalments
//! over the year (the odd fen in the first), from the lease's start, for each year of its
//! term. What is due and unpaid on a day is overdue. A one-off payment for several years is
//! income of the years it covers, spread by the largest remainder rule.

use super::{apportion, fault, Fault};
use chrono::{Months, NaiveDate};

/// A year's rent: `area` in 0.01 mu, `price` in fen per mu per year.
pub fn annual(area: u64, price: i64) -> Result<i64, Fault> {
    if price < 0 {
        return Err(fault(
            "price",
            "租金单价不能为负数",
            "the price cannot be negative",
        ));
    }
    let v = (u128::from(area) * price as u128 + 50) / 100;
    i64::try_from(v).map_err(|_| fault("area", "面积或单价过大", "the area or price is too large"))
}

/// One payment due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub on: NaiveDate,
    pub amount: i64,
}

/// The payments of a lease from `start` for `years`, `per_year` instalments a year.
pub fn schedule(
    start: NaiveDate,
    years: u32,
    per_year: u32,
    area: u64,
    price: i64,
) -> Result<Vec<Due>, Fault> {
    if years == 0 || years > 70 {
        return Err(fault(
            "years",
            "租期应为1到70年",
            "the term is one to seventy years",
        ));
    }
    if ![1, 2, 4, 12].contains(&per_year) {
        return Err(fault(
            "per_year",
            "每年付款次数应为1、2、4或12次",
            "pay once, twice, four or twelve times a year",
        ));
    }
    let year = annual(area, price)?;
    let parts = apportion(year, &vec![1; per_year as usize])?;
    let step = 12 / per_year;
    let mut out = Vec::with_capacity((years * per_year) as usize);
    for y in 0..years {
        for (k, amount) in parts.iter().enumerate() {
            let on = start
                .checked_add_months(Months::new(y * 12 + k as u32 * step))
                .ok_or_else(|| fault("start", "日期超出范围", "the date is out of range"))?;
            out.push(Due {
                on,
                amount: *amount,
            });
        }
    }
    Ok(out)
}

/// What is due on or before `today` and not covered by `paid` (payments are set against the
/// oldest dues first): the receivable that is overdue.
pub fn overdue(dues: &[Due], paid: i64, today: NaiveDate) -> i64 {
    let due: i64 = dues
        .iter()
        .filter(|d| d.on <= today)
        .map(|d| d.amount)
        .sum();
    (due - paid).max(0)
}

/// A one-off payment covering `years` years, as each year's income.
pub fn spread(total: i64, years: u32) -> Result<Vec<i64>, Fault> {
    if years == 0 {
        return Err(fault(
            "years",
            "至少覆盖一年",
            "it covers at least one year",
        ));
    }
    apportion(total, &vec![1; years as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The seed's rent raised from 400 to 800 yuan a mu: 12.5 mu at 800 yuan is 10,000 yuan a
    /// year; 3.33 mu at 400 yuan is 1,332 yuan.
    #[test]
    fn rent_by_hand() {
        assert_eq!(annual(1_250, 80_000).unwrap(), 1_000_000);
        assert_eq!(annual(333, 40_000).unwrap(), 133_200);
        // 0.01 mu at 0.50 yuan is 0.005 yuan: half a fen rounds up.
        assert_eq!(annual(1, 50).unwrap(), 1);
        assert_eq!(annual(1, 49).unwrap(), 0);
    }

    /// 10,000.01 yuan a year in four quarters: the odd fen in the first quarter, every year.
    #[test]
    fn quarterly_schedule() {
        let s = schedule(d("2025-03-01"), 2, 4, 100, 1_000_001).unwrap();
        assert_eq!(s.len(), 8);
        assert_eq!(
            s[0],
            Due {
                on: d("2025-03-01"),
                amount: 250_001
            }
        );
        assert_eq!(
            s[1],
            Due {
                on: d("2025-06-01"),
                amount: 250_000
            }
        );
        assert_eq!(s[3].on, d("2025-12-01"));
        assert_eq!(
            s[4],
            Due {
                on: d("2026-03-01"),
                amount: 250_001
            }
        );
        assert_eq!(s.iter().map(|x| x.amount).sum::<i64>(), 2_000_002);
        // On 2025-09-15 three quarters are due (750,001); 500,000 paid leaves 250,001 overdue.
        assert_eq!(overdue(&s, 500_000, d("2025-09-15")), 250_001);
        assert_eq!(overdue(&s, 800_000, d("2025-09-15")), 0);
    }

    /// 100,000.00 yuan paid at once for three years: 33,333.34 then 33,333.33 twice.
    #[test]
    fn one_off_income_spread() {
        assert_eq!(
            spread(10_000_000, 3).unwrap(),
            vec![3_333_334, 3_333_333, 3_333_333]
        );
        assert!(spread(1, 0).is_err());
    }

    #[test]
    fn refuses_nonsense() {
        assert_eq!(
            schedule(d("2025-01-01"), 0, 1, 1, 1).unwrap_err().field,
            "years"
        );
        assert_eq!(
            schedule(d("2025-01-01"), 1, 3, 1, 1).unwrap_err().field,
            "per_year"
        );
        assert_eq!(annual(1, -1).unwrap_err().field, "price");
    }
}
