//! Backups: an online, consistent copy of an SQLite database (`VACUUM INTO`, which reads one
//! snapshot while the server goes on writing), and the checks a restored database is held to:
//! every table's rows counted, the data key the one it was sealed with, the audit chain whole.
//! PostgreSQL is copied with its own tools (`pg_dump`, `pg_restore`); the command line drives them.

use crate::db::Backend;
use crate::tables::Table;
use crate::{Actor, Db, Result, StoreError};
use std::path::Path;

/// A database as a restore finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inventory {
    /// Every table of the catalogue with its rows.
    pub rows: Vec<(&'static str, i64)>,
    /// Audit entries in the chain, all verified.
    pub audit_entries: i64,
}

impl Db {
    /// Copies this SQLite database to `dest` as it is at one moment, while writers go on; the
    /// copy is compacted and complete in itself (no write-ahead log beside it). The backup is
    /// audited first, so the copy holds its own entry. `dest` must not exist.
    pub async fn backup_sqlite(&self, dest: &Path, by: &Actor) -> Result<()> {
        let Backend::Sqlite(p) = &self.inner else {
            return Err(StoreError::invalid(
                "database_url",
                "PostgreSQL 数据库请用 pg_dump 备份",
                "back a PostgreSQL database up with pg_dump",
            ));
        };
        let to = self.audit_backup(dest, by).await?;
        sqlx::query("VACUUM INTO ?").bind(to).execute(p).await?;
        Ok(())
    }

    /// Before any backup: refuses a `dest` that exists (a backup never overwrites a file) or
    /// is not UTF-8, and audits the backup by `by`, so the copy holds its own entry. Answers
    /// the path as text for the copying tool.
    pub async fn audit_backup<'p>(&self, dest: &'p Path, by: &Actor) -> Result<&'p str> {
        if dest.exists() {
            return Err(StoreError::invalid(
                "file",
                format!("备份文件 {} 已存在，不会覆盖", dest.display()),
                format!(
                    "{} exists; a backup never overwrites a file",
                    dest.display()
                ),
            ));
        }
        let to = dest.to_str().ok_or_else(|| {
            StoreError::invalid(
                "file",
                "备份文件路径应为 UTF-8",
                "the backup's path must be UTF-8",
            )
        })?;
        self.audit(&by.entry("backup", format!("database to {to}")))
            .await?;
        by.mark_audited();
        Ok(to)
    }

    /// Links the audit entries written last, then counts every table's rows and walks every
    /// audit chain: what a restored database is checked with. The chain's keyed hashes need the data key the database was sealed with (checked when
    /// it was opened), so a restore with another key fails before this.
    pub async fn inventory(&self, tables: &[&'static Table]) -> Result<Inventory> {
        self.audit_link().await?;
        let mut rows = Vec::with_capacity(tables.len());
        for t in tables {
            // Table names come from the catalogue, never from input.
            let (n,): (i64,) = self
                .one(&crate::sql::Q::new(&format!(
                    "SELECT CAST(COUNT(*) AS BIGINT) FROM {}",
                    t.name
                )))
                .await?;
            rows.push((t.name, n));
        }
        let v = self.audit_verify().await?;
        if let Some(p) = v.problem {
            return Err(StoreError::invalid(
                "audit_log",
                format!("审计日志有误：{p}"),
                format!("the audit log is broken: {p}"),
            ));
        }
        Ok(Inventory {
            rows,
            audit_entries: v.entries,
        })
    }
}

/// Of the PostgreSQL database at `url`, without migrating it: how many tables its `public`
/// schema holds and whether it is a Citus node (a restore goes only into an empty, plain one).
pub async fn pg_target_state(url: &str) -> Result<(i64, bool)> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let (tables,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(&mut conn)
    .await?;
    let (citus,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM pg_extension WHERE extname = 'citus'")
            .fetch_one(&mut conn)
            .await?;
    conn.close().await?;
    Ok((tables, citus > 0))
}
