//! 统计汇总: after a history is loaded, cases filed and stepped and the clock run, and a fold, the
//! roll-ups are exactly a recount from the cases, and the statistics read from them (whole
//! months, with the days at either end from the cases) agree with those counted from the cases
//! alone — the median within the histogram's 1%.

use crate::cases::{input, setup};
use crate::helpers::TestDb;
use crate::on_both;
use xiangzhi_cases::prelude::*;
use xiangzhi_cases::rules::*;
use xiangzhi_cases::store::{By, CaseRollups, CaseStats, HistoryRow};
use xiangzhi_domain::DivisionCode;
use xiangzhi_storage::Scope;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

fn scope(code: &str) -> Scope {
    Scope::division(&DivisionCode::parse(code).unwrap())
}

/// The roll-ups of the test county equal a recount from its cases.
async fn same_as_recount(t: &TestDb) {
    let (stored, recount) = t.db.rollups_and_recount(141029).await.unwrap();
    assert!(!recount.lines.is_empty());
    assert_eq!(stored, recount);
}

/// The statistics read from the roll-ups equal those counted from the cases.
async fn agree(t: &TestDb, scope: &Scope, from: i64, to: i64, now: i64) -> CaseStats {
    let rolled = t.db.case_stats(scope, from, to, now).await.unwrap();
    let counted = t.db.case_stats_counted(scope, from, to, now).await.unwrap();
    let median = |s: &CaseStats| s.median_resolve_ms.unwrap_or(0) as f64;
    assert!(
        (median(&rolled) - median(&counted)).abs() <= 0.0101 * median(&counted),
        "median {:?} against {:?}",
        rolled.median_resolve_ms,
        counted.median_resolve_ms
    );
    let strip = |s: &CaseStats| CaseStats {
        median_resolve_ms: None,
        ..s.clone()
    };
    assert_eq!(strip(&rolled), strip(&counted));
    rolled
}

async fn rollups(t: &TestDb) {
    setup(t).await;
    let now = xiangzhi_storage::now_ms();
    let start = now - 100 * DAY;
    let villages = ["141029100001", "141029101001", "141029100000"];
    let categories = ["road", "water", "neighbour"];
    let rows: Vec<HistoryRow> = (0..600i64)
        .map(|i| {
            let created = start + i * (95 * DAY / 600);
            let resolved = (i % 3 != 0).then(|| created + (i % 11 + 1) * 5 * HOUR + i * 1_000);
            HistoryRow {
                county_id: 141029,
                category: categories[(i % 3) as usize].into(),
                description: "村口道路塌陷".into(),
                division_code: villages[(i % 5 % 3) as usize].into(),
                household_id: None,
                state: if resolved.is_some() {
                    CaseState::Closed
                } else {
                    CaseState::Reported
                },
                level: [CaseLevel::Village, CaseLevel::Township, CaseLevel::County]
                    [(i % 7 % 3) as usize],
                auto_escalations: i64::from(i % 4 == 0),
                due_at: None,
                resolved_at: resolved,
                rating: (resolved.is_some() && i % 5 != 0).then_some(i % 5 + 1),
                created_at: created,
            }
        })
        .collect();
    t.db.insert_history(&rows).await.unwrap();
    let county = scope("141029000000");
    let s = agree(t, &county, start, now + 1, now).await;
    assert_eq!(s.total, 600);
    same_as_recount(t).await;
    // Nothing changed since the fold: the next one rebuilds nothing.
    assert_eq!(t.db.fold_case_rollups(141029).await.unwrap(), 0);
    agree(
        t,
        &scope("141029100000"),
        start + 3 * DAY,
        now - 2 * DAY,
        now,
    )
    .await;
    agree(t, &Scope::everything(), start, now, now).await;

    // Filed and stepped today, and moved on by the clock: the next read folds them in.
    let all = Scope::everything();
    let mut ids = Vec::new();
    for k in 0..6 {
        let village = villages[k % 2];
        let c =
            t.db.create_case(&all, &input(&format!("r{k}"), village), None, now)
                .await
                .unwrap()
                .0;
        ids.push(c.id);
    }
    let by = |actor: Actor, at: i64| By {
        actor,
        user: None,
        note: "",
        at,
        public: false,
    };
    for id in &ids[..3] {
        for (a, who) in [
            (Action::Accept, Actor::Dispatcher),
            (Action::Assign { handler: 5 }, Actor::Dispatcher),
            (Action::Start, Actor::Handler),
            (Action::Resolve, Actor::Handler),
        ] {
            t.db.case_step(&all, *id, &a, by(who, now + HOUR))
                .await
                .unwrap();
        }
    }
    t.db.case_step(
        &all,
        ids[0],
        &Action::Confirm { rating: Some(4) },
        by(Actor::Resident, now + 2 * HOUR),
    )
    .await
    .unwrap();
    assert!(t.db.run_due_cases(now + 3 * DAY).await.unwrap() > 0);
    // The server's folder would have folded them within 5 s.
    assert!(t.db.fold_case_rollups(141029).await.unwrap() > 0);
    let s = agree(t, &county, start, now + 4 * DAY, now + 4 * DAY).await;
    assert_eq!(s.total, 606);
    same_as_recount(t).await;
    // Changed within the margin: folded again, to the same figures.
    assert!(t.db.fold_case_rollups(141029).await.unwrap() > 0);
    same_as_recount(t).await;
}
on_both!(rollups_equal_a_recount, rollups);
