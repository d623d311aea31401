//! What a hostile probe of the landed system found (issue 15), each on both backends: separation
//! of duties, cross-site writes, control characters and oversized fields, forwarded addresses,
//! open redirects, headers, uniform login answers, the session token as a bearer.

use crate::api::{add_user, seed_tree, Client, PASSWORD};
use crate::helpers::TestDb;
use crate::on_both;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use xiangzhi_cases::prelude::*;
use xiangzhi_web::AppState;

/// One request to the whole application (API, Open311, console) from `peer`, with `headers`.
pub(crate) async fn send(
    app: &axum::Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, Vec<u8>)>,
    peer: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let body = match body {
        Some((ctype, bytes)) => {
            req = req.header("content-type", ctype);
            Body::from(bytes)
        }
        None => Body::empty(),
    };
    let mut req = req.body(body).unwrap();
    let addr: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&bytes).into())
}

fn app(t: &TestDb) -> axum::Router {
    xiangzhi::app(AppState::new(t.db.clone()))
}

async fn login(app: &axum::Router, login: &str, password: &str) -> (StatusCode, Value, String) {
    let (s, h, b) = send(
        app,
        "POST",
        "/api/v1/auth/login",
        &[],
        Some((
            "application/json",
            json!({"login": login, "password": password})
                .to_string()
                .into_bytes(),
        )),
        "10.20.0.1",
    )
    .await;
    let cookie = h
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    (s, serde_json::from_str(&b).unwrap_or(Value::Null), cookie)
}

/// Approving request `id` as `c` is refused with `status`.
async fn refused_approval(c: &Client, id: i64, status: u16) {
    let uri = format!("/api/v1/account-requests/{id}/approve");
    c.problem("POST", &uri, Some(json!({})), status, "").await;
}

/// 三员分立: the security administrator manages business accounts directly; a privileged one only
/// by a request that another administrator approves.
async fn separation_of_duties(t: &TestDb) {
    let admin = Client::new(t).await;
    seed_tree(&admin).await;
    let sec = add_user(t, "anquan", "security_admin", "141029000000").await;
    let boss = add_user(t, "xianguan", "county_admin", "141029000000").await;
    let other_sec = add_user(t, "anquan2", "security_admin", "141029000000").await;
    let town_sec = add_user(t, "zhen_anquan", "security_admin", "141029101000").await;
    let secretary = add_user(t, "shuji", "village_secretary", "141029100001").await;
    let (_, token) =
        t.db.create_api_token(&crate::helpers::tester(), sec.id, "t")
            .await
            .unwrap();
    let s = Client::with_token(t, &token);

    // A business account: created at once.
    let (st, v, _) = s
        .call(
            "POST",
            "/api/v1/users",
            Some(
                json!({"login": "wgy", "display_name": "网格员", "role": "grid_worker",
                "division_code": "141029100001", "password": "Grid-Worker-1"}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    // A county administrator: only a request (202), and nobody can log in as it yet.
    let (st, req, _) = s
        .call(
            "POST",
            "/api/v1/users",
            Some(
                json!({"login": "crown", "display_name": "篡位者", "role": "county_admin",
                "division_code": "141029000000", "password": "Xz-Admin-2026!"}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{req}");
    assert_eq!(req["state"], "pending");
    assert!(
        req.get("password_hash").is_none(),
        "the hash never leaves the server"
    );
    let app = app(t);
    assert_eq!(
        login(&app, "crown", "Xz-Admin-2026!").await.0,
        StatusCode::UNAUTHORIZED
    );
    // The requester cannot approve it; a security administrator of a township cannot see it.
    let id = req["id"].as_i64().unwrap();
    refused_approval(&s, id, 403).await;
    let (_, tt) =
        t.db.create_api_token(&crate::helpers::tester(), town_sec.id, "t")
            .await
            .unwrap();
    refused_approval(&Client::with_token(t, &tt), id, 404).await;
    // A business role cannot approve at all.
    let (_, st_token) =
        t.db.create_api_token(&crate::helpers::tester(), secretary.id, "t")
            .await
            .unwrap();
    refused_approval(&Client::with_token(t, &st_token), id, 403).await;
    // The county administrator approves: the account exists and must change its password first.
    let (_, bt) =
        t.db.create_api_token(&crate::helpers::tester(), boss.id, "t")
            .await
            .unwrap();
    let b = Client::with_token(t, &bt);
    let done = b
        .ok(
            "POST",
            &format!("/api/v1/account-requests/{id}/approve"),
            Some(json!({"note": "县委批准"})),
        )
        .await;
    assert_eq!(
        (done["state"].as_str(), done["decided_by"].as_i64()),
        (Some("approved"), Some(boss.id))
    );
    let (st, v, _) = login(&app, "crown", "Xz-Admin-2026!").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("90"), "{v}");
    // Twice is refused.
    b.problem(
        "POST",
        &format!("/api/v1/account-requests/{id}/approve"),
        Some(json!({})),
        409,
        "state",
    )
    .await;

    // Taking over the administrator by resetting its password: a request, the old password holds.
    let (st, r, _) = s
        .call(
            "PUT",
            &format!("/api/v1/users/{}/password", boss.id),
            Some(json!({"new_password": "Taken-Over-1"})),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{r}");
    assert_eq!(login(&app, "xianguan", PASSWORD).await.0, StatusCode::OK);
    // The administrator cannot approve the reset of their own account; another may.
    let rid = r["id"].as_i64().unwrap();
    b.problem(
        "POST",
        &format!("/api/v1/account-requests/{rid}/approve"),
        Some(json!({})),
        403,
        "",
    )
    .await;
    let (_, ot) =
        t.db.create_api_token(&crate::helpers::tester(), other_sec.id, "t")
            .await
            .unwrap();
    Client::with_token(t, &ot)
        .ok(
            "POST",
            &format!("/api/v1/account-requests/{rid}/reject"),
            Some(json!({"note": "未经本人申请"})),
        )
        .await;
    assert_eq!(login(&app, "xianguan", PASSWORD).await.0, StatusCode::OK);
    // Disabling another security administrator is a request too; a business account is direct.
    let (st, _, _) = s
        .call(
            "POST",
            &format!("/api/v1/users/{}/disable", other_sec.id),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let (st, v, _) = s
        .call(
            "PUT",
            &format!("/api/v1/users/{}/password", secretary.id),
            Some(json!({"new_password": "Secretary-New-2"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // The township's security administrator sees only the township's accounts.
    let (_, v, _) = Client::with_token(t, &tt)
        .call("GET", "/api/v1/users", None)
        .await;
    let logins: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["login"].as_str().unwrap())
        .collect();
    assert_eq!(logins, ["zhen_anquan"]);
    Client::with_token(t, &tt)
        .problem(
            "PUT",
            &format!("/api/v1/users/{}/password", boss.id),
            Some(json!({"new_password": "Taken-Over-2"})),
            404,
            "",
        )
        .await;
    // Every step is in the audit log.
    let log = t.db.audit_entries(None, 200).await.unwrap();
    for path in ["/api/v1/users", "/approve", "/reject", "/password"] {
        assert!(
            log.iter()
                .any(|e| e.action.contains(path) || e.detail.contains(path)),
            "{path} audited"
        );
    }
}
on_both!(duties, separation_of_duties);

/// Cookie-authenticated writes must come from this site, API included; token clients and
/// same-site pages are unaffected.
async fn cross_site(t: &TestDb) {
    let admin = Client::new(t).await;
    seed_tree(&admin).await;
    crate::cases::categories(&t.db).await;
    add_user(t, "zhen", "township_officer", "141029100000").await;
    let app = app(t);
    let (st, v, cookies) = login(&app, "zhen", PASSWORD).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let session = v["token"].as_str().unwrap().to_string();
    let cookie = format!("xz_session={session}");
    let body = || Some(("text/plain", b"hello".to_vec()));
    let case = admin
        .ok(
            "POST",
            "/api/v1/cases",
            Some(
                json!({"idempotency_key": "x-1", "category": "road", "description": "路面塌陷",
                "division_code": "141029100001", "reporter_kind": "grid_worker"}),
            ),
        )
        .await;
    let upload = format!("/api/v1/cases/{}/files?name=a.txt", case["id"]);
    for (what, origin) in [
        ("no origin", None),
        ("origin null", Some("null")),
        ("a foreign site", Some("https://evil.example")),
        ("a foreign port", Some("http://localhost:9999")),
    ] {
        let mut h = vec![("host", "localhost"), ("cookie", cookie.as_str())];
        if let Some(o) = origin {
            h.push(("origin", o));
        }
        let (st, _, b) = send(&app, "POST", &upload, &h, body(), "10.20.0.2").await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{what}: {b}");
        let (st, _, _) = send(&app, "POST", "/logout", &h, None, "10.20.0.2").await;
        assert_eq!(st, StatusCode::FORBIDDEN, "console, {what}");
    }
    // A Referer from this site stands in for a missing Origin.
    let (st, _, b) = send(
        &app,
        "POST",
        &upload,
        &[
            ("host", "localhost"),
            ("cookie", &cookie),
            ("referer", "http://localhost/cases/1"),
        ],
        Some(("text/plain", b"plain text".to_vec())),
        "10.20.0.2",
    )
    .await;
    assert_ne!(st, StatusCode::FORBIDDEN, "{b}");
    // The session token as a bearer (what the login answered) works, from anywhere.
    let auth = format!("Bearer {session}");
    let (st, _, b) = send(
        &app,
        "GET",
        "/api/v1/auth/me",
        &[
            ("authorization", &auth),
            ("origin", "https://elsewhere.example"),
        ],
        None,
        "10.20.0.2",
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert!(cookies.contains("xz_device="), "{cookies}");
    assert!(
        !cookies.contains("Secure"),
        "plain HTTP without a proxy: no Secure flag"
    );
}
on_both!(cross_site_writes, cross_site);

/// NUL and other control characters are refused at the edge with the field named, on both
/// backends alike, also without logging in; a huge field answers 413 naming the field.
async fn hostile_input(t: &TestDb) {
    let admin = Client::new(t).await;
    seed_tree(&admin).await;
    crate::cases::categories(&t.db).await;
    let app = app(t);
    let (st, _, b) = send(
        &app,
        "POST",
        "/api/v1/auth/login",
        &[],
        Some((
            "application/json",
            br#"{"login":"ad\u0000min","password":"x"}"#.to_vec(),
        )),
        "10.30.0.1",
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["errors"][0]["field"], "login", "{v}");
    // A query string, as a console search and as an API list.
    let (st, _, b) = send(&app, "GET", "/api/v1/cases?q=a%00b", &[], None, "10.30.0.1").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("\"q\""), "{b}");
    let (st, _, b) = send(&app, "GET", "/search/results?q=%00", &[], None, "10.30.0.1").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("控制字符"), "{b}");
    // The public report form and an Open311 submission.
    for (uri, form) in [
        (
            "/report",
            "county=141029&key=public-1&code=ABCDEFGH&description=x%00y&name=a&phone=1",
        ),
        (
            "/open311/v2/requests.json",
            "api_key=x&service_code=road&description=%00",
        ),
    ] {
        let (st, _, b) = send(
            &app,
            "POST",
            uri,
            &[],
            Some((
                "application/x-www-form-urlencoded",
                form.as_bytes().to_vec(),
            )),
            "10.30.0.1",
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {b}");
    }
    // Nested fields are named by their path.
    let (st, v, _) = admin
        .call(
            "PUT",
            "/api/v1/village-profiles",
            Some(json!([{"division_code": "141029100001", "population": 10, "industries": ["\u{0007}"]}])),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["field"], "[0].industries[0]", "{v}");
    // A 5 MB field: 413 naming it.
    let big = "名".repeat(5 * 1024 * 1024 / 3);
    let (st, v, _) = admin
        .call(
            "POST",
            "/api/v1/cases",
            Some(
                json!({"idempotency_key": "big", "category": "road", "description": big,
                "division_code": "141029100001", "reporter_kind": "grid_worker"}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(v["errors"][0]["field"], "description");
    // A tab and a line break are ordinary text.
    let (st, v, _) = admin
        .call(
            "POST",
            "/api/v1/divisions",
            Some(
                json!({"code": "141029101002", "name": "东\t村\n", "parent_code": "141029101000"}),
            ),
        )
        .await;
    assert_ne!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}
on_both!(control_characters, hostile_input);

/// `X-Forwarded-For` counts only from a configured proxy: forged addresses neither escape the
/// public report limit nor reach the audit log.
async fn forwarded(t: &TestDb) {
    let admin = Client::new(t).await;
    seed_tree(&admin).await;
    crate::cases::categories(&t.db).await;
    let app = app(t);
    // Each run of this test is its own address (the limit is kept per server).
    static RUN: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let peer = format!(
        "10.41.{}.7",
        RUN.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    let mut last = StatusCode::OK;
    for i in 0..11 {
        let xff = format!("203.0.113.{i}");
        let form = format!("county=141029&key=public-{i}&code=ABCDEF{i:02}&category=road&division_code=141029100001&description=路灯坏了&name=张&phone=13800138000");
        let (st, _, b) = send(
            &app,
            "POST",
            "/report",
            &[("x-forwarded-for", &xff)],
            Some(("application/x-www-form-urlencoded", form.into_bytes())),
            &peer,
        )
        .await;
        if i == 0 {
            assert_eq!(st, StatusCode::SEE_OTHER, "{b}");
        }
        last = st;
    }
    assert_eq!(
        last,
        StatusCode::TOO_MANY_REQUESTS,
        "forged addresses are one source"
    );
    let log = t.db.audit_entries(None, 100).await.unwrap();
    assert!(
        log.iter().all(|e| !e.source.starts_with("203.0.113.")),
        "no forged source in the log"
    );
    // Behind a configured proxy, the address it adds is believed, and HTTPS makes cookies Secure.
    let web = xiangzhi_web::edge::WebConfig {
        trusted_proxies: vec!["10.40.0.0/16".parse().unwrap()],
        ..Default::default()
    };
    let proxied = xiangzhi::app(AppState::with_web(t.db.clone(), web));
    add_user(t, "zhen", "township_officer", "141029100000").await;
    let (st, h, _) = send(
        &proxied,
        "POST",
        "/api/v1/auth/login",
        &[
            ("x-forwarded-for", "6.6.6.6, 198.51.100.9"),
            ("x-forwarded-proto", "https"),
        ],
        Some((
            "application/json",
            json!({"login": "zhen", "password": PASSWORD})
                .to_string()
                .into_bytes(),
        )),
        "10.40.0.8",
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(h
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("Secure"));
    assert!(h.get("strict-transport-security").is_some());
    let log = t.db.audit_entries(None, 1).await.unwrap();
    assert_eq!(
        log[0].source, "198.51.100.9",
        "the proxy's hop, not the client's forged one"
    );
}
on_both!(forwarded_for, forwarded);

/// Redirects stay on this site; pages carry the security headers and are not cached.
async fn redirects_and_headers(t: &TestDb) {
    let app = app(t);
    for back in [
        "/%5Cevil.example/x",
        "//evil.example",
        "https://evil.example",
        "/%09/evil.example",
    ] {
        let (st, h, _) = send(
            &app,
            "GET",
            &format!("/lang?to=en&back={back}"),
            &[],
            None,
            "10.50.0.1",
        )
        .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert_eq!(h.get("location").unwrap(), "/", "{back}");
    }
    let (_, _, b) = send(
        &app,
        "GET",
        "/login?next=/%5Cevil.example/x",
        &[],
        None,
        "10.50.0.1",
    )
    .await;
    assert!(
        !b.contains("evil.example"),
        "the login form does not carry a foreign next"
    );
    let (st, h, _) = send(&app, "GET", "/login", &[], None, "10.50.0.1").await;
    assert_eq!(st, StatusCode::OK);
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'")
            && csp.contains("script-src 'self';")
            && !csp.contains("script-src 'self' 'unsafe")
    );
    assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(h.get("cache-control").unwrap(), "no-store");
    let (_, h, _) = send(&app, "GET", "/assets/app.css", &[], None, "10.50.0.1").await;
    assert!(h
        .get("cache-control")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("max-age"));
}
on_both!(redirects_headers, redirects_and_headers);

/// Unknown, wrong, locked and disabled answer alike until the password is right.
async fn uniform_logins(t: &TestDb) {
    let admin = Client::new(t).await;
    seed_tree(&admin).await;
    add_user(t, "locked", "village_secretary", "141029100001").await;
    let gone = add_user(t, "gone", "village_secretary", "141029100001").await;
    t.db.set_user_disabled(&crate::helpers::tester(), gone.id, true)
        .await
        .unwrap();
    let app = app(t);
    for _ in 0..5 {
        login(&app, "locked", "Wrong-Password-9").await;
    }
    let answers: Vec<(StatusCode, String)> = {
        let mut v = Vec::new();
        for (l, p) in [
            ("nobody", "Wrong-Password-9"),
            ("locked", "Wrong-Password-9"),
            ("locked", PASSWORD),
            ("gone", "Wrong-Password-9"),
        ] {
            let (st, body, _) = login(&app, l, p).await;
            v.push((st, body["detail"].as_str().unwrap_or_default().to_string()));
        }
        v
    };
    for a in &answers {
        assert_eq!(a, &answers[0], "{answers:?}");
    }
    assert_eq!(answers[0].0, StatusCode::UNAUTHORIZED);
    // With the right password, a disabled account says so.
    assert_eq!(login(&app, "gone", PASSWORD).await.0, StatusCode::FORBIDDEN);
}
on_both!(uniform_login_answers, uniform_logins);

/// The public Open311 feed shows only categories the county publishes, never a case tied to a
/// household, and masks phone and ID numbers typed into the text.
async fn public_feed(t: &TestDb) {
    let admin = Client::new(t).await;
    let (_, micro) = seed_tree(&admin).await;
    crate::cases::categories(&t.db).await;
    // A category the county keeps to itself.
    admin
        .ok(
            "PUT",
            "/api/v1/case-categories/welfare",
            Some(json!({"county_id": 141029, "name": "救助帮扶", "level": "township"})),
        )
        .await;
    let hh = admin
        .ok(
            "POST",
            "/api/v1/households",
            Some(json!({"number": "P-1", "micro_grid_id": micro, "address": "1号"})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let all = xiangzhi_storage::Scope::everything();
    let file = |key: &str, cat: &str, text: &str, household: Option<i64>| {
        let mut i = crate::cases::input(key, "141029100001");
        i.category = cat.into();
        i.description = text.into();
        i.household_id = household;
        let db = t.db.clone();
        let all = all.clone();
        async move {
            db.create_case(&all, &i, None, 1_900_000_000_000)
                .await
                .unwrap()
                .0
                .id
        }
    };
    let shown = file(
        "a",
        "road",
        "桥头塌陷，请联系村民王某13800138000，身份证141029198001010018",
        None,
    )
    .await;
    let tied = file("b", "water", "这户家里断水三天", Some(hh)).await;
    let private = file("c", "welfare", "低保户申请临时救助", None).await;
    let dispute = file("d", "neighbour", "宅基地边界争执", None).await;
    let app = app(t);
    let (st, _, b) = send(
        &app,
        "GET",
        "/open311/v2/requests.json?jurisdiction_id=141029",
        &[],
        None,
        "10.60.0.1",
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let v: Value = serde_json::from_str(&b).unwrap();
    let ids: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        [shown.to_string()],
        "only the published, household-free case"
    );
    let text = v[0]["description"].as_str().unwrap();
    assert!(
        !text.contains("13800138000") && !text.contains("198001010018"),
        "{text}"
    );
    assert!(text.contains("138******00"), "{text}");
    for id in [tied, private, dispute] {
        let (st, _, _) = send(
            &app,
            "GET",
            &format!("/open311/v2/requests/{id}.json?jurisdiction_id=141029"),
            &[],
            None,
            "10.60.0.1",
        )
        .await;
        assert_eq!(st, StatusCode::NOT_FOUND, "case {id}");
    }
    // The services list still offers every non-dispute category for submission.
    let (_, _, b) = send(
        &app,
        "GET",
        "/open311/v2/services.json?jurisdiction_id=141029",
        &[],
        None,
        "10.60.0.1",
    )
    .await;
    assert!(
        b.contains("\"welfare\"") && !b.contains("\"neighbour\""),
        "{b}"
    );
}
on_both!(open311_public_feed, public_feed);

/// Numbers out of range are refused with the field named, never clamped or stored.
async fn validation_gaps(t: &TestDb) {
    let admin = Client::new(t).await;
    crate::plans::seed_profiles(&admin).await;
    for seconds in [json!(-1), json!(1e308), json!(0)] {
        admin
            .problem(
                "POST",
                "/api/v1/plans",
                Some(json!({"division_code": "141029100000", "seconds": seconds})),
                422,
                "seconds",
            )
            .await;
    }
    admin
        .problem(
            "POST",
            "/api/v1/plans",
            Some(json!({"division_code": "141029100000", "max_distance_km": -3})),
            422,
            "max_distance_km",
        )
        .await;
    let (st, v, _) = admin
        .call(
            "PUT",
            "/api/v1/village-profiles",
            Some(
                json!([{"code": "141029100101", "population": 800, "income_fen": -500,
                "target": true, "may_lead": false}]),
            ),
        )
        .await;
    assert_eq!(st.as_u16(), 422, "{v}");
    assert_eq!(v["errors"][0]["field"], "rows[0].income_fen", "{v}");
    for limit in ["501", "0"] {
        admin
            .problem(
                "GET",
                &format!("/api/v1/divisions?limit={limit}"),
                None,
                422,
                "limit",
            )
            .await;
    }
    assert_eq!(
        admin
            .call("GET", "/api/v1/divisions?limit=500", None)
            .await
            .0,
        StatusCode::OK
    );
}
on_both!(out_of_range_numbers, validation_gaps);

/// `demo --database-url postgres://…` uses that database (and refuses one that holds data),
/// instead of quietly writing the SQLite file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_honours_the_database_url() {
    let Some(t) = TestDb::new(crate::helpers::Backend::Postgres).await else {
        return;
    };
    let admin = Client::new(&t).await;
    seed_tree(&admin).await;
    let dir = std::env::temp_dir().join(format!("xz_demo_url_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xiangzhi"))
        .args(["--database-url", &t.url(), "demo", "--no-serve"])
        .current_dir(&dir)
        .env("XIANGZHI_DATA_KEY", crate::helpers::TEST_DATA_KEY)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a database with data is refused");
    assert!(err.contains("already holds data"), "{err}");
    assert!(
        !dir.join("xiangzhi-demo.db").exists(),
        "no SQLite file written instead"
    );
    std::fs::remove_dir_all(&dir).ok();
    t.finish().await;
}

/// A write that cannot get SQLite's write lock in time (an import holds it) is told to try again
/// shortly — 503 with `Retry-After` — never 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_database_answers_503() {
    let t = TestDb::new(crate::helpers::Backend::Sqlite).await.unwrap();
    let admin = Client::new(&t).await;
    seed_tree(&admin).await;
    let hold = t.db.begin().await.unwrap();
    let started = std::time::Instant::now();
    let body = serde_json::json!({"code": "141029100003", "name": "南关村", "parent_code": "141029100000"});
    let (status, headers, bytes) = admin
        .raw(
            "POST",
            "/api/v1/divisions",
            Some((body.to_string().into_bytes(), "application/json")),
        )
        .await;
    drop(hold);
    let text = String::from_utf8_lossy(&bytes);
    assert_eq!(status.as_u16(), 503, "{text}");
    assert_eq!(
        headers.get("retry-after").map(|v| v.to_str().unwrap()),
        Some("2")
    );
    assert!(text.contains("系统正忙"), "{text}");
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(5),
        "it waited for the lock first"
    );
    t.finish().await;
}

/// Past capacity a request is shed at once — 503 with `Retry-After` within the admission's wait —
/// never queued until it times out; the places free again as answers go out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overload_is_shed_at_once() {
    use axum::routing::get;
    use std::time::{Duration, Instant};
    use tower::ServiceExt;
    use xiangzhi_web::admission::{admit, Admission};
    let admission = Admission::new(2, Duration::from_millis(100));
    let app = axum::Router::new()
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(600)).await;
                "done"
            }),
        )
        .layer(axum::middleware::from_fn_with_state(
            admission.clone(),
            admit,
        ));
    let call = |app: axum::Router| async move {
        let started = Instant::now();
        let r = app
            .oneshot(
                axum::http::Request::get("/slow")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        (
            r.status().as_u16(),
            r.headers().get("retry-after").cloned(),
            started.elapsed(),
        )
    };
    let calls: Vec<_> = (0..6).map(|_| tokio::spawn(call(app.clone()))).collect();
    let mut ok = 0;
    let mut shed = 0;
    for c in calls {
        let (status, retry, took) = c.await.unwrap();
        match status {
            200 => ok += 1,
            503 => {
                shed += 1;
                assert_eq!(retry.unwrap(), "1");
                assert!(took < Duration::from_millis(400), "shed in {took:?}");
            }
            s => panic!("{s}"),
        }
    }
    assert_eq!((ok, shed), (2, 4));
    assert_eq!(admission.busy(), 0, "every place is free again");
    let (status, _, _) = call(app).await;
    assert_eq!(status, 200);
}
