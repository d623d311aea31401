//! The jurisdiction matrix: for every API route (taken from the OpenAPI document, so a new route
//! cannot be missed) and every role bound inside a township, an account tries to read, list,
//! search, change and delete the sibling township's objects. Every attempt fails or returns nothing
//! of the sibling's, and the sibling's data is unchanged afterwards.

use crate::api::{id_number, seed_tree, Client};
use crate::helpers::TestDb;
use crate::on_both;
use serde_json::{json, Value};
use std::collections::HashMap;
use xiangzhi_cases::prelude::*;

/// One township's objects, by the path parameter kind they fill.
struct Objects {
    ids: HashMap<&'static str, String>,
    prefix: &'static str,
}

async fn township(
    t: &TestDb,
    admin: &Client,
    town: &str,
    village: &str,
    county_grid: i64,
    tag: &str,
    n: u32,
) -> Objects {
    let g = |level: &str, name: &str, d: &str, p: Option<i64>| json!({"level": level, "name": name, "division_code": d, "parent_id": p});
    let id = |v: Value| v["id"].as_i64().unwrap();
    let tg = id(admin
        .ok(
            "POST",
            "/api/v1/grids",
            Some(g(
                "township_centre",
                &format!("{tag}中心"),
                town,
                Some(county_grid),
            )),
        )
        .await);
    let vg = id(admin
        .ok(
            "POST",
            "/api/v1/grids",
            Some(g("village", &format!("{tag}村网格"), village, Some(tg))),
        )
        .await);
    let gg = id(admin
        .ok(
            "POST",
            "/api/v1/grids",
            Some(g("group", &format!("{tag}组网格"), village, Some(vg))),
        )
        .await);
    let mg = id(admin
        .ok(
            "POST",
            "/api/v1/grids",
            Some(g("micro", &format!("{tag}微网格"), village, Some(gg))),
        )
        .await);
    let staff = id(admin
        .ok(
            "POST",
            "/api/v1/staff",
            Some(json!({"name": format!("{tag}员"), "role": "micro", "grid_id": mg})),
        )
        .await);
    let h = id(admin
        .ok(
            "POST",
            "/api/v1/households",
            Some(json!({"number": format!("{tag}-H1"), "micro_grid_id": mg, "address": "1号"})),
        )
        .await);
    let h2 = id(admin
        .ok(
            "POST",
            "/api/v1/households",
            Some(json!({"number": format!("{tag}-H2"), "micro_grid_id": mg, "address": "2号"})),
        )
        .await);
    let r = id(admin
        .ok("POST", "/api/v1/residents", Some(json!({"household_id": h, "name": format!("{tag}民"), "id_number": id_number(n), "relation": "head"})))
        .await);
    let committee = id(admin
        .ok(
            "POST",
            "/api/v1/party-orgs",
            Some(json!({"kind": "committee", "name": format!("{tag}党委"), "division_code": town})),
        )
        .await);
    let branch = id(admin
        .ok("POST", "/api/v1/party-orgs", Some(json!({"kind": "branch", "name": format!("{tag}支部"), "division_code": village, "parent_id": committee})))
        .await);
    let member = id(admin
        .ok("POST", "/api/v1/party-members", Some(json!({"resident_id": r, "org_id": branch, "status": "full", "joined_on": "2001-07-01"})))
        .await);
    admin
        .ok(
            "PUT",
            &format!("/api/v1/party-members/{member}/contacts/{h}"),
            None,
        )
        .await;
    let duty = id(admin
        .ok("POST", "/api/v1/contact-duties", Some(json!({"person_name": format!("{tag}领导"), "rank": "county_leader", "target": "village", "division_code": village, "since": "2026-01-01"})))
        .await);
    let case = id(admin
        .ok("POST", "/api/v1/cases", Some(json!({"idempotency_key": format!("matrix-{tag}"), "category": "road", "description": format!("{tag}道路破损"), "division_code": village, "reporter_kind": "grid_worker"})))
        .await);
    // A step that notifies someone: the case is accepted and assigned to the administrator.
    let me = id(admin.ok("GET", "/api/v1/auth/me", None).await);
    admin
        .ok(
            "POST",
            &format!("/api/v1/cases/{case}/actions"),
            Some(json!({"action": "accept"})),
        )
        .await;
    admin
        .ok(
            "POST",
            &format!("/api/v1/cases/{case}/actions"),
            Some(json!({"action": "assign", "handler": me})),
        )
        .await;
    let notices = admin
        .ok(
            "GET",
            &format!("/api/v1/notifications?division={village}"),
            None,
        )
        .await;
    let notification = notices["items"][0]["id"].as_i64().unwrap();
    // A village profile and a plan of the township.
    admin
        .ok(
            "PUT",
            "/api/v1/village-profiles",
            Some(json!([{"code": village, "population": 500, "longitude": 110.8, "latitude": 36.0, "industries": ["苹果"], "target": true, "may_lead": false}])),
        )
        .await;
    let plan = id(admin
        .ok(
            "POST",
            "/api/v1/plans",
            Some(json!({"division_code": town, "seconds": 1})),
        )
        .await);
    crate::plans::wait(admin, plan).await;
    // An import job, checked and waiting, uploaded by the township's clerk.
    let clerk = Client::as_role(t, "township_officer", town).await;
    let micro_code = admin.ok("GET", &format!("/api/v1/grids/{mg}"), None).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let csv = format!(
        "户号,微网格编码,住址,姓名,身份证号码,与户主关系\n{tag}-H9,{micro_code},9号,{tag}甲,{},户主\n",
        id_number(n + 500)
    );
    let (_, _, b) = clerk
        .raw(
            "POST",
            "/api/v1/imports?layout=households&name=a.csv",
            Some((csv.into_bytes(), "application/octet-stream")),
        )
        .await;
    let import: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(import["status"], "checked", "{import}");
    // Points: a rule of the county, a household's points recorded by the clerk and approved by
    // another officer (an entry), and a claim left waiting.
    let rule = id(admin
        .ok("POST", "/api/v1/points/rules", Some(json!({"county_id": 141029, "holder": "household", "code": format!("{tag}R"), "dimension": "人居环境", "item": "清洁", "points": 5})))
        .await);
    let claim_body = json!({"holder": "household", "holder_id": h, "rule_id": rule, "month": "2026-11", "evidence": "清理"});
    let first = clerk
        .ok("POST", "/api/v1/points/claims", Some(claim_body.clone()))
        .await;
    let approver = Client::as_role(t, "township_officer", town).await;
    let approved = approver
        .ok(
            "POST",
            &format!("/api/v1/points/claims/141029/{}/decision", first["id"]),
            Some(json!({"approve": true})),
        )
        .await;
    // A village's red and black lists, drafted with the household on the red list, and an
    // objection to its place recorded by the clerk.
    let board = approver
        .ok(
            "POST",
            "/api/v1/points/boards",
            Some(json!({"division_code": village, "month": "2026-11"})),
        )
        .await;
    let board_entry = board["entries"][0]["id"].as_i64().unwrap();
    let board = board["board"]["id"].as_i64().unwrap();
    let objection = id(clerk
        .ok(
            "POST",
            &format!("/api/v1/points/boards/141029/{board}/objections"),
            Some(json!({"entry_id": board_entry, "objector": format!("{tag}户主"), "reason": "有误"})),
        )
        .await);
    let waiting = id(clerk
        .ok("POST", "/api/v1/points/claims", Some(claim_body))
        .await);
    // A villagers' meeting of the village, recorded by the township's clerk.
    let meeting = clerk
        .ok(
            "POST",
            "/api/v1/meetings",
            Some(json!({"division_code": village, "kind": "representatives_meeting", "title": format!("{tag}代表会议"),
                "held_on": "2026-11-30", "roll": {"entitled": 30, "households": 0, "present": 20, "online": 0,
                "proxies": 0, "households_present": 0}})),
        )
        .await["meeting"]["id"]
        .as_i64()
        .unwrap();
    let matter = clerk
        .ok(
            "POST",
            "/api/v1/matters",
            Some(json!({"division_code": village, "kind": "house_sites", "title": format!("{tag}宅基地方案")})),
        )
        .await["matter"]["id"]
        .as_i64()
        .unwrap();
    // The village's collective: a member, a household's land shares, a drafted distribution.
    let collective_member = id(clerk
        .ok(
            "POST",
            "/api/v1/economy/members",
            Some(json!({"resident_id": r, "joined_on": "2020-01-01", "joined_how": "founding"})),
        )
        .await);
    clerk
        .ok(
            "POST",
            "/api/v1/economy/holdings",
            Some(json!({"household_id": h, "kind": "land", "shares": 250, "since": "2020-01-01", "certificate": format!("{tag}-L1")})),
        )
        .await;
    let distribution = clerk
        .ok(
            "POST",
            "/api/v1/economy/distributions",
            Some(json!({"division_code": village, "year": 2026, "title": format!("{tag}分配"), "distributable": 100_000,
                "reserve": 1000, "classes": [{"name": "集体", "weight": 2000, "kept": true},
                {"name": "农户", "weight": 8000, "basis": "members"}]})),
        )
        .await["distribution"]["id"]
        .as_i64()
        .unwrap();
    let lease = clerk
        .ok(
            "POST",
            "/api/v1/economy/leases",
            Some(json!({"division_code": village, "resource": format!("{tag}东坡耕地"), "kind": "land", "area": 1250,
                "price": 80000, "lessee": format!("{tag}合作社"), "start_on": "2025-03-01", "years": 5, "per_year": 1})),
        )
        .await["lease"]["id"]
        .as_i64()
        .unwrap();
    let asset = clerk
        .ok(
            "POST",
            "/api/v1/economy/assets",
            Some(json!({"division_code": village, "name": format!("{tag}冷库"), "category": "building", "cost": 10_000_000,
                "salvage": 400_000, "months": 120, "acquired_on": "2024-01-10", "state": "idle"})),
        )
        .await["asset"]["id"]
        .as_i64()
        .unwrap();
    let resource = clerk
        .ok(
            "POST",
            "/api/v1/economy/resources",
            Some(json!({"division_code": village, "name": format!("{tag}荒坡"), "kind": "barren", "area": 3_000,
                "certificate": format!("{tag}-确权-1"), "used_by": "", "state": "idle"})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let enterprise = clerk
        .ok(
            "POST",
            "/api/v1/economy/enterprises",
            Some(json!({"division_code": village, "name": format!("{tag}种植合作社"), "kind": "cooperative",
                "business": "蔬菜种植", "founded_on": "2024-03-01"})),
        )
        .await["enterprise"]["id"]
        .as_i64()
        .unwrap();
    let fund = clerk
        .ok(
            "POST",
            "/api/v1/economy/funds",
            Some(json!({"division_code": village, "entry_on": "2026-11-05", "direction": "income", "category": "contracting",
                "amount": 1_000_000, "summary": format!("{tag}土地租金"), "voucher": format!("{tag}-记-001")})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let project = clerk
        .ok(
            "POST",
            "/api/v1/economy/projects",
            Some(json!({"division_code": village, "name": format!("{tag}烘干车间"), "kind": "processing", "budget": 100_000})),
        )
        .await;
    let project_milestone = clerk
        .ok(
            "POST",
            &format!(
                "/api/v1/economy/projects/141029/{}/milestones",
                project["project"]["id"]
            ),
            Some(json!({"title": format!("{tag}完工"), "due_on": "2026-12-30"})),
        )
        .await["milestones"][0]["id"]
        .to_string();
    let project = project["project"]["id"].to_string();
    let month = approver
        .ok(
            "POST",
            "/api/v1/points/member-months",
            Some(json!({"org_id": branch, "month": "2026-10"})),
        )
        .await["month"]["id"]
        .as_i64()
        .unwrap();
    let goods = id(clerk
        .ok(
            "POST",
            "/api/v1/points/goods",
            Some(json!({"division_code": village, "name": "洗衣粉", "unit": "袋", "price": 2})),
        )
        .await);
    clerk
        .ok(
            "POST",
            &format!("/api/v1/points/goods/141029/{goods}/donations"),
            Some(json!({"quantity": 10, "donor": "县供销社"})),
        )
        .await;
    let ids = HashMap::from([
        ("rule", rule.to_string()),
        ("claim", waiting.to_string()),
        ("entry", approved["entry_id"].to_string()),
        ("redemption", "0".to_string()),
        ("goods", goods.to_string()),
        ("month", month.to_string()),
        ("board", board.to_string()),
        ("meeting", meeting.to_string()),
        ("collective_member", collective_member.to_string()),
        ("distribution", distribution.to_string()),
        ("lease", lease.to_string()),
        ("asset", asset.to_string()),
        ("resource", resource.to_string()),
        ("enterprise", enterprise.to_string()),
        ("fund", fund.to_string()),
        ("project", project),
        ("project_milestone", project_milestone),
        ("matter", matter.to_string()),
        ("board_entry", board_entry.to_string()),
        ("objection", objection.to_string()),
        ("import", import["id"].to_string()),
        ("plan", plan.to_string()),
        ("case", case.to_string()),
        ("notification", notification.to_string()),
        ("category", "road".to_string()),
        ("deadlines", "141029".to_string()),
        ("stats", "0".to_string()),
        ("code", village.to_string()),
        ("grid", vg.to_string()),
        ("micro", mg.to_string()),
        ("staff", staff.to_string()),
        ("household", h.to_string()),
        ("household2", h2.to_string()),
        ("resident", r.to_string()),
        ("org", branch.to_string()),
        ("member", member.to_string()),
        ("duty", duty.to_string()),
    ]);
    Objects {
        ids,
        prefix: if town.starts_with("141029100") {
            "141029100"
        } else {
            "141029101"
        },
    }
}

/// Which object a path's `{id}` stands for.
fn kind_of(path: &str) -> Option<&'static str> {
    let seg = path.trim_start_matches("/api/v1/").split('/').next()?;
    Some(match seg {
        "divisions" => "code",
        "grids" => "grid",
        "staff" => "staff",
        "households" => "household",
        "residents" => "resident",
        "party-orgs" => "org",
        "party-members" => "member",
        "contact-duties" => "duty",
        "cases" => "case",
        "case-categories" => "category",
        "case-deadlines" => "deadlines",
        "case-stats" => "stats",
        "notifications" => "notification",
        "plans" => "plan",
        "village-profiles" => "code",
        "imports" => "import",
        "exports" => "export",
        "meetings" => "meeting",
        "matters" => "matter",
        "publicity" => "code",
        "economy" => match path
            .trim_start_matches("/api/v1/economy/")
            .split('/')
            .next()?
        {
            "members" => "collective_member",
            "holdings" => "household",
            "distributions" => "distribution",
            "leases" => "lease",
            "assets" => "asset",
            "resources" => "resource",
            "enterprises" => "enterprise",
            "sales" => "code",
            "funds" => "fund",
            "statements" => "code",
            "overview" => "code",
            "strong-target" => "rule",
            "projects" => "project",
            _ => return None,
        },
        "points" => match path
            .trim_start_matches("/api/v1/points/")
            .split('/')
            .next()?
        {
            "rules" => "rule",
            "claims" => "claim",
            "entries" => "entry",
            "redemptions" => "redemption",
            "statements" => "household",
            "goods" => "goods",
            "store-report" => "rule",
            "settings" => "rule",
            "rankings" => "rule",
            "member-months" => "month",
            "board-rules" => "rule",
            "boards" => "board",
            "objections" => "objection",
            _ => return None,
        },
        _ => return None,
    })
}

/// A request body for writes that points at the target township's objects.
fn body_for(path: &str, o: &Objects) -> Value {
    let i = |k: &str| o.ids[k].parse::<i64>().unwrap();
    match kind_of(path) {
        Some("code") if path.ends_with("/economy/sales") => {
            json!({"division_code": o.ids["code"], "sold_on": "2026-11-01", "product": "越权", "kilograms": 1,
            "amount": 1, "buyer": "越权", "channel": "other"})
        }
        Some("code") if path.ends_with("/publicity") => {
            json!({"division_code": o.ids["code"], "kind": "general",
            "title": "越权", "body": "越权", "posted_on": "2026-11-30", "until_on": "2026-12-30"})
        }
        Some("code") if path.ends_with("village-profiles") => {
            json!([{"code": o.ids["code"], "population": 900, "target": false, "may_lead": true}])
        }
        Some("plan") => json!({"division_code": format!("{}000", o.prefix)}),
        Some("code") if path.ends_with("divisions") => {
            json!({"code": format!("{}002", o.ids["code"]), "name": "新组", "parent_code": o.ids["code"]})
        }
        Some("code") => json!({"name": "改名"}),
        Some("grid") => {
            json!({"level": "micro", "name": "新微网格", "division_code": o.ids["code"], "parent_id": i("grid")})
        }
        Some("staff") => json!({"name": "新员", "role": "micro", "grid_id": i("micro")}),
        Some("household") if path.ends_with("/holdings") => {
            json!({"household_id": i("household"), "kind": "capital", "shares": 100, "since": "2020-01-01"})
        }
        Some("household") => {
            json!({"number": "NEW", "micro_grid_id": i("micro"), "address": "新址"})
        }
        Some("resident") if path.ends_with("/move") => {
            json!({"to_household_id": i("household2"), "reason": "迁移"})
        }
        Some("resident") => {
            json!({"household_id": i("household"), "name": "新民", "id_number": id_number(999), "relation": "head"})
        }
        Some("org") => {
            json!({"kind": "group", "name": "新小组", "division_code": o.ids["code"], "parent_id": i("org")})
        }
        Some("member") => {
            json!({"resident_id": i("resident"), "org_id": i("org"), "status": "full", "joined_on": "2001-07-01"})
        }
        Some("case") if path.ends_with("/actions") => json!({"action": "accept", "note": "越权"}),
        Some("case") if path.ends_with("/mediation") => {
            json!({"mediator": "越权", "method": "x", "parties": [{"name": "甲", "side": "a"}, {"name": "乙", "side": "b"}]})
        }
        Some("case") if path.ends_with("/sessions") => json!({"place": "x", "summary": "越权"}),
        Some("case") if path.ends_with("/agreement") => json!({"agreement": "越权"}),
        Some("case") if path.ends_with("/visits") => json!({"note": "越权", "holding": true}),
        Some("case") => {
            json!({"idempotency_key": "matrix-new", "category": "road", "description": "越权上报", "division_code": o.ids["code"], "reporter_kind": "resident"})
        }
        Some("category") => json!({"county_id": 141029, "name": "改名", "level": "township"}),
        Some("deadlines") => {
            json!({"accept_hours": 1, "resolve_days": [1, 1, 1, 1, 1], "extension_days": 1, "confirm_days": 1, "reopen_days": 1})
        }
        Some("rule") if path.ends_with("/strong-target") => json!({"year": 2026, "share": 2700}),
        Some("rule") if path.ends_with("/settings") => {
            json!({"star_thresholds": [1, 2], "publish_days": 1})
        }
        Some("rule") if path.ends_with("/board-rules") => {
            json!({"red_size": 1, "objection_days": 1, "red_days": 1, "black_days": 1, "black_min_age": 18, "black_names": "full"})
        }
        Some("board") if path.ends_with("/objections") => {
            json!({"entry_id": i("board_entry"), "objector": "越权", "reason": "越权"})
        }
        Some("board") if path.ends_with("/publication") => json!({}),
        Some("board") => json!({"division_code": o.ids["code"], "month": "2026-08"}),
        Some("objection") => json!({"uphold": true, "note": "越权"}),
        Some("collective_member") if path.ends_with("/leave") => {
            json!({"left_on": "2026-11-30", "left_how": "withdrawal"})
        }
        Some("collective_member") => {
            json!({"resident_id": i("resident"), "joined_on": "2020-01-01", "joined_how": "founding"})
        }
        Some("project") if path.ends_with("/stage") => {
            json!({"stage": "reserve", "stage_on": "2026-11-30", "version": 1})
        }
        Some("project") if path.ends_with("/funding") => {
            json!({"source": "central", "kind": "won", "amount": 1, "entry_on": "2026-11-30"})
        }
        Some("project") if path.ends_with("/milestones") => {
            json!({"title": "越权", "due_on": "2026-12-30"})
        }
        Some("project") if path.ends_with("/done") => json!({"done_on": "2026-11-30"}),
        Some("project") => {
            json!({"division_code": o.ids["code"], "name": "越权", "kind": "energy", "budget": 1})
        }
        Some("fund") if path.ends_with("/reversal") => {
            json!({"reason": "越权", "entry_on": "2026-11-30"})
        }
        Some("fund") => {
            json!({"division_code": o.ids["code"], "entry_on": "2026-11-30", "direction": "income", "category": "business",
            "amount": 1, "summary": "越权", "voucher": "越权"})
        }
        Some("asset") if path.ends_with("/state") => json!({"state": "in_use", "version": 1}),
        Some("enterprise") if path.ends_with("/members") => {
            json!({"household_id": i("household"), "shares": 100, "joined_on": "2026-01-01"})
        }
        Some("enterprise") if path.ends_with("/years") => {
            json!({"year": 2025, "revenue": 100, "profit": 10, "to_collective": 1, "to_members": 1})
        }
        Some("enterprise") => {
            json!({"division_code": o.ids["code"], "name": "越权", "kind": "company", "business": "越权",
            "founded_on": "2026-01-01"})
        }
        Some("resource") if path.ends_with("/use") => {
            json!({"state": "leased", "used_by": "越权", "version": 1})
        }
        Some("resource") => {
            json!({"division_code": o.ids["code"], "name": "越权", "kind": "land", "area": 100, "state": "idle"})
        }
        Some("asset") => {
            json!({"division_code": o.ids["code"], "name": "越权", "category": "other", "cost": 100, "months": 12,
            "acquired_on": "2026-01-01", "state": "in_use"})
        }
        Some("lease") if path.ends_with("/receipts") => {
            json!({"amount": 1, "received_on": "2026-11-30", "voucher": "越权"})
        }
        Some("lease") => {
            json!({"division_code": o.ids["code"], "resource": "越权", "kind": "land", "area": 100, "price": 100,
            "lessee": "越权", "start_on": "2026-01-01", "years": 1, "per_year": 1})
        }
        Some("distribution") if path.ends_with("/approval") => json!({"matter_id": i("matter")}),
        Some("distribution") if path.ends_with("/batch") => {
            json!({"year": 2026, "title": "越权", "reserve": 0, "classes": [{"name": "全体", "weight": 10000}],
            "villages": [{"division_code": o.ids["code"], "distributable": 100}]})
        }
        Some("distribution") if path.ends_with("/payments") => {
            json!({"household_id": i("household"), "amount": 1, "paid_on": "2026-11-30", "voucher": "越权"})
        }
        Some("distribution") => {
            json!({"division_code": o.ids["code"], "year": 2026, "title": "越权", "distributable": 100, "reserve": 0,
            "classes": [{"name": "农户", "weight": 10000}]})
        }
        Some("matter") if path.ends_with("/steps") => {
            json!({"step": "proposal", "evidence": "越权", "taken_on": "2026-11-30"})
        }
        Some("matter") => {
            json!({"division_code": o.ids["code"], "kind": "ordinary", "title": "越权"})
        }
        Some("meeting") if path.ends_with("/sign-in") => {
            json!({"resident_id": i("resident"), "how": "present"})
        }
        Some("meeting") if path.ends_with("/close") => json!({"minutes": "越权"}),
        Some("meeting") if path.ends_with("/sheet") => json!({"resident_ids": [i("resident")]}),
        Some("meeting") if path.ends_with("/called") => {
            json!({"division_code": o.ids["code"], "kind": "villagers_meeting", "title": "越权",
            "notified_on": "2026-11-01", "held_on": "2026-11-30"})
        }
        Some("meeting") if path.ends_with("/items") => {
            json!({"title": "越权", "matter_kind": "ordinary", "votes": {"yes": 1, "no": 0, "abstain": 0}})
        }
        Some("meeting") => {
            json!({"division_code": o.ids["code"], "kind": "representatives_meeting", "title": "越权",
            "held_on": "2026-11-30", "roll": {"entitled": 30, "households": 0, "present": 20, "online": 0,
            "proxies": 0, "households_present": 0}})
        }
        Some("rule") => {
            json!({"holder": "household", "code": "越权", "dimension": "d", "item": "i", "points": 1})
        }
        Some("claim") if path.ends_with("/decision") => json!({"approve": true}),
        Some("claim") => {
            json!({"holder": "household", "holder_id": i("household"), "rule_id": i("rule"), "month": "2026-11", "evidence": "越权"})
        }
        Some("entry") => json!({"reason": "越权冲正"}),
        Some("month") if path.ends_with("/final") => json!({}),
        Some("month") => json!({"org_id": i("org"), "month": "2026-09"}),
        Some("goods") if path.ends_with("/donations") => json!({"quantity": 1, "donor": "越权"}),
        Some("goods") if path.ends_with("/stocktake") => json!({"counted": 0, "note": "越权"}),
        Some("goods") if path.ends_with("/redemptions") => {
            json!({"holder": "household", "holder_id": i("household"), "quantity": 1})
        }
        Some("goods") => {
            json!({"division_code": o.ids["code"], "name": "越权物品", "unit": "件", "price": 1})
        }
        Some("redemption") => {
            json!({"holder": "household", "holder_id": i("household"), "points": 1, "goods": "越权"})
        }
        Some("duty") => {
            json!({"person_name": "新领导", "rank": "township_leader", "target": "village", "division_code": o.ids["code"], "since": "2026-01-01"})
        }
        _ => json!({}),
    }
}

fn fill(path: &str, o: &Objects) -> String {
    let kind = kind_of(path).unwrap_or("code");
    if kind == "export" {
        // The sibling's village, asked for by name.
        return path.replace("{layout}", "households") + "?division=" + &o.ids["code"];
    }
    path.replace("{county}", "141029")
        .replace("{id}", &o.ids[kind])
        .replace("{code}", &o.ids["code"])
        .replace("{household_id}", &o.ids["household"])
        .replace("{holder_id}", &o.ids["household"])
        .replace("{holder}", "household")
        .replace("{seq}", "1")
        .replace("{milestone}", &o.ids["project_milestone"])
        .replace("{other}", &o.ids["plan"])
}

/// Everything of a township as the administrator sees it, to prove nothing changed.
async fn snapshot(admin: &Client, o: &Objects) -> Vec<Value> {
    let mut out = Vec::new();
    for list in [
        "divisions",
        "grids",
        "staff",
        "households",
        "residents",
        "party-orgs",
        "party-members",
        "contact-duties",
        "cases",
        "notifications",
    ] {
        let v = admin
            .ok(
                "GET",
                &format!("/api/v1/{list}?limit=500&division={}000", o.prefix),
                None,
            )
            .await;
        out.push(v["items"].clone());
    }
    // The decisions' and the collective economy's lists, whole.
    for list in [
        "meetings",
        "matters",
        "publicity",
        "economy/members",
        "economy/holdings",
        "economy/distributions",
        "economy/funds",
        "economy/assets",
        "economy/leases",
        "economy/resources",
        "economy/enterprises",
        "economy/sales",
        "economy/projects",
    ] {
        out.push(
            admin
                .ok(
                    "GET",
                    &format!("/api/v1/{list}?division={}000", o.prefix),
                    None,
                )
                .await,
        );
    }
    out.push(admin.ok("GET", "/api/v1/case-categories", None).await);
    out.push(admin.ok("GET", "/api/v1/village-profiles", None).await);
    out.push(
        admin
            .ok("GET", &format!("/api/v1/plans/{}", o.ids["plan"]), None)
            .await,
    );
    out.push(
        admin
            .ok("GET", "/api/v1/case-deadlines?county_id=141029", None)
            .await,
    );
    out.push(
        admin
            .ok(
                "GET",
                &format!("/api/v1/cases/{}/timeline", o.ids["case"]),
                None,
            )
            .await,
    );
    out.push(
        admin
            .ok(
                "GET",
                &format!("/api/v1/party-members/{}/contacts", o.ids["member"]),
                None,
            )
            .await,
    );
    out.push(
        admin
            .ok(
                "GET",
                &format!("/api/v1/points/statements/household/{}", o.ids["household"]),
                None,
            )
            .await,
    );
    out.push(
        admin
            .ok(
                "GET",
                &format!("/api/v1/points/claims?division={}", o.ids["code"]),
                None,
            )
            .await,
    );
    out.push(
        admin
            .ok(
                "GET",
                &format!("/api/v1/points/store-report?division={}", o.ids["code"]),
                None,
            )
            .await,
    );
    out
}

/// Every division code in a JSON value lies in `prefix`.
fn codes_within(v: &Value, prefix: &str, leaks: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if (k == "division_code"
                    || k == "code"
                        && x.as_str().is_some_and(|c| {
                            c.len() >= 12 && c.bytes().all(|b| b.is_ascii_digit())
                        }))
                    && x.as_str().is_some_and(|c| {
                        c.starts_with("141029")
                            && c.len() >= 12
                            && c[9..12] != *"000"
                            && !c.starts_with(prefix)
                    })
                {
                    leaks.push(x.to_string());
                }
                codes_within(x, prefix, leaks);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| codes_within(x, prefix, leaks)),
        _ => {}
    }
}

async fn matrix(t: &TestDb) {
    let admin = Client::new(t).await;
    seed_tree(&admin).await;
    let county_grid = admin
        .ok("GET", "/api/v1/grids?kind=county_centre", None)
        .await["items"][0]["id"]
        .as_i64()
        .unwrap();
    admin
        .ok(
            "PUT",
            "/api/v1/case-categories/road",
            Some(json!({"county_id": 141029, "name": "道路破损", "level": "village"})),
        )
        .await;
    let own = township(
        t,
        &admin,
        "141029100000",
        "141029100001",
        county_grid,
        "昌宁",
        11,
    )
    .await;
    let sibling = township(
        t,
        &admin,
        "141029101000",
        "141029101001",
        county_grid,
        "光华",
        22,
    )
    .await;
    // The sibling's notice failed to reach the gateway, so a resend would succeed if reachable.
    let all = xiangzhi_storage::Scope::everything();
    let notice =
        t.db.list_notifications(
            &all,
            &xiangzhi_storage::ListQuery {
                division: Some(sibling.ids["code"].clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items
        .remove(0);
    let last = xiangzhi_cases::store::notifications::Notification {
        attempts: xiangzhi_cases::store::notifications::MAX_ATTEMPTS - 1,
        ..notice
    };
    t.db.record_delivery(&last, Err("HTTP 503".into()), 0)
        .await
        .unwrap();
    let doc = admin.ok("GET", "/api/openapi.json", None).await;
    let before = snapshot(&admin, &sibling).await;
    let roles = [
        ("township_officer", "141029100000"),
        ("village_secretary", "141029100001"),
        ("grid_worker", "141029100001001"),
        ("auditor", "141029100000"),
        ("security_admin", "141029100000"),
    ];
    let mut checked = 0;
    for (role, division) in roles {
        let c = Client::as_role(t, role, division).await;
        for (path, item) in doc["paths"].as_object().unwrap() {
            if !path.starts_with("/api/v1/")
                || path.starts_with("/api/v1/auth")
                || path.starts_with("/api/v1/users")
                || path.starts_with("/api/v1/audit")
                || path.starts_with("/api/v1/account-requests")
            {
                // account routes: tested in access.rs and security.rs; no registry data behind them
                continue;
            }
            if path == "/api/v1/regions" {
                continue; // shared reference data (provinces, prefectures), the same for everyone
            }
            for method in item.as_object().unwrap().keys() {
                let m = method.to_uppercase();
                let has_param = path.contains('{');
                if kind_of(path).is_none() && path != "/api/v1/reports/coverage" {
                    panic!(
                        "route {m} {path} is not in the jurisdiction matrix: map it in matrix.rs"
                    );
                }
                let uri = fill(path, &sibling);
                let body = (m == "POST" || m == "PUT").then(|| body_for(path, &sibling));
                let (status, v) = if path.ends_with("/files") && m == "POST" {
                    // A real photo, so that only jurisdiction can stop it.
                    let photo = vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3];
                    let (s, _, b) = c
                        .raw(
                            &m,
                            &format!("{uri}?name=x.jpg"),
                            Some((photo, "image/jpeg")),
                        )
                        .await;
                    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
                } else {
                    let (s, v, _) = c.call(&m, &uri, body).await;
                    (s, v)
                };
                checked += 1;
                if m == "GET" && !has_param {
                    // Lists, searches and reports: allowed or refused, never showing the sibling.
                    if status.is_success() {
                        let mut leaks = Vec::new();
                        codes_within(&v, own.prefix, &mut leaks);
                        assert!(
                            leaks.is_empty(),
                            "{role} {m} {uri} shows the sibling township: {leaks:?}"
                        );
                        for q in [
                            format!("{uri}?q={}", id_number(22)),
                            format!("{uri}?division={}", sibling.ids["code"]),
                        ] {
                            let (s, v, _) = c.call("GET", &q, None).await;
                            let empty = v["items"]
                                .as_array()
                                .or(v.as_array())
                                .is_some_and(|a| a.is_empty());
                            assert!(
                                !s.is_success()
                                    || empty
                                    || path.ends_with("coverage")
                                    || path.ends_with("case-categories")
                                    || path.ends_with("case-deadlines")
                                    || path.ends_with("notifications/mine")
                                    || path.ends_with("village-profiles")
                                    || path.ends_with("/plans")
                                    || (path.ends_with("/imports") && q.contains("?q="))
                                    // The county's catalogue of points rules, the same for all.
                                    || path.ends_with("/points/rules")
                                    || path.ends_with("/points/settings")
                                    || path.ends_with("/points/board-rules")
                                    // The villages' books, by village, not searched by words.
                                    || (path.ends_with("/economy/overview") && q.contains("?q="))
                                    || (path.ends_with("/economy/sales/year") && q.contains("?q="))
                                    || (path.ends_with("/economy/projects/library") && q.contains("?q="))
                                    // Lateness and tampering are not searched by words.
                                    || (path.ends_with("/publicity/overdue") && q.contains("?q="))
                                    || (path.ends_with("/publicity/altered") && q.contains("?q="))
                                    || (path.ends_with("/points/boards") && q.contains("?q="))
                                    || (path.ends_with("/points/goods") && q.contains("?q="))
                                    || (path.ends_with("/points/store-report") && q.contains("?q="))
                                    || (path.ends_with("/points/claims") && q.contains("?q="))
                                    || ((path.ends_with("case-stats")
                                        || path.ends_with("notifications"))
                                        && q.contains("?q=")),
                                "{role} GET {q}: {v}"
                            );
                        }
                    } else {
                        assert!(
                            matches!(status.as_u16(), 403 | 404),
                            "{role} {m} {uri}: {status}"
                        );
                    }
                } else {
                    // Reading, changing or deleting a sibling's object, or creating one under it.
                    assert!(
                        status.is_client_error() && status.as_u16() != 400
                            || status.as_u16() == 422,
                        "{role} {m} {uri} reached the sibling township: {status} {v}"
                    );
                    if m == "GET" {
                        assert!(
                            matches!(status.as_u16(), 403 | 404),
                            "{role} {m} {uri}: existence must not leak ({status})"
                        );
                    }
                }
            }
        }
        // Its own township's objects stay reachable for the registry roles.
        if role != "auditor" && role != "security_admin" {
            let (s, _, _) = c
                .call(
                    "GET",
                    &format!("/api/v1/households/{}", own.ids["household"]),
                    None,
                )
                .await;
            assert!(
                s.is_success() || role == "grid_worker",
                "{role} cannot read its own household: {s}"
            );
        }
    }
    assert!(checked > 150, "only {checked} requests made");
    assert_eq!(
        snapshot(&admin, &sibling).await,
        before,
        "the sibling township was changed"
    );
}
on_both!(jurisdiction_matrix, matrix);
