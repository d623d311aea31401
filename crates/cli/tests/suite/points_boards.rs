//! 红黑榜 (issue 19): a village's red and black lists drafted from the ledger, objections that
//! change them, publication on the public board with the county's privacy rules, and each list
//! leaving the board after its days.

use crate::api::Client;
use crate::helpers::TestDb;
use crate::on_both;
use serde_json::{json, Value};
use xiangzhi_points::{BoardStore, PublicBoards};

const DAY: i64 = 86_400_000;

/// A valid ID number of someone born on `born` (`YYYYMMDD`).
fn id_born(born: &str, serial: u32) -> String {
    let s = format!("141029{born}{:03}", serial % 1000);
    let c = xiangzhi_domain::id_number::check_char(s.as_bytes());
    format!("{s}{}", c as char)
}

/// A household of the village headed by `head`, born on `born`, with a phone; its id.
async fn household(
    admin: &Client,
    micro: i64,
    number: &str,
    head: &str,
    born: &str,
    serial: u32,
) -> i64 {
    let h = admin
        .ok(
            "POST",
            "/api/v1/households",
            Some(json!({"number": number, "micro_grid_id": micro, "address": format!("城关社区{number}号")})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    admin
        .ok(
            "POST",
            "/api/v1/residents",
            Some(
                json!({"household_id": h, "name": head, "id_number": id_born(born, serial),
                "phone": "13800001234", "relation": "head", "tags": []}),
            ),
        )
        .await;
    h
}

async fn rule(c: &Client, code: &str, item: &str, points: i64) -> i64 {
    c.ok(
        "POST",
        "/api/v1/points/rules",
        Some(
            json!({"holder": "household", "code": code, "dimension": "人居环境", "item": item,
            "points": points, "month_cap": null, "year_cap": null, "evidence_required": false}),
        ),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

/// Records points for a household and has another person approve them.
async fn award(sec: &Client, officer: &Client, household: i64, rule: i64, approve: bool) -> Value {
    let c = sec
        .ok(
            "POST",
            "/api/v1/points/claims",
            Some(json!({"holder": "household", "holder_id": household, "rule_id": rule, "month": "2026-11"})),
        )
        .await;
    if approve {
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
    c
}

/// (list, household number, name shown, points, withdrawn) of a board.
fn places(b: &Value) -> Vec<(String, String, String, i64, bool)> {
    b["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["list"].as_str().unwrap().to_string(),
                e["household_number"].as_str().unwrap().to_string(),
                e["shown_name"].as_str().unwrap().to_string(),
                e["points"].as_i64().unwrap(),
                e["withdrawn"].as_bool().unwrap(),
            )
        })
        .collect()
}

async fn boards(t: &TestDb) {
    let v = crate::console::seed_village(t).await;
    let admin = Client::new(t).await;
    let county = Client::as_role(t, "county_admin", "141029000000").await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let officer = Client::as_role(t, "township_officer", "141029100000").await;
    let other_town = Client::as_role(t, "township_officer", "141029101000").await;
    let micro = admin
        .ok("GET", &format!("/api/v1/households/{}", v.household), None)
        .await["micro_grid_id"]
        .as_i64()
        .unwrap();
    // A household headed by a boy of 16, and one headed by an adult.
    let minor = household(&admin, micro, "CG-0002", "孙小龙", "20100501", 1).await;
    let adult = household(&admin, micro, "CG-0003", "赵大海", "19700301", 2).await;
    let clean = rule(&county, "HJ01", "庭院整洁", 5).await;
    let dump = rule(&county, "HB01", "乱堆乱放", -10).await;
    // Only the county's administrators set the rules, and not below the age of 18.
    let rules = json!({"red_size": 2, "objection_days": 1, "red_days": 30, "black_days": 10,
        "black_min_age": 18, "black_names": "surname"});
    let (s, _, _) = sec
        .call("PUT", "/api/v1/points/board-rules", Some(rules.clone()))
        .await;
    assert_eq!(s.as_u16(), 403);
    let mut young = rules.clone();
    young["black_min_age"] = json!(16);
    county
        .problem(
            "PUT",
            "/api/v1/points/board-rules",
            Some(young),
            422,
            "black_min_age",
        )
        .await;
    county
        .ok("PUT", "/api/v1/points/board-rules", Some(rules))
        .await;
    award(&sec, &officer, v.household, clean, true).await;
    award(&sec, &officer, adult, clean, true).await;
    award(&sec, &officer, adult, dump, true).await;
    let waiting = award(&sec, &officer, minor, dump, false).await;
    let draft = json!({"division_code": "141029100001", "month": "2026-11"});
    // Not while a recording of the month waits.
    officer
        .problem(
            "POST",
            "/api/v1/points/boards",
            Some(draft.clone()),
            422,
            "month",
        )
        .await;
    officer
        .ok(
            "POST",
            &format!(
                "/api/v1/points/claims/{}/{}/decision",
                waiting["county_id"], waiting["id"]
            ),
            Some(json!({"approve": true})),
        )
        .await;
    // Another township's officer cannot draft this village's lists.
    other_town
        .problem(
            "POST",
            "/api/v1/points/boards",
            Some(draft.clone()),
            422,
            "division_code",
        )
        .await;
    let b = officer
        .ok("POST", "/api/v1/points/boards", Some(draft.clone()))
        .await;
    let (s, _, _) = officer
        .call("POST", "/api/v1/points/boards", Some(draft.clone()))
        .await;
    assert_eq!(s.as_u16(), 409, "one board per village and month");
    assert_eq!(b["board"]["state"], "objection");
    let got = places(&b);
    // CG-0003 earned 5 and lost 10: net −5, not on the red list, on the black list by surname.
    // The boy's household is named by no one.
    assert_eq!(
        got,
        vec![
            ("red".into(), "CG-0001".into(), "李秀英".into(), 5, false),
            ("black".into(), "CG-0002".into(), "某户".into(), -10, false),
            ("black".into(), "CG-0003".into(), "赵某".into(), -10, false),
        ],
        "{b}"
    );
    let (cid, bid) = (
        b["board"]["county_id"].as_i64().unwrap(),
        b["board"]["id"].as_i64().unwrap(),
    );
    let path = format!("/api/v1/points/boards/{cid}/{bid}");
    let (s, _, _) = other_town.call("GET", &path, None).await;
    assert_eq!(s.as_u16(), 404);
    let entry_of = |number: &str| {
        b["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["household_number"] == number)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    // Two objections: CG-0003's is upheld (the pile was the neighbour's), CG-0002's dismissed.
    let objections = format!("{path}/objections");
    sec.problem(
        "POST",
        &objections,
        Some(json!({"entry_id": entry_of("CG-0003"), "objector": "", "reason": "不是我家的"})),
        422,
        "objector",
    )
    .await;
    let o1 = sec
        .ok(
            "POST",
            &objections,
            Some(json!({"entry_id": entry_of("CG-0003"), "objector": "赵大海", "reason": "<b>柴堆是邻居的</b>"})),
        )
        .await;
    let o2 = sec
        .ok(
            "POST",
            &objections,
            Some(json!({"entry_id": entry_of("CG-0002"), "objector": "孙大妈", "reason": "已经清理"})),
        )
        .await;
    let decide = |o: &Value| {
        format!(
            "/api/v1/points/objections/{}/{}/decision",
            o["county_id"], o["id"]
        )
    };
    let (s, _, _) = sec
        .call("POST", &decide(&o1), Some(json!({"uphold": true})))
        .await;
    assert_eq!(s.as_u16(), 403, "not by whoever recorded it");
    let (s, _, _) = other_town
        .call("POST", &decide(&o1), Some(json!({"uphold": true})))
        .await;
    assert_eq!(s.as_u16(), 404);
    // Not published while the days run or an objection waits.
    let publish = format!("{path}/publication");
    officer.problem("POST", &publish, None, 422, "state").await;
    let o1 = officer
        .ok(
            "POST",
            &decide(&o1),
            Some(json!({"uphold": true, "note": "核实属实"})),
        )
        .await;
    assert_eq!(o1["state"], "upheld");
    let (s, _, _) = officer
        .call("POST", &decide(&o1), Some(json!({"uphold": false})))
        .await;
    assert_eq!(s.as_u16(), 409, "decided once");
    // The public board meanwhile says only that lists are open to objection.
    let mut public = crate::console::Page::new(t);
    let page = public.get("/board/141029100001").await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    assert!(page.body.contains("正在征求意见"), "{}", page.body);
    assert!(
        !page.body.contains("李秀英") && !page.body.contains("赵"),
        "{}",
        page.body
    );
    let scope = officer.acting_in("141029100000").await;
    let now = xiangzhi_storage::now_ms();
    // The second objection is dismissed within the window.
    t.db.decide_objection(
        &scope,
        cid,
        o2["id"].as_i64().unwrap(),
        &xiangzhi_points::boards::ObjectionDecision {
            uphold: false,
            note: "现场仍有".into(),
        },
        now,
    )
    .await
    .unwrap();
    // Meanwhile CG-0001's award is reversed: publication recomputes, and the red list is empty.
    let st = sec
        .ok(
            "GET",
            &format!("/api/v1/points/statements/household/{}", v.household),
            None,
        )
        .await;
    let e = &st["entries"][0];
    officer
        .ok(
            "POST",
            &format!(
                "/api/v1/points/entries/{}/{}/reversal",
                e["county_id"], e["id"]
            ),
            Some(json!({"reason": "评议有误"})),
        )
        .await;
    let published =
        t.db.publish_board(&scope, cid, bid, now + DAY + 1)
            .await
            .unwrap();
    let published = serde_json::to_value(&published).unwrap();
    assert_eq!(published["board"]["state"], "published");
    assert_eq!(
        places(&published),
        vec![
            ("black".into(), "CG-0002".into(), "某户".into(), -10, false),
            ("black".into(), "CG-0003".into(), "赵某".into(), -10, true),
        ],
        "the upheld objection keeps CG-0003 off; the reversal takes CG-0001 off the red list"
    );
    let again = t.db.publish_board(&scope, cid, bid, now + DAY + 2).await;
    assert!(again.is_err(), "published once");
    // The public board: the black list by its privacy rules, no ID, no phone, no minor's name.
    let board =
        t.db.public_board(
            &xiangzhi_domain::DivisionCode::parse("141029100001").unwrap(),
            now + DAY + 2,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(board.black.len(), 1);
    let names: Vec<&str> = board.black[0]
        .rows
        .iter()
        .map(|r| r.shown_name.as_str())
        .collect();
    assert_eq!(
        names,
        vec!["某户"],
        "the withdrawn household is not on the board"
    );
    let page = public.get("/board/141029100001").await;
    assert_eq!(page.status.as_u16(), 200);
    let ids = [id_born("20100501", 1), id_born("19700301", 2)];
    for secret in ["孙小龙", "赵大海", "13800001234", "赵某", &ids[0], &ids[1]] {
        assert!(
            !page.body.contains(secret),
            "{secret} on the board: {}",
            page.body
        );
    }
    assert!(
        page.body.contains("黑榜") && page.body.contains("乱堆乱放"),
        "{}",
        page.body
    );
    // After its ten days the black list leaves the board; the red (empty) stays for thirty.
    let later =
        t.db.public_board(
            &xiangzhi_domain::DivisionCode::parse("141029100001").unwrap(),
            now + 12 * DAY,
        )
        .await
        .unwrap()
        .unwrap();
    assert!(later.black.is_empty() && later.red.len() == 1, "{later:?}");
    let gone =
        t.db.public_board(
            &xiangzhi_domain::DivisionCode::parse("141029100001").unwrap(),
            now + 40 * DAY,
        )
        .await
        .unwrap()
        .unwrap();
    assert!(gone.black.is_empty() && gone.red.is_empty());
    // Unknown places are not found; a township is not a village's board.
    assert_eq!(public.get("/board/141029100000").await.status.as_u16(), 404);
    assert_eq!(public.get("/board/%3Cscript%3E").await.status.as_u16(), 404);
    // The list of boards, and the console's pages.
    let listed = sec
        .ok("GET", "/api/v1/points/boards?month=2026-11", None)
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["village_name"], "城关社区");
    assert!(other_town
        .ok("GET", "/api/v1/points/boards", None)
        .await
        .as_array()
        .unwrap()
        .is_empty());
    crate::api::add_user(t, "bangshuji", "village_secretary", "141029100001").await;
    let mut page = crate::console::Page::new(t);
    page.login("bangshuji").await;
    let list = page.get("/points/boards").await;
    assert!(
        list.body.contains("城关社区") && list.body.contains("已发布"),
        "{}",
        list.body
    );
    let one = page.get(&format!("/points/boards/{cid}/{bid}")).await;
    assert!(
        one.body.contains("异议成立，已撤下") && one.body.contains("&#60;b&#62;柴堆是邻居的"),
        "{}",
        one.body
    );
}
on_both!(red_and_black_lists, boards);

/// The console: a secretary drafts, records an objection, the township decides it.
async fn boards_console(t: &TestDb) {
    let v = crate::console::seed_village(t).await;
    let county = Client::as_role(t, "county_admin", "141029000000").await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let officer = Client::as_role(t, "township_officer", "141029100000").await;
    let dump = rule(&county, "HB02", "垃圾乱倒", -5).await;
    award(&sec, &officer, v.household, dump, true).await;
    crate::api::add_user(t, "bangzhen", "township_officer", "141029100000").await;
    crate::api::add_user(t, "bangcun", "village_secretary", "141029100001").await;
    let mut town = crate::console::Page::new(t);
    town.login("bangzhen").await;
    let form = town.get("/points/boards").await;
    assert!(
        form.body.contains("生成红黑榜") && form.body.contains("城关社区"),
        "{}",
        form.body
    );
    let bad = town
        .send(
            "POST",
            "/points/boards",
            Some("division_code=141029101001&month=2026-11"),
        )
        .await;
    assert_eq!(bad.status.as_u16(), 422);
    assert!(
        bad.body.contains("请选择您管辖范围内的一个村"),
        "{}",
        bad.body
    );
    let made = town
        .send(
            "POST",
            "/points/boards",
            Some("division_code=141029100001&month=2026-11"),
        )
        .await;
    assert_eq!(made.status.as_u16(), 303, "{}", made.body);
    let at = made.location.clone();
    let mut village = crate::console::Page::new(t);
    village.login("bangcun").await;
    let page = village.get(&at).await;
    assert!(
        page.body.contains("记录群众异议") && page.body.contains("李某"),
        "{}",
        page.body
    );
    let entry =
        t.db.count_for_tests("SELECT id FROM points_board_entries")
            .await
            .unwrap();
    let done = village
        .send(
            "POST",
            &format!("{at}/objections"),
            Some(&format!("entry_id={entry}&objector=%E6%9D%8E%E7%A7%80%E8%8B%B1&reason=%E5%B7%B2%E6%B8%85%E7%90%86")),
        )
        .await;
    assert!(done.body.contains("已记录异议"), "{}", done.body);
    let o =
        t.db.count_for_tests("SELECT id FROM points_objections")
            .await
            .unwrap();
    let board_id = at.rsplit('/').next().unwrap();
    let upheld = town
        .send(
            "POST",
            &format!("/points/objections/141029/{o}"),
            Some(&format!("board={board_id}&uphold=1")),
        )
        .await;
    assert!(upheld.body.contains("该户已从榜上撤下"), "{}", upheld.body);
}
on_both!(red_and_black_lists_in_the_console, boards_console);

/// The members' evaluation in the console (publish, the month, final, the ranking) and the
/// .xlsx of every list, each audited, none of another township's.
async fn lists_and_exports(t: &TestDb) {
    let v = crate::console::seed_village(t).await;
    let admin = Client::new(t).await;
    let county = Client::as_role(t, "county_admin", "141029000000").await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let officer = Client::as_role(t, "township_officer", "141029100000").await;
    let member = first_member(&admin).await;
    let rule = member_rule(&county, "SX01", "思想政治", "按时参加组织生活", 20, false).await;
    let c = sec
        .ok(
            "POST",
            "/api/v1/points/claims",
            Some(json!({"holder": "member", "holder_id": member, "rule_id": rule, "month": "2026-11"})),
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
    let dump = rule_for_households(&county).await;
    award(&sec, &officer, v.household, dump, true).await;
    crate::api::add_user(t, "pingding", "township_officer", "141029100000").await;
    crate::api::add_user(t, "waizhen", "township_officer", "141029101000").await;
    let mut town = crate::console::Page::new(t);
    town.login("pingding").await;
    let page = town.get("/points/members").await;
    assert!(
        page.body.contains("公示本月评定") && page.body.contains("城关社区党支部"),
        "{}",
        page.body
    );
    let branch = admin.branch_of("141029100001").await;
    let made = town
        .send(
            "POST",
            "/points/members",
            Some(&format!("org_id={branch}&month=2026-11")),
        )
        .await;
    assert_eq!(made.status.as_u16(), 303, "{}", made.body);
    let month = town.get(&made.location).await;
    assert!(
        month.body.contains("李秀英") && month.body.contains("公示中"),
        "{}",
        month.body
    );
    let again = town
        .send(
            "POST",
            "/points/members",
            Some(&format!("org_id={branch}&month=2026-11")),
        )
        .await;
    assert!(again.body.contains("该支部本月已公示"), "{}", again.body);
    // Every list as .xlsx, read back through the tabular engine.
    let board = officer
        .ok(
            "POST",
            "/api/v1/points/boards",
            Some(json!({"division_code": "141029100001", "month": "2026-11"})),
        )
        .await;
    let read = |bytes: Vec<u8>| xiangzhi_tabular::table::read_bytes("x.xlsx", bytes).unwrap();
    for (uri, expect) in [
        (format!("{}/export", made.location), "李秀英"),
        ("/points/claims.xlsx".to_string(), ""),
        ("/points/store/report.xlsx".to_string(), ""),
        (
            format!("/points/statement/household/{}/export", v.household),
            "垃圾乱倒",
        ),
        (
            format!("/points/statement/member/{member}/export"),
            "按时参加组织生活",
        ),
        (
            format!(
                "/points/boards/{}/{}/export",
                board["board"]["county_id"], board["board"]["id"]
            ),
            "李某",
        ),
        ("/points/ranking.xlsx?year=2026".to_string(), ""),
    ] {
        let (status, kind, bytes) = town.bytes(&uri).await;
        assert_eq!(status.as_u16(), 200, "{uri}");
        assert!(kind.contains("spreadsheetml"), "{uri}: {kind}");
        let table = read(bytes);
        assert!(!table.headers.is_empty(), "{uri}");
        if !expect.is_empty() {
            assert!(
                table.rows.iter().flatten().any(|c| c == expect),
                "{uri}: {:?}",
                table.rows
            );
        }
    }
    assert!(
        t.db.count_for_tests("SELECT COUNT(*) FROM audit_log WHERE action = 'export points list'")
            .await
            .unwrap()
            >= 7
    );
    // Another township's officer gets none of them.
    let mut other = crate::console::Page::new(t);
    other.login("waizhen").await;
    for uri in [
        format!("{}/export", made.location),
        made.location.clone(),
        format!(
            "/points/boards/{}/{}/export",
            board["board"]["county_id"], board["board"]["id"]
        ),
        format!("/points/statement/household/{}/export", v.household),
    ] {
        let (status, _, _) = other.bytes(&uri).await;
        assert_eq!(status.as_u16(), 404, "{uri}");
    }
    let (_, _, bytes) = other.bytes("/points/claims.xlsx").await;
    assert!(
        read(bytes).rows.is_empty(),
        "nothing of another township waits for them"
    );
}
on_both!(points_lists_and_exports, lists_and_exports);

async fn rule_for_households(county: &Client) -> i64 {
    rule(county, "HB01", "垃圾乱倒", -5).await
}

/// A member's own page by their link: points and stars on a phone, a report of their own that
/// the branch reviews, a new link that retires the old, wrong codes limited per address; and a
/// member away (流动党员) spared the talk list.
async fn members_own_page(t: &TestDb) {
    use xiangzhi_points::MonthStore;
    let _v = crate::console::seed_village(t).await;
    let admin = Client::new(t).await;
    let county = Client::as_role(t, "county_admin", "141029000000").await;
    let officer = Client::as_role(t, "township_officer", "141029100000").await;
    let member = first_member(&admin).await;
    let up = member_rule(&county, "SF01", "示范带动", "参与志愿服务", 20, true).await;
    let down = member_rule(&county, "SX02", "思想政治", "缺席组织生活", -5, false).await;
    crate::api::add_user(t, "lianjie", "village_secretary", "141029100001").await;
    crate::api::add_user(t, "shenhe", "township_officer", "141029100000").await;
    crate::api::add_user(t, "bieren", "township_officer", "141029101000").await;
    let mut sec = crate::console::Page::new(t);
    sec.login("lianjie").await;
    let issue = format!("/points/members/141029/{member}/link");
    let got = sec.send("POST", &issue, None).await;
    assert_eq!(got.status.as_u16(), 200, "{}", got.body);
    let code = |body: &str| {
        let at = body.find("/my?c=").unwrap() + 6;
        body[at..at + body[at..].find('<').unwrap()].to_string()
    };
    let first = code(&got.body);
    assert!(first.starts_with("141029-") && first.len() > 25, "{first}");
    assert_eq!(
        t.db.count_for_tests(&format!(
            "SELECT COUNT(*) FROM member_links WHERE code_hash LIKE '%{}%'",
            &first[7..]
        ))
        .await
        .unwrap(),
        0,
        "only the hash is kept"
    );
    let mut other = crate::console::Page::new(t);
    other.login("bieren").await;
    assert_eq!(other.send("POST", &issue, None).await.status.as_u16(), 404);
    // The member's phone: no account, their name, no ID number or phone.
    let mut phone = crate::console::Page::new(t);
    let mine = phone.get(&format!("/my?c={first}")).await;
    assert_eq!(mine.status.as_u16(), 200, "{}", mine.body);
    assert!(
        mine.body.contains("李秀英") && mine.body.contains("自报积分"),
        "{}",
        mine.body
    );
    assert!(!mine.body.contains("13912345678") && !mine.body.contains(&crate::api::id_number(100)));
    // A report of their own: evidence required, no deductions, only this month or last.
    let month = xiangzhi_domain::china_month(xiangzhi_storage::now_ms());
    let form = |rule: i64, month: &str, evidence: &str| {
        format!("c={first}&rule_id={rule}&month={month}&evidence={evidence}")
    };
    let bad = phone.send("POST", "/my", Some(&form(up, &month, ""))).await;
    assert!(bad.body.contains("请写明做了什么"), "{}", bad.body);
    let bad = phone
        .send("POST", "/my", Some(&form(down, &month, "x")))
        .await;
    assert!(bad.body.contains("扣分项目不能自报"), "{}", bad.body);
    let bad = phone
        .send("POST", "/my", Some(&form(up, "2020-01", "x")))
        .await;
    assert!(bad.body.contains("只能自报本月或上月"), "{}", bad.body);
    let ok = phone
        .send(
            "POST",
            "/my",
            Some(&form(up, &month, "%E6%B8%85%E6%89%AB%E6%9D%91%E9%81%93")),
        )
        .await;
    assert!(ok.body.contains("待支部审核"), "{}", ok.body);
    let (by, own): (i64, bool) =
        t.db.one(&xiangzhi_storage::sql::Q::new(
            "SELECT recorded_by, self_report FROM points_claims ORDER BY id DESC LIMIT 1",
        ))
        .await
        .unwrap();
    assert_eq!((by, own), (0, true));
    assert_eq!(
        t.db.count_for_tests("SELECT COUNT(*) FROM audit_log WHERE action = 'self-report points'")
            .await
            .unwrap(),
        1
    );
    // The branch reviews it like any other recording.
    let mut town = crate::console::Page::new(t);
    town.login("shenhe").await;
    let list = town.get("/points").await;
    assert!(
        list.body.contains("党员本人自报") && list.body.contains("清扫村道"),
        "{}",
        list.body
    );
    let claim =
        t.db.count_for_tests("SELECT id FROM points_claims ORDER BY id DESC LIMIT 1")
            .await
            .unwrap();
    let done = town
        .send(
            "POST",
            &format!("/points/claims/141029/{claim}"),
            Some("approve=1"),
        )
        .await;
    assert!(done.body.contains("已审核通过"), "{}", done.body);
    assert!(phone
        .get(&format!("/my?c={first}"))
        .await
        .body
        .contains("清扫村道"));
    // Away from the village this month: recorded, shown, and spared the talk list.
    let away = sec
        .send(
            "POST",
            &format!("/points/members/141029/{member}/away"),
            Some(&format!(
                "from_month={month}&to_month=&place=%E6%B5%99%E6%B1%9F%E4%B9%89%E4%B9%8C"
            )),
        )
        .await;
    assert!(away.body.contains("已登记外出"), "{}", away.body);
    assert!(phone
        .get(&format!("/my?c={first}"))
        .await
        .body
        .contains("流动党员"));
    let branch = admin.branch_of("141029100001").await;
    let m = officer
        .ok(
            "POST",
            "/api/v1/points/member-months",
            Some(json!({"org_id": branch, "month": month})),
        )
        .await;
    let mine = m["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["member_id"] == member)
        .unwrap()
        .clone();
    assert_eq!(
        (
            mine["points"].as_i64(),
            mine["stars"].as_i64(),
            mine["away"].as_bool()
        ),
        (Some(20), Some(0), Some(true))
    );
    let scope = officer.acting_in("141029100000").await;
    t.db.finalize_month(
        &scope,
        141029,
        m["month"]["id"].as_i64().unwrap(),
        xiangzhi_storage::now_ms() + 30 * DAY,
    )
    .await
    .unwrap();
    let year: i32 = month[..4].parse().unwrap();
    let ranking = t.db.member_ranking(&scope, year).await.unwrap();
    let r = ranking.iter().find(|r| r.member_id == member).unwrap();
    assert_eq!(r.low_star_months, 1);
    assert!(
        !r.talk,
        "a month away without a star does not send the member to a talk"
    );
    // A new link retires the old one.
    let second = code(&sec.send("POST", &issue, None).await.body);
    assert_ne!(first, second);
    assert_eq!(
        phone.get(&format!("/my?c={first}")).await.status.as_u16(),
        404
    );
    assert_eq!(
        phone.get(&format!("/my?c={second}")).await.status.as_u16(),
        200
    );
    // Wrong codes are limited per address: after twenty, even the right one is refused.
    for k in 0..20 {
        assert_eq!(
            phone
                .get(&format!("/my?c=141029-wrong{k}"))
                .await
                .status
                .as_u16(),
            404
        );
    }
    assert_eq!(
        phone.get(&format!("/my?c={second}")).await.status.as_u16(),
        404
    );
}
on_both!(members_own_points_page, members_own_page);

/// Imports a file of recordings as the client's account through the API; the job as answered.
async fn import_entries(c: &Client, name: &str, body: Vec<u8>) -> (u16, Value) {
    let (status, _, bytes) = c
        .raw(
            "POST",
            &format!("/api/v1/imports?layout=points-entries&name={name}"),
            Some((body, "application/octet-stream")),
        )
        .await;
    (
        status.as_u16(),
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Applies a checked job and waits for it.
async fn apply(c: &Client, job: &Value) -> Value {
    let at = format!("/api/v1/imports/{}/{}", job["county_id"], job["id"]);
    let (status, queued, _) = c.call("POST", &format!("{at}/apply"), None).await;
    assert_eq!(status.as_u16(), 202, "{queued}");
    let mut last = Value::Null;
    for _ in 0..600 {
        last = c.ok("GET", &at, None).await;
        if last["status"] == "done" || last["status"] == "failed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    last
}

/// 积分录入 from a file (GBK CSV, as WPS saves it): checked with reads only and refused by row
/// and column, written all or none as recordings that wait for another person's approval, the
/// same file twice changing nothing, and nobody outside the uploader's reach.
async fn entries_from_a_file(t: &TestDb) {
    let v = crate::console::seed_village(t).await;
    let county = Client::as_role(t, "county_admin", "141029000000").await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let officer = Client::as_role(t, "township_officer", "141029100000").await;
    rule(&county, "HJ01", "庭院整洁", 5).await;
    county
        .ok(
            "POST",
            "/api/v1/points/rules",
            Some(json!({"holder": "member", "code": "SX01", "dimension": "思想政治", "item": "按时参加组织生活",
                "points": 20, "evidence_required": true})),
        )
        .await;
    let gbk = |text: &str| encoding_rs::GBK.encode(text).0.into_owned();
    let head = "积分对象,户号或身份证号码,项目编码,所属月份,事实依据\n";
    let member_id = crate::api::id_number(100);
    let good = format!(
        "{head}农户,{},HJ01,2026-11,门前清扫\n农户,{},HJ01,2026年11月,门前清扫\n党员,{member_id},SX01,2026-11,参加主题党日\n",
        v.number, v.number
    );
    // Faults named by row and column; nothing written.
    let bad = format!(
        "{good}农户,NOPE,HJ01,2026-11,x\n党员,{member_id},SX01,2026-11,\n农户,{},ZZ99,2026-11,x\n农户,{},HJ01,十一月,x\n",
        v.number, v.number
    );
    let (status, job) = import_entries(&sec, "a.csv", gbk(&bad)).await;
    assert_eq!(
        (status, job["status"].as_str()),
        (201, Some("refused")),
        "{job}"
    );
    let said = job.to_string();
    for fault in [
        "没有这个农户",
        "该项目须写明事实依据",
        "本县没有适用于农户的这个项目编码",
        "月份",
    ] {
        assert!(said.contains(fault), "{fault}: {said}");
    }
    assert_eq!(
        t.db.count_for_tests("SELECT COUNT(*) FROM points_claims")
            .await
            .unwrap(),
        0
    );
    // Another township's officer cannot record for this village's people.
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    let (status, job) = import_entries(&other, "a.csv", gbk(&good)).await;
    assert_eq!(
        (status, job["status"].as_str()),
        (201, Some("refused")),
        "{job}"
    );
    assert!(job.to_string().contains("不在您的管辖范围内"), "{job}");
    // The good file: three recordings waiting, none in the ledger yet.
    let (status, job) = import_entries(&sec, "a.csv", gbk(&good)).await;
    assert_eq!(status, 201, "{job}");
    assert_eq!(job["summary"]["added"], 3, "{job}");
    assert_eq!(apply(&sec, &job).await["status"], "done");
    assert_eq!(
        t.db.count_for_tests(
            "SELECT COUNT(*) FROM points_claims WHERE state = 'pending' AND self_report = FALSE"
        )
        .await
        .unwrap(),
        3
    );
    assert_eq!(
        t.db.count_for_tests("SELECT COUNT(*) FROM points_entries")
            .await
            .unwrap(),
        0
    );
    // The same file again changes nothing.
    let (status, job) = import_entries(&sec, "a.csv", gbk(&good)).await;
    assert_eq!(status, 201, "{job}");
    assert_eq!(
        (
            job["summary"]["added"].as_i64(),
            job["summary"]["unchanged"].as_i64()
        ),
        (Some(0), Some(3)),
        "{job}"
    );
    // Another person approves them; the uploader cannot.
    let waiting = officer
        .ok("GET", "/api/v1/points/claims?state=pending", None)
        .await;
    let claims = waiting.as_array().unwrap();
    assert_eq!(claims.len(), 3);
    let decide = |c: &Value| {
        format!(
            "/api/v1/points/claims/{}/{}/decision",
            c["county_id"], c["id"]
        )
    };
    let (s, _, _) = sec
        .call("POST", &decide(&claims[0]), Some(json!({"approve": true})))
        .await;
    assert_eq!(s.as_u16(), 403);
    for c in claims {
        officer
            .ok("POST", &decide(c), Some(json!({"approve": true})))
            .await;
    }
    let st = sec
        .ok(
            "GET",
            &format!("/api/v1/points/statements/household/{}", v.household),
            None,
        )
        .await;
    assert_eq!(st["account"]["balance"], 10);
    // Exported in the same layout (members masked), and read back unchanged.
    let dir = std::env::temp_dir().join(format!("xz_entries_{}_{}", std::process::id(), t.tag()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("entries.csv");
    let layout = xiangzhi::layout("points-entries").unwrap();
    let scope = xiangzhi_storage::Scope::everything();
    assert_eq!(
        (layout.export)(&t.db, &scope, &out, None, true)
            .await
            .unwrap(),
        3
    );
    let (status, job) = import_entries(&sec, "entries.csv", std::fs::read(&out).unwrap()).await;
    assert_eq!(status, 201, "{job}");
    assert_eq!(job["summary"]["added"], 0, "{job}");
    (layout.export)(&t.db, &scope, &out, None, false)
        .await
        .unwrap();
    assert!(
        !std::fs::read_to_string(&out).unwrap().contains(&member_id),
        "masked unless full"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
on_both!(points_entries_from_a_file, entries_from_a_file);

/// The village's first party member.
async fn first_member(admin: &Client) -> i64 {
    admin
        .ok("GET", "/api/v1/party-members?division=141029100001", None)
        .await["items"][0]["id"]
        .as_i64()
        .unwrap()
}

/// A members' rule of the county (a monthly cap of one award for awards); its id.
async fn member_rule(
    county: &Client,
    code: &str,
    dimension: &str,
    item: &str,
    points: i64,
    evidence_required: bool,
) -> i64 {
    let cap = (points > 0).then_some(points);
    county
        .ok(
            "POST",
            "/api/v1/points/rules",
            Some(
                json!({"holder": "member", "code": code, "dimension": dimension, "item": item,
                "points": points, "month_cap": cap, "evidence_required": evidence_required}),
            ),
        )
        .await["id"]
        .as_i64()
        .unwrap()
}
