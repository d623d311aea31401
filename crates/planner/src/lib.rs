//! 跨村联建: the alliance planner. Groups neighbouring villages into alliances of a few villages
//! each, under every constraint at once — connected in the adjacency graph, between the size and
//! population bounds, exactly one lead in "strong leads weak" mode, inside one township if asked,
//! members within a maximum distance, never a forbidden pair, locked alliances kept — placing as many
//! target (small or weak) villages as possible, then forming as many alliances as possible, then
//! making them alike in industry.
//!
//! The method: every feasible alliance of the instance is enumerated (connected vertex sets grown
//! from each village in a canonical order, pruned by population, distance, township, forbidden
//! pairs and leads as they grow), and the plan is a set packing of them found by a greedy
//! construction and improved by local search. [`check`] verifies a plan independently of the
//! solver's bookkeeping.
//!
//! No I/O: callers turn the registry or files into a [`Problem`].
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod check;
mod enumerate;
pub mod geometry;
mod solve;
pub mod synthetic;

pub use check::{check, Violation};
pub use enumerate::{candidates, Candidate};
pub use solve::{solve, solve_with, Alliance, Plan, Progress, Score, Unplaced};

/// A village as the planner sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Village {
    /// The caller's identifier (a division code), carried through to the plan.
    pub code: String,
    pub population: u32,
    /// Projected coordinates in metres (for the distance limit and compactness), if known.
    pub position: Option<(f64, f64)>,
    /// Main industries, as small integers the caller assigns (e.g. 0 = 苹果, 1 = 乡村旅游).
    pub industries: Vec<u16>,
    /// Should be placed (small or weak).
    pub target: bool,
    /// May lead an alliance (a strong village).
    pub may_lead: bool,
    /// Must not be grouped at all.
    pub excluded: bool,
    /// The township it belongs to, for the "inside one township" rule.
    pub township: u32,
}

/// The rules every alliance must meet.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub min_villages: usize,
    pub max_villages: usize,
    pub min_population: u32,
    pub max_population: u32,
    /// "Strong leads weak": exactly one lead (a `may_lead` village) per alliance.
    pub one_lead: bool,
    /// All members in one township.
    pub same_township: bool,
    /// No two members farther apart than this (metres).
    pub max_distance: Option<f64>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            min_villages: 3,
            max_villages: 5,
            min_population: 1_000,
            max_population: 2_000,
            one_lead: true,
            same_township: false,
            max_distance: None,
        }
    }
}

/// An instance: the villages, who borders whom, the rules, and what officials decided already.
#[derive(Debug, Clone)]
pub struct Problem {
    pub villages: Vec<Village>,
    /// `adjacency[v]`: the villages sharing a boundary with `v` (symmetric, no self-loops).
    pub adjacency: Vec<Vec<usize>>,
    pub params: Params,
    /// Alliances already formed: kept exactly as they are.
    pub locked: Vec<Vec<usize>>,
    /// Pairs that must not share an alliance.
    pub forbidden: Vec<(usize, usize)>,
    /// Pairs that must share an alliance if either is placed.
    pub pinned: Vec<(usize, usize)>,
}

/// Why a problem cannot be planned as given.
#[derive(Debug, Clone, PartialEq)]
pub struct BadProblem(pub String);

impl Problem {
    /// Checks the instance's own consistency (indices in range, symmetric adjacency, sane bounds).
    pub fn validate(&self) -> Result<(), BadProblem> {
        let n = self.villages.len();
        let p = &self.params;
        if p.min_villages == 0 || p.min_villages > p.max_villages {
            return Err(BadProblem(format!(
                "villages per alliance {}–{} is not a range",
                p.min_villages, p.max_villages
            )));
        }
        if p.min_population > p.max_population {
            return Err(BadProblem(format!(
                "population per alliance {}–{} is not a range",
                p.min_population, p.max_population
            )));
        }
        if self.adjacency.len() != n {
            return Err(BadProblem(format!(
                "{} adjacency lists for {n} villages",
                self.adjacency.len()
            )));
        }
        for (v, list) in self.adjacency.iter().enumerate() {
            for &u in list {
                if u >= n || u == v || !self.adjacency[u].contains(&v) {
                    return Err(BadProblem(format!(
                        "adjacency of village {v} names {u}: out of range, itself, or not mutual"
                    )));
                }
            }
        }
        let mut seen = vec![false; n];
        for group in &self.locked {
            for &v in group {
                if v >= n || std::mem::replace(&mut seen[v], true) {
                    return Err(BadProblem(format!(
                        "village {v} is out of range or in two locked alliances"
                    )));
                }
            }
        }
        for &(a, b) in self.forbidden.iter().chain(&self.pinned) {
            if a >= n || b >= n || a == b {
                return Err(BadProblem(format!("pair ({a}, {b}) is not two villages")));
            }
        }
        let locked_in = |v: usize| self.locked.iter().position(|g| g.contains(&v));
        for &(a, b) in &self.pinned {
            if locked_in(a) != locked_in(b) {
                return Err(BadProblem(format!(
                    "villages {} and {} are pinned together but a locked alliance holds only one of them",
                    self.villages[a].code, self.villages[b].code
                )));
            }
        }
        Ok(())
    }

    /// Distance between two villages in metres, if both positions are known.
    pub fn distance(&self, a: usize, b: usize) -> Option<f64> {
        match (self.villages[a].position, self.villages[b].position) {
            (Some((x1, y1)), Some((x2, y2))) => {
                Some(((x1 - x2).powi(2) + (y1 - y2).powi(2)).sqrt())
            }
            _ => None,
        }
    }

    /// Heterogeneity of a group: how many distinct industries its members have beyond one
    /// (0 when they all share a single industry).
    pub fn heterogeneity(&self, group: &[usize]) -> u32 {
        // Industries numbered below 128 (the usual case) are counted in a bit set.
        let mut mask = 0u128;
        let small = group.iter().all(|&v| {
            self.villages[v].industries.iter().all(|&i| {
                mask |= 1u128.checked_shl(u32::from(i)).unwrap_or(0);
                i < 128
            })
        });
        if small {
            return mask.count_ones().saturating_sub(1);
        }
        let mut all: Vec<u16> = group
            .iter()
            .flat_map(|&v| self.villages[v].industries.iter().copied())
            .collect();
        all.sort_unstable();
        all.dedup();
        all.len().saturating_sub(1) as u32
    }
}

#[cfg(test)]
mod tests;
