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
    Ok(())
}
