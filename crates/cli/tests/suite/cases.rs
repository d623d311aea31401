//! Cases in storage, on both backends: idempotent intake under concurrency, the closed loop through
//! the domain's state machine with a timeline, the escalation clock exactly once (also across a
//! restart and with concurrent sweeps), and jurisdiction.

use crate::api::{seed_tree, Client};
use crate::helpers::TestDb;
use crate::on_both;
use xiangzhi_domain::case::*;
use xiangzhi_domain::DivisionCode;
use xiangzhi_storage::cases::{By, CaseCategory, CaseInput};
use xiangzhi_storage::{Db, Scope, StoreError};

const T0: i64 = 1_900_000_000_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

async fn setup(t: &TestDb) {
    let admin = Client::new(t).await;
    seed_tree(&admin).await;
    for (code, name, level, dispute) in [
        ("road", "道路破损", CaseLevel::Village, false),
        ("neighbour", "邻里纠纷", CaseLevel::MicroGrid, true),
    ] {
        t.db.put_case_category(
            &Scope::everything(),
            &CaseCategory {
                county_id: 141029,
                code: code.into(),
                name: name.into(),
                level,
                is_dispute: dispute,
            },
        )
        .await
        .unwrap();
    }
}

fn input(key: &str, division: &str) -> CaseInput {
    CaseInput {
        idempotency_key: key.into(),
        category: "road".into(),
        description: "村口道路塌陷，雨天积水".into(),
        division_code: division.into(),
        household_id: None,
        urgency: "urgent".into(),
        reporter_kind: "grid_worker".into(),
        reporter_name: Some("王网格".into()),
        anonymous: false,
    }
}

fn town(code: &str) -> Scope {
    Scope::division(&DivisionCode::parse(code).unwrap())
}

async fn idempotent_intake(t: &TestDb) {
    setup(t).await;
    let d = Deadlines::default();
    let mut handles = Vec::new();
    for _ in 0..100 {
        let db = t.db.clone();
        let d = d.clone();
        handles.push(tokio::spawn(async move {
            db.create_case(
                &Scope::everything(),
                &input("phone-7f3a-0001", "141029100001"),
                None,
                T0,
                &d,
            )
            .await
        }));
    }
    let mut created = 0;
    let mut ids = std::collections::HashSet::new();
    for h in handles {
        let (c, new) = h.await.unwrap().unwrap();
        created += usize::from(new);
        ids.insert(c.id);
    }
    assert_eq!(created, 1, "exactly one submission created the case");
    assert_eq!(ids.len(), 1, "every retry got the same case");
    assert_eq!(
        t.db.count_for_tests("SELECT COUNT(*) FROM cases")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        t.db.count_for_tests("SELECT COUNT(*) FROM case_events")
            .await
            .unwrap(),
        1
    );
    // Bad input names the field.
    let mut bad = input("k2", "141029100001");
    bad.category = "nope".into();
    let e =
        t.db.create_case(&Scope::everything(), &bad, None, T0, &d)
            .await
            .unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid(f) if f[0].field == "category"),
        "{e}"
    );
}
on_both!(case_idempotency, idempotent_intake);

async fn escalation_clock(t: &TestDb) {
    setup(t).await;
    let d = Deadlines::default();
    let all = Scope::everything();
    let (c, _) =
        t.db.create_case(&all, &input("k-esc", "141029100001"), None, T0, &d)
            .await
            .unwrap();
    assert_eq!(c.level, CaseLevel::Village);
    assert_eq!(
        c.due_at,
        Some(T0 + 24 * HOUR),
        "to be accepted within 24 hours"
    );
    assert_eq!(t.db.run_due_cases(T0 + 23 * HOUR, &d).await.unwrap(), 0);
    // Two sweeps at once when the deadline passes: one escalation.
    let (a, b) = tokio::join!(
        t.db.run_due_cases(T0 + 24 * HOUR, &d),
        t.db.run_due_cases(T0 + 24 * HOUR, &d)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    let c = t.db.get_case(&all, c.id).await.unwrap();
    assert_eq!(
        (c.level, c.state),
        (CaseLevel::Township, CaseState::Accepted)
    );
    assert_eq!(c.due_at, Some(T0 + 24 * HOUR + 15 * DAY));
    // A restart: a new server on the same database finds the stored deadline and acts once.
    let again = Db::connect(&t.url()).await.unwrap();
    assert_eq!(again.run_due_cases(T0 + 25 * HOUR, &d).await.unwrap(), 0);
    assert_eq!(
        again
            .run_due_cases(T0 + 24 * HOUR + 15 * DAY, &d)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        again
            .run_due_cases(T0 + 24 * HOUR + 15 * DAY, &d)
            .await
            .unwrap(),
        0,
        "exactly once"
    );
    let c = again.get_case(&all, c.id).await.unwrap();
    assert_eq!(c.level, CaseLevel::County);
    // At the county there is nowhere further: overdue, not escalated.
    assert_eq!(again.run_due_cases(T0 + 400 * DAY, &d).await.unwrap(), 0);
    again.close().await;
    let timeline = t.db.case_timeline(&all, c.id).await.unwrap();
    let actions: Vec<&str> = timeline.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["report", "escalate", "escalate"]);
    assert!(timeline[1].note.contains("escalated automatically"));
    assert_eq!(timeline[1].actor, "system");
}
on_both!(case_escalation, escalation_clock);

async fn closed_loop(t: &TestDb) {
    setup(t).await;
    let d = Deadlines::default();
    let own = town("141029100000");
    let (c, _) =
        t.db.create_case(&own, &input("k-loop", "141029100001"), Some(1), T0, &d)
            .await
            .unwrap();
    let step = |a: Action, who: Actor, at: i64| {
        let db = t.db.clone();
        let own = own.clone();
        let d = d.clone();
        async move {
            let by = By {
                actor: who,
                user: Some(1),
                note: "",
                at,
            };
            db.case_step(&own, c.id, &a, by, &d).await
        }
    };
    step(Action::Accept, Actor::Dispatcher, T0 + HOUR)
        .await
        .unwrap();
    step(Action::Assign { handler: 42 }, Actor::Dispatcher, T0 + HOUR)
        .await
        .unwrap();
    // An illegal step is refused with a reason, and changes nothing.
    let e = step(Action::Resolve, Actor::Handler, T0 + HOUR)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid(f) if f[0].field == "action" && f[0].en.contains("cannot")),
        "{e}"
    );
    step(Action::Start, Actor::Handler, T0 + 2 * HOUR)
        .await
        .unwrap();
    let r = step(Action::Resolve, Actor::Handler, T0 + DAY)
        .await
        .unwrap();
    assert_eq!(r.state, CaseState::Resolved);
    // No answer for 7 days: confirmed by the clock; the resident can still reopen within 30.
    assert_eq!(t.db.run_due_cases(T0 + 8 * DAY, &d).await.unwrap(), 1);
    let c2 = t.db.get_case(&own, c.id).await.unwrap();
    assert_eq!(c2.state, CaseState::Confirmed);
    let re = step(Action::Reopen, Actor::Resident, T0 + 20 * DAY)
        .await
        .unwrap();
    assert_eq!(
        (re.state, re.handler_id, re.reopened),
        (CaseState::Assigned, Some(42), 1)
    );
    step(Action::Start, Actor::Handler, T0 + 20 * DAY)
        .await
        .unwrap();
    step(Action::Resolve, Actor::Handler, T0 + 21 * DAY)
        .await
        .unwrap();
    let done = step(
        Action::Confirm { rating: Some(5) },
        Actor::Resident,
        T0 + 22 * DAY,
    )
    .await
    .unwrap();
    assert_eq!(done.rating, Some(5));
    let closed = step(Action::Close, Actor::Dispatcher, T0 + 22 * DAY)
        .await
        .unwrap();
    assert_eq!(closed.state, CaseState::Closed);
    assert_eq!(t.db.case_timeline(&own, c.id).await.unwrap().len(), 11);

    // Another township neither sees nor touches it.
    let other = town("141029101000");
    assert!(matches!(
        t.db.get_case(&other, c.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        t.db.case_step(
            &other,
            c.id,
            &Action::Reopen,
            By {
                actor: Actor::Superior,
                user: None,
                note: "",
                at: T0 + 23 * DAY
            },
            &d
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert!(t.db.case_timeline(&other, c.id).await.is_err());
    // Nor files a case in this township's villages.
    assert!(t
        .db
        .create_case(&other, &input("k-x", "141029100001"), None, T0, &d)
        .await
        .is_err());
    assert_eq!(
        t.db.get_case(&own, c.id).await.unwrap().state,
        CaseState::Closed,
        "unchanged"
    );
}
on_both!(case_loop, closed_loop);
