//! Quick look at the planner on synthetic lattices: `cargo run --release -p xiangzhi-planner
//! --example lattices [seed]` prints, per lattice, enumeration time, solve time and the score.

use std::time::{Duration, Instant};
use xiangzhi_planner::{candidates, solve, synthetic::lattice};

fn main() {
    let seed: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2026);
    for (w, h) in [(10, 10), (20, 20), (30, 30), (36, 24), (50, 50)] {
        let p = lattice(w, h, seed);
        let t = Instant::now();
        let c = candidates(&p).len();
        let enumerate = t.elapsed().as_secs_f64();
        let t = Instant::now();
        match solve(&p, 1, Duration::from_secs(30)) {
            Ok(plan) => println!(
                "{w}x{h}: {c} candidates, enumerate {enumerate:.3}s, solve {:.3}s, {:?}",
                t.elapsed().as_secs_f64(),
                plan.score
            ),
            Err(e) => println!("{w}x{h}: {}", e.0),
        }
    }
}
