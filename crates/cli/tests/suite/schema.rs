//! Both backends end up with the tables, columns and types that the platform's catalogue and
//! the features' own lists (composed by `xiangzhi::tables`) name.

use crate::helpers::{Backend, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_match_the_catalogue() {
    let mut expected: Vec<(String, String, Option<xiangzhi_storage::tables::Kind>)> =
        xiangzhi::tables()
            .into_iter()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .map(|(c, k)| (t.name.to_string(), c.to_string(), Some(*k)))
            })
            .collect();
    expected.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    for backend in [Backend::Sqlite, Backend::Postgres, Backend::Citus] {
        let Some(t) = TestDb::new(backend).await else {
            continue;
        };
        let got = t.db.schema().await.unwrap();
        let missing: Vec<_> = expected.iter().filter(|e| !got.contains(e)).collect();
        let extra: Vec<_> = got.iter().filter(|g| !expected.contains(g)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{backend:?} differs from the catalogue: not in the database {missing:?}; not in the catalogue {extra:?}"
        );
        t.finish().await;
    }
}

/// On Citus every county-owned table of the catalogue is distributed by `county_id` in one
/// co-location group and every other table is a reference table; a county's query, even a join
/// of several tables, runs as one task on one shard; a second `distribute` changes nothing; and
/// a county's figures across shards still add up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citus_distributes_by_county() {
    use xiangzhi_storage::tables::Owner;
    let Some(t) = TestDb::new(Backend::Citus).await else {
        return;
    };
    let tables = xiangzhi::tables();
    let url = t.url();
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let dist: Vec<(String, String, i32)> = sqlx::query_as(
        "SELECT logicalrelid::regclass::text, partmethod::text, colocationid FROM pg_dist_partition",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut groups = std::collections::BTreeSet::new();
    for table in &tables {
        let found = dist
            .iter()
            .find(|(n, _, _)| n == table.name)
            .unwrap_or_else(|| panic!("{} is not known to Citus", table.name));
        match table.owner {
            Owner::County => {
                assert_eq!(found.1, "h", "{} is distributed by hash", table.name);
                let (column,): (String,) = sqlx::query_as(
                    "SELECT column_to_column_name(logicalrelid, partkey) FROM pg_dist_partition \
                     WHERE logicalrelid = $1::regclass",
                )
                .bind(table.name)
                .fetch_one(&pool)
                .await
                .unwrap();
                assert_eq!(column, "county_id", "{}", table.name);
                groups.insert(found.2);
            }
            Owner::Reference | Owner::Global => {
                assert_eq!(found.1, "n", "{} is a reference table", table.name)
            }
        }
    }
    assert_eq!(groups.len(), 1, "all county tables are co-located");
    let again = t.db.distribute(&tables).await.unwrap();
    assert_eq!(
        (again.by_county.len(), again.reference.len(), again.already),
        (0, 0, tables.len())
    );
    // A county's households with their residents: one task, on the county's shard.
    let mut conn = pool.acquire().await.unwrap();
    let plan: Vec<(String,)> = sqlx::query_as(
        "EXPLAIN SELECT h.number, COUNT(r.id) FROM households h JOIN residents r \
         ON r.county_id = h.county_id AND r.household_id = h.id WHERE h.county_id = 141029 GROUP BY h.number",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let plan: String = plan.into_iter().map(|(l,)| l + "\n").collect();
    assert!(plan.contains("Task Count: 1"), "{plan}");
    // Several counties' figures: every shard, one answer.
    let plan: Vec<(String,)> =
        sqlx::query_as("EXPLAIN SELECT county_id, COUNT(*) FROM cases GROUP BY county_id")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    let plan: String = plan.into_iter().map(|(l,)| l + "\n").collect();
    assert!(
        plan.contains("Task Count: ") && !plan.contains("Task Count: 1\n"),
        "{plan}"
    );
    // What every write appends, its audit entry, goes to its county's shard alone; what every
    // request reads, its session or token, is read on one node.
    for sql in [
        "EXPLAIN INSERT INTO audit_log (county_id, at, user_id, login, action, object, outcome, source, detail) \
         VALUES (141029, 0, NULL, 'x', 'x', 'x', 'ok', 'x', '')",
        "EXPLAIN SELECT user_id, last_seen FROM sessions WHERE token_hash = 'x'",
        "EXPLAIN SELECT user_id FROM api_tokens WHERE token_hash = 'x' AND revoked_at IS NULL",
    ] {
        let plan: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&mut *conn).await.unwrap();
        let plan: String = plan.into_iter().map(|(l,)| l + "\n").collect();
        assert!(plan.contains("Task Count: 1\n"), "{sql}: {plan}");
    }
    drop(conn);
    pool.close().await;
    t.finish().await;
}

/// One row of the bulk probe: every kind of value a bulk insert carries.
type Probe = (
    i64,
    String,
    Option<String>,
    Option<chrono::NaiveDate>,
    bool,
    Vec<u8>,
    Option<f64>,
);

/// A bulk insert keeps every value as given, whatever it holds: on PostgreSQL a large one (20,000
/// rows and more) goes
/// through `COPY`, whose text format must escape tabs, newlines, backslashes and `\N` in text.
async fn bulk_values(t: &TestDb) {
    use chrono::NaiveDate;
    use xiangzhi_storage::{Bookkeeping, Value};
    let ddl = if t.db.backend_name() == "postgres" {
        "CREATE TABLE bulk_probe (id BIGINT PRIMARY KEY, t TEXT NOT NULL, o TEXT, d DATE, b BOOLEAN NOT NULL, \
         x BYTEA NOT NULL, f DOUBLE PRECISION)"
    } else {
        "CREATE TABLE bulk_probe (id BIGINT PRIMARY KEY, t TEXT NOT NULL, o TEXT, d DATE, b INTEGER NOT NULL, \
         x BLOB NOT NULL, f REAL)"
    };
    t.db.execute_for_tests(ddl).await.unwrap();
    let hostile = [
        "a\tb",
        "line\nbreak",
        "back\\slash",
        "\\N",
        "cr\rlf",
        "\\.",
        "<b>粗</b>",
        "",
        " 空格 ",
    ];
    for n in [7usize, 20_005] {
        let rows: Vec<Probe> = (0..n)
            .map(|i| {
                let s = format!("{}{i}", hostile[i % hostile.len()]);
                (
                    (n * 100_000 + i) as i64,
                    s.clone(),
                    (i % 3 != 0).then(|| format!("\\{s}\t")),
                    (i % 4 != 0)
                        .then(|| NaiveDate::from_ymd_opt(2026, 1 + (i % 12) as u32, 28).unwrap()),
                    i % 2 == 0,
                    vec![0, 9, 10, 92, 255, (i % 256) as u8],
                    (i % 5 != 0).then_some(i as f64 / 8.0 - 10.5),
                )
            })
            .collect();
        let mut tx = t.db.begin().await.unwrap();
        tx.bookkeeping(Bookkeeping::BenchmarkOrTest);
        tx.bulk_insert(
            "bulk_probe",
            &["id", "t", "o", "d", "b", "x", "f"],
            rows.iter()
                .map(|r| {
                    vec![
                        Value::I64(r.0),
                        Value::Text(r.1.clone()),
                        Value::OptText(r.2.clone()),
                        Value::OptDate(r.3),
                        Value::Bool(r.4),
                        Value::Bytes(r.5.clone()),
                        Value::OptF64(r.6),
                    ]
                })
                .collect(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let back: Vec<Probe> =
            t.db.all(&xiangzhi_storage::sql::Q::with(
                "SELECT id, t, o, d, b, x, f FROM bulk_probe WHERE id >= ? AND id < ? ORDER BY id",
                vec![
                    ((n * 100_000) as i64).into(),
                    ((n * 100_000 + n) as i64).into(),
                ],
            ))
            .await
            .unwrap();
        assert_eq!(back, rows, "{n} rows");
    }
}
crate::on_both!(bulk_insert_keeps_every_value, bulk_values);
