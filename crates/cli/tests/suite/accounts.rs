//! Accounts: password policy, lockout, session expiry, token revocation; the audit chain.

use crate::helpers::TestDb;
use crate::on_both;
use xiangzhi_storage::accounts::{LoginError, NewUser};
use xiangzhi_storage::audit::AuditEntry;
use xiangzhi_storage::{DivisionInput, Scope, StoreError};

const MIN: i64 = 60_000;

fn field(e: StoreError) -> String {
    match e {
        StoreError::Invalid(f) => f[0].field.clone(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn accounts(t: &TestDb) {
    let db = &t.db;
    db.create_division(
        &Scope::everything(),
        &DivisionInput {
            code: "141029000000".into(),
            name: "乡宁县".into(),
            parent_code: None,
        },
    )
    .await
    .unwrap();
    let new = |login: &str, pw: &str| NewUser {
        login: login.into(),
        display_name: "王书记".into(),
        role: "village_secretary".into(),
        division_code: "141029000000".into(),
        grid_id: None,
        password: pw.into(),
    };
    assert_eq!(
        field(db.create_user(&new("wang", "short1A")).await.unwrap_err()),
        "password"
    );
    assert_eq!(
        field(
            db.create_user(&new("wang", "alllowercase1"))
                .await
                .unwrap_err()
        ),
        "password"
    );
    let u = db.create_user(&new("wang", "Xiangzhi-2026")).await.unwrap();
    assert!(matches!(
        db.create_user(&new("wang", "Xiangzhi-2026")).await,
        Err(StoreError::Conflict(_))
    ));
    let t0 = u.password_changed_at + 1_000;

    // Lockout after five failures, for fifteen minutes, even for the right password.
    for i in 0..4 {
        assert_eq!(
            db.authenticate("wang", "wrong", t0 + i).await.unwrap(),
            Err(LoginError::BadCredentials)
        );
    }
    assert!(matches!(
        db.authenticate("wang", "wrong", t0 + 5).await.unwrap(),
        Err(LoginError::Locked(_))
    ));
    assert!(matches!(
        db.authenticate("wang", "Xiangzhi-2026", t0 + 10 * MIN)
            .await
            .unwrap(),
        Err(LoginError::Locked(_))
    ));
    assert!(db
        .authenticate("wang", "Xiangzhi-2026", t0 + 16 * MIN)
        .await
        .unwrap()
        .is_ok());
    assert_eq!(
        db.authenticate("nobody", "Xiangzhi-2026", t0)
            .await
            .unwrap(),
        Err(LoginError::BadCredentials)
    );

    // Sessions end after 30 idle minutes; activity keeps them alive.
    let s = db.create_session(u.id, "127.0.0.1", t0).await.unwrap();
    assert!(db.session_user(&s, t0 + 20 * MIN).await.unwrap().is_some());
    assert!(
        db.session_user(&s, t0 + 45 * MIN).await.unwrap().is_some(),
        "used 25 minutes ago"
    );
    assert!(
        db.session_user(&s, t0 + 80 * MIN).await.unwrap().is_none(),
        "idle 35 minutes"
    );
    assert!(
        db.session_user(&s, t0 + 81 * MIN).await.unwrap().is_none(),
        "stays ended"
    );
    let s2 = db.create_session(u.id, "127.0.0.1", t0).await.unwrap();
    db.end_session(&s2).await.unwrap();
    assert!(db.session_user(&s2, t0 + MIN).await.unwrap().is_none());

    // API tokens work until revoked.
    let (tid, token) = db.create_api_token(u.id, "mobile").await.unwrap();
    assert_eq!(db.token_user(&token).await.unwrap().unwrap().id, u.id);
    db.revoke_api_token(tid, Some(u.id)).await.unwrap();
    assert!(db.token_user(&token).await.unwrap().is_none());
    assert!(matches!(
        db.revoke_api_token(tid, Some(u.id)).await,
        Err(StoreError::NotFound)
    ));

    // No reuse of the last five passwords; expiry after 90 days forces a change.
    let pw = |i: usize| format!("Xiangzhi-{i}x");
    assert_eq!(
        field(
            db.set_password(u.id, "Xiangzhi-2026", t0)
                .await
                .unwrap_err()
        ),
        "new_password"
    );
    for i in 1..=5 {
        db.set_password(u.id, &pw(i), t0 + i as i64).await.unwrap();
    }
    assert!(
        db.set_password(u.id, &pw(1), t0 + 10).await.is_err(),
        "one of the last five"
    );
    db.set_password(u.id, "Xiangzhi-2026", t0 + 11)
        .await
        .unwrap();
    let day = 24 * 60 * MIN;
    assert_eq!(
        db.authenticate("wang", "Xiangzhi-2026", t0 + 91 * day)
            .await
            .unwrap(),
        Err(LoginError::PasswordExpired)
    );
    assert!(db
        .change_password("wang", "wrong", &pw(9), t0 + 91 * day)
        .await
        .is_err());
    db.change_password("wang", "Xiangzhi-2026", &pw(9), t0 + 91 * day)
        .await
        .unwrap();
    assert!(db
        .authenticate("wang", &pw(9), t0 + 91 * day + 1)
        .await
        .unwrap()
        .is_ok());

    // A disabled account can neither log in nor use its sessions and tokens.
    let (_, token) = db.create_api_token(u.id, "again").await.unwrap();
    db.set_user_disabled(u.id, true).await.unwrap();
    assert!(db.token_user(&token).await.unwrap().is_none());
    assert_eq!(
        db.authenticate("wang", &pw(9), t0 + 92 * day)
            .await
            .unwrap(),
        Err(LoginError::Disabled)
    );
}
on_both!(account_rules, accounts);

async fn fill(t: &TestDb, n: i64) {
    for i in 1..=n {
        t.db.audit(&AuditEntry {
            user_id: Some(1),
            login: "wang".into(),
            action: "PUT /api/v1/residents".into(),
            object: format!("resident 141029:{i}"),
            outcome: "200".into(),
            source: "127.0.0.1".into(),
            detail: String::new(),
        })
        .await
        .unwrap();
    }
}

async fn tamper(t: &TestDb, sql: &str) -> Option<(i64, String)> {
    t.db.execute_for_tests(sql).await.unwrap();
    t.db.audit_verify().await.unwrap().problem
}

async fn audit_chain(t: &TestDb) {
    fill(t, 20).await;
    let v = t.db.audit_verify().await.unwrap();
    assert_eq!((v.entries, v.problem), (20, None));
    let newest = t.db.audit_entries(None, 5).await.unwrap();
    assert_eq!(
        newest.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![20, 19, 18, 17, 16]
    );

    // Altered: the entry itself is named.
    let p = tamper(
        t,
        "UPDATE audit_log SET object = 'resident 141029:999' WHERE seq = 7",
    )
    .await
    .unwrap();
    assert_eq!(p.0, 7);
    assert!(p.1.contains("altered"));
    t.db.execute_for_tests("UPDATE audit_log SET object = 'resident 141029:7' WHERE seq = 7")
        .await
        .unwrap();
    assert_eq!(t.db.audit_verify().await.unwrap().problem, None);

    // Rewritten with a recomputed hash: the next entry no longer links to it.
    let forged = xiangzhi_storage::audit::entry_hash(
        &newest[4].prev_hash,
        16,
        newest[4].at,
        &AuditEntry {
            user_id: Some(1),
            login: "wang".into(),
            action: "PUT /api/v1/residents".into(),
            object: "resident 141029:0".into(),
            outcome: "200".into(),
            source: "127.0.0.1".into(),
            detail: String::new(),
        },
    );
    let p = tamper(
        t,
        &format!(
            "UPDATE audit_log SET object = 'resident 141029:0', hash = '{forged}' WHERE seq = 16"
        ),
    )
    .await
    .unwrap();
    assert_eq!(p.0, 17);

    // Removed: the gap is named.
    let u = TestDb::new(crate::helpers::Backend::Sqlite).await.unwrap();
    fill(&u, 20).await;
    let p = tamper(&u, "DELETE FROM audit_log WHERE seq = 12")
        .await
        .unwrap();
    assert_eq!(p.0, 12);
    assert!(p.1.contains("missing"));
    // Removed at the end, and inserted after the end.
    let w = TestDb::new(crate::helpers::Backend::Sqlite).await.unwrap();
    fill(&w, 5).await;
    assert_eq!(
        tamper(&w, "DELETE FROM audit_log WHERE seq = 5")
            .await
            .unwrap()
            .0,
        5
    );
    let x = TestDb::new(crate::helpers::Backend::Sqlite).await.unwrap();
    fill(&x, 5).await;
    let last = x.db.audit_entries(None, 1).await.unwrap().remove(0);
    let p = tamper(
        &x,
        &format!(
            "INSERT INTO audit_log (seq, at, user_id, login, action, object, outcome, source, detail, prev_hash, hash) \
             VALUES (6, 0, NULL, 'x', 'x', 'x', 'x', 'x', 'x', '{}', 'x')",
            last.hash
        ),
    )
    .await
    .unwrap();
    assert_eq!(p.0, 6);
    for d in [u, w, x] {
        d.finish().await;
    }
}
on_both!(audit, audit_chain);

async fn audit_retention(t: &TestDb) {
    fill(t, 10).await;
    let day = 24 * 60 * MIN;
    let now = xiangzhi_storage::now_ms();
    assert!(
        t.db.audit_prune(90, now + 400 * day).await.is_err(),
        "less than six months is refused"
    );
    assert_eq!(
        t.db.audit_prune(183, now).await.unwrap(),
        0,
        "nothing is old enough yet"
    );
    // Pretend the first six entries are a year old.
    t.db.execute_for_tests(&format!(
        "UPDATE audit_log SET at = at - {} WHERE seq <= 6",
        365 * day
    ))
    .await
    .unwrap();
    // Changing `at` breaks their hashes, so re-hash them as if written then (test-only forgery).
    let mut prev = "0".repeat(64);
    for e in
        t.db.audit_entries(None, 100)
            .await
            .unwrap()
            .into_iter()
            .rev()
    {
        let entry = AuditEntry {
            user_id: e.user_id,
            login: e.login.clone(),
            action: e.action.clone(),
            object: e.object.clone(),
            outcome: e.outcome.clone(),
            source: e.source.clone(),
            detail: e.detail.clone(),
        };
        let h = xiangzhi_storage::audit::entry_hash(&prev, e.seq, e.at, &entry);
        t.db.execute_for_tests(&format!(
            "UPDATE audit_log SET prev_hash = '{prev}', hash = '{h}' WHERE seq = {}",
            e.seq
        ))
        .await
        .unwrap();
        prev = h;
    }
    t.db.execute_for_tests(&format!(
        "UPDATE audit_head SET hash = '{prev}' WHERE id = 1"
    ))
    .await
    .unwrap();
    assert_eq!(t.db.audit_verify().await.unwrap().problem, None);
    assert_eq!(t.db.audit_prune(183, now).await.unwrap(), 6);
    let v = t.db.audit_verify().await.unwrap();
    assert_eq!(
        (v.entries, v.problem),
        (4, None),
        "the rest still verifies from the anchor"
    );
    // Removing the first remaining entry is still detected.
    assert_eq!(
        tamper(t, "DELETE FROM audit_log WHERE seq = 7")
            .await
            .unwrap()
            .0,
        7
    );
}
on_both!(audit_prune, audit_retention);
