//! 撤销权 (农村集体经济组织法第五十七条): a member harmed by a decision may ask a court to set it
//! aside within one year of knowing (or when they should have known) of the cause, and at
//! most five years after the decision was made; after that the right is gone.

use chrono::{Months, NaiveDate};

/// The last day a member who knew on `known_on` may challenge a decision made on `decided_on`.
pub fn last_day(decided_on: NaiveDate, known_on: NaiveDate) -> NaiveDate {
    let by_knowing = known_on.max(decided_on).checked_add_months(Months::new(12));
    let at_most = decided_on.checked_add_months(Months::new(60));
    match (by_knowing, at_most) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(decided_on),
    }
}

/// Whether the window is still open on `today`.
pub fn open(decided_on: NaiveDate, known_on: NaiveDate, today: NaiveDate) -> bool {
    today <= last_day(decided_on, known_on)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn one_year_from_knowing_five_at_most() {
        // Known at once: a year.
        assert_eq!(last_day(d("2026-03-10"), d("2026-03-10")), d("2027-03-10"));
        // Known four and a half years later: the five years end first.
        assert_eq!(last_day(d("2026-03-10"), d("2030-09-01")), d("2031-03-10"));
        assert!(open(d("2026-03-10"), d("2026-03-10"), d("2027-03-10")));
        assert!(!open(d("2026-03-10"), d("2026-03-10"), d("2027-03-11")));
    }
}
