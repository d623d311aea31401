//! `xiangzhi audit`: verify the keyed chain and kept checkpoints, sign checkpoints, prune.

use crate::config::Config;
use anyhow::Context;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum AuditAction {
    /// 校验哈希链 / verify the keyed hash chain and the signed checkpoints; exits 1 and names the
    /// entry if it was tampered with
    Verify {
        /// 另行保存的检查点文件（JSON 每行一个）/ checkpoints kept apart (JSON lines, as `audit
        /// checkpoint --out` writes them); also catches a log rewritten with the key or cut short
        #[arg(long)]
        checkpoints: Option<PathBuf>,
    },
    /// 签发检查点 / sign a checkpoint of the newest entry and print it (or append it to --out)
    Checkpoint {
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 清理超过保留期的记录 / delete entries older than audit_retention_days (at least 183)
    Prune,
}

/// One checkpoint as a JSON line, with the public key that checks it.
pub fn checkpoint_line(c: &xiangzhi_storage::audit::Checkpoint) -> anyhow::Result<String> {
    let key = xiangzhi_storage::crypto::keyring()?.checkpoint_public_key();
    Ok(c.to_line(&key)?)
}

pub fn append_line(f: &std::path::Path, line: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(f)
        .with_context(|| format!("无法写入检查点文件 / cannot write {}", f.display()))?;
    writeln!(file, "{line}")?;
    Ok(())
}

/// Reads checkpoints kept apart (JSON lines).
pub fn read_checkpoints(
    f: &std::path::Path,
) -> anyhow::Result<Vec<xiangzhi_storage::audit::Checkpoint>> {
    let text = std::fs::read_to_string(f)
        .with_context(|| format!("无法读取检查点文件 / cannot read {}", f.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).with_context(|| {
                format!(
                    "检查点文件第{}行有误 / line {} of {} is not a checkpoint",
                    i + 1,
                    i + 1,
                    f.display()
                )
            })
        })
        .collect()
}

pub async fn run(action: AuditAction, cfg: &Config) -> anyhow::Result<()> {
    let db = xiangzhi::open(&cfg.database_url).await?;
    match action {
        AuditAction::Prune => {
            let n = db
                .audit_prune(
                    &xiangzhi_storage::Actor::command("audit prune"),
                    cfg.audit_retention_days,
                    xiangzhi_storage::now_ms(),
                )
                .await?;
            println!(
                "已清理 / pruned {n} 条超过{}天的记录 entries older than {} days",
                cfg.audit_retention_days, cfg.audit_retention_days
            );
            Ok(())
        }
        AuditAction::Verify { checkpoints } => {
            // What was written moments ago is linked first (the server's linker does it anyway).
            db.audit_link().await?;
            let v = db.audit_verify().await?;
            let kept = match &checkpoints {
                Some(f) => Some(read_checkpoints(f)?),
                None => None,
            };
            let problems = db.audit_check_checkpoints(kept.as_deref()).await?;
            let mut bad = false;
            for c in &v.chains {
                let name = if c.county_id == 0 {
                    "系统 / system".to_string()
                } else {
                    format!("县 / county {}", c.county_id)
                };
                let last = match (c.last_id, c.last_at) {
                    (Some(id), Some(at)) => format!(
                        "最后链入第{} 条（编号 {id}，{}）/ last linked entry {} (id {id}, {})",
                        c.last_seq,
                        xiangzhi_domain::china_time::format_ms(at),
                        c.last_seq,
                        xiangzhi_domain::china_time::format_ms(at)
                    ),
                    _ => "尚无链入记录 / nothing linked yet".into(),
                };
                println!(
                    "{name}: {} 条 entries; {last}; 待链入 / unlinked {}",
                    c.entries, c.unlinked
                );
            }
            match v.problem {
                None => println!(
                    "审计日志哈希链完好 / audit chains intact: {} 条链 chains, {} 条 entries",
                    v.chains.len(),
                    v.entries
                ),
                Some(p) => {
                    bad = true;
                    eprintln!("审计日志被篡改 / audit log tampered with: {p}");
                }
            }
            for p in &problems {
                bad = true;
                eprintln!("检查点 checkpoint {}:{}: {}", p.county_id, p.seq, p.problem);
            }
            if bad {
                std::process::exit(1);
            }
            println!(
                "检查点一致 / checkpoints match: {} 个",
                kept.map(|k| k.len())
                    .unwrap_or(db.audit_checkpoints(1000).await?.len())
            );
            Ok(())
        }
        AuditAction::Checkpoint { out } => {
            db.audit_link().await?;
            let signed = db.audit_checkpoint(xiangzhi_storage::now_ms()).await?;
            for (c, _) in &signed {
                let line = checkpoint_line(c)?;
                match &out {
                    Some(f) => {
                        append_line(f, &line)?;
                        println!(
                            "检查点已写入 / checkpoint {}:{} appended to {}",
                            c.county_id,
                            c.seq,
                            f.display()
                        );
                    }
                    None => println!("{line}"),
                }
            }
            Ok(())
        }
    }
}
