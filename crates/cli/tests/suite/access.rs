//! Jurisdiction, rights, masking and the audit trail through the API, on both backends.

use crate::api::{id_number, seed_tree, Client, PASSWORD};
use crate::helpers::TestDb;
use crate::on_both;
use axum::http::StatusCode;
use serde_json::json;

/// A second township's grid chain with one household; returns (household id, resident id).
pub async fn guanghua(admin: &Client) -> (i64, i64) {
    let g = |level: &str, name: &str, d: &str, p: Option<i64>| json!({"level": level, "name": name, "division_code": d, "parent_id": p});
    let county = admin
        .ok("GET", "/api/v1/grids?kind=county_centre", None)
        .await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let town = admin
        .ok(
            "POST",
            "/api/v1/grids",
            Some(g(
                "township_centre",
                "光华镇中心",
                "141029101000",
                Some(county),
            )),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let village = admin
        .ok(
            "POST",
            "/api/v1/grids",
            Some(g("village", "光华村网格", "141029101001", Some(town))),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let group = admin
        .ok(
            "POST",
            "/api/v1/grids",
            Some(g("group", "光华组网格", "141029101001", Some(village))),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let micro = admin
        .ok(
            "POST",
            "/api/v1/grids",
            Some(g("micro", "光华微网格", "141029101001", Some(group))),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let h = admin
        .ok(
            "POST",
            "/api/v1/households",
            Some(json!({"number": "GH001", "micro_grid_id": micro, "address": "光华村1号"})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let r = admin
        .ok("POST", "/api/v1/residents", Some(json!({"household_id": h, "name": "光华居民", "id_number": id_number(501), "phone": "13900001111", "relation": "head"})))
        .await["id"]
        .as_i64()
        .unwrap();
    (h, r)
}

async fn jurisdiction_and_masking(t: &TestDb) {
    let admin = Client::new(t).await;
    let (_, micro) = seed_tree(&admin).await;
    let h1 = admin
        .ok(
            "POST",
            "/api/v1/households",
            Some(json!({"number": "CN001", "micro_grid_id": micro, "address": "城关1号"})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let id = id_number(77);
    let r1 = admin
        .ok("POST", "/api/v1/residents", Some(json!({"household_id": h1, "name": "昌宁居民", "id_number": id, "phone": "13800001234", "relation": "head"})))
        .await;
    assert_eq!(
        r1["id_number"],
        format!("{}***********{}", &id[..3], &id[14..]),
        "write responses are masked too"
    );
    let r1 = r1["id"].as_i64().unwrap();
    let (h2, r2) = guanghua(&admin).await;

    let changning = Client::as_role(t, "township_officer", "141029100000").await;
    let guanghua_officer = Client::as_role(t, "township_officer", "141029101000").await;
    // Own township: visible; sibling township: indistinguishable from missing.
    let list = changning.ok("GET", "/api/v1/households", None).await;
    let numbers: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["CN001"]);
    changning
        .ok("GET", &format!("/api/v1/households/{h1}"), None)
        .await;
    for (m, uri, body) in [
        ("GET", format!("/api/v1/households/{h2}"), None),
        (
            "PUT",
            format!("/api/v1/households/{h2}"),
            Some(json!({"number": "X", "micro_grid_id": micro, "address": "x"})),
        ),
        ("DELETE", format!("/api/v1/households/{h2}"), None),
        ("GET", format!("/api/v1/residents/{r2}"), None),
        ("DELETE", format!("/api/v1/residents/{r2}"), None),
        ("GET", "/api/v1/divisions/141029101001".to_string(), None),
    ] {
        let (s, v, _) = changning.call(m, &uri, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{m} {uri}: {v}");
    }
    let v = changning
        .ok(
            "GET",
            &format!("/api/v1/residents?q={}", id_number(501)),
            None,
        )
        .await;
    assert!(
        v["items"].as_array().unwrap().is_empty(),
        "search does not cross the border"
    );
    assert_eq!(
        guanghua_officer
            .ok("GET", &format!("/api/v1/residents/{r2}"), None)
            .await["name"],
        "光华居民"
    );
    assert_eq!(
        admin
            .ok("GET", &format!("/api/v1/households/{h2}"), None)
            .await["number"],
        "GH001",
        "nothing was changed"
    );

    // Masked by default; full only with the right and a purpose, and then audited.
    let r = changning
        .ok("GET", &format!("/api/v1/residents/{r1}"), None)
        .await;
    assert_eq!(
        r["id_number"],
        format!("{}***********{}", &id[..3], &id[14..])
    );
    assert_eq!(r["phone"], "138****1234");
    changning
        .problem(
            "GET",
            &format!("/api/v1/residents/{r1}?unmask=true"),
            None,
            400,
            "purpose",
        )
        .await;
    let r = changning
        .ok(
            "GET",
            &format!("/api/v1/residents/{r1}?unmask=true&purpose=低保资格核查"),
            None,
        )
        .await;
    assert_eq!(r["id_number"], id);
    assert_eq!(r["phone"], "13800001234");
    let worker = Client::as_role(t, "grid_worker", "141029100001").await;
    let (s, _, _) = worker
        .call(
            "GET",
            &format!("/api/v1/residents/{r1}?unmask=true&purpose=走访"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        worker
            .ok("GET", &format!("/api/v1/residents/{r1}"), None)
            .await["phone"],
        "138****1234"
    );

    // Separation of duties.
    let auditor = Client::as_role(t, "auditor", "141029000000").await;
    let security = Client::as_role(t, "security_admin", "141029000000").await;
    for (who, uri, status) in [
        (&auditor, "/api/v1/households", 403),
        (&security, "/api/v1/residents", 403),
        (&changning, "/api/v1/users", 403),
        (&changning, "/api/v1/audit", 403),
        (&security, "/api/v1/audit", 403),
        (&auditor, "/api/v1/users", 403),
    ] {
        let (s, v, _) = who.call("GET", uri, None).await;
        assert_eq!(s.as_u16(), status, "{uri}: {v}");
    }
    security.ok("GET", "/api/v1/users", None).await;
    let secretary = Client::as_role(t, "village_secretary", "141029100001").await;
    let (s, _, _) = secretary
        .call(
            "POST",
            "/api/v1/divisions",
            Some(json!({"code": "141029100001002", "name": "二组", "parent_code": "141029100001"})),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "structure belongs to county and township"
    );
    let (s, _, _) = Client::anonymous(t)
        .call("GET", "/api/v1/divisions", None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // The audit log has the unmasked view with its purpose, and every write.
    let log = auditor.ok("GET", "/api/v1/audit?limit=500", None).await;
    let entries = log.as_array().unwrap();
    let unmask = entries
        .iter()
        .find(|e| e["action"] == "unmask")
        .expect("unmask audited");
    assert_eq!(unmask["detail"], "低保资格核查");
    assert_eq!(unmask["object"], format!("resident 141029:{r1}"));
    assert!(entries.iter().any(|e| e["action"] == "create household"
        && e["outcome"] == "ok"
        && e["detail"] == "POST /api/v1/households"));
    assert!(
        entries
            .iter()
            .any(|e| e["action"].as_str().unwrap().starts_with("DELETE") && e["outcome"] == "404"),
        "refused writes too"
    );
    let v = auditor.ok("GET", "/api/v1/audit/verify", None).await;
    assert_eq!(v["intact"], true);
}
on_both!(jurisdiction, jurisdiction_and_masking);

async fn login_flow(t: &TestDb) {
    let admin = Client::new(t).await;
    let me = admin.ok("GET", "/api/v1/auth/me", None).await;
    let login = me["login"].as_str().unwrap().to_string();
    let anon = Client::anonymous(t);
    anon.problem(
        "POST",
        "/api/v1/auth/login",
        Some(json!({"login": login, "password": "wrong"})),
        401,
        "login",
    )
    .await;
    let (s, v, _) = anon
        .call(
            "POST",
            "/api/v1/auth/login",
            Some(json!({"login": login, "password": PASSWORD})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let session = Client::with_cookie(t, v["token"].as_str().unwrap());
    assert_eq!(
        session.ok("GET", "/api/v1/auth/me", None).await["login"],
        login.as_str()
    );
    session.ok("POST", "/api/v1/auth/logout", None).await;
    let (s, _, _) = session.call("GET", "/api/v1/auth/me", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // A token issued through the API works until revoked.
    let tok = admin
        .ok("POST", "/api/v1/auth/tokens", Some(json!({"name": "手机"})))
        .await;
    let mobile = Client::with_token(t, tok["token"].as_str().unwrap());
    mobile.ok("GET", "/api/v1/divisions", None).await;
    admin
        .ok(
            "DELETE",
            &format!("/api/v1/auth/tokens/{}", tok["id"]),
            None,
        )
        .await;
    let (s, _, _) = mobile.call("GET", "/api/v1/divisions", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}
on_both!(login, login_flow);

/// An account bound to a micro-grid sees only that grid's staff, households, residents and party
/// members, even beside a sibling micro-grid of the same villager group (the same division).
async fn grid_bound_account(t: &TestDb) {
    let admin = Client::new(t).await;
    let (_, mine) = seed_tree(&admin).await;
    let group = admin.ok("GET", "/api/v1/grids?kind=group", None).await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let other = admin
        .ok(
            "POST",
            "/api/v1/grids",
            Some(json!({"level": "micro", "name": "一组2号微网格", "division_code": "141029100001001", "parent_id": group})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let mut made = vec![];
    for (k, micro) in [mine, other].into_iter().enumerate() {
        let h = admin
            .ok(
                "POST",
                "/api/v1/households",
                Some(json!({"number": format!("GB-{k}"), "micro_grid_id": micro, "address": format!("{k}号")})),
            )
            .await["id"]
            .as_i64()
            .unwrap();
        let r = admin
            .ok(
                "POST",
                "/api/v1/residents",
                Some(json!({"household_id": h, "name": format!("网格{k}"), "id_number": id_number(300 + k as u32), "relation": "head"})),
            )
            .await["id"]
            .as_i64()
            .unwrap();
        let s = admin
            .ok(
                "POST",
                "/api/v1/staff",
                Some(json!({"name": format!("员{k}"), "role": "micro", "grid_id": micro})),
            )
            .await["id"]
            .as_i64()
            .unwrap();
        made.push((h, r, s));
    }
    // A grid outside the account's division is refused.
    let err =
        t.db.create_user(
            &crate::helpers::tester(),
            &xiangzhi_storage::accounts::NewUser {
                login: "gb_bad".into(),
                display_name: "越界".into(),
                role: "grid_worker".into(),
                division_code: "141029101001".into(),
                grid_id: Some(mine),
                password: PASSWORD.into(),
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("grid"), "{err}");
    let u =
        t.db.create_user(
            &crate::helpers::tester(),
            &xiangzhi_storage::accounts::NewUser {
                login: "gb_worker".into(),
                display_name: "微网格员".into(),
                role: "grid_worker".into(),
                division_code: "141029100001".into(),
                grid_id: Some(mine),
                password: PASSWORD.into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        u.division_code, "141029100001001",
        "takes the grid's division"
    );
    assert_eq!(u.grid_id, Some(mine));
    let (_, token) =
        t.db.create_api_token(&crate::helpers::tester(), u.id, "test")
            .await
            .unwrap();
    let c = Client::with_token(t, &token);
    let (own, theirs) = (made[0], made[1]);

    let ids = |v: &serde_json::Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&c.ok("GET", "/api/v1/households", None).await), [own.0]);
    assert_eq!(ids(&c.ok("GET", "/api/v1/residents", None).await), [own.1]);
    assert_eq!(ids(&c.ok("GET", "/api/v1/staff", None).await), [own.2]);
    assert_eq!(ids(&c.ok("GET", "/api/v1/grids", None).await), [mine]);
    for path in [
        format!("/api/v1/households/{}", theirs.0),
        format!("/api/v1/residents/{}", theirs.1),
        format!("/api/v1/staff/{}", theirs.2),
        format!("/api/v1/grids/{other}"),
        format!("/api/v1/households/{}/residents", theirs.0),
    ] {
        let (s, _, _) = c.call("GET", &path, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    // Cases: the sibling micro-grid's are invisible, the group's without a grid are not, and
    // the worker's own reports belong to its grid.
    crate::cases::categories(&t.db).await;
    let case = |key: &str, household: Option<i64>| {
        json!({"idempotency_key": key, "category": "road", "description": key, "division_code": "141029100001001",
            "household_id": household, "reporter_kind": "resident"})
    };
    let sibling_case = admin
        .ok(
            "POST",
            "/api/v1/cases",
            Some(case("gb-theirs", Some(theirs.0))),
        )
        .await;
    assert_eq!(sibling_case["grid_id"], other, "the household's micro-grid");
    let open_case = admin
        .ok("POST", "/api/v1/cases", Some(case("gb-group", None)))
        .await;
    let own_case = c
        .ok("POST", "/api/v1/cases", Some(case("gb-mine", None)))
        .await;
    assert_eq!(own_case["grid_id"], mine, "the grid worker's own grid");
    let mut seen = ids(&c.ok("GET", "/api/v1/cases", None).await);
    seen.sort();
    let mut expected = vec![
        open_case["id"].as_i64().unwrap(),
        own_case["id"].as_i64().unwrap(),
    ];
    expected.sort();
    assert_eq!(seen, expected);
    let (s, _, _) = c
        .call(
            "GET",
            &format!("/api/v1/cases/{}", sibling_case["id"]),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "the sibling micro-grid's case");
    let (s, _, _) = c
        .call(
            "POST",
            "/api/v1/cases",
            Some(
                json!({"idempotency_key": "gb-bad", "category": "road", "description": "x",
            "division_code": "141029100001001", "grid_id": other, "reporter_kind": "resident"}),
            ),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no filing into the sibling's grid"
    );
    let q = c
        .ok(
            "GET",
            &format!("/api/v1/residents?q={}", id_number(301)),
            None,
        )
        .await;
    assert!(ids(&q).is_empty(), "search finds nothing outside the grid");
    for path in [
        format!("/api/v1/households/{}", own.0),
        format!("/api/v1/residents/{}", own.1),
        "/api/v1/divisions/141029100001001".to_string(),
    ] {
        let (s, _, _) = c.call("GET", &path, None).await;
        assert_eq!(s, StatusCode::OK, "{path}");
    }
    // Writes: into its own grid yes, into the sibling's no, and the sibling is unchanged.
    let (s, _, _) = c
        .call(
            "POST",
            "/api/v1/households",
            Some(json!({"number": "GB-new", "micro_grid_id": other, "address": "3号"})),
        )
        .await;
    assert!(s.is_client_error(), "{s}");
    let (s, _, _) = c
        .call(
            "POST",
            "/api/v1/households",
            Some(json!({"number": "GB-mine", "micro_grid_id": mine, "address": "4号"})),
        )
        .await;
    assert!(s.is_success(), "{s}");
    let (s, _, _) = c
        .call("DELETE", &format!("/api/v1/households/{}", theirs.0), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = c
        .call(
            "POST",
            "/api/v1/residents",
            Some(json!({"household_id": theirs.0, "name": "插入", "id_number": id_number(310), "relation": "other"})),
        )
        .await;
    assert!(s.is_client_error(), "{s}");
    assert_eq!(
        admin
            .ok(
                "GET",
                &format!("/api/v1/households/{}/residents", theirs.0),
                None
            )
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
on_both!(grid_bound, grid_bound_account);
