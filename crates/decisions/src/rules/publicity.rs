//! 村务公开: what a village posts, how often the law asks, and a fingerprint of each posting.
//!
//! 村委会组织法 Art 30: the matters decided by the villagers' (representatives') meeting and their
//! outcome, funds and goods received, and other matters of common concern are posted; general
//! matters at least once a quarter, the finances every month where there are many transactions,
//! major matters at once. A distribution plan is posted for inspection ten days before it is
//! voted on (the county's rule, after the ten days' notice of Art 21 and 集体经济组织法 Art 27).
//! Each posting keeps a SHA-256 of its content as posted, so any later change in the database
//! is evident: the fingerprint no longer matches.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A kind of posting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PublicityKind {
    /// 一般事项: at least once a quarter.
    General,
    /// 财务收支: every month (where transactions are many).
    Finance,
    /// 重大事项: at once.
    Major,
    /// 分配方案: posted for inspection ten days before the vote.
    DistributionPlan,
    /// 决议及实施结果: a decision and its outcome (四议两公开's two publications).
    Decision,
}

impl PublicityKind {
    pub const ALL: [PublicityKind; 5] = [
        PublicityKind::General,
        PublicityKind::Finance,
        PublicityKind::Major,
        PublicityKind::DistributionPlan,
        PublicityKind::Decision,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PublicityKind::General => "general",
            PublicityKind::Finance => "finance",
            PublicityKind::Major => "major",
            PublicityKind::DistributionPlan => "distribution_plan",
            PublicityKind::Decision => "decision",
        }
    }

    pub fn named(name: &str) -> Option<PublicityKind> {
        PublicityKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    pub fn zh(self) -> &'static str {
        match self {
            PublicityKind::General => "一般村务",
            PublicityKind::Finance => "财务收支",
            PublicityKind::Major => "重大事项",
            PublicityKind::DistributionPlan => "分配方案（公示征求意见）",
            PublicityKind::Decision => "决议及实施结果",
        }
    }

    /// The most days the law lets pass between two postings of this kind (Art 30), if it sets
    /// a rhythm: a quarter for general matters, a month for the finances.
    pub fn every_days(self) -> Option<i64> {
        match self {
            PublicityKind::General => Some(92),
            PublicityKind::Finance => Some(31),
            _ => None,
        }
    }
}

/// Days a distribution plan is open to inspection before its vote.
pub const INSPECTION_DAYS: i64 = 10;

/// Whether a village is late with a kind of posting on `today`, given its last posting of it
/// (a village that never posted is late once the first period has passed since `since`).
pub fn overdue(
    kind: PublicityKind,
    last: Option<NaiveDate>,
    since: NaiveDate,
    today: NaiveDate,
) -> bool {
    match kind.every_days() {
        Some(days) => (today - last.unwrap_or(since)).num_days() > days,
        None => false,
    }
}

/// Whether a plan posted on `posted_on` was open to inspection long enough before a vote on
/// `vote_on`; the reason if not.
pub fn inspected(posted_on: NaiveDate, vote_on: NaiveDate) -> Result<(), String> {
    let days = (vote_on - posted_on).num_days();
    if days >= INSPECTION_DAYS {
        Ok(())
    } else {
        Err(format!(
            "分配方案应在表决前公示{INSPECTION_DAYS}天征求意见，本次仅公示{}天",
            days.max(0)
        ))
    }
}

/// The fingerprint of a posting's content: SHA-256 over each field with its length, so no two
/// different postings can share one by shifting text between fields.
pub fn fingerprint(fields: &[&str]) -> String {
    let mut h = Sha256::new();
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_rhythm_of_art_30() {
        let since = d("2026-01-01");
        assert!(!overdue(
            PublicityKind::Finance,
            Some(d("2026-10-31")),
            since,
            d("2026-12-01")
        ));
        assert!(overdue(
            PublicityKind::Finance,
            Some(d("2026-10-30")),
            since,
            d("2026-12-01")
        ));
        assert!(!overdue(
            PublicityKind::General,
            Some(d("2026-09-01")),
            since,
            d("2026-12-02")
        ));
        assert!(overdue(
            PublicityKind::General,
            Some(d("2026-09-01")),
            since,
            d("2026-12-03")
        ));
        assert!(overdue(
            PublicityKind::General,
            None,
            since,
            d("2026-06-01")
        ));
        assert!(!overdue(PublicityKind::Major, None, since, d("2030-01-01")));
    }

    #[test]
    fn ten_days_of_inspection() {
        assert!(inspected(d("2026-11-20"), d("2026-11-30")).is_ok());
        let e = inspected(d("2026-11-21"), d("2026-11-30")).unwrap_err();
        assert!(e.contains("仅公示9天"), "{e}");
    }

    #[test]
    fn fingerprints_see_every_change() {
        let a = fingerprint(&[
            "141029100001",
            "finance",
            "2026年11月财务收支",
            "收入 12000 元",
        ]);
        assert_eq!(a.len(), 64);
        assert_ne!(
            a,
            fingerprint(&[
                "141029100001",
                "finance",
                "2026年11月财务收支",
                "收入 12001 元"
            ])
        );
        assert_ne!(
            fingerprint(&["ab", "c"]),
            fingerprint(&["a", "bc"]),
            "text shifted between fields"
        );
    }
}
