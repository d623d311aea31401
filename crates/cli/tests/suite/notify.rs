//! Case notifications on both backends: a step writes its notices in its own transaction, the
//! recipients see them, and the webhook sender delivers each one (signed) with retries after
//! failures, gives up visibly after the last attempt, and sends again when asked.

use crate::api::{seed_tree, Client};
use crate::helpers::TestDb;
use crate::on_both;
use axum::http::StatusCode;
use hmac::{Hmac, KeyInit, Mac};
use std::sync::{Arc, Mutex};
use xiangzhi_cases::prelude::*;
use xiangzhi_cases::rules::{Action, Actor};
use xiangzhi_cases::store::notifications::MAX_ATTEMPTS;
use xiangzhi_cases::store::{By, CaseInput};
use xiangzhi_cases::webhook::Webhook;
use xiangzhi_storage::accounts::NewUser;
use xiangzhi_storage::{ListQuery, Scope};

const T0: i64 = 1_900_000_000_000;
const HOUR: i64 = 3_600_000;
pub const SECRET: &str = "gateway-shared-secret";

#[derive(Default)]
pub struct Gateway {
    /// (delivery id, body, signature) of every request, and how many to refuse first.
    pub seen: Vec<(String, serde_json::Value, String)>,
    pub accepted: Vec<String>,
    refuse: usize,
}

/// A messaging gateway on a local port that refuses its first `refuse` requests with a 500.
pub async fn gateway(refuse: usize) -> (String, Arc<Mutex<Gateway>>) {
    let state = Arc::new(Mutex::new(Gateway {
        refuse,
        ..Default::default()
    }));
    let s = state.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let s = s.clone();
                async move {
                    let h = |k: &str| {
                        headers
                            .get(k)
                            .map(|v| v.to_str().unwrap().to_string())
                            .unwrap_or_default()
                    };
                    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
                    mac.update(&body);
                    let expected: String = mac
                        .finalize()
                        .into_bytes()
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect();
                    let mut g = s.lock().unwrap();
                    let id = h("x-xiangzhi-delivery");
                    g.seen.push((id.clone(), json, h("x-xiangzhi-signature")));
                    assert_eq!(h("x-xiangzhi-signature"), format!("sha256={expected}"));
                    if g.refuse > 0 {
                        g.refuse -= 1;
                        return (StatusCode::INTERNAL_SERVER_ERROR, "gateway busy");
                    }
                    g.accepted.push(id);
                    (StatusCode::OK, "ok")
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), state)
}

async fn user(t: &TestDb, login: &str, role: &str, division: &str) -> i64 {
    t.db.create_user(
        &crate::helpers::tester(),
        &NewUser {
            login: login.into(),
            display_name: login.into(),
            role: role.into(),
            division_code: division.into(),
            grid_id: None,
            password: crate::api::PASSWORD.into(),
        },
    )
    .await
    .unwrap()
    .id
}

async fn notifications(t: &TestDb) {
    let admin = Client::new(t).await;
    seed_tree(&admin).await;
    crate::cases::categories(&t.db).await;
    let secretary = user(t, "n-cunshuji", "village_secretary", "141029100001").await;
    let worker = user(t, "n-wangge", "grid_worker", "141029100001").await;
    let officer = user(t, "n-zhenganban", "township_officer", "141029100000").await;
    let all = Scope::everything();
    let (c, _) =
        t.db.create_case(
            &all,
            &CaseInput {
                idempotency_key: "n-1".into(),
                category: "road".into(),
                description: "村道塌方".into(),
                division_code: "141029100001".into(),
                household_id: None,
                grid_id: None,
                urgency: "urgent".into(),
                reporter_kind: "grid_worker".into(),
                reporter_name: None,
                anonymous: false,
                latitude: None,
                longitude: None,
                reporter_phone: None,
                tracking_hash: None,
            },
            Some(worker),
            T0,
        )
        .await
        .unwrap();
    let by = |actor| By {
        actor,
        user: Some(secretary),
        note: "",
        at: T0 + HOUR,
        public: false,
    };
    t.db.case_step(&all, c.id, &Action::Accept, by(Actor::Dispatcher))
        .await
        .unwrap();
    t.db.case_step(
        &all,
        c.id,
        &Action::Assign { handler: worker },
        by(Actor::Dispatcher),
    )
    .await
    .unwrap();
    // Not resolved in 3 days: the clock escalates it to the township, whose office hears of it,
    // and so does the handler it was taken from.
    assert_eq!(t.db.run_due_cases(T0 + 4 * 24 * HOUR).await.unwrap(), 1);
    let mine =
        t.db.notifications_for(worker, "141029100001", 50)
            .await
            .unwrap();
    let kinds: Vec<&str> = mine.iter().map(|n| n.kind.as_str()).collect();
    assert_eq!(kinds, ["escalated", "assigned"], "{mine:?}");
    assert!(mine[1].message_zh.contains("已派给您办理"));
    let office =
        t.db.notifications_for(officer, "141029100000", 50)
            .await
            .unwrap();
    assert_eq!(office.len(), 1);
    assert_eq!(office[0].to_division.as_deref(), Some("141029100000"));
    assert!(
        office[0].message_zh.contains("乡镇"),
        "{}",
        office[0].message_zh
    );
    // Another township's office hears nothing; its accounts see none of these notices.
    assert!(t
        .db
        .notifications_for(officer, "141029101000", 50)
        .await
        .unwrap()
        .is_empty());
    let guanghua = Scope::division(&xiangzhi_domain::DivisionCode::parse("141029101000").unwrap());
    assert!(t
        .db
        .list_notifications(&guanghua, &ListQuery::default())
        .await
        .unwrap()
        .items
        .is_empty());

    // The gateway refuses the first two requests: those notices wait 30 s and go again.
    let (url, gw) = gateway(2).await;
    let hook = Webhook::new(&url, Some(SECRET)).unwrap();
    let now = T0 + 5 * 24 * HOUR;
    let d = hook.deliver_due(&t.db, now).await.unwrap();
    assert_eq!((d.sent, d.failed), (1, 2));
    let pending =
        t.db.list_notifications(
            &all,
            &ListQuery {
                kind: Some("pending".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items;
    assert_eq!(pending.len(), 2);
    for n in &pending {
        assert_eq!((n.attempts, n.next_attempt_at), (1, Some(now + 30_000)));
        assert!(n.last_error.as_deref().unwrap().contains("500"), "{n:?}");
    }
    assert_eq!(
        hook.deliver_due(&t.db, now + 29_000).await.unwrap().sent,
        0,
        "not before its time"
    );
    let d = hook.deliver_due(&t.db, now + 30_000).await.unwrap();
    assert_eq!((d.sent, d.failed), (2, 0));
    {
        let g = gw.lock().unwrap();
        assert_eq!(g.seen.len(), 5);
        let mut accepted = g.accepted.clone();
        accepted.sort();
        accepted.dedup();
        assert_eq!(
            (g.accepted.len(), accepted.len()),
            (3, 3),
            "each notice delivered once"
        );
        let escalated = g
            .seen
            .iter()
            .find(|(_, b, _)| b["recipient"]["division_code"] == "141029100000")
            .unwrap();
        assert_eq!(escalated.1["kind"], "escalated");
        assert_eq!(escalated.1["case_id"], c.id);
        assert_eq!(escalated.1["recipient"]["division_name"], "昌宁镇");
    }
    let sent =
        t.db.list_notifications(
            &all,
            &ListQuery {
                kind: Some("sent".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items;
    assert_eq!(sent.len(), 3);
    assert!(sent
        .iter()
        .all(|n| n.delivered_at.is_some() && n.last_error.is_none()));

    // A gateway that is down: the notice is tried MAX_ATTEMPTS times with growing waits, then
    // marked failed with the reason, and sent again from the start when someone asks.
    let dead = Webhook::new("http://127.0.0.1:9/hook", None).unwrap();
    let step = |action: Action, actor: Actor, user: i64| {
        let db = t.db.clone();
        let all = all.clone();
        async move {
            db.case_step(
                &all,
                c.id,
                &action,
                By {
                    actor,
                    user: Some(user),
                    note: "已修复",
                    at: now,
                    public: false,
                },
            )
            .await
            .unwrap()
        }
    };
    step(
        Action::Assign { handler: worker },
        Actor::Dispatcher,
        officer,
    )
    .await;
    step(Action::Start, Actor::Handler, worker).await;
    assert_eq!(
        hook.deliver_due(&t.db, now).await.unwrap().sent,
        1,
        "the new assignment"
    );
    let resolved = step(Action::Resolve, Actor::Handler, worker).await;
    assert!(resolved.resolved_at.is_some());
    let mut at = now;
    for attempt in 1..=MAX_ATTEMPTS {
        let d = dead.deliver_due(&t.db, at).await.unwrap();
        assert_eq!((d.sent, d.failed), (0, 1), "attempt {attempt}");
        at += xiangzhi_cases::store::notifications::backoff_ms(attempt);
    }
    assert_eq!(
        dead.deliver_due(&t.db, at + 86_400_000)
            .await
            .unwrap()
            .failed,
        0,
        "given up"
    );
    let failed =
        t.db.list_notifications(
            &all,
            &ListQuery {
                kind: Some("failed".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].kind, "resolved");
    assert_eq!(
        failed[0].user_id,
        Some(worker),
        "the reporter visits the resident"
    );
    assert_eq!(failed[0].attempts, MAX_ATTEMPTS);
    assert!(
        failed[0].last_error.as_deref().unwrap().contains("connect"),
        "{:?}",
        failed[0].last_error
    );
    let again =
        t.db.retry_notification(&all, failed[0].id, at)
            .await
            .unwrap();
    assert_eq!((again.delivery.as_str(), again.attempts), ("pending", 0));
    assert!(
        t.db.retry_notification(&all, failed[0].id, at)
            .await
            .is_err(),
        "only failed ones"
    );
    let d = hook.deliver_due(&t.db, at).await.unwrap();
    assert_eq!((d.sent, d.failed), (1, 0));
}
on_both!(case_notifications, notifications);
