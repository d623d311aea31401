//! Cases that reach the grid (issue 17): a resident reports to a group and micro-grid through the
//! area picker's places, the grid worker of that micro-grid sees it (another one does not); a
//! village's case filed from the console is given to one of its grid workers, who then reaches
//! it until it leaves their hands; a public note and a photo of the result reach the resident's
//! tracking page, the internal ones do not.

use crate::console::{hidden, id_in, seed_village, Page};
use crate::helpers::{tester, TestDb};
use crate::on_both;
use axum::http::StatusCode;
use serde_json::Value;
use xiangzhi_cases::prelude::*;
use xiangzhi_registry::prelude::*;
use xiangzhi_storage::{ListQuery, Scope};

const GROUP: &str = "141029100001001";
const VILLAGE: &str = "141029100001";
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0 result photo";

/// A grid worker bound to `grid` in the group.
async fn grid_worker(t: &TestDb, login: &str, grid: i64) -> xiangzhi_storage::accounts::User {
    t.db.create_user(
        &tester(),
        &xiangzhi_storage::accounts::NewUser {
            login: login.into(),
            display_name: format!("{login}网格员"),
            role: "grid_worker".into(),
            division_code: GROUP.into(),
            grid_id: Some(grid),
            password: crate::api::PASSWORD.into(),
        },
    )
    .await
    .unwrap()
}

fn json(g: &crate::console::Got) -> Value {
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    serde_json::from_str(&g.body).unwrap()
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

/// Whether the village secretary's page of case `id` shows its map (two village areas, the
/// village's mark and the reporter's spot; names as text).
async fn secretary_page_has_map(t: &TestDb, id: i64) -> bool {
    let mut p = Page::new(t);
    p.login("cunshuji").await;
    let g = p.get(&format!("/cases/{id}")).await;
    assert_eq!(g.status, StatusCode::OK);
    if !g.body.contains("<svg") {
        return false;
    }
    assert_eq!(g.body.matches("<polygon").count(), 2, "{}", g.body);
    assert_eq!(
        g.body.matches("<circle").count(),
        2,
        "the village and the spot"
    );
    assert!(
        g.body.contains("<title>北关&lt;b&gt;村</title>"),
        "names as text"
    );
    true
}

async fn routing(t: &TestDb) {
    seed_village(t).await;
    crate::cases::categories(&t.db).await;
    let all = Scope::everything();
    let grids =
        t.db.list_grids(
            &all,
            &ListQuery {
                division: Some(GROUP.into()),
                limit: Some(50),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items;
    let group_grid = grids
        .iter()
        .find(|g| g.level.as_str() == "group")
        .unwrap()
        .id;
    let micro_a = grids
        .iter()
        .find(|g| g.level.as_str() == "micro")
        .unwrap()
        .id;
    let micro_b =
        t.db.create_grid(
            &all.clone().by(tester()),
            &xiangzhi_registry::GridInput {
                code: None,
                level: "micro".into(),
                name: "一组2号微网格".into(),
                division_code: GROUP.into(),
                parent_id: Some(group_grid),
            },
        )
        .await
        .unwrap()
        .id;
    let worker_a = grid_worker(t, "wangge_a", micro_a).await;
    grid_worker(t, "wangge_b", micro_b).await;

    // The public picker's places: townships, then villages, groups, micro-grids; a search names
    // the way down; another county has none.
    let mut resident = Page::new(t);
    let top = json(&resident.get("/places/public?county=141029").await);
    assert_eq!(names(&top), ["昌宁镇", "光华镇"]);
    let groups = json(
        &resident
            .get(&format!("/places/public?county=141029&parent={VILLAGE}"))
            .await,
    );
    assert_eq!(names(&groups), ["第一村民小组"]);
    let micro = json(
        &resident
            .get(&format!("/places/public?county=141029&parent={GROUP}"))
            .await,
    );
    assert_eq!(names(&micro), ["一组1号微网格", "一组2号微网格"]);
    assert_eq!(micro[0]["grid"].as_i64(), Some(micro_a));
    let found = json(
        &resident
            .get("/places/public?county=141029&q=%E7%AC%AC%E4%B8%80")
            .await,
    );
    assert_eq!(found[0]["label"], "昌宁镇 · 城关社区 · 第一村民小组");
    let foreign = resident.get("/places/public?county=142000").await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let outside = json(
        &resident
            .get("/places/public?county=141029&parent=142000000000")
            .await,
    );
    assert!(outside.as_array().unwrap().is_empty());
    // A grid worker's picker starts at their group and shows only their own micro-grid.
    let mut a = Page::new(t);
    a.login("wangge_a").await;
    assert_eq!(names(&json(&a.get("/places").await)), ["一组1号微网格"]);
    // Their menu holds their daily work only: no planning, statistics or party pages.
    let home = a.get("/").await.body;
    let nav = &home[home.find("<nav>").unwrap()..home.find("</nav>").unwrap()];
    for (href, shown) in [
        ("/cases", true),
        ("/m/", true),
        ("/search", true),
        ("/stats", false),
        ("/alliances", false),
        ("/party", false),
    ] {
        assert_eq!(
            nav.contains(&format!("href=\"{href}\"")),
            shown,
            "{href} in {nav}"
        );
    }

    // A resident reports to micro-grid A of the group: worker A's queue holds it, B's does not.
    let g = resident.get("/report?county=141029").await;
    assert!(
        g.body
            .contains("data-places=\"/places/public?county=141029\""),
        "{}",
        g.body
    );
    let (key, code) = (hidden(&g.body, "key"), hidden(&g.body, "code"));
    let form = format!(
        "county=141029&key={key}&code={code}&category=road&division_code={GROUP}&grid={micro_a}\
         &description=%E8%B7%AF%E7%81%AF%E4%B8%8D%E4%BA%AE&name=%E5%BC%A0%E5%A4%A7%E5%A8%98&phone=13912345678&website="
    );
    let sent = resident.send("POST", "/report", Some(&form)).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let reported = id_in(&sent.location);
    let k = t.db.get_case(&all, reported).await.unwrap();
    assert_eq!(
        (k.division_code.as_str(), k.grid_id),
        (GROUP, Some(micro_a))
    );
    let inbox = a.get("/cases").await;
    assert!(
        inbox.body.contains(&format!("/cases/{reported}\"")),
        "{}",
        inbox.body
    );
    let mut b = Page::new(t);
    b.login("wangge_b").await;
    assert_eq!(
        b.get(&format!("/cases/{reported}")).await.status,
        StatusCode::NOT_FOUND
    );

    // A report with a photo of the spot (multipart): the case and its photo, both or neither; a
    // file that is not a photo is refused in words and files nothing.
    let g = resident.get("/report?county=141029").await;
    let (key2, code2) = (hidden(&g.body, "key"), hidden(&g.body, "code"));
    let fields = [
        ("county", "141029"),
        ("key", key2.as_str()),
        ("code", code2.as_str()),
        ("category", "road"),
        ("division_code", GROUP),
        ("description", "桥头护栏断了"),
        ("name", "孙大爷"),
        ("phone", "13611113333"),
        ("latitude", "35.912345"),
        ("longitude", "110.834567"),
        ("website", ""),
    ];
    let before =
        t.db.count_for_tests("SELECT COUNT(*) FROM cases")
            .await
            .unwrap();
    let bad = resident
        .upload_as("/report", &fields, "photo", "x.exe", b"MZ not a photo")
        .await;
    assert_eq!(bad.status, StatusCode::OK, "{}", bad.body);
    assert!(bad.body.contains("现场照片："), "{}", bad.body);
    assert_eq!(
        t.db.count_for_tests("SELECT COUNT(*) FROM cases")
            .await
            .unwrap(),
        before
    );
    let ok = resident
        .upload_as("/report", &fields, "photo", "护栏.jpg", JPEG)
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let with_photo = id_in(&ok.location);
    let k = t.db.get_case(&all, with_photo).await.unwrap();
    assert_eq!(
        (k.latitude, k.longitude),
        (Some(35.912345), Some(110.834567)),
        "the map pin"
    );
    let files = t.db.case_files(&all, with_photo).await.unwrap();
    assert_eq!(
        (files.len(), files[0].content_type.as_str()),
        (1, "image/jpeg")
    );

    // The case page draws where the case is: the township's villages as areas from their
    // positions, the case's village tinted, the reporter's spot.
    t.db.create_division(
        &all.clone().by(tester()),
        &xiangzhi_registry::DivisionInput {
            code: "141029100002".into(),
            name: "北关<b>村".into(),
            parent_code: Some("141029100000".into()),
        },
    )
    .await
    .unwrap();
    assert!(
        !secretary_page_has_map(t, with_photo).await,
        "no positions, no map"
    );
    t.db.set_division_positions(
        &tester(),
        141029,
        &[
            ("141029100001".into(), 35.91, 110.83),
            ("141029100002".into(), 35.93, 110.86),
        ],
    )
    .await
    .unwrap();
    assert!(secretary_page_has_map(t, with_photo).await);

    // A village case filed from the console is out of the grid workers' reach until the
    // secretary gives it to one of them; the handler list offers the village's grid workers.
    let mut secretary = Page::new(t);
    secretary.login("cunshuji").await;
    let new = secretary.get("/cases/new").await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);
    let console_key = &hidden(&new.body, "key");
    let filed = secretary
        .send(
            "POST",
            "/cases/new",
            Some(&format!(
                "key={console_key}&category=road&division_code={VILLAGE}&grid=&description=%E6%A1%A5%E9%9D%A2%E5%9D%91%E6%B4%BC\
                 &urgency=normal&reporter_kind=hotline&reporter_name=&reporter_phone="
            )),
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let village_case: i64 = filed
        .location
        .trim_start_matches("/cases/")
        .parse()
        .unwrap();
    // A refusal in words, the form kept.
    let refused = secretary
        .send(
            "POST",
            "/cases/new",
            Some(&format!(
                "key={console_key}x&category=road&division_code=142000000000&description=x&urgency=normal&reporter_kind=hotline"
            )),
        )
        .await;
    assert!(refused.body.contains("地点："), "{}", refused.body);
    assert_eq!(
        a.get(&format!("/cases/{village_case}")).await.status,
        StatusCode::NOT_FOUND
    );
    let step = |action: &str, extra: &str| format!("action={action}&note=&{extra}");
    let r = secretary
        .send(
            "POST",
            &format!("/cases/{village_case}/step"),
            Some(&step("accept", "")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = secretary.get(&format!("/cases/{village_case}")).await;
    assert!(
        page.body.contains(&format!(
            "<option value=\"{}\">wangge_a网格员（网格员）",
            worker_a.id
        )),
        "{}",
        page.body
    );
    let r = secretary
        .send(
            "POST",
            &format!("/cases/{village_case}/step"),
            Some(&step("assign", &format!("handler={}", worker_a.id))),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Now it is A's: in the inbox, on the case page with whom it was given to; B still not.
    assert!(a
        .get("/cases")
        .await
        .body
        .contains(&format!("/cases/{village_case}\"")));
    let mine = a.get(&format!("/cases/{village_case}")).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(
        mine.body.contains("给 <b>wangge_a网格员（网格员）</b>"),
        "{}",
        mine.body
    );
    assert_eq!(
        b.get(&format!("/cases/{village_case}")).await.status,
        StatusCode::NOT_FOUND
    );
    // A sends it back: out of A's hands, out of A's reach.
    let r = a
        .send(
            "POST",
            &format!("/cases/{village_case}/step"),
            Some(&step("return", "")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        a.get(&format!("/cases/{village_case}")).await.status,
        StatusCode::NOT_FOUND
    );

    // The resident's case: accepted and given to A by the secretary; A resolves it with a note
    // for the resident, an internal one, a photo of the result and a private document.
    for (action, extra) in [
        ("accept", String::new()),
        ("assign", format!("handler={}", worker_a.id)),
    ] {
        let r = secretary
            .send(
                "POST",
                &format!("/cases/{reported}/step"),
                Some(&step(action, &extra)),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}: {}", r.body);
    }
    let r = a
        .send(
            "POST",
            &format!("/cases/{reported}/step"),
            Some("action=start&note=%E5%86%85%E9%83%A8%E5%A4%87%E6%B3%A8"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let up = a
        .upload(
            &format!("/cases/{reported}/files"),
            &[("public", "1")],
            "修好了.jpg",
            JPEG,
        )
        .await;
    assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
    let up = a
        .upload(
            &format!("/cases/{reported}/files"),
            &[],
            "内部.jpg",
            b"\xFF\xD8\xFF\xE0 internal",
        )
        .await;
    assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
    let r = a
        .send(
            "POST",
            &format!("/cases/{reported}/step"),
            Some("action=resolve&public=1&note=%E5%B7%B2%E6%9B%B4%E6%8D%A2%E7%81%AF%E6%B3%A1"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let track = resident.get(&sent.location).await;
    assert!(
        track.body.contains("已更换灯泡"),
        "the public note: {}",
        track.body
    );
    assert!(
        !track.body.contains("内部备注"),
        "no internal note: {}",
        track.body
    );
    let photo = format!("/report/track/photo?county=141029&id={reported}&code={code}&seq=");
    assert!(
        track.body.contains(&photo.replace('&', "&amp;")),
        "{}",
        track.body
    );
    let p1 = resident.get(&format!("{photo}1")).await;
    assert_eq!(p1.status, StatusCode::OK);
    assert_eq!(
        resident.get(&format!("{photo}2")).await.status,
        StatusCode::NOT_FOUND
    );
    let wrong = format!("/report/track/photo?county=141029&id={reported}&code=AAAAAAAA&seq=1");
    assert_eq!(resident.get(&wrong).await.status, StatusCode::NOT_FOUND);
    // The timeline keeps who it was given to and which notes are public.
    let events = t.db.case_timeline(&all, reported).await.unwrap();
    let assign = events.iter().find(|e| e.action == "assign").unwrap();
    assert_eq!(assign.handler_id, Some(worker_a.id));
    let resolve = events.iter().find(|e| e.action == "resolve").unwrap();
    let start = events.iter().find(|e| e.action == "start").unwrap();
    assert!(resolve.is_public && !start.is_public);
    // The resident who gave a phone is told by SMS through the gateway: the report arrived, and
    // it is resolved; the phone is sealed in the outbox and opened for the gateway only.
    let q = |sql: String| {
        let db = t.db.clone();
        async move { db.count_for_tests(&sql).await.unwrap() }
    };
    for kind in ["received", "resolved_resident"] {
        assert_eq!(
            q(format!(
                "SELECT COUNT(*) FROM notifications WHERE case_id = {reported} AND kind = '{kind}' \
                 AND to_phone LIKE 's4g1:%' AND user_id IS NULL AND to_division IS NULL"
            ))
            .await,
            1,
            "{kind}"
        );
    }
    assert_eq!(
        q("SELECT COUNT(*) FROM notifications WHERE to_phone LIKE '%13912345678%'".into()).await,
        0
    );
    let due =
        t.db.claim_notifications(xiangzhi_storage::now_ms() + 1, 100)
            .await
            .unwrap();
    let sms: Vec<_> = due
        .iter()
        .filter(|o| o.n.case_id == reported && o.n.kind == "received")
        .collect();
    assert_eq!(sms.len(), 1);
    let body = xiangzhi_cases::webhook::Webhook::payload(sms[0]);
    assert_eq!(body["recipient"]["phone"], "13912345678");
    assert!(body["message"]["zh"]
        .as_str()
        .unwrap()
        .contains(&format!("事项号{reported}")));
    assert!(
        !body.to_string().contains(&code),
        "no tracking code in a message"
    );
    // The resident confirms what they have read.
    let r = resident
        .send(
            "POST",
            "/report/track",
            Some(&format!(
                "county=141029&id={reported}&code={code}&action=confirm&rating=5&note="
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(t.db.get_case(&all, reported).await.unwrap().rating, Some(5));
}
on_both!(cases_reach_the_grid, routing);
