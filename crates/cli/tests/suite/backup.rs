//! `xiangzhi backup` and `xiangzhi restore` as an operator runs them: a copy taken from a live
//! database, restored into a new one, holds every row, its sealed data opens with the key, and its
//! audit chain is whole; nothing is overwritten; another key cannot open the restored copy.

use crate::helpers::{Backend, TestDb, TEST_DATA_KEY};
use std::process::{Command, Output};

fn xiangzhi(url: &str, args: &[&str], key: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xiangzhi"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env("XIANGZHI_DATA_KEY", key)
        .output()
        .unwrap()
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

async fn backup_restore(t: &TestDb) {
    let v = crate::console::seed_village(t).await;
    let dir = std::env::temp_dir().join(format!("xz_backup_{}_{}", std::process::id(), t.tag()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("xiangzhi.backup");
    let file_s = file.to_str().unwrap();
    let b = xiangzhi(&t.url(), &["backup", file_s], TEST_DATA_KEY);
    if t.db.is_citus().await.unwrap() {
        assert!(
            !b.status.success() && said(&b).contains("Citus"),
            "{}",
            said(&b)
        );
        std::fs::remove_dir_all(&dir).ok();
        return;
    }
    assert!(b.status.success(), "{}", said(&b));
    assert!(said(&b).contains("哈希链完好"), "{}", said(&b));
    // Never over an existing file.
    let again = xiangzhi(&t.url(), &["backup", file_s], TEST_DATA_KEY);
    assert!(
        !again.status.success() && said(&again).contains("不会覆盖"),
        "{}",
        said(&again)
    );
    let before = t.db.inventory(&xiangzhi::tables()).await.unwrap();
    // Restore into a new database.
    let (target, wrong_target, drop_after) = if t.db.backend_name() == "sqlite" {
        (
            format!("sqlite://{}", dir.join("restored.db").display()),
            format!("sqlite://{}", dir.join("wrong-key.db").display()),
            Vec::new(),
        )
    } else {
        use sqlx::Connection;
        let admin = crate::helpers::pg_admin_url();
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        let base = admin.rsplit_once('/').unwrap().0.to_string();
        let mut made = Vec::new();
        for tag in ["r", "w"] {
            let name = format!("xz_restore_{tag}_{}", std::process::id());
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name}"
            )))
            .execute(&mut conn)
            .await
            .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .unwrap();
            made.push(name);
        }
        (
            format!("{base}/{}", made[0]),
            format!("{base}/{}", made[1]),
            made,
        )
    };
    let r = xiangzhi(&target, &["restore", file_s], TEST_DATA_KEY);
    assert!(r.status.success(), "{}", said(&r));
    let restored = xiangzhi_storage::Db::connect(&target).await.unwrap();
    let after = restored.inventory(&xiangzhi::tables()).await.unwrap();
    for ((table, n), (table2, m)) in before.rows.iter().zip(&after.rows) {
        assert_eq!(table, table2);
        if !table.starts_with("audit_") {
            assert_eq!(n, m, "{table} restored whole");
        }
    }
    assert!(
        after.audit_entries > before.audit_entries,
        "the backup and the restore are in the chain"
    );
    // Sealed data opens with the key.
    let (sealed,): (String,) = restored
        .one(&xiangzhi_storage::sql::Q::with(
            "SELECT id_number FROM residents WHERE id = ?",
            vec![v.resident.into()],
        ))
        .await
        .unwrap();
    let plain = xiangzhi_storage::crypto::keyring()
        .unwrap()
        .open("id_number", &sealed)
        .unwrap();
    assert_eq!(plain, crate::api::id_number(100));
    restored.close().await;
    // Never over a database that holds one.
    let over = xiangzhi(&target, &["restore", file_s], TEST_DATA_KEY);
    assert!(!over.status.success(), "{}", said(&over));
    // Another key cannot open it.
    let other_key = "00".repeat(32);
    let w = xiangzhi(&wrong_target, &["restore", file_s], &other_key);
    assert!(
        !w.status.success() && said(&w).contains("数据密钥"),
        "{}",
        said(&w)
    );
    if !drop_after.is_empty() {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&crate::helpers::pg_admin_url())
            .await
            .unwrap();
        for name in drop_after {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await
            .unwrap();
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}
crate::on_both!(backup_and_restore, backup_restore);

/// The copy is taken while the server writes: writers go on during it, and the copy is one
/// moment's database (its audit chain whole).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_online_backup_while_writing() {
    let t = TestDb::new(Backend::Sqlite).await.unwrap();
    crate::console::seed_village(&t).await;
    let dir = std::env::temp_dir().join(format!("xz_online_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let writer = {
        let db = t.db.clone();
        tokio::spawn(async move {
            let by = xiangzhi_storage::Actor::system("probe");
            for i in 0..200 {
                db.audit(&by.entry("probe", format!("write {i}")))
                    .await
                    .unwrap();
            }
        })
    };
    let copy = dir.join("online.db");
    t.db.backup_sqlite(&copy, &xiangzhi_storage::Actor::command("backup"))
        .await
        .unwrap();
    writer.await.unwrap();
    let c = xiangzhi_storage::Db::connect(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    let inv = c.inventory(&xiangzhi::tables()).await.unwrap();
    assert!(inv.audit_entries > 0);
    c.close().await;
    std::fs::remove_dir_all(&dir).ok();
    t.finish().await;
}
