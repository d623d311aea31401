//! `xiangzhi plan`: forms cross-village alliances (跨村联建) from a village file and writes the plan
//! as CSV, .xlsx and/or GeoJSON, with a progress bar.

use anyhow::Context;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use xiangzhi_alliances::files::{
    read_villages, write_candidates, write_plan, ReadOptions, Villages,
};
use xiangzhi_alliances::AllianceStore;
use xiangzhi_planner::geometry::Contiguity;
use xiangzhi_planner::{candidates, check, solve_with, Progress};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum LeadMode {
    /// 强村带弱：每个联建恰有一个牵头村 / strong leads weak: exactly one lead per alliance
    OneLead,
    /// 不要求牵头村 / no lead required
    Any,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Borders {
    /// 共用一段边界 / sharing a stretch of boundary
    Rook,
    /// 共用一个边界点即可 / sharing a boundary point is enough
    Queen,
}

#[derive(clap::Args)]
pub struct PlanArgs {
    /// 村情文件 / village file: .csv, .xlsx or .geojson (one row or feature per village)
    #[arg(
        long,
        conflicts_with = "division",
        required_unless_present = "division"
    )]
    pub input: Option<PathBuf>,
    /// 或：规划库中该县或乡镇的村（村情已导入），已成立的联建保持不变 / or: plan this county or township from the registry's village profiles, keeping the alliances already formed
    #[arg(long)]
    pub division: Option<String>,
    /// 输出文件，可多次给出 / output file, by extension .csv, .xlsx or .geojson (repeatable)
    #[arg(long = "out")]
    out: Vec<PathBuf>,
    /// 每个联建最少村数 / fewest villages per alliance
    #[arg(long, default_value_t = 3)]
    min_villages: usize,
    /// 每个联建最多村数 / most villages per alliance
    #[arg(long, default_value_t = 5)]
    max_villages: usize,
    /// 每个联建最少人口 / population floor per alliance
    #[arg(long, default_value_t = 1000)]
    min_population: u32,
    /// 每个联建最多人口 / population ceiling per alliance
    #[arg(long, default_value_t = 2000)]
    max_population: u32,
    /// 牵头模式 / lead mode
    #[arg(long, value_enum, default_value = "one-lead")]
    lead: LeadMode,
    /// 联建不跨乡镇 / keep every alliance inside one township
    #[arg(long)]
    same_township: bool,
    /// 成员间最远距离（公里）/ largest distance between two members, km
    #[arg(long)]
    max_distance_km: Option<f64>,
    /// 只有坐标时，相邻的最远距离（公里）/ with points only: longest border drawn, km
    #[arg(long, default_value_t = 5.0)]
    pub link_km: f64,
    /// 多边形何时算相邻 / when polygons border each other
    #[arg(long, value_enum, default_value = "rook")]
    pub borders: Borders,
    /// 已定联建（CSV/xlsx，列 alliance、code，如上次的规划结果），原样保留 / alliances already formed, kept as they are (columns alliance, code, e.g. an earlier plan)
    #[arg(long)]
    locked: Option<PathBuf>,
    /// 不得同组的两村 / two villages that must not share an alliance: CODE,CODE (repeatable)
    #[arg(long = "forbid")]
    forbid: Vec<String>,
    /// 必须同组的两村 / two villages that must share an alliance if placed: CODE,CODE (repeatable)
    #[arg(long = "pin")]
    pin: Vec<String>,
    /// 随机种子，相同种子相同结果 / seed: the same seed gives the same plan
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// 时间上限（秒），到时返回已找到的最好方案 / time limit; the best plan found by then is returned
    #[arg(long, default_value_t = 30.0)]
    seconds: f64,
    /// 另写出全部可行联建（CSV），供精确求解器核对 / also write every feasible alliance (CSV), for checking against an exact solver
    #[arg(long)]
    candidates: Option<PathBuf>,
    /// 另写出摘要（JSON）/ also write a summary (JSON)
    #[arg(long)]
    summary: Option<PathBuf>,
}

fn pair(v: &Villages, text: &str, what: &str) -> anyhow::Result<(usize, usize)> {
    let (a, b) = text.split_once([',', '，']).with_context(|| {
        format!("--{what} “{text}” 应为 两个村代码 CODE,CODE / should be CODE,CODE")
    })?;
    let find = |c: &str| {
        v.index_of(c.trim()).with_context(|| {
            format!("--{what}: 村代码 {c} 不在文件中 / village code {c} is not in the file")
        })
    };
    Ok((find(a)?, find(b)?))
}

fn locked_from(v: &Villages, path: &std::path::Path) -> anyhow::Result<Vec<Vec<usize>>> {
    let t = xiangzhi_tabular::table::read(path)?;
    let col = |names: &[&str]| {
        t.headers
            .iter()
            .position(|h| names.contains(&h.trim()))
            .with_context(|| {
                format!(
                    "{}: 缺少列 / missing column {}",
                    path.display(),
                    names.join(" / ")
                )
            })
    };
    let (ca, cc) = (col(&["alliance", "联建"])?, col(&["code", "村代码"])?);
    let mut groups: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for (i, row) in t.rows.iter().enumerate() {
        let a = row.get(ca).map(|s| s.trim()).unwrap_or("");
        if a.is_empty() {
            continue;
        }
        let code = row.get(cc).map(|s| s.trim()).unwrap_or("");
        let idx = v.index_of(code).with_context(|| {
            format!(
                "{} 第{}行：村代码 {code} 不在村情文件中 / row {}: village code {code} is not in the village file",
                path.display(),
                t.line(i),
                t.line(i)
            )
        })?;
        groups.entry(a.to_string()).or_default().push(idx);
    }
    Ok(groups.into_values().collect())
}

/// How to read villages and draw borders, from the arguments.
pub fn read_options(args: &PlanArgs) -> ReadOptions {
    ReadOptions {
        link_distance_m: args.link_km * 1000.0,
        contiguity: match args.borders {
            Borders::Rook => Contiguity::Rook,
            Borders::Queen => Contiguity::Queen,
        },
        ..ReadOptions::default()
    }
}

/// Plans from a file (`--input`), or from villages read from the registry (`formed`: the
/// alliances already formed there, kept as they are).
pub fn run(
    args: PlanArgs,
    from_registry: Option<(Villages, Vec<Vec<usize>>)>,
    started: Instant,
) -> anyhow::Result<()> {
    let (mut v, formed) = match (from_registry, &args.input) {
        (Some(x), _) => x,
        (None, Some(input)) => (read_villages(input, &read_options(&args))?, Vec::new()),
        (None, None) => anyhow::bail!(
            "请给出 --input 文件或 --division 区划 / give --input FILE or --division CODE"
        ),
    };
    let p = &mut v.problem.params;
    p.min_villages = args.min_villages;
    p.max_villages = args.max_villages;
    p.min_population = args.min_population;
    p.max_population = args.max_population;
    p.one_lead = matches!(args.lead, LeadMode::OneLead);
    p.same_township = args.same_township;
    p.max_distance = args.max_distance_km.map(|k| k * 1000.0);
    v.problem.locked = formed;
    if let Some(path) = &args.locked {
        let more = locked_from(&v, path)?;
        v.problem.locked.extend(more);
    }
    for f in &args.forbid {
        let pr = pair(&v, f, "forbid")?;
        v.problem.forbidden.push(pr);
    }
    for f in &args.pin {
        let pr = pair(&v, f, "pin")?;
        v.problem.pinned.push(pr);
    }
    let read_s = started.elapsed().as_secs_f64();
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "规划 planning {pos}/{len} 村 villages [{bar:40}] {msg} {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let solving = Instant::now();
    let plan = solve_with(
        &v.problem,
        args.seed,
        Duration::from_secs_f64(args.seconds),
        &|s: Progress| {
            bar.set_length(s.villages as u64);
            bar.set_position(s.villages_done as u64);
            bar.set_message(format!("{}/{} 片 parts", s.parts_done, s.parts));
        },
    )
    .map_err(|e| anyhow::anyhow!("规划无法进行 / cannot plan: {}", e.0))?;
    let solve_s = solving.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let (groups, leads) = plan.groups();
    let violations = check(&v.problem, &groups, &leads);
    anyhow::ensure!(
        violations.is_empty(),
        "方案未通过独立核对 / the plan failed the independent check: {violations:?}"
    );
    for out in &args.out {
        write_plan(out, &v, &plan)?;
    }
    if let Some(path) = &args.candidates {
        write_candidates(path, &v, &candidates(&v.problem))?;
    }
    let targets = v.problem.villages.iter().filter(|x| x.target).count();
    let placed: usize = plan.alliances.iter().map(|a| a.members.len()).sum();
    let total_s = started.elapsed().as_secs_f64();
    println!(
        "{} 个村 villages → {} 个联建 alliances，纳入 {placed} 村 placed；重点村 targets {}/{targets}；产业差异 heterogeneity {}；可行联建 feasible alliances {}；规划 {solve_s:.2}s，合计 total {total_s:.2}s",
        v.problem.villages.len(),
        plan.alliances.len(),
        plan.score.targets_placed,
        plan.score.heterogeneity,
        plan.candidates,
    );
    let mut reasons: std::collections::BTreeMap<(&str, &str), usize> = Default::default();
    for u in &plan.unplaced {
        *reasons.entry((u.zh, u.en)).or_default() += 1;
    }
    for ((zh, en), n) in reasons {
        println!("  未纳入 unplaced {n}: {zh} / {en}");
    }
    if let Some(path) = &args.summary {
        let summary = serde_json::json!({
            "villages": v.problem.villages.len(),
            "candidates": plan.candidates,
            "alliances": plan.alliances.len(),
            "villages_placed": placed,
            "targets": targets,
            "targets_placed": plan.score.targets_placed,
            "heterogeneity": plan.score.heterogeneity,
            "spread_m": plan.score.spread_m,
            "unplaced": plan.unplaced.len(),
            "read_seconds": read_s,
            "solve_seconds": solve_s,
            "total_seconds": total_s,
        });
        std::fs::write(path, serde_json::to_string_pretty(&summary)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// A county's or township's villages from the registry's profiles, with the alliances already
/// formed there (as village indices).
pub async fn registry_villages(
    cfg: &crate::config::Config,
    code: &str,
    opts: &xiangzhi_alliances::files::ReadOptions,
) -> anyhow::Result<(xiangzhi_alliances::files::Villages, Vec<Vec<usize>>)> {
    let division = xiangzhi_domain::DivisionCode::parse(code)
        .map_err(|e| anyhow::anyhow!("--division {code}: {} / {}", e.zh, e.en))?;
    let db = xiangzhi::open(&cfg.database_url).await?;
    let scope = xiangzhi_storage::Scope::division(&division);
    let profiles = db.village_profiles(&scope).await?;
    anyhow::ensure!(
        !profiles.is_empty(),
        "{code} 下没有村情数据，请先 xiangzhi profiles FILE / no village profiles under {code}: run xiangzhi profiles FILE first"
    );
    let v = xiangzhi_alliances::files::villages_from_profiles(&profiles, opts)?;
    let formed =
        xiangzhi_alliances::files::formed_alliances(&v, &db.alliance_villages(&scope).await?);
    db.close().await;
    Ok((v, formed))
}

/// `xiangzhi plan`: from a file, or (`--division`) from the registry's profiles.
pub async fn command(args: PlanArgs, cfg: &crate::config::Config) -> anyhow::Result<()> {
    let started = Instant::now();
    let from_registry = match &args.division {
        Some(code) => Some(registry_villages(cfg, code, &read_options(&args)).await?),
        None => None,
    };
    run(args, from_registry, started)
}
