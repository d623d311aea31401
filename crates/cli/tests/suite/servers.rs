//! Several servers on one database (each its own pool, as two `xiangzhi serve` behind a
//! balancer): a job's lease is held by one at a time and taken over when it runs out; two case
//! clocks sweeping at once step every due case once; two webhook senders at once send every
//! notice once; a session made on one server works on the other.

use crate::cases::{input, setup};
use crate::helpers::TestDb;
use crate::notify::{gateway, SECRET};
use crate::on_both;
use xiangzhi_cases::prelude::*;
use xiangzhi_cases::webhook::Webhook;
use xiangzhi_storage::Scope;

const T0: i64 = 1_900_000_000_000;
const HOUR: i64 = 3_600_000;

async fn servers(t: &TestDb) {
    let other = xiangzhi_storage::Db::connect(&t.url()).await.unwrap();

    // Leases: one holder; renewed by it; taken over only once run out; given up at once.
    let now = xiangzhi_storage::now_ms();
    let (a, b) = (&t.db, &other);
    assert!(a.hold_lease("job", "a", now, 15_000).await.unwrap());
    assert!(!b.hold_lease("job", "b", now + 1_000, 15_000).await.unwrap());
    assert!(a.hold_lease("job", "a", now + 5_000, 15_000).await.unwrap());
    assert!(
        !b.hold_lease("job", "b", now + 19_000, 15_000)
            .await
            .unwrap(),
        "the renewal counts from when it was made"
    );
    assert!(b
        .hold_lease("job", "b", now + 20_001, 15_000)
        .await
        .unwrap());
    assert!(!a
        .hold_lease("job", "a", now + 21_000, 15_000)
        .await
        .unwrap());
    assert_eq!(
        a.lease_holder("job").await.unwrap(),
        Some(("b".to_string(), now + 35_001))
    );
    b.release_lease("job", "b").await.unwrap();
    assert!(a
        .hold_lease("job", "a", now + 22_000, 15_000)
        .await
        .unwrap());
    // Eight servers reaching for a free lease at once: one gets it.
    let racers: Vec<_> = (0..8)
        .map(|k| {
            let db = if k % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move {
                db.hold_lease("race", &format!("s{k}"), now, 15_000)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut won = 0;
    for r in racers {
        won += i32::from(r.await.unwrap());
    }
    assert_eq!(won, 1);

    // Two clocks at once: every overdue case escalated once.
    setup(t).await;
    let all = Scope::everything();
    for k in 0..12 {
        t.db.create_case(&all, &input(&format!("due{k}"), "141029100001"), None, T0)
            .await
            .unwrap();
    }
    let (x, y) = tokio::join!(
        a.run_due_cases(T0 + 25 * HOUR),
        b.run_due_cases(T0 + 25 * HOUR)
    );
    assert_eq!(x.unwrap() + y.unwrap(), 12);
    let escalations =
        t.db.count_for_tests("SELECT COUNT(*) FROM case_events WHERE action = 'escalate'")
            .await
            .unwrap();
    assert_eq!(escalations, 12);

    // Two senders at once: every notice delivered once.
    let pending =
        t.db.count_for_tests("SELECT COUNT(*) FROM notifications WHERE delivery = 'pending'")
            .await
            .unwrap();
    assert!(pending >= 12, "{pending}");
    let (url, gw) = gateway(0).await;
    let hook = Webhook::new(&url, Some(SECRET)).unwrap();
    let at = T0 + 26 * HOUR;
    let (x, y) = tokio::join!(hook.deliver_due(a, at), hook.deliver_due(b, at));
    assert_eq!(x.unwrap().sent + y.unwrap().sent, pending as usize);
    let mut ids = gw.lock().unwrap().accepted.clone();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len() as i64, pending, "each notice once");

    // A session made on one server is good on the other.
    let u = crate::api::add_user(t, "two-servers", "county_admin", "141029000000").await;
    let token = a.create_session(u.id, "127.0.0.1", now).await.unwrap();
    assert_eq!(
        b.session_user(&token, now + 1_000)
            .await
            .unwrap()
            .map(|s| s.id),
        Some(u.id)
    );
    other.close().await;
}
on_both!(several_servers_on_one_database, servers);
