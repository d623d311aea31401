//! The plan: a set packing of the feasible alliances, built greedily and improved by local search
//! (take in an alliance that is not chosen, drop the chosen ones it overlaps, refill the freed
//! villages greedily, keep the change if the score is better), until no move helps or time is up.

use crate::enumerate::{candidates, Candidate};
use crate::{BadProblem, Problem};
use std::time::{Duration, Instant};

/// How good a plan is, compared in this order: more target villages placed, then more alliances,
/// then less heterogeneity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Score {
    pub targets_placed: u32,
    pub alliances: u32,
    pub heterogeneity: u32,
}

impl Score {
    fn key(&self) -> (u32, u32, std::cmp::Reverse<u32>) {
        (
            self.targets_placed,
            self.alliances,
            std::cmp::Reverse(self.heterogeneity),
        )
    }
}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Score {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

/// One alliance of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Alliance {
    pub members: Vec<usize>,
    pub lead: Option<usize>,
    pub population: u32,
    pub heterogeneity: u32,
    /// Formed by officials before; kept as it was.
    pub locked: bool,
}

/// A target village the plan leaves out, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Unplaced {
    pub village: usize,
    /// 中文原因
    pub zh: &'static str,
    /// The reason in English.
    pub en: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub alliances: Vec<Alliance>,
    pub unplaced: Vec<Unplaced>,
    pub score: Score,
    /// Feasible alliances the search chose from.
    pub candidates: usize,
}

impl Plan {
    /// Members and leads, as the checker takes them.
    pub fn groups(&self) -> (Vec<Vec<usize>>, Vec<Option<usize>>) {
        (
            self.alliances.iter().map(|a| a.members.clone()).collect(),
            self.alliances.iter().map(|a| a.lead).collect(),
        )
    }
}

#[derive(Clone)]
struct State<'a> {
    cands: &'a [Candidate],
    /// For each village, the chosen candidate holding it.
    owner: Vec<Option<usize>>,
    chosen: Vec<bool>,
    score: Score,
}

impl State<'_> {
    fn fits(&self, c: usize) -> bool {
        self.cands[c]
            .members
            .iter()
            .all(|&v| self.owner[v].is_none())
    }
    fn add(&mut self, c: usize) {
        let k = &self.cands[c];
        for &v in &k.members {
            self.owner[v] = Some(c);
        }
        self.chosen[c] = true;
        self.score.targets_placed += k.targets;
        self.score.alliances += 1;
        self.score.heterogeneity += k.heterogeneity;
    }
    fn remove(&mut self, c: usize) {
        let k = &self.cands[c];
        for &v in &k.members {
            self.owner[v] = None;
        }
        self.chosen[c] = false;
        self.score.targets_placed -= k.targets;
        self.score.alliances -= 1;
        self.score.heterogeneity -= k.heterogeneity;
    }
}

/// The order greedy filling tries candidates in: most targets, then least heterogeneity, then
/// fewest members (leaving more villages for other alliances); `noise` breaks the remaining ties
/// (and, when not zero, lets a candidate one heterogeneity point worse go first).
fn greedy_order(cands: &[Candidate], noise: &[u64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..cands.len()).collect();
    let jitter = |c: usize| u32::from(noise[c].is_multiple_of(3));
    order.sort_by(|&a, &b| {
        let (x, y) = (&cands[a], &cands[b]);
        y.targets
            .cmp(&x.targets)
            .then((x.heterogeneity + jitter(a)).cmp(&(y.heterogeneity + jitter(b))))
            .then(x.members.len().cmp(&y.members.len()))
            .then(noise[a].cmp(&noise[b]))
            .then(x.members.cmp(&y.members))
    });
    order
}

/// Greedy filling in `order`, then local search until no move helps or time is up.
fn run<'a>(
    cands: &'a [Candidate],
    order: &[usize],
    by_village: &[Vec<usize>],
    n: usize,
    next: &mut impl FnMut() -> u64,
    started: Instant,
    limit: Duration,
) -> State<'a> {
    let mut rank = vec![0; cands.len()];
    for (k, &c) in order.iter().enumerate() {
        rank[c] = k;
    }
    let mut s = State {
        cands,
        owner: vec![None; n],
        chosen: vec![false; cands.len()],
        score: Score::default(),
    };
    for &c in order {
        if s.fits(c) {
            s.add(c);
        }
    }
    let mut visit: Vec<usize> = (0..cands.len()).collect();
    for i in (1..visit.len()).rev() {
        visit.swap(i, (next() % (i as u64 + 1)) as usize);
    }
    let mut improved = true;
    'search: while improved {
        improved = false;
        for &c in &visit {
            if started.elapsed() >= limit {
                break 'search;
            }
            if s.chosen[c] {
                continue;
            }
            let before = s.score;
            let mut dropped: Vec<usize> = cands[c]
                .members
                .iter()
                .filter_map(|&v| s.owner[v])
                .collect();
            dropped.sort_unstable();
            dropped.dedup();
            for &d in &dropped {
                s.remove(d);
            }
            s.add(c);
            // Refill the villages the dropped alliances freed.
            let mut freed: Vec<usize> = dropped
                .iter()
                .flat_map(|&d| cands[d].members.iter().copied())
                .filter(|&v| s.owner[v].is_none())
                .collect();
            freed.sort_unstable();
            freed.dedup();
            let mut refill: Vec<usize> = freed
                .iter()
                .flat_map(|&v| by_village[v].iter().copied())
                .collect();
            refill.sort_unstable_by_key(|&k| rank[k]);
            refill.dedup();
            let mut added = Vec::new();
            for k in refill {
                if s.fits(k) {
                    s.add(k);
                    added.push(k);
                }
            }
            if s.score > before {
                improved = true;
            } else {
                for k in added {
                    s.remove(k);
                }
                s.remove(c);
                for &d in &dropped {
                    s.add(d);
                }
            }
        }
    }
    s
}

/// Greedy-and-improve runs per plan.
const RESTARTS: u64 = 16;
/// Candidates × restarts a plan may spend on restarts.
const RESTART_BUDGET: u64 = 20_000;

/// Plans the problem: deterministic for a given `seed`, and returns the best plan found when
/// `limit` runs out.
pub fn solve(p: &Problem, seed: u64, limit: Duration) -> Result<Plan, BadProblem> {
    p.validate()?;
    let started = Instant::now();
    let cands = candidates(p);
    let n = p.villages.len();
    let mut by_village: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, c) in cands.iter().enumerate() {
        for &v in &c.members {
            by_village[v].push(i);
        }
    }
    let mut rng = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    // Restarts: the first from the plain greedy order, the others from orders with noise in the
    // ties; each improved by local search; the best kept, as many as time allows.
    let mut best: Option<State> = None;
    // Small instances get every restart; large ones fewer (each run costs in proportion to the
    // number of candidates), so the work depends on the instance only and the plan on the seed.
    let restarts = (RESTART_BUDGET / cands.len().max(1) as u64).clamp(1, RESTARTS);
    for restart in 0..restarts {
        if restart > 0 && started.elapsed() >= limit {
            break;
        }
        let noise: Vec<u64> = (0..cands.len())
            .map(|_| if restart == 0 { 0 } else { next() })
            .collect();
        let order = greedy_order(&cands, &noise);
        let s = run(&cands, &order, &by_village, n, &mut next, started, limit);
        if best.as_ref().is_none_or(|b| s.score > b.score) {
            best = Some(s);
        }
    }
    let Some(s) = best else {
        return Err(BadProblem("no time to plan".into()));
    };
    let mut alliances: Vec<Alliance> = p
        .locked
        .iter()
        .map(|g| {
            let mut members = g.clone();
            members.sort_unstable();
            Alliance {
                lead: members.iter().copied().find(|&v| p.villages[v].may_lead),
                population: members.iter().map(|&v| p.villages[v].population).sum(),
                heterogeneity: p.heterogeneity(&members),
                members,
                locked: true,
            }
        })
        .collect();
    let mut score = s.score;
    for a in &alliances {
        score.targets_placed += a.members.iter().filter(|&&v| p.villages[v].target).count() as u32;
        score.alliances += 1;
        score.heterogeneity += a.heterogeneity;
    }
    let mut picked: Vec<usize> = (0..cands.len()).filter(|&c| s.chosen[c]).collect();
    picked.sort_by(|&a, &b| cands[a].members.cmp(&cands[b].members));
    alliances.extend(picked.iter().map(|&c| {
        let k = &cands[c];
        Alliance {
            members: k.members.clone(),
            lead: k.lead,
            population: k.population,
            heterogeneity: k.heterogeneity,
            locked: false,
        }
    }));
    let placed: Vec<bool> = {
        let mut v = vec![false; n];
        for a in &alliances {
            for &m in &a.members {
                v[m] = true;
            }
        }
        v
    };
    let unplaced = (0..n)
        .filter(|&v| p.villages[v].target && !placed[v])
        .map(|v| {
            let (zh, en) = if p.villages[v].excluded {
                ("标记为不参与联建", "marked as not to be grouped")
            } else if by_village[v].is_empty() {
                why_none(p, v)
            } else {
                (
                    "能组成的联建都与已选的更优联建冲突",
                    "every alliance it could join overlaps better ones chosen",
                )
            };
            Unplaced { village: v, zh, en }
        })
        .collect();
    Ok(Plan {
        alliances,
        unplaced,
        score,
        candidates: cands.len(),
    })
}

/// The first rule that leaves `v` without any feasible alliance, found by relaxing one rule at a
/// time.
fn why_none(p: &Problem, v: usize) -> (&'static str, &'static str) {
    let holds = |q: &Problem| candidates(q).iter().any(|c| c.members.contains(&v));
    let relaxed = |f: &dyn Fn(&mut Problem)| {
        let mut q = p.clone();
        f(&mut q);
        holds(&q)
    };
    if p.adjacency[v].is_empty() {
        return ("没有相邻的村", "it has no neighbouring village");
    }
    if relaxed(&|q| q.params.one_lead = false) {
        return (
            "附近没有可带动的强村（每个联建需一个牵头村）",
            "no strong village nearby to lead it (one lead per alliance)",
        );
    }
    if relaxed(&|q| q.params.max_population = u32::MAX) {
        return (
            "与邻村合计人口超过上限",
            "with its neighbours it exceeds the population ceiling",
        );
    }
    if relaxed(&|q| q.params.min_population = 0) {
        return (
            "与邻村合计人口达不到下限",
            "with its neighbours it stays below the population floor",
        );
    }
    if relaxed(&|q| q.params.max_distance = None) {
        return (
            "邻村距离超过上限",
            "its neighbours are farther than the distance limit",
        );
    }
    if relaxed(&|q| q.params.same_township = false) {
        return (
            "本乡镇内凑不成联建",
            "no alliance can be formed inside its township",
        );
    }
    if relaxed(&|q| {
        q.forbidden.clear();
        q.pinned.clear();
    }) {
        return (
            "受禁止或必须同组的村对限制",
            "a forbidden or pinned pair rules it out",
        );
    }
    if relaxed(&|q| q.locked.clear()) {
        return (
            "邻村已在锁定的联建中",
            "its neighbours are in locked alliances",
        );
    }
    (
        "相邻的村数不够组成联建",
        "too few villages around it to form an alliance",
    )
}
