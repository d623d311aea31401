//! The points ledger (issue 19): rules, recordings approved by a second person, caps, reversals,
//! and redemptions that never overdraw, on both backends.

use crate::api::Client;
use crate::helpers::TestDb;
use crate::on_both;
use serde_json::json;
use std::sync::Arc;
use xiangzhi_points::MonthStore;

/// Every account's balance equals the sum of its entries.
async fn balances_hold(t: &TestDb) {
    let off = t
        .db
        .count_for_tests(
            "SELECT COUNT(*) FROM points_accounts a WHERE a.balance <> \
             (SELECT COALESCE(SUM(e.points), 0) FROM points_entries e WHERE e.county_id = a.county_id AND e.account_id = a.id)",
        )
        .await
        .unwrap();
    assert_eq!(off, 0, "a balance differs from the sum of its entries");
}

async fn rule(c: &Client, code: &str, points: i64, month_cap: Option<i64>) -> i64 {
    c.ok(
        "POST",
        "/api/v1/points/rules",
        Some(json!({"holder": "household", "code": code, "dimension": "人居环境", "item": format!("{code}项目"),
            "points": points, "month_cap": month_cap, "year_cap": null, "evidence_required": true})),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

async fn ledger(t: &TestDb) {
    let v = crate::console::seed_village(t).await;
    let county = Client::as_role(t, "county_admin", "141029000000").await;
    let secretary = Client::as_role(t, "village_secretary", "141029100001").await;
    let officer = Client::as_role(t, "township_officer", "141029100000").await;
    let other_town = Client::as_role(t, "township_officer", "141029101000").await;
    let clean = rule(&county, "HJ01", 5, Some(10)).await;
    // Only a county's administrators keep its catalogue.
    let (s, _, _) = secretary
        .call("POST", "/api/v1/points/rules", Some(json!({"holder": "household", "code": "X", "dimension": "d", "item": "i", "points": 1})))
        .await;
    assert_eq!(s.as_u16(), 403);
    let claim = |month: &str| json!({"holder": "household", "holder_id": v.household, "rule_id": clean, "month": month, "evidence": "清理房前屋后"});
    // Evidence is required by this rule.
    secretary
        .problem(
            "POST",
            "/api/v1/points/claims",
            Some(json!({"holder": "household", "holder_id": v.household, "rule_id": clean, "month": "2026-11"})),
            422,
            "evidence",
        )
        .await;
    // Another township cannot record for this household.
    let (s, _, _) = other_town
        .call("POST", "/api/v1/points/claims", Some(claim("2026-11")))
        .await;
    assert_eq!(s.as_u16(), 422);
    let c1 = secretary
        .ok("POST", "/api/v1/points/claims", Some(claim("2026-11")))
        .await;
    let decide = |c: &serde_json::Value| {
        format!(
            "/api/v1/points/claims/{}/{}/decision",
            c["county_id"].as_i64().unwrap(),
            c["id"].as_i64().unwrap()
        )
    };
    // Not by the person who recorded it.
    let (s, _, _) = secretary
        .call("POST", &decide(&c1), Some(json!({"approve": true})))
        .await;
    assert_eq!(s.as_u16(), 403);
    let (s, _, _) = other_town
        .call("POST", &decide(&c1), Some(json!({"approve": true})))
        .await;
    assert_eq!(s.as_u16(), 404, "another township's officer cannot see it");
    let done = officer
        .ok("POST", &decide(&c1), Some(json!({"approve": true})))
        .await;
    assert_eq!(done["state"], "approved");
    let (s, _, _) = officer
        .call("POST", &decide(&c1), Some(json!({"approve": true})))
        .await;
    assert_eq!(s.as_u16(), 409, "decided once");
    let statement = format!("/api/v1/points/statements/household/{}", v.household);
    assert_eq!(
        secretary.ok("GET", &statement, None).await["account"]["balance"],
        5
    );
    // The monthly cap: 5 + 5 fits, a third 5 does not (and changes nothing).
    let c2 = secretary
        .ok("POST", "/api/v1/points/claims", Some(claim("2026-11")))
        .await;
    officer
        .ok("POST", &decide(&c2), Some(json!({"approve": true})))
        .await;
    let c3 = secretary
        .ok("POST", "/api/v1/points/claims", Some(claim("2026-11")))
        .await;
    officer
        .problem(
            "POST",
            &decide(&c3),
            Some(json!({"approve": true})),
            422,
            "points",
        )
        .await;
    assert_eq!(
        secretary.ok("GET", &statement, None).await["account"]["balance"],
        10
    );
    // Another month has its own cap.
    let c4 = secretary
        .ok("POST", "/api/v1/points/claims", Some(claim("2026-10")))
        .await;
    officer
        .ok("POST", &decide(&c4), Some(json!({"approve": true})))
        .await;
    // A reversal takes an entry back once; the entry stays in the ledger.
    let s = secretary.ok("GET", &statement, None).await;
    assert_eq!(s["account"]["balance"], 15);
    let first = s["entries"].as_array().unwrap().last().unwrap().clone();
    let rev = format!(
        "/api/v1/points/entries/{}/{}/reversal",
        first["county_id"], first["id"]
    );
    officer
        .problem("POST", &rev, Some(json!({"reason": ""})), 422, "reason")
        .await;
    officer
        .ok("POST", &rev, Some(json!({"reason": "照片与实际不符"})))
        .await;
    let (s, _, _) = officer
        .call("POST", &rev, Some(json!({"reason": "再次冲正"})))
        .await;
    assert_eq!(s.as_u16(), 409);
    let s = secretary.ok("GET", &statement, None).await;
    assert_eq!(s["account"]["balance"], 10);
    assert_eq!(s["entries"].as_array().unwrap().len(), 4);
    // After the reversal the month has room for 5 again.
    officer
        .ok("POST", &decide(&c3), Some(json!({"approve": true})))
        .await;
    // Redemptions never overdraw.
    let redeem = |p: i64| json!({"holder": "household", "holder_id": v.household, "points": p, "goods": "洗衣粉一袋"});
    let (s, _, _) = secretary
        .call("POST", "/api/v1/points/redemptions", Some(redeem(16)))
        .await;
    assert_eq!(s.as_u16(), 409);
    secretary
        .ok("POST", "/api/v1/points/redemptions", Some(redeem(15)))
        .await;
    assert_eq!(
        secretary.ok("GET", &statement, None).await["account"]["balance"],
        0
    );
    balances_hold(t).await;
    // Entries are never changed: no update or delete of the ledger anywhere in the feature.
    let src = std::fs::read_to_string(
        crate::helpers::workspace_root().join("crates/points/src/store.rs"),
    )
    .unwrap();
    assert!(!src.contains("UPDATE points_entries") && !src.contains("DELETE FROM points_entries"));
}
on_both!(points_ledger, ledger);

/// 100 redemptions at once against a balance that covers exactly 10: exactly 10 succeed.
async fn racing_redemptions(t: &TestDb) {
    let v = crate::console::seed_village(t).await;
    let county = Client::as_role(t, "county_admin", "141029000000").await;
    let secretary = Arc::new(Client::as_role(t, "village_secretary", "141029100001").await);
    let officer = Client::as_role(t, "township_officer", "141029100000").await;
    let big = rule(&county, "GY01", 100, None).await;
    let c = secretary
        .ok(
            "POST",
            "/api/v1/points/claims",
            Some(json!({"holder": "household", "holder_id": v.household, "rule_id": big, "month": "2026-11", "evidence": "义务劳动"})),
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
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let s = secretary.clone();
        let body = json!({"holder": "household", "holder_id": v.household, "points": 10, "goods": "食用油一桶"});
        tasks.push(tokio::spawn(async move {
            s.call("POST", "/api/v1/points/redemptions", Some(body))
                .await
                .0
                .as_u16()
        }));
    }
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            201 => ok += 1,
            409 | 503 => {}
            other => panic!("a redemption answered {other}"),
        }
    }
    assert_eq!(ok, 10);
    let s = secretary
        .ok(
            "GET",
            &format!("/api/v1/points/statements/household/{}", v.household),
            None,
        )
        .await;
    assert_eq!(s["account"]["balance"], 0);
    balances_hold(t).await;
}
on_both!(redemptions_never_overdraw, racing_redemptions);

/// Random concurrent recordings, approvals, reversals and redemptions: every balance equals the
/// sum of its entries, and no monthly cap is exceeded.
async fn random_ledger(t: &TestDb) {
    let v = crate::console::seed_village(t).await;
    let county = Client::as_role(t, "county_admin", "141029000000").await;
    let secretary = Arc::new(Client::as_role(t, "village_secretary", "141029100001").await);
    let officer = Arc::new(Client::as_role(t, "township_officer", "141029100000").await);
    let rules = [
        rule(&county, "R1", 3, Some(9)).await,
        rule(&county, "R2", 7, Some(14)).await,
        rule(&county, "R3", -2, Some(4)).await,
    ];
    let households = [v.household, v.other_household];
    // A small linear congruential generator: the same sequence every run.
    let mut seed: u64 = 0x5eed_2026;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for _round in 0..6 {
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let h = households[next(2) as usize];
            let r = rules[next(3) as usize];
            let month = format!("2026-{:02}", 9 + next(3));
            let op = next(4);
            let (s, o) = (secretary.clone(), officer.clone());
            tasks.push(tokio::spawn(async move {
                match op {
                    0 | 1 => {
                        let (st, c, _) = s
                            .call(
                                "POST",
                                "/api/v1/points/claims",
                                Some(json!({"holder": "household", "holder_id": h, "rule_id": r, "month": month, "evidence": "随机"})),
                            )
                            .await;
                        if st.is_success() {
                            let _ = o
                                .call(
                                    "POST",
                                    &format!("/api/v1/points/claims/{}/{}/decision", c["county_id"], c["id"]),
                                    Some(json!({"approve": true})),
                                )
                                .await;
                        }
                    }
                    2 => {
                        let _ = s
                            .call(
                                "POST",
                                "/api/v1/points/redemptions",
                                Some(json!({"holder": "household", "holder_id": h, "points": 4, "goods": "肥皂"})),
                            )
                            .await;
                    }
                    _ => {
                        let (st, stm, _) = s
                            .call("GET", &format!("/api/v1/points/statements/household/{h}"), None)
                            .await;
                        if st.is_success() {
                            if let Some(e) = stm["entries"]
                                .as_array()
                                .and_then(|es| es.iter().find(|e| e["kind"] == "award"))
                            {
                                let _ = o
                                    .call(
                                        "POST",
                                        &format!("/api/v1/points/entries/{}/{}/reversal", e["county_id"], e["id"]),
                                        Some(json!({"reason": "随机冲正"})),
                                    )
                                    .await;
                            }
                        }
                    }
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        balances_hold(t).await;
    }
    // No rule's monthly net exceeds its cap for any household.
    let over = t
        .db
        .count_for_tests(
            "SELECT COUNT(*) FROM (SELECT e.account_id, e.rule_id, e.month, ABS(SUM(e.points)) AS s, r.month_cap \
             FROM points_entries e JOIN points_rules r ON r.county_id = e.county_id AND r.id = e.rule_id \
             GROUP BY e.account_id, e.rule_id, e.month, r.month_cap) x WHERE x.s > x.month_cap",
        )
        .await
        .unwrap();
    assert_eq!(over, 0);
    // Redemptions never left a balance below zero (only reversals may, taking back what was spent).
    let entries =
        t.db.count_for_tests("SELECT COUNT(*) FROM points_entries")
            .await
            .unwrap();
    assert!(entries > 10, "the run did something: {entries} entries");
}
on_both!(random_concurrent_ledger, random_ledger);

/// 积分超市: goods given, taken home for points (never beyond the stock or the balance, however
/// many race), counted at a stock-take, and reconciled against the ledger.
async fn points_store(t: &TestDb) {
    let v = crate::console::seed_village(t).await;
    let county = Client::as_role(t, "county_admin", "141029000000").await;
    let keeper = Arc::new(Client::as_role(t, "village_secretary", "141029100001").await);
    let officer = Client::as_role(t, "township_officer", "141029100000").await;
    let big = rule(&county, "GY02", 200, None).await;
    {
        let h = v.household;
        let c = keeper
            .ok(
                "POST",
                "/api/v1/points/claims",
                Some(json!({"holder": "household", "holder_id": h, "rule_id": big, "month": "2026-11", "evidence": "义务劳动"})),
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
    let g = keeper
        .ok(
            "POST",
            "/api/v1/points/goods",
            Some(json!({"division_code": "141029100001", "name": "食用油", "unit": "桶", "price": 30})),
        )
        .await;
    let base = format!("/api/v1/points/goods/{}/{}", g["county_id"], g["id"]);
    keeper
        .problem(
            "POST",
            &format!("{base}/donations"),
            Some(json!({"quantity": 5, "donor": ""})),
            422,
            "donor",
        )
        .await;
    keeper
        .ok(
            "POST",
            &format!("{base}/donations"),
            Some(json!({"quantity": 5, "donor": "县农商银行"})),
        )
        .await;
    // Twenty requests at once against 5 in stock (the balance would pay for 6): exactly 5 go home.
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let s = keeper.clone();
        let h = v.household;
        let uri = format!("{base}/redemptions");
        tasks.push(tokio::spawn(async move {
            s.call(
                "POST",
                &uri,
                Some(json!({"holder": "household", "holder_id": h, "quantity": 1})),
            )
            .await
            .0
            .as_u16()
        }));
    }
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            201 => ok += 1,
            409 | 503 => {}
            other => panic!("a redemption answered {other}"),
        }
    }
    assert_eq!(ok, 5);
    let goods = keeper
        .ok("GET", "/api/v1/points/goods?division=141029100001", None)
        .await;
    assert_eq!(goods[0]["stock"], 0);
    balances_hold(t).await;
    let spent =
        t.db.count_for_tests(
            "SELECT CAST(-SUM(points) AS BIGINT) FROM points_entries WHERE kind = 'redemption'",
        )
        .await
        .unwrap();
    assert_eq!(spent, 150, "5 tins at 30 points");
    // A stock-take that finds one tin more than the books needs a reason; then all reconciles.
    keeper
        .problem(
            "POST",
            &format!("{base}/stocktake"),
            Some(json!({"counted": 1})),
            422,
            "note",
        )
        .await;
    keeper
        .ok(
            "POST",
            &format!("{base}/stocktake"),
            Some(json!({"counted": 1, "note": "退回一桶未登记"})),
        )
        .await;
    let report = keeper
        .ok(
            "GET",
            "/api/v1/points/store-report?division=141029100001",
            None,
        )
        .await;
    assert_eq!(report[0]["donated"], 5);
    assert_eq!(report[0]["redeemed"], 5);
    assert_eq!(report[0]["adjusted"], 1);
    assert_eq!(report[0]["points_out"], 150);
    assert_eq!(report[0]["ledger_points"], 150);
    assert_eq!(report[0]["balanced"], true);
    // Another township's officer sees none of the store.
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    let (s, _, _) = other
        .call(
            "POST",
            &format!("{base}/redemptions"),
            Some(json!({"holder": "household", "holder_id": v.household, "quantity": 1})),
        )
        .await;
    assert!(matches!(s.as_u16(), 404 | 422), "{s}");
}
on_both!(points_store_reconciles, points_store);

/// The console: the secretary records by household number, a township officer approves, and
/// the counter finds the household and redeems; markup typed as evidence is shown as text.
async fn points_console(t: &TestDb) {
    let v = crate::console::seed_village(t).await;
    let county = Client::as_role(t, "county_admin", "141029000000").await;
    let r = rule(&county, "HJ09", 5, None).await;
    crate::api::add_user(t, "jifenshuji", "village_secretary", "141029100001").await;
    crate::api::add_user(t, "jifenzhen", "township_officer", "141029100000").await;
    let mut sec = crate::console::Page::new(t);
    sec.login("jifenshuji").await;
    let page = sec.get("/points").await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    assert!(
        page.body.contains("录入农户积分") && page.body.contains("HJ09项目"),
        "{}",
        page.body
    );
    let form = format!(
        "number={}&rule_id={r}&month=2026-11&evidence=%3Cscript%3Ealert(1)%3C%2Fscript%3E%E6%B8%85%E7%90%86",
        v.number
    );
    let done = sec.send("POST", "/points/record", Some(&form)).await;
    assert!(done.body.contains("待另一人审核"), "{}", done.body);
    let none = sec
        .send(
            "POST",
            "/points/record",
            Some(&format!("number=NOPE&rule_id={r}&month=2026-11&evidence=x")),
        )
        .await;
    assert!(none.body.contains("没有户号为“NOPE”的户"), "{}", none.body);
    let mut officer = crate::console::Page::new(t);
    officer.login("jifenzhen").await;
    let list = officer.get("/points").await;
    assert!(
        list.body.contains(&v.number) && list.body.contains("通过"),
        "{}",
        list.body
    );
    assert!(
        !list.body.contains("<script>alert(1)"),
        "evidence shown as text"
    );
    let id =
        t.db.count_for_tests("SELECT id FROM points_claims")
            .await
            .unwrap();
    let ok = officer
        .send(
            "POST",
            &format!("/points/claims/141029/{id}"),
            Some("approve=1"),
        )
        .await;
    assert!(ok.body.contains("已审核通过"), "{}", ok.body);
    // The counter: goods in stock, the household found by number, a redemption.
    let keeper = Client::as_role(t, "village_secretary", "141029100001").await;
    let g = keeper
        .ok(
            "POST",
            "/api/v1/points/goods",
            Some(
                json!({"division_code": "141029100001", "name": "肥皂", "unit": "块", "price": 5}),
            ),
        )
        .await;
    let found = sec.get(&format!("/points/store?q={}", v.number)).await;
    assert!(
        found.body.contains("积分余额") && found.body.contains("<strong>5</strong>"),
        "{}",
        found.body
    );
    let gid = format!("{}:{}", g["county_id"], g["id"]);
    let no_stock = sec
        .send(
            "POST",
            "/points/store/redeem",
            Some(&format!(
                "goods={gid}&household_id={}&quantity=1",
                v.household
            )),
        )
        .await;
    assert!(no_stock.body.contains("库存不足"), "{}", no_stock.body);
    let donated = sec
        .send(
            "POST",
            &format!("/points/store/goods/{}/{}/donate", g["county_id"], g["id"]),
            Some("quantity=3&donor=%E4%BE%9B%E9%94%80%E7%A4%BE"),
        )
        .await;
    assert!(donated.body.contains("已登记捐赠入库"), "{}", donated.body);
    let redeemed = sec
        .send(
            "POST",
            "/points/store/redeem",
            Some(&format!(
                "goods={gid}&household_id={}&quantity=1",
                v.household
            )),
        )
        .await;
    assert!(
        redeemed.body.contains("已兑换：肥皂×1块（5分）"),
        "{}",
        redeemed.body
    );
    assert!(
        redeemed.body.contains("相符"),
        "reconciled: {}",
        redeemed.body
    );
    balances_hold(t).await;
}
on_both!(points_in_the_console, points_console);

/// 党员积分·星级评定: stars at their exact thresholds, a month that cannot be published while
/// recordings wait nor made final before its days on the board, a reversal during publication
/// (after an objection) changing the final list, and the year's ranking with its lists.
async fn member_months(t: &TestDb) {
    let v = crate::console::seed_village(t).await;
    let admin = Client::new(t).await;
    let county = Client::as_role(t, "county_admin", "141029000000").await;
    let secretary = Client::as_role(t, "village_secretary", "141029100001").await;
    let officer = Client::as_role(t, "township_officer", "141029100000").await;
    // The branch and its secretary the village already has, and two more members.
    let branch = admin.branch_of("141029100001").await;
    let held = admin
        .ok("GET", "/api/v1/party-members?division=141029100001", None)
        .await;
    let mut members = vec![held["items"][0]["id"].as_i64().unwrap()];
    let people = admin
        .ok(
            "GET",
            &format!("/api/v1/households/{}/residents", v.household),
            None,
        )
        .await;
    for p in people.as_array().unwrap() {
        if p["id"].as_i64() == Some(v.resident) {
            continue;
        }
        let status = if members.len() == 2 {
            "probationary"
        } else {
            "full"
        };
        let m = admin
            .ok(
                "POST",
                "/api/v1/party-members",
                Some(json!({"resident_id": p["id"], "org_id": branch, "status": status, "joined_on": "2010-07-01"})),
            )
            .await;
        members.push(m["id"].as_i64().unwrap());
    }
    county
        .ok(
            "PUT",
            "/api/v1/points/settings",
            Some(json!({"star_thresholds": [60, 70, 80, 90, 95], "publish_days": 1})),
        )
        .await;
    county
        .problem(
            "PUT",
            "/api/v1/points/settings",
            Some(json!({"star_thresholds": [70, 60], "publish_days": 1})),
            422,
            "star_thresholds",
        )
        .await;
    let mk = |code: &str, points: i64| json!({"holder": "member", "code": code, "dimension": "思想政治", "item": code, "points": points, "evidence_required": false});
    let r30 = county
        .ok("POST", "/api/v1/points/rules", Some(mk("SZ30", 30)))
        .await["id"]
        .clone();
    let r35 = county
        .ok("POST", "/api/v1/points/rules", Some(mk("SZ35", 35)))
        .await["id"]
        .clone();
    let r_1 = county
        .ok("POST", "/api/v1/points/rules", Some(mk("KC01", -1)))
        .await["id"]
        .clone();
    let mut approved = Vec::new();
    let record = |member: i64, rule: serde_json::Value| json!({"holder": "member", "holder_id": member, "rule_id": rule, "month": "2026-10"});
    // A: 30 + 30 = 60 (one star, exactly); B: 35 + 35 = 70 (two); C: 30 + 30 − 1 = 59 (none).
    let plan = [
        (members[0], r30.clone()),
        (members[0], r30.clone()),
        (members[1], r35.clone()),
        (members[1], r35.clone()),
        (members[2], r30.clone()),
        (members[2], r30.clone()),
        (members[2], r_1.clone()),
    ];
    let mut waiting = Vec::new();
    for (m, r) in plan {
        waiting.push(
            secretary
                .ok("POST", "/api/v1/points/claims", Some(record(m, r)))
                .await,
        );
    }
    let publish = json!({"org_id": branch, "month": "2026-10"});
    officer
        .problem(
            "POST",
            "/api/v1/points/member-months",
            Some(publish.clone()),
            422,
            "month",
        )
        .await;
    for c in &waiting {
        let d = officer
            .ok(
                "POST",
                &format!(
                    "/api/v1/points/claims/{}/{}/decision",
                    c["county_id"], c["id"]
                ),
                Some(json!({"approve": true})),
            )
            .await;
        approved.push(d);
    }
    let view = officer
        .ok(
            "POST",
            "/api/v1/points/member-months",
            Some(publish.clone()),
        )
        .await;
    let stars_of = |v: &serde_json::Value| -> Vec<(i64, i64, i64)> {
        let mut out: Vec<(i64, i64, i64)> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["member_id"].as_i64().unwrap(),
                    r["points"].as_i64().unwrap(),
                    r["stars"].as_i64().unwrap(),
                )
            })
            .collect();
        out.sort();
        out
    };
    assert_eq!(
        stars_of(&view),
        vec![
            (members[0], 60, 1),
            (members[1], 70, 2),
            (members[2], 59, 0)
        ]
    );
    assert_eq!(
        view["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["probationary"] == true)
            .count(),
        1
    );
    let (s, _, _) = officer
        .call("POST", "/api/v1/points/member-months", Some(publish))
        .await;
    assert_eq!(s.as_u16(), 409, "published once");
    let month = format!("{}/{}", view["month"]["county_id"], view["month"]["id"]);
    officer
        .problem(
            "POST",
            &format!("/api/v1/points/member-months/{month}/final"),
            None,
            422,
            "state",
        )
        .await;
    // An objection during publication: one of B's awards was wrong, and is reversed.
    let entry = &approved[2];
    officer
        .ok(
            "POST",
            &format!(
                "/api/v1/points/entries/{}/{}/reversal",
                entry["county_id"], entry["entry_id"]
            ),
            Some(json!({"reason": "群众异议：未参加"})),
        )
        .await;
    // Two days later the month is final, as the ledger stands.
    let scope = officer.acting_in("141029100000").await;
    let id = view["month"]["id"].as_i64().unwrap();
    let later = xiangzhi_storage::now_ms() + 2 * 86_400_000;
    let done =
        t.db.finalize_month(&scope, 141029, id, later)
            .await
            .unwrap();
    let done = serde_json::to_value(&done).unwrap();
    assert_eq!(done["month"]["state"], "final");
    assert_eq!(
        stars_of(&done),
        vec![
            (members[0], 60, 1),
            (members[1], 35, 0),
            (members[2], 59, 0)
        ]
    );
    // The year: A first and commended; B and C, months without a star, are for a talk.
    let ranking = officer
        .ok("GET", "/api/v1/points/rankings?year=2026", None)
        .await;
    let rows = ranking.as_array().unwrap();
    assert_eq!(rows[0]["member_id"], members[0]);
    assert_eq!(rows[0]["commend"], true);
    assert_eq!(rows.iter().filter(|r| r["talk"] == true).count(), 2);
    // Another township sees none of it.
    let other = Client::as_role(t, "township_officer", "141029101000").await;
    let (s, _, _) = other
        .call(
            "GET",
            &format!("/api/v1/points/member-months/{month}"),
            None,
        )
        .await;
    assert_eq!(s.as_u16(), 404);
    assert_eq!(
        other
            .ok("GET", "/api/v1/points/rankings?year=2026", None)
            .await,
        json!([])
    );
}
on_both!(member_months_and_stars, member_months);

/// A county's catalogue from a spreadsheet: all or none, the same file twice changes nothing, a
/// code held with other content is refused by row, and the export reads back unchanged.
async fn rules_from_a_file(t: &TestDb) {
    let admin = Client::new(t).await;
    crate::api::seed_tree(&admin).await;
    let layout = xiangzhi::layout("points-rules").unwrap();
    let dir = std::env::temp_dir().join(format!("xz_rules_{}_{}", std::process::id(), t.tag()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, body: &str| {
        let p = dir.join(name);
        std::fs::write(
            &p,
            format!("积分对象,项目编码,考评维度,积分项目,分值,每月上限,每年上限,须有依据\n{body}"),
        )
        .unwrap();
        p
    };
    let run = |p: std::path::PathBuf| async move {
        (layout.import)(
            &t.db,
            &xiangzhi_storage::Scope::everything(),
            &p,
            None,
            &xiangzhi_tabular::Quiet,
        )
        .await
    };
    let good = "党员,SZ01,思想政治,按时参加三会一课,10,10,120,否\n\
                党员,LH01,邻里和睦,调解邻里纠纷,5,15,,是\n\
                农户,HJ01,人居环境,庭院整洁,3,3,36,是\n\
                农户,HJ02,人居环境,乱堆乱放,-5,10,,是\n";
    let bad = format!("{good}农户,HJ01,人居环境,重复,1,,,否\n农户,X1,人居环境,分值,abc,,,否\n");
    match run(write("bad.csv", &bad)).await.unwrap_err() {
        xiangzhi_tabular::ExchangeError::Rows { errors, .. } => {
            let said: Vec<String> = errors
                .iter()
                .map(|e| format!("{} {}", e.row, e.zh))
                .collect();
            assert!(
                said.iter().any(|s| s.starts_with("6 项目编码与第4行重复")),
                "{said:?}"
            );
            assert!(
                said.iter().any(|s| s.starts_with("7 分值和上限应为整数")),
                "{said:?}"
            );
        }
        other => panic!("expected row errors, got {other}"),
    }
    assert_eq!(
        t.db.count_for_tests("SELECT COUNT(*) FROM points_rules")
            .await
            .unwrap(),
        0
    );
    assert_eq!(run(write("good.csv", good)).await.unwrap().written, 4);
    assert_eq!(run(write("good.csv", good)).await.unwrap().written, 0);
    let changed = good.replace("庭院整洁,3,3,36", "庭院整洁,4,4,36");
    assert!(
        run(write("changed.csv", &changed)).await.is_err(),
        "a held rule is not changed by a file"
    );
    let rules = admin.ok("GET", "/api/v1/points/rules", None).await;
    assert_eq!(rules.as_array().unwrap().len(), 4);
    let out = dir.join("out.csv");
    (layout.export)(
        &t.db,
        &xiangzhi_storage::Scope::everything(),
        &out,
        None,
        false,
    )
    .await
    .unwrap();
    assert_eq!(run(out).await.unwrap().written, 0);
    let _ = std::fs::remove_dir_all(&dir);
}
on_both!(points_rules_from_a_file, rules_from_a_file);
