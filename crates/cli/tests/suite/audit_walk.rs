//! Every write is audited: each writing route of the API and each form of the console, called
//! once (whatever it answers), leaves exactly one new audit entry.

use crate::api::{add_user, seed_tree, Client, PASSWORD};
use crate::helpers::TestDb;
use crate::on_both;
use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

/// The console's forms (every POST route of the console), with their placeholders filled.
const FORMS: &[&str] = &[
    "/login",
    "/logout",
    "/residents/1/reveal",
    "/cases/1/step",
    "/cases/1/files",
    "/report",
    "/report/track",
    "/alliances",
    "/alliances/1/accept",
    "/notifications/1/retry",
    "/users",
    "/users/1/disable",
    "/users/1/enable",
    "/users/1/password",
    "/users/requests/1/approve",
    "/users/requests/1/reject",
    "/audit/verify",
    "/audit/checkpoint",
];

async fn entries(t: &TestDb) -> i64 {
    t.db.count_for_tests("SELECT COUNT(*) FROM audit_log")
        .await
        .unwrap()
}

async fn walk(t: &TestDb) {
    let admin = Client::new(t).await;
    seed_tree(&admin).await;
    crate::cases::categories(&t.db).await;
    let boss = add_user(t, "walker", "county_admin", "141029000000").await;
    let (_, token) =
        t.db.create_api_token(&crate::helpers::tester(), boss.id, "walk")
            .await
            .unwrap();
    let app = xiangzhi::app(xiangzhi_web::AppState::new(t.db.clone()));
    let send = |method: &str, uri: &str, headers: Vec<(&str, String)>, ctype: &str, body: &str| {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("host", "localhost")
            .header("origin", "http://localhost")
            .header("content-type", ctype);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let req = req.body(Body::from(body.to_string())).unwrap();
        let app = app.clone();
        async move { app.oneshot(req).await.unwrap() }
    };
    // The API: every operation but GET, as the document lists them.
    let doc = admin.ok("GET", "/api/openapi.json", None).await;
    let mut walked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/") {
            continue; // Open311 audits its submissions itself (tested in cases.rs)
        }
        for method in item.as_object().unwrap().keys() {
            if method == "get" {
                continue;
            }
            let uri = path
                .replace("{code}", "141029100001")
                .replace("{household_id}", "999999")
                .replace("{a}", "1")
                .replace("{b}", "2")
                .replace("{id}", "999999");
            let before = entries(t).await;
            let bearer = format!("Bearer {token}");
            let resp = send(
                &method.to_uppercase(),
                &uri,
                vec![("authorization", bearer)],
                "application/json",
                "{}",
            )
            .await;
            let status = resp.status();
            assert_eq!(
                entries(t).await,
                before + 1,
                "{method} {uri} ({status}) must leave exactly one audit entry"
            );
            walked += 1;
        }
    }
    assert!(walked > 40, "walked {walked} API operations");
    // The console: log in (audited), then every form once.
    let before = entries(t).await;
    let resp = send(
        "POST",
        "/login",
        vec![],
        "application/x-www-form-urlencoded",
        &format!("login=walker&password={PASSWORD}&next=%2F"),
    )
    .await;
    assert_eq!(entries(t).await, before + 1, "the login");
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("; ");
    for form in FORMS {
        let before = entries(t).await;
        let body = if *form == "/login" {
            "login=walker&password=Wrong-Password-1"
        } else {
            "note=x"
        };
        let resp = send(
            "POST",
            form,
            vec![("cookie", cookie.clone())],
            "application/x-www-form-urlencoded",
            body,
        )
        .await;
        let status = resp.status();
        assert_eq!(
            entries(t).await,
            before + 1,
            "console POST {form} ({status}) must leave exactly one audit entry"
        );
    }
}
on_both!(every_write_audited, walk);

/// The store refuses to commit a write without its audit entry, and rolls it back; a write with
/// its entry (or a named bookkeeping reason) commits; a pool runs no writes at all.
async fn unaudited(t: &TestDb) {
    use xiangzhi_storage::sql::Q;
    use xiangzhi_storage::{Actor, Bookkeeping, StoreError};
    let count = || {
        t.db.count_for_tests("SELECT COUNT(*) FROM settings WHERE name LIKE 'walk-%'")
    };
    let insert = |name: &str| {
        Q::with(
            "INSERT INTO settings (name, value) VALUES (?, 'x')",
            vec![name.to_string().into()],
        )
    };
    // No entry, no reason: refused, and nothing is left.
    let mut tx = t.db.begin().await.unwrap();
    tx.exec(&insert("walk-1")).await.unwrap();
    let e = tx.commit().await.unwrap_err();
    assert!(
        matches!(&e, StoreError::Unaudited(sql) if sql.contains("INSERT INTO settings")),
        "{e:?}"
    );
    assert_eq!(
        count().await.unwrap(),
        0,
        "the unaudited write was rolled back"
    );
    // A write hidden in a RETURNING query is a write too.
    let mut tx = t.db.begin().await.unwrap();
    let _: Vec<(String,)> = tx
        .all(&Q::new(
            "UPDATE settings SET value = value WHERE name = 'none' RETURNING name",
        ))
        .await
        .unwrap();
    assert!(matches!(tx.commit().await, Err(StoreError::Unaudited(_))));
    // With its entry: committed, the entry in the same transaction, the actor marked.
    let before = entries(t).await;
    let by = Actor::new(Some(7), "walker", "10.0.0.9", "POST /walk");
    let mut tx = t.db.begin().await.unwrap();
    tx.exec(&insert("walk-2")).await.unwrap();
    tx.audit(&by, "walk", "setting walk-2").await.unwrap();
    assert!(!by.audited(), "not before the commit");
    tx.commit().await.unwrap();
    assert!(by.audited());
    assert_eq!((count().await.unwrap(), entries(t).await), (1, before + 1));
    let e = &t.db.audit_entries(None, 1).await.unwrap()[0];
    assert_eq!(
        (
            e.login.as_str(),
            e.action.as_str(),
            e.source.as_str(),
            e.detail.as_str()
        ),
        ("walker", "walk", "10.0.0.9", "POST /walk")
    );
    // An entry rolled back with its write marks nobody.
    let other = Actor::system("walk");
    let mut tx = t.db.begin().await.unwrap();
    tx.exec(&insert("walk-3")).await.unwrap();
    tx.audit(&other, "walk", "setting walk-3").await.unwrap();
    drop(tx);
    assert!(!other.audited());
    assert_eq!((count().await.unwrap(), entries(t).await), (1, before + 1));
    // Bookkeeping says why, and commits without an entry.
    let mut tx = t.db.begin().await.unwrap();
    tx.bookkeeping(Bookkeeping::BenchmarkOrTest);
    tx.exec(&insert("walk-4")).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count().await.unwrap(), 2);
    // Reads need no entry.
    let mut tx = t.db.begin().await.unwrap();
    let _: Vec<(String,)> = tx.all(&Q::new("SELECT name FROM settings")).await.unwrap();
    tx.commit().await.unwrap();
    // The pool reads only.
    let r: Result<Vec<(String,)>, _> =
        t.db.all(&Q::new(
            "INSERT INTO settings (name, value) VALUES ('walk-5', 'x') RETURNING name",
        ))
        .await;
    assert!(matches!(r, Err(StoreError::Query(_))), "{r:?}");
    assert_eq!(count().await.unwrap(), 2);
}
on_both!(unaudited_writes_do_not_commit, unaudited);

/// A write that succeeds leaves exactly one entry, written by the store in the write's own
/// transaction and naming the caller, the action and the request; the middleware adds none.
async fn store_entries(t: &TestDb) {
    let admin = Client::new(t).await;
    let (_, micro) = seed_tree(&admin).await;
    let before = entries(t).await;
    let h = admin
        .ok(
            "POST",
            "/api/v1/households",
            Some(
                serde_json::json!({"micro_grid_id": micro, "number": "H-walk", "address": "一组"}),
            ),
        )
        .await;
    assert_eq!(entries(t).await, before + 1, "one entry for one write");
    let e = &t.db.audit_entries(None, 1).await.unwrap()[0];
    assert_eq!(
        (
            e.action.as_str(),
            e.object.clone(),
            e.outcome.as_str(),
            e.detail.as_str()
        ),
        (
            "create household",
            format!("household 141029:{}", h["id"]),
            "ok",
            "POST /api/v1/households"
        )
    );
    assert!(e.login.starts_with("county_admin"), "{}", e.login);
}
on_both!(successful_writes_audited_by_the_store, store_entries);
