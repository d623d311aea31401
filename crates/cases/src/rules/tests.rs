//! The closed loop's rules, checked by example and by property.

#[test]
fn office_of_a_level() {
    let group = xiangzhi_domain::DivisionCode::parse("141029100001001").unwrap();
    let code = |l: CaseLevel| l.office(&group).as_str().to_string();
    assert_eq!(code(CaseLevel::County), "141029000000");
    assert_eq!(code(CaseLevel::Township), "141029100000");
    assert_eq!(code(CaseLevel::Village), "141029100001");
    assert_eq!(code(CaseLevel::Grid), "141029100001001");
    let township = xiangzhi_domain::DivisionCode::parse("141029100000").unwrap();
    assert_eq!(
        CaseLevel::Village.office(&township).as_str(),
        "141029100000"
    );
}

use super::*;
use proptest::prelude::*;

const T0: i64 = 1_800_000_000_000;

fn at(state: CaseState) -> CaseStatus {
    CaseStatus {
        state,
        level: CaseLevel::Village,
        handler: matches!(
            state,
            CaseState::Assigned
                | CaseState::InProgress
                | CaseState::Resolved
                | CaseState::Confirmed
                | CaseState::Closed
        )
        .then_some(7),
        extension: Extension::None,
        supervised: false,
        reopened: 0,
        due_at: Some(T0 + DAY),
        resolved_at: matches!(
            state,
            CaseState::Resolved | CaseState::Confirmed | CaseState::Closed
        )
        .then_some(T0),
        merged_into: None,
    }
}

fn actions() -> Vec<Action> {
    Action::every(9, 3).to_vec()
}

/// The one actor allowed to take each action in the table below.
fn actor_for(a: &Action) -> Actor {
    match a {
        Action::Start | Action::Return | Action::RequestExtension | Action::Resolve => {
            Actor::Handler
        }
        Action::Confirm { .. } | Action::Reopen => Actor::Resident,
        Action::GrantExtension | Action::DenyExtension | Action::Supervise => Actor::Superior,
        _ => Actor::Dispatcher,
    }
}

/// Every (state, action) pair: the legal ones and the state they lead to; everything else is
/// refused with a reason in both languages.
#[test]
fn every_transition() {
    use CaseState::*;
    let d = Deadlines::default();
    let legal: &[(CaseState, &str, CaseState)] = &[
        (Reported, "accept", Accepted),
        (Reported, "escalate", Accepted),
        (Reported, "merge", Merged),
        (Reported, "supervise", Reported),
        (Accepted, "assign", Assigned),
        (Accepted, "escalate", Accepted),
        (Accepted, "close_unresolved", ClosedUnresolved),
        (Accepted, "merge", Merged),
        (Accepted, "supervise", Accepted),
        (Assigned, "start", InProgress),
        (Assigned, "return", Returned),
        (Assigned, "transfer", Assigned),
        (Assigned, "escalate", Accepted),
        (Assigned, "close_unresolved", ClosedUnresolved),
        (Assigned, "supervise", Assigned),
        (InProgress, "return", Returned),
        (InProgress, "transfer", Assigned),
        (InProgress, "escalate", Accepted),
        (InProgress, "request_extension", InProgress),
        (InProgress, "resolve", Resolved),
        (InProgress, "close_unresolved", ClosedUnresolved),
        (InProgress, "supervise", InProgress),
        (Returned, "assign", Assigned),
        (Returned, "escalate", Accepted),
        (Returned, "close_unresolved", ClosedUnresolved),
        (Returned, "supervise", Returned),
        (Resolved, "confirm", Confirmed),
        (Resolved, "reopen", Assigned),
        (Resolved, "supervise", Resolved),
        (Confirmed, "close", Closed),
        (Confirmed, "reopen", Assigned),
        (Confirmed, "supervise", Confirmed),
        (Closed, "reopen", Assigned),
    ];
    let mut allowed = 0;
    for &s in CaseState::ALL {
        for a in actions() {
            let r = at(s).apply(&a, actor_for(&a), T0 + HOUR, &d);
            match legal.iter().find(|(ls, la, _)| *ls == s && *la == a.name()) {
                Some((_, _, to)) => {
                    let n = r.unwrap_or_else(|e| panic!("{s:?} {} refused: {e}", a.name()));
                    assert_eq!(n.state, *to, "{s:?} {}", a.name());
                    allowed += 1;
                }
                None => {
                    let e = r.expect_err(&format!("{s:?} {} must be refused", a.name()));
                    assert!(!e.zh.is_empty() && !e.en.is_empty());
                }
            }
        }
    }
    assert_eq!(allowed, legal.len());
    // Extensions are decided only after a request.
    let mut c = at(InProgress);
    c = c
        .apply(&Action::RequestExtension, Actor::Handler, T0, &d)
        .unwrap();
    let granted = c
        .apply(&Action::GrantExtension, Actor::Superior, T0, &d)
        .unwrap();
    assert_eq!(granted.due_at, Some(T0 + DAY + 30 * DAY));
    assert!(granted
        .apply(&Action::RequestExtension, Actor::Handler, T0, &d)
        .unwrap_err()
        .en
        .contains("only once"));
    let denied = c
        .apply(&Action::DenyExtension, Actor::Superior, T0, &d)
        .unwrap();
    assert_eq!(denied.extension, Extension::Denied);
}

#[test]
fn actors_are_checked() {
    let d = Deadlines::default();
    let e = at(CaseState::InProgress)
        .apply(&Action::Resolve, Actor::Resident, T0, &d)
        .unwrap_err();
    assert_eq!(e.en, "the resident may not resolve");
    assert!(at(CaseState::Reported)
        .apply(&Action::Accept, Actor::Handler, T0, &d)
        .is_err());
    assert!(at(CaseState::InProgress)
        .apply(&Action::GrantExtension, Actor::Handler, T0, &d)
        .is_err());
    // Ratings: 1-5 from the resident; the clock confirms unrated.
    let r = at(CaseState::Resolved);
    assert!(r
        .apply(
            &Action::Confirm { rating: Some(6) },
            Actor::Resident,
            T0,
            &d
        )
        .is_err());
    assert!(r
        .apply(&Action::Confirm { rating: None }, Actor::Resident, T0, &d)
        .is_err());
    assert!(r
        .apply(&Action::Confirm { rating: Some(4) }, Actor::System, T0, &d)
        .is_err());
    assert!(r
        .apply(&Action::Confirm { rating: None }, Actor::System, T0, &d)
        .is_ok());
}

#[test]
fn clocks() {
    let d = Deadlines::default();
    let c = CaseStatus::new(CaseLevel::Village, T0, &d);
    assert_eq!(c.due_at, Some(T0 + 24 * HOUR), "accept within 24 hours");
    assert_eq!(c.due_action(T0 + 23 * HOUR), None);
    assert_eq!(c.due_action(T0 + 24 * HOUR), Some(Action::Escalate));
    let up = c
        .apply(&Action::Escalate, Actor::System, T0 + 24 * HOUR, &d)
        .unwrap();
    assert_eq!(up.level, CaseLevel::Township);
    assert_eq!(
        up.due_at,
        Some(T0 + 24 * HOUR + 15 * DAY),
        "township: 15 days"
    );
    let county = up.apply(&Action::Escalate, Actor::System, T0, &d).unwrap();
    assert_eq!(county.level, CaseLevel::County);
    assert_eq!(county.due_at, Some(T0 + 60 * DAY), "county: 60 days");
    assert_eq!(
        county.due_action(T0 + 61 * DAY),
        None,
        "nowhere further to go"
    );
    assert!(county
        .apply(&Action::Escalate, Actor::Superior, T0, &d)
        .is_err());
    // Accepted at the village: 3 days to resolve.
    let a = c.apply(&Action::Accept, Actor::Dispatcher, T0, &d).unwrap();
    assert_eq!(a.due_at, Some(T0 + 3 * DAY));
    // Resolved: the resident has 7 days to answer, 30 to reopen.
    let r = at(CaseState::InProgress)
        .apply(&Action::Resolve, Actor::Handler, T0, &d)
        .unwrap();
    assert_eq!(
        r.due_action(T0 + 7 * DAY),
        Some(Action::Confirm { rating: None })
    );
    let conf = r
        .apply(
            &Action::Confirm { rating: None },
            Actor::System,
            T0 + 7 * DAY,
            &d,
        )
        .unwrap();
    assert!(conf
        .apply(&Action::Reopen, Actor::Resident, T0 + 29 * DAY, &d)
        .is_ok());
    let late = conf
        .apply(&Action::Reopen, Actor::Resident, T0 + 31 * DAY, &d)
        .unwrap_err();
    assert!(late.en.contains("30 days"));
    assert!(conf
        .apply(&Action::Reopen, Actor::Superior, T0 + 31 * DAY, &d)
        .is_ok());
}

proptest! {
    /// Any sequence of steps, by anyone, at any time, keeps the case consistent: a handler
    /// exactly when someone is working on it, a running clock exactly when one should run,
    /// and nothing moves a closed or merged case except a reopening of a closed one.
    #[test]
    fn any_sequence_stays_consistent(steps in prop::collection::vec((0usize..16, 0usize..5, 0i64..100), 0..40)) {
        let d = Deadlines::default();
        let all = actions();
        let actors = [Actor::Resident, Actor::Handler, Actor::Dispatcher, Actor::Superior, Actor::System];
        let mut now = T0;
        let mut c = CaseStatus::new(CaseLevel::MicroGrid, now, &d);
        for (a, who, dt) in steps {
            now += dt * HOUR;
            let before = c.clone();
            if let Ok(n) = c.apply(&all[a], actors[who], now, &d) {
                prop_assert!(before.is_open() || before.state == CaseState::Closed && n.state == CaseState::Assigned || before.state == CaseState::Closed && n.state == CaseState::Accepted);
                c = n;
            }
            let working = matches!(c.state, CaseState::Assigned | CaseState::InProgress);
            prop_assert!(!working || c.handler.is_some(), "{:?}", c);
            prop_assert_eq!(c.due_at.is_some(), c.is_open() && c.state != CaseState::Confirmed, "{:?}", c);
            prop_assert!(c.level >= CaseLevel::MicroGrid);
            prop_assert_eq!(c.merged_into.is_some(), c.state == CaseState::Merged);
        }
    }
}
