//! The collective economy (issue 21): members with their history, households' shares, and an
//! income distribution drafted exact to the fen, paid nothing until a resolution that passed its
//! legal threshold carries it, never paid beyond a household's lines however many clerks race,
//! and never moved by points; on both backends and within the caller's reach.

use crate::api::Client;
use crate::helpers::TestDb;
use crate::on_both;
use serde_json::{json, Value};

async fn distribution(t: &TestDb) {
    let v = crate::console::seed_village(t).await;
    let admin = Client::new(t).await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    // A second household, lifted out of poverty.
    let micro = admin
        .ok("GET", &format!("/api/v1/households/{}", v.household), None)
        .await["micro_grid_id"]
        .as_i64()
        .unwrap();
    let poor = admin
        .ok(
            "POST",
            "/api/v1/households",
            Some(json!({"number": "CG-0002", "micro_grid_id": micro, "address": "城关社区幸福街2号"})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let poor_head = admin
        .ok(
            "POST",
            "/api/v1/residents",
            Some(json!({"household_id": poor, "name": "赵大山", "id_number": crate::api::id_number(401),
                "relation": "head", "tags": ["poverty_alleviated"]})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
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
    // Members: the first household's three and the second's head; one of the first leaves.
    let mut members = Vec::new();
    for r in first.iter().chain([&poor_head]) {
        members.push(
            sec.ok(
                "POST",
                "/api/v1/economy/members",
                Some(
                    json!({"resident_id": r, "joined_on": "2020-01-01", "joined_how": "founding"}),
                ),
            )
            .await,
        );
    }
    sec.problem(
        "POST",
        "/api/v1/economy/members",
        Some(json!({"resident_id": first[0], "joined_on": "2020-01-01", "joined_how": "founding"})),
        409,
        "resident_id",
    )
    .await;
    let gone = &members[2];
    let left = sec
        .ok(
            "POST",
            &format!(
                "/api/v1/economy/members/{}/{}/leave",
                gone["county_id"], gone["id"]
            ),
            Some(json!({"left_on": "2025-06-01", "left_how": "joined_elsewhere"})),
        )
        .await;
    assert_eq!(left["left_how"], "joined_elsewhere");
    // Another township's officer neither sees nor adds.
    other
        .problem(
            "GET",
            &format!(
                "/api/v1/economy/members/{}/{}",
                gone["county_id"], gone["id"]
            ),
            None,
            404,
            "",
        )
        .await;
    other
        .problem(
            "POST",
            "/api/v1/economy/members",
            Some(json!({"resident_id": poor_head, "joined_on": "2020-01-01", "joined_how": "founding"})),
            422,
            "resident_id",
        )
        .await;
    sec.ok(
        "POST",
        "/api/v1/economy/holdings",
        Some(json!({"household_id": v.household, "kind": "land", "shares": 250, "since": "2020-01-01",
            "certificate": "CG-地-001"})),
    )
    .await;
    // 10,000.00 yuan: a 10% fund, then 20% kept, 10% to households out of poverty, 70% to the
    // others by their members on the day.
    let plan = json!({"division_code": "141029100001", "year": 2026, "title": "2026年度收益分配方案",
        "distributable": 1_000_000, "reserve": 1000, "classes": [
            {"name": "集体", "weight": 2000, "kept": true},
            {"name": "脱贫户", "weight": 1000, "basis": "members", "who": "poverty_alleviated"},
            {"name": "其他农户", "weight": 7000, "basis": "members", "who": "others"}]});
    let d = sec
        .ok("POST", "/api/v1/economy/distributions", Some(plan.clone()))
        .await;
    let lines = |d: &Value| {
        d["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["class"].as_str().unwrap().to_string(),
                    l["household_id"].as_i64().unwrap(),
                    l["shares"].as_i64().unwrap(),
                    l["amount"].as_i64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        lines(&d),
        vec![
            ("其他农户".to_string(), v.household, 200, 630_000),
            ("脱贫户".to_string(), poor, 100, 90_000),
        ]
    );
    let dist = &d["distribution"];
    assert_eq!(
        (
            &dist["reserve_amount"],
            &dist["kept_amount"],
            &dist["state"]
        ),
        (&json!(100_000), &json!(280_000), &json!("draft"))
    );
    let base = format!(
        "/api/v1/economy/distributions/{}/{}",
        dist["county_id"], dist["id"]
    );
    other.problem("GET", &base, None, 404, "").await;
    let pay = |household: i64, amount: i64| json!({"household_id": household, "amount": amount, "paid_on": "2026-12-01", "voucher": "记-12-001"});
    // Nothing is paid before a passed resolution carries the plan.
    sec.problem(
        "POST",
        &format!("{base}/payments"),
        Some(pay(poor, 1)),
        409,
        "state",
    )
    .await;
    let m = sec
        .ok(
            "POST",
            "/api/v1/matters",
            Some(json!({"division_code": "141029100001", "kind": "income_distribution", "title": "2026年度收益分配方案"})),
        )
        .await;
    let matter = m["matter"]["id"].as_i64().unwrap();
    let approval = json!({"matter_id": matter});
    sec.problem(
        "POST",
        &format!("{base}/approval"),
        Some(approval.clone()),
        409,
        "matter_id",
    )
    .await;
    let steps = format!("/api/v1/matters/141029/{matter}/steps");
    for s in ["proposal", "committees_discussion", "party_review"] {
        sec.ok(
            "POST",
            &steps,
            Some(json!({"step": s, "evidence": "记录", "taken_on": "2026-11-10"})),
        )
        .await;
    }
    sec.ok(
        "POST",
        "/api/v1/publicity",
        Some(json!({"division_code": "141029100001", "kind": "distribution_plan", "title": "2026年度收益分配方案（征求意见）",
            "body": "见附表", "matter_id": matter, "posted_on": "2026-11-15", "until_on": "2026-11-29"})),
    )
    .await;
    // A members' assembly whose vote falls short of two thirds of all members carries nothing.
    let assembly = json!({"division_code": "141029100001", "kind": "members_assembly", "title": "成员大会",
        "notified_on": "2026-11-15", "held_on": "2026-11-30", "roll": {"entitled": 3, "households": 0,
        "present": 3, "online": 0, "proxies": 0, "households_present": 0}});
    let mut items = Vec::new();
    for yes in [1, 2] {
        let a = sec
            .ok("POST", "/api/v1/meetings", Some(assembly.clone()))
            .await;
        items.push(
            sec.ok(
                "POST",
                &format!(
                    "/api/v1/meetings/{}/{}/items",
                    a["meeting"]["county_id"], a["meeting"]["id"]
                ),
                Some(
                    json!({"title": "2026年度收益分配方案", "matter_kind": "income_distribution",
                    "votes": {"yes": yes, "no": 3 - yes, "abstain": 0}}),
                ),
            )
            .await,
        );
    }
    assert_eq!(
        (&items[0]["passed"], &items[1]["passed"]),
        (&json!(false), &json!(true))
    );
    let decide = |item: &Value| json!({"step": "decision", "meeting_item_id": item["id"], "evidence": "成员大会决议", "taken_on": "2026-11-30"});
    sec.ok("POST", &steps, Some(decide(&items[0]))).await;
    sec.problem(
        "POST",
        &format!("{base}/approval"),
        Some(approval.clone()),
        409,
        "matter_id",
    )
    .await;
    sec.ok("POST", &steps, Some(decide(&items[1]))).await;
    let ok = sec
        .ok("POST", &format!("{base}/approval"), Some(approval.clone()))
        .await;
    assert_eq!(
        (
            &ok["distribution"]["state"],
            &ok["distribution"]["decided_on"]
        ),
        (&json!("approved"), &json!("2026-11-30"))
    );
    // Paid in parts, never beyond the household's lines.
    sec.ok(
        "POST",
        &format!("{base}/payments"),
        Some(pay(v.household, 600_000)),
    )
    .await;
    sec.problem(
        "POST",
        &format!("{base}/payments"),
        Some(pay(v.household, 30_001)),
        409,
        "amount",
    )
    .await;
    sec.ok(
        "POST",
        &format!("{base}/payments"),
        Some(pay(v.household, 30_000)),
    )
    .await;
    // Twenty clerks racing to pay 10,000 fen against the poor household's 90,000: nine succeed.
    let mut racing = Vec::new();
    for _ in 0..20 {
        let c = Client::as_role(t, "village_secretary", "141029100001").await;
        let uri = format!("{base}/payments");
        let body = pay(poor, 10_000);
        racing.push(tokio::spawn(async move {
            c.call("POST", &uri, Some(body)).await.0
        }));
    }
    let mut paid = 0;
    for r in racing {
        if r.await.unwrap().is_success() {
            paid += 1;
        }
    }
    assert_eq!(paid, 9);
    let after = sec.ok("GET", &base, None).await;
    assert_eq!(after["paid"], 720_000);
    // Points never move shares: a household's large award leaves a new draft's lines as they were.
    let rule = admin
        .ok(
            "POST",
            "/api/v1/points/rules",
            Some(json!({"county_id": 141029, "holder": "household", "code": "ECO1", "dimension": "人居环境",
                "item": "清洁", "points": 50})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let claim = sec
        .ok(
            "POST",
            "/api/v1/points/claims",
            Some(json!({"holder": "household", "holder_id": poor, "rule_id": rule, "month": "2026-11",
                "evidence": "庭院整洁"})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    Client::as_role(t, "township_officer", "141029100000")
        .await
        .ok(
            "POST",
            &format!("/api/v1/points/claims/141029/{claim}/decision"),
            Some(json!({"approve": true})),
        )
        .await;
    let again = sec
        .ok("POST", "/api/v1/economy/distributions", Some(plan))
        .await;
    assert_eq!(
        lines(&again),
        lines(&d),
        "points changed a household's shares"
    );
}

on_both!(distribution_bound_to_a_resolution, distribution);

/// A lease of collective land: its schedule and what is overdue computed by the rules, rent
/// received never beyond the whole term's rent however many clerks race, the overdue list, and
/// nothing of it in another township's reach.
async fn leases(t: &TestDb) {
    crate::console::seed_village(t).await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    // The seed's rent of 800 yuan a mu: 12.5 mu is 10,000 yuan a year, paid twice a year for
    // three years from 2025-03-01.
    let l = sec
        .ok(
            "POST",
            "/api/v1/economy/leases",
            Some(json!({"division_code": "141029100001", "resource": "东坡耕地", "kind": "land", "area": 1250,
                "price": 80000, "lessee": "乡宁县红星种植合作社", "start_on": "2025-03-01", "years": 3, "per_year": 2})),
        )
        .await;
    assert_eq!(
        (
            &l["annual"],
            &l["total"],
            l["schedule"].as_array().unwrap().len()
        ),
        (&json!(1_000_000), &json!(3_000_000), 6)
    );
    assert_eq!(
        l["schedule"][1],
        json!({"on": "2025-09-01", "amount": 500_000})
    );
    let base = format!(
        "/api/v1/economy/leases/{}/{}",
        l["lease"]["county_id"], l["lease"]["id"]
    );
    let on = |day: &str| format!("{base}?on={day}");
    // On 2026-03-15 three instalments are due: 1,500,000; 1,000,000 received leaves 500,000.
    sec.ok(
        "POST",
        &format!("{base}/receipts"),
        Some(json!({"amount": 1_000_000, "received_on": "2025-09-20", "voucher": "收-09-01"})),
    )
    .await;
    let v = sec.ok("GET", &on("2026-03-15"), None).await;
    assert_eq!(
        (&v["due"], &v["overdue"]),
        (&json!(1_500_000), &json!(500_000))
    );
    let late = sec
        .ok(
            "GET",
            "/api/v1/economy/leases/overdue?on=2026-03-15&division=141029100001",
            None,
        )
        .await;
    assert_eq!(late.as_array().unwrap().len(), 1);
    assert_eq!(late[0]["overdue"], 500_000);
    // Twenty-one clerks racing to receive 100,000 each against the 2,000,000 left: twenty fit;
    // nothing more than the term's rent is ever received.
    let mut racing = Vec::new();
    for k in 0..21 {
        let c = Client::as_role(t, "village_secretary", "141029100001").await;
        let uri = format!("{base}/receipts");
        let body = json!({"amount": 100_000, "received_on": "2026-03-20", "voucher": format!("收-03-{k}")});
        racing.push(tokio::spawn(async move {
            c.call("POST", &uri, Some(body)).await.0
        }));
    }
    let mut ok = 0;
    for r in racing {
        if r.await.unwrap().is_success() {
            ok += 1;
        }
    }
    assert_eq!(
        ok, 20,
        "the 1,000,001 fen receipt would pass the term's rent"
    );
    sec.problem(
        "POST",
        &format!("{base}/receipts"),
        Some(json!({"amount": 1_000_001, "received_on": "2026-03-20", "voucher": "收-03-x"})),
        409,
        "amount",
    )
    .await;
    let v = sec.ok("GET", &on("2028-12-31"), None).await;
    assert_eq!(
        (&v["lease"]["received"], &v["overdue"]),
        (&json!(3_000_000), &json!(0))
    );
    other.problem("GET", &base, None, 404, "").await;
    sec.problem(
        "POST",
        "/api/v1/economy/leases",
        Some(json!({"division_code": "141029100001", "resource": "西沟林地", "kind": "forest", "area": 100,
            "price": 100, "lessee": "某人", "start_on": "2025-01-01", "years": 3, "per_year": 3})),
        422,
        "per_year",
    )
    .await;
}

on_both!(leases_and_rent, leases);

/// The asset register: depreciation and book value by the rules on any day, the state moved by
/// compare-and-set, and the county's list of idle assets in every village in reach.
async fn assets(t: &TestDb) {
    crate::console::seed_village(t).await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let county = Client::new(t).await;
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    // A cold store of 100,000.00 yuan, salvage 4,000.00, ten years: 800.00 a month.
    let a = sec
        .ok(
            "POST",
            "/api/v1/economy/assets",
            Some(
                json!({"division_code": "141029100001", "name": "果品冷库", "category": "building",
                "location": "村东头", "cost": 10_000_000, "salvage": 400_000, "months": 120,
                "acquired_on": "2025-03-15", "state": "idle"}),
            ),
        )
        .await;
    let base = format!(
        "/api/v1/economy/assets/{}/{}",
        a["asset"]["county_id"], a["asset"]["id"]
    );
    let v = sec.ok("GET", &format!("{base}?on=2026-03-31"), None).await;
    assert_eq!(
        (&v["elapsed"], &v["depreciated"], &v["book_value"]),
        (&json!(12), &json!(960_000), &json!(9_040_000))
    );
    let v = sec.ok("GET", &format!("{base}?on=2040-01-01"), None).await;
    assert_eq!(v["book_value"], 400_000, "never below the salvage value");
    // The county sees the idle cold store; once leased it leaves the list.
    let idle = county.ok("GET", "/api/v1/economy/assets/idle", None).await;
    assert_eq!(idle.as_array().unwrap().len(), 1);
    other
        .ok("GET", "/api/v1/economy/assets/idle", None)
        .await
        .as_array()
        .unwrap()
        .is_empty()
        .then_some(())
        .expect("another township sees none of it");
    sec.ok(
        "POST",
        &format!("{base}/state"),
        Some(json!({"state": "leased", "version": 1})),
    )
    .await;
    sec.problem(
        "POST",
        &format!("{base}/state"),
        Some(json!({"state": "in_use", "version": 1})),
        409,
        "version",
    )
    .await;
    assert!(county
        .ok("GET", "/api/v1/economy/assets/idle", None)
        .await
        .as_array()
        .unwrap()
        .is_empty());
    sec.problem(
        "POST",
        "/api/v1/economy/assets",
        Some(json!({"division_code": "141029100001", "name": "旧拖拉机", "category": "vehicle",
            "cost": 100, "salvage": 200, "months": 12, "acquired_on": "2020-01-01", "state": "idle"})),
        422,
        "salvage",
    )
    .await;
}

on_both!(asset_register, assets);

/// The funds journal: entries with their vouchers (one voucher once), a reversal once, a month's
/// and a year's statement by category, and the strong-village line from operating income.
async fn funds(t: &TestDb) {
    crate::console::seed_village(t).await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    let entry = |on: &str, dir: &str, cat: &str, amount: i64, voucher: &str| {
        json!({"division_code": "141029100001", "entry_on": on, "direction": dir, "category": cat, "amount": amount,
            "summary": "摘要", "voucher": voucher})
    };
    // 300,000 yuan of rent and 250,000 of business in the year: 550,000 operating, a strong
    // village; a 40,000 subsidy is not operating income.
    sec.ok(
        "POST",
        "/api/v1/economy/funds",
        Some(entry(
            "2026-03-01",
            "income",
            "contracting",
            30_000_000,
            "记-001",
        )),
    )
    .await;
    let wrong = sec
        .ok(
            "POST",
            "/api/v1/economy/funds",
            Some(entry(
                "2026-11-10",
                "income",
                "business",
                26_000_000,
                "记-002",
            )),
        )
        .await;
    sec.ok(
        "POST",
        "/api/v1/economy/funds",
        Some(entry(
            "2026-11-12",
            "income",
            "subsidy",
            4_000_000,
            "记-003",
        )),
    )
    .await;
    sec.ok(
        "POST",
        "/api/v1/economy/funds",
        Some(entry(
            "2026-11-20",
            "expense",
            "public_welfare",
            1_234_567,
            "记-004",
        )),
    )
    .await;
    sec.problem(
        "POST",
        "/api/v1/economy/funds",
        Some(entry("2026-11-21", "expense", "management", 100, "记-004")),
        409,
        "voucher",
    )
    .await;
    // 260,000 was 250,000: reversed once, entered again.
    let rev = format!(
        "/api/v1/economy/funds/{}/{}/reversal",
        wrong["county_id"], wrong["id"]
    );
    let r = sec
        .ok(
            "POST",
            &rev,
            Some(json!({"reason": "金额录错", "entry_on": "2026-11-10"})),
        )
        .await;
    assert_eq!(
        (&r["amount"], &r["reverses"]),
        (&json!(-26_000_000), &wrong["id"])
    );
    sec.problem(
        "POST",
        &rev,
        Some(json!({"reason": "再冲一次", "entry_on": "2026-11-10"})),
        409,
        "id",
    )
    .await;
    sec.ok(
        "POST",
        "/api/v1/economy/funds",
        Some(entry(
            "2026-11-10",
            "income",
            "business",
            25_000_000,
            "记-005",
        )),
    )
    .await;
    let month = sec
        .ok(
            "GET",
            "/api/v1/economy/statements/141029100001?year=2026&month=11",
            None,
        )
        .await;
    assert_eq!(
        (
            &month["total_income"],
            &month["total_expense"],
            &month["operating_income"]
        ),
        (&json!(29_000_000), &json!(1_234_567), &json!(25_000_000))
    );
    assert_eq!(month["strong"], false);
    let year = sec
        .ok(
            "GET",
            "/api/v1/economy/statements/141029100001?year=2026",
            None,
        )
        .await;
    assert_eq!(
        (&year["operating_income"], &year["net"], &year["strong"]),
        (&json!(55_000_000), &json!(57_765_433), &json!(true))
    );
    other
        .problem(
            "GET",
            "/api/v1/economy/statements/141029100001?year=2026",
            None,
            404,
            "",
        )
        .await;
    sec.problem(
        "GET",
        "/api/v1/economy/statements/141029100001?year=2026&month=13",
        None,
        422,
        "month",
    )
    .await;
}

on_both!(funds_journal, funds);

/// A township drafts its villages' year-end plans at once: all or nothing, each refusal naming
/// its village, nothing out of reach.
async fn batch(t: &TestDb) {
    let v = crate::console::seed_village(t).await;
    members_of(t, v.household).await;
    let town = Client::as_role(t, "township_officer", "141029100000").await;
    let plans = |villages: Value, classes: Value| {
        json!({"year": 2026, "title": "2026年度收益分配方案", "reserve": 1000, "classes": classes,
            "villages": villages})
    };
    let seed = json!([{"name": "集体", "weight": 2000, "kept": true},
        {"name": "农户", "weight": 8000, "basis": "members", "who": "all"}]);
    let count = || async {
        t.db.count_for_tests("SELECT COUNT(*) FROM distributions")
            .await
            .unwrap()
    };
    // Another township's village refuses the whole batch, named.
    let p = town
        .problem(
            "POST",
            "/api/v1/economy/distributions/batch",
            Some(plans(
                json!([{"division_code": "141029100001", "distributable": 1_000_000},
                    {"division_code": "141029101001", "distributable": 1}]),
                seed.clone(),
            )),
            422,
            "villages[1].division_code",
        )
        .await;
    assert!(p.to_string().contains("141029101001"), "{p}");
    // A class nobody holds shares in: refused, named; nothing written.
    town.problem(
        "POST",
        "/api/v1/economy/distributions/batch",
        Some(plans(
            json!([{"division_code": "141029100001", "distributable": 1_000_000}]),
            json!([{"name": "集体", "weight": 2000, "kept": true},
                {"name": "土地", "weight": 8000, "basis": "land"}]),
        )),
        422,
        "villages[0].classes",
    )
    .await;
    assert_eq!(count().await, 0);
    let d = town
        .ok(
            "POST",
            "/api/v1/economy/distributions/batch",
            Some(plans(
                json!([{"division_code": "141029100001", "distributable": 1_000_000}]),
                seed,
            )),
        )
        .await;
    assert_eq!(
        (&d[0]["households"], &d[0]["lines"], &d[0]["to_households"]),
        (&json!(1), &json!(1), &json!(720_000))
    );
    assert_eq!(count().await, 1);
    // The same plan, drafted alone, splits the same way.
    let one = town
        .ok(
            "POST",
            "/api/v1/economy/distributions",
            Some(json!({"division_code": "141029100001", "year": 2026, "title": "单独拟定", "distributable": 1_000_000,
                "reserve": 1000, "classes": [{"name": "集体", "weight": 2000, "kept": true},
                {"name": "农户", "weight": 8000, "basis": "members", "who": "all"}]})),
        )
        .await;
    let batch = town
        .ok(
            "GET",
            &format!("/api/v1/economy/distributions/141029/{}", d[0]["id"]),
            None,
        )
        .await;
    assert_eq!(one["lines"], batch["lines"]);
}
on_both!(batch_of_villages, batch);

/// The household's residents made members of the village's collective by its secretary.
pub(crate) async fn members_of(t: &TestDb, household: i64) {
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let residents: Vec<i64> = sec
        .ok(
            "GET",
            &format!("/api/v1/households/{household}/residents"),
            None,
        )
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    for r in &residents {
        sec.ok(
            "POST",
            "/api/v1/economy/members",
            Some(json!({"resident_id": r, "joined_on": "2020-01-01", "joined_how": "founding"})),
        )
        .await;
    }
}

/// The console's pages of the collective economy as the village's accountant, the township and
/// the county use them, and a household reading its own lines on the public board with the code
/// the village printed for it; amounts typed in yuan land exact in fen, hostile text comes back
/// escaped, and another township's villages are not there.
async fn console_books(t: &TestDb) {
    use crate::console::Page;
    use axum::http::StatusCode;
    let v = crate::console::seed_village(t).await;
    members_of(t, v.household).await;
    crate::api::add_user(t, "xianguan", "county_admin", "141029000000").await;
    crate::api::add_user(t, "zhenli", "township_officer", "141029101000").await;
    let mut p = Page::new(t);
    p.login("cunshuji").await;
    let g = p.get("/economy").await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(
        g.body.contains("/economy/villages/141029100001"),
        "{}",
        g.body
    );
    // Entered in yuan, kept in fen; a third decimal is refused in words.
    let base = "/economy/villages/141029100001";
    let entry = |amount: &str, summary: &str, voucher: &str| {
        format!(
            "entry_on=2026-11-05&category=income%3Abusiness&amount={amount}&summary={}&voucher={voucher}",
            urlencoding(summary)
        )
    };
    let g = p
        .send(
            "POST",
            &format!("{base}/funds"),
            Some(&entry("1234.56", "合作社销售", "记-1")),
        )
        .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(g.body.contains("已记账") && g.body.contains("1234.56"));
    let g = p
        .send(
            "POST",
            &format!("{base}/funds"),
            Some(&entry("12.345", "x", "记-2")),
        )
        .await;
    assert_eq!(g.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(g.body.contains("金额应为元"), "{}", g.body);
    let g = p
        .send(
            "POST",
            &format!("{base}/funds"),
            Some(&entry("1", "<script>alert(1)</script>", "记-3")),
        )
        .await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(
        !g.body.contains("<script>alert(1)") && g.body.contains("alert(1)"),
        "{}",
        g.body
    );
    let cents: Vec<(i64,)> =
        t.db.all(&xiangzhi_storage::sql::Q::new(
            "SELECT amount FROM fund_entries ORDER BY id",
        ))
        .await
        .unwrap();
    assert_eq!(cents, vec![(123_456,), (100,)]);
    let g = p.get(&format!("{base}?year=2026&month=11")).await;
    assert!(g.body.contains("1235.56"), "the month's income");
    // A resource typed in mu, kept in hundredths.
    let g = p
        .send(
            "POST",
            &format!("{base}/resources"),
            Some("name=%E8%8D%92%E5%9D%A1&kind=barren&area=12.5&state=idle"),
        )
        .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(g.body.contains("12.50 亩"), "{}", g.body);
    let g = p
        .send(
            "POST",
            &format!("{base}/resources"),
            Some("name=x&kind=barren&area=1.234&state=idle"),
        )
        .await;
    assert_eq!(g.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(g.body.contains("面积以亩计"));
    // A sale typed in kilograms and yuan; the county's overview sums it in tonnes.
    let g = p
        .send(
            "POST",
            &format!("{base}/sales"),
            Some("sold_on=2026-10-20&product=%E5%B0%8F%E7%B1%B3&kilograms=1%2C408&amount=6800.00&buyer=%E9%A3%9F%E5%A0%82&channel=unit"),
        )
        .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(
        g.body.contains("已登记销售：小米 1408 千克，6800.00 元"),
        "{}",
        g.body
    );
    let g = p.get("/economy?year=2026").await;
    assert!(
        g.body.contains("1.408") && g.body.contains("6800.00"),
        "{}",
        g.body
    );
    let (status, kind, bytes) = p.bytes(&format!("{base}/statement.xlsx?year=2026")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.contains("spreadsheetml") && bytes.starts_with(b"PK"));
    // A plan drafted from the form, in yuan and percent; it pays nothing before its vote.
    let form =
        "title=2026%E5%B9%B4%E5%BA%A6%E6%96%B9%E6%A1%88&year=2026&distributable=10000&reserve=10\
        &class0_name=%E9%9B%86%E4%BD%93&class0_percent=20&class0_who=kept&class0_basis=members\
        &class1_name=%E5%86%9C%E6%88%B7&class1_percent=80&class1_who=all&class1_basis=members";
    let g = p
        .send("POST", &format!("{base}/distributions"), Some(form))
        .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.body);
    let plan = g.location.clone();
    let g = p.get(&plan).await;
    assert!(
        g.body.contains("不能发放") && g.body.contains("7200.00"),
        "{}",
        g.body
    );
    let (status, _, bytes) = p.bytes(&format!("{plan}/plan.xlsx")).await;
    assert!(status == StatusCode::OK && bytes.starts_with(b"PK"));
    // Posted for inspection: the public board shows each household by its number with the
    // head's name masked, never an ID number or a phone.
    let g = p
        .send(
            "POST",
            "/decisions/matters",
            Some(&format!(
                "division_code=141029100001&kind=income_distribution&title={}",
                urlencoding("2026年度收益分配方案")
            )),
        )
        .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.body);
    let matter = g.location.rsplit('/').next().unwrap().to_string();
    let today = xiangzhi_domain::china_today();
    let g = p
        .send(
            "POST",
            &format!("{plan}/inspection"),
            Some(&format!(
                "matter_id={matter}&posted_on={today}&until_on={}",
                today + chrono::Days::new(10)
            )),
        )
        .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(g.body.contains("内容指纹"), "{}", g.body);
    let board = Page::new(t).get("/publicity/141029100001").await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(
        board.body.contains("CG-0001 李*英 ") && !board.body.contains("李秀英"),
        "{}",
        board.body
    );
    for private in [crate::api::id_number(100), "13912345678".to_string()] {
        assert!(!board.body.contains(&private), "{private}: {}", board.body);
    }
    // Codes printed once; the household reads its own line with its code and nothing else.
    let g = p
        .send("POST", &format!("{base}/codes"), Some("household="))
        .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    let code = g
        .body
        .split("class=\"code\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(code.len(), 14, "{code}");
    let mut public = Page::new(t);
    let g = public.get("/economy/household").await;
    assert_eq!(g.status, StatusCode::OK);
    let g = public
        .send(
            "POST",
            "/economy/household",
            Some(&format!("county=141029&code={}", code.to_lowercase())),
        )
        .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(g.body.contains("CG-0001") && g.body.contains("7200.00") && g.body.contains("李秀英"));
    let g = public
        .send(
            "POST",
            "/economy/household",
            Some("county=141029&code=AAAA-BBBB-CCCC"),
        )
        .await;
    assert_eq!(g.status, StatusCode::NOT_FOUND);
    assert!(!g.body.contains("CG-0001"));
    // Another township sees neither the village's books nor its plan.
    let mut far = Page::new(t);
    far.login("zhenli").await;
    assert_eq!(far.get(base).await.status, StatusCode::NOT_FOUND);
    assert_eq!(far.get(&plan).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        far.send(
            "POST",
            &format!("{base}/funds"),
            Some(&entry("1", "x", "记-9"))
        )
        .await
        .status,
        StatusCode::NOT_FOUND,
        "a township officer of elsewhere"
    );
    // The county sets its target; a village secretary may not.
    assert_eq!(
        p.send(
            "POST",
            "/economy/strong-target",
            Some("year=2026&percent=27")
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let mut county = Page::new(t);
    county.login("xianguan").await;
    let g = county
        .send(
            "POST",
            "/economy/strong-target",
            Some("year=2026&percent=27.5"),
        )
        .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(
        g.body.contains("27.50%") && g.body.contains("未达到"),
        "{}",
        g.body
    );
}
on_both!(console_books, console_books);

pub(crate) fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The resources register: land, forest, water and barren land with area and rights
/// registration; the idle ones listed for the county; a use changed only from the version the
/// clerk saw, however many clerks race; nothing of another township's.
async fn resources(t: &TestDb) {
    let _ = crate::console::seed_village(t).await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    let slope = json!({"division_code": "141029100001", "name": "西沟荒坡", "kind": "barren", "area": 8_050,
        "location": "西沟", "state": "idle"});
    let r = sec
        .ok("POST", "/api/v1/economy/resources", Some(slope.clone()))
        .await;
    assert_eq!(
        (&r["area"], &r["version"], &r["certificate"]),
        (&json!(8_050), &json!(1), &json!(""))
    );
    sec.ok(
        "POST",
        "/api/v1/economy/resources",
        Some(json!({"division_code": "141029100001", "name": "集体林地", "kind": "forest", "area": 62_000,
            "certificate": "确权-林-001", "registered_on": "2019-06-30", "used_by": "村集体", "state": "collective"})),
    )
    .await;
    for (bad, field) in [
        (json!({"area": 0}), "area"),
        (json!({"kind": "mine"}), "kind"),
        (json!({"state": "sold"}), "state"),
        (json!({"name": "<b>x</b>\u{0}"}), "name"),
        (json!({"registered_on": "2019-02-30"}), "registered_on"),
    ] {
        let mut body = slope.clone();
        for (k, v) in bad.as_object().unwrap() {
            body[k] = v.clone();
        }
        sec.problem("POST", "/api/v1/economy/resources", Some(body), 422, field)
            .await;
    }
    other
        .problem(
            "POST",
            "/api/v1/economy/resources",
            Some(slope.clone()),
            422,
            "division_code",
        )
        .await;
    let idle = sec.ok("GET", "/api/v1/economy/resources/idle", None).await;
    assert_eq!(idle.as_array().unwrap().len(), 1);
    let found = sec
        .ok("GET", "/api/v1/economy/resources?q=确权-林", None)
        .await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(
        other.ok("GET", "/api/v1/economy/resources", None).await,
        json!([])
    );
    let uri = format!("/api/v1/economy/resources/{}/{}", r["county_id"], r["id"]);
    other.problem("GET", &uri, None, 404, "").await;
    // Ten clerks lease it out from the version they saw: one wins.
    let mut racing = Vec::new();
    for k in 0..10 {
        let c = Client::as_role(t, "village_secretary", "141029100001").await;
        let u = format!("{uri}/use");
        racing.push(tokio::spawn(async move {
            c.call(
                "POST",
                &u,
                Some(json!({"state": "leased", "used_by": format!("承包方{k}"), "version": 1})),
            )
            .await
            .0
        }));
    }
    let mut won = 0;
    for r in racing {
        let s = r.await.unwrap();
        assert!(s.is_success() || s.as_u16() == 409, "{s}");
        won += usize::from(s.is_success());
    }
    assert_eq!(won, 1);
    let now = sec.ok("GET", &uri, None).await;
    assert_eq!(
        (&now["state"], &now["version"]),
        (&json!("leased"), &json!(2))
    );
    assert_eq!(
        sec.ok("GET", "/api/v1/economy/resources/idle", None)
            .await
            .as_array()
            .unwrap()
            .len(),
        0
    );
}
on_both!(resources_register, resources);

/// The branch's companies and cooperatives: their member households and each year's figures,
/// reported once (however many clerks race), never paying out more than the profit; nothing of
/// another township's.
async fn enterprises(t: &TestDb) {
    let v = crate::console::seed_village(t).await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    let coop = json!({"division_code": "141029100001", "name": "城关蔬菜专业合作社", "kind": "cooperative",
        "business": "蔬菜种植与销售", "credit_code": "93141029ma0l12345x", "founded_on": "2023-04-01"});
    for (bad, field) in [
        (json!({"credit_code": "123"}), "credit_code"),
        (json!({"kind": "bank"}), "kind"),
        (json!({"name": ""}), "name"),
        (json!({"founded_on": "2023-13-01"}), "founded_on"),
    ] {
        let mut body = coop.clone();
        for (k, x) in bad.as_object().unwrap() {
            body[k] = x.clone();
        }
        sec.problem(
            "POST",
            "/api/v1/economy/enterprises",
            Some(body),
            422,
            field,
        )
        .await;
    }
    let e = sec
        .ok("POST", "/api/v1/economy/enterprises", Some(coop))
        .await;
    assert_eq!(e["enterprise"]["credit_code"], "93141029MA0L12345X");
    let base = format!(
        "/api/v1/economy/enterprises/{}/{}",
        e["enterprise"]["county_id"], e["enterprise"]["id"]
    );
    other.problem("GET", &base, None, 404, "").await;
    let join = |h: i64| json!({"household_id": h, "shares": 250, "joined_on": "2023-04-01"});
    sec.ok("POST", &format!("{base}/members"), Some(join(v.household)))
        .await;
    sec.problem(
        "POST",
        &format!("{base}/members"),
        Some(join(v.household)),
        409,
        "household_id",
    )
    .await;
    // A household of another village (and township) may not join.
    sec.problem(
        "POST",
        &format!("{base}/members"),
        Some(join(v.other_household)),
        422,
        "household_id",
    )
    .await;
    let year = |to_members: i64| {
        json!({"year": 2025, "revenue": 120_000_000, "profit": 30_000_000,
        "to_collective": 10_000_000, "to_members": to_members})
    };
    sec.problem(
        "POST",
        &format!("{base}/years"),
        Some(year(20_000_001)),
        422,
        "to_members",
    )
    .await;
    let mut racing = Vec::new();
    for _ in 0..6 {
        let c = Client::as_role(t, "village_secretary", "141029100001").await;
        let u = format!("{base}/years");
        let body = year(15_000_000);
        racing.push(tokio::spawn(async move {
            c.call("POST", &u, Some(body)).await.0
        }));
    }
    let mut won = 0;
    for r in racing {
        let s = r.await.unwrap();
        assert!(s.is_success() || s.as_u16() == 409, "{s}");
        won += usize::from(s.is_success());
    }
    assert_eq!(won, 1);
    let now = sec.ok("GET", &base, None).await;
    assert_eq!(now["members"].as_array().unwrap().len(), 1);
    assert_eq!(now["years"][0]["to_members"], 15_000_000);
    assert_eq!(
        other.ok("GET", "/api/v1/economy/enterprises", None).await,
        json!([])
    );
    assert_eq!(
        sec.ok("GET", "/api/v1/economy/enterprises?q=蔬菜", None)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
on_both!(enterprises_and_their_years, enterprises);

/// Produce sold for villagers: each sale exact in kilograms and fen, a year's sums by product,
/// buyer and channel adding up to the whole, bad input refused field by field, nothing of
/// another township's.
async fn sales(t: &TestDb) {
    let _ = crate::console::seed_village(t).await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let town = Client::as_role(t, "township_officer", "141029100000").await;
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    let sale = |product: &str, kg: i64, fen: i64, buyer: &str, channel: &str| {
        json!({"division_code": "141029100001", "sold_on": "2026-10-20", "product": product,
            "kilograms": kg, "amount": fen, "buyer": buyer, "channel": channel})
    };
    for s in [
        sale("小米", 12_000, 14_400_000, "县机关食堂", "unit"),
        sale("小米", 8_500, 9_350_000, "太原粮油批发市场", "market"),
        sale("苹果", 30_000, 18_000_000, "太原粮油批发市场", "market"),
        sale("核桃", 1_200, 4_800_000, "直播间", "online"),
    ] {
        sec.ok("POST", "/api/v1/economy/sales", Some(s)).await;
    }
    for (bad, field) in [
        (sale("小米", 0, 1, "x", "unit"), "kilograms"),
        (sale("小米", 1, 0, "x", "unit"), "amount"),
        (sale("小米", 1, 1, "x", "barter"), "channel"),
        (sale("", 1, 1, "x", "unit"), "product"),
        (sale("小米", 1, 1, "", "unit"), "buyer"),
    ] {
        sec.problem("POST", "/api/v1/economy/sales", Some(bad), 422, field)
            .await;
    }
    let mut future = sale("小米", 1, 1, "x", "unit");
    future["sold_on"] = json!("2100-01-01");
    sec.problem(
        "POST",
        "/api/v1/economy/sales",
        Some(future),
        422,
        "sold_on",
    )
    .await;
    other
        .problem(
            "POST",
            "/api/v1/economy/sales",
            Some(sale("小米", 1, 1, "x", "unit")),
            422,
            "division_code",
        )
        .await;
    let y = town
        .ok("GET", "/api/v1/economy/sales/year?year=2026", None)
        .await;
    assert_eq!(
        (&y["kilograms"], &y["amount"]),
        (&json!(51_700), &json!(46_550_000))
    );
    assert_eq!(
        y["by_product"][0],
        json!({"key": "小米", "kilograms": 20_500, "amount": 23_750_000, "sales": 2})
    );
    assert_eq!(y["by_channel"][0]["key"], "market");
    assert_eq!(y["by_buyer"][0]["amount"], 27_350_000);
    for list in ["by_product", "by_buyer", "by_channel"] {
        let sum: i64 = y[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["amount"].as_i64().unwrap())
            .sum();
        assert_eq!(sum, 46_550_000, "{list} adds up");
    }
    let none = other
        .ok("GET", "/api/v1/economy/sales/year?year=2026", None)
        .await;
    assert_eq!(
        (&none["amount"], &none["by_product"]),
        (&json!(0), &json!([]))
    );
    assert_eq!(
        sec.ok("GET", "/api/v1/economy/sales?q=核桃", None)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
on_both!(produce_sales, sales);

/// The project library: a project led by a village or a township moves one stage at a time
/// (back to the reserve only from an application not approved), its funding is an append-only
/// ledger by source whose sums never fall below nothing however many clerks race, milestones are
/// done once; and nothing of it reaches another township.
async fn projects(t: &TestDb) {
    let _ = crate::console::seed_village(t).await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let town = Client::as_role(t, "township_officer", "141029100000").await;
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    let today = xiangzhi_domain::china_today().to_string();
    let p = sec
        .ok(
            "POST",
            "/api/v1/economy/projects",
            Some(json!({"division_code": "141029100001", "name": "小米深加工车间", "kind": "processing",
                "budget": 150_000_000, "summary": "<b>烘干、包装</b>", "since": "2026-03-01"})),
        )
        .await;
    assert_eq!(
        (
            &p["project"]["stage"],
            &p["villages"],
            &p["project"]["summary"]
        ),
        (
            &json!("idea"),
            &json!(["141029100001"]),
            &json!("<b>烘干、包装</b>")
        )
    );
    let at = format!(
        "/api/v1/economy/projects/{}/{}",
        p["project"]["county_id"], p["project"]["id"]
    );
    let step = |stage: &str, on: &str, version: i64| json!({"stage": stage, "stage_on": on, "note": "", "version": version});
    sec.problem(
        "POST",
        &format!("{at}/stage"),
        Some(step("applied", &today, 1)),
        422,
        "stage",
    )
    .await;
    sec.problem(
        "POST",
        &format!("{at}/stage"),
        Some(step("reserve", "2026-02-01", 1)),
        422,
        "stage_on",
    )
    .await;
    sec.ok(
        "POST",
        &format!("{at}/stage"),
        Some(step("reserve", "2026-03-10", 1)),
    )
    .await;
    sec.problem(
        "POST",
        &format!("{at}/stage"),
        Some(step("applied", &today, 1)),
        409,
        "version",
    )
    .await;
    sec.ok(
        "POST",
        &format!("{at}/stage"),
        Some(step("applied", "2026-04-01", 2)),
    )
    .await;
    // Not approved: back to the reserve, and applied again.
    sec.ok(
        "POST",
        &format!("{at}/stage"),
        Some(step("reserve", "2026-05-01", 3)),
    )
    .await;
    let back = sec
        .ok(
            "POST",
            &format!("{at}/stage"),
            Some(step("applied", "2026-06-01", 4)),
        )
        .await;
    let stages: Vec<&str> = back["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["idea", "reserve", "applied", "reserve", "applied"]);
    // Funding by source; a correction needs a note and never takes a source below nothing.
    let fund = |source: &str, kind: &str, amount: i64, note: &str| json!({"source": source, "kind": kind, "amount": amount, "entry_on": "2026-06-02", "note": note});
    sec.ok(
        "POST",
        &format!("{at}/funding"),
        Some(fund("central", "sought", 100_000_000, "晋财农〔2026〕1号")),
    )
    .await;
    sec.ok(
        "POST",
        &format!("{at}/funding"),
        Some(fund("collective", "sought", 50_000_000, "")),
    )
    .await;
    sec.ok(
        "POST",
        &format!("{at}/funding"),
        Some(fund("central", "won", 80_000_000, "")),
    )
    .await;
    sec.problem(
        "POST",
        &format!("{at}/funding"),
        Some(fund("central", "won", -10_000_000, "")),
        422,
        "note",
    )
    .await;
    sec.problem(
        "POST",
        &format!("{at}/funding"),
        Some(fund("central", "won", -90_000_000, "多记")),
        422,
        "amount",
    )
    .await;
    sec.problem(
        "POST",
        &format!("{at}/funding"),
        Some(fund("lottery", "won", 1, "")),
        422,
        "source",
    )
    .await;
    let after = sec
        .ok(
            "POST",
            &format!("{at}/funding"),
            Some(fund("central", "won", -10_000_000, "到位金额更正")),
        )
        .await;
    assert_eq!(
        (&after["project"]["sought"], &after["project"]["won"]),
        (&json!(150_000_000), &json!(70_000_000))
    );
    assert_eq!(
        after["by_source"],
        json!([
            {"source": "central", "zh": "中央衔接资金", "sought": 100_000_000, "won": 70_000_000},
            {"source": "collective", "zh": "村集体自筹", "sought": 50_000_000, "won": 0}
        ])
    );
    // Twelve clerks take 1 yuan each off the collective's 5 yuan won: five go through.
    sec.ok(
        "POST",
        &format!("{at}/funding"),
        Some(fund("collective", "won", 500, "")),
    )
    .await;
    let mut racing = Vec::new();
    for _ in 0..12 {
        let c = Client::as_role(t, "village_secretary", "141029100001").await;
        let u = format!("{at}/funding");
        let body = fund("collective", "won", -100, "更正");
        racing.push(tokio::spawn(async move {
            c.call("POST", &u, Some(body)).await.0
        }));
    }
    let mut went = 0;
    for r in racing {
        let s = r.await.unwrap();
        assert!(s.is_success() || s.as_u16() == 422, "{s}");
        went += usize::from(s.is_success());
    }
    assert_eq!(went, 5);
    let now = sec.ok("GET", &at, None).await;
    assert_eq!(now["project"]["won"], json!(70_000_000));
    let ledger: i64 = now["funding"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "won")
        .map(|f| f["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(ledger, 70_000_000, "the running total is the ledger's sum");
    // Milestones, done once.
    let with = sec
        .ok(
            "POST",
            &format!("{at}/milestones"),
            Some(json!({"title": "厂房主体完工", "due_on": "2026-09-30"})),
        )
        .await;
    let m = with["milestones"][0]["id"].as_i64().unwrap();
    sec.ok(
        "POST",
        &format!("{at}/milestones/{m}/done"),
        Some(json!({"done_on": "2026-09-28"})),
    )
    .await;
    sec.problem(
        "POST",
        &format!("{at}/milestones/{m}/done"),
        Some(json!({"done_on": "2026-09-29"})),
        409,
        "done_on",
    )
    .await;
    // A township leads a project of its villages; a village of another township is refused.
    let led = town
        .ok(
            "POST",
            "/api/v1/economy/projects",
            Some(
                json!({"division_code": "141029100000", "name": "镇级光伏电站", "kind": "energy",
                "budget": 300_000_000, "villages": ["141029100001"]}),
            ),
        )
        .await;
    assert_eq!(led["villages"], json!(["141029100001"]));
    town.problem(
        "POST",
        "/api/v1/economy/projects",
        Some(
            json!({"division_code": "141029100000", "name": "x", "kind": "energy",
            "budget": 1, "villages": ["141029101001"]}),
        ),
        422,
        "villages",
    )
    .await;
    sec.problem(
        "POST",
        "/api/v1/economy/projects",
        Some(json!({"division_code": "141029100000", "name": "x", "kind": "energy", "budget": 1})),
        422,
        "division_code",
    )
    .await;
    let library = town
        .ok("GET", "/api/v1/economy/projects/library", None)
        .await;
    let count = |stage: &str| {
        library["by_stage"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == stage)
            .unwrap()["projects"]
            .clone()
    };
    assert_eq!((count("idea"), count("applied")), (json!(1), json!(1)));
    assert_eq!(
        town.ok("GET", "/api/v1/economy/projects?stage=applied", None)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Nothing of it reaches another township.
    other.problem("GET", &at, None, 404, "").await;
    other
        .problem(
            "POST",
            &format!("{at}/funding"),
            Some(fund("central", "won", 1, "")),
            404,
            "",
        )
        .await;
    assert_eq!(
        other.ok("GET", "/api/v1/economy/projects", None).await,
        json!([])
    );
    let none = other
        .ok("GET", "/api/v1/economy/projects/library", None)
        .await;
    assert_eq!(none["by_source"], json!([]));
}
on_both!(project_library, projects);

/// Uploads a file for an economy layout as the client's account; the job as answered.
async fn upload(c: &Client, layout: &str, name: &str, body: Vec<u8>) -> Value {
    let (status, _, bytes) = c
        .raw(
            "POST",
            &format!("/api/v1/imports?layout={layout}&name={name}"),
            Some((body, "application/octet-stream")),
        )
        .await;
    let job: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    assert_eq!(status.as_u16(), 201, "{job}");
    job
}

/// Applies a checked job and waits for it to end.
async fn apply_job(c: &Client, job: &Value) -> Value {
    assert_eq!(job["status"], "checked", "{job}");
    let at = format!("/api/v1/imports/{}/{}", job["county_id"], job["id"]);
    let (status, queued, _) = c.call("POST", &format!("{at}/apply"), None).await;
    assert_eq!(status.as_u16(), 202, "{queued}");
    for _ in 0..600 {
        let last = c.ok("GET", &at, None).await;
        if last["status"] == "done" || last["status"] == "failed" {
            return last;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the job did not end");
}

/// The organisation's roster, the households' shares and a ledger kept in spreadsheets: each
/// checked in full and refused by row and column with nothing written, written all at once when
/// good, the same file twice changing nothing; a ledger as LibreOffice saves it (a title row,
/// date and number cells, the ledger's own total lines, a balance column) summed to the fen;
/// nothing of another township's.
async fn imports(t: &TestDb) {
    use crate::api::id_number;
    let _ = crate::console::seed_village(t).await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    let gbk = |text: &str| encoding_rs::GBK.encode(text).0.into_owned();
    // The roster, a GBK CSV as WPS saves it.
    let head = "序号,身份证号码,姓名,取得成员身份日期,取得方式,丧失成员身份日期,丧失情形\n";
    let good = format!(
        "{head}1,{},李秀英,2016-06-30,成立时确认,,\n2,{},王建军,2016/6/30,founding,,\n3,{},王小明,2018年3月2日,出生,,\n",
        id_number(100),
        id_number(101),
        id_number(102)
    );
    let bad = format!(
        "{good}4,{},张三,2016-06-30,成立时确认,,\n5,{},,2016-06-30,成立时确认,,\n6,{},,2016-06-30,抽签,,\n7,{},,2016-06-30,出生,2010-01-01,死亡\n8,{},,2017-01-01,出生,,\n",
        id_number(100),
        id_number(150),
        id_number(101),
        id_number(102),
        id_number(102)
    );
    let refused = upload(&sec, "economy-members", "members.csv", gbk(&bad)).await;
    assert_eq!(refused["status"], "refused", "{refused}");
    let said = refused["errors"].to_string();
    for fault in [
        "姓名与登记的“李秀英”不符",
        "没有这个身份证号码",
        "取得方式应为",
        "丧失成员身份日期不能早于取得日期",
        "成员身份时间重叠",
    ] {
        assert!(said.contains(fault), "{fault}: {said}");
    }
    assert!(said.contains("\"row\":5"), "{said}");
    assert_eq!(
        sec.ok("GET", "/api/v1/economy/members", None).await,
        json!([])
    );
    let job = upload(&sec, "economy-members", "members.csv", gbk(&good)).await;
    assert_eq!(job["summary"]["added"], 3, "{job}");
    assert_eq!(apply_job(&sec, &job).await["status"], "done");
    let members = sec.ok("GET", "/api/v1/economy/members", None).await;
    assert_eq!(members.as_array().unwrap().len(), 3);
    assert_eq!(members[2]["joined_on"], "2018-03-02");
    let again = upload(&sec, "economy-members", "members.csv", gbk(&good)).await;
    assert_eq!(
        (&again["summary"]["added"], &again["summary"]["unchanged"]),
        (&json!(0), &json!(3))
    );
    let outside = upload(&other, "economy-members", "members.csv", gbk(&good)).await;
    assert_eq!(outside["status"], "refused");
    // The households' shares, in hundredths exactly.
    let shares = "户号,入股方式,份额,入股日期,股权证号\nCG-0001,土地入股,2.5亩,2016-06-30,GQ-001\nCG-0001,资金入股,3,2020-01-01,\n";
    let wrong = format!("{shares}CG-0001,土地入股,2.555,2016-06-30,\nNOPE,资金入股,1,2020-01-01,\nCG-0001,入干股,1,2020-01-01,\n");
    let refused = upload(&sec, "economy-holdings", "shares.csv", wrong.into_bytes()).await;
    let said = refused["errors"].to_string();
    for fault in ["最多两位小数", "没有户号为“NOPE”的户", "入股方式应为"] {
        assert!(said.contains(fault), "{fault}: {said}");
    }
    let job = upload(
        &sec,
        "economy-holdings",
        "shares.csv",
        shares.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(apply_job(&sec, &job).await["status"], "done");
    let held: Vec<i64> = sec
        .ok("GET", "/api/v1/economy/holdings", None)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["shares"].as_i64().unwrap())
        .collect();
    assert_eq!(held, [250, 300]);
    // A ledger as LibreOffice saves it.
    let ledger = std::fs::read(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/economy/ledger.xlsx"),
    )
    .unwrap();
    let job = upload(&sec, "economy-journal", "ledger.xlsx", ledger.clone()).await;
    assert_eq!(job["status"], "checked", "{job}");
    assert_eq!(job["summary"]["added"], 6, "{job}");
    assert_eq!(apply_job(&sec, &job).await["status"], "done");
    let year = sec
        .ok(
            "GET",
            "/api/v1/economy/statements/141029100001?year=2025",
            None,
        )
        .await;
    assert_eq!(
        (
            &year["total_income"],
            &year["total_expense"],
            &year["operating_income"]
        ),
        (&json!(62_050_050), &json!(1_840_000), &json!(60_050_050)),
        "{year}"
    );
    let again = upload(&sec, "economy-journal", "ledger.xlsx", ledger).await;
    assert_eq!(
        (&again["summary"]["added"], &again["summary"]["unchanged"]),
        (&json!(0), &json!(6))
    );
    // A ledger's faults by row and column: the amount in the wrong column, a third decimal, a
    // voucher twice, a voucher held with another entry, an unknown category.
    let head = "日期,凭证号,摘要,科目,收入,支出\n";
    let bad = format!(
        "{head}2025-12-01,记-901,会议费,管理费用,300,\n2025-12-02,记-902,租金,发包及上交收入,1.005,\n\
         2025-12-03,记-903,租金,发包及上交收入,100,\n2025-12-04,记-903,租金,发包及上交收入,100,\n\
         2025-12-05,记-001,改过的摘要,经营收入,1,\n2025-12-06,记-904,杂项,打赏收入,1,\n"
    );
    let refused = upload(&sec, "economy-journal", "bad.csv", bad.into_bytes()).await;
    let said = refused["errors"].to_string();
    for fault in [
        "金额应写在支出栏",
        "最多两位小数",
        "凭证号与第4行重复",
        "已经入账，内容与文件不同",
        "科目应为",
    ] {
        assert!(said.contains(fault), "{fault}: {said}");
    }
    let outside = upload(
        &other,
        "economy-journal",
        "x.csv",
        format!("村,{head}141029100001,2025-12-01,记-999,x,管理费用,,1\n").into_bytes(),
    )
    .await;
    assert!(
        outside["errors"].to_string().contains("您管辖范围内没有"),
        "{outside}"
    );
}
on_both!(economy_imports, imports);

/// A township's year-end plans from one form: each village given an amount is drafted, all or
/// none; a bad amount or a village beyond the township is refused in words, naming the village,
/// and the amounts typed are kept.
async fn console_batch(t: &TestDb) {
    use crate::console::Page;
    use axum::http::StatusCode;
    let v = crate::console::seed_village(t).await;
    members_of(t, v.household).await;
    crate::api::add_user(t, "zhenguan", "township_officer", "141029100000").await;
    let mut p = Page::new(t);
    p.login("zhenguan").await;
    let g = p.get("/economy").await;
    assert!(
        g.body.contains("/economy/distributions/batch"),
        "{}",
        g.body
    );
    let g = p.get("/economy/distributions/batch?year=2026").await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(g.body.contains("amount_141029100001"), "{}", g.body);
    let form = |amounts: &str| {
        format!(
            "title=2026{}&year=2026&reserve=10&class0_name={}&class0_percent=20&class0_who=kept&class0_basis=members\
             &class1_name={}&class1_percent=80&class1_who=all&class1_basis=members{amounts}",
            urlencoding("年度收益分配方案"),
            urlencoding("集体留存"),
            urlencoding("全体农户")
        )
    };
    let drafts = || async {
        t.db.count_for_tests("SELECT COUNT(*) FROM distributions")
            .await
            .unwrap()
    };
    let g = p
        .send(
            "POST",
            "/economy/distributions/batch",
            Some(&form("&amount_141029100001=1.234")),
        )
        .await;
    assert_eq!(g.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        g.body.contains("金额应为元") && g.body.contains("value=\"1.234\""),
        "{}",
        g.body
    );
    let g = p
        .send(
            "POST",
            "/economy/distributions/batch",
            Some(&form(
                "&amount_141029100001=36%2C000&amount_141029101001=100",
            )),
        )
        .await;
    assert_eq!(g.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", g.body);
    assert!(g.body.contains("村141029101001"), "{}", g.body);
    assert_eq!(
        drafts().await,
        0,
        "nothing drafted while a village is refused"
    );
    let g = p
        .send(
            "POST",
            "/economy/distributions/batch",
            Some(&form("&amount_141029100001=36%2C000&amount_141029100002=")),
        )
        .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(g.body.contains("已为1个村拟定方案"), "{}", g.body);
    assert!(
        g.body.contains("/economy/distributions/141029/"),
        "{}",
        g.body
    );
    assert_eq!(drafts().await, 1);
}
on_both!(economy_console_batch, console_batch);

/// A cooperative's page: a household joins by its number with shares typed with decimals, once;
/// a year's figures typed in yuan are kept in fen and reported once; another township sees none
/// of it.
async fn console_enterprise(t: &TestDb) {
    use crate::console::Page;
    use axum::http::StatusCode;
    let _ = crate::console::seed_village(t).await;
    crate::api::add_user(t, "zhenli", "township_officer", "141029101000").await;
    let sec = Client::as_role(t, "village_secretary", "141029100001").await;
    let e = sec
        .ok(
            "POST",
            "/api/v1/economy/enterprises",
            Some(json!({"division_code": "141029100001", "name": "<i>城关</i>蔬菜专业合作社", "kind": "cooperative",
                "business": "蔬菜种植与销售", "founded_on": "2024-03-01"})),
        )
        .await;
    let at = format!(
        "/economy/enterprises/{}/{}",
        e["enterprise"]["county_id"], e["enterprise"]["id"]
    );
    let mut p = Page::new(t);
    p.login("cunshuji").await;
    let g = p.get("/economy/villages/141029100001").await;
    assert!(g.body.contains(&at), "the books link the cooperative");
    let g = p.get(&at).await;
    assert_eq!(g.status, StatusCode::OK);
    assert!(
        g.body.contains("&#60;i&#62;城关&#60;/i&#62;蔬菜专业合作社") && !g.body.contains("<i>城关"),
        "{}",
        g.body
    );
    let g = p
        .send(
            "POST",
            &format!("{at}/members"),
            Some("number=CG-0001&shares=2.5&joined_on=2024-03-01"),
        )
        .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(g.body.contains("户 CG-0001 已入社") && g.body.contains("2.50"));
    let g = p
        .send(
            "POST",
            &format!("{at}/members"),
            Some("number=CG-0001&shares=1&joined_on=2024-03-01"),
        )
        .await;
    assert!(g.body.contains("这一户已是成员"), "{}", g.body);
    let g = p
        .send(
            "POST",
            &format!("{at}/members"),
            Some("number=NOPE&shares=1&joined_on=2024-03-01"),
        )
        .await;
    assert!(g.body.contains("本村没有户号为“NOPE”的户"), "{}", g.body);
    let year = "year=2025&revenue=120%2C000.50&profit=30000&to_collective=6000&to_members=15000";
    let g = p.send("POST", &format!("{at}/years"), Some(year)).await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert!(g.body.contains("120000.50"), "{}", g.body);
    let view = sec.ok("GET", &format!("/api/v1{at}"), None).await;
    assert_eq!(view["years"][0]["revenue"], 12_000_050);
    assert_eq!(view["members"][0]["shares"], 250);
    let g = p.send("POST", &format!("{at}/years"), Some(year)).await;
    assert!(g.body.contains("error"), "reported once: {}", g.body);
    let mut other = Page::new(t);
    other.login("zhenli").await;
    assert_eq!(other.get(&at).await.status, StatusCode::NOT_FOUND);
}
on_both!(economy_console_enterprise, console_enterprise);
