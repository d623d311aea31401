//! Meetings by law (issue 20): the quorum and the notice computed when a meeting is recorded,
//! each item's result computed from its votes, never typed; a meeting without its quorum passes
//! nothing; what a meeting may not decide is kept as not passed with the reason; on both
//! backends and within the caller's reach.

use crate::api::Client;
use crate::helpers::TestDb;
use crate::on_both;
use serde_json::{json, Value};

fn villagers(entitled: u32, present: u32, notified: &str) -> Value {
    json!({"division_code": "141029100001", "kind": "villagers_meeting", "title": "2026年村民会议",
        "place": "村委会议室", "notified_on": notified, "held_on": "2026-11-30",
        "roll": {"entitled": entitled, "households": 150, "present": present, "online": 0, "proxies": 0,
                 "households_present": 0}, "minutes": "<b>会议记录</b>"})
}

fn item(kind: &str, yes: u32, no: u32, authorised: bool) -> Value {
    json!({"title": "2026年集体收益使用方案", "matter_kind": kind, "authorised": authorised,
        "votes": {"yes": yes, "no": no, "abstain": 0}})
}

async fn meetings(t: &TestDb) {
    crate::console::seed_village(t).await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    let items = |m: &Value| {
        format!(
            "/api/v1/meetings/{}/{}/items",
            m["meeting"]["county_id"], m["meeting"]["id"]
        )
    };
    // 200 of 400 is not more than half: the meeting is recorded, without its quorum.
    let short = sec
        .ok(
            "POST",
            "/api/v1/meetings",
            Some(villagers(400, 200, "2026-11-20")),
        )
        .await;
    assert_eq!(short["meeting"]["quorum_met"], false);
    let why = short["meeting"]["quorum_reason"].as_str().unwrap();
    assert!(
        why.contains("未过") && why.contains("至少201人") && why.contains("村委会组织法第二十二条"),
        "{why}"
    );
    // Nothing it votes passes, whatever the votes.
    let i = sec
        .ok(
            "POST",
            &items(&short),
            Some(item("collective_income", 200, 0, false)),
        )
        .await;
    assert_eq!(i["passed"], false);
    assert!(
        i["reason"].as_str().unwrap().contains("会议未达法定条件"),
        "{i}"
    );
    // 201 of 400 holds it; 101 of 201 present passes, 100 does not.
    let held = sec
        .ok(
            "POST",
            "/api/v1/meetings",
            Some(villagers(400, 201, "2026-11-20")),
        )
        .await;
    assert_eq!(held["meeting"]["quorum_met"], true, "{held}");
    let ok = sec
        .ok(
            "POST",
            &items(&held),
            Some(item("collective_income", 101, 100, false)),
        )
        .await;
    assert_eq!(
        (ok["passed"].as_bool(), ok["reason"].as_str()),
        (Some(true), Some(""))
    );
    let no = sec
        .ok(
            "POST",
            &items(&held),
            Some(item("collective_income", 100, 101, false)),
        )
        .await;
    assert_eq!(no["passed"], false);
    assert!(
        no["reason"]
            .as_str()
            .unwrap()
            .contains("过半数（至少101票）"),
        "{no}"
    );
    // More votes than people present is a counting error, refused.
    sec.problem(
        "POST",
        &items(&held),
        Some(item("collective_income", 150, 60, false)),
        422,
        "votes",
    )
    .await;
    // Nine days' notice is not ten.
    let late = sec
        .ok(
            "POST",
            "/api/v1/meetings",
            Some(villagers(400, 300, "2026-11-21")),
        )
        .await;
    assert_eq!(late["meeting"]["quorum_met"], false);
    assert!(
        late["meeting"]["quorum_reason"]
            .as_str()
            .unwrap()
            .contains("应提前10天通知，本次仅提前9天"),
        "{late}"
    );
    // Only the members' assembly counts online attendance.
    let mut online = villagers(400, 201, "2026-11-20");
    online["roll"]["online"] = json!(5);
    sec.problem("POST", "/api/v1/meetings", Some(online), 422, "roll.online")
        .await;
    // A representatives' meeting decides an Art 24 matter only when authorised.
    let reps = sec
        .ok(
            "POST",
            "/api/v1/meetings",
            Some(json!({"division_code": "141029100001", "kind": "representatives_meeting", "title": "村民代表会议",
                "held_on": "2026-11-30", "roll": {"entitled": 30, "households": 0, "present": 20, "online": 0,
                "proxies": 0, "households_present": 0}})),
        )
        .await;
    assert_eq!(reps["meeting"]["quorum_met"], true);
    let unauth = sec
        .ok(
            "POST",
            &items(&reps),
            Some(item("house_sites", 20, 0, false)),
        )
        .await;
    assert_eq!(unauth["passed"], false);
    assert!(
        unauth["reason"].as_str().unwrap().contains("授权"),
        "{unauth}"
    );
    let auth = sec
        .ok(
            "POST",
            &items(&reps),
            Some(item("house_sites", 11, 9, true)),
        )
        .await;
    assert_eq!(auth["passed"], true, "{auth}");
    // The members' assembly: online and household proxies count; two thirds of ALL decide.
    let assembly = sec
        .ok(
            "POST",
            "/api/v1/meetings",
            Some(json!({"division_code": "141029100001", "kind": "members_assembly", "title": "成员大会",
                "notified_on": "2026-11-01", "held_on": "2026-11-30", "roll": {"entitled": 300, "households": 0,
                "present": 150, "online": 30, "proxies": 20, "households_present": 0}})),
        )
        .await;
    assert_eq!(assembly["meeting"]["quorum_met"], true, "{assembly}");
    let four_fifths = sec
        .ok(
            "POST",
            &items(&assembly),
            Some(item("income_distribution", 199, 1, false)),
        )
        .await;
    assert_eq!(
        four_fifths["passed"], false,
        "199 of 200 present is not two thirds of 300"
    );
    assert_eq!(four_fifths["article"], "集体经济组织法第二十七条");
    let two_thirds = sec
        .ok(
            "POST",
            &items(&assembly),
            Some(item("income_distribution", 200, 0, false)),
        )
        .await;
    assert_eq!(two_thirds["passed"], true);
    // A group meeting is held by a group.
    let group = sec
        .ok(
            "POST",
            "/api/v1/meetings",
            Some(json!({"division_code": "141029100001001", "kind": "group_meeting", "title": "第一村民小组会议",
                "held_on": "2026-11-30", "roll": {"entitled": 60, "households": 20, "present": 30, "online": 0,
                "proxies": 0, "households_present": 14}})),
        )
        .await;
    assert_eq!(group["meeting"]["quorum_met"], true, "14 of 20 households");
    // Another township sees none of it and records nothing here.
    other
        .problem(
            "POST",
            "/api/v1/meetings",
            Some(villagers(400, 201, "2026-11-20")),
            422,
            "division_code",
        )
        .await;
    let (s, _, _) = other
        .call(
            "GET",
            &format!(
                "/api/v1/meetings/{}/{}",
                held["meeting"]["county_id"], held["meeting"]["id"]
            ),
            None,
        )
        .await;
    assert_eq!(s.as_u16(), 404);
    let (s, _, _) = other
        .call("POST", &items(&held), Some(item("ordinary", 1, 0, false)))
        .await;
    assert_eq!(s.as_u16(), 404);
    assert!(other
        .ok("GET", "/api/v1/meetings", None)
        .await
        .as_array()
        .unwrap()
        .is_empty());
    let all = sec.ok("GET", "/api/v1/meetings", None).await;
    assert_eq!(all.as_array().unwrap().len(), 6);
    let found = sec
        .ok("GET", "/api/v1/meetings?q=%E6%88%90%E5%91%98", None)
        .await;
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    let view = sec
        .ok(
            "GET",
            &format!(
                "/api/v1/meetings/{}/{}",
                held["meeting"]["county_id"], held["meeting"]["id"]
            ),
            None,
        )
        .await;
    assert_eq!(view["items"].as_array().unwrap().len(), 2);
}
on_both!(meetings_by_law, meetings);

/// 四议两公开: steps only in order, each with evidence; the decision names a meeting item of the
/// village on this kind of matter and carries its result; nothing is published as decided without
/// a passed resolution; two clerks racing for one step get one step; 一肩挑 joins the first two.
async fn procedure(t: &TestDb) {
    crate::console::seed_village(t).await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    let items = |m: &Value| {
        format!(
            "/api/v1/meetings/{}/{}/items",
            m["meeting"]["county_id"], m["meeting"]["id"]
        )
    };
    let short = sec
        .ok(
            "POST",
            "/api/v1/meetings",
            Some(villagers(400, 150, "2026-11-20")),
        )
        .await;
    let failed = sec
        .ok(
            "POST",
            &items(&short),
            Some(item("collective_income", 150, 0, false)),
        )
        .await;
    assert_eq!(failed["passed"], false);
    let held = sec
        .ok(
            "POST",
            "/api/v1/meetings",
            Some(villagers(400, 240, "2026-11-20")),
        )
        .await;
    let passed = sec
        .ok(
            "POST",
            &items(&held),
            Some(item("collective_income", 200, 40, false)),
        )
        .await;
    assert_eq!(passed["passed"], true);
    let elsewhere = sec
        .ok(
            "POST",
            &items(&held),
            Some(item("house_sites", 200, 40, false)),
        )
        .await;
    let open = json!({"division_code": "141029100001", "kind": "collective_income", "title": "2026年集体收益使用",
        "description": "<script>x</script>修路"});
    let m = sec.ok("POST", "/api/v1/matters", Some(open.clone())).await;
    assert_eq!(
        (m["needs_procedure"].as_bool(), m["next_step"].as_str()),
        (Some(true), Some("proposal"))
    );
    let steps = format!(
        "/api/v1/matters/{}/{}/steps",
        m["matter"]["county_id"], m["matter"]["id"]
    );
    let step = |s: &str, item: Option<i64>| json!({"step": s, "meeting_item_id": item, "evidence": "会议记录第3号", "taken_on": "2026-11-30"});
    // Out of order, and a joint meeting where the secretary is not also the director.
    sec.problem(
        "POST",
        &steps,
        Some(step("party_review", None)),
        409,
        "step",
    )
    .await;
    let mut joint = step("proposal", None);
    joint["joint"] = json!(true);
    sec.problem("POST", &steps, Some(joint.clone()), 409, "step")
        .await;
    sec.problem(
        "POST",
        &steps,
        Some(json!({"step": "proposal", "evidence": " ", "taken_on": "2026-11-30"})),
        422,
        "evidence",
    )
    .await;
    for s in ["proposal", "committees_discussion", "party_review"] {
        sec.ok("POST", &steps, Some(step(s, None))).await;
    }
    sec.problem(
        "POST",
        &steps,
        Some(step("decision_published", None)),
        409,
        "step",
    )
    .await;
    // The decision names its item: none, another kind's, then the failed one.
    sec.problem(
        "POST",
        &steps,
        Some(step("decision", None)),
        422,
        "meeting_item_id",
    )
    .await;
    sec.problem(
        "POST",
        &steps,
        Some(step("decision", elsewhere["id"].as_i64())),
        422,
        "meeting_item_id",
    )
    .await;
    let v = sec
        .ok(
            "POST",
            &steps,
            Some(step("decision", failed["id"].as_i64())),
        )
        .await;
    assert_eq!(
        (v["matter"]["state"].as_str(), v["next_step"].as_str()),
        (Some("open"), Some("decision"))
    );
    let e = sec
        .problem(
            "POST",
            &steps,
            Some(step("decision_published", None)),
            409,
            "step",
        )
        .await;
    assert!(e.to_string().contains("村民（代表）会议决议"), "{e}");
    // A new meeting that passed it: decided, then published twice over, then done.
    let v = sec
        .ok(
            "POST",
            &steps,
            Some(step("decision", passed["id"].as_i64())),
        )
        .await;
    assert_eq!(
        (v["matter"]["state"].as_str(), v["next_step"].as_str()),
        (Some("decided"), Some("decision_published"))
    );
    // The decision's publication puts it on the village's board with the step: both or
    // neither (a board posting whose window is backwards refuses the step too).
    let board = json!({"title": "决议公开", "body": "收益使用方案经村民会议通过。", "until_on": "2026-12-30"});
    let mut bad = step("decision_published", None);
    bad["posting"] = json!({"title": "决议公开", "body": "x", "until_on": "2020-01-01"});
    sec.problem("POST", &steps, Some(bad), 422, "until_on")
        .await;
    let mut early = step("party_review", None);
    early["posting"] = board.clone();
    sec.problem("POST", &steps, Some(early), 422, "posting")
        .await;
    let mut publish = step("decision_published", None);
    publish["posting"] = board;
    let v = sec.ok("POST", &steps, Some(publish)).await;
    let evidence = v["steps"].as_array().unwrap().last().unwrap()["evidence"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(evidence.contains("内容指纹"), "{evidence}");
    let posted = sec
        .ok("GET", "/api/v1/publicity?division=141029100001", None)
        .await;
    let linked: Vec<&Value> = posted
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["matter_id"] == v["matter"]["id"])
        .collect();
    assert_eq!(linked.len(), 1, "{posted}");
    assert!(evidence.contains(&linked[0]["fingerprint"].as_str().unwrap()[..16]));
    let v = sec
        .ok("POST", &steps, Some(step("outcome_published", None)))
        .await;
    assert_eq!(
        (v["matter"]["state"].as_str(), v["next_step"].as_str()),
        (Some("done"), None)
    );
    assert_eq!(v["steps"].as_array().unwrap().len(), 7);
    sec.problem(
        "POST",
        &steps,
        Some(step("outcome_published", None)),
        409,
        "step",
    )
    .await;
    // Two clerks racing to take the same step: one step, one refusal.
    let race = sec.ok("POST", "/api/v1/matters", Some(open.clone())).await;
    let race_steps = format!(
        "/api/v1/matters/{}/{}/steps",
        race["matter"]["county_id"], race["matter"]["id"]
    );
    let (a, b) = tokio::join!(
        sec.call("POST", &race_steps, Some(step("proposal", None))),
        sec.call("POST", &race_steps, Some(step("proposal", None)))
    );
    let mut codes = [a.0.as_u16(), b.0.as_u16()];
    codes.sort();
    assert_eq!(codes, [200, 409]);
    let after = sec
        .ok(
            "GET",
            &format!(
                "/api/v1/matters/{}/{}",
                race["matter"]["county_id"], race["matter"]["id"]
            ),
            None,
        )
        .await;
    assert_eq!(after["steps"].as_array().unwrap().len(), 1);
    // 一肩挑: the proposal and the committees' discussion at one joint meeting.
    let mut shoulder = open.clone();
    shoulder["one_shoulder"] = json!(true);
    let s1 = sec.ok("POST", "/api/v1/matters", Some(shoulder)).await;
    let s1_steps = format!(
        "/api/v1/matters/{}/{}/steps",
        s1["matter"]["county_id"], s1["matter"]["id"]
    );
    let v = sec.ok("POST", &s1_steps, Some(joint)).await;
    assert_eq!(v["next_step"], "party_review");
    // Another township sees none of it.
    let (s, _, _) = other
        .call(
            "GET",
            &format!(
                "/api/v1/matters/{}/{}",
                m["matter"]["county_id"], m["matter"]["id"]
            ),
            None,
        )
        .await;
    assert_eq!(s.as_u16(), 404);
    let (s, _, _) = other
        .call("POST", &steps, Some(step("proposal", None)))
        .await;
    assert_eq!(s.as_u16(), 404);
    other
        .problem("POST", "/api/v1/matters", Some(open), 422, "division_code")
        .await;
    // A reserved matter filed as ordinary business is caught by its words.
    let hidden = json!({"division_code": "141029100001", "kind": "ordinary", "title": "村集体闲置厂房出租给养殖户"});
    let e = sec
        .problem("POST", "/api/v1/matters", Some(hidden), 422, "kind")
        .await;
    assert!(
        e.to_string().contains("以借贷、租赁等方式处分村集体财产"),
        "{e}"
    );
    sec.ok(
        "POST",
        "/api/v1/matters",
        Some(json!({"division_code": "141029100001", "kind": "ordinary", "title": "组织重阳节敬老活动"})),
    )
    .await;
    let all = sec.ok("GET", "/api/v1/matters", None).await;
    assert_eq!(all.as_array().unwrap().len(), 4);
}
on_both!(four_deliberations_in_order, procedure);

/// 村务公开: postings with their fingerprints, one changed in the database found; the villages
/// late with their postings; a distribution's plan posted ten days before its vote, or no
/// decision.
async fn publicity(t: &TestDb) {
    crate::console::seed_village(t).await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    let today = xiangzhi_domain::china_today().to_string();
    let post = |kind: &str, title: &str, on: &str, matter: Option<i64>| {
        json!({"division_code": "141029100001", "kind": kind, "title": title, "body": "收入 12000 元，支出 8000 元",
            "matter_id": matter, "posted_on": on, "until_on": "2027-12-31"})
    };
    let p = sec
        .ok(
            "POST",
            "/api/v1/publicity",
            Some(post("finance", "11月财务收支", &today, None)),
        )
        .await;
    assert_eq!(p["fingerprint"].as_str().unwrap().len(), 64);
    assert!(sec
        .ok("GET", "/api/v1/publicity/altered", None)
        .await
        .as_array()
        .unwrap()
        .is_empty());
    // Changed in the database after it was posted: found.
    t.db.execute_for_tests(&format!(
        "UPDATE publicity_items SET body = '收入 2000 元' WHERE id = {}",
        p["id"]
    ))
    .await
    .unwrap();
    let altered = sec.ok("GET", "/api/v1/publicity/altered", None).await;
    assert_eq!(altered.as_array().unwrap().len(), 1);
    assert_eq!(altered[0]["id"], p["id"]);
    assert!(other
        .ok("GET", "/api/v1/publicity/altered", None)
        .await
        .as_array()
        .unwrap()
        .is_empty());
    // Late: the village has posted its finances this month but no general matters this year.
    let late = sec.ok("GET", "/api/v1/publicity/overdue", None).await;
    let said: Vec<(String, String)> = late
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["division_code"].as_str().unwrap().to_string(),
                o["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        said.contains(&("141029100001".into(), "general".into())),
        "{said:?}"
    );
    assert!(
        !said.contains(&("141029100001".into(), "finance".into())),
        "{said:?}"
    );
    assert!(!other
        .ok("GET", "/api/v1/publicity/overdue", None)
        .await
        .to_string()
        .contains("141029100001"));
    other
        .problem(
            "POST",
            "/api/v1/publicity",
            Some(post("general", "x", &today, None)),
            422,
            "division_code",
        )
        .await;
    // A distribution: its plan must be posted ten days before the members' assembly votes.
    let m = sec
        .ok(
            "POST",
            "/api/v1/matters",
            Some(json!({"division_code": "141029100001", "kind": "income_distribution", "title": "2026年收益分配方案"})),
        )
        .await;
    let (county, id) = (
        m["matter"]["county_id"].as_i64().unwrap(),
        m["matter"]["id"].as_i64().unwrap(),
    );
    let steps = format!("/api/v1/matters/{county}/{id}/steps");
    for s in ["proposal", "committees_discussion", "party_review"] {
        sec.ok(
            "POST",
            &steps,
            Some(json!({"step": s, "evidence": "记录", "taken_on": "2026-11-10"})),
        )
        .await;
    }
    let assembly = sec
        .ok(
            "POST",
            "/api/v1/meetings",
            Some(json!({"division_code": "141029100001", "kind": "members_assembly", "title": "成员大会",
                "notified_on": "2026-11-15", "held_on": "2026-11-30", "roll": {"entitled": 300, "households": 0,
                "present": 250, "online": 0, "proxies": 0, "households_present": 0}})),
        )
        .await;
    let item = sec
        .ok(
            "POST",
            &format!(
                "/api/v1/meetings/{}/{}/items",
                assembly["meeting"]["county_id"], assembly["meeting"]["id"]
            ),
            Some(
                json!({"title": "2026年收益分配方案", "matter_kind": "income_distribution",
                "votes": {"yes": 240, "no": 10, "abstain": 0}}),
            ),
        )
        .await;
    assert_eq!(item["passed"], true);
    let decide = json!({"step": "decision", "meeting_item_id": item["id"], "evidence": "成员大会决议", "taken_on": "2026-11-30"});
    let e = sec
        .problem("POST", &steps, Some(decide.clone()), 422, "meeting_item_id")
        .await;
    assert!(e.to_string().contains("尚未公示"), "{e}");
    sec.ok(
        "POST",
        "/api/v1/publicity",
        Some(post(
            "distribution_plan",
            "收益分配方案（征求意见）",
            "2026-11-25",
            Some(id),
        )),
    )
    .await;
    let e = sec
        .problem("POST", &steps, Some(decide.clone()), 422, "meeting_item_id")
        .await;
    assert!(e.to_string().contains("仅公示5天"), "{e}");
    sec.ok(
        "POST",
        "/api/v1/publicity",
        Some(post(
            "distribution_plan",
            "收益分配方案（征求意见）",
            "2026-11-20",
            Some(id),
        )),
    )
    .await;
    let v = sec.ok("POST", &steps, Some(decide)).await;
    assert_eq!(v["matter"]["state"], "decided");
    // The public board: no account, the postings within their window with their fingerprints,
    // numbers that could be an ID or a phone masked, markup shown as text.
    let mut body = post("general", "<b>低保评议结果</b>", &today, None);
    body["body"] = json!("张三 身份证 141029195001170011 电话 13912345678 户号 CG-0001");
    let g = sec.ok("POST", "/api/v1/publicity", Some(body)).await;
    let mut phone = crate::console::Page::new(t);
    let page = phone.get("/publicity/141029100001").await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    assert!(
        page.body.contains(g["fingerprint"].as_str().unwrap()),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("CG-0001") && page.body.contains("&#60;b&#62;低保评议结果"),
        "{}",
        page.body
    );
    for secret in ["141029195001170011", "13912345678"] {
        assert!(!page.body.contains(secret), "{secret}: {}", page.body);
    }
    assert!(!page.body.contains("收益分配方案（征求意见）") || page.body.contains("2027-12-31"));
    assert_eq!(
        phone.get("/publicity/141029100000").await.status.as_u16(),
        404,
        "a township is no village"
    );
    assert_eq!(
        phone.get("/publicity/999999999999").await.status.as_u16(),
        404
    );
}
on_both!(village_affairs_publicity, publicity);

/// An ID number of someone born on `birth` (`YYYYMMDD`), the `n`th of the day.
fn id_born(birth: &str, n: u32) -> String {
    let s = format!("141029{birth}{:03}", n % 1000);
    let c = xiangzhi_domain::id_number::check_char(s.as_bytes());
    format!("{s}{}", c as char)
}

/// A meeting called ahead with its roll by name: the villagers aged 18+ from the registry, the
/// branch's members with the probationary ones not voting, the members' assembly's proxies from
/// the household only; sign-ins counted once however often they are sent, nothing voted before
/// the sign-in closes, nothing signed after; the quorum judged from the roll.
async fn named_roll(t: &TestDb) {
    let v = crate::console::seed_village(t).await;
    let admin = Client::new(t).await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    let micro = admin
        .ok("GET", &format!("/api/v1/households/{}", v.household), None)
        .await["micro_grid_id"]
        .as_i64()
        .unwrap();
    let second = admin
        .ok(
            "POST",
            "/api/v1/households",
            Some(json!({"number": "CG-0002", "micro_grid_id": micro, "address": "城关社区幸福街2号"})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let mut ids = Vec::new();
    // Two adults and a child of eleven (born 2015): the child is not on a villagers' roll.
    for (k, (name, rel, birth)) in [
        ("赵大山", "head", "19700305"),
        ("钱小梅", "spouse", "19720611"),
        ("赵小宝", "child", "20150101"),
    ]
    .into_iter()
    .enumerate()
    {
        ids.push(
            admin
                .ok(
                    "POST",
                    "/api/v1/residents",
                    Some(json!({"household_id": second, "name": name, "id_number": id_born(birth, 300 + k as u32),
                        "relation": rel, "tags": []})),
                )
                .await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let first: Vec<i64> = admin
        .ok(
            "GET",
            &format!("/api/v1/households/{}/residents", v.household),
            None,
        )
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(first.len(), 3);
    let call = |kind: &str, members: Vec<i64>| {
        json!({"division_code": "141029100001", "kind": kind, "title": "2026年冬季会议",
            "place": "村委会议室", "notified_on": "2026-11-10", "held_on": "2026-11-30", "members": members})
    };
    let path = |m: &Value, tail: &str| {
        format!(
            "/api/v1/meetings/{}/{}/{tail}",
            m["meeting"]["county_id"], m["meeting"]["id"]
        )
    };
    // The villagers' meeting: five aged 18+ in two households; the child is not on the roll.
    let m = sec
        .ok(
            "POST",
            "/api/v1/meetings/called",
            Some(call("villagers_meeting", vec![])),
        )
        .await;
    assert_eq!(m["meeting"]["state"], "called");
    assert_eq!(
        (&m["meeting"]["entitled"], &m["meeting"]["households"]),
        (&json!(5), &json!(2))
    );
    let roll = sec.ok("GET", &path(&m, "roll"), None).await;
    let names: Vec<&str> = roll
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 5);
    assert!(!names.contains(&"赵小宝"), "{names:?}");
    // Choosing members for a meeting whose roll comes from the registry is refused.
    sec.problem(
        "POST",
        "/api/v1/meetings/called",
        Some(call("villagers_meeting", vec![first[0]])),
        422,
        "members",
    )
    .await;
    // Nothing is voted before the sign-in closes.
    sec.problem(
        "POST",
        &path(&m, "items"),
        Some(item("collective_income", 1, 0, false)),
        409,
        "meeting",
    )
    .await;
    let sign = |r: i64, how: &str| json!({"resident_id": r, "how": how});
    // The same sign-in three times (a tablet resending after lost answers) counts once.
    for _ in 0..3 {
        sec.ok(
            "POST",
            &path(&m, "sign-in"),
            Some(sign(first[0], "present")),
        )
        .await;
    }
    sec.ok(
        "POST",
        &path(&m, "sign-in"),
        Some(sign(first[1], "present")),
    )
    .await;
    // A mistaken sign-in is taken back.
    sec.ok("POST", &path(&m, "sign-in"), Some(sign(ids[1], "present")))
        .await;
    let undone = sec
        .ok("POST", &path(&m, "sign-in"), Some(sign(ids[1], "absent")))
        .await;
    assert_eq!(undone["attended"], "");
    sec.ok("POST", &path(&m, "sign-in"), Some(sign(ids[0], "present")))
        .await;
    // Online is for the members' assembly only; the child is not on the roll.
    sec.problem(
        "POST",
        &path(&m, "sign-in"),
        Some(sign(first[2], "online")),
        422,
        "how",
    )
    .await;
    sec.problem(
        "POST",
        &path(&m, "sign-in"),
        Some(sign(ids[2], "present")),
        422,
        "resident_id",
    )
    .await;
    // Another township's officer reaches neither the roll nor the sign-in.
    other.problem("GET", &path(&m, "roll"), None, 404, "").await;
    other
        .problem(
            "POST",
            &path(&m, "sign-in"),
            Some(sign(first[2], "present")),
            404,
            "",
        )
        .await;
    // Three of five in two households: more than half, so the meeting is held.
    let held = sec
        .ok(
            "POST",
            &path(&m, "close"),
            Some(json!({"minutes": "会议由村党支部书记主持"})),
        )
        .await;
    let mt = &held["meeting"];
    assert_eq!(
        (
            &mt["state"],
            &mt["present"],
            &mt["households_present"],
            &mt["quorum_met"]
        ),
        (&json!("held"), &json!(3), &json!(2), &json!(true)),
        "{held}"
    );
    assert_eq!(mt["minutes"], "会议由村党支部书记主持");
    // After the close nothing is signed and the close is not repeated.
    sec.problem(
        "POST",
        &path(&m, "sign-in"),
        Some(sign(first[2], "present")),
        409,
        "meeting",
    )
    .await;
    sec.problem("POST", &path(&m, "close"), Some(json!({})), 409, "meeting")
        .await;
    let i = sec
        .ok(
            "POST",
            &path(&m, "items"),
            Some(item("collective_income", 2, 1, false)),
        )
        .await;
    assert_eq!(i["passed"], true, "{i}");
    // Two of five from one of the two households make no quorum (two from two households
    // would: two thirds of the households, the law's other way).
    let thin = sec
        .ok(
            "POST",
            "/api/v1/meetings/called",
            Some(call("villagers_meeting", vec![])),
        )
        .await;
    for r in [first[0], first[1]] {
        sec.ok("POST", &path(&thin, "sign-in"), Some(sign(r, "present")))
            .await;
    }
    let short = sec.ok("POST", &path(&thin, "close"), Some(json!({}))).await;
    assert_eq!(short["meeting"]["quorum_met"], false);
    assert!(
        short["meeting"]["quorum_reason"]
            .as_str()
            .unwrap()
            .contains("至少3人"),
        "{short}"
    );
    // The party members' meeting: a probationary member attends without a vote.
    let branch = admin.branch_of("141029100001").await;
    admin
        .ok(
            "POST",
            "/api/v1/party-members",
            Some(json!({"resident_id": first[1], "org_id": branch, "status": "probationary", "role": "member",
                "joined_on": "2026-07-01"})),
        )
        .await;
    let party = sec
        .ok(
            "POST",
            "/api/v1/meetings/called",
            Some(call("party_members_meeting", vec![])),
        )
        .await;
    assert_eq!(party["meeting"]["entitled"], 1, "{party}");
    let roll = sec.ok("GET", &path(&party, "roll"), None).await;
    let votes: Vec<(i64, bool)> = roll
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["resident_id"].as_i64().unwrap(),
                e["votes"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(votes.contains(&(first[1], false)) && votes.contains(&(first[0], true)));
    // The branch's paper sheet entered at once, twice: the second changes nothing.
    for _ in 0..2 {
        let r = sec
            .ok(
                "POST",
                &path(&party, "sheet"),
                Some(json!({"resident_ids": [first[0], first[1]]})),
            )
            .await;
        assert_eq!(r["signed"], 2);
    }
    let p = sec
        .ok("POST", &path(&party, "close"), Some(json!({})))
        .await;
    assert_eq!(
        (&p["meeting"]["present"], &p["meeting"]["quorum_met"]),
        (&json!(1), &json!(true)),
        "the probationary member is present without counting: {p}"
    );
    // The members' assembly: chosen members; a proxy only from the member's own household.
    let members = vec![first[0], first[1], ids[0]];
    let assembly = sec
        .ok(
            "POST",
            "/api/v1/meetings/called",
            Some(call("members_assembly", members.clone())),
        )
        .await;
    assert_eq!(assembly["meeting"]["entitled"], 3);
    // Not from another household, not from a child.
    for holder in [first[0], ids[2]] {
        sec.problem(
            "POST",
            &path(&assembly, "sign-in"),
            Some(json!({"resident_id": ids[0], "how": "proxy", "proxy_by": holder})),
            422,
            "proxy_by",
        )
        .await;
    }
    let p = sec
        .ok(
            "POST",
            &path(&assembly, "sign-in"),
            Some(json!({"resident_id": ids[0], "how": "proxy", "proxy_by": ids[1]})),
        )
        .await;
    assert_eq!(p["proxy_name"], "钱小梅");
    sec.ok(
        "POST",
        &path(&assembly, "sign-in"),
        Some(sign(first[0], "online")),
    )
    .await;
    sec.ok(
        "POST",
        &path(&assembly, "sign-in"),
        Some(sign(first[1], "present")),
    )
    .await;
    let a = sec
        .ok("POST", &path(&assembly, "close"), Some(json!({})))
        .await;
    assert_eq!(
        (
            &a["meeting"]["present"],
            &a["meeting"]["online"],
            &a["meeting"]["proxies"],
            &a["meeting"]["quorum_met"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(true)),
        "{a}"
    );
    // A member from another village cannot be put on the roll.
    sec.problem(
        "POST",
        "/api/v1/meetings/called",
        Some(call("members_assembly", vec![first[0], v.other_resident])),
        422,
        "members",
    )
    .await;
}

on_both!(meetings_called_with_a_named_roll, named_roll);

/// Every meeting type at each boundary of its quorum and its threshold, recorded through the API
/// and judged by the store: "more than half" excludes the half, "two thirds or more" includes
/// it; the party members' meeting and the collective's assemblies count of all who should
/// attend, the others of those present; the member representatives' assembly needs more than
/// twenty and may not decide what the law keeps for all members.
async fn boundaries(t: &TestDb) {
    crate::console::seed_village(t).await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let record = |kind: &str, entitled: u32, present: u32| {
        let division = if kind == "group_meeting" {
            "141029100001001"
        } else {
            "141029100001"
        };
        json!({"division_code": division, "kind": kind, "title": "边界", "notified_on": "2026-11-01",
            "held_on": "2026-11-30", "roll": {"entitled": entitled, "households": 0, "present": present,
            "online": 0, "proxies": 0, "households_present": 0}})
    };
    // (kind, entitled, present, whether the meeting is held)
    let quorums = [
        ("villagers_meeting", 400, 200, false),
        ("villagers_meeting", 400, 201, true),
        ("villagers_meeting", 401, 200, false),
        ("villagers_meeting", 401, 201, true),
        ("representatives_meeting", 30, 19, false),
        ("representatives_meeting", 30, 20, true),
        ("representatives_meeting", 31, 20, false),
        ("representatives_meeting", 31, 21, true),
        ("group_meeting", 60, 39, false),
        ("group_meeting", 60, 40, true),
        ("party_members_meeting", 30, 15, false),
        ("party_members_meeting", 30, 16, true),
        ("party_members_meeting", 31, 16, true),
        ("members_assembly", 300, 199, false),
        ("members_assembly", 300, 200, true),
        ("member_representatives_assembly", 21, 13, false),
        ("member_representatives_assembly", 21, 14, true),
        ("member_representatives_assembly", 20, 20, false),
    ];
    for (kind, entitled, present, held) in quorums {
        let m = sec
            .ok(
                "POST",
                "/api/v1/meetings",
                Some(record(kind, entitled, present)),
            )
            .await;
        assert_eq!(
            m["meeting"]["quorum_met"],
            json!(held),
            "{kind} {present}/{entitled}: {m}"
        );
        if !held {
            assert!(
                !m["meeting"]["quorum_reason"].as_str().unwrap().is_empty(),
                "{m}"
            );
        }
    }
    // (kind, entitled, present, yes, matter, whether the item passes)
    let thresholds = [
        (
            "villagers_meeting",
            400,
            240,
            120,
            "collective_income",
            false,
        ),
        (
            "villagers_meeting",
            400,
            240,
            121,
            "collective_income",
            true,
        ),
        ("representatives_meeting", 30, 21, 10, "ordinary", false),
        ("representatives_meeting", 30, 21, 11, "ordinary", true),
        ("group_meeting", 60, 40, 20, "ordinary", false),
        ("group_meeting", 60, 40, 21, "ordinary", true),
        // Of those who should attend: 15 of 20 present is not more than half of 30.
        ("party_members_meeting", 30, 20, 15, "ordinary", false),
        ("party_members_meeting", 30, 20, 16, "ordinary", true),
        // Of ALL members: 199 of 210 present is not two thirds of 300.
        (
            "members_assembly",
            300,
            210,
            199,
            "income_distribution",
            false,
        ),
        (
            "members_assembly",
            300,
            300,
            200,
            "income_distribution",
            true,
        ),
        (
            "member_representatives_assembly",
            30,
            30,
            19,
            "income_distribution",
            false,
        ),
        (
            "member_representatives_assembly",
            30,
            30,
            20,
            "income_distribution",
            true,
        ),
        // What only all members decide (集体经济组织法 Art 28), whatever the vote.
        (
            "member_representatives_assembly",
            30,
            30,
            30,
            "articles",
            false,
        ),
        (
            "member_representatives_assembly",
            30,
            30,
            30,
            "share_quantification",
            false,
        ),
    ];
    for (kind, entitled, present, yes, matter, passes) in thresholds {
        let m = sec
            .ok(
                "POST",
                "/api/v1/meetings",
                Some(record(kind, entitled, present)),
            )
            .await;
        assert_eq!(m["meeting"]["quorum_met"], true, "{kind}: {m}");
        let i = sec
            .ok(
                "POST",
                &format!(
                    "/api/v1/meetings/{}/{}/items",
                    m["meeting"]["county_id"], m["meeting"]["id"]
                ),
                Some(
                    json!({"title": "村内道路保洁安排", "matter_kind": matter, "authorised": false,
                    "votes": {"yes": yes, "no": present - yes, "abstain": 0}}),
                ),
            )
            .await;
        assert_eq!(
            i["passed"],
            json!(passes),
            "{kind} {yes} of {present} present, {entitled} entitled, {matter}: {i}"
        );
        if !passes {
            assert!(!i["reason"].as_str().unwrap().is_empty(), "{i}");
        }
    }
}
on_both!(meetings_at_every_boundary, boundaries);

/// A representatives' meeting called by name is composed as 村委会组织法第二十五条 asks, or it
/// is refused with every way it falls short: representatives four fifths or more, women a third
/// or more, one representative for every five to fifteen of the village's households.
async fn composition(t: &TestDb) {
    let v = crate::console::seed_village(t).await;
    let admin = Client::new(t).await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let micro = admin
        .ok("GET", &format!("/api/v1/households/{}", v.household), None)
        .await["micro_grid_id"]
        .as_i64()
        .unwrap();
    // Twenty more households of one adult each; an even sequence number is a woman.
    let mut people = Vec::new();
    for n in 0..20u32 {
        let h = admin
            .ok(
                "POST",
                "/api/v1/households",
                Some(json!({"number": format!("CG-1{n:03}"), "micro_grid_id": micro, "address": "城关社区"})),
            )
            .await["id"]
            .as_i64()
            .unwrap();
        let r = admin
            .ok(
                "POST",
                "/api/v1/residents",
                Some(json!({"household_id": h, "name": format!("代表{n}"), "id_number": id_born("19800101", 400 + n),
                    "relation": "head", "tags": []})),
            )
            .await;
        assert_eq!(r["gender"], if n % 2 == 0 { "female" } else { "male" });
        people.push(r["id"].as_i64().unwrap());
    }
    let call = |members: &[i64], committee: &[i64]| {
        json!({"division_code": "141029100001", "kind": "representatives_meeting", "title": "村民代表会议",
            "notified_on": "2026-11-20", "held_on": "2026-11-30", "members": members, "committee": committee})
    };
    // Two committee members of five, one woman among them: both faults, in words, at once.
    let men_mostly = [people[0], people[1], people[3], people[5], people[7]];
    let refused = sec
        .problem(
            "POST",
            "/api/v1/meetings/called",
            Some(call(&men_mostly, &men_mostly[..2])),
            422,
            "members",
        )
        .await;
    let said = refused.to_string();
    assert!(
        said.contains("五分之四") && said.contains("三分之一") && said.contains("第二十五条"),
        "{said}"
    );
    // One committee member and four representatives, two women, for 21 households: lawful.
    let lawful = [people[0], people[2], people[1], people[3], people[5]];
    let m = sec
        .ok(
            "POST",
            "/api/v1/meetings/called",
            Some(call(&lawful, &lawful[..1])),
        )
        .await;
    assert_eq!(m["meeting"]["entitled"], 5, "{m}");
    // A committee member who is not on the roll, or a committee for another kind of meeting,
    // is refused.
    sec.problem(
        "POST",
        "/api/v1/meetings/called",
        Some(call(&lawful, &[people[9]])),
        422,
        "committee",
    )
    .await;
    let mut villagers = call(&[], &[people[0]]);
    villagers["kind"] = json!("villagers_meeting");
    sec.problem(
        "POST",
        "/api/v1/meetings/called",
        Some(villagers),
        422,
        "committee",
    )
    .await;
    // Too few representatives for the households: 21 households need at least two.
    let one = [people[0]];
    let thin = sec
        .problem(
            "POST",
            "/api/v1/meetings/called",
            Some(call(&one, &[])),
            422,
            "members",
        )
        .await;
    assert!(thin.to_string().contains("每五户至十五户"), "{thin}");
}
on_both!(representatives_composed_by_law, composition);

/// The console's papers and lists: a group's meeting called from the form (and refused in words
/// without its group); the notice, the sign-in sheet, the ballots and the minutes printed apart;
/// the roll and the lists as .xlsx; the township's officer sees every village's meetings,
/// matters and late postings, and another township's officer reaches none of them.
async fn console_papers(t: &TestDb) {
    use crate::console::Page;
    use crate::economy::urlencoding;
    use axum::http::StatusCode;
    crate::console::seed_village(t).await;
    crate::api::add_user(t, "zhenguan", "township_officer", "141029100000").await;
    crate::api::add_user(t, "linzhen", "township_officer", "141029101000").await;
    let mut p = Page::new(t);
    p.login("cunshuji").await;
    let g = p.get("/decisions").await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(
        g.body.contains("value=\"group_meeting\"") && g.body.contains("141029100001001"),
        "a group's meeting can be called: {}",
        g.body
    );
    let form = |kind: &str, group: &str, members: &str, title: &str| {
        format!(
            "division_code=141029100001&kind={kind}&group_code={group}&title={}&place={}\
             &notified_on=2026-11-10&held_on=2026-11-30&members={}&committee=",
            urlencoding(title),
            urlencoding("村委会议室"),
            urlencoding(members)
        )
    };
    let g = p
        .send(
            "POST",
            "/decisions/meetings",
            Some(&form("group_meeting", "", "李秀英\n王建军", "第一组会议")),
        )
        .await;
    assert_eq!(g.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", g.body);
    assert!(g.body.contains("请选择村民小组"), "{}", g.body);
    let g = p
        .send(
            "POST",
            "/decisions/meetings",
            Some(&form(
                "group_meeting",
                "141029100001001",
                "李秀英\n王建军",
                "第一组会议",
            )),
        )
        .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.body);
    let g = p
        .send(
            "POST",
            "/decisions/meetings",
            Some(&form("villagers_meeting", "", "", "<b>冬季</b>村民会议")),
        )
        .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.body);
    let meeting = g.location.clone();
    let papers = ["会议通知", "签到表", "表决票", "会议记录"];
    for (part, label) in ["notice", "roll", "ballot", "minutes"]
        .into_iter()
        .zip(papers)
    {
        let g = p.get(&format!("{meeting}/print?part={part}")).await;
        assert_eq!(g.status, StatusCode::OK, "{part}");
        assert!(
            g.body.contains("&#60;b&#62;冬季") && !g.body.contains("<b>冬季"),
            "{part}: {}",
            g.body
        );
        for other in papers {
            assert_eq!(
                g.body.contains(&format!("aria-label=\"{other}\"")),
                other == label,
                "{part} shows {label} alone: {}",
                g.body
            );
        }
    }
    let g = p.get(&format!("{meeting}/print")).await;
    assert!(
        g.body.contains("签到表") && g.body.contains("李秀英"),
        "{}",
        g.body
    );
    assert_ne!(
        p.get(&format!("{meeting}/print?part=bogus")).await.status,
        StatusCode::OK
    );
    for path in [
        format!("{meeting}/roll.xlsx"),
        "/decisions/meetings.xlsx".to_string(),
        "/decisions/matters.xlsx".to_string(),
    ] {
        let (status, kind, bytes) = p.bytes(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            kind.contains("spreadsheetml") && bytes.starts_with(b"PK"),
            "{path}"
        );
    }
    // The township sees the village's meetings and its late postings.
    let mut town = Page::new(t);
    town.login("zhenguan").await;
    let g = town.get("/decisions").await;
    assert!(
        !g.body.contains("<b>冬季")
            && g.body.contains("&#60;b&#62;冬季")
            && g.body.contains("第一组会议")
            && g.body.contains("村务公开逾期")
            && g.body.contains("/publicity/141029100001"),
        "{}",
        g.body
    );
    // Another township's officer sees none of it.
    let mut far = Page::new(t);
    far.login("linzhen").await;
    let g = far.get("/decisions").await;
    assert!(!g.body.contains("第一组会议"), "{}", g.body);
    assert_eq!(far.get(&meeting).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        far.get(&format!("{meeting}/print?part=roll")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        far.bytes(&format!("{meeting}/roll.xlsx")).await.0,
        StatusCode::NOT_FOUND
    );
}
on_both!(decisions_console_papers, console_papers);
