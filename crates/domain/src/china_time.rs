//! Calendar days as the county keeps them: China's time (UTC+8, no daylight saving), whatever
//! zone the server runs in.

use chrono::{NaiveDate, TimeZone, Utc};

const OFFSET_HOURS: i64 = 8;

/// The day in China at `ms` milliseconds since the epoch.
pub fn china_date(ms: i64) -> NaiveDate {
    let at = Utc
        .timestamp_millis_opt(ms + OFFSET_HOURS * 3_600_000)
        .single()
        .unwrap_or_default();
    at.date_naive()
}

/// Today in China.
pub fn china_today() -> NaiveDate {
    china_date(Utc::now().timestamp_millis())
}

/// The month in China at `ms` as a ledger keys it: `2026-11`.
pub fn china_month(ms: i64) -> String {
    china_date(ms).format("%Y-%m").to_string()
}

/// The time in China at `ms`, to the second: `2026-11-30 21:05:09`.
pub fn format_ms(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms + OFFSET_HOURS * 3_600_000)
        .single()
        .unwrap_or_default()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Whole years from `birth` to `on` (an age as the law counts it).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i64 {
    i64::from(on.years_since(birth).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_turns_at_midnight_in_china() {
        // 2026-11-30 15:59:59.999 UTC is 23:59:59.999 in China; a millisecond later, December.
        let last = Utc
            .with_ymd_and_hms(2026, 11, 30, 15, 59, 59)
            .unwrap()
            .timestamp_millis()
            + 999;
        assert_eq!(china_month(last), "2026-11");
        assert_eq!(china_month(last + 1), "2026-12");
    }

    #[test]
    fn age_turns_on_the_birthday() {
        let birth = NaiveDate::from_ymd_opt(2008, 12, 1).unwrap();
        assert_eq!(
            age_on(birth, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()),
            17
        );
        assert_eq!(
            age_on(birth, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            18
        );
    }
}
