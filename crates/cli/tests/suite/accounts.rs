//! Accounts: password policy, lockout, session expiry, token revocation.

use crate::helpers::TestDb;
use crate::on_both;
use xiangzhi_registry::prelude::*;
use xiangzhi_registry::DivisionInput;
use xiangzhi_storage::accounts::{LoginAttempt, LoginError, NewUser};
use xiangzhi_storage::{Scope, StoreError};

const MIN: i64 = 60_000;

/// A login from an unknown device at 127.0.0.1, its outcome without the device cookie.
async fn auth(
    db: &xiangzhi_storage::Db,
    login: &str,
    password: &str,
    now: i64,
) -> Result<xiangzhi_storage::accounts::User, LoginError> {
    db.authenticate(&LoginAttempt {
        login,
        password,
        now,
        source: "127.0.0.1",
        device: None,
        new_device: true,
    })
    .await
    .unwrap()
    .map(|l| l.user)
}

/// The county the accounts are bound to.
async fn county(db: &xiangzhi_storage::Db) {
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
}

fn field(e: StoreError) -> String {
    match e {
        StoreError::Invalid(f) => f[0].field.clone(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn accounts(t: &TestDb) {
    let db = &t.db;
    county(db).await;
    let new = |login: &str, pw: &str| NewUser {
        login: login.into(),
        display_name: "王书记".into(),
        role: "village_secretary".into(),
        division_code: "141029000000".into(),
        grid_id: None,
        password: pw.into(),
    };
    assert_eq!(
        field(
            db.create_user(&crate::helpers::tester(), &new("wang", "short1A"))
                .await
                .unwrap_err()
        ),
        "password"
    );
    assert_eq!(
        field(
            db.create_user(&crate::helpers::tester(), &new("wang", "alllowercase1"))
                .await
                .unwrap_err()
        ),
        "password"
    );
    let u = db
        .create_user(&crate::helpers::tester(), &new("wang", "Xiangzhi-2026"))
        .await
        .unwrap();
    assert!(matches!(
        db.create_user(&crate::helpers::tester(), &new("wang", "Xiangzhi-2026"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let t0 = u.password_changed_at + 1_000;

    // Lockout after five failures, for fifteen minutes, even for the right password.
    for i in 0..4 {
        assert_eq!(
            auth(db, "wang", "wrong", t0 + i).await,
            Err(LoginError::BadCredentials)
        );
    }
    assert!(matches!(
        auth(db, "wang", "wrong", t0 + 5).await,
        Err(LoginError::Locked(_))
    ));
    assert!(matches!(
        auth(db, "wang", "Xiangzhi-2026", t0 + 10 * MIN).await,
        Err(LoginError::Locked(_))
    ));
    assert!(auth(db, "wang", "Xiangzhi-2026", t0 + 16 * MIN)
        .await
        .is_ok());
    assert_eq!(
        auth(db, "nobody", "Xiangzhi-2026", t0).await,
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
    let (tid, token) = db
        .create_api_token(&crate::helpers::tester(), u.id, "mobile")
        .await
        .unwrap();
    assert_eq!(db.token_user(&token).await.unwrap().unwrap().id, u.id);
    db.revoke_api_token(&crate::helpers::tester(), tid, Some(u.id))
        .await
        .unwrap();
    assert!(db.token_user(&token).await.unwrap().is_none());
    assert!(matches!(
        db.revoke_api_token(&crate::helpers::tester(), tid, Some(u.id))
            .await,
        Err(StoreError::NotFound)
    ));

    // No reuse of the last five passwords; expiry after 90 days forces a change.
    let pw = |i: usize| format!("Xiangzhi-{i}x");
    assert_eq!(
        field(
            db.set_password(&crate::helpers::tester(), u.id, "Xiangzhi-2026", t0)
                .await
                .unwrap_err()
        ),
        "new_password"
    );
    for i in 1..=5 {
        db.set_password(&crate::helpers::tester(), u.id, &pw(i), t0 + i as i64)
            .await
            .unwrap();
    }
    assert!(
        db.set_password(&crate::helpers::tester(), u.id, &pw(1), t0 + 10)
            .await
            .is_err(),
        "one of the last five"
    );
    db.set_password(&crate::helpers::tester(), u.id, "Xiangzhi-2026", t0 + 11)
        .await
        .unwrap();
    let day = 24 * 60 * MIN;
    assert_eq!(
        auth(db, "wang", "Xiangzhi-2026", t0 + 91 * day).await,
        Err(LoginError::PasswordExpired)
    );
    fn old(password: &str, now: i64) -> LoginAttempt<'_> {
        LoginAttempt {
            login: "wang",
            password,
            now,
            source: "127.0.0.1",
            device: None,
            new_device: false,
        }
    }
    let at = t0 + 91 * day;
    assert!(db.change_password(&old("wrong", at), &pw(9)).await.is_err());
    db.change_password(&old("Xiangzhi-2026", at), &pw(9))
        .await
        .unwrap();
    // Guessing through the change-password form counts like guessing at the login: after five
    // wrong old passwords even the right one is refused for a while.
    for _ in 0..5 {
        assert!(db
            .change_password(&old("wrong", at), &pw(10))
            .await
            .is_err());
    }
    let right = pw(9);
    assert!(db.change_password(&old(&right, at), &pw(10)).await.is_err());
    assert!(auth(db, "wang", &pw(9), t0 + 91 * day + 16 * MIN)
        .await
        .is_ok());

    // A disabled account can neither log in nor use its sessions and tokens.
    let (_, token) = db
        .create_api_token(&crate::helpers::tester(), u.id, "again")
        .await
        .unwrap();
    db.set_user_disabled(&crate::helpers::tester(), u.id, true)
        .await
        .unwrap();
    assert!(db.token_user(&token).await.unwrap().is_none());
    assert_eq!(
        auth(db, "wang", &pw(9), t0 + 92 * day).await,
        Err(LoginError::Disabled)
    );
}
on_both!(account_rules, accounts);

/// Failed logins are counted atomically: N parallel failures count N, a parallel failure never
/// clears a lock, the owner's known device is not locked out by a stranger, and one source that
/// fails too often is throttled before any password is checked.
async fn lockout_races(t: &TestDb) {
    let db = &t.db;
    county(db).await;
    let pw = "Xiangzhi-2026";
    let u = db
        .create_user(
            &crate::helpers::tester(),
            &NewUser {
                login: "admin".into(),
                display_name: "管理员".into(),
                role: "county_admin".into(),
                division_code: "141029000000".into(),
                grid_id: None,
                password: pw.into(),
            },
        )
        .await
        .unwrap();
    let now = u.password_changed_at + 1_000;
    let attempt = |password: &'static str, source: String, device: Option<String>| {
        let db = db.clone();
        async move {
            db.authenticate(&LoginAttempt {
                login: "admin",
                password,
                now,
                source: &source,
                device: device.as_deref(),
                new_device: true,
            })
            .await
            .unwrap()
        }
    };
    // The owner logs in once from their own browser, which gets a device cookie.
    let owner = attempt(pw, "10.9.9.9".into(), None).await.unwrap();
    let device = owner
        .new_device
        .expect("a first login hands out a device cookie");

    let parallel = |n: usize, base: usize| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                tokio::spawn(attempt(
                    "wrong-Password-1",
                    format!("10.1.0.{}", base + i),
                    None,
                ))
            })
            .collect();
        async move {
            let mut out = Vec::new();
            for h in handles {
                out.push(h.await);
            }
            out
        }
    };
    for r in parallel(4, 0).await {
        assert!(matches!(r.unwrap(), Err(LoginError::BadCredentials)));
    }
    let count = || async { db.user_by_login("admin").await.unwrap().failed_logins };
    assert_eq!(count().await, 4, "four parallel failures count four");
    let outcomes = parallel(10, 10).await;
    // The fifth failure locks; attempts that arrive after it are not evaluated (and not counted).
    assert!(count().await >= 5, "the lock came from counted failures");
    assert!(outcomes
        .into_iter()
        .any(|r| matches!(r.unwrap(), Err(LoginError::Locked(_)))));
    // Locked for unknown devices: even the right password is not checked.
    assert!(matches!(
        attempt(pw, "10.2.0.1".into(), None).await,
        Err(LoginError::Locked(_))
    ));
    // The owner's own browser still gets in.
    let again = attempt(pw, "10.9.9.9".into(), Some(device.clone()))
        .await
        .unwrap();
    assert_eq!(again.user.id, u.id);
    assert!(
        again.new_device.is_none(),
        "a known device keeps its cookie"
    );
    // A device cookie of another account, or a made-up one, is an unknown device.
    assert!(matches!(
        attempt(pw, "10.2.0.2".into(), Some("made-up".into())).await,
        Err(LoginError::Locked(_))
    ));

    // One source address that fails 20 times in 15 minutes is throttled, whatever login it tries.
    for i in 0..xiangzhi_storage::accounts::SOURCE_FAILURE_LIMIT {
        let r = db
            .authenticate(&LoginAttempt {
                login: &format!("nobody{i}"),
                password: "x",
                now,
                source: "10.3.3.3",
                device: None,
                new_device: true,
            })
            .await
            .unwrap();
        assert!(matches!(r, Err(LoginError::BadCredentials)), "{r:?}");
    }
    assert!(matches!(
        attempt(pw, "10.3.3.3".into(), Some(device.clone())).await,
        Err(LoginError::Throttled(_))
    ));
}
on_both!(login_lockout_races, lockout_races);

/// The initial passwords an answer shows, in the order of its table.
fn shown_passwords(html: &str) -> Vec<String> {
    html.split("<code>")
        .skip(1)
        .filter_map(|s| s.split("</code>").next())
        .map(str::to_string)
        .collect()
}

/// 批量建账号: a security administrator's file of accounts, all or none; privileged accounts
/// by request; initial passwords shown once, kept nowhere, changed at the first login.
async fn bulk_accounts(t: &TestDb) {
    let c = crate::api::Client::new(t).await;
    crate::rosters::roster_grid(&c).await;
    crate::api::add_user(t, "anquan", "security_admin", "141029000000").await;
    crate::api::add_user(t, "anquan2", "security_admin", "141029000000").await;
    crate::api::add_user(t, "zhenban", "township_officer", "141029100000").await;
    let users = || t.db.count_for_tests("SELECT COUNT(*) FROM users");
    let before = users().await.unwrap();
    let mut p = crate::console::Page::new(t);
    p.login("anquan").await;
    let form = p.get("/users/bulk").await;
    assert_eq!(form.status.as_u16(), 200, "{}", form.body);
    assert!(form.body.contains("上传并建账号"));
    let tpl = p.get("/users/bulk/template").await;
    assert!(tpl.body.starts_with("PK"), "an .xlsx template");
    // Faults anywhere: nothing created, each named by row and column.
    let bad = "登录名,姓名,角色,管辖区划,网格编码\n\
               cgzb01,张三,乡镇干部,昌宁镇,\n\
               cgzb01,李四,乡镇干部,昌宁镇,\n\
               wgy01,王五,网格员,,NOPE\n\
               dz01,赵六,队长,141029100001,\n\
               gh01,钱八,乡镇干部,光华镇,\n";
    let got = p
        .multipart("/users/bulk", "accounts.csv", bad.as_bytes())
        .await;
    assert_eq!(got.status.as_u16(), 422, "{}", got.body);
    assert!(got.body.contains("没有建任何账号"), "{}", got.body);
    for words in [
        "登录名与第1个账号重复",
        "网格“NOPE”不存在",
        "角色“队长”无效",
    ] {
        assert!(got.body.contains(words), "{words}: {}", got.body);
    }
    assert_eq!(users().await.unwrap(), before);
    // A good file: business accounts at once, a county administrator by request.
    let good = "登录名,姓名,角色,管辖区划,网格编码\n\
                cgzb01,张三,乡镇干部,昌宁镇,\n\
                wgy01,王五,网格员,,CG0101\n\
                xgl01,孙七,县级管理员,乡宁县,\n";
    let got = p
        .multipart("/users/bulk", "accounts.csv", good.as_bytes())
        .await;
    assert_eq!(got.status.as_u16(), 201, "{}", got.body);
    assert!(got.body.contains("只显示这一次"));
    let pw = shown_passwords(&got.body);
    assert_eq!(pw.len(), 3, "{}", got.body);
    assert_eq!(users().await.unwrap(), before + 2);
    // Kept nowhere in clear: not in the accounts, the requests or the audit log.
    for w in &pw {
        for sql in [
            "SELECT COUNT(*) FROM users WHERE password_hash LIKE ",
            "SELECT COUNT(*) FROM account_requests WHERE password_hash LIKE ",
            "SELECT COUNT(*) FROM audit_log WHERE object || detail LIKE ",
        ] {
            let n =
                t.db.count_for_tests(&format!("{sql}'%{w}%'"))
                    .await
                    .unwrap();
            assert_eq!(n, 0, "{sql}");
        }
    }
    // The grid worker is bound to the grid; each owner changes the password first.
    let bound =
        t.db.count_for_tests(
            "SELECT COUNT(*) FROM users u JOIN grids g ON g.id = u.grid_id \
             WHERE u.login = 'wgy01' AND g.code = 'CG0101' AND u.division_code = g.division_code",
        )
        .await
        .unwrap();
    assert_eq!(bound, 1);
    let now = xiangzhi_storage::now_ms();
    assert_eq!(
        auth(&t.db, "cgzb01", &pw[0], now).await.unwrap_err(),
        LoginError::PasswordExpired
    );
    assert_eq!(
        auth(&t.db, "cgzb01", "Wrong#pass99", now)
            .await
            .unwrap_err(),
        LoginError::BadCredentials
    );
    // The county administrator waits for the other security administrator.
    let mut other = crate::console::Page::new(t);
    other.login("anquan2").await;
    let list = other.get("/users").await;
    assert!(list.body.contains("孙七（xgl01）"), "{}", list.body);
    let id =
        t.db.count_for_tests(
            "SELECT id FROM account_requests WHERE login = 'xgl01' AND state = 'pending'",
        )
        .await
        .unwrap();
    let done = other
        .send("POST", &format!("/users/requests/{id}/approve"), Some(""))
        .await;
    assert!(
        done.status.is_success() || done.status.is_redirection(),
        "{}",
        done.body
    );
    assert_eq!(
        auth(&t.db, "xgl01", &pw[2], now).await.unwrap_err(),
        LoginError::PasswordExpired
    );
    // The same file again: every login is taken, nothing more is created.
    let again = p
        .multipart("/users/bulk", "accounts.csv", good.as_bytes())
        .await;
    assert_eq!(again.status.as_u16(), 422);
    assert!(again.body.contains("登录名已存在"), "{}", again.body);
    // A township officer has no such page.
    let mut clerk = crate::console::Page::new(t);
    clerk.login("zhenban").await;
    assert_eq!(clerk.get("/users/bulk").await.status.as_u16(), 403);
    let got = clerk
        .multipart("/users/bulk", "a.csv", good.as_bytes())
        .await;
    assert_eq!(got.status.as_u16(), 403);
}
on_both!(accounts_from_a_file, bulk_accounts);
