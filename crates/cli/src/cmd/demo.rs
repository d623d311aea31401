//! `xiangzhi demo`: builds the demo county (乡宁县) with one account per role, then serves it.

use anyhow::Context;
use std::path::PathBuf;
use xiangzhi_storage::Db;

/// Builds the demo county: by default in the SQLite file `file`, rebuilt from scratch; with
/// `--database-url`, in that database instead (a SQLite file is rebuilt; a PostgreSQL database
/// must be empty, so a demo never overwrites real data).
pub async fn build_demo(
    file: &std::path::Path,
    url: Option<&str>,
    seed: u64,
) -> anyhow::Result<Db> {
    let sqlite_file = match url {
        None => Some(file.to_path_buf()),
        Some(u) => u.strip_prefix("sqlite://").map(PathBuf::from),
    };
    if let Some(file) = &sqlite_file {
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", file.display()));
            if p.exists() {
                std::fs::remove_file(&p).with_context(|| {
                    format!("无法删除旧的示范库 / cannot remove {}", p.display())
                })?;
            }
        }
    }
    let (db, shown) = match (sqlite_file, url) {
        (Some(f), _) => (
            Db::connect(&format!("sqlite://{}", f.display())).await?,
            f.display().to_string(),
        ),
        (None, u) => {
            let u = u.unwrap_or_default();
            let db = xiangzhi::open(u).await?;
            if db.holds_data().await? {
                anyhow::bail!(
                    "该数据库已有数据，示范县只建在空库中 / the database already holds data; the demo county is built only in an empty database"
                );
            }
            (db, redact(u))
        }
    };
    let file = shown;
    let bar = indicatif::ProgressBar::new_spinner();
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let started = std::time::Instant::now();
    // Each account's password: the one asked for, or a new random one, printed below.
    let chosen = std::env::var("XIANGZHI_DEMO_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    let mut given: Vec<(String, String)> = Vec::new();
    let mut password = |login: &str| {
        let p = chosen.clone().unwrap_or_else(xiangzhi::random_password);
        given.push((login.to_string(), p.clone()));
        p
    };
    let (s, lines, accounts) = xiangzhi::demo_with(
        &db,
        seed,
        |step| bar.set_message(format!("生成示范县 building demo county: {step}")),
        &mut password,
    )
    .await?;
    bar.finish_and_clear();
    println!(
        "示范县已生成 / demo county built in {:.1}s: {} (seed {seed})",
        started.elapsed().as_secs_f64(),
        file
    );
    println!(
        "  乡镇 townships {}, 村(社区) villages {}, 村民小组 groups {}",
        s.townships, s.villages, s.groups
    );
    println!(
        "  网格 grids: 村(社) village {}, 组 group {}, 微网格 micro {}",
        s.village_grids, s.group_grids, s.micro_grids
    );
    println!(
        "  网格员 grid staff {}, 户 households {}, 居民 residents {}",
        s.staff, s.households, s.residents
    );
    for line in lines {
        println!("  {line}");
    }
    println!("  演示账号 / demo accounts (one per role, and an officer for each other township):");
    for u in accounts {
        let password = given
            .iter()
            .find(|(l, _)| *l == u.login)
            .map(|(_, p)| p.as_str())
            .unwrap_or_default();
        println!(
            "    {:<10} {:<18} {:<14} 密码 password: {password}",
            u.login,
            u.role.zh(),
            u.division_code
        );
    }
    Ok(db)
}

/// A database URL with any password left out, for printing.
pub fn redact(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, rest)), Some(_)) => match rest.split_once('@') {
            Some((user, host)) => {
                let user = user.split(':').next().unwrap_or(user);
                format!("{scheme}://{user}@{host}")
            }
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}
