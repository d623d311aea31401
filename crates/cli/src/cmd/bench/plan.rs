//! Alliance planner benchmark (issue 5): synthetic lattices of 100 to 2,500 villages and a county of
//! 864, solved with the default rules; every plan checked by the independent checker.

use std::time::{Duration, Instant};
use xiangzhi_planner::{check, solve, synthetic::lattice};

pub fn run(seconds: f64) -> anyhow::Result<()> {
    println!("| instance | villages | feasible alliances | time s | alliances | feasible | targets placed | heterogeneity |");
    println!("|---|---|---|---|---|---|---|---|");
    for (name, w, h) in [
        ("lattice 10×10", 10, 10),
        ("lattice 20×20", 20, 20),
        ("lattice 30×30", 30, 30),
        ("county 36×24", 36, 24),
        ("lattice 50×50", 50, 50),
    ] {
        let p = lattice(w, h, 2026);
        let started = Instant::now();
        let plan = solve(&p, 1, Duration::from_secs_f64(seconds))
            .map_err(|e| anyhow::anyhow!("{}", e.0))?;
        let took = started.elapsed().as_secs_f64();
        let (groups, leads) = plan.groups();
        let violations = check(&p, &groups, &leads);
        let bad: std::collections::BTreeSet<usize> = violations
            .iter()
            .filter_map(|v| match v {
                xiangzhi_planner::Violation::Size(i)
                | xiangzhi_planner::Violation::Population(i)
                | xiangzhi_planner::Violation::Disconnected(i)
                | xiangzhi_planner::Violation::Leads(i)
                | xiangzhi_planner::Violation::Township(i)
                | xiangzhi_planner::Violation::Distance(i) => Some(*i),
                _ => None,
            })
            .collect();
        let targets = p.villages.iter().filter(|v| v.target).count();
        println!(
            "| {name} | {} | {} | {took:.3} | {} | {:.0}% | {} of {targets} ({:.0}%) | {} |",
            w * h,
            plan.candidates,
            groups.len(),
            if groups.is_empty() {
                100.0
            } else {
                100.0 * (groups.len() - bad.len()) as f64 / groups.len() as f64
            },
            plan.score.targets_placed,
            100.0 * f64::from(plan.score.targets_placed) / targets.max(1) as f64,
            plan.score.heterogeneity,
        );
        anyhow::ensure!(violations.is_empty(), "{name}: {violations:?}");
    }
    province(seconds.max(60.0))
}

/// Peak resident memory of this process so far (VmHWM), in MiB.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// A province: 100 counties of 700 villages each (lattices of 28×25 with their own draws, no
/// border between counties), planned in one call: the counties are independent parts, planned
/// in parallel on every core.
fn province(seconds: f64) -> anyhow::Result<()> {
    let mut p = lattice(28, 25, 1);
    p.villages.clear();
    p.adjacency.clear();
    for county in 0..100u64 {
        let c = lattice(28, 25, 7_000 + county);
        let base = p.villages.len();
        p.villages.extend(c.villages.into_iter().map(|mut v| {
            v.code = format!("C{county}-{}", v.code);
            v.township += county as u32 * 1_000;
            v
        }));
        p.adjacency.extend(
            c.adjacency
                .into_iter()
                .map(|l| l.into_iter().map(|u| u + base).collect::<Vec<_>>()),
        );
    }
    let before = peak_mib();
    let started = Instant::now();
    let plan =
        solve(&p, 1, Duration::from_secs_f64(seconds)).map_err(|e| anyhow::anyhow!("{}", e.0))?;
    let took = started.elapsed().as_secs_f64();
    let (groups, leads) = plan.groups();
    let violations = check(&p, &groups, &leads);
    let targets = p.villages.iter().filter(|v| v.target).count();
    println!();
    println!("| province | villages | counties | threads | time s | alliances | targets placed | peak memory MiB (before planning) |");
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| 100 counties × 700 | {} | 100 | {} | {took:.2} | {} | {} of {targets} ({:.1}%) | {:.0} ({before:.0}) |",
        p.villages.len(),
        rayon::current_num_threads(),
        groups.len(),
        plan.score.targets_placed,
        100.0 * f64::from(plan.score.targets_placed) / targets.max(1) as f64,
        peak_mib(),
    );
    anyhow::ensure!(violations.is_empty(), "province: {violations:?}");
    Ok(())
}
