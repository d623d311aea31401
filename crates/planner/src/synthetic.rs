//! Synthetic instances for tests and benchmarks: lattices of villages with populations drawn so that
//! alliances of 3–5 villages fit a 1,000–2,000 population band.

use crate::{Params, Problem, Village};

/// A `w`×`h` lattice of villages bordering left, right, up and down, with populations, leads,
/// targets and industries drawn from `seed`.
pub fn lattice(w: usize, h: usize, seed: u64) -> Problem {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        | 1;
    let mut next = move |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let n = w * h;
    let villages = (0..n)
        .map(|i| Village {
            code: format!("V{i}"),
            population: 200 + next(500) as u32,
            position: Some(((i % w) as f64 * 1000.0, (i / w) as f64 * 1000.0)),
            industries: vec![next(3) as u16],
            target: next(10) < 6,
            may_lead: next(10) < 3,
            excluded: next(50) == 0,
            township: ((i % w) / 4) as u32,
        })
        .collect();
    let mut adjacency = vec![Vec::new(); n];
    for i in 0..n {
        if i % w + 1 < w {
            adjacency[i].push(i + 1);
            adjacency[i + 1].push(i);
        }
        if i + w < n {
            adjacency[i].push(i + w);
            adjacency[i + w].push(i);
        }
    }
    Problem {
        villages,
        adjacency,
        params: Params::default(),
        locked: Vec::new(),
        forbidden: Vec::new(),
        pinned: Vec::new(),
    }
}
