//! `xiangzhi demo`: builds the demo county (乡宁县) with one account per role, then serves it.

use anyhow::Context;
use std::path::PathBuf;
use xiangzhi_registry::prelude::*;
use xiangzhi_storage::{Db, Scope};

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
            let db = Db::connect(u).await?;
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
    let (s, lines) = xiangzhi::demo(&db, seed, |step| {
        bar.set_message(format!("生成示范县 building demo county: {step}"))
    })
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
    println!("  演示账号 / demo accounts (one per role):");
    let by = xiangzhi_storage::Actor::command("demo");
    for (login, name, role, division) in DEMO_ACCOUNTS {
        let password = std::env::var("XIANGZHI_DEMO_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(crate::cmd::user::random_password);
        // The grid worker is bound to their micro-grid, the others to a division.
        let grid_id = if role == "grid_worker" {
            db.list_grids(
                &Scope::everything(),
                &xiangzhi_storage::ListQuery {
                    division: Some(division.into()),
                    kind: Some("micro".into()),
                    limit: Some(1),
                    ..Default::default()
                },
            )
            .await?
            .items
            .first()
            .map(|g| g.id)
        } else {
            None
        };
        let u = db
            .create_user(
                &by,
                &xiangzhi_storage::accounts::NewUser {
                    login: login.into(),
                    display_name: name.into(),
                    role: role.into(),
                    division_code: division.into(),
                    grid_id,
                    password: password.clone(),
                },
            )
            .await?;
        println!(
            "    {:<10} {:<18} {:<14} 密码 password: {password}",
            u.login,
            u.role.zh(),
            u.division_code
        );
    }
    Ok(db)
}

/// One account per role for the demo county: (login, name, role, division).
pub const DEMO_ACCOUNTS: [(&str, &str, &str, &str); 6] = [
    ("admin", "县级管理员", "county_admin", "141029000000"),
    (
        "changning",
        "昌宁镇干部",
        "township_officer",
        "141029100000",
    ),
    ("longbi", "龙鼻村书记", "village_secretary", "141029100224"),
    ("wangge", "龙鼻村网格员", "grid_worker", "141029100224001"),
    ("auditor", "审计员", "auditor", "141029000000"),
    ("security", "安全管理员", "security_admin", "141029000000"),
];

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
