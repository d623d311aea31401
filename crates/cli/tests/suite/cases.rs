//! Cases in storage, on both backends: idempotent intake under concurrency, the closed loop through
//! the domain's state machine with a timeline, the escalation clock exactly once (also across a
//! restart and with concurrent sweeps), and jurisdiction.

use crate::api::{seed_tree, Client};
use crate::helpers::TestDb;
use crate::on_both;
use axum::http::StatusCode;
use xiangzhi_cases::prelude::*;
use xiangzhi_cases::rules::*;
use xiangzhi_cases::store::{By, CaseCategory, CaseInput};
use xiangzhi_domain::DivisionCode;
use xiangzhi_storage::{Db, Scope, StoreError};

const T0: i64 = 1_900_000_000_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

pub async fn setup(t: &TestDb) {
    let admin = Client::new(t).await;
    seed_tree(&admin).await;
    categories(&t.db).await;
}

/// The test county's case categories: road (village level), water (village), neighbour
/// (micro-grid, a dispute).
pub async fn categories(db: &Db) {
    for (code, name, level, dispute) in [
        ("road", "道路破损", CaseLevel::Village, false),
        ("water", "饮水供水", CaseLevel::Village, false),
        ("neighbour", "邻里纠纷", CaseLevel::MicroGrid, true),
    ] {
        db.put_case_category(
            &Scope::everything(),
            &CaseCategory {
                county_id: 141029,
                code: code.into(),
                name: name.into(),
                level,
                is_dispute: dispute,
                is_public: !dispute,
            },
        )
        .await
        .unwrap();
    }
}

pub fn input(key: &str, division: &str) -> CaseInput {
    CaseInput {
        idempotency_key: key.into(),
        category: "road".into(),
        description: "村口道路塌陷，雨天积水".into(),
        division_code: division.into(),
        household_id: None,
        grid_id: None,
        urgency: "urgent".into(),
        reporter_kind: "grid_worker".into(),
        reporter_name: Some("王网格".into()),
        anonymous: false,
        latitude: Some(35.97),
        longitude: Some(110.83),
        reporter_phone: None,
        tracking_hash: None,
    }
}

fn town(code: &str) -> Scope {
    Scope::division(&DivisionCode::parse(code).unwrap())
}

async fn idempotent_intake(t: &TestDb) {
    setup(t).await;
    let mut handles = Vec::new();
    for _ in 0..100 {
        let db = t.db.clone();
        handles.push(tokio::spawn(async move {
            db.create_case(
                &Scope::everything(),
                &input("phone-7f3a-0001", "141029100001"),
                None,
                T0,
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
        t.db.create_case(&Scope::everything(), &bad, None, T0)
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
    let all = Scope::everything();
    let (c, _) =
        t.db.create_case(&all, &input("k-esc", "141029100001"), None, T0)
            .await
            .unwrap();
    assert_eq!(c.level, CaseLevel::Village);
    assert_eq!(
        c.due_at,
        Some(T0 + 24 * HOUR),
        "to be accepted within 24 hours"
    );
    assert_eq!(t.db.run_due_cases(T0 + 23 * HOUR).await.unwrap(), 0);
    // Two sweeps at once when the deadline passes: one escalation.
    let (a, b) = tokio::join!(
        t.db.run_due_cases(T0 + 24 * HOUR),
        t.db.run_due_cases(T0 + 24 * HOUR)
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
    assert_eq!(again.run_due_cases(T0 + 25 * HOUR).await.unwrap(), 0);
    assert_eq!(
        again
            .run_due_cases(T0 + 24 * HOUR + 15 * DAY)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        again
            .run_due_cases(T0 + 24 * HOUR + 15 * DAY)
            .await
            .unwrap(),
        0,
        "exactly once"
    );
    let c = again.get_case(&all, c.id).await.unwrap();
    assert_eq!(c.level, CaseLevel::County);
    // At the county there is nowhere further: overdue, not escalated.
    assert_eq!(again.run_due_cases(T0 + 400 * DAY).await.unwrap(), 0);
    again.close().await;
    let timeline = t.db.case_timeline(&all, c.id).await.unwrap();
    let actions: Vec<&str> = timeline.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["report", "escalate", "escalate"]);
    assert!(timeline[1].note.contains("escalated automatically"));
    assert_eq!(timeline[1].actor, "system");
}
on_both!(case_escalation, escalation_clock);

/// A backlog of overdue cases the clock can do nothing about (open county-level cases, ordered
/// first) must not hide the due cases behind it, and one case that cannot be stepped must not stop
/// the sweep.
async fn clock_backlog(t: &TestDb) {
    setup(t).await;
    let all = Scope::everything();
    let file = |key: String| {
        let db = t.db.clone();
        let all = all.clone();
        async move {
            db.create_case(&all, &input(&key, "141029100001"), None, T0)
                .await
                .unwrap()
                .0
                .id
        }
    };
    for i in 0..520 {
        file(format!("stuck-{i}")).await;
    }
    t.db.execute_for_tests(&format!(
        "UPDATE cases SET level = 'county', due_at = {}",
        T0 - 1000
    ))
    .await
    .unwrap();
    let bad = file("bad".into()).await;
    let good = [file("good-1".into()).await, file("good-2".into()).await];
    t.db.execute_for_tests(&format!(
        "UPDATE cases SET due_at = {} WHERE id = {bad}",
        T0 - 600
    ))
    .await
    .unwrap();
    for g in good {
        t.db.execute_for_tests(&format!(
            "UPDATE cases SET due_at = {} WHERE id = {g}",
            T0 - 500
        ))
        .await
        .unwrap();
    }
    // The bad case cannot be changed at all (as if a constraint broke on it).
    if t.db.backend_name() == "sqlite" {
        t.db.execute_for_tests(&format!(
            "CREATE TRIGGER boom BEFORE UPDATE ON cases WHEN OLD.id = {bad} BEGIN SELECT RAISE(ABORT, 'boom'); END"
        ))
        .await
        .unwrap();
    } else if t.db.is_citus().await.unwrap() {
        // Citus keeps no triggers on distributed tables: a constraint the row can no longer
        // meet does the same (NOT VALID: checked on the next change, not now).
        t.db.execute_for_tests(&format!(
            "ALTER TABLE cases ADD CONSTRAINT boom CHECK (id <> {bad}) NOT VALID"
        ))
        .await
        .unwrap();
    } else {
        t.db.execute_for_tests(
            "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$ LANGUAGE plpgsql",
        )
        .await
        .unwrap();
        t.db.execute_for_tests(&format!(
            "CREATE TRIGGER boom BEFORE UPDATE ON cases FOR EACH ROW WHEN (OLD.id = {bad}) EXECUTE FUNCTION boom()"
        ))
        .await
        .unwrap();
    }
    assert_eq!(
        t.db.run_due_cases(T0).await.unwrap(),
        2,
        "both due cases behind the backlog and the bad case are escalated"
    );
    for g in good {
        assert_eq!(
            t.db.get_case(&all, g).await.unwrap().level,
            CaseLevel::Township
        );
    }
    assert_eq!(
        t.db.get_case(&all, bad).await.unwrap().level,
        CaseLevel::Village
    );
}
on_both!(case_clock_backlog, clock_backlog);

async fn closed_loop(t: &TestDb) {
    setup(t).await;
    let own = town("141029100000");
    let (c, _) =
        t.db.create_case(&own, &input("k-loop", "141029100001"), Some(1), T0)
            .await
            .unwrap();
    let step = |a: Action, who: Actor, at: i64| {
        let db = t.db.clone();
        let own = own.clone();
        async move {
            let by = By {
                actor: who,
                user: Some(1),
                note: "",
                at,
                public: false,
            };
            db.case_step(&own, c.id, &a, by).await
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
    assert_eq!(t.db.run_due_cases(T0 + 8 * DAY).await.unwrap(), 1);
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
                at: T0 + 23 * DAY,
                public: false,
            }
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert!(t.db.case_timeline(&other, c.id).await.is_err());
    // Nor files a case in this township's villages.
    assert!(t
        .db
        .create_case(&other, &input("k-x", "141029100001"), None, T0)
        .await
        .is_err());
    assert_eq!(
        t.db.get_case(&own, c.id).await.unwrap().state,
        CaseState::Closed,
        "unchanged"
    );
}
on_both!(case_loop, closed_loop);

/// Through the API: idempotent intake (201 then 200), who may take which step, and the timeline.
async fn case_api(t: &TestDb) {
    use serde_json::json;
    let admin = Client::new(t).await;
    seed_tree(&admin).await;
    admin
        .ok(
            "PUT",
            "/api/v1/case-categories/road",
            Some(json!({"county_id": 141029, "name": "道路破损", "level": "village"})),
        )
        .await;
    let secretary = Client::as_role(t, "village_secretary", "141029100001").await;
    let town = Client::as_role(t, "township_officer", "141029100000").await;
    let handler =
        t.db.create_user(
            &crate::helpers::tester(),
            &xiangzhi_storage::accounts::NewUser {
                login: "case_handler".into(),
                display_name: "承办网格员".into(),
                role: "grid_worker".into(),
                division_code: "141029100001".into(),
                grid_id: None,
                password: crate::api::PASSWORD.into(),
            },
        )
        .await
        .unwrap();
    let (_, token) =
        t.db.create_api_token(&crate::helpers::tester(), handler.id, "t")
            .await
            .unwrap();
    let worker = Client::with_token(t, &token);
    let other_worker = Client::as_role(t, "grid_worker", "141029100001").await;
    // A village secretary cannot set the county's categories.
    let (s, _, _) = secretary
        .call(
            "PUT",
            "/api/v1/case-categories/x",
            Some(json!({"county_id": 141029, "name": "x", "level": "village"})),
        )
        .await;
    assert_eq!(s.as_u16(), 403);

    let body = json!({"idempotency_key": "api-1", "category": "road", "description": "路灯不亮",
        "division_code": "141029100001", "reporter_kind": "resident", "reporter_name": "张大爷"});
    let (s1, c1, _) = worker
        .call("POST", "/api/v1/cases", Some(body.clone()))
        .await;
    let (s2, c2, _) = worker.call("POST", "/api/v1/cases", Some(body)).await;
    assert_eq!((s1.as_u16(), s2.as_u16()), (201, 200));
    assert_eq!(c1["id"], c2["id"]);
    let id = c1["id"].as_i64().unwrap();
    // Each submission is in the audit log once: the new case with it (same commit), the repeat
    // by the middleware.
    let log = t.db.audit_entries(None, 2).await.unwrap();
    let (repeat, new) = (&log[0], &log[1]);
    assert_eq!(
        (
            new.action.as_str(),
            new.object.as_str(),
            new.outcome.as_str(),
            new.detail.as_str()
        ),
        (
            "report case",
            format!("case 141029:{id}").as_str(),
            "ok",
            "POST /api/v1/cases"
        )
    );
    assert_eq!(
        (repeat.object.as_str(), repeat.outcome.as_str()),
        ("/api/v1/cases", "200")
    );
    assert!(
        t.db.audit_verify().await.unwrap().problem.is_none(),
        "the chain holds"
    );
    let status = |r: (axum::http::StatusCode, serde_json::Value, String)| r.0.as_u16();
    assert_eq!(
        status(act(id, &worker, json!({"action": "accept"})).await),
        403,
        "a grid worker does not dispatch village cases"
    );
    assert_eq!(
        status(act(id, &secretary, json!({"action": "accept"})).await),
        200
    );
    assert_eq!(
        status(
            act(
                id,
                &secretary,
                json!({"action": "assign", "handler": 999_999})
            )
            .await
        ),
        422,
        "no such handler"
    );
    assert_eq!(
        status(
            act(
                id,
                &secretary,
                json!({"action": "assign", "handler": handler.id, "note": "请两日内修复"})
            )
            .await
        ),
        200
    );
    assert_eq!(
        status(act(id, &other_worker, json!({"action": "start"})).await),
        403,
        "only the handler"
    );
    assert_eq!(
        status(act(id, &worker, json!({"action": "start"})).await),
        200
    );
    assert_eq!(
        status(act(id, &worker, json!({"action": "request_extension"})).await),
        200
    );
    assert_eq!(
        status(act(id, &secretary, json!({"action": "grant_extension"})).await),
        403,
        "not above the case"
    );
    assert_eq!(
        status(act(id, &town, json!({"action": "grant_extension"})).await),
        200
    );
    let (s, p, _) = act(id, &worker, json!({"action": "close"})).await;
    assert_eq!(s.as_u16(), 403, "{p}");
    assert_eq!(
        status(
            act(
                id,
                &worker,
                json!({"action": "resolve", "note": "已更换灯泡"})
            )
            .await
        ),
        200
    );
    let (s, p, _) = act(id, &secretary, json!({"action": "close"})).await;
    assert_eq!(s.as_u16(), 422, "not before the resident confirms: {p}");
    // Staff record the resident's answer only saying how they got it, never on their own case,
    // and such a rating is kept apart from the residents' own (代为确认).
    let (s, p, _) = act(
        id,
        &worker,
        json!({"action": "confirm", "rating": 5, "via": "phone"}),
    )
    .await;
    assert_eq!(s.as_u16(), 403, "the handler confirms their own work: {p}");
    let (s, p, _) = act(id, &secretary, json!({"action": "confirm", "rating": 5})).await;
    assert_eq!(s.as_u16(), 422, "without saying how: {p}");
    assert!(p["errors"].to_string().contains("via"), "{p}");
    assert_eq!(
        status(
            act(
                id,
                &secretary,
                json!({"action": "confirm", "rating": 5, "via": "phone"})
            )
            .await
        ),
        200
    );
    let (s, c, _) = act(id, &secretary, json!({"action": "close"})).await;
    assert_eq!(s.as_u16(), 200);
    assert_eq!(c["state"], "closed");
    assert_eq!(
        (c["rating"].clone(), c["proxy_rating"].clone()),
        (json!(null), json!(5))
    );
    let st = secretary
        .ok(
            "GET",
            "/api/v1/case-stats?from=1970-01-01&to=2100-12-31",
            None,
        )
        .await;
    assert_eq!(
        st["rated"], 0,
        "a rating recorded by staff is not the residents' satisfaction"
    );
    let tl = secretary
        .ok("GET", &format!("/api/v1/cases/{id}/timeline"), None)
        .await;
    let steps: Vec<&str> = tl
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "report",
            "accept",
            "assign",
            "start",
            "request_extension",
            "grant_extension",
            "resolve",
            "confirm",
            "close"
        ]
    );
    assert_eq!(tl[2]["note"], "请两日内修复");
    let q = secretary.ok("GET", "/api/v1/cases?kind=closed", None).await;
    assert_eq!(q["items"].as_array().unwrap().len(), 1);
}
on_both!(case_http, case_api);

async fn act(
    id: i64,
    c: &Client,
    action: serde_json::Value,
) -> (axum::http::StatusCode, serde_json::Value, String) {
    c.call("POST", &format!("/api/v1/cases/{id}/actions"), Some(action))
        .await
}

/// Open311 GeoReport v2 with an existing client library (`georeport` from PyPI) against a running
/// server: services, submission (idempotent), reading back. Needs scripts/python-setup (run by
/// scripts/test); required under CI.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open311_client() {
    let python = crate::helpers::workspace_root().join(".venv/bin/python");
    if !python.exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the Open311 client test must run under CI: run scripts/python-setup"
        );
        eprintln!("skipping the Open311 client test: run scripts/python-setup first");
        return;
    }
    let t = TestDb::new(crate::helpers::Backend::Sqlite).await.unwrap();
    setup(&t).await;
    let u =
        t.db.create_user(
            &crate::helpers::tester(),
            &xiangzhi_storage::accounts::NewUser {
                login: "open311_app".into(),
                display_name: "随手拍".into(),
                role: "village_secretary".into(),
                division_code: "141029100001".into(),
                grid_id: None,
                password: crate::api::PASSWORD.into(),
            },
        )
        .await
        .unwrap();
    let (_, token) =
        t.db.create_api_token(&crate::helpers::tester(), u.id, "open311")
            .await
            .unwrap();
    crate::helpers::run_against_server(
        &t,
        "Open311 client test",
        &python,
        "tests/open311/test_georeport.py",
        &[
            ("XZ_API_KEY", token.clone()),
            ("XZ_DIVISION", "141029100001".into()),
        ],
    )
    .await;
    // The new case went into the audit log with its write; the repeat (same key, nothing
    // written) and the submission outside the key's area on their own.
    let log = t.db.audit_entries(None, 3).await.unwrap();
    let seen: Vec<(&str, &str, &str)> = log
        .iter()
        .map(|e| (e.action.as_str(), e.outcome.as_str(), e.detail.as_str()))
        .collect();
    let via = "POST /open311/v2/requests.json";
    assert_eq!(
        seen,
        [
            ("report case", "failed", via),
            ("report case", "repeat", via),
            ("report case", "ok", via)
        ]
    );
    t.finish().await;
}

/// Possible duplicates: same category in the same village or within 300 m, or the same household;
/// merged ones drop out.
async fn duplicates(t: &TestDb) {
    use serde_json::json;
    let admin = Client::new(t).await;
    let (_, micro) = seed_tree(&admin).await;
    let hh = admin
        .ok(
            "POST",
            "/api/v1/households",
            Some(json!({"number": "D-1", "micro_grid_id": micro, "address": "1号"})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    categories(&t.db).await;
    let all = Scope::everything();
    let file = |key: &str, cat: &str, div: &str, at: (f64, f64), h: Option<i64>, when: i64| {
        let mut i = input(key, div);
        i.category = cat.into();
        i.latitude = Some(at.0);
        i.longitude = Some(at.1);
        i.household_id = h;
        let db = t.db.clone();
        let all = all.clone();
        async move { db.create_case(&all, &i, None, when).await.unwrap().0.id }
    };
    let a = file(
        "a",
        "road",
        "141029100001",
        (35.9700, 110.8400),
        Some(hh),
        T0,
    )
    .await;
    // Same category, other village, 150 m away: suggested.
    let near = file(
        "b",
        "road",
        "141029101001",
        (35.9713, 110.8402),
        None,
        T0 + HOUR,
    )
    .await;
    // Same category, other village, 5 km away: not.
    let far = file(
        "c",
        "road",
        "141029101001",
        (36.0150, 110.8400),
        None,
        T0 + HOUR,
    )
    .await;
    // Other category, same household: suggested.
    let same_house = file(
        "d",
        "water",
        "141029100001",
        (35.9, 110.9),
        Some(hh),
        T0 + DAY,
    )
    .await;
    // Same category and village but two months later: not.
    let later = file(
        "e",
        "road",
        "141029100001",
        (35.97, 110.84),
        None,
        T0 + 60 * DAY,
    )
    .await;
    let ids = |v: Vec<xiangzhi_cases::store::Case>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let found = ids(t.db.case_duplicates(&all, a).await.unwrap());
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.contains(&near) && found.contains(&same_house));
    assert!(!found.contains(&far) && !found.contains(&later));
    assert_eq!(found[0], near, "nearest first");
    // Merge the near one into the first: it is no longer suggested.
    let by = By {
        actor: Actor::Dispatcher,
        user: None,
        note: "同一处道路",
        at: T0 + 2 * HOUR,
        public: false,
    };
    let m =
        t.db.case_step(&all, near, &Action::Merge { into: a }, by)
            .await
            .unwrap();
    assert_eq!((m.state, m.merged_into), (CaseState::Merged, Some(a)));
    assert_eq!(
        ids(t.db.case_duplicates(&all, a).await.unwrap()),
        [same_house]
    );
    // Another township's account does not see them at all.
    assert!(t
        .db
        .case_duplicates(&town("141029101000"), a)
        .await
        .is_err());
    // A merge target must exist, be visible to the caller, be open and not the case itself;
    // otherwise the case would leave every queue pointing nowhere.
    let other_town = town("141029101000");
    for (scope, into) in [
        (&all, 999_999),      // no such case
        (&all, far),          // itself
        (&all, near),         // already merged
        (&other_town, a),     // another township's case
        (&other_town, later), // another township's case
    ] {
        let by = By {
            actor: Actor::Dispatcher,
            user: None,
            note: "",
            at: T0 + 3 * HOUR,
            public: false,
        };
        match t
            .db
            .case_step(scope, far, &Action::Merge { into }, by)
            .await
        {
            Err(StoreError::Invalid(f)) => assert_eq!(f[0].field, "into", "{into}"),
            other => panic!("merging into {into} must be refused, got {other:?}"),
        }
    }
    let still = t.db.get_case(&all, far).await.unwrap();
    assert_eq!(
        (still.state, still.merged_into),
        (CaseState::Reported, None)
    );
}
on_both!(case_duplicates, duplicates);

/// A dispute's mediation record through the API: parties, sessions, the agreement (once, after a
/// session), follow-up visits; none for non-dispute cases; nothing for another township.
async fn mediation(t: &TestDb) {
    use serde_json::json;
    setup(t).await;
    let secretary = Client::as_role(t, "village_secretary", "141029100001").await;
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    let file = |key: &str, cat: &str| {
        json!({"idempotency_key": key, "category": cat, "description": "宅基地边界争议",
            "division_code": "141029100001", "reporter_kind": "resident"})
    };
    let dispute = secretary
        .ok("POST", "/api/v1/cases", Some(file("m1", "neighbour")))
        .await["id"]
        .as_i64()
        .unwrap();
    let road = secretary
        .ok("POST", "/api/v1/cases", Some(file("m2", "road")))
        .await["id"]
        .as_i64()
        .unwrap();
    let m = |id: i64, rest: &str| format!("/api/v1/cases/{id}/mediation{rest}");
    let record = json!({"mediator": "李调解员", "method": "情理法说劝和",
        "parties": [{"name": "张甲", "side": "申请人"}, {"name": "王乙", "side": "被申请人"}]});
    secretary
        .problem("PUT", &m(road, ""), Some(record.clone()), 422, "case")
        .await;
    secretary
        .problem(
            "PUT",
            &m(dispute, ""),
            Some(json!({"mediator": "李", "method": "x", "parties": [{"name": "张甲", "side": "申请人"}]})),
            422,
            "parties",
        )
        .await;
    let v = secretary.ok("PUT", &m(dispute, ""), Some(record)).await;
    assert_eq!(v["parties"].as_array().unwrap().len(), 2);
    secretary
        .problem(
            "PUT",
            &m(dispute, "/agreement"),
            Some(json!({"agreement": "以界桩为准"})),
            422,
            "agreement",
        )
        .await;
    secretary
        .problem(
            "POST",
            &m(dispute, "/visits"),
            Some(json!({"note": "回访", "holding": true})),
            422,
            "note",
        )
        .await;
    secretary
        .ok(
            "POST",
            &m(dispute, "/sessions"),
            Some(json!({"place": "村委会调解室", "summary": "双方陈述，现场踏勘"})),
        )
        .await;
    let v = secretary
        .ok(
            "PUT",
            &m(dispute, "/agreement"),
            Some(json!({"agreement": "以1998年界桩为准，王乙拆除越界围墙"})),
        )
        .await;
    assert!(v["agreed_at"].is_i64());
    let (s, _, _) = secretary
        .call(
            "PUT",
            &m(dispute, "/agreement"),
            Some(json!({"agreement": "改"})),
        )
        .await;
    assert_eq!(s.as_u16(), 409, "the agreement is not rewritten");
    let v = secretary
        .ok(
            "POST",
            &m(dispute, "/visits"),
            Some(json!({"note": "围墙已拆除，双方无异议", "holding": true})),
        )
        .await;
    assert_eq!(v["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(v["visits"][0]["holding"], true);
    // Another township sees none of it.
    let (s, _, _) = other.call("GET", &m(dispute, ""), None).await;
    assert_eq!(s.as_u16(), 404);
}
on_both!(case_mediation, mediation);

/// A county sets its own clocks, within the law; new cases run on them.
async fn county_deadlines(t: &TestDb) {
    use serde_json::json;
    setup(t).await;
    let admin = Client::new(t).await;
    let town = Client::as_role(t, "township_officer", "141029100000").await;
    let d = town.ok("GET", "/api/v1/case-deadlines", None).await;
    assert_eq!(d["resolve_days"], json!([3, 3, 3, 15, 60]), "defaults");
    let mine = json!({"accept_hours": 12, "resolve_days": [2, 2, 5, 10, 45], "extension_days": 15, "confirm_days": 5, "reopen_days": 30});
    let (s, _, _) = town
        .call("PUT", "/api/v1/case-deadlines", Some(mine.clone()))
        .await;
    assert_eq!(
        s.as_u16(),
        403,
        "a township does not set the county's clocks"
    );
    let too_long = json!({"accept_hours": 12, "resolve_days": [2, 2, 5, 10, 90], "extension_days": 40, "confirm_days": 5, "reopen_days": 30});
    let (s, p, _) = admin
        .call(
            "PUT",
            "/api/v1/case-deadlines?county_id=141029",
            Some(too_long),
        )
        .await;
    assert_eq!(s.as_u16(), 422);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["resolve_days.county", "extension_days"]);
    admin
        .ok("PUT", "/api/v1/case-deadlines?county_id=141029", Some(mine))
        .await;
    let (c, _) =
        t.db.create_case(&Scope::everything(), &input("dl", "141029100001"), None, T0)
            .await
            .unwrap();
    assert_eq!(
        c.due_at,
        Some(T0 + 12 * HOUR),
        "the county's acceptance window"
    );
    let c =
        t.db.case_step(
            &Scope::everything(),
            c.id,
            &Action::Accept,
            By {
                actor: Actor::Dispatcher,
                user: None,
                note: "",
                at: T0,
                public: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        c.due_at,
        Some(T0 + 5 * DAY),
        "village cases: 5 days in this county"
    );
}
on_both!(case_deadlines, county_deadlines);

/// Statistics of a jurisdiction and period: on time, settled inside the village and the township,
/// median time, satisfaction, overdue, repeat households.
async fn stats(t: &TestDb) {
    use serde_json::json;
    setup(t).await;
    let admin = Client::new(t).await;
    let micro = admin.ok("GET", "/api/v1/grids?kind=micro", None).await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let hh = admin
        .ok(
            "POST",
            "/api/v1/households",
            Some(json!({"number": "S-1", "micro_grid_id": micro, "address": "1号"})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let all = Scope::everything();
    let by = |actor: Actor, at: i64| By {
        actor,
        user: None,
        note: "",
        at,
        public: false,
    };
    let run = |id: i64, steps: Vec<(Action, Actor, i64)>| {
        let db = t.db.clone();
        let all = all.clone();
        async move {
            for (a, who, at) in steps {
                db.case_step(&all, id, &a, by(who, at)).await.unwrap();
            }
        }
    };
    let mut i = input("s1", "141029100001");
    i.household_id = Some(hh);
    let a = t.db.create_case(&all, &i, None, T0).await.unwrap().0.id;
    run(
        a,
        vec![
            (Action::Accept, Actor::Dispatcher, T0 + HOUR),
            (Action::Assign { handler: 5 }, Actor::Dispatcher, T0 + HOUR),
            (Action::Start, Actor::Handler, T0 + HOUR),
            (Action::Resolve, Actor::Handler, T0 + DAY),
            (
                Action::Confirm { rating: Some(5) },
                Actor::Resident,
                T0 + 2 * DAY,
            ),
        ],
    )
    .await;
    // Not accepted in time: the clock takes it to the township, which resolves it in 3 days.
    let mut i = input("s2", "141029100001");
    i.household_id = Some(hh);
    let b = t.db.create_case(&all, &i, None, T0).await.unwrap().0.id;
    assert_eq!(t.db.run_due_cases(T0 + 25 * HOUR).await.unwrap(), 1);
    run(
        b,
        vec![
            (
                Action::Assign { handler: 6 },
                Actor::Dispatcher,
                T0 + 26 * HOUR,
            ),
            (Action::Start, Actor::Handler, T0 + 26 * HOUR),
            (Action::Resolve, Actor::Handler, T0 + 3 * DAY),
            (
                Action::Confirm { rating: Some(3) },
                Actor::Resident,
                T0 + 4 * DAY,
            ),
        ],
    )
    .await;
    // Still open long after its deadline.
    let c =
        t.db.create_case(&all, &input("s3", "141029100001"), None, T0 + HOUR)
            .await
            .unwrap()
            .0
            .id;
    let s =
        t.db.case_stats(&all, T0 - DAY, T0 + 10 * DAY, T0 + 10 * DAY)
            .await
            .unwrap();
    assert_eq!(s.total, 3);
    assert_eq!(s.resolved, 2);
    assert_eq!(s.on_time_rate, Some(0.5));
    assert_eq!(s.settled_in_village, Some(0.5));
    assert_eq!(s.settled_in_township, Some(1.0));
    assert_eq!(
        s.median_resolve_ms,
        Some(3 * DAY),
        "the upper median of 1 and 3 days"
    );
    assert_eq!(s.satisfaction, Some(4.0));
    assert_eq!(s.overdue, [c]);
    assert_eq!(s.repeat_households, [(hh, 2)]);
    assert_eq!(s.by_category, [("road".to_string(), 3)]);
    // Another period, another township: nothing.
    let none =
        t.db.case_stats(&all, T0 + 20 * DAY, T0 + 30 * DAY, T0 + 30 * DAY)
            .await
            .unwrap();
    assert_eq!(none.total, 0);
    assert_eq!(none.on_time_rate, None);
    let other =
        t.db.case_stats(
            &town("141029101000"),
            T0 - DAY,
            T0 + 10 * DAY,
            T0 + 10 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(other.total, 0);
    // Through the API, for the village.
    let v = admin
        .ok("GET", "/api/v1/case-stats?division=141029100001", None)
        .await;
    assert!(v["total"].is_i64());
}
on_both!(case_stats, stats);

/// Photos and documents: the type comes from the content, a resent upload is the same file, a
/// file is served so that a browser will not run it, and another township cannot reach it.
async fn files(t: &TestDb) {
    setup(t).await;
    let admin = Client::new(t).await;
    let all = Scope::everything();
    let (c, _) =
        t.db.create_case(&all, &input("k-files", "141029100001"), None, T0)
            .await
            .unwrap();
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.extend((0..50_000u32).map(|i| (i % 251) as u8));
    let uri = |name: &str| format!("/api/v1/cases/{}/files?name={name}", c.id);
    let (s, _, body) = admin
        .raw(
            "POST",
            &uri("%E5%A1%8C%E6%96%B9.jpg"),
            Some((jpeg.clone(), "image/jpeg")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{}", String::from_utf8_lossy(&body));
    let f: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(f["name"], "塌方.jpg");
    assert_eq!(f["content_type"], "image/jpeg");
    assert_eq!(f["size"], jpeg.len());
    // The phone resends after a lost answer: the same file, not a second one.
    let (s, _, again) = admin
        .raw(
            "POST",
            &uri("%E5%A1%8C%E6%96%B9.jpg"),
            Some((jpeg.clone(), "image/jpeg")),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&again).unwrap()["seq"],
        f["seq"]
    );
    // A page posing as a photo is refused, whatever the client says it is.
    let (s, _, body) = admin
        .raw(
            "POST",
            &uri("x.jpg"),
            Some((b"<html><script>alert(1)</script>".to_vec(), "image/jpeg")),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&body).contains("只接受照片"));
    let (s, _, _) = admin
        .raw(
            "POST",
            &uri("big.pdf"),
            Some((
                [b"%PDF-".to_vec(), vec![0; 10 << 20]].concat(),
                "application/pdf",
            )),
        )
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let (s, _, _) = admin
        .raw(
            "POST",
            &uri("..%2F..%2F"),
            Some((jpeg.clone(), "image/jpeg")),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no name left after the path"
    );
    let list = admin
        .ok("GET", &format!("/api/v1/cases/{}/files", c.id), None)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (s, headers, bytes) = admin
        .raw("GET", &format!("/api/v1/cases/{}/files/1", c.id), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(bytes, jpeg);
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("inline; filename*=UTF-8''%E5%A1%8C"));
    // Another township's account can neither see nor add to it.
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    for (m, u, b) in [
        ("GET", format!("/api/v1/cases/{}/files", c.id), None),
        ("GET", format!("/api/v1/cases/{}/files/1", c.id), None),
        (
            "POST",
            uri("y.jpg"),
            Some(([jpeg.clone(), vec![1]].concat(), "image/jpeg")),
        ),
    ] {
        let (s, _, _) = other.raw(m, &u, b).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{m} {u}");
    }
    assert_eq!(t.db.case_files(&all, c.id).await.unwrap().len(), 1);
}
on_both!(case_files, files);
