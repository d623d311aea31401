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
    for backend in [Backend::Sqlite, Backend::Postgres] {
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
