//! Both backends end up with the same tables and columns.

use crate::helpers::{Backend, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_have_the_same_schema() {
    let s = TestDb::new(Backend::Sqlite).await.unwrap();
    let Some(p) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let a = s.db.schema().await.unwrap();
    let b = p.db.schema().await.unwrap();
    assert!(a.len() >= 12, "expected the registry tables, got {a:?}");
    assert_eq!(a, b);
    s.finish().await;
    p.finish().await;
}
