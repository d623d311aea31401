//! The demo county has exactly the seed's grid and staff figures, and is deterministic.

use crate::helpers::TestDb;
use crate::on_both;
use xiangzhi_alliances::AllianceStore;
use xiangzhi_decisions::PublicityStore;
use xiangzhi_party::prelude::*;
use xiangzhi_points::ShopStore;
use xiangzhi_registry::prelude::*;
use xiangzhi_storage::{ListQuery, Scope};

async fn count(t: &TestDb, sql: &str) -> i64 {
    t.db.count_for_tests(sql).await.unwrap()
}

async fn demo_figures(t: &TestDb) {
    let (s, lines) = xiangzhi::demo(&t.db, 1, |_| {}).await.unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("党组织 party organisations")),
        "{lines:?}"
    );
    let q = |sql: &'static str| count(t, sql);
    // Every village has a planning profile, and the county can be planned: every alliance
    // passes the independent checker, and most weak villages find one.
    let profiles = t.db.village_profiles(&Scope::everything()).await.unwrap();
    assert_eq!(profiles.len(), 141);
    let v = xiangzhi_alliances::files::villages_from_profiles(
        &profiles,
        &xiangzhi_alliances::files::ReadOptions::default(),
    )
    .unwrap();
    let plan = xiangzhi_planner::solve(&v.problem, 1, std::time::Duration::from_secs(10)).unwrap();
    let (groups, leads) = plan.groups();
    assert!(xiangzhi_planner::check(&v.problem, &groups, &leads).is_empty());
    let targets = v.problem.villages.iter().filter(|x| x.target).count() as u32;
    assert!(groups.len() >= 20, "{} alliances", groups.len());
    assert!(
        plan.score.targets_placed * 10 >= targets * 7,
        "{} of {targets} targets placed",
        plan.score.targets_placed
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM case_categories WHERE county_id = 141029").await,
        10
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM divisions WHERE level = 'township'").await,
        10
    );
    // A living year of cases: every state the loop has, at every level, with timelines that
    // start with the report; today's cases of the demo accounts; a mediation, a photo, a notice
    // that failed to go out; the demo's work in the audit log.
    assert!(q("SELECT COUNT(*) FROM cases").await >= 3_000);
    for state in [
        "reported",
        "assigned",
        "in_progress",
        "resolved",
        "confirmed",
        "closed",
        "closed_unresolved",
    ] {
        let n =
            t.db.count_for_tests(&format!(
                "SELECT COUNT(*) FROM cases WHERE state = '{state}'"
            ))
            .await
            .unwrap();
        assert!(n > 0, "no case {state}");
    }
    assert_eq!(
        q("SELECT COUNT(DISTINCT level) FROM cases").await,
        5,
        "cases at every level"
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_events e \
           WHERE e.county_id = c.county_id AND e.case_id = c.id AND e.seq = 1 AND e.action = 'report')")
        .await,
        0
    );
    assert!(q("SELECT COUNT(*) FROM cases WHERE supervised = TRUE").await > 0);
    assert!(q("SELECT COUNT(*) FROM cases WHERE auto_escalations > 0").await > 0);
    assert!(q("SELECT COUNT(*) FROM cases WHERE reopened > 0").await > 0);
    assert!(
        q("SELECT COUNT(*) FROM case_events WHERE is_public = TRUE AND action = 'resolve'").await
            > 0
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM mediations WHERE agreement IS NOT NULL").await,
        1
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM case_files WHERE is_public = TRUE").await,
        1
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM notifications WHERE delivery = 'failed'").await,
        1
    );
    assert!(
        q(
            "SELECT COUNT(*) FROM cases c JOIN users u ON u.id = c.handler_id \
           WHERE u.login = 'wangge' AND c.state = 'assigned'"
        )
        .await
            > 0,
        "the grid worker has a case waiting"
    );
    assert!(q("SELECT COUNT(*) FROM audit_log WHERE action = 'load case history'").await == 1);
    assert!(q("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'case %'").await >= 9);
    assert_eq!(
        q("SELECT COUNT(*) FROM divisions WHERE level = 'village'").await,
        141
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM grids WHERE level = 'village'").await,
        262
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM grids WHERE level = 'group'").await,
        1_170
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM grids WHERE level = 'micro'").await,
        4_364
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM grid_staff WHERE role = 'grid_leader'").await,
        141
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM grid_staff WHERE role = 'full_time'").await,
        262
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM grid_staff WHERE role = 'part_time'").await,
        948
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM grid_staff WHERE role = 'micro'").await,
        4_364
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM grid_staff WHERE role = 'dedicated'").await,
        340
    );
    // Every micro-grid has its worker; every household sits in a micro-grid (NOT NULL + FK).
    assert_eq!(
        q("SELECT COUNT(*) FROM grids g WHERE g.level = 'micro' AND NOT EXISTS (SELECT 1 FROM grid_staff s WHERE s.county_id = g.county_id AND s.grid_id = g.id AND s.role = 'micro')").await,
        0
    );
    let households = q("SELECT COUNT(*) FROM households").await;
    let residents = q("SELECT COUNT(*) FROM residents").await;
    assert_eq!(households, 70_000);
    assert!(
        (190_000..=215_000).contains(&residents),
        "{residents} residents"
    );
    assert_eq!(s.residents as i64, residents);
    let adults = q("SELECT COUNT(*) FROM residents WHERE birth_date <= '2008-01-01'").await;
    let members = q("SELECT COUNT(*) FROM party_members").await;
    let share = members as f64 / adults as f64;
    assert!(
        (0.05..0.07).contains(&share),
        "party members are {share:.3} of adults"
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM party_orgs WHERE kind IN ('branch', 'general_branch')").await,
        141
    );
    // 党组织书记任网格长: each village's branch secretary is its grid leader.
    assert_eq!(
        q("SELECT COUNT(*) FROM party_members m \
           JOIN residents r ON r.county_id = m.county_id AND r.id = m.resident_id \
           JOIN grid_staff s ON s.county_id = m.county_id AND s.division_code = m.division_code \
           WHERE m.role = 'secretary' AND s.role = 'grid_leader' AND s.name = r.name")
        .await,
        141
    );
    // Every stored ID number is valid, and the registry's own search finds a resident by it.
    let page =
        t.db.list_residents(
            &Scope::everything(),
            &ListQuery {
                limit: Some(500),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for r in &page.items {
        let id = xiangzhi_domain::IdNumber::parse(&r.id_number).unwrap();
        assert_eq!(id.birth_date(), r.birth_date);
        assert_eq!(id.gender(), r.gender);
    }
    // Cursor pages visit every row once, in scope order and in name order.
    let town = Scope::division(&xiangzhi_domain::DivisionCode::parse("141029100000").unwrap());
    for (q, expected) in [
        (None, q("SELECT COUNT(*) FROM residents WHERE division_code LIKE '141029100%'").await),
        (Some("王".to_string()), q("SELECT COUNT(*) FROM residents WHERE division_code LIKE '141029100%' AND name LIKE '王%'").await),
    ] {
        let mut seen = std::collections::HashSet::new();
        let mut last: Option<(String, i64)> = None;
        let mut cursor = None;
        loop {
            let page = t.db.list_residents(&town, &ListQuery { q: q.clone(), cursor: cursor.clone(), limit: Some(500), ..Default::default() }).await.unwrap();
            for r in &page.items {
                assert!(seen.insert(r.id), "resident {} twice", r.id);
                let key = if q.is_some() { (r.name.clone(), r.id) } else { (r.division_code.clone(), r.id) };
                assert!(last.as_ref().is_none_or(|l| *l < key), "out of order");
                last = Some(key);
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen.len() as i64, expected);
    }
    // A year of points in the pilot township: every balance the sum of its entries, every
    // award approved by someone other than who recorded it, within its caps; the branches'
    // months final but the last, each village's lists, and stores that reconcile.
    assert!(q("SELECT COUNT(*) FROM points_entries").await > 100_000);
    assert_eq!(
        q("SELECT COUNT(*) FROM points_accounts a WHERE a.balance <> (SELECT COALESCE(SUM(e.points), 0) \
           FROM points_entries e WHERE e.county_id = a.county_id AND e.account_id = a.id)")
        .await,
        0
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM points_entries WHERE kind = 'award' AND approved_by = recorded_by").await,
        0
    );
    assert_eq!(
        q(
            "SELECT COUNT(*) FROM (SELECT e.account_id, e.rule_id, e.month FROM points_entries e \
           JOIN points_rules r ON r.county_id = e.county_id AND r.id = e.rule_id \
           WHERE e.kind = 'award' GROUP BY e.account_id, e.rule_id, e.month, r.month_cap \
           HAVING ABS(SUM(e.points)) > MAX(r.month_cap)) x"
        )
        .await,
        0,
        "every award within its rule's monthly cap"
    );
    assert!(q("SELECT COUNT(*) FROM member_months WHERE state = 'final'").await > 100);
    assert!(q("SELECT COUNT(*) FROM member_months WHERE state = 'published'").await > 5);
    assert!(q("SELECT COUNT(*) FROM points_boards WHERE state = 'published'").await > 5);
    assert!(q("SELECT COUNT(*) FROM points_board_entries WHERE list = 'black'").await > 0);
    assert!(q("SELECT COUNT(*) FROM points_entries WHERE kind = 'redemption'").await > 100);
    let stores =
        t.db.store_reconciliation(&Scope::everything(), None)
            .await
            .unwrap();
    assert!(!stores.is_empty() && stores.iter().all(|s| s.balanced));
    // A year of village decisions in the pilot township: meetings by name with their quorums
    // judged, matters through 四议两公开, one resolution that failed its quorum, postings.
    assert!(
        q("SELECT COUNT(*) FROM meetings WHERE state = 'held' AND quorum_met = TRUE").await > 50
    );
    assert!(q("SELECT COUNT(*) FROM meeting_roll WHERE attended = 'present'").await > 1_000);
    assert!(
        q(
            "SELECT COUNT(*) FROM meetings m JOIN meeting_items i ON i.county_id = m.county_id \
           AND i.meeting_id = m.id WHERE m.quorum_met = FALSE AND i.passed = FALSE"
        )
        .await
            > 0,
        "a resolution that failed its quorum"
    );
    assert!(q("SELECT COUNT(*) FROM matters WHERE state = 'done'").await > 5);
    assert!(
        q("SELECT COUNT(*) FROM matter_steps WHERE step = 'decision' AND passed = FALSE").await > 0
    );
    assert!(q("SELECT COUNT(*) FROM publicity_items WHERE kind = 'finance'").await > 200);
    let overdue =
        t.db.overdue_publicity(
            &Scope::division(&xiangzhi_domain::DivisionCode::parse("141029100000").unwrap()),
            xiangzhi_domain::china_today() - chrono::Duration::days(365),
            xiangzhi_domain::china_today(),
        )
        .await
        .unwrap();
    assert!(
        !overdue.is_empty() && overdue.len() < 10,
        "the pilot township sees its one late village: {overdue:?}"
    );
    // The pilot township's collective economy: two years of books, assets and leases, and last
    // year's distribution carried by the members' assembly and mostly paid.
    assert!(q("SELECT COUNT(*) FROM collective_members").await > 1_000);
    assert!(q("SELECT COUNT(*) FROM fund_entries").await > 300);
    assert_eq!(
        q("SELECT COUNT(*) FROM distributions WHERE state = 'approved' AND matter_id IS NOT NULL")
            .await,
        1
    );
    assert!(q("SELECT COUNT(*) FROM distribution_payments").await > 50);
    assert_eq!(q("SELECT COUNT(*) FROM enterprise_members").await, 10);
    assert_eq!(q("SELECT COUNT(*) FROM enterprise_years").await, 1);
    assert!(q("SELECT COUNT(*) FROM produce_sales").await > 5);
    assert_eq!(q("SELECT COUNT(*) FROM collective_projects").await, 4);
    assert_eq!(
        q("SELECT COUNT(*) FROM collective_projects WHERE stage = 'operating' AND won = budget")
            .await,
        1
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM project_milestones WHERE done_on IS NULL").await,
        1
    );
    let books = {
        use xiangzhi_economy::OverviewStore;
        let pilot = xiangzhi_domain::DivisionCode::parse("141029100000").unwrap();
        t.db.overview(
            &Scope::division(&pilot),
            None,
            chrono::Datelike::year(&xiangzhi_domain::china_today()) - 1,
            xiangzhi_domain::china_today(),
        )
        .await
        .unwrap()
    };
    assert!(books.strong >= 1 && (books.strong as usize) < books.villages.len());
    assert!(books
        .villages
        .iter()
        .all(|b| b.idle_assets == 1 && b.leases == 2));
    assert!(books.villages.iter().any(|b| b.overdue_rent > 0));
    let coverage = t.db.coverage_report(&Scope::everything()).await.unwrap();
    assert_eq!(coverage.micro_grids_total, 4_364);
    assert!(coverage.micro_grids_without_worker.is_empty());
    assert!(
        !coverage.villages_without_county_leader.is_empty(),
        "the demo leaves some gaps to find"
    );
}
on_both!(demo_county, demo_figures);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_county() {
    let a = TestDb::new(crate::helpers::Backend::Sqlite).await.unwrap();
    let b = TestDb::new(crate::helpers::Backend::Sqlite).await.unwrap();
    let sa = xiangzhi::demo(&a.db, 42, |_| {}).await.unwrap();
    let sb = xiangzhi::demo(&b.db, 42, |_| {}).await.unwrap();
    assert_eq!(sa, sb);
    let lq = ListQuery {
        limit: Some(500),
        ..Default::default()
    };
    let ra =
        a.db.list_residents(&Scope::everything(), &lq)
            .await
            .unwrap();
    let rb =
        b.db.list_residents(&Scope::everything(), &lq)
            .await
            .unwrap();
    assert_eq!(ra.items, rb.items);
    // The party's own generator gives the same members too.
    let members = xiangzhi_storage::sql::Q::new(
        "SELECT resident_id, org_id, role, joined_on FROM party_members ORDER BY id",
    );
    let ma: Vec<(i64, i64, String, chrono::NaiveDate)> = a.db.all(&members).await.unwrap();
    let mb: Vec<(i64, i64, String, chrono::NaiveDate)> = b.db.all(&members).await.unwrap();
    assert!(ma.len() > 5_000);
    assert_eq!(ma, mb);
    a.finish().await;
    b.finish().await;
}

/// `xiangzhi demo` as the README's first command runs it: builds the county, starts serving, and
/// the village secretary signs in and opens today's case, with its map (the start-up steps write
/// only what they audit).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_starts_and_serves() {
    use tokio::io::AsyncBufReadExt;
    let dir = std::env::temp_dir().join(format!("xz_demo_serve_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_xiangzhi"))
        .args(["demo", "--listen", &format!("127.0.0.1:{port}")])
        .current_dir(&dir)
        .env("XIANGZHI_DATA_KEY", crate::helpers::TEST_DATA_KEY)
        .env("XIANGZHI_DEMO_PASSWORD", "Demo-pass-2026!")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut track = String::new();
    let serving = tokio::time::timeout(std::time::Duration::from_secs(240), async {
        while let Ok(Some(l)) = lines.next_line().await {
            if let Some(i) = l.find("/report/track?") {
                track = l[i..].trim().to_string();
            }
            if l.contains("serving on") {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    if !serving {
        let _ = child.kill().await;
        let out = child.wait_with_output().await.unwrap();
        panic!(
            "the demo did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let base = format!("http://127.0.0.1:{port}");
    let web = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // "serving on" is printed as the server binds: wait until it answers.
    for _ in 0..100 {
        if web.get(format!("{base}/login")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let login = web
        .post(format!("{base}/login"))
        .header("origin", &base)
        .form(&[
            ("login", "longbi"),
            ("password", "Demo-pass-2026!"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status().as_u16(), 303);
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|c| c.to_str().ok()?.split(';').next().map(str::to_string))
        .collect::<Vec<_>>()
        .join("; ");
    let get = |path: String| {
        let (web, cookie) = (web.clone(), cookie.clone());
        async move {
            web.get(path)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let home = get(format!("{base}/")).await;
    assert!(home.contains("待受理、待派单"), "{home}");
    let id = crate::console::id_in(&track);
    let case = get(format!("{base}/cases/{id}")).await;
    assert!(
        case.contains("<svg") && case.contains("<polygon"),
        "the case's map"
    );
    let public = reqwest::get(format!("{base}{track}")).await.unwrap();
    assert_eq!(public.status().as_u16(), 200);
    let _ = child.kill().await;
    std::fs::remove_dir_all(&dir).ok();
}
