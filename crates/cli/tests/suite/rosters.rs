//! Rosters as township clerks make them (issue 18): files written by LibreOffice, kept in
//! `tests/rosters` (see its README for every row), imported as a clerk would; household files that
//! update what the county holds, previewed before they are applied; and an import that does not
//! stop the service.

use crate::api::{seed_tree, Client, PASSWORD};
use crate::helpers::{Backend, TestDb};
use crate::on_both;
use serde_json::json;
use std::path::PathBuf;
use xiangzhi_registry::layouts::{check, Summary};
use xiangzhi_registry::{export, import, Layout};
use xiangzhi_storage::Scope;
use xiangzhi_tabular::{ExchangeError, Quiet, RowError};

pub(crate) fn roster(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/rosters")
        .join(name)
}

/// The micro-grid every roster file names (`CG0101`), under the test county's first group.
pub(crate) async fn roster_grid(c: &Client) {
    let (_, micro) = seed_tree(c).await;
    let group = c.ok("GET", &format!("/api/v1/grids/{micro}"), None).await["parent_id"]
        .as_i64()
        .unwrap();
    c.ok(
        "POST",
        "/api/v1/grids",
        Some(
            json!({"code": "CG0101", "level": "micro", "name": "城关一组二号微网格",
            "division_code": "141029100001001", "parent_id": group}),
        ),
    )
    .await;
}

async fn residents(t: &TestDb) -> i64 {
    t.db.count_for_tests("SELECT COUNT(*) FROM residents")
        .await
        .unwrap()
}

async fn refused(t: &TestDb, name: &str) -> (Vec<RowError>, usize) {
    match import(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        &roster(name),
        None,
        &Quiet,
    )
    .await
    {
        Err(ExchangeError::Rows { errors, total }) => (errors, total),
        other => panic!("{name}: expected row errors, got {other:?}"),
    }
}

pub(crate) async fn imported(t: &TestDb, name: &str) -> usize {
    import(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        &roster(name),
        None,
        &Quiet,
    )
    .await
    .unwrap_or_else(|e| panic!("{name}: {e}"))
    .written
}

async fn preview(t: &TestDb, name: &str) -> Summary {
    let bytes = std::fs::read(roster(name)).unwrap();
    check(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        name,
        bytes,
        None,
        &Quiet,
    )
    .await
    .unwrap_or_else(|e| panic!("{name}: {e}"))
    .summary
}

async fn libreoffice_rosters(t: &TestDb) {
    let c = Client::new(t).await;
    roster_grid(&c).await;

    // ID numbers a spreadsheet turned into numbers: refused, saying the digits are already lost,
    // never rounded into a wrong identifier (the 16-digit household numbers likewise).
    let (errors, total) = refused(t, "number-ids.xlsx").await;
    let cells: Vec<String> = errors
        .iter()
        .map(|e| format!("{}{}", &e.column[..1], e.row))
        .collect();
    for cell in ["E2", "E3", "E5", "E6", "E7", "A2", "A7"] {
        assert!(cells.contains(&cell.to_string()), "{cell} in {cells:?}");
    }
    assert!(!cells.contains(&"E4".to_string()), "the text ID is fine");
    assert_eq!(total, 11, "{errors:?}");
    assert!(errors
        .iter()
        .all(|e| e.zh.contains("存成了数字") && e.zh.contains("已丢失") && e.en.contains("Text")));
    assert_eq!(residents(t).await, 0);

    // A title row above the header, a full-width space in 姓　名: the one bad ID number is named
    // by its own cell, F7.
    let (errors, total) = refused(t, "title-row.xlsx").await;
    assert_eq!(total, 1, "{errors:?}");
    assert_eq!(errors[0].row, 7);
    assert!(errors[0].column.starts_with('F'), "{errors:?}");
    assert!(errors[0].zh.contains("校验码"), "{errors:?}");

    // GBK, as Chinese spreadsheet programs save "CSV"; then the same rows as UTF-16 text, which
    // reads to exactly the same registry: nothing to write.
    assert!(imported(t, "gbk.csv").await > 0);
    assert_eq!(residents(t).await, 6);
    assert_eq!(
        t.db.count_for_tests("SELECT COUNT(*) FROM residents WHERE name IN ('李堃', '刘喆')")
            .await
            .unwrap(),
        2
    );
    assert!(preview(t, "utf16.csv").await.is_empty());
    assert_eq!(imported(t, "utf16.csv").await, 0);

    // The register's own words and headers, date cells of three formats, gender and birth date
    // held against the ID number; the words are kept and given back on export.
    assert!(imported(t, "register.xlsx").await > 0);
    assert_eq!(residents(t).await, 17);
    for (word, relation) in [
        ("妻", "spouse"),
        ("丈夫", "spouse"),
        ("长子", "child"),
        ("次女", "child"),
        ("儿媳", "child"),
        ("孙子", "grandchild"),
        ("岳母", "parent"),
    ] {
        assert!(
            t.db.count_for_tests(&format!(
                "SELECT COUNT(*) FROM residents WHERE relation_word = '{word}' AND relation = '{relation}'"
            ))
            .await
            .unwrap()
                >= 1,
            "{word}"
        );
    }
    let out =
        std::env::temp_dir().join(format!("xz_rosters_{}_{}.csv", std::process::id(), t.tag()));
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
    assert!(text.contains("周丽娟,141029198409262446,,儿媳"), "{text}");
    // The same file again changes nothing; the export, re-read, changes nothing either.
    assert_eq!(imported(t, "register.xlsx").await, 0);
    let bytes = std::fs::read(&out).unwrap();
    let again = check(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        "export.csv",
        bytes,
        None,
        &Quiet,
    )
    .await
    .unwrap();
    assert!(again.summary.is_empty(), "{:?}", again.summary);
    assert_eq!(again.summary.unchanged, 17);
    // Masked unless asked for in full: no ID number or phone in clear.
    export(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        &out,
        None,
        false,
    )
    .await
    .unwrap();
    let masked = std::fs::read_to_string(&out).unwrap();
    assert!(!masked.contains("141029198409262446") && masked.contains("141***********2446"));
    let _ = std::fs::remove_file(&out);
}
on_both!(made_in_libreoffice, libreoffice_rosters);

async fn household_updates(t: &TestDb) {
    let c = Client::new(t).await;
    roster_grid(&c).await;
    imported(t, "update-before.xlsx").await;
    assert_eq!(residents(t).await, 4);
    // The preview says what the update does, row by row, before anything is written.
    let s = preview(t, "update-after.xlsx").await;
    assert_eq!(
        (s.added, s.changed, s.moved, s.new_households, s.unchanged),
        (1, 1, 1, 1, 2),
        "{s:?}"
    );
    let said: Vec<String> = s
        .samples
        .iter()
        .map(|x| format!("{} {}", x.row, x.zh))
        .collect();
    assert!(
        said.iter().any(|x| x.starts_with("4 马欣怡：出生入户")),
        "{said:?}"
    );
    assert!(
        said.iter().any(|x| x.starts_with("5 田守仁：电话已变更")),
        "{said:?}"
    );
    assert!(
        said.iter().any(|x| x
            .starts_with("6 马小军：从户 1410291000010011 迁到户 1410291000010013（2026-10-08）")),
        "{said:?}"
    );
    assert_eq!(residents(t).await, 4, "a preview writes nothing");
    imported(t, "update-after.xlsx").await;
    assert_eq!(residents(t).await, 5);
    let moves: Vec<(String, Option<i64>)> =
        t.db.all(&xiangzhi_storage::sql::Q::new(
            "SELECT t.reason, t.from_household_id FROM resident_moves t ORDER BY t.id",
        ))
        .await
        .unwrap();
    assert_eq!(moves.len(), 2, "{moves:?}");
    assert!(
        moves[0].0.starts_with("出生") && moves[0].1.is_none(),
        "{moves:?}"
    );
    assert!(moves[1].0.starts_with("户间迁移") && moves[1].1.is_some());
    // 马小军 heads household C now.
    assert_eq!(
        t.db.count_for_tests(
            "SELECT COUNT(*) FROM residents r JOIN households h ON h.county_id = r.county_id AND h.id = r.household_id \
             WHERE r.name = '马小军' AND h.number = '1410291000010013' AND r.relation = 'head'"
        )
        .await
        .unwrap(),
        1
    );
    // The same file twice changes nothing.
    assert!(preview(t, "update-after.xlsx").await.is_empty());
    assert_eq!(imported(t, "update-after.xlsx").await, 0);
    // A blank phone cell keeps the phone the county holds.
    let blank =
        std::env::temp_dir().join(format!("xz_blank_{}_{}.csv", std::process::id(), t.tag()));
    std::fs::write(
        &blank,
        "户号,微网格编码,住址,姓名,身份证号码,联系电话,与户主关系\n1410291000010012,CG0101,城关社区光明街7号,田守仁,141029194811113512,,户主\n",
    )
    .unwrap();
    assert_eq!(
        import(
            &t.db,
            &Scope::everything(),
            Layout::Households,
            &blank,
            None,
            &Quiet
        )
        .await
        .unwrap()
        .written,
        0
    );
    assert_eq!(
        t.db.count_for_tests(
            "SELECT COUNT(*) FROM residents WHERE name = '田守仁' AND phone_hash IS NOT NULL"
        )
        .await
        .unwrap(),
        1
    );
    let _ = std::fs::remove_file(&blank);
    // A household whose head moves away and is named no further would be left headless: refused.
    let dir = std::env::temp_dir().join(format!(
        "xz_headless_{}_{}.csv",
        std::process::id(),
        t.tag()
    ));
    std::fs::write(
        &dir,
        "户号,微网格编码,住址,姓名,身份证号码,与户主关系\n1410291000010014,CG0101,城关社区光明街9号,马永福,141029196306063218,户主\n",
    )
    .unwrap();
    match import(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        &dir,
        None,
        &Quiet,
    )
    .await
    .unwrap_err()
    {
        ExchangeError::Rows { errors, .. } => assert!(
            errors.iter().any(|e| e.row == 2
                && e.zh.contains("1410291000010011")
                && e.zh.contains("没有户主")),
            "{errors:?}"
        ),
        other => panic!("expected row errors, got {other}"),
    }
    let _ = std::fs::remove_file(&dir);
}
on_both!(updates_previewed_then_applied, household_updates);

/// An import into a running SQLite server leaves it answering: sign-ins and new cases filed while
/// 10,000 residents are written all get their answers — no 500, no 503. (The figures for 200,000
/// rows, p99 included, are `xiangzhi bench live-import`'s, in BENCHMARKS.md.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_does_not_stop_the_service() {
    let t = TestDb::new(Backend::Sqlite).await.unwrap();
    let admin = Client::new(&t).await;
    let (_, micro) = seed_tree(&admin).await;
    let code = crate::exchange::micro_code(&admin, micro).await;
    let login = admin.ok("GET", "/api/v1/auth/me", None).await["login"]
        .as_str()
        .unwrap()
        .to_string();
    crate::cases::categories(&t.db).await;
    let file = std::env::temp_dir().join(format!("xz_live_{}.csv", std::process::id()));
    crate::exchange::households_csv(&file, &code, None);
    let db = t.db.clone();
    let path = file.clone();
    let importer = tokio::spawn(async move {
        import(
            &db,
            &Scope::everything(),
            Layout::Households,
            &path,
            None,
            &Quiet,
        )
        .await
    });
    let anon = Client::anonymous(&t);
    let mut answers = Vec::new();
    let mut n = 0;
    while !importer.is_finished() {
        n += 1;
        let (s, v, _) = anon
            .call(
                "POST",
                "/api/v1/auth/login",
                Some(json!({"login": login, "password": PASSWORD})),
            )
            .await;
        answers.push(("login", s.as_u16(), v.to_string()));
        let body = json!({"idempotency_key": format!("live-{n}"), "category": "road",
            "description": "路灯不亮", "division_code": "141029100001",
            "reporter_kind": "resident", "reporter_name": "张大爷"});
        let (s, v, _) = admin.call("POST", "/api/v1/cases", Some(body)).await;
        answers.push(("case", s.as_u16(), v.to_string()));
    }
    let report = importer.await.unwrap().unwrap();
    assert_eq!(report.written, 10_000);
    assert!(answers.len() >= 4, "requests ran while the import wrote");
    for (what, status, body) in &answers {
        assert!(matches!(status, 200 | 201), "{what}: {status} {body}");
    }
    let _ = std::fs::remove_file(&file);
    t.finish().await;
}

/// A township clerk imports and exports in the console: the upload is checked and previewed,
/// written in the background once confirmed, its errors shown by row and cell; exports are
/// masked unless a purpose is given, and every step is in the audit log with the file's digest.
async fn console_imports(t: &TestDb) {
    let c = Client::new(t).await;
    roster_grid(&c).await;
    crate::api::add_user(t, "zhenban", "township_officer", "141029100000").await;
    crate::api::add_user(t, "gzhen", "township_officer", "141029101000").await;
    let mut p = crate::console::Page::new(t);
    p.login("zhenban").await;
    let home = p.get("/exchange").await;
    assert_eq!(home.status.as_u16(), 200, "{}", home.body);
    assert!(home.body.contains("导入表格") && home.body.contains("导出表格"));
    // A blank template to fill, with the layout's columns.
    assert!(home.body.contains("/exchange/template/households"));
    let tpl = p.get("/exchange/template/households").await;
    assert_eq!(tpl.status.as_u16(), 200);
    assert!(tpl.body.starts_with("PK"), "an .xlsx file");
    let data = std::fs::read(roster("update-before.xlsx")).unwrap();
    let up = p
        .upload(
            "/exchange/import",
            &[("layout", "households")],
            "花名册.xlsx",
            &data,
        )
        .await;
    assert_eq!(up.status.as_u16(), 303, "{}", up.body);
    let job = up.location.clone();
    let page = p.get(&job).await;
    assert!(
        page.body.contains("将要写入的内容") && page.body.contains("确认导入"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("新增户 1410291000010011"),
        "{}",
        page.body
    );
    assert_eq!(residents(t).await, 0, "a preview writes nothing");
    // Another township's clerk cannot see or apply it.
    let mut other = crate::console::Page::new(t);
    other.login("gzhen").await;
    assert_eq!(other.get(&job).await.status.as_u16(), 404);
    assert_eq!(
        other
            .send("POST", &format!("{job}/apply"), None)
            .await
            .status
            .as_u16(),
        404
    );
    let applied = p.send("POST", &format!("{job}/apply"), None).await;
    assert_eq!(applied.status.as_u16(), 303, "{}", applied.body);
    let mut done = false;
    for _ in 0..600 {
        let g = p.get(&job).await;
        if g.body.contains("已完成") {
            assert!(g.body.contains("导入结果"), "{}", g.body);
            done = true;
            break;
        }
        assert!(!g.body.contains("失败"), "{}", g.body);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(done, "the job finished");
    assert_eq!(residents(t).await, 4);
    // Applying twice does nothing more.
    assert_eq!(
        p.send("POST", &format!("{job}/apply"), None)
            .await
            .status
            .as_u16(),
        409
    );
    // A file with an error is shown row by row, cell named, and cannot be applied.
    let bad = std::fs::read(roster("title-row.xlsx")).unwrap();
    let up = p
        .upload(
            "/exchange/import",
            &[("layout", "households")],
            "title-row.xlsx",
            &bad,
        )
        .await;
    let page = p.get(&up.location).await;
    assert!(
        page.body.contains("有错误") && page.body.contains("F（身份证号码）"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("确认导入"));
    // Exports: masked by default; in full only with a purpose, which the audit log keeps.
    let masked = p
        .send(
            "POST",
            "/exchange/export",
            Some("layout=households&area=141029100000&format=csv"),
        )
        .await;
    assert_eq!(masked.status.as_u16(), 200);
    assert!(masked.body.contains("马永福") && !masked.body.contains("141029196306063218"));
    let no_purpose = p
        .send(
            "POST",
            "/exchange/export",
            Some("layout=households&area=141029100000&format=csv&full=1&purpose="),
        )
        .await;
    assert!(
        no_purpose.body.contains("须写明用途"),
        "{}",
        no_purpose.body
    );
    let full = p
        .send(
            "POST",
            "/exchange/export",
            Some("layout=households&area=141029100000&format=csv&full=1&purpose=%E6%88%B7%E7%B1%8D%E6%A0%B8%E5%AF%B9"),
        )
        .await;
    assert!(full.body.contains("141029196306063218"));
    let outside = p
        .send(
            "POST",
            "/exchange/export",
            Some("layout=households&area=141029101000&format=csv"),
        )
        .await;
    assert!(
        outside.body.contains("管辖范围内的区域"),
        "{}",
        outside.body
    );
    let log = t.db.audit_entries(None, 50).await.unwrap();
    let said = |action: &str, bit: &str| {
        log.iter()
            .any(|e| e.action == action && (e.object.contains(bit) || e.detail.contains(bit)))
    };
    assert!(said("import households", "sha256 "), "{log:?}");
    assert!(said("export households", "for: 户籍核对"), "{log:?}");
    assert!(said("export households", "masked"), "{log:?}");
    assert!(said("check import households", "花名册.xlsx"), "{log:?}");
}
on_both!(console_import_and_export, console_imports);

/// The same jobs through the API: the file as the body, a preview back, applied in the background,
/// followed to its end; exports masked unless a purpose is given, by an account that may.
async fn api_imports(t: &TestDb) {
    let admin = Client::new(t).await;
    roster_grid(&admin).await;
    let clerk = Client::as_role(t, "township_officer", "141029100000").await;
    let data = std::fs::read(roster("update-before.xlsx")).unwrap();
    let (status, _, body) = clerk
        .raw(
            "POST",
            "/api/v1/imports?layout=households&name=%E8%8A%B1%E5%90%8D%E5%86%8C.xlsx",
            Some((data, "application/octet-stream")),
        )
        .await;
    let job: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status.as_u16(), 201, "{job}");
    assert_eq!(job["status"], "checked");
    assert_eq!(job["summary"]["new_households"], 2);
    assert_eq!(job["summary"]["added"], 4);
    let at = format!("/api/v1/imports/{}/{}", job["county_id"], job["id"]);
    let (status, queued, _) = clerk.call("POST", &format!("{at}/apply"), None).await;
    assert_eq!(status.as_u16(), 202, "{queued}");
    let mut last = serde_json::Value::Null;
    for _ in 0..600 {
        last = clerk.ok("GET", &at, None).await;
        if last["status"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(last["status"], "done", "{last}");
    assert_eq!(residents(t).await, 4);
    // A file the layouts cannot read is refused in words; a wrong layout likewise.
    let (status, _, body) = clerk
        .raw(
            "POST",
            "/api/v1/imports?layout=households&name=x.xlsx",
            Some((
                b"PK\x03\x04 not a workbook".to_vec(),
                "application/octet-stream",
            )),
        )
        .await;
    assert_eq!(status.as_u16(), 422, "{}", String::from_utf8_lossy(&body));
    let (status, _, _) = clerk
        .raw(
            "POST",
            "/api/v1/imports?layout=accounts&name=x.csv",
            Some((b"a,b\n".to_vec(), "application/octet-stream")),
        )
        .await;
    assert_eq!(status.as_u16(), 422);
    // Rows refused are in the job, by cell.
    let bad = std::fs::read(roster("title-row.xlsx")).unwrap();
    let (status, _, body) = clerk
        .raw(
            "POST",
            "/api/v1/imports?layout=households&name=title-row.xlsx",
            Some((bad, "application/octet-stream")),
        )
        .await;
    let refused: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status.as_u16(), 201);
    assert_eq!(refused["status"], "refused");
    assert_eq!(refused["errors"][0]["row"], 7);
    // Exports.
    let (status, headers, body) = clerk
        .raw("GET", "/api/v1/exports/households?format=csv", None)
        .await;
    assert_eq!(status.as_u16(), 200);
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("households-141029100000.csv"));
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains("马永福") && !text.contains("141029196306063218"));
    let (_, _, body) = clerk
        .raw(
            "GET",
            "/api/v1/exports/households?format=csv&purpose=%E6%A0%B8%E5%AF%B9",
            None,
        )
        .await;
    assert!(String::from_utf8(body)
        .unwrap()
        .contains("141029196306063218"));
    let worker = Client::as_role(t, "grid_worker", "141029100001").await;
    let (status, _, _) = worker
        .raw(
            "GET",
            "/api/v1/exports/households?format=csv&purpose=x",
            None,
        )
        .await;
    assert_eq!(status.as_u16(), 403);
    let (status, _, _) = clerk
        .raw(
            "GET",
            "/api/v1/exports/households?division=141029101000",
            None,
        )
        .await;
    assert_eq!(status.as_u16(), 404);
}
on_both!(api_import_and_export, api_imports);

/// The contact-duty roster (包联) as a township keeps it: ranks and targets in words, dates as
/// offices write them, households by number; a bad row named; the same file twice changes nothing,
/// a changed unit updates the duty.
async fn contact_duty_rosters(t: &TestDb) {
    let c = Client::new(t).await;
    roster_grid(&c).await;
    imported(t, "update-before.xlsx").await;
    let layout = xiangzhi::layout("contact-duties").unwrap();
    let dir = std::env::temp_dir().join(format!("xz_duties_{}_{}", std::process::id(), t.tag()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, body: &str| {
        let p = dir.join(name);
        std::fs::write(
            &p,
            format!("包联人,层级,单位,包联对象,村组区划代码,户号,起始日期\n{body}"),
        )
        .unwrap();
        p
    };
    let run = |p: PathBuf| async move {
        (layout.import)(&t.db, &Scope::everything(), &p, None, &Quiet).await
    };
    let bad = write(
        "bad.csv",
        "张建设,县级领导,县委办,村,141029100001,,2026/1/5\n李明,乡镇领导,,户,,1410291000019999,2026年3月1日\n",
    );
    match run(bad).await.unwrap_err() {
        ExchangeError::Rows { errors, total } => {
            assert_eq!(total, 1, "{errors:?}");
            assert_eq!(errors[0].row, 3);
            assert!(errors[0].zh.contains("1410291000019999"), "{errors:?}");
        }
        other => panic!("expected row errors, got {other}"),
    }
    let body = "张建设,县级领导,县委办,村,141029100001,,2026/1/5\n李明,乡镇领导,,户,,1410291000010011,2026年3月1日\n";
    assert_eq!(run(write("good.csv", body)).await.unwrap().written, 2);
    assert_eq!(run(write("good.csv", body)).await.unwrap().written, 0);
    let moved = body.replace("县委办", "县委组织部");
    assert_eq!(run(write("moved.csv", &moved)).await.unwrap().written, 1);
    assert_eq!(
        t.db.count_for_tests("SELECT COUNT(*) FROM contact_duties WHERE unit = '县委组织部'")
            .await
            .unwrap(),
        1
    );
    let _ = std::fs::remove_dir_all(&dir);
}
on_both!(contact_duties_twice, contact_duty_rosters);

/// Hostile uploads: another site cannot post a file with the clerk's session cookie; markup in a
/// file's name and in its cells comes back as text, and control characters are dropped from it.
async fn hostile_uploads(t: &TestDb) {
    let c = Client::new(t).await;
    roster_grid(&c).await;
    crate::api::add_user(t, "zhenwei", "township_officer", "141029100000").await;
    let app = xiangzhi::app(xiangzhi_web::AppState::new(t.db.clone()));
    let (_, _, body) = crate::security::send(
        &app,
        "POST",
        "/api/v1/auth/login",
        &[("host", "localhost")],
        Some((
            "application/json",
            json!({"login": "zhenwei", "password": PASSWORD})
                .to_string()
                .into_bytes(),
        )),
        "10.30.0.1",
    )
    .await;
    let token: serde_json::Value = serde_json::from_str(&body).unwrap();
    let cookie = format!("xz_session={}", token["token"].as_str().unwrap());
    let boundary = "xzhostile";
    let form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"layout\"\r\n\r\nhouseholds\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n户号\r\n--{boundary}--\r\n"
    );
    let kind = format!("multipart/form-data; boundary={boundary}");
    for origin in ["https://evil.example", "null"] {
        let (status, _, _) = crate::security::send(
            &app,
            "POST",
            "/exchange/import",
            &[
                ("host", "localhost"),
                ("cookie", &cookie),
                ("origin", origin),
            ],
            Some((kind.as_str(), form.clone().into_bytes())),
            "10.30.0.1",
        )
        .await;
        assert_eq!(status.as_u16(), 403, "{origin}");
    }
    assert_eq!(
        t.db.count_for_tests("SELECT COUNT(*) FROM import_jobs")
            .await
            .unwrap(),
        0
    );
    let mut p = crate::console::Page::new(t);
    p.login("zhenwei").await;
    let csv = "户号,微网格编码,住址,姓名,身份证号码,与户主关系,性别\n\
               H1,CG0101,<b>1号</b>,<script>alert(1)</script>,141029196306063218,户主,<img src=x onerror=alert(2)>\n";
    let up = p
        .upload(
            "/exchange/import",
            &[("layout", "households")],
            "<img src=x onerror=alert(3)>\t.csv",
            csv.as_bytes(),
        )
        .await;
    assert_eq!(up.status.as_u16(), 303, "{}", up.body);
    let page = p.get(&up.location).await;
    assert!(!page.body.contains("<img src=x") && !page.body.contains("<script>alert"));
    assert!(
        page.body
            .contains("&#60;img src=x onerror=alert(3)&#62;.csv"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("&#60;img src=x onerror=alert(2)&#62;"),
        "{}",
        page.body
    );
    let list = p.get("/exchange").await;
    assert!(!list.body.contains("<img src=x") && list.body.contains("&#60;img"));
}
on_both!(hostile_import_uploads, hostile_uploads);

/// The 村两委 roster as a township keeps it: bodies and posts in words, the 一肩挑 secretary who
/// is also the committee's director on two rows; a second secretary and a post the body has not
/// refused by row; the same file twice changes nothing; phones masked on export unless in full.
async fn cadre_rosters(t: &TestDb) {
    let c = Client::new(t).await;
    seed_tree(&c).await;
    let layout = xiangzhi::layout("village-cadres").unwrap();
    let dir = std::env::temp_dir().join(format!("xz_cadres_{}_{}", std::process::id(), t.tag()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, body: &str| {
        let p = dir.join(name);
        std::fs::write(
            &p,
            format!("村区划代码,姓名,所在组织,职务,联系电话,任职日期\n{body}"),
        )
        .unwrap();
        p
    };
    let run = |p: PathBuf| async move {
        (layout.import)(&t.db, &Scope::everything(), &p, None, &Quiet).await
    };
    let good = "141029100001,王建华,村党组织,书记,13912345678,2021/1/10\n\
                141029100001,王建华,村民委员会,主任,13912345678,2021年1月15日\n\
                141029100001,李桂芝,村务监督委员会,委员,,2021-01-20\n";
    let bad = format!(
        "{good}141029100001,赵大成,村党组织,书记,,2021-01-10\n141029100001,钱某,村务监督委员会,副主任,,2021-01-10\n"
    );
    match run(write("bad.csv", &bad)).await.unwrap_err() {
        ExchangeError::Rows { errors, total } => {
            assert_eq!(total, 2, "{errors:?}");
            assert!(
                errors[0].row == 5 && errors[0].zh.contains("第2行已是该村村党组织的书记"),
                "{errors:?}"
            );
            assert!(
                errors[1].row == 6 && errors[1].zh.contains("村务监督委员会没有“副主任”"),
                "{errors:?}"
            );
        }
        other => panic!("expected row errors, got {other}"),
    }
    assert_eq!(run(write("good.csv", good)).await.unwrap().written, 3);
    assert_eq!(run(write("good.csv", good)).await.unwrap().written, 0);
    let moved = good.replacen("13912345678", "13800001111", 1);
    assert_eq!(
        run(write("new-phone.csv", &moved)).await.unwrap().written,
        1
    );
    let out = dir.join("out.csv");
    (layout.export)(&t.db, &Scope::everything(), &out, None, false)
        .await
        .unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("138****1111") && !text.contains("13800001111"),
        "{text}"
    );
    (layout.export)(&t.db, &Scope::everything(), &out, None, true)
        .await
        .unwrap();
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("13800001111"));
    // The export in full reads back as the registry stands.
    assert_eq!(run(out.clone()).await.unwrap().written, 0);
    // After an election the new secretary succeeds the one held, whose term ends (kept as
    // history, off the roster); a start date before the held one's is refused.
    let early = "141029100001,赵大成,村党组织,书记,,2020-05-01\n";
    match run(write("early.csv", early)).await.unwrap_err() {
        ExchangeError::Rows { errors, .. } => assert!(
            errors[0]
                .zh
                .contains("任职日期应晚于现任书记王建华的任职日期"),
            "{errors:?}"
        ),
        other => panic!("expected row errors, got {other}"),
    }
    let elected = "141029100001,赵大成,村党组织,书记,,2024-01-05\n";
    assert_eq!(run(write("elected.csv", elected)).await.unwrap().written, 2);
    assert_eq!(
        t.db.count_for_tests(
            "SELECT COUNT(*) FROM village_cadres WHERE name = '王建华' AND post = 'secretary' \
             AND until IS NOT NULL"
        )
        .await
        .unwrap(),
        1
    );
    assert_eq!(run(write("elected.csv", elected)).await.unwrap().written, 0);
    (layout.export)(&t.db, &Scope::everything(), &out, None, true)
        .await
        .unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("赵大成,村党组织,书记") && !text.contains("王建华,村党组织,书记"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
on_both!(village_cadres_twice, cadre_rosters);
