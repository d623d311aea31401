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
    let (_, token) = t.db.create_api_token(boss.id, "walk").await.unwrap();
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
