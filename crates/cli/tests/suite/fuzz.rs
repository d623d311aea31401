//! Bad input at scale: property-based fuzzing of every parser the outside world reaches — ID
//! numbers, division codes, phones, CSV and .xlsx files (arbitrary bytes, and real workbooks
//! with bytes changed), the planner's GeoJSON and CSV, and Open311 submissions through the whole
//! application. Nothing may panic, and every rejection says what is wrong in Chinese and English
//! (a field error, a row and column, or a problem naming its field), never a 500.

use crate::helpers::{Backend, TestDb};
use proptest::prelude::*;
use xiangzhi_tabular::ExchangeError;

/// Every refusal of a file names what is wrong, in both languages.
fn explained(e: &ExchangeError) {
    match e {
        ExchangeError::Format { zh, en } => {
            assert!(!zh.trim().is_empty() && !en.trim().is_empty(), "{e:?}")
        }
        ExchangeError::Rows { errors, total } => {
            assert!(*total > 0 && !errors.is_empty(), "{e:?}");
            for r in errors {
                let text = format!("{r:?}");
                assert!(!text.is_empty());
            }
        }
        other => {
            let text = format!("{other:?}");
            assert!(!text.is_empty());
        }
    }
}

fn near_identifier() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{0,20}",
        "[0-9Xx]{17,19}",
        "[0-9０-９ \\-+()]{0,20}",
        "1410[0-9]{2,12}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn identifiers_are_parsed_or_refused_in_words(s in near_identifier()) {
        use xiangzhi_domain::{DivisionCode, IdNumber, Phone};
        for r in [
            IdNumber::parse(&s).err(),
            DivisionCode::parse(&s).err(),
            Phone::parse(&s).err(),
        ]
        .into_iter()
        .flatten()
        {
            prop_assert!(!r.zh.is_empty() && !r.en.is_empty(), "{:?}", r);
        }
        // Masking public text keeps every character that is not a digit.
        let masked = xiangzhi_domain::public_text::mask_numbers(&s);
        prop_assert_eq!(masked.chars().count(), s.chars().count());
    }

    #[test]
    fn any_bytes_as_csv(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        if let Err(e) = xiangzhi_tabular::table::read_bytes("any.csv", bytes) {
            explained(&e);
        }
    }

    #[test]
    fn csv_of_awkward_cells(rows in proptest::collection::vec(
        proptest::collection::vec("[\"',;\\t\\r\\n a-z0-9中文=+\\-@]{0,12}", 1..6), 0..20)) {
        let text: String = rows.iter().map(|r| r.join(",") + "\n").collect();
        for bytes in [text.clone().into_bytes(), encode_gbk(&text)] {
            if let Err(e) = xiangzhi_tabular::table::read_bytes("rows.csv", bytes) {
                explained(&e);
            }
        }
    }
}

fn encode_gbk(s: &str) -> Vec<u8> {
    let (bytes, _, _) = encoding_rs::GBK.encode(s);
    bytes.into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// A real workbook with bytes changed: refused in words or read, never a panic.
    #[test]
    fn damaged_workbooks(changes in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = workbook().to_vec();
        for (at, b) in changes {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        if let Err(e) = xiangzhi_tabular::table::read_bytes("ledger.xlsx", bytes) {
            explained(&e);
        }
    }

    /// The planner's village files: arbitrary GeoJSON-shaped documents and CSV rows.
    #[test]
    fn village_files(doc in geojsonish(), csv in "[0-9,.\\-\na-z中]{0,200}") {
        let dir = std::env::temp_dir().join(format!("xz_fuzz_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let opts = xiangzhi_alliances::files::ReadOptions::default();
        for (name, text) in [("v.geojson", doc.to_string()), ("v.csv", csv)] {
            let path = dir.join(format!("{}-{name}", rand_tag()));
            std::fs::write(&path, text).unwrap();
            if let Err(e) = xiangzhi_alliances::files::read_villages(&path, &opts) {
                explained(&e);
            }
            std::fs::remove_file(&path).ok();
        }
    }
}

fn rand_tag() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::SeqCst)
}

fn workbook() -> &'static [u8] {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| {
        std::fs::read(crate::helpers::workspace_root().join("tests/economy/ledger.xlsx")).unwrap()
    })
}

/// Documents shaped like a FeatureCollection of villages, with every part liable to be wrong.
fn geojsonish() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::json;
    let number = prop_oneof![
        (-200.0f64..200.0).prop_map(|f| json!(f)),
        Just(json!(null)),
        Just(json!("35.9")),
        Just(json!(1e308)),
    ];
    let point = proptest::collection::vec(number, 0..4);
    let ring = proptest::collection::vec(point.clone(), 0..6);
    let geometry = prop_oneof![
        point
            .clone()
            .prop_map(|p| json!({"type": "Point", "coordinates": p})),
        proptest::collection::vec(ring.clone(), 0..3)
            .prop_map(|r| json!({"type": "Polygon", "coordinates": r})),
        ring.prop_map(|r| json!({"type": "MultiPolygon", "coordinates": [[r]]})),
        Just(json!(null)),
        Just(json!({"type": "Bogus"})),
    ];
    let props = (
        prop_oneof!["1410291[0-9]{5}", "[0-9]{0,14}", Just(String::new())],
        "[a-z中文]{0,6}",
        prop_oneof![
            Just(json!(1200)),
            Just(json!(-5)),
            Just(json!("很多")),
            Just(json!(null))
        ],
    )
        .prop_map(|(code, name, pop)| json!({"code": code, "name": name, "population": pop}));
    proptest::collection::vec((geometry, props), 0..6).prop_map(|fs| {
        json!({"type": "FeatureCollection", "features": fs.into_iter().map(|(g, p)| json!({
            "type": "Feature", "geometry": g, "properties": p})).collect::<Vec<_>>()})
    })
}

/// Open311 submissions with every field arbitrary, through the whole application: answered 201
/// or refused with a problem naming a field or an Open311 error list — never 500.
#[test]
fn open311_submissions() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (t, app, key) = rt.block_on(async {
        let t = TestDb::new(Backend::Sqlite).await.unwrap();
        let admin = crate::api::Client::new(&t).await;
        crate::api::seed_tree(&admin).await;
        let u = crate::api::add_user(&t, "open311_fuzz", "village_secretary", "141029100001").await;
        let (_, key) =
            t.db.create_api_token(&crate::helpers::tester(), u.id, "open311")
                .await
                .unwrap();
        let app = xiangzhi::app(xiangzhi_web::AppState::new(t.db.clone()));
        (t, app, key)
    });
    let field = prop_oneof![
        any::<String>(),
        "[0-9.\\-]{0,12}",
        "[a-z_]{0,10}",
        Just("road".to_string()),
        Just("35.9712".to_string()),
        Just(String::new()),
    ];
    let form = proptest::collection::vec(
        (
            prop_oneof![
                Just("service_code"),
                Just("lat"),
                Just("long"),
                Just("address_string"),
                Just("description"),
                Just("first_name"),
                Just("phone"),
                Just("email"),
                Just("device_id"),
                Just("jurisdiction_id"),
                Just("media_url"),
            ],
            field,
        ),
        0..9,
    );
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 150,
        ..ProptestConfig::default()
    });
    runner
        .run(&form, |fields| {
            let mut body = format!("api_key={key}");
            for (k, v) in &fields {
                body.push_str(&format!("&{k}={}", crate::economy::urlencoding(v)));
            }
            let (status, _, text) = rt.block_on(crate::security::send(
                &app,
                "POST",
                "/open311/v2/requests.json",
                &[],
                Some(("application/x-www-form-urlencoded", body.into_bytes())),
                "10.77.0.1",
            ));
            prop_assert!(status.as_u16() < 500, "{status}: {text}");
            if !status.is_success() {
                prop_assert!(
                    text.contains("description") || text.contains("errors"),
                    "{status}: {text}"
                );
            }
            Ok(())
        })
        .unwrap();
    rt.block_on(t.finish());
}

/// A cell a clerk, a spreadsheet or an attacker might put anywhere.
fn hostile_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        near_identifier(),
        Just(String::new()),
        Just("<script>alert(1)</script>".to_string()),
        Just("a\0b".to_string()),
        Just("=1+1".to_string()),
        Just("2026-13-45".to_string()),
        Just("１２３４５".to_string()),
        Just("-5".to_string()),
        Just("1.5e9".to_string()),
        Just("是".to_string()),
        Just("x".repeat(100_000)),
        "[\\p{Han}a-z0-9 ,.]{0,30}",
        any::<String>(),
    ]
}

/// One CSV line, every cell quoted.
fn csv_line(cells: &[String]) -> String {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
        .collect();
    quoted.join(",") + "\n"
}

/// What a refused import may have changed: every table's rows and versions.
async fn fingerprint(db: &xiangzhi_storage::Db) -> Vec<(String, i64, i64)> {
    let mut out = Vec::new();
    for t in xiangzhi::tables() {
        if t.name.starts_with("audit_") || matches!(t.name, "import_jobs" | "worker_leases") {
            continue;
        }
        let version = if t.columns.iter().any(|(c, _)| *c == "version") {
            "CAST(COALESCE(SUM(version), 0) AS BIGINT)"
        } else {
            "0"
        };
        let (n, v): (i64, i64) = db
            .one(&xiangzhi_storage::sql::Q::new(&format!(
                "SELECT CAST(COUNT(*) AS BIGINT), {version} FROM {}",
                t.name
            )))
            .await
            .unwrap();
        out.push((t.name.to_string(), n, v));
    }
    out
}

/// Every layout of every feature, past the reader: the demo county's own export, with cells
/// replaced by hostile or near-valid values, is imported or refused in words (a row and column,
/// or the file as a whole, in Chinese and English; never a database error), and a refused file
/// changes nothing.
#[test]
fn layout_rows_are_checked() {
    use proptest::strategy::ValueTree;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let t = TestDb::new(Backend::Sqlite).await.unwrap();
        xiangzhi::demo(&t.db, 3, |_| {}).await.unwrap();
        let dir = std::env::temp_dir().join(format!("xz_fuzz_layouts_{}", rand_tag()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let everything = xiangzhi_storage::Scope::everything();
        let mut tried = 0;
        for layout in xiangzhi::FEATURES.iter().flat_map(|f| f.layouts.iter()) {
            let file = dir.join(format!("{}.csv", layout.name));
            if (layout.export)(&t.db, &everything, &file, None, true)
                .await
                .is_err()
            {
                continue; // a layout with nothing to export in the demo county
            }
            let table = xiangzhi_tabular::table::read_bytes("x.csv", std::fs::read(&file).unwrap())
                .unwrap();
            let rows: Vec<Vec<String>> = table.rows.into_iter().take(40).collect();
            if rows.is_empty() {
                continue;
            }
            let width = table.headers.len();
            let changes =
                proptest::collection::vec((0..rows.len(), 0..width, hostile_cell()), 1..4);
            for _ in 0..6 {
                let mut rows = rows.clone();
                for (r, c, v) in changes.new_tree(&mut runner).unwrap().current() {
                    if let Some(cell) = rows[r].get_mut(c) {
                        *cell = v;
                    }
                }
                let mut text = csv_line(&table.headers);
                for r in &rows {
                    text.push_str(&csv_line(r));
                }
                let bad = dir.join(format!("{}.bad.csv", layout.name));
                std::fs::write(&bad, text).unwrap();
                let before = fingerprint(&t.db).await;
                let result =
                    (layout.import)(&t.db, &everything, &bad, None, &xiangzhi_tabular::Quiet).await;
                tried += 1;
                match result {
                    Ok(_) => {}
                    Err(ExchangeError::Rows { errors, total }) => {
                        assert!(total > 0 && !errors.is_empty(), "{}", layout.name);
                        for e in &errors {
                            assert!(e.row >= 2, "{}: {e}", layout.name);
                            assert!(!e.zh.is_empty() && !e.en.is_empty(), "{}: {e}", layout.name);
                        }
                        assert_eq!(
                            before,
                            fingerprint(&t.db).await,
                            "{}: half-written",
                            layout.name
                        );
                    }
                    Err(e @ ExchangeError::Format { .. }) => {
                        explained(&e);
                        assert_eq!(
                            before,
                            fingerprint(&t.db).await,
                            "{}: half-written",
                            layout.name
                        );
                    }
                    Err(ExchangeError::Store(
                        e @ (xiangzhi_storage::StoreError::Invalid(_)
                        | xiangzhi_storage::StoreError::Conflict(_)
                        | xiangzhi_storage::StoreError::Forbidden(_)),
                    )) => {
                        assert!(!e.to_string().is_empty());
                        assert_eq!(
                            before,
                            fingerprint(&t.db).await,
                            "{}: half-written",
                            layout.name
                        );
                    }
                    Err(e) => panic!("{}: refused without words: {e:?}", layout.name),
                }
            }
        }
        assert!(tried >= 6 * 8, "{tried} files tried");
        std::fs::remove_dir_all(&dir).ok();
        t.finish().await;
    });
}
