//! `xiangzhi bench`: benchmarks (release builds; figures go to BENCHMARKS.md).

mod cases;
mod console;
mod economy;
mod live;
mod plan;
mod points;

use crate::cmd::demo::build_demo;
use std::path::PathBuf;
use xiangzhi_registry::prelude::*;
use xiangzhi_storage::{Db, Scope};

#[derive(clap::Subcommand)]
pub enum BenchWhat {
    /// 管辖范围过滤的开销 / cost of jurisdiction scoping: searches with no scope, the county's and a township's
    Scope {
        /// 示范库（不存在则生成）/ demo database (built if missing)
        #[arg(long, default_value = "target/bench/demo.db")]
        file: PathBuf,
        /// 每项查询次数 / runs per query
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// 改用 PostgreSQL 数据库（空库则先生成示范县）/ run on this PostgreSQL database instead (the demo county is built into it if it is empty)
        #[arg(long)]
        postgres: Option<String>,
    },
    /// 百万事项下的待办队列与年度统计 / queue pages and a year's statistics over a county's case history
    Cases {
        /// 示范库（不存在则生成）/ demo database (built if missing)
        #[arg(long, default_value = "target/bench/cases.db")]
        file: PathBuf,
        /// 历史事项总数 / past cases in the county
        #[arg(long, default_value_t = 1_000_000)]
        cases: i64,
        /// 每项查询次数 / runs per query
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// 改用 PostgreSQL 数据库 / run on this PostgreSQL database instead
        #[arg(long)]
        postgres: Option<String>,
    },
    /// 首页与事件台账（县级管理员，示范县一年历史）/ the home page and the case ledger for the county administrator on the demo county with its year of history
    Console {
        /// 示范库（每次重新生成，使历史截至今日）/ demo database (rebuilt each run, so its history ends today)
        #[arg(long, default_value = "target/bench/console.db")]
        file: PathBuf,
        /// 每页请求次数 / requests per page
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// 另补历史事项至此总数（0：仅示范县一年）/ add past cases until the county has this many (0: the demo's year only)
        #[arg(long, default_value_t = 0)]
        cases: i64,
        /// 改用 PostgreSQL 数据库（空库则先生成示范县）/ run on this PostgreSQL database instead (the demo county is built into it if it is empty)
        #[arg(long)]
        postgres: Option<String>,
    },
    /// 运行中导入：导入示范县20万居民时客户端登录与上报的延迟 / an import into a running server: sign-in and case filing latency while the demo county's 209,570 residents are imported
    LiveImport {
        /// 工作目录（示范县导出文件与数据库）/ working folder (the demo county's files and the database)
        #[arg(long, default_value = "target/bench")]
        dir: PathBuf,
        /// 并发客户端 / concurrent clients
        #[arg(long, default_value_t = 4)]
        clients: usize,
    },
    /// 积分：县级月度评定、村公示栏、积分超市兑换（1.2万党员、约200万条积分）/ points at a county's scale: the monthly evaluation, a village's public board, a redemption (12,000 members, about two million entries)
    Points {
        /// 示范库（不存在则生成并补足）/ demo database (built and topped up if missing)
        #[arg(long, default_value = "target/bench/points.db")]
        file: PathBuf,
        /// 每项次数 / runs per operation
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// 改用 PostgreSQL 数据库（空库则先生成示范县）/ run on this PostgreSQL database instead (the demo county is built into it if it is empty)
        #[arg(long)]
        postgres: Option<String>,
    },
    /// 集体经济：全县收益分配（约7万户）、村三资报表 / the collective economy at a county's scale: every village's distribution (about 70,000 households), a village's three-asset statement
    Economy {
        /// 示范库（不存在则生成并补足）/ demo database (built and topped up if missing)
        #[arg(long, default_value = "target/bench/economy.db")]
        file: PathBuf,
        /// 报表次数 / statements timed
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// 改用 PostgreSQL 数据库（空库则先生成示范县）/ run on this PostgreSQL database instead (the demo county is built into it if it is empty)
        #[arg(long)]
        postgres: Option<String>,
    },
    /// 跨村联建规划器：合成网格与县级实例 / alliance planner on synthetic lattices and a county
    Plan {
        /// 每个实例的时限（秒）/ time limit per instance (seconds)
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
    },
    /// 突发上报：HTTP 受理速度与同库原始插入速度 / surge intake over HTTP against the raw insert rate
    Surge {
        /// 示范库（每次由 target/bench/demo.db 复制）/ database (copied from target/bench/demo.db each run)
        #[arg(long, default_value = "target/bench/surge.db")]
        file: PathBuf,
        /// 每段时长（秒）/ seconds per phase
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// 并发客户端 / concurrent clients
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// 稳态速率（每秒）/ steady rate per second
        #[arg(long, default_value_t = 500)]
        rate: u64,
        /// 改用 PostgreSQL 数据库 / run on this PostgreSQL database instead
        #[arg(long)]
        postgres: Option<String>,
    },
}

pub async fn run(what: BenchWhat) -> anyhow::Result<()> {
    match what {
        BenchWhat::Scope {
            file,
            runs,
            postgres,
        } => bench_scope(&file, runs, postgres.as_deref()).await,
        BenchWhat::Plan { seconds } => plan::run(seconds),
        BenchWhat::Points {
            file,
            runs,
            postgres,
        } => {
            let backend = if postgres.is_some() {
                "PostgreSQL"
            } else {
                "SQLite"
            };
            let db = bench_db(&file, postgres.as_deref(), None).await?;
            points::run(db, runs, backend).await
        }
        BenchWhat::Economy {
            file,
            runs,
            postgres,
        } => {
            let backend = if postgres.is_some() {
                "PostgreSQL"
            } else {
                "SQLite"
            };
            let db = bench_db(&file, postgres.as_deref(), None).await?;
            economy::run(db, runs, backend).await
        }
        BenchWhat::LiveImport { dir, clients } => live::run(&dir, clients).await,
        BenchWhat::Console {
            file,
            runs,
            cases: total,
            postgres,
        } => {
            let backend = if postgres.is_some() {
                "PostgreSQL"
            } else {
                "SQLite"
            };
            if postgres.is_none() && file.exists() {
                std::fs::remove_file(&file)?;
            }
            let db = bench_db(&file, postgres.as_deref(), None).await?;
            if total > 0 {
                cases::fill_history(&db, total, xiangzhi_storage::now_ms()).await?;
            }
            console::run(db, runs, backend).await
        }
        BenchWhat::Cases {
            file,
            cases,
            runs,
            postgres,
        } => {
            let db = bench_db(&file, postgres.as_deref(), None).await?;
            cases::history(&db, cases, runs).await
        }
        BenchWhat::Surge {
            file,
            seconds,
            concurrency,
            rate,
            postgres,
        } => {
            let template = PathBuf::from("target/bench/demo.db");
            let db = bench_db(&file, postgres.as_deref(), Some(&template)).await?;
            cases::surge(db, seconds, concurrency, rate).await
        }
    }
}

/// The database a benchmark runs on: PostgreSQL at `postgres` (the demo county built into it if
/// it is empty), or the SQLite `file` — copied from `template` when given (a fresh copy each run),
/// else built as the demo county if missing.
async fn bench_db(
    file: &std::path::Path,
    postgres: Option<&str>,
    template: Option<&std::path::Path>,
) -> anyhow::Result<Db> {
    if let Some(url) = postgres {
        let db = xiangzhi::open(url).await?;
        if db.count_for_tests("SELECT COUNT(*) FROM residents").await? == 0 {
            let started = std::time::Instant::now();
            xiangzhi::demo(&db, 1, |_| {}).await?;
            eprintln!(
                "demo county built on PostgreSQL in {:.1}s",
                started.elapsed().as_secs_f64()
            );
        }
        return Ok(db);
    }
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    match template {
        Some(t) => {
            if !t.exists() {
                build_demo(t, None, 1).await?.close().await;
            }
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
            std::fs::copy(t, file)?;
            // A template closed without a checkpoint keeps its last writes in its WAL.
            let wal = PathBuf::from(format!("{}-wal", t.display()));
            if wal.exists() {
                std::fs::copy(&wal, format!("{}-wal", file.display()))?;
            }
            Ok(Db::connect(&format!("sqlite://{}", file.display())).await?)
        }
        None if file.exists() => Ok(Db::connect(&format!("sqlite://{}", file.display())).await?),
        None => build_demo(file, None, 1).await,
    }
}

/// Times household and resident searches with no scope, the county's scope and a township's, and
/// prints a Markdown table (median and 95th percentile per query).
async fn bench_scope(
    file: &std::path::Path,
    runs: usize,
    postgres: Option<&str>,
) -> anyhow::Result<()> {
    use xiangzhi_domain::DivisionCode;
    use xiangzhi_storage::ListQuery;
    let db = bench_db(file, postgres, None).await?;
    db.analyze().await?;
    let county = Scope::division(&DivisionCode::parse("141029000000")?);
    let township = Scope::division(&DivisionCode::parse("141029100000")?);
    let sample = db
        .list_residents(
            &township,
            &ListQuery {
                limit: Some(1),
                ..Default::default()
            },
        )
        .await?;
    let id = sample
        .items
        .first()
        .map(|r| r.id_number.clone())
        .unwrap_or_default();
    let queries: Vec<(&str, ListQuery, bool)> = vec![
        (
            "households: address contains 社区",
            ListQuery {
                q: Some("社区".into()),
                limit: Some(50),
                ..Default::default()
            },
            true,
        ),
        (
            "households: number",
            ListQuery {
                q: Some("10000100100001".into()),
                limit: Some(50),
                ..Default::default()
            },
            true,
        ),
        (
            "residents: name starts with 王",
            ListQuery {
                q: Some("王".into()),
                limit: Some(50),
                ..Default::default()
            },
            false,
        ),
        (
            "residents: full ID number",
            ListQuery {
                q: Some(id),
                limit: Some(50),
                ..Default::default()
            },
            false,
        ),
        (
            "residents: tag veteran",
            ListQuery {
                tag: Some("veteran".into()),
                limit: Some(50),
                ..Default::default()
            },
            false,
        ),
    ];
    println!("| query | scope | median ms | p95 ms | vs no scope |");
    println!("|---|---|---|---|---|");
    let scopes = [
        ("none", Scope::everything()),
        ("county 141029", county.clone()),
        ("township 141029100", township.clone()),
    ];
    for (name, q, households) in &queries {
        // The three scopes take turns, in a rotating order, so drift in the machine's load and
        // caches falls on all of them alike.
        let mut times = vec![Vec::with_capacity(runs); scopes.len()];
        for run in 0..runs {
            for k in 0..scopes.len() {
                let i = (run + k) % scopes.len();
                let t = std::time::Instant::now();
                if *households {
                    db.list_households(&scopes[i].1, q).await?;
                } else {
                    db.list_residents(&scopes[i].1, q).await?;
                }
                times[i].push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        let mut base = 0.0;
        for ((label, _), mut t) in scopes.iter().zip(times) {
            t.sort_by(|a, b| a.total_cmp(b));
            let median = t[t.len() / 2];
            let p95 = t[(t.len() * 95 / 100).min(t.len() - 1)];
            if *label == "none" {
                base = median;
            }
            println!(
                "| {name} | {label} | {median:.3} | {p95:.3} | {:+.0}% |",
                (median / base - 1.0) * 100.0
            );
        }
    }
    Ok(())
}
