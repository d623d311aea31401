//! Residents who move out of the county, die or move back, and rented houses with their tenants
//! (issue 18): recorded by file, kept as history, and respected by every list and roster.

use crate::api::Client;
use crate::helpers::TestDb;
use crate::on_both;
use crate::rosters::{imported, roster_grid};
use std::path::{Path, PathBuf};
use xiangzhi_registry::layouts::{check, Summary};
use xiangzhi_registry::{export, import, Layout};
use xiangzhi_storage::Scope;
use xiangzhi_tabular::{ExchangeError, ImportReport, Quiet, RowError};

/// A CSV file as a clerk saves it, in the temporary folder.
fn csv(t: &TestDb, name: &str, text: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!(
        "xz_standing_{}_{}_{name}.csv",
        std::process::id(),
        t.tag()
    ));
    std::fs::write(&p, text).unwrap();
    p
}

async fn run(t: &TestDb, layout: Layout, path: &Path) -> Result<ImportReport, ExchangeError> {
    import(&t.db, &Scope::everything(), layout, path, None, &Quiet).await
}

async fn preview(t: &TestDb, layout: Layout, path: &Path) -> Summary {
    let bytes = std::fs::read(path).unwrap();
    check(
        &t.db,
        &Scope::everything(),
        layout,
        "f.csv",
        bytes,
        None,
        &Quiet,
    )
    .await
    .unwrap()
    .summary
}

fn rows(r: Result<ImportReport, ExchangeError>) -> Vec<RowError> {
    match r {
        Err(ExchangeError::Rows { errors, .. }) => errors,
        other => panic!("expected row errors, got {other:?}"),
    }
}

async fn count(t: &TestDb, sql: &str) -> i64 {
    t.db.count_for_tests(sql).await.unwrap()
}

const HEADER: &str = "变动类型,姓名,公民身份号码,变动日期,迁往或迁自,新户主身份证号码\n";

async fn moves_out_deaths_returns(t: &TestDb) {
    let c = Client::new(t).await;
    roster_grid(&c).await;
    // Household A: 马永福 (head), 白彩霞, 马小军; household B: 田守仁 alone.
    imported(t, "update-before.xlsx").await;
    let a = c
        .ok("GET", "/api/v1/households?q=1410291000010011", None)
        .await["items"][0]["id"]
        .as_i64()
        .unwrap();

    // A head who dies leaves the household headless unless the file names the new head.
    let bad = csv(
        t,
        "headless",
        &format!("{HEADER}死亡,马永福,141029196306063218,2026-11-02,,\n"),
    );
    let errors = rows(run(t, Layout::Moves, &bad).await);
    assert!(
        errors
            .iter()
            .any(|e| e.row == 2 && e.zh.contains("没有户主")),
        "{errors:?}"
    );
    // Unknown people, wrong names, dates to come and unknown words are refused by row.
    let bad = csv(
        t,
        "faults",
        &format!(
            "{HEADER}迁出,马永福,141029196509103320,2026-11-02,,\n迁出,马小军,141029198903033411,2099-01-01,,\n\
             搬走,田守仁,141029194811113512,2026-11-02,,\n迁出,张三,140105199203150017,2026-11-02,,\n"
        ),
    );
    let errors = rows(run(t, Layout::Moves, &bad).await);
    let said: Vec<String> = errors
        .iter()
        .map(|e| format!("{} {}", e.row, e.zh))
        .collect();
    for (row, words) in [
        (2, "与登记的“白彩霞”不符"),
        (3, "不能晚于今天"),
        (4, "变动类型“搬走”无效"),
        (5, "本县没有登记这个身份证号码"),
    ] {
        assert!(
            said.iter()
                .any(|s| s.starts_with(&format!("{row} ")) && s.contains(words)),
            "{row} {words}: {said:?}"
        );
    }
    assert_eq!(count(t, "SELECT COUNT(*) FROM resident_events").await, 0);

    // The head dies and his wife heads the household; the son and 田守仁 move out of the county.
    let good = csv(
        t,
        "good",
        &format!(
            "{HEADER}去世,马永福,141029196306063218,2026-11-02,,141029196509103320\n\
             户口迁出,马小军,141029198903033411,2026-10-20,太原市小店区,\n\
             迁出,田守仁,141029194811113512,2026-09-01,临汾市尧都区,\n"
        ),
    );
    let s = preview(t, Layout::Moves, &good).await;
    assert_eq!((s.changed, s.unchanged), (3, 0), "{s:?}");
    assert!(
        s.samples.iter().any(|x| x.zh == "白彩霞：成为户主"),
        "{s:?}"
    );
    run(t, Layout::Moves, &good).await.unwrap();
    // Lists, household rosters and exports hold only those present; the others are asked for.
    let list = c.ok("GET", "/api/v1/residents", None).await;
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["白彩霞"], "{list}");
    assert_eq!(list["items"][0]["relation"], "head");
    let all = c.ok("GET", "/api/v1/residents?kind=all", None).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 4);
    let dead = c.ok("GET", "/api/v1/residents?kind=deceased", None).await;
    assert_eq!(dead["items"][0]["name"], "马永福");
    assert_eq!(dead["items"][0]["standing"], "deceased");
    let members = c
        .ok("GET", &format!("/api/v1/households/{a}/residents"), None)
        .await;
    assert_eq!(members.as_array().unwrap().len(), 1, "{members}");
    let out = std::env::temp_dir().join(format!(
        "xz_standing_{}_{}_households.csv",
        std::process::id(),
        t.tag()
    ));
    export(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        &out,
        None,
        true,
    )
    .await
    .unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("白彩霞") && !text.contains("马小军"),
        "{text}"
    );

    // The same file again changes nothing.
    assert_eq!(run(t, Layout::Moves, &good).await.unwrap().written, 0);
    assert_eq!(count(t, "SELECT COUNT(*) FROM resident_events").await, 3);
    // A roster cannot bring back the dead or those who left: it says how to record a return.
    let errors = rows(
        import(
            &t.db,
            &Scope::everything(),
            Layout::Households,
            &crate::rosters::roster("update-before.xlsx"),
            None,
            &Quiet,
        )
        .await,
    );
    let said: Vec<String> = errors
        .iter()
        .map(|e| format!("{} {}", e.row, e.zh))
        .collect();
    assert!(
        said.iter().any(|s| s.starts_with("2 此人已登记死亡")),
        "{said:?}"
    );
    assert!(
        said.iter().any(|s| s.starts_with("4 此人已迁出本县")),
        "{said:?}"
    );

    // Returns: the son comes back to his mother's household; the dead cannot.
    let back = csv(
        t,
        "back",
        &format!(
            "{HEADER}迁回,马小军,141029198903033411,2026-11-25,太原市小店区,\n\
             迁回,马永福,141029196306063218,2026-11-25,,\n"
        ),
    );
    let errors = rows(run(t, Layout::Moves, &back).await);
    assert!(
        errors
            .iter()
            .any(|e| e.row == 3 && e.zh.contains("已登记死亡")),
        "{errors:?}"
    );
    let back = csv(
        t,
        "back2",
        &format!("{HEADER}迁回,马小军,141029198903033411,2026-11-25,太原市小店区,\n"),
    );
    run(t, Layout::Moves, &back).await.unwrap();
    let members = c
        .ok("GET", &format!("/api/v1/households/{a}/residents"), None)
        .await;
    assert_eq!(members.as_array().unwrap().len(), 2, "{members}");

    // The history exports in the same layout, and read back it changes nothing.
    let hist = std::env::temp_dir().join(format!(
        "xz_standing_{}_{}_moves.csv",
        std::process::id(),
        t.tag()
    ));
    let n = export(
        &t.db,
        &Scope::everything(),
        Layout::Moves,
        &hist,
        None,
        true,
    )
    .await
    .unwrap();
    assert_eq!(n, 4);
    assert_eq!(run(t, Layout::Moves, &hist).await.unwrap().written, 0);
    // Masked unless asked in full.
    export(
        &t.db,
        &Scope::everything(),
        Layout::Moves,
        &hist,
        None,
        false,
    )
    .await
    .unwrap();
    let text = std::fs::read_to_string(&hist).unwrap();
    assert!(
        !text.contains("141029196306063218") && text.contains("死亡"),
        "{text}"
    );

    // The resident's page says they are not on the roll, with the history.
    crate::api::add_user(t, "zhenban", "township_officer", "141029100000").await;
    let mut p = crate::console::Page::new(t);
    p.login("zhenban").await;
    let id = dead["items"][0]["id"].as_i64().unwrap();
    let page = p.get(&format!("/residents/{id}")).await;
    assert_eq!(page.status.as_u16(), 200);
    assert!(
        page.body.contains("此人不在册：已死亡（2026-11-02）") && page.body.contains("人口变动"),
        "{}",
        page.body
    );
}
on_both!(moves_deaths_and_returns, moves_out_deaths_returns);

const RENTALS: &str = "微网格编码,房屋地址,房东姓名,房东电话,房屋用途,租客姓名,租客身份证号码,租客电话,户籍地,工作单位,入住日期,退租日期\n\
CG0101,城关社区光明街9号,马永福,13834567812,居住,赵小兵,140105199203150017,13912345678,太原市小店区,县城关中学,2026-03-01,\n\
CG0101,城关社区光明街9号,马永福,13834567812,居住,钱多多,130402198807060021,,河北省邯郸市,,2026/5/10,\n\
CG0101,城关社区光明街11号,田守仁,,商住两用,,,,,,,\n";

async fn rentals_and_tenants(t: &TestDb) {
    let c = Client::new(t).await;
    roster_grid(&c).await;
    let f = csv(t, "rentals", RENTALS);
    let s = preview(t, Layout::Rentals, &f).await;
    assert_eq!((s.new_rentals, s.added), (2, 2), "{s:?}");
    run(t, Layout::Rentals, &f).await.unwrap();
    assert_eq!(count(t, "SELECT COUNT(*) FROM tenants").await, 2);
    // Sealed as residents' are: no ID number or phone in clear in the table.
    assert_eq!(
        count(
            t,
            "SELECT COUNT(*) FROM tenants WHERE id_number LIKE '%140105%' OR phone LIKE '%139%'"
        )
        .await,
        0
    );
    // The same file twice changes nothing; a later file records who moved out.
    assert_eq!(run(t, Layout::Rentals, &f).await.unwrap().written, 0);
    let later = csv(
        t,
        "later",
        &RENTALS.replace("县城关中学,2026-03-01,", "县城关中学,2026-03-01,2026-11-15"),
    );
    let s = preview(t, Layout::Rentals, &later).await;
    assert_eq!((s.changed, s.unchanged), (1, 1), "{s:?}");
    run(t, Layout::Rentals, &later).await.unwrap();
    // Faults are refused by row: a moving out before moving in, a bad ID, a grid outside.
    let bad = csv(
        t,
        "bad",
        &RENTALS
            .replace("2026/5/10,", "2026/5/10,2026-01-01")
            .replace("140105199203150017", "140105199203150018")
            .replace("CG0101,城关社区光明街11号", "NOPE,城关社区光明街11号"),
    );
    let errors = rows(run(t, Layout::Rentals, &bad).await);
    let said: Vec<String> = errors
        .iter()
        .map(|e| format!("{} {} {}", e.row, e.column, e.zh))
        .collect();
    assert!(
        said.iter()
            .any(|s| s.starts_with("2 7") && s.contains("校验码")),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|s| s.starts_with("3 12") && s.contains("退租日期早于入住日期")),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|s| s.starts_with("4 1") && s.contains("微网格不存在")),
        "{said:?}"
    );

    // The township clerk finds the houses and tenants, masked.
    crate::api::add_user(t, "zhenban", "township_officer", "141029100000").await;
    let mut p = crate::console::Page::new(t);
    p.login("zhenban").await;
    let list = p.get("/rentals").await;
    assert_eq!(list.status.as_u16(), 200, "{}", list.body);
    assert!(list.body.contains("城关社区光明街9号") && list.body.contains("138****7812"));
    assert!(!list.body.contains("13834567812"));
    let id: i64 =
        t.db.count_for_tests("SELECT id FROM rentals WHERE address = '城关社区光明街9号'")
            .await
            .unwrap();
    let house = p.get(&format!("/rentals/{id}")).await;
    assert!(
        house.body.contains("赵小兵")
            && house.body.contains("140***********0017")
            && house.body.contains("2026-11-15"),
        "{}",
        house.body
    );
    assert!(!house.body.contains("140105199203150017"));
    // Another township's clerk, and a grid worker of another grid, see none of it.
    crate::api::add_user(t, "gzhen", "township_officer", "141029101000").await;
    let mut other = crate::console::Page::new(t);
    other.login("gzhen").await;
    assert!(!other.get("/rentals").await.body.contains("光明街9号"));
    assert_eq!(
        other.get(&format!("/rentals/{id}")).await.status.as_u16(),
        404
    );
    let micro: i64 =
        t.db.count_for_tests("SELECT id FROM grids WHERE level = 'micro' AND code <> 'CG0101'")
            .await
            .unwrap();
    t.db.create_user(
        &crate::helpers::tester(),
        &xiangzhi_storage::accounts::NewUser {
            login: "wanggeyuan".into(),
            display_name: "网格员".into(),
            role: "grid_worker".into(),
            division_code: "141029100001".into(),
            grid_id: Some(micro),
            password: crate::api::PASSWORD.into(),
        },
    )
    .await
    .unwrap();
    let mut worker = crate::console::Page::new(t);
    worker.login("wanggeyuan").await;
    let body = worker.get("/rentals").await.body;
    assert!(!body.contains("光明街9号"), "{body}");
    assert_eq!(
        worker.get(&format!("/rentals/{id}")).await.status.as_u16(),
        404
    );
    // The export reads back as the same file.
    let out = std::env::temp_dir().join(format!(
        "xz_standing_{}_{}_rentals.csv",
        std::process::id(),
        t.tag()
    ));
    let n = export(
        &t.db,
        &Scope::everything(),
        Layout::Rentals,
        &out,
        None,
        true,
    )
    .await
    .unwrap();
    assert_eq!(n, 3);
    assert_eq!(run(t, Layout::Rentals, &out).await.unwrap().written, 0);
}
on_both!(rented_houses_and_tenants, rentals_and_tenants);

/// Writes a checked file as a job of its own and leaves the job open (to be failed by the test).
async fn written_as_job(
    t: &TestDb,
    checked: xiangzhi_tabular::Checked,
) -> (
    xiangzhi_storage::staged::Staged<'_>,
    xiangzhi_storage::Actor,
) {
    let by = crate::helpers::tester();
    let job =
        t.db.create_import_job(
            &by,
            &xiangzhi_storage::staged::NewJob {
                county_id: checked.county_id,
                layout: checked.layout.into(),
                file_name: "test.csv".into(),
                digest: String::new(),
                division_code: String::new(),
                status: xiangzhi_storage::staged::JobStatus::Queued,
                rows_total: checked.summary.rows as i64,
                summary: None,
                errors: None,
                file: None,
            },
        )
        .await
        .unwrap();
    let mut staged = xiangzhi_storage::staged::Staged::begin(
        &t.db,
        &by,
        checked.county_id,
        job,
        xiangzhi_storage::staged::Pause::WhenWaited,
    )
    .await
    .unwrap();
    checked
        .plan
        .write(&mut staged, checked.county_id, &Quiet)
        .await
        .unwrap();
    (staged, by)
}

/// Waits for an import job's page to say it finished.
async fn finished(p: &mut crate::console::Page, job: &str) {
    for _ in 0..600 {
        let g = p.get(job).await;
        if g.body.contains("已完成") {
            return;
        }
        assert!(!g.body.contains("失败"), "{}", g.body);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{job} did not finish");
}

/// The party's rosters in the console as jobs like the registry's: previewed, applied, the same
/// file twice changing nothing; a failed members job undone with its contact households.
async fn party_rosters_in_console(t: &TestDb) {
    let c = Client::new(t).await;
    roster_grid(&c).await;
    imported(t, "update-before.xlsx").await;
    crate::api::add_user(t, "zhenban", "township_officer", "141029100000").await;
    let mut p = crate::console::Page::new(t);
    p.login("zhenban").await;
    let home = p.get("/exchange").await;
    for offered in [
        "party-orgs",
        "party-members",
        "contact-duties",
        "village-cadres",
    ] {
        assert!(
            home.body.contains(&format!("value=\"{offered}\"")),
            "{offered}: {}",
            home.body
        );
    }
    let orgs = "党组织编码,党组织名称,类别,所在区划代码,上级党组织编码\n\
                D01,昌宁镇党委,党委,141029100000,\n\
                D0101,城关社区党支部,党支部,141029100001,D01\n";
    let up = p
        .upload(
            "/exchange/import",
            &[("layout", "party-orgs")],
            "党组织.csv",
            orgs.as_bytes(),
        )
        .await;
    assert_eq!(up.status.as_u16(), 303, "{}", up.body);
    let job = up.location.clone();
    let page = p.get(&job).await;
    assert!(
        page.body.contains("新增党组织 城关社区党支部（D0101）"),
        "{}",
        page.body
    );
    assert_eq!(
        count(t, "SELECT COUNT(*) FROM party_orgs").await,
        0,
        "a preview writes nothing"
    );
    p.send("POST", &format!("{job}/apply"), None).await;
    finished(&mut p, &job).await;
    assert_eq!(count(t, "SELECT COUNT(*) FROM party_orgs").await, 2);
    // Members with their contact households.
    let members = "身份证号码,姓名,党组织编码,党员类别,入党日期,联系户\n\
                   141029196306063218,马永福,D0101,正式党员,1990-07-01,1410291000010012\n\
                   141029196509103320,白彩霞,D0101,预备党员,2026-01-01,\n";
    let up = p
        .upload(
            "/exchange/import",
            &[("layout", "party-members")],
            "党员.csv",
            members.as_bytes(),
        )
        .await;
    let job = up.location.clone();
    p.send("POST", &format!("{job}/apply"), None).await;
    finished(&mut p, &job).await;
    assert_eq!(count(t, "SELECT COUNT(*) FROM party_members").await, 2);
    assert_eq!(count(t, "SELECT COUNT(*) FROM member_contacts").await, 1);
    // The same file again changes nothing, and says so.
    let up = p
        .upload(
            "/exchange/import",
            &[("layout", "party-members")],
            "党员.csv",
            members.as_bytes(),
        )
        .await;
    let page = p.get(&up.location).await;
    assert!(!page.body.contains("确认导入"), "{}", page.body);
    // Exports of the party's layouts, masked.
    let out = p
        .send(
            "POST",
            "/exchange/export",
            Some("layout=party-members&area=141029100000&format=csv"),
        )
        .await;
    assert_eq!(out.status.as_u16(), 200);
    assert!(out.body.contains("马永福") && !out.body.contains("141029196306063218"));

    // A members job that fails part-way is undone whole, its contact households first.
    t.db.execute_for_tests("DELETE FROM member_contacts")
        .await
        .unwrap();
    t.db.execute_for_tests("DELETE FROM party_members")
        .await
        .unwrap();
    let path = csv(t, "members", members);
    let bytes = std::fs::read(&path).unwrap();
    let checked = xiangzhi_party::layouts::check(
        &t.db,
        &Scope::everything(),
        xiangzhi_party::layouts::Layout::PartyMembers,
        "members.csv",
        bytes,
        None,
        &Quiet,
    )
    .await
    .unwrap();
    let (staged, by) = written_as_job(t, checked).await;
    assert_eq!(count(t, "SELECT COUNT(*) FROM member_contacts").await, 1);
    staged.fail(&by, "{}".into()).await.unwrap();
    assert_eq!(count(t, "SELECT COUNT(*) FROM party_members").await, 0);
    assert_eq!(count(t, "SELECT COUNT(*) FROM member_contacts").await, 0);
}
on_both!(party_rosters_as_jobs, party_rosters_in_console);

/// An import that fails after a clerk edited one of its rows undoes the rest and keeps the edit.
async fn undo_keeps_later_edits(t: &TestDb) {
    let c = Client::new(t).await;
    roster_grid(&c).await;
    imported(t, "update-before.xlsx").await;
    let bytes = std::fs::read(crate::rosters::roster("update-after.xlsx")).unwrap();
    let checked = check(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        "update-after.xlsx",
        bytes,
        None,
        &Quiet,
    )
    .await
    .unwrap();
    let (staged, by) = written_as_job(t, checked).await;
    // A clerk changes 田守仁 (whose phone the file changed) before the job ends.
    t.db.execute_for_tests(
        "UPDATE residents SET phone_hash = 'clerk', version = version + 1 WHERE name = '田守仁'",
    )
    .await
    .unwrap();
    staged.fail(&by, "{}".into()).await.unwrap();
    // The newborn is gone and the son is back in his first household; the phone the clerk set
    // stays (the undo would have put the old one back).
    assert_eq!(count(t, "SELECT COUNT(*) FROM residents").await, 4);
    assert_eq!(
        count(
            t,
            "SELECT COUNT(*) FROM residents r JOIN households h ON h.county_id = r.county_id \
             AND h.id = r.household_id WHERE r.name = '马小军' AND h.number = '1410291000010011'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            t,
            "SELECT COUNT(*) FROM residents WHERE name = '田守仁' AND phone_hash = 'clerk'"
        )
        .await,
        1
    );
}
on_both!(undo_keeps_a_later_edit, undo_keeps_later_edits);
