//! `xiangzhi backup FILE` and `xiangzhi restore FILE`.
//!
//! SQLite: the backup is an online, consistent copy (`VACUUM INTO`) taken while the server runs;
//! the restore copies it to the configured path, which must not hold a database yet. PostgreSQL:
//! `pg_dump --format=custom` and `pg_restore` into an empty database (both from the
//! `postgresql-client` package). Either way the result is opened with the data key and checked:
//! every table counted, the audit chain walked. The data key is not in the backup: keep it apart.

use anyhow::{bail, Context};
use std::path::Path;
use std::process::Command;
use xiangzhi_storage::{Actor, Db};

fn sqlite_path(url: &str) -> Option<&str> {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|p| p.split('?').next().unwrap_or(p))
}

fn report(what: &str, inv: &xiangzhi_storage::backup::Inventory) {
    let rows: i64 = inv.rows.iter().map(|(_, n)| n).sum();
    let tables = inv.rows.iter().filter(|(_, n)| *n > 0).count();
    println!(
        "{what}：{} 张表中 {tables} 张有数据，共 {rows} 行；审计日志 {} 条，哈希链完好 / {what}: {rows} rows in {tables} of {} tables; audit chain intact ({} entries)",
        inv.rows.len(),
        inv.audit_entries,
        inv.rows.len(),
        inv.audit_entries
    );
}

fn tool(name: &str, args: &[&str]) -> anyhow::Result<()> {
    let out = Command::new(name).args(args).output().with_context(|| {
        format!(
            "找不到 {name}，请安装 postgresql-client / {name} not found: install postgresql-client"
        )
    })?;
    if !out.status.success() {
        bail!(
            "{name} 失败 / {name} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

async fn refuse_citus(db: &Db) -> anyhow::Result<()> {
    if db.is_citus().await? {
        bail!(
            "Citus 集群请按节点备份（每个节点 pg_dump，或存储快照）/ back a Citus cluster up node by node (pg_dump of each node, or storage snapshots)"
        );
    }
    Ok(())
}

pub async fn backup(url: &str, file: &Path) -> anyhow::Result<()> {
    let by = Actor::command("backup");
    if sqlite_path(url).is_some() {
        let db = xiangzhi::open(url).await?;
        db.backup_sqlite(file, &by).await?;
        db.close().await;
        let copy = Db::connect_with_cache(&format!("sqlite://{}", file.display()), 8_192).await?;
        let inv = copy.inventory(&xiangzhi::tables()).await?;
        copy.close().await;
        report(&format!("已备份到 {}", file.display()), &inv);
        return Ok(());
    }
    let db = xiangzhi::open(url).await?;
    refuse_citus(&db).await?;
    let target = db.audit_backup(file, &by).await?;
    tool(
        "pg_dump",
        &["--format=custom", "--no-owner", "--file", target, url],
    )?;
    tool("pg_restore", &["--list", target])?;
    let inv = db.inventory(&xiangzhi::tables()).await?;
    report(&format!("已备份到 {}", file.display()), &inv);
    Ok(())
}

pub async fn restore(url: &str, file: &Path) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!(
            "找不到备份文件 {} / no backup at {}",
            file.display(),
            file.display()
        );
    }
    let by = Actor::command("restore");
    let source = file.display().to_string();
    if let Some(path) = sqlite_path(url) {
        let target = Path::new(path);
        if target.exists() && std::fs::metadata(target)?.len() > 0 {
            bail!(
                "目标数据库 {path} 已存在，恢复不会覆盖；请指定新的数据库地址 / {path} exists; a restore never overwrites a database: name a new one"
            );
        }
        let partial = target.with_extension("restoring");
        std::fs::copy(file, &partial)
            .with_context(|| format!("无法写入 / cannot write {}", partial.display()))?;
        std::fs::rename(&partial, target)?;
    } else {
        let (tables, citus) = xiangzhi_storage::backup::pg_target_state(url).await?;
        if citus {
            bail!("Citus 集群请按节点恢复 / restore a Citus cluster node by node");
        }
        if tables > 0 {
            bail!(
                "目标数据库不是空的（已有 {tables} 张表），恢复不会覆盖；请新建空数据库 / the target database is not empty ({tables} tables); restore into a new, empty one"
            );
        }
        tool(
            "pg_restore",
            &["--no-owner", "--exit-on-error", "--dbname", url, &source],
        )?;
    }
    let db = xiangzhi::open(url).await?;
    let inv = db.inventory(&xiangzhi::tables()).await?;
    db.audit(&by.entry("restore", format!("database from {source}")))
        .await?;
    by.mark_audited();
    report(&format!("已从 {source} 恢复"), &inv);
    Ok(())
}
