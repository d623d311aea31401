//! Every registry operation through the HTTP API, on both backends.

use crate::helpers::TestDb;
use crate::on_both;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use xiangzhi_web::AppState;

pub struct Client {
    app: axum::Router,
    token: Option<String>,
    cookie: Option<String>,
}

static LOGINS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
pub const PASSWORD: &str = "Xiangzhi-Test-1";

impl Client {
    fn build(t: &TestDb, token: Option<String>, cookie: Option<String>) -> Client {
        Client {
            app: xiangzhi::app(AppState::new(t.db.clone())),
            token,
            cookie,
        }
    }

    /// A county administrator of the whole province (so tests can build the county itself).
    pub async fn new(t: &TestDb) -> Client {
        Client::as_role(t, "county_admin", "140000000000").await
    }

    /// An account of `role` bound to `division`, using a bearer token.
    pub async fn as_role(t: &TestDb, role: &str, division: &str) -> Client {
        let n = LOGINS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let u = add_user(t, &format!("{role}{n}"), role, division).await;
        let (_, token) =
            t.db.create_api_token(&crate::helpers::tester(), u.id, "test")
                .await
                .unwrap();
        Client::build(t, Some(token), None)
    }

    pub fn with_token(t: &TestDb, token: &str) -> Client {
        Client::build(t, Some(token.to_string()), None)
    }

    pub fn with_cookie(t: &TestDb, session: &str) -> Client {
        Client::build(t, None, Some(session.to_string()))
    }

    /// No credentials at all.
    pub fn anonymous(t: &TestDb) -> Client {
        Client::build(t, None, None)
    }

    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value, String) {
        let body = body.map(|v| (v.to_string().into_bytes(), "application/json"));
        let (status, headers, bytes) = self.raw(method, uri, body).await;
        let ctype = headers
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let v = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        (status, v, ctype)
    }

    /// A request with any body (bytes and their content type); the answer's status, headers and bytes.
    pub async fn raw(
        &self,
        method: &str,
        uri: &str,
        body: Option<(Vec<u8>, &str)>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(c) = &self.cookie {
            // As a browser on this site sends it: the cookie, and the page's origin on writes.
            req = req
                .header("cookie", format!("xz_session={c}"))
                .header("host", "localhost")
                .header("origin", "http://localhost");
        }
        let body = match body {
            Some((bytes, ctype)) => {
                req = req.header("content-type", ctype);
                Body::from(bytes)
            }
            None => Body::empty(),
        };
        let resp = self
            .app
            .clone()
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, headers, bytes.to_vec())
    }

    /// The party branch of a village, as this account sees it.
    pub async fn branch_of(&self, village: &str) -> i64 {
        self.ok(
            "GET",
            &format!("/api/v1/party-orgs?division={village}"),
            None,
        )
        .await["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == "branch")
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    }
    /// The store's scope of `division` acting as this account, for calls a test makes directly
    /// (a month made final days later, a list published after its objection days).
    pub async fn acting_in(&self, division: &str) -> xiangzhi_storage::Scope {
        let me = self.ok("GET", "/api/v1/auth/me", None).await["id"]
            .as_i64()
            .unwrap();
        xiangzhi_storage::Scope::division(&xiangzhi_domain::DivisionCode::parse(division).unwrap())
            .by(xiangzhi_storage::Actor::new(
                Some(me),
                "test",
                "test",
                "test",
            ))
    }
    pub async fn ok(&self, method: &str, uri: &str, body: Option<Value>) -> Value {
        let (s, v, _) = self.call(method, uri, body).await;
        assert!(s.is_success(), "{method} {uri} -> {s}: {v}");
        v
    }

    /// Asserts a problem response with `status` naming `field`.
    pub async fn problem(
        &self,
        method: &str,
        uri: &str,
        body: Option<Value>,
        status: u16,
        field: &str,
    ) -> Value {
        let (s, v, ctype) = self.call(method, uri, body).await;
        assert_eq!(s.as_u16(), status, "{method} {uri}: {v}");
        assert_eq!(ctype, "application/problem+json");
        assert_eq!(v["status"], status);
        if !field.is_empty() {
            let errors = v["errors"]
                .as_array()
                .unwrap_or_else(|| panic!("no errors in {v}"));
            let e = errors
                .iter()
                .find(|e| e["field"] == field)
                .unwrap_or_else(|| panic!("no error for {field} in {v}"));
            assert!(!e["zh"].as_str().unwrap().is_empty() && !e["en"].as_str().unwrap().is_empty());
        }
        v
    }
}

const ID1: &str = "141029198001010018";

pub fn id_number(n: u32) -> String {
    let s = format!("141029{}{:03}", 19500101 + (n % 28), n % 1000);
    let c = xiangzhi_domain::id_number::check_char(s.as_bytes());
    format!("{s}{}", c as char)
}

/// Builds county > township > village > group with the five grid levels; returns the micro-grid id.
/// 昌宁镇's party committee (the township must exist); its id.
pub async fn township_committee(c: &Client) -> i64 {
    c.ok(
        "POST",
        "/api/v1/party-orgs",
        Some(json!({"kind": "committee", "name": "昌宁镇党委", "division_code": "141029100000"})),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

/// An account with the test password.
pub async fn add_user(
    t: &TestDb,
    login: &str,
    role: &str,
    division: &str,
) -> xiangzhi_storage::accounts::User {
    t.db.create_user(
        &crate::helpers::tester(),
        &xiangzhi_storage::accounts::NewUser {
            login: login.into(),
            display_name: format!("{login}测试"),
            role: role.into(),
            division_code: division.into(),
            grid_id: None,
            password: PASSWORD.into(),
        },
    )
    .await
    .unwrap()
}

pub async fn seed_tree(c: &Client) -> (i64, i64) {
    for (code, name, parent) in [
        ("141029000000", "乡宁县", None),
        ("141029100000", "昌宁镇", Some("141029000000")),
        ("141029101000", "光华镇", Some("141029000000")),
        ("141029100001", "城关社区", Some("141029100000")),
        ("141029100001001", "第一村民小组", Some("141029100001")),
        ("141029101001", "光华村", Some("141029101000")),
    ] {
        c.ok(
            "POST",
            "/api/v1/divisions",
            Some(json!({"code": code, "name": name, "parent_code": parent})),
        )
        .await;
    }
    let g = |level: &str, name: &str, d: &str, p: Option<i64>| json!({"level": level, "name": name, "division_code": d, "parent_id": p});
    let county = c
        .ok(
            "POST",
            "/api/v1/grids",
            Some(g("county_centre", "县指挥中心", "141029000000", None)),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let town = c
        .ok(
            "POST",
            "/api/v1/grids",
            Some(g(
                "township_centre",
                "昌宁镇指挥中心",
                "141029100000",
                Some(county),
            )),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let village = c
        .ok(
            "POST",
            "/api/v1/grids",
            Some(g("village", "城关网格", "141029100001", Some(town))),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let group = c
        .ok(
            "POST",
            "/api/v1/grids",
            Some(g("group", "一组网格", "141029100001001", Some(village))),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let micro = c
        .ok(
            "POST",
            "/api/v1/grids",
            Some(g("micro", "一组1号微网格", "141029100001001", Some(group))),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    (village, micro)
}

async fn registry_operations(t: &TestDb) {
    let c = Client::new(t).await;
    let (village_grid, micro) = seed_tree(&c).await;

    // Divisions: validation names the field, in both languages.
    c.problem(
        "POST",
        "/api/v1/divisions",
        Some(json!({"code": "14102910000", "name": "x", "parent_code": "141029000000"})),
        422,
        "code",
    )
    .await;
    c.problem(
        "POST",
        "/api/v1/divisions",
        Some(json!({"code": "141029100002", "name": "x", "parent_code": "141029101000"})),
        422,
        "parent_code",
    )
    .await;
    c.problem(
        "POST",
        "/api/v1/divisions",
        Some(json!({"code": "141029100002", "name": "x", "parent_code": "141029100009"})),
        422,
        "",
    )
    .await;
    c.problem(
        "POST",
        "/api/v1/divisions",
        Some(json!({"code": "141029100001", "name": "again", "parent_code": "141029100000"})),
        409,
        "",
    )
    .await;
    c.problem(
        "POST",
        "/api/v1/divisions",
        Some(json!({"name": "no code"})),
        400,
        "code",
    )
    .await;
    let (s, _, ctype) = c
        .call("POST", "/api/v1/divisions", Some(Value::String("{".into())))
        .await;
    assert_eq!(
        (s.as_u16(), ctype.as_str()),
        (400, "application/problem+json")
    );
    let d = c
        .ok(
            "PUT",
            "/api/v1/divisions/141029100001",
            Some(json!({"name": "城关社区居民委员会", "version": 1})),
        )
        .await;
    assert_eq!(d["name"], "城关社区居民委员会");
    assert_eq!(d["level"], "village");
    assert_eq!(d["version"], 2);
    // A change made from what is now an old version is refused, not written over the new one.
    c.problem(
        "PUT",
        "/api/v1/divisions/141029100001",
        Some(json!({"name": "城关社区", "version": 1})),
        409,
        "version",
    )
    .await;
    c.problem(
        "PUT",
        "/api/v1/divisions/141029100001",
        Some(json!({"name": "城关社区"})),
        422,
        "version",
    )
    .await;
    let v = c.ok("GET", "/api/v1/divisions?kind=village", None).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let v = c
        .ok("GET", "/api/v1/divisions?parent=141029000000", None)
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let v = c
        .ok("GET", "/api/v1/divisions?division=141029100000", None)
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 3);
    let v = c.ok("GET", "/api/v1/divisions?q=光华", None).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    // Cursor pagination visits every row exactly once.
    let mut seen = Vec::new();
    let mut uri = "/api/v1/divisions?limit=4".to_string();
    loop {
        let p = c.ok("GET", &uri, None).await;
        seen.extend(
            p["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["code"].as_str().unwrap().to_string()),
        );
        match p["next_cursor"].as_str() {
            Some(cur) => uri = format!("/api/v1/divisions?limit=4&cursor={cur}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6);
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    c.problem("GET", "/api/v1/divisions?cursor=!!", None, 422, "cursor")
        .await;
    c.problem("GET", "/api/v1/divisions/141029999999", None, 404, "")
        .await;

    // Grids.
    c.problem("POST", "/api/v1/grids", Some(json!({"level": "micro", "name": "m", "division_code": "141029100001", "parent_id": village_grid})), 422, "parent_id").await;
    c.problem("POST", "/api/v1/grids", Some(json!({"level": "village", "name": "v", "division_code": "141029100000", "parent_id": 1})), 422, "division_code").await;
    c.problem("POST", "/api/v1/grids", Some(json!({"level": "hamlet", "name": "v", "division_code": "141029100001", "parent_id": 1})), 422, "level").await;
    let g = c
        .ok(
            "PUT",
            &format!("/api/v1/grids/{micro}"),
            Some(json!({"name": "一组一号微网格", "version": 1})),
        )
        .await;
    assert_eq!(g["name"], "一组一号微网格");
    let v = c
        .ok("GET", &format!("/api/v1/grids?grid={village_grid}"), None)
        .await;
    assert_eq!(
        v["items"].as_array().unwrap().len(),
        3,
        "village grid subtree: itself, group, micro"
    );
    let v = c.ok("GET", "/api/v1/grids?kind=micro", None).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);

    // Staff.
    let staff = json!({"name": "王芳", "role": "micro", "grid_id": micro, "phone": "13912345678"});
    let s = c.ok("POST", "/api/v1/staff", Some(staff)).await;
    let sid = s["id"].as_i64().unwrap();
    c.problem(
        "POST",
        "/api/v1/staff",
        Some(json!({"name": "李强", "role": "grid_leader", "grid_id": micro})),
        422,
        "role",
    )
    .await;
    c.problem(
        "POST",
        "/api/v1/staff",
        Some(json!({"name": "李强", "role": "micro", "grid_id": micro, "phone": "12345"})),
        422,
        "phone",
    )
    .await;
    c.problem(
        "POST",
        "/api/v1/staff",
        Some(json!({"name": "李强", "role": "micro", "grid_id": 999999})),
        422,
        "grid_id",
    )
    .await;
    c.ok(
        "POST",
        "/api/v1/staff",
        Some(json!({"name": "张伟", "role": "full_time", "grid_id": village_grid})),
    )
    .await;
    let s = c.ok("PUT", &format!("/api/v1/staff/{sid}"), Some(json!({"name": "王芳", "role": "dedicated", "grid_id": micro, "unit": "城关派出所", "version": 1}))).await;
    assert_eq!(s["unit"], "城关派出所");
    assert_eq!(s["phone"], Value::Null);
    let v = c.ok("GET", "/api/v1/staff?kind=dedicated", None).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    let v = c.ok("GET", "/api/v1/staff?q=张", None).await;
    assert_eq!(v["items"][0]["name"], "张伟");

    // Households and residents.
    let h1 = c
        .ok(
            "POST",
            "/api/v1/households",
            Some(json!({"number": "H0001", "micro_grid_id": micro, "address": "城关社区一组1号"})),
        )
        .await;
    assert_eq!(h1["division_code"], "141029100001001");
    let h1 = h1["id"].as_i64().unwrap();
    let h2 = c
        .ok(
            "POST",
            "/api/v1/households",
            Some(json!({"number": "H0002", "micro_grid_id": micro, "address": "城关社区一组2号"})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    c.problem(
        "POST",
        "/api/v1/households",
        Some(json!({"number": "H0001", "micro_grid_id": micro, "address": "x"})),
        409,
        "number",
    )
    .await;
    c.problem(
        "POST",
        "/api/v1/households",
        Some(json!({"number": "H0003", "micro_grid_id": village_grid, "address": "x"})),
        422,
        "micro_grid_id",
    )
    .await;
    c.problem(
        "POST",
        "/api/v1/households",
        Some(json!({"number": "", "micro_grid_id": micro, "address": ""})),
        422,
        "address",
    )
    .await;
    let v = c
        .ok(
            "GET",
            &format!("/api/v1/households?grid={village_grid}&q=H0002"),
            None,
        )
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);

    let r = c.ok("POST", "/api/v1/residents", Some(json!({
        "household_id": h1, "name": "王建国", "id_number": ID1, "phone": "13800138000", "relation": "户主", "tags": ["veteran", "低保"]
    }))).await;
    assert_eq!(r["gender"], "male");
    assert_eq!(r["birth_date"], "1980-01-01");
    assert_eq!(r["tags"], json!(["subsistence", "veteran"]));
    let rid = r["id"].as_i64().unwrap();
    let bad = c.problem("POST", "/api/v1/residents", Some(json!({
        "household_id": h1, "name": "", "id_number": "141029198001010011", "relation": "boss"
    })), 422, "name").await;
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "id_number", "relation"]);
    c.problem(
        "POST",
        "/api/v1/residents",
        Some(json!({"household_id": h2, "name": "重复", "id_number": ID1, "relation": "head"})),
        409,
        "id_number",
    )
    .await;
    let r2 = c.ok("POST", "/api/v1/residents", Some(json!({"household_id": h1, "name": "李秀英", "id_number": id_number(7), "relation": "spouse"}))).await;
    let v = c.ok("GET", "/api/v1/residents?tag=veteran", None).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    let v = c
        .ok("GET", &format!("/api/v1/residents?q={ID1}"), None)
        .await;
    assert_eq!(v["items"][0]["id"], rid);
    let v = c.ok("GET", "/api/v1/residents?q=李", None).await;
    assert_eq!(v["items"][0]["id"], r2["id"]);
    let v = c
        .ok(
            "GET",
            &format!("/api/v1/residents?grid={village_grid}"),
            None,
        )
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let v = c
        .ok("GET", &format!("/api/v1/households/{h1}/residents"), None)
        .await;
    assert_eq!(v.as_array().unwrap().len(), 2);
    let r = c.ok("PUT", &format!("/api/v1/residents/{rid}"), Some(json!({
        "household_id": h1, "name": "王建国", "id_number": ID1, "relation": "head", "tags": [], "version": 1
    }))).await;
    assert_eq!(r["tags"], json!([]));
    c.problem(
        "PUT",
        &format!("/api/v1/residents/{rid}"),
        Some(json!({
            "household_id": h2, "name": "王建国", "id_number": ID1, "relation": "head", "version": 2
        })),
        422,
        "household_id",
    )
    .await;
    let r = c
        .ok(
            "POST",
            &format!("/api/v1/residents/{rid}/move"),
            Some(json!({"to_household_id": h2, "reason": "分户"})),
        )
        .await;
    assert_eq!(r["household_id"], h2);
    let moves = c
        .ok("GET", &format!("/api/v1/residents/{rid}/moves"), None)
        .await;
    let moves = moves.as_array().unwrap();
    assert_eq!(moves.len(), 1);
    assert_eq!(moves[0]["from_household_id"], h1);
    assert_eq!(moves[0]["to_household_id"], h2);
    assert_eq!(moves[0]["reason"], "分户");

    // Party organisations and members.
    let committee = crate::api::township_committee(&c).await;
    let branch = c.ok("POST", "/api/v1/party-orgs", Some(json!({"kind": "branch", "name": "城关社区党支部", "division_code": "141029100001", "parent_id": committee, "standing": "model"}))).await["id"].as_i64().unwrap();
    c.problem("POST", "/api/v1/party-orgs", Some(json!({"kind": "committee", "name": "x", "division_code": "141029100001", "parent_id": branch})), 422, "parent_id").await;
    let pg = c.ok("POST", "/api/v1/party-orgs", Some(json!({"kind": "group", "name": "第一党小组", "division_code": "141029100001001", "parent_id": branch}))).await;
    assert_eq!(pg["standing"], "ordinary");
    let o = c.ok("PUT", &format!("/api/v1/party-orgs/{branch}"), Some(json!({"kind": "branch", "name": "城关社区党支部", "division_code": "141029100001", "parent_id": committee, "standing": "weak", "version": 1}))).await;
    assert_eq!(o["standing"], "weak");
    let v = c
        .ok(
            "GET",
            &format!("/api/v1/party-orgs?parent={committee}"),
            None,
        )
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);

    let m = c.ok("POST", "/api/v1/party-members", Some(json!({"resident_id": rid, "org_id": branch, "status": "full", "role": "secretary", "joined_on": "2005-07-01"}))).await;
    assert_eq!(m["name"], "王建国");
    let mid = m["id"].as_i64().unwrap();
    c.problem("POST", "/api/v1/party-members", Some(json!({"resident_id": rid, "org_id": branch, "status": "full", "joined_on": "2005-07-01"})), 409, "resident_id").await;
    c.problem("POST", "/api/v1/party-members", Some(json!({"resident_id": r2["id"], "org_id": branch, "status": "maybe", "joined_on": "2005-13-01"})), 422, "joined_on").await;
    let m = c.ok("PUT", &format!("/api/v1/party-members/{mid}"), Some(json!({"resident_id": rid, "org_id": branch, "status": "full", "role": "member", "joined_on": "2005-07-01", "version": 1}))).await;
    assert_eq!(m["role"], "member");
    c.ok(
        "PUT",
        &format!("/api/v1/party-members/{mid}/contacts/{h1}"),
        None,
    )
    .await;
    c.ok(
        "PUT",
        &format!("/api/v1/party-members/{mid}/contacts/{h1}"),
        None,
    )
    .await;
    let v = c
        .ok(
            "GET",
            &format!("/api/v1/party-members/{mid}/contacts"),
            None,
        )
        .await;
    assert_eq!(v.as_array().unwrap().len(), 1);
    let v = c.ok("GET", "/api/v1/party-members?q=王", None).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);

    // Coverage before and after duties.
    let cov = c.ok("GET", "/api/v1/reports/coverage", None).await;
    assert_eq!(cov["villages_total"], 2);
    assert_eq!(
        cov["villages_without_county_leader"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(cov["households_without_member_contact"], 1);
    assert_eq!(
        cov["micro_grids_without_worker"].as_array().unwrap().len(),
        1,
        "the worker became dedicated"
    );
    let duty = c.ok("POST", "/api/v1/contact-duties", Some(json!({"person_name": "赵县长", "rank": "county_leader", "unit": "县政府", "target": "village", "division_code": "141029100001", "since": "2026-01-01"}))).await;
    let did = duty["id"].as_i64().unwrap();
    c.problem("POST", "/api/v1/contact-duties", Some(json!({"person_name": "x", "rank": "county_leader", "target": "village", "division_code": "141029100000", "since": "2026-01-01"})), 422, "division_code").await;
    c.problem("POST", "/api/v1/contact-duties", Some(json!({"person_name": "x", "rank": "party_member", "target": "household", "since": "2026-01-01"})), 422, "household_id").await;
    let hd = c.ok("POST", "/api/v1/contact-duties", Some(json!({"person_name": "孙干部", "rank": "village_cadre", "target": "household", "household_id": h2, "since": "2026-02-01"}))).await;
    assert_eq!(hd["division_code"], "141029100001001");
    c.ok("PUT", &format!("/api/v1/contact-duties/{did}"), Some(json!({"person_name": "赵副县长", "rank": "county_leader", "target": "village", "division_code": "141029100001", "since": "2026-01-01", "version": 1}))).await;
    c.ok(
        "PUT",
        &format!("/api/v1/party-members/{mid}/contacts/{h2}"),
        None,
    )
    .await;
    c.ok(
        "POST",
        "/api/v1/staff",
        Some(json!({"name": "刘洋", "role": "micro", "grid_id": micro})),
    )
    .await;
    let cov = c.ok("GET", "/api/v1/reports/coverage", None).await;
    assert_eq!(
        cov["villages_without_county_leader"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        cov["villages_without_county_leader"][0]["code"],
        "141029101001"
    );
    assert_eq!(cov["households_without_member_contact"], 0);
    assert_eq!(
        cov["micro_grids_without_worker"].as_array().unwrap().len(),
        0
    );
    let v = c
        .ok("GET", "/api/v1/contact-duties?kind=county_leader", None)
        .await;
    assert_eq!(v["items"][0]["person_name"], "赵副县长");

    // Deletes respect references, then succeed.
    c.problem(
        "DELETE",
        &format!("/api/v1/households/{h1}"),
        None,
        409,
        "id",
    )
    .await;
    c.problem("DELETE", "/api/v1/divisions/141029100001", None, 409, "")
        .await;
    c.ok(
        "DELETE",
        &format!("/api/v1/party-members/{mid}/contacts/{h1}"),
        None,
    )
    .await;
    c.problem(
        "DELETE",
        &format!("/api/v1/party-members/{mid}/contacts/{h1}"),
        None,
        404,
        "",
    )
    .await;
    c.ok("DELETE", &format!("/api/v1/party-members/{mid}"), None)
        .await;
    c.ok("DELETE", &format!("/api/v1/residents/{}", r2["id"]), None)
        .await;
    // h1 is still named in a resident's move history, which is never rewritten.
    c.problem(
        "DELETE",
        &format!("/api/v1/households/{h1}"),
        None,
        409,
        "id",
    )
    .await;
    let h3 = c
        .ok(
            "POST",
            "/api/v1/households",
            Some(json!({"number": "H0003", "micro_grid_id": micro, "address": "城关社区一组3号"})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    c.ok("DELETE", &format!("/api/v1/households/{h3}"), None)
        .await;
    c.problem("GET", &format!("/api/v1/households/{h3}"), None, 404, "")
        .await;
    c.ok("DELETE", &format!("/api/v1/contact-duties/{did}"), None)
        .await;
    c.ok("DELETE", &format!("/api/v1/staff/{sid}"), None).await;
    c.ok("DELETE", &format!("/api/v1/party-orgs/{}", pg["id"]), None)
        .await;
    c.ok("DELETE", "/api/v1/divisions/141029101001", None).await;
    c.problem(
        "DELETE",
        &format!("/api/v1/grids/{village_grid}"),
        None,
        409,
        "",
    )
    .await;
}
on_both!(registry, registry_operations);

#[tokio::test]
async fn openapi_document_lists_every_route() {
    let t = TestDb::new(crate::helpers::Backend::Sqlite).await.unwrap();
    let c = Client::anonymous(&t);
    let doc = c.ok("GET", "/api/openapi.json", None).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/divisions",
        "/api/v1/residents/{id}/move",
        "/api/v1/reports/coverage",
        "/api/v1/party-members/{id}/contacts/{household_id}",
    ] {
        assert!(paths.contains_key(p), "{p} missing from OpenAPI");
    }
    let (s, _, _) = c.call("GET", "/api/docs/", None).await;
    assert_eq!(s, StatusCode::OK);
    t.finish().await;
}
