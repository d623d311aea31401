//! The console through HTTP, as a browser would use it (forms, cookies, redirects), on both
//! backends; and the same console in Debian's Chromium driven by playwright-core (`browser`).

use crate::access::guanghua;
use crate::api::{id_number, seed_tree, Client, PASSWORD};
use crate::helpers::{Backend, TestDb};
use crate::on_both;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;
use xiangzhi_cases::prelude::*;
use xiangzhi_registry::prelude::*;
use xiangzhi_web::AppState;

/// A village with one household of three people and a party branch; a second township's
/// household; accounts for a village secretary, a security administrator and an auditor.
pub struct Village {
    pub household: i64,
    pub number: String,
    pub resident: i64,
    pub other_household: i64,
    pub other_resident: i64,
}

pub async fn seed_village(t: &TestDb) -> Village {
    let admin = Client::new(t).await;
    let (_, micro) = seed_tree(&admin).await;
    let number = "CG-0001".to_string();
    let household = admin
        .ok(
            "POST",
            "/api/v1/households",
            Some(json!({"number": number, "micro_grid_id": micro, "address": "城关社区幸福街1号"})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let mut resident = 0;
    for (k, (name, rel, phone)) in [
        ("李秀英", "head", Some("13912345678")),
        ("王建军", "spouse", Some("13698765432")),
        ("王小明", "child", None),
    ]
    .into_iter()
    .enumerate()
    {
        let r = admin
            .ok(
                "POST",
                "/api/v1/residents",
                Some(json!({"household_id": household, "name": name, "id_number": id_number(100 + k as u32),
                    "phone": phone, "relation": rel, "tags": if k == 0 { json!(["veteran"]) } else { json!([]) }})),
            )
            .await;
        if k == 0 {
            resident = r["id"].as_i64().unwrap();
        }
    }
    let committee = crate::api::township_committee(&admin).await;
    let branch = admin
        .ok(
            "POST",
            "/api/v1/party-orgs",
            Some(json!({"kind": "branch", "name": "城关社区党支部", "division_code": "141029100001", "parent_id": committee})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    admin
        .ok(
            "POST",
            "/api/v1/party-members",
            Some(json!({"resident_id": resident, "org_id": branch, "status": "full", "role": "secretary", "joined_on": "2005-07-01"})),
        )
        .await;
    let (other_household, other_resident) = guanghua(&admin).await;
    for (login, role, division) in [
        ("cunshuji", "village_secretary", "141029100001"),
        ("anquan", "security_admin", "141029000000"),
        ("shenji", "auditor", "141029000000"),
    ] {
        crate::api::add_user(t, login, role, division).await;
    }
    Village {
        household,
        number,
        resident,
        other_household,
        other_resident,
    }
}

/// The number after `id=` in a tracking address.
pub(crate) fn id_in(location: &str) -> i64 {
    location
        .split("id=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The value of the hidden field `name` of a page's form.
pub(crate) fn hidden(body: &str, name: &str) -> String {
    let at = body.find(&format!("name=\"{name}\" value=\"")).unwrap() + name.len() + 15;
    body[at..at + body[at..].find('"').unwrap()].to_string()
}

/// A browser without a browser: keeps the session cookie, sends forms, does not follow redirects.
pub(crate) struct Page {
    app: axum::Router,
    cookies: Vec<String>,
}

pub(crate) struct Got {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
}

impl Got {
    async fn from(resp: axum::response::Response) -> Got {
        let status = resp.status();
        let location = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Got {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into(),
        }
    }
}

impl Page {
    pub(crate) fn new(t: &TestDb) -> Page {
        Page {
            app: xiangzhi::app(AppState::new(t.db.clone())),
            cookies: vec![],
        }
    }
    pub(crate) async fn send(&mut self, method: &str, uri: &str, form: Option<&str>) -> Got {
        // As a browser on this site sends it: the host, and the page's origin.
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("host", "localhost")
            .header("origin", "http://localhost");
        if !self.cookies.is_empty() {
            req = req.header("cookie", self.cookies.join("; "));
        }
        let body = match form {
            Some(f) => {
                req = req.header("content-type", "application/x-www-form-urlencoded");
                Body::from(f.to_string())
            }
            None => Body::empty(),
        };
        let resp = self
            .app
            .clone()
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        for c in resp.headers().get_all("set-cookie") {
            let kv = c.to_str().unwrap().split(';').next().unwrap().to_string();
            let name = kv.split('=').next().unwrap().to_string();
            self.cookies.retain(|k| !k.starts_with(&format!("{name}=")));
            if !kv.ends_with('=') {
                self.cookies.push(kv);
            }
        }
        Got::from(resp).await
    }
    pub(crate) async fn multipart(&mut self, uri: &str, file_name: &str, data: &[u8]) -> Got {
        self.upload(uri, &[], file_name, data).await
    }
    /// A multipart form: `fields` first, then the file (as the case page's form sends them).
    pub(crate) async fn upload(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        data: &[u8],
    ) -> Got {
        self.upload_as(uri, fields, "file", file_name, data).await
    }
    /// A multipart form whose file goes in the field `field`.
    pub(crate) async fn upload_as(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        field: &str,
        file_name: &str,
        data: &[u8],
    ) -> Got {
        let boundary = "xzboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("host", "localhost")
            .header("origin", "http://localhost")
            .header("cookie", self.cookies.join("; "))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        let resp = self.app.clone().oneshot(req).await.unwrap();
        Got::from(resp).await
    }
    pub(crate) async fn get(&mut self, uri: &str) -> Got {
        self.send("GET", uri, None).await
    }
    /// A download: the status, the content type and the bytes as sent.
    pub(crate) async fn bytes(&mut self, uri: &str) -> (StatusCode, String, Vec<u8>) {
        let req = Request::builder()
            .uri(uri)
            .header("host", "localhost")
            .header("cookie", self.cookies.join("; "))
            .body(Body::empty())
            .unwrap();
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let kind = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        (status, kind, bytes)
    }
    pub(crate) async fn login(&mut self, login: &str) {
        let g = self
            .send(
                "POST",
                "/login",
                Some(&format!("login={login}&password={PASSWORD}&next=%2Fsearch")),
            )
            .await;
        assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.body);
        assert_eq!(g.location, "/search");
    }
}

fn full_id_numbers(html: &str) -> usize {
    let b = html.as_bytes();
    let mut n = 0;
    let mut run = 0;
    for (i, c) in b.iter().enumerate() {
        if c.is_ascii_digit() || (*c == b'X' && run == 17) {
            run += 1;
            if run == 18 && !b.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                n += 1;
            }
        } else {
            run = 0;
        }
    }
    n
}

async fn console_pages(t: &TestDb) {
    let v = seed_village(t).await;
    let mut p = Page::new(t);

    // Anonymous: every page sends to the login form; assets are public.
    let g = p.get("/search").await;
    assert_eq!(g.status, StatusCode::SEE_OTHER);
    assert_eq!(g.location, "/login?next=/search");
    assert_eq!(p.get("/assets/htmx.min.js").await.status, StatusCode::OK);
    let g = p.get("/login").await;
    assert!(g.body.contains("登录名"), "Chinese by default");

    // A wrong password is refused with a reason in the page's language.
    let g = p
        .send(
            "POST",
            "/login",
            Some("login=cunshuji&password=Nope-1234&next=%2F"),
        )
        .await;
    assert_eq!(g.status, StatusCode::UNAUTHORIZED);
    assert!(g.body.contains("登录名或密码错误"));

    p.login("cunshuji").await;
    let g = p.get(&format!("/search?q={}", v.number)).await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(g.body.contains(&format!("/households/{}", v.household)));
    let g = p
        .get(&format!("/search/results?kind=households&q={}", v.number))
        .await;
    assert!(
        g.body.contains(&v.number) && !g.body.contains("<html"),
        "htmx partial"
    );

    // The household page shows members with masked ID numbers and phones.
    let g = p.get(&format!("/households/{}", v.household)).await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(g.body.contains("李秀英") && g.body.contains("王小明"));
    assert_eq!(full_id_numbers(&g.body), 0, "no full ID number on the page");
    assert!(
        g.body.contains("139****5678"),
        "phone masked to first 3 and last 4"
    );
    let masked = format!(
        "{}***********{}",
        &id_number(100)[..3],
        &id_number(100)[14..]
    );
    assert!(g.body.contains(&masked), "ID masked to first 3 and last 4");
    // It names its village and group, and shows who looks after it: the micro-grid's worker
    // (phone masked), the party member in contact, its cases.
    assert!(
        g.body.contains("昌宁镇 · 城关社区 · 第一村民小组"),
        "{}",
        g.body
    );
    let all = xiangzhi_storage::Scope::everything().by(crate::helpers::tester());
    let micro =
        t.db.get_household(&all, v.household)
            .await
            .unwrap()
            .micro_grid_id;
    t.db.create_staff(
        &all,
        &xiangzhi_registry::StaffInput {
            name: "周微格".into(),
            role: "micro".into(),
            grid_id: micro,
            phone: Some("13611112222".into()),
            unit: None,
            version: None,
        },
    )
    .await
    .unwrap();
    let (member,): (i64,) =
        t.db.one(&xiangzhi_storage::sql::Q::new(
            "SELECT id FROM party_members",
        ))
        .await
        .unwrap();
    {
        use xiangzhi_party::prelude::*;
        t.db.add_member_contact(&all, member, v.household)
            .await
            .unwrap();
    }
    crate::cases::categories(&t.db).await;
    let mut k = crate::cases::input("household-case", "141029100001001");
    k.household_id = Some(v.household);
    let filed =
        t.db.create_case(&all, &k, None, xiangzhi_storage::now_ms())
            .await
            .unwrap()
            .0;
    // A neighbours' dispute of the household, mediated, with a follow-up visit (回访).
    let mut d = crate::cases::input("household-dispute", "141029100001001");
    d.category = "neighbour".into();
    d.household_id = Some(v.household);
    let dispute =
        t.db.create_case(&all, &d, None, xiangzhi_storage::now_ms())
            .await
            .unwrap()
            .0;
    {
        use xiangzhi_cases::store::mediation::*;
        t.db.put_mediation(
            &all,
            dispute.id,
            &MediationInput {
                mediator: "村调委会".into(),
                parties: vec![
                    Party {
                        name: "甲".into(),
                        side: "申请人".into(),
                    },
                    Party {
                        name: "乙".into(),
                        side: "被申请人".into(),
                    },
                ],
                method: "说和".into(),
            },
            xiangzhi_storage::now_ms(),
        )
        .await
        .unwrap();
        t.db.add_mediation_session(
            &all,
            dispute.id,
            &SessionInput {
                place: "村委会".into(),
                summary: "双方各让一步".into(),
            },
            None,
            xiangzhi_storage::now_ms(),
        )
        .await
        .unwrap();
        t.db.set_mediation_agreement(
            &all,
            dispute.id,
            &AgreementInput {
                agreement: "院墙各退半尺".into(),
            },
            xiangzhi_storage::now_ms(),
        )
        .await
        .unwrap();
        t.db.add_mediation_visit(
            &all,
            dispute.id,
            &VisitInput {
                note: "两家相处和睦".into(),
                holding: true,
            },
            None,
            xiangzhi_storage::now_ms(),
        )
        .await
        .unwrap();
    }
    let g = p.get(&format!("/households/{}", v.household)).await;
    for words in [
        "周微格（微网格员）",
        "136****2222",
        "李秀英（联系党员）",
        "城关社区党支部",
        "回访记录",
        "协议在履行 · 两家相处和睦",
        &format!("/cases/{}", filed.id),
    ] {
        assert!(g.body.contains(words), "{words}: {}", g.body);
    }
    assert!(!g.body.contains("13611112222"));
    // A mediated agreement is due a follow-up visit a month after the last one: on the home page.
    let home = p.get("/").await.body;
    assert!(home.contains("没有到期的回访"), "{home}");
    t.db.execute_for_tests(&format!(
        "UPDATE mediation_visits SET visited_at = visited_at - 3456000000 WHERE case_id = {}",
        dispute.id
    ))
    .await
    .unwrap();
    let home = p.get("/").await.body;
    assert!(
        home.contains(&format!("#{} 邻里纠纷", dispute.id)) && home.contains("待回访的调解协议"),
        "{home}"
    );
    // The roster of the village's grid staff, and of one grid.
    let g = p.get("/staff?division=141029100001").await;
    assert!(
        g.body.contains("周微格") && g.body.contains("136****2222"),
        "{}",
        g.body
    );
    let g = p.get(&format!("/staff?grid={micro}&role=micro")).await;
    assert!(g.body.contains("周微格"), "{}", g.body);
    // Residents are found by mobile and by the ID number's last four; results name the village.
    let g = p.get("/search/results?kind=residents&q=13912345678").await;
    assert!(
        g.body.contains("李秀英") && g.body.contains("城关社区"),
        "{}",
        g.body
    );
    let g = p
        .get(&format!(
            "/search/results?kind=residents&q={}",
            &id_number(101)[14..]
        ))
        .await;
    assert!(g.body.contains("王建军"), "{}", g.body);

    // Searching residents by full ID number finds them, still masked.
    let g = p
        .get(&format!(
            "/search/results?kind=residents&q={}",
            id_number(101)
        ))
        .await;
    assert!(g.body.contains("王建军"));
    assert_eq!(full_id_numbers(&g.body), 0);

    // Revealing needs a purpose, shows the full number and is audited.
    let g = p
        .send(
            "POST",
            &format!("/residents/{}/reveal", v.resident),
            Some("purpose="),
        )
        .await;
    assert_eq!(g.status, StatusCode::BAD_REQUEST);
    assert_eq!(full_id_numbers(&g.body), 0);
    let g = p
        .send(
            "POST",
            &format!("/residents/{}/reveal", v.resident),
            Some("purpose=%E5%85%A5%E6%88%B7%E8%B5%B0%E8%AE%BF"),
        )
        .await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(g.body.contains(&id_number(100)));
    assert_eq!(
        t.db.count_for_tests(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'unmask' AND login = 'cunshuji' AND detail = '入户走访'"
        )
        .await
        .unwrap(),
        1
    );

    // Another township's records do not exist for this account.
    for path in [
        format!("/households/{}", v.other_household),
        format!("/residents/{}", v.other_resident),
        "/tree?division=141029101000".to_string(),
    ] {
        let g = p.get(&path).await;
        assert_eq!(g.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!g.body.contains("光华"), "{path} leaks nothing");
    }
    let g = p
        .get("/search/results?kind=households&q=%E5%85%89%E5%8D%8E")
        .await;
    assert!(!g.body.contains("光华"));

    // The other main pages render within the jurisdiction.
    for (path, expect) in [
        ("/tree", "城关社区"),
        ("/party", "城关社区党支部"),
        ("/coverage", "无网格员的微网格"),
        (&format!("/residents/{}", v.resident), "李秀英"),
    ] {
        let g = p.get(path).await;
        assert_eq!(g.status, StatusCode::OK, "{path}");
        assert!(g.body.contains(expect), "{path} shows {expect}");
    }
    let party = p.get("/party").await.body;
    let org = party
        .split("/party/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let g = p.get(&format!("/party/{org}")).await;
    assert!(g.body.contains("李秀英"), "the branch lists its members");

    // Not this role's pages.
    assert_eq!(p.get("/users").await.status, StatusCode::FORBIDDEN);
    assert_eq!(p.get("/audit").await.status, StatusCode::FORBIDDEN);

    // English on request.
    let g = p.get("/lang?to=en&back=%2Ftree").await;
    assert_eq!(g.location, "/tree");
    let g = p.get("/tree").await;
    assert!(g.body.contains("Divisions below") && g.body.contains("lang=\"en\""));

    // A form posted from another site is refused.
    let req = Request::builder()
        .method("POST")
        .uri("/logout")
        .header("host", "xiangzhi.local")
        .header("origin", "https://evil.example")
        .header("cookie", p.cookies.join("; "))
        .body(Body::empty())
        .unwrap();
    let resp = p.app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    // Logging out ends the session.
    let g = p.send("POST", "/logout", None).await;
    assert_eq!(g.location, "/login");
    assert_eq!(p.get("/tree").await.status, StatusCode::SEE_OTHER);

    // The security administrator manages accounts and cannot read residents.
    let mut s = Page::new(t);
    s.login("anquan").await;
    assert_eq!(s.get("/search").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        s.get(&format!("/households/{}", v.household)).await.status,
        StatusCode::FORBIDDEN
    );
    let g = s.get("/users").await;
    assert!(g.body.contains("cunshuji"));
    let g = s
        .send(
            "POST",
            "/users",
            Some("login=xinren&display_name=%E6%96%B0%E4%BA%BA&role=grid_worker&division_code=141029100001&password=short"),
        )
        .await;
    assert_eq!(
        g.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "password policy applies"
    );
    let g = s
        .send(
            "POST",
            "/users",
            Some("login=xinren&display_name=%E6%96%B0%E4%BA%BA&role=grid_worker&division_code=141029100001&password=Gongzuo-2026-ok"),
        )
        .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(g.body.contains("xinren"));

    // The auditor reads and verifies the log, and sees the unmasked view with its purpose.
    let mut a = Page::new(t);
    a.login("shenji").await;
    assert_eq!(a.get("/search").await.status, StatusCode::FORBIDDEN);
    let g = a.get("/audit").await;
    assert!(g.body.contains("入户走访") && g.body.contains("create user"));
    let g = a.send("POST", "/audit/verify", None).await;
    assert!(g.body.contains("审计链完整"), "{}", g.body);
}
on_both!(pages, console_pages);
/// The county the browser tests use: the village with its household, two case categories with a
/// case each, a grid worker on the micro-grid, a township with planning profiles and its officer.
async fn browser_county(t: &TestDb) -> Village {
    let v = seed_village(t).await;
    for (code, name, level) in [
        (
            "road",
            "道路破损",
            xiangzhi_cases::rules::CaseLevel::Village,
        ),
        (
            "neighbour",
            "邻里纠纷",
            xiangzhi_cases::rules::CaseLevel::MicroGrid,
        ),
    ] {
        t.db.put_case_category(
            &xiangzhi_storage::Scope::everything(),
            &xiangzhi_cases::store::CaseCategory {
                county_id: 141029,
                code: code.into(),
                name: name.into(),
                level,
                is_dispute: code == "neighbour",
                is_public: code != "neighbour",
            },
        )
        .await
        .unwrap();
        t.db.create_case(
            &xiangzhi_storage::Scope::everything(),
            &xiangzhi_cases::store::CaseInput {
                idempotency_key: code.into(),
                category: code.into(),
                description: format!("{name}：村口至幸福街一段"),
                division_code: "141029100001".into(),
                household_id: Some(v.household),
                grid_id: None,
                urgency: "normal".into(),
                reporter_kind: "grid_worker".into(),
                reporter_name: Some("王网格".into()),
                anonymous: false,
                latitude: None,
                longitude: None,
                reporter_phone: None,
                tracking_hash: None,
            },
            None,
            xiangzhi_storage::now_ms(),
        )
        .await
        .unwrap();
    }
    // A grid worker bound to the village's micro-grid, for the mobile page.
    let micro =
        t.db.list_grids(
            &xiangzhi_storage::Scope::everything(),
            &xiangzhi_storage::ListQuery {
                kind: Some("micro".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items[0]
            .id;
    t.db.create_user(
        &crate::helpers::tester(),
        &xiangzhi_storage::accounts::NewUser {
            login: "wanggeyuan".into(),
            display_name: "王网格".into(),
            role: "grid_worker".into(),
            division_code: "141029100001".into(),
            grid_id: Some(micro),
            password: PASSWORD.into(),
        },
    )
    .await
    .unwrap();
    // A township with planning profiles and its officer, for the alliance pages.
    let admin = Client::new(t).await;
    crate::plans::add_villages(&admin).await;
    crate::plans::put_profiles(&admin).await;
    crate::api::add_user(t, "zhenzhang", "township_officer", "141029100000").await;
    crate::api::add_user(t, "xianji", "county_admin", "141029000000").await;
    // A rented house with a tenant living there and one who left, for the rentals pages.
    let (grid,): (String,) =
        t.db.one(&xiangzhi_storage::sql::Q::new(
            "SELECT t.code FROM grids t WHERE t.level = 'micro' ORDER BY t.id LIMIT 1",
        ))
        .await
        .unwrap();
    let file = std::env::temp_dir().join(format!("xz_browser_rentals_{}.csv", std::process::id()));
    std::fs::write(
        &file,
        format!(
            "微网格编码,房屋地址,房东姓名,房东电话,房屋用途,租客姓名,租客身份证号码,租客电话,户籍地,工作单位,入住日期,退租日期\n\
             {grid},城关社区幸福街3号,李秀英,13912345678,居住,赵小兵,140105199203150017,13912340000,太原市小店区,县城关中学,2026-03-01,\n\
             {grid},城关社区幸福街3号,李秀英,13912345678,居住,钱多多,130402198807060021,,河北省邯郸市,,2025-05-10,2026-02-01\n"
        ),
    )
    .unwrap();
    xiangzhi_registry::import(
        &t.db,
        &xiangzhi_storage::Scope::everything(),
        xiangzhi_registry::Layout::Rentals,
        &file,
        None,
        &xiangzhi_tabular::Quiet,
    )
    .await
    .unwrap();
    let _ = std::fs::remove_file(&file);
    browser_points(t, &v).await;
    crate::economy::members_of(t, v.household).await;
    // The branch's cooperative, for its page.
    Client::as_role(t, "village_secretary", "141029100001")
        .await
        .ok(
            "POST",
            "/api/v1/economy/enterprises",
            Some(
                serde_json::json!({"division_code": "141029100001", "name": "城关蔬菜专业合作社",
                "kind": "cooperative", "business": "蔬菜种植与销售", "founded_on": "2024-03-01"}),
            ),
        )
        .await;
    v
}

/// Points for the browser's pages: a household's award and deduction, the village's lists of
/// last month published (on the public board) and this month's open to objection, and the
/// branch's month on the board.
async fn browser_points(t: &TestDb, v: &Village) {
    use serde_json::json;
    let county = Client::as_role(t, "county_admin", "141029000000").await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let officer = Client::as_role(t, "township_officer", "141029100000").await;
    let rule = |code: &str, item: &str, points: i64, holder: &str| {
        json!({"holder": holder, "code": code, "dimension": if holder == "member" { "思想政治" } else { "人居环境" },
            "item": item, "points": points, "evidence_required": false})
    };
    let mut ids = Vec::new();
    for r in [
        rule("HJ01", "庭院整洁", 5, "household"),
        rule("HB01", "垃圾乱倒", -5, "household"),
        rule("SX01", "按时参加组织生活", 20, "member"),
    ] {
        ids.push(county.ok("POST", "/api/v1/points/rules", Some(r)).await["id"].clone());
    }
    let member = county
        .ok("GET", "/api/v1/party-members?division=141029100001", None)
        .await["items"][0]["id"]
        .clone();
    let now = xiangzhi_storage::now_ms();
    let this = xiangzhi_domain::china_month(now);
    let last = xiangzhi_domain::china_month(now - 31 * 86_400_000);
    for (holder, id, rule, month) in [
        ("household", json!(v.household), &ids[0], &last),
        ("household", json!(v.household), &ids[0], &last),
        ("household", json!(v.household), &ids[1], &last),
        ("household", json!(v.household), &ids[0], &this),
        ("member", member.clone(), &ids[2], &this),
    ] {
        let c = sec
            .ok(
                "POST",
                "/api/v1/points/claims",
                Some(json!({"holder": holder, "holder_id": id, "rule_id": rule, "month": month})),
            )
            .await;
        officer
            .ok(
                "POST",
                &format!(
                    "/api/v1/points/claims/{}/{}/decision",
                    c["county_id"], c["id"]
                ),
                Some(json!({"approve": true})),
            )
            .await;
    }
    let scope = officer.acting_in("141029100000").await;
    use xiangzhi_points::BoardStore;
    let drafted = now - 10 * 86_400_000;
    let b =
        t.db.draft_board(
            &scope,
            &xiangzhi_points::boards::DraftInput {
                division_code: "141029100001".into(),
                month: last,
            },
            drafted,
        )
        .await
        .unwrap();
    t.db.publish_board(&scope, 141029, b.board.id, drafted + 3 * 86_400_000)
        .await
        .unwrap();
    officer
        .ok(
            "POST",
            "/api/v1/points/boards",
            Some(json!({"division_code": "141029100001", "month": this})),
        )
        .await;
    let branch = county.branch_of("141029100001").await;
    officer
        .ok(
            "POST",
            "/api/v1/points/member-months",
            Some(json!({"org_id": branch, "month": this})),
        )
        .await;
}

/// What the browser scripts are told: the accounts of `browser_county`, the household and
/// resident, and where screenshots go.
fn browser_env(v: &Village) -> Vec<(&'static str, String)> {
    let root = crate::helpers::workspace_root();
    vec![
        ("XZ_SECRETARY", "cunshuji".into()),
        ("XZ_SECURITY", "anquan".into()),
        ("XZ_AUDITOR", "shenji".into()),
        ("XZ_GRID_WORKER", "wanggeyuan".into()),
        ("XZ_OFFICER", "zhenzhang".into()),
        ("XZ_ADMIN", "xianji".into()),
        ("XZ_PASSWORD", PASSWORD.into()),
        ("XZ_HOUSEHOLD", v.number.clone()),
        ("XZ_HOUSEHOLD_ID", v.household.to_string()),
        ("XZ_RESIDENT_ID", v.resident.to_string()),
        (
            "XZ_ARTIFACTS",
            root.join("artifacts/screenshots").display().to_string(),
        ),
    ]
}

/// Whether the browser tools are installed (required under CI).
fn browser_ready() -> bool {
    let root = crate::helpers::workspace_root();
    let ready = std::path::Path::new("/usr/bin/chromium").exists()
        && root
            .join("tests/browser/node_modules/playwright-core")
            .exists();
    if !ready {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the browser test must run under CI: run scripts/browser-setup"
        );
        eprintln!("skipping the browser test: run scripts/browser-setup first");
    }
    ready
}

/// Markup a township officer or clerk could type into any name: it must show as text everywhere.
const HOSTILE: &str = "<img src=x onerror=\"window.__xss=(window.__xss||0)+1\">";

/// Every page that shows names people typed, in Chromium, with hostile markup in those names
/// (villages, industries, categories, cases, households, residents, accounts, the audit log): no
/// script runs, and the Content-Security-Policy blocks nothing the pages need.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_hostile_names() {
    if !browser_ready() {
        return;
    }
    let t = TestDb::new(Backend::Sqlite).await.unwrap();
    let v = browser_county(&t).await;
    for sql in [
        format!("UPDATE divisions SET name = name || '{HOSTILE}' WHERE level IN ('village', 'township')"),
        format!("UPDATE village_profiles SET industries = '{HOSTILE}|苹果'"),
        format!("UPDATE case_categories SET name = '{HOSTILE}'"),
        format!("UPDATE cases SET description = '{HOSTILE}', reporter_name = '{HOSTILE}'"),
        format!("UPDATE households SET address = '{HOSTILE}'"),
        format!("UPDATE residents SET name = '{HOSTILE}'"),
        format!("UPDATE users SET display_name = '{HOSTILE}'"),
    ] {
        t.db.execute_for_tests(&sql).await.unwrap();
    }
    // A login attempt under a hostile name lands in the audit log the auditor reads.
    let _ = xiangzhi_web::sign_in(
        &xiangzhi_web::AppState::new(t.db.clone()),
        HOSTILE,
        "x",
        &axum::http::Extensions::new(),
        None,
    )
    .await;
    let stdout = crate::helpers::run_against_server(
        &t,
        "hostile names browser test",
        std::path::Path::new("node"),
        "tests/browser/hostile.test.mjs",
        &browser_env(&v),
    )
    .await;
    println!("{stdout}");
    t.finish().await;
}

/// The console in Debian's Chromium (playwright-core): a village secretary on a phone logs in,
/// finds a household and sees masked ID numbers; a screenshot of each main page is kept in
/// `artifacts/screenshots`. Needs `scripts/browser-setup` (run by `scripts/test`); required under CI.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser() {
    if !browser_ready() {
        return;
    }
    let t = TestDb::new(Backend::Sqlite).await.unwrap();
    let v = browser_county(&t).await;
    let stdout = crate::helpers::run_against_server(
        &t,
        "browser test",
        std::path::Path::new("node"),
        "tests/browser/console.test.mjs",
        &browser_env(&v),
    )
    .await;
    println!("{stdout}");
    // The report filed with the network cut, resent after a lost answer, is one case.
    let filed =
        t.db.list_cases(
            &xiangzhi_storage::Scope::everything(),
            &xiangzhi_storage::ListQuery {
                q: Some("山体滑坡".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(filed.items.len(), 1, "the offline report became one case");
    assert!(filed.items[0].reported_by.is_some());
    t.finish().await;
}

/// The case inbox and a case's page with its timeline.
/// A resident's report of a collapsed road in `division`, filed under `key`.
fn road_report(key: &str, division: &str) -> xiangzhi_cases::store::CaseInput {
    xiangzhi_cases::store::CaseInput {
        idempotency_key: key.into(),
        category: "road".into(),
        description: format!("{key}：路面塌陷"),
        division_code: division.into(),
        household_id: None,
        grid_id: None,
        urgency: "normal".into(),
        reporter_kind: "resident".into(),
        reporter_name: None,
        anonymous: false,
        latitude: None,
        longitude: None,
        reporter_phone: None,
        tracking_hash: None,
    }
}

async fn case_pages(t: &TestDb) {
    seed_village(t).await;
    crate::cases::categories(&t.db).await;
    let file = road_report;
    let all = xiangzhi_storage::Scope::everything();
    let (mine, _) =
        t.db.create_case(&all, &file("本村", "141029100001"), None, 0)
            .await
            .unwrap();
    let (theirs, _) =
        t.db.create_case(&all, &file("光华", "141029101001"), None, 0)
            .await
            .unwrap();
    let mut p = Page::new(t);
    p.login("cunshuji").await;
    let g = p.get("/cases").await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(
        g.body.contains("本村：路面塌陷"),
        "waiting to be dispatched"
    );
    assert!(g.body.contains("class=\"late\""), "past its deadline");
    assert!(!g.body.contains("光华"), "not another township's");
    let g = p.get(&format!("/cases/{}", mine.id)).await;
    assert!(
        g.body.contains("<b>上报</b> → 已上报"),
        "the timeline speaks Chinese"
    );
    assert_eq!(
        p.get(&format!("/cases/{}", theirs.id)).await.status,
        StatusCode::NOT_FOUND
    );
    // A case assigned to the secretary shows among its notices.
    let me = t.db.user_by_login("cunshuji").await.unwrap();
    for action in [
        xiangzhi_cases::rules::Action::Accept,
        xiangzhi_cases::rules::Action::Assign { handler: me.id },
    ] {
        t.db.case_step(
            &all,
            mine.id,
            &action,
            xiangzhi_cases::store::By {
                actor: xiangzhi_cases::rules::Actor::Dispatcher,
                user: Some(me.id),
                note: "",
                at: 1,
                public: false,
            },
        )
        .await
        .unwrap();
    }
    let g = p.get("/notifications").await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(
        g.body.contains(&format!("事项#{}已派给您办理", mine.id)),
        "{}",
        g.body
    );
    assert!(g.body.contains("没有发送失败的通知"));
    // Steps and photos from the case page.
    let g = p
        .send(
            "POST",
            &format!("/cases/{}/step", mine.id),
            Some("action=start&note=%E5%B7%B2%E5%88%B0%E7%8E%B0%E5%9C%BA"),
        )
        .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.body);
    let g = p
        .send(
            "POST",
            &format!("/cases/{}/step", mine.id),
            Some("action=merge&note="),
        )
        .await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(g.body.contains("合并要填事项号"), "{}", g.body);
    let g = p
        .multipart(
            &format!("/cases/{}/files", mine.id),
            "现场.jpg",
            &[0xFF, 0xD8, 0xFF, 0xE0, 9, 9],
        )
        .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.body);
    let g = p
        .multipart(&format!("/cases/{}/files", mine.id), "x.jpg", b"<html>")
        .await;
    assert!(g.body.contains("只接受照片"), "{}", g.body);
    let g = p.get(&format!("/cases/{}", mine.id)).await;
    assert!(g.body.contains("已到现场") && g.body.contains("开始办理"));
    assert!(g
        .body
        .contains(&format!("/api/v1/cases/{}/files/1", mine.id)));
    // Statistics with charts, and the same figures as a workbook.
    let g = p.get("/stats?from=1970-01-01&to=2100-12-31").await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(g.body.contains("按时办结率") && g.body.contains("echarts.min.js"));
    assert!(
        g.body.contains("道路破损"),
        "category names in the chart data"
    );
    assert_eq!(p.get("/assets/echarts.min.js").await.status, StatusCode::OK);
    let g = p.get("/stats?division=141029101000").await;
    assert_eq!(
        g.status,
        StatusCode::NOT_FOUND,
        "another township's figures"
    );
    let x = p.get("/stats.xlsx?from=1970-01-01&to=2100-12-31").await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.body.starts_with("PK"), "an .xlsx workbook");
    // The mobile report page offers the county's categories and only the divisions in reach,
    // and weighs little (page, script and service worker together).
    let m = p.get("/m/").await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.body.contains("value=\"road\""), "{}", m.body);
    assert!(m.body.contains("城关社区") && !m.body.contains("光华"));
    let script = p.get("/m/app.js").await;
    let worker = p.get("/m/sw.js").await;
    assert_eq!(
        (script.status, worker.status),
        (StatusCode::OK, StatusCode::OK)
    );
    let weight = m.body.len() + script.body.len() + worker.body.len();
    assert!(weight < 150 * 1024, "{weight} bytes");
    let mut anonymous = Page::new(t);
    let g = anonymous.get("/m/").await;
    assert_eq!(g.status, StatusCode::SEE_OTHER);
    assert!(g.location.starts_with("/login?next=/m/"), "{}", g.location);
}
on_both!(inbox, case_pages);

/// The home page shows a secretary what waits (overdue first, names not codes), the week's figures
/// and quick actions; the ledger filters, searches, pages and exports the area's cases only.
async fn home_and_ledger(t: &TestDb) {
    seed_village(t).await;
    crate::cases::categories(&t.db).await;
    let file = |key: &str, division: &str, at: i64| {
        let input = road_report(key, division);
        let db = t.db.clone();
        async move {
            db.create_case(&xiangzhi_storage::Scope::everything(), &input, None, at)
                .await
                .unwrap()
                .0
        }
    };
    let now = xiangzhi_storage::now_ms();
    let late = file("旧案", "141029100001", 0).await;
    let fresh = file("新案", "141029100001", now).await;
    file("光华", "141029101001", now).await;
    let mut p = Page::new(t);
    p.login("cunshuji").await;
    let g = p.get("/").await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    for words in [
        "待受理、待派单",
        "本周概况",
        "本周新报",
        "登记事项",
        "事件台账",
        // The header names the account's village, not its code.
        "· 城关社区</span>",
    ] {
        assert!(g.body.contains(words), "{words}: {}", g.body);
    }
    let (a, b) = (
        g.body
            .find(&format!("#{} 道路破损", late.id))
            .expect("the old case"),
        g.body
            .find(&format!("#{} 道路破损", fresh.id))
            .expect("the new case"),
    );
    assert!(a < b, "overdue first");
    assert!(g.body.contains("超期") && !g.body.contains("光华"));
    // The ledger: the area's cases with names; filters; search; a bad date in words.
    let g = p.get("/cases/ledger").await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(g.body.contains("旧案：路面塌陷") && g.body.contains("新案：路面塌陷"));
    assert!(g.body.contains("道路破损") && g.body.contains("城关社区"));
    assert!(!g.body.contains("光华"), "not another township's");
    let g = p
        .get("/cases/ledger?q=%E6%97%A7%E6%A1%88&state=reported")
        .await;
    assert!(g.body.contains("旧案") && !g.body.contains("新案：路面塌陷"));
    let g = p.get("/cases/ledger?overdue=1").await;
    assert!(g.body.contains("旧案") && !g.body.contains("新案：路面塌陷"));
    let g = p.get("/cases/ledger?state=closed").await;
    assert!(g.body.contains("没有符合条件的事件"));
    let g = p.get("/cases/ledger?division=141029101001").await;
    assert!(
        g.body.contains("没有符合条件的事件"),
        "another township's village"
    );
    let g = p.get("/cases/ledger?from=yesterday").await;
    assert!(g.body.contains("起始日期应为"), "{}", g.body);
    // Sorting, and the export of the filtered list (audited).
    let g = p.get("/cases/ledger?sort=oldest").await;
    assert!(g.body.find("旧案").unwrap() < g.body.find("新案：路面塌陷").unwrap());
    let x = p.get("/cases/ledger.xlsx?sort=oldest").await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.body.starts_with("PK"), "an .xlsx workbook");
    assert_eq!(
        t.db.count_for_tests(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'export case ledger' AND login = 'cunshuji'"
        )
        .await
        .unwrap(),
        1
    );
    // The case page: names, not codes; the deadline in words; only the steps this account may
    // take now (a village secretary dispatches a village case, but does not supervise it).
    let g = p.get(&format!("/cases/{}", late.id)).await;
    for words in ["道路破损", "城关社区", "尚未派单", "已超期"] {
        assert!(g.body.contains(words), "{words}: {}", g.body);
    }
    assert!(g.body.contains("value=\"accept\"") && !g.body.contains("value=\"supervise\""));
    assert!(
        !g.body.contains("value=\"resolve\""),
        "only the handler resolves"
    );
    assert!(!g.body.contains(">road<") && !g.body.contains("<code>141029100001</code>"));
    // A resolved case: the secretary may record the resident's answer (saying how it was got);
    // the colleague who resolved it may not.
    let worker = crate::api::add_user(t, "banshiyuan", "village_secretary", "141029100001").await;
    let me = t.db.user_by_login("cunshuji").await.unwrap();
    for (action, actor, user) in [
        (
            xiangzhi_cases::rules::Action::Accept,
            xiangzhi_cases::rules::Actor::Dispatcher,
            me.id,
        ),
        (
            xiangzhi_cases::rules::Action::Assign { handler: worker.id },
            xiangzhi_cases::rules::Actor::Dispatcher,
            me.id,
        ),
        (
            xiangzhi_cases::rules::Action::Start,
            xiangzhi_cases::rules::Actor::Handler,
            worker.id,
        ),
        (
            xiangzhi_cases::rules::Action::Resolve,
            xiangzhi_cases::rules::Actor::Handler,
            worker.id,
        ),
    ] {
        let by = xiangzhi_cases::store::By {
            actor,
            user: Some(user),
            note: "",
            at: now,
            public: false,
        };
        t.db.case_step(
            &xiangzhi_storage::Scope::everything(),
            fresh.id,
            &action,
            by,
        )
        .await
        .unwrap();
    }
    let g = p.get(&format!("/cases/{}", fresh.id)).await;
    assert!(g.body.contains("value=\"confirm\"") && g.body.contains("name=\"via\""));
    let mut w = Page::new(t);
    w.login("banshiyuan").await;
    let g = w.get(&format!("/cases/{}", fresh.id)).await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(
        !g.body.contains("value=\"confirm\""),
        "nobody confirms their own work"
    );
    // A village secretary reads plans but is shown no form its role cannot submit.
    let g = p.get("/alliances").await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(g.body.contains("联建规划由县、乡镇发起") && !g.body.contains("plan-form"));
    // Every figure of the statistics leads to the cases behind it.
    let g = p.get("/stats?from=1970-01-01&to=2100-12-31").await;
    let body = g.body.replace("&#38;", "&").replace("&amp;", "&");
    let link = "/cases/ledger?from=1970-01-01&to=2100-12-31&division=141029100001";
    assert!(body.contains(&format!("{link}&category=road")), "{body}");
    assert!(body.contains(&format!("{link}&overdue=1")));
    let g = p
        .get("/cases/ledger?from=1970-01-01&to=2100-12-31&division=141029100001&category=road")
        .await;
    assert!(
        g.body.contains("<strong>2</strong>"),
        "both of the village's cases"
    );
    // Every role lands on a home page of its own.
    let mut auditor = Page::new(t);
    auditor.login("shenji").await;
    let g = auditor.get("/").await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(g.body.contains("查看审计日志") && !g.body.contains("待我办理"));
    // Assets: linked with their version, cached for a year at that version, sent compressed.
    let href = g
        .body
        .split("href=\"")
        .find(|s| s.starts_with("/assets/app.css?v="))
        .and_then(|s| s.split('"').next())
        .expect("the stylesheet's versioned address")
        .to_string();
    let get = |uri: &str, encoding: &str| {
        let req = Request::builder()
            .uri(uri)
            .header("host", "localhost")
            .header("accept-encoding", encoding)
            .body(Body::empty())
            .unwrap();
        auditor.app.clone().oneshot(req)
    };
    let r = get(&href, "identity").await.unwrap();
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let r = get("/assets/app.css?v=old", "identity").await.unwrap();
    assert_eq!(r.headers()["cache-control"], "public, max-age=300");
    let r = get("/assets/echarts.min.js", "br, gzip").await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "br");
    let sent = r.into_body().collect().await.unwrap().to_bytes().len();
    assert!(sent < 450_000, "ECharts sent in {sent} bytes");
}
on_both!(home_page_and_ledger, home_and_ledger);

/// A resident reports on the public page without an account, follows the case with the tracking
/// code, and confirms the result with a rating; the handler sees the reporter, masked.
async fn public_report(t: &TestDb) {
    seed_village(t).await;
    crate::cases::categories(&t.db).await;
    let mut resident = Page::new(t);
    let g = resident.get("/report?county=141029").await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(
        g.body.contains("道路破损") && g.body.contains("城关社区"),
        "{}",
        g.body
    );
    let (key, code) = (hidden(&g.body, "key"), hidden(&g.body, "code"));
    assert!(key.starts_with("public-") && code.len() == 8);
    let form = format!(
        "county=141029&key={key}&code={code}&category=road&division_code=141029100001\
         &description=%E8%B7%AF%E7%81%AF%E4%B8%8D%E4%BA%AE&name=%E5%BC%A0%E5%A4%A7%E5%A8%98&phone=13912345678&anonymous=1&website="
    );
    let first = resident.send("POST", "/report", Some(&form)).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    // The same form sent again (a double tap, a reload): the same case.
    let again = resident.send("POST", "/report", Some(&form)).await;
    assert_eq!(again.location, first.location);
    let track = resident.get(&first.location).await;
    assert_eq!(track.status, StatusCode::OK);
    assert!(
        track.body.contains(&code) && track.body.contains("已上报"),
        "{}",
        track.body
    );
    let id = id_in(&first.location);
    let wrong = resident
        .get(&format!(
            "/report/track?county=141029&id={id}&code=AAAAAAAA"
        ))
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    // A bad phone is refused with the reason in words (not a field's code name), nothing written.
    let bad = resident
        .send("POST", "/report", Some(&form.replace("13912345678", "12")))
        .await;
    assert!(bad.body.contains("联系电话："), "{}", bad.body);
    assert!(!bad.body.contains("reporter_phone"), "{}", bad.body);
    // The login page leads residents to the public form.
    let login = Page::new(t).get("/login").await;
    assert!(login.body.contains("href=\"/report\""));
    // The handlers see who reported (phone masked on the page, sealed at rest).
    let all = xiangzhi_storage::Scope::everything();
    let who = t.db.case_reporter(&all, id).await.unwrap();
    assert_eq!(who.reporter_phone.as_deref(), Some("13912345678"));
    assert!(who.anonymous);
    assert_eq!(
        t.db.count_for_tests(
            "SELECT COUNT(*) FROM cases WHERE reporter_phone LIKE '%13912345678%'"
        )
        .await
        .unwrap(),
        0,
        "sealed at rest"
    );
    let mut secretary = Page::new(t);
    secretary.login("cunshuji").await;
    let page = secretary.get(&format!("/cases/{id}")).await;
    assert!(page.body.contains("139****5678") && !page.body.contains("13912345678"));
    let me = t.db.user_by_login("cunshuji").await.unwrap();
    for action in [
        xiangzhi_cases::rules::Action::Accept,
        xiangzhi_cases::rules::Action::Assign { handler: me.id },
        xiangzhi_cases::rules::Action::Start,
        xiangzhi_cases::rules::Action::Resolve,
    ] {
        let actor = if matches!(
            action,
            xiangzhi_cases::rules::Action::Start | xiangzhi_cases::rules::Action::Resolve
        ) {
            xiangzhi_cases::rules::Actor::Handler
        } else {
            xiangzhi_cases::rules::Actor::Dispatcher
        };
        t.db.case_step(
            &all,
            id,
            &action,
            xiangzhi_cases::store::By {
                actor,
                user: Some(me.id),
                note: "",
                at: xiangzhi_storage::now_ms(),
                public: false,
            },
        )
        .await
        .unwrap();
    }
    let track = resident.get(&first.location).await;
    assert!(track.body.contains("请确认办理结果"), "{}", track.body);
    let answer = resident
        .send(
            "POST",
            "/report/track",
            Some(&format!(
                "county=141029&id={id}&code={code}&action=confirm&rating=4&note=%E5%A5%BD"
            )),
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let c = t.db.get_case(&all, id).await.unwrap();
    assert_eq!(
        (c.state, c.rating),
        (xiangzhi_cases::rules::CaseState::Confirmed, Some(4))
    );
    let timeline = t.db.case_timeline(&all, id).await.unwrap();
    assert_eq!(timeline.last().unwrap().actor, "resident");
}
on_both!(public_reporting, public_report);

/// The alliance planning pages: start a plan from the form, watch it finish, see the map, table
/// and unplaced villages, re-plan, compare, accept; bad input explained; rights and language.
async fn alliance_pages(t: &TestDb) {
    let admin = Client::new(t).await;
    crate::plans::seed_profiles(&admin).await;
    for (login, role, division) in [
        ("zhenzhang", "township_officer", "141029100000"),
        ("cunzhang", "village_secretary", "141029100101"),
    ] {
        crate::api::add_user(t, login, role, division).await;
    }
    let mut p = Page::new(t);
    p.login("zhenzhang").await;
    let g = p.get("/alliances").await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(
        g.body.contains("跨村联建规划") && g.body.contains("<b>20</b>"),
        "{}",
        g.body
    );
    // Bad input: said in the page, nothing started.
    let g = p
        .send(
            "POST",
            "/alliances",
            Some("division_code=141029100000&min_villages=abc"),
        )
        .await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(g.body.contains("应为数字"), "{}", g.body);
    assert!(g.body.contains("还没有方案"), "{}", g.body);
    let start = |form: &'static str| form;
    let mut ids = Vec::new();
    for form in [
        start("division_code=141029100000&one_lead=1&seed=3"),
        start("division_code=141029100000&one_lead=1&seed=3&forbids=141029100101+141029100102%0A141029100103%2C141029100108"),
    ] {
        let g = p.send("POST", "/alliances", Some(form)).await;
        assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.body);
        let id: i64 = g.location.trim_start_matches("/alliances/").parse().unwrap();
        let mut done = String::new();
        for _ in 0..400 {
            let g = p.get(&g.location).await;
            assert_eq!(g.status, StatusCode::OK);
            if g.body.contains("alliance-map") {
                done = g.body;
                break;
            }
            assert!(g.body.contains("every 1s"), "a running plan refreshes itself");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(done.contains("牵头村") && done.contains("未纳入的重点村"), "{done}");
        assert!(done.contains("xz-plan") && done.contains("采纳方案"), "{done}");
        ids.push(id);
    }
    let plan = admin
        .ok("GET", &format!("/api/v1/plans/{}", ids[1]), None)
        .await;
    assert_eq!(plan["params"]["forbids"].as_array().unwrap().len(), 2);
    let g = p
        .get(&format!("/alliances/compare?a={}&b={}", ids[0], ids[1]))
        .await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(g.body.contains("两方案相同的联建"), "{}", g.body);
    let g = p
        .send("POST", &format!("/alliances/{}/accept", ids[1]), None)
        .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.body);
    let g = p.get(&format!("/alliances/{}", ids[1])).await;
    assert!(
        g.body.contains("已采纳") && g.body.contains("已成立"),
        "{}",
        g.body
    );
    let orgs = admin.ok("GET", "/api/v1/party-orgs?limit=500", None).await;
    assert!(orgs["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["kind"] == "joint_committee"));
    // In English.
    p.cookies.push("xz_lang=en".into());
    let g = p.get(&format!("/alliances/{}", ids[0])).await;
    assert!(g.body.contains("Target villages not placed"), "{}", g.body);
    // A village secretary may look but not plan, and sees no township plans.
    let mut v = Page::new(t);
    v.login("cunzhang").await;
    let g = v.get("/alliances").await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(!g.body.contains(&format!("/alliances/{}\"", ids[0])));
    let g = v
        .send(
            "POST",
            "/alliances",
            Some("division_code=141029100101&one_lead=1"),
        )
        .await;
    assert_eq!(g.status, StatusCode::FORBIDDEN);
    let g = v.get(&format!("/alliances/{}", ids[0])).await;
    assert_eq!(g.status, StatusCode::NOT_FOUND);
}
on_both!(alliances, alliance_pages);

/// 三员分立 in the console: the security administrator's form files a request for a privileged
/// account; the county administrator sees it on the same page and approves it; the requester
/// cannot.
async fn account_requests(t: &TestDb) {
    seed_village(t).await;
    crate::api::add_user(t, "xianguan", "county_admin", "141029000000").await;
    let mut sec = Page::new(t);
    sec.login("anquan").await;
    // Disabling an account asks first: its button sits inside a closed details element.
    let g = sec.get("/users").await;
    assert!(
        g.body
            .contains("<details class=\"ask\"><summary>停用…</summary>"),
        "{}",
        g.body
    );
    let g = sec
        .send(
            "POST",
            "/users",
            Some("login=xinguan&display_name=%E6%96%B0%E7%AE%A1%E7%90%86%E5%91%98&role=county_admin&division_code=141029000000&password=Xin-Guan-2026"),
        )
        .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(g.body.contains("须由另一位管理员批准"), "{}", g.body);
    let id =
        t.db.count_for_tests("SELECT MAX(id) FROM account_requests")
            .await
            .unwrap();
    assert!(
        t.db.user_by_login("xinguan").await.is_err(),
        "not created before approval"
    );
    // The requester's approval is refused.
    let g = sec
        .send(
            "POST",
            &format!("/users/requests/{id}/approve"),
            Some("note="),
        )
        .await;
    assert_ne!(g.status, StatusCode::OK);
    assert!(g.body.contains("不能批准自己提出的申请"), "{}", g.body);
    // The county administrator sees the request (and no account list) and approves it.
    let mut boss = Page::new(t);
    let g = boss
        .send(
            "POST",
            "/login",
            Some(&format!("login=xianguan&password={PASSWORD}&next=%2Fusers")),
        )
        .await;
    assert_eq!(g.location, "/users");
    let g = boss.get("/users").await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(
        g.body.contains("新管理员") && g.body.contains("批准"),
        "{}",
        g.body
    );
    assert!(
        !g.body.contains("action=\"/users\""),
        "a county administrator does not manage accounts"
    );
    let g = boss
        .send(
            "POST",
            &format!("/users/requests/{id}/approve"),
            Some("note=%E5%90%8C%E6%84%8F"),
        )
        .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(g.body.contains("已批准"), "{}", g.body);
    let u = t.db.user_by_login("xinguan").await.unwrap();
    assert_eq!(
        u.password_changed_at, 0,
        "the new administrator sets a password first"
    );
}
on_both!(account_request_pages, account_requests);
