//! (Over 800 lines on purpose: one optimisation algorithm whose construction, local search, bound
//! and re-packing share the same packed state and hot loops; split apart they would trade inlined
//! field access for indirection in the planner's inner loop. Its tests live in tests.rs.)
//!
//! The plan: the villages split into independent parts (connected components of the villages
//! still free to group, cut at township borders when alliances stay inside one), each part solved on
//! its own thread with rayon; a part's plan is a set packing of its feasible alliances. Alliances
//! that a smaller one with the same targets dominates are set aside first (no optimum needs them).
//! The packing starts from a most-constrained-village-first construction (or, on every other
//! restart, greedy filling in rank order) and is improved by local search (take in an alliance that
//! is not chosen, drop the chosen ones it overlaps, refill the freed villages greedily, keep the
//! change if the score is better; a move is tried only when a bound over the free villages around
//! it says it could help; after the first sweep only moves near an accepted change that did more
//! than tighten the spread are retried),
//! then by large-neighbourhood search with exact re-packing, and last by wider re-packing around
//! each target still left out, until time is up.

use crate::enumerate::{candidates, Candidate};
use crate::{BadProblem, Problem, Village};
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How good a plan is, compared in this order: more target villages placed, then more alliances,
/// then less heterogeneity, then more compact alliances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Score {
    pub targets_placed: u32,
    pub alliances: u32,
    pub heterogeneity: u32,
    /// Sum over alliances of the largest distance between two members, in metres (0 when
    /// positions are unknown).
    pub spread_m: u64,
}

impl Score {
    fn key(&self) -> (u32, u32, std::cmp::Reverse<u32>, std::cmp::Reverse<u64>) {
        (
            self.targets_placed,
            self.alliances,
            std::cmp::Reverse(self.heterogeneity),
            std::cmp::Reverse(self.spread_m),
        )
    }
    fn add(&mut self, c: &Candidate) {
        self.targets_placed += c.targets;
        self.alliances += 1;
        self.heterogeneity += c.heterogeneity;
        self.spread_m += c.spread_m;
    }
    fn sub(&mut self, c: &Candidate) {
        self.targets_placed -= c.targets;
        self.alliances -= 1;
        self.heterogeneity -= c.heterogeneity;
        self.spread_m -= c.spread_m;
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
    /// Target villages among the members.
    pub targets: u32,
    pub heterogeneity: u32,
    /// Industries at least two members have, most common first.
    pub shared_industries: Vec<u16>,
    /// Largest distance between two members, in metres (0 when positions are unknown).
    pub spread_m: u64,
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
    /// Whether some chosen candidate holds the village (`owner` in one byte, for the refill's
    /// hot scan).
    taken: Vec<bool>,
    /// Which villages are targets.
    targets: &'a [bool],
    /// For each village, the chosen candidate holding it.
    owner: Vec<Option<usize>>,
    chosen: Vec<bool>,
    score: Score,
}

impl<'a> State<'a> {
    /// The empty plan.
    fn empty(cands: &'a [Candidate], targets: &'a [bool]) -> Self {
        let n = targets.len();
        State {
            cands,
            targets,
            owner: vec![None; n],
            taken: vec![false; n],
            chosen: vec![false; cands.len()],
            score: Score::default(),
        }
    }
    fn fits(&self, c: usize) -> bool {
        self.cands[c].members.iter().all(|&v| !self.taken[v])
    }
    fn add(&mut self, c: usize) {
        let k = &self.cands[c];
        for &v in &k.members {
            self.owner[v] = Some(c);
            self.taken[v] = true;
        }
        self.chosen[c] = true;
        self.score.add(k);
    }
    /// Takes in candidate `c`, dropping the chosen candidates it overlaps; returns those
    /// (ascending).
    fn take_in(&mut self, c: usize) -> Vec<usize> {
        let mut dropped: Vec<usize> = self.cands[c]
            .members
            .iter()
            .filter_map(|&v| self.owner[v])
            .collect();
        dropped.sort_unstable();
        dropped.dedup();
        for &d in &dropped {
            self.remove(d);
        }
        self.add(c);
        dropped
    }
    fn remove(&mut self, c: usize) {
        let k = &self.cands[c];
        for &v in &k.members {
            self.owner[v] = None;
            self.taken[v] = false;
        }
        self.chosen[c] = false;
        self.score.sub(k);
    }
}

/// The ranking of candidates that the local search refills in, the construction falls back on and
/// the odd restarts fill in:
/// most targets, then least heterogeneity, then fewest members (leaving more villages for other
/// alliances); `noise` breaks the remaining ties (and, when not zero, lets a candidate one
/// heterogeneity point worse go first).
fn greedy_order(cands: &[Candidate], noise: &[u64]) -> Vec<usize> {
    // One packed key per candidate (targets descending, heterogeneity with jitter, size, noise),
    // the candidate's index (members ascending, so the same order as comparing members) last.
    let mut keyed: Vec<(u128, usize)> = cands
        .iter()
        .enumerate()
        .map(|(c, k)| {
            let het = u128::from(k.heterogeneity) + u128::from(noise[c].is_multiple_of(3));
            let key = (u128::from(u32::MAX - k.targets) << 96)
                | (het.min(u128::from(u32::MAX)) << 64)
                | ((k.members.len() as u128) << 56)
                | u128::from(noise[c] >> 8);
            (key, c)
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, c)| c).collect()
}

/// Each candidate's position in `order` (a permutation of the candidates).
fn ranks(order: &[usize]) -> Vec<usize> {
    let mut rank = vec![0; order.len()];
    for (k, &c) in order.iter().enumerate() {
        rank[c] = k;
    }
    rank
}

/// Villages, population, leads and targets of a set of villages, for the bound of
/// [`may_improve`].
#[derive(Clone, Copy, Default)]
struct Tally {
    villages: u32,
    population: u64,
    leads: u32,
    targets: u32,
}

impl Tally {
    fn of(v: &Village) -> Self {
        Tally {
            villages: 1,
            population: u64::from(v.population),
            leads: u32::from(v.may_lead),
            targets: u32::from(v.target),
        }
    }
    fn add(&mut self, o: &Tally) {
        self.villages += o.villages;
        self.population += o.population;
        self.leads += o.leads;
        self.targets += o.targets;
    }
    /// At most how many disjoint feasible alliances these villages could form.
    fn room(&self, params: &crate::Params) -> u32 {
        let mut cap = self.villages / params.min_villages.max(1) as u32;
        if params.min_population > 0 {
            cap = cap.min((self.population / u64::from(params.min_population)) as u32);
        }
        if params.one_lead {
            cap = cap.min(self.leads);
        }
        cap
    }
}

/// No group.
const NO_GROUP: u32 = u32::MAX;

/// The free villages some candidate could hold, in connected groups kept up to date as the local
/// search changes the plan, with the scratch space of [`may_improve`]'s bound.
struct Room<'a> {
    p: &'a Problem,
    coverable: Vec<bool>,
    /// Each free coverable village's group (`NO_GROUP` for the others) and each group's tally.
    group: Vec<u32>,
    groups: Vec<Tally>,
    labelled: Vec<u32>,
    label_stamp: u32,
    /// Per call of the bound: villages freed (`stamp`) or taken by the candidate (`stamp + 1`);
    /// the freed villages, their index in that list, and the groups met.
    mark: Vec<u32>,
    stamp: u32,
    freed: Vec<usize>,
    /// Each village's own tally, and one per freed village's set.
    tally: Vec<Tally>,
    tallies: Vec<Tally>,
    slot: Vec<u8>,
    parent: Vec<u8>,
    met: Vec<u32>,
    group_met: Vec<(u32, u8)>,
    stack: Vec<usize>,
}

impl<'a> Room<'a> {
    fn new(p: &'a Problem, by_village: &[Vec<usize>]) -> Self {
        let n = p.villages.len();
        Room {
            p,
            coverable: by_village.iter().map(|l| !l.is_empty()).collect(),
            group: vec![NO_GROUP; n],
            groups: Vec::new(),
            labelled: vec![0; n],
            label_stamp: 0,
            mark: vec![0; n],
            stamp: 0,
            freed: Vec::new(),
            tally: p.villages.iter().map(Tally::of).collect(),
            tallies: Vec::new(),
            slot: vec![0; n],
            parent: Vec::new(),
            met: Vec::new(),
            group_met: Vec::new(),
            stack: Vec::new(),
        }
    }

    /// Re-groups the free villages at or next to `changed` (after a change of the plan there; all
    /// villages at the start). Groups elsewhere are unchanged.
    fn regroup(&mut self, s: &State, changed: impl IntoIterator<Item = usize>) {
        self.label_stamp += 1;
        let stamp = self.label_stamp;
        let adjacency = &self.p.adjacency;
        for v in changed {
            for &start in std::iter::once(&v).chain(&adjacency[v]) {
                if self.labelled[start] == stamp {
                    continue;
                }
                self.labelled[start] = stamp;
                if s.taken[start] || !self.coverable[start] {
                    self.group[start] = NO_GROUP;
                    continue;
                }
                let id = self.groups.len() as u32;
                let mut tally = Tally::default();
                self.stack.clear();
                self.stack.push(start);
                while let Some(x) = self.stack.pop() {
                    self.group[x] = id;
                    tally.add(&self.tally[x]);
                    for &u in &adjacency[x] {
                        if self.labelled[u] != stamp && !s.taken[u] && self.coverable[u] {
                            self.labelled[u] = stamp;
                            self.stack.push(u);
                        }
                    }
                }
                self.groups.push(tally);
                self.group_met.push((0, 0));
            }
        }
    }

    fn find(&mut self, mut i: u8) -> u8 {
        while self.parent[i as usize] != i {
            let up = self.parent[self.parent[i as usize] as usize];
            self.parent[i as usize] = up;
            i = up;
        }
        i
    }

    fn union(&mut self, a: u8, b: u8) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
}

/// Whether adding candidate `c` (dropping the alliances it overlaps, then refilling the villages
/// they free) could score better, by a bound that needs no trial. After the move, every alliance
/// the refill forms lies in one connected set of villages that are free or freed, and holds a
/// freed one; such a set holds at most as many alliances as its villages, population and (one
/// lead each) leads allow, and adds at most its targets. Heterogeneity (then spread) can only
/// fall by what the dropped alliances had.
fn may_improve(s: &State, c: usize, room: &mut Room) -> bool {
    let k = &s.cands[c];
    let mut dropped = [usize::MAX; 8];
    let mut nd = 0;
    for &v in &k.members {
        if let Some(d) = s.owner[v] {
            if !dropped[..nd].contains(&d) && nd < dropped.len() {
                dropped[nd] = d;
                nd += 1;
            }
        }
    }
    let dropped = &dropped[..nd];
    let before = s.score;
    let base = (before.targets_placed, before.alliances);
    let mut t_ub = before.targets_placed + k.targets;
    let mut a_ub = before.alliances + 1;
    let (mut het_d, mut spread_d) = (0u32, 0u64);
    for &d in dropped {
        let x = &s.cands[d];
        t_ub -= x.targets;
        a_ub -= 1;
        het_d += x.heterogeneity;
        spread_d += x.spread_m;
    }
    // At the same targets and alliances, whether the move could still help.
    let better_rest =
        k.heterogeneity < het_d || (k.heterogeneity == het_d && k.spread_m < spread_d);
    let enough = |t: u32, a: u32| (t, a) > base || ((t, a) == base && better_rest);
    if enough(t_ub, a_ub) {
        return true;
    }
    // The freed villages, joined when they border each other or the same group of free villages.
    if room.stamp >= u32::MAX - 3 {
        // Stamps would wrap: start the marks afresh.
        room.stamp = 0;
        room.mark.fill(0);
        room.group_met.fill((0, 0));
    }
    room.stamp += 2;
    let (freed_mark, taken_mark) = (room.stamp, room.stamp + 1);
    for &v in &k.members {
        room.mark[v] = taken_mark;
    }
    room.freed.clear();
    for &d in dropped {
        for &v in &s.cands[d].members {
            if room.mark[v] != taken_mark {
                if room.freed.len() == usize::from(u8::MAX) {
                    // Too many to index in a byte (only with very large alliances): no bound.
                    return true;
                }
                room.mark[v] = freed_mark;
                room.slot[v] = room.freed.len() as u8;
                room.freed.push(v);
            }
        }
    }
    room.parent.clear();
    room.parent.extend(0..room.freed.len() as u8);
    room.met.clear();
    for i in 0..room.freed.len() {
        let v = room.freed[i];
        for &u in &room.p.adjacency[v] {
            if room.mark[u] == freed_mark {
                room.union(i as u8, room.slot[u]);
            } else if room.mark[u] != taken_mark && !s.taken[u] && room.group[u] != NO_GROUP {
                let g = room.group[u] as usize;
                if room.group_met[g].0 == freed_mark {
                    room.union(i as u8, room.group_met[g].1);
                } else {
                    room.group_met[g] = (freed_mark, i as u8);
                    room.met.push(g as u32);
                }
            }
        }
    }
    let mut tallies = std::mem::take(&mut room.tallies);
    tallies.clear();
    tallies.resize(room.freed.len(), Tally::default());
    for i in 0..room.freed.len() {
        let r = room.find(i as u8) as usize;
        tallies[r].add(&room.tally[room.freed[i]]);
    }
    for j in 0..room.met.len() {
        let g = room.met[j] as usize;
        let r = room.find(room.group_met[g].1) as usize;
        tallies[r].add(&room.groups[g]);
    }
    let params = &room.p.params;
    for (i, t) in tallies.iter().enumerate() {
        if room.parent[i] as usize == i {
            let cap = t.room(params);
            if cap > 0 {
                a_ub += cap;
                t_ub += t.targets;
            }
        }
    }
    room.tallies = tallies;

    // At the same targets and alliances at best, only less heterogeneity (or, at equal
    // heterogeneity, a tighter spread) could help.
    enough(t_ub, a_ub)
}

/// No village (end of a bucket's list).
const NIL: u32 = u32::MAX;

/// Villages in buckets by key (targets first, then how many candidates are still open to them),
/// each bucket a doubly linked list, so that taking the most constrained village and lowering a
/// village's count by one are O(1) (plus the upward scan for the lowest non-empty bucket).
struct Buckets {
    head: Vec<u32>,
    next: Vec<u32>,
    prev: Vec<u32>,
    bucket: Vec<u32>,
    lowest: usize,
}

impl Buckets {
    fn new(n: usize, buckets: usize) -> Self {
        Buckets {
            head: vec![NIL; buckets],
            next: vec![NIL; n],
            prev: vec![NIL; n],
            bucket: vec![NIL; n],
            lowest: 0,
        }
    }
    fn insert(&mut self, v: usize, b: usize) {
        let h = self.head[b];
        self.next[v] = h;
        self.prev[v] = NIL;
        if h != NIL {
            self.prev[h as usize] = v as u32;
        }
        self.head[b] = v as u32;
        self.bucket[v] = b as u32;
        self.lowest = self.lowest.min(b);
    }
    fn remove(&mut self, v: usize) {
        let b = self.bucket[v];
        if b == NIL {
            return;
        }
        let (p, x) = (self.prev[v], self.next[v]);
        if p == NIL {
            self.head[b as usize] = x;
        } else {
            self.next[p as usize] = x;
        }
        if x != NIL {
            self.prev[x as usize] = p;
        }
        self.bucket[v] = NIL;
    }
    fn first(&mut self) -> Option<usize> {
        while self.lowest < self.head.len() && self.head[self.lowest] == NIL {
            self.lowest += 1;
        }
        self.head.get(self.lowest).map(|&v| v as usize)
    }
}

/// Greedy construction: repeatedly the most constrained free village (targets first, then the
/// one with the fewest candidates still open to it) joins its best open candidate: fewest
/// members (more villages left for other alliances), then most targets, then the one that closes
/// the fewest other candidates (estimated by the sum of its members' open counts, which counts a
/// candidate once per member it shares), then `rank`. Every
/// candidate overlapping the chosen one closes, lowering its members' counts; a village with none
/// left open stays out.
fn construct(s: &mut State, by_village: &[Vec<usize>], rank: &[usize]) {
    let cands = s.cands;
    let n = by_village.len();
    let mut open = vec![true; cands.len()];
    let mut count: Vec<u32> = by_village.iter().map(|l| l.len() as u32).collect();
    let most = count.iter().copied().max().unwrap_or(0) as usize;
    // Targets in buckets 0..=most by count, the others after them.
    let key = |v: usize, count: u32| count as usize + if s.targets[v] { 0 } else { most + 1 };
    let mut buckets = Buckets::new(n, 2 * (most + 1));
    for v in (0..n).rev() {
        if count[v] > 0 {
            buckets.insert(v, key(v, count[v]));
        }
    }
    while let Some(v) = buckets.first() {
        // The village taken is free, its count is the number of candidates still open to it, and
        // no free village with an open candidate has a lower key (checked in debug builds).
        debug_assert!(!s.taken[v]);
        debug_assert_eq!(
            count[v] as usize,
            by_village[v].iter().filter(|&&c| open[c]).count()
        );
        debug_assert!((0..n)
            .filter(|&u| !s.taken[u] && count[u] > 0)
            .all(|u| key(u, count[u]) >= key(v, count[v])));
        let best = by_village[v]
            .iter()
            .copied()
            .filter(|&c| open[c])
            .min_by_key(|&c| {
                let k = &cands[c];
                let closes: u32 = k.members.iter().map(|&u| count[u]).sum();
                (k.members.len(), u32::MAX - k.targets, closes, rank[c])
            });
        debug_assert!(
            best.is_some(),
            "village {v} is queued with no open candidate"
        );
        let Some(c) = best else {
            // Not reached: a village is in a bucket only while some candidate is open to it.
            buckets.remove(v);
            continue;
        };
        s.add(c);
        for &u in &cands[c].members {
            buckets.remove(u);
            for &k in &by_village[u] {
                if open[k] {
                    open[k] = false;
                    for &w in &cands[k].members {
                        count[w] -= 1;
                        if !s.taken[w] {
                            buckets.remove(w);
                            if count[w] > 0 {
                                buckets.insert(w, key(w, count[w]));
                            }
                        }
                    }
                }
            }
        }
    }
}

/// How a run starts: the ranking of the candidates (best first), and whether the first plan comes
/// from [`construct`] or from greedy filling in the ranking.
struct Start<'o> {
    order: &'o [usize],
    constrained: bool,
}

/// A start, then local search until no move helps or time is up.
fn run<'a>(
    cands: &'a [Candidate],
    Start { order, constrained }: Start,
    by_village: &[Vec<usize>],
    targets: &'a [bool],
    p: &Problem,
    next: &mut impl FnMut() -> u64,
    deadline: Instant,
) -> State<'a> {
    let n = targets.len();
    let rank = ranks(order);
    let mut s = State::empty(cands, targets);
    if constrained {
        construct(&mut s, by_village, &rank);
    } else {
        // Greedy filling in rank order: another start for the restarts to differ by.
        for &c in order {
            if s.fits(c) {
                s.add(c);
            }
        }
    }
    // Each village's candidates in this run's order, each as its index, the number of other
    // members and those members, one after another: the refill reads them in sequence.
    let lists: Vec<Vec<u32>> = by_village
        .iter()
        .enumerate()
        .map(|(v, l)| {
            let mut l = l.clone();
            l.sort_unstable_by_key(|&k| rank[k]);
            let mut out = Vec::with_capacity(l.len() * (2 + p.params.max_villages + 1));
            for k in l {
                out.push(k as u32);
                out.push(cands[k].members.len() as u32 - 1);
                out.extend(
                    cands[k]
                        .members
                        .iter()
                        .filter(|&&u| u != v)
                        .map(|&u| u as u32),
                );
            }
            out
        })
        .collect();
    let mut heads: Vec<(usize, usize)> = Vec::new();
    let mut room = Room::new(p, by_village);
    room.regroup(&s, 0..n);
    let mut visit: Vec<usize> = (0..cands.len()).collect();
    for i in (1..visit.len()).rev() {
        visit.swap(i, (next() % (i as u64 + 1)) as usize);
    }
    // Don't-look queue: every candidate once in random order, then again only those near an
    // accepted move (where a move that failed before may now succeed).
    let mut queue: std::collections::VecDeque<usize> = visit.into_iter().collect();
    let mut queued = vec![true; cands.len()];
    let mut polled = 0usize;
    while let Some(c) = queue.pop_front() {
        queued[c] = false;
        polled += 1;
        if polled.is_multiple_of(256) && Instant::now() >= deadline {
            break;
        }
        if s.chosen[c] || !may_improve(&s, c, &mut room) {
            continue;
        }
        let before = s.score;
        let dropped = s.take_in(c);
        // Refill the villages the dropped alliances freed.
        heads.clear();
        heads.extend(
            dropped
                .iter()
                .flat_map(|&d| cands[d].members.iter().copied())
                .filter(|&v| s.owner[v].is_none())
                .map(|v| (v, 0usize)),
        );
        heads.sort_unstable();
        heads.dedup();
        // Greedy refill in rank order: repeatedly the best-ranked candidate that fits and holds a
        // freed village still free. Each village's list is in rank order and a candidate that
        // no longer fits never fits again in this refill, so each list is read at most once.
        let mut added = Vec::new();
        loop {
            let mut best: Option<usize> = None;
            for (v, at) in heads.iter_mut() {
                if s.owner[*v].is_some() {
                    continue;
                }
                let list = &lists[*v];
                while *at < list.len() {
                    let others = &list[*at + 2..*at + 2 + list[*at + 1] as usize];
                    if others.iter().all(|&u| !s.taken[u as usize]) {
                        break;
                    }
                    *at += 2 + others.len();
                }
                if let Some(&k) = list.get(*at) {
                    let k = k as usize;
                    if best.is_none_or(|b| rank[k] < rank[b]) {
                        best = Some(k);
                    }
                }
            }
            let Some(k) = best else { break };
            s.add(k);
            added.push(k);
        }
        if s.score > before {
            // Moves near the change may help now: queue the candidates holding a village whose
            // alliance changed.
            let touched = dropped
                .iter()
                .chain(std::iter::once(&c))
                .chain(added.iter())
                .flat_map(|&d| cands[d].members.iter().copied());
            room.regroup(&s, touched.clone());
            // A move that only tightened the spread (the last tie-break) queues nothing.
            let spread_only = (
                s.score.targets_placed,
                s.score.alliances,
                s.score.heterogeneity,
            ) == (
                before.targets_placed,
                before.alliances,
                before.heterogeneity,
            );
            if !spread_only {
                for v in touched {
                    for &k in &by_village[v] {
                        if !queued[k] {
                            queued[k] = true;
                            queue.push_back(k);
                        }
                    }
                }
            }
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
    s
}

/// Runs (a start, then local search) per part.
const RESTARTS: u64 = 4;
/// Candidates × restarts a part may spend on restarts (however many threads run them).
const RESTART_BUDGET: u64 = 8_000;

/// How far planning has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Independent parts the instance split into, and how many are planned.
    pub parts: usize,
    pub parts_done: usize,
    /// Villages in those parts, and how many of them are in planned parts.
    pub villages: usize,
    pub villages_done: usize,
}

/// Plans the problem: deterministic for a given `seed`, and returns the best plan found when
/// `limit` runs out.
pub fn solve(p: &Problem, seed: u64, limit: Duration) -> Result<Plan, BadProblem> {
    solve_with(p, seed, limit, &|_| {})
}

/// A part of the instance that can be planned on its own: its villages (global indices, ascending)
/// and the sub-problem over them.
struct Part {
    villages: Vec<usize>,
    problem: Problem,
}

/// What planning one part found: the chosen alliances (global indices), and which of its villages
/// some feasible alliance could hold.
struct PartPlan {
    chosen: Vec<Candidate>,
    coverable: Vec<usize>,
    candidates: usize,
}

/// [`solve`], reporting progress after each part (from the worker threads).
pub fn solve_with(
    p: &Problem,
    seed: u64,
    limit: Duration,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Plan, BadProblem> {
    p.validate()?;
    let deadline = Instant::now() + limit;
    let n = p.villages.len();
    let parts = split(p);
    let total = Progress {
        parts: parts.len(),
        parts_done: 0,
        villages: parts.iter().map(|x| x.villages.len()).sum(),
        villages_done: 0,
    };
    progress(total);
    let (parts_done, villages_done) = (AtomicUsize::new(0), AtomicUsize::new(0));
    // A lone part runs its restarts on up to two threads; several parts already share the pool.
    // The number of restarts does not depend on the threads, so neither does the plan.
    let restart_threads = if parts.len() == 1 { 2 } else { 1 };
    let plan_one = |part: &Part| {
        // Each part's seed depends on the part only, so the plan does not depend on which
        // thread ran what.
        let part_seed = seed ^ (part.villages[0] as u64).wrapping_mul(0xA24B_AED4_963E_E407);
        let found = plan_part(&part.problem, part_seed, deadline, restart_threads);
        let done = Progress {
            parts_done: parts_done.fetch_add(1, Ordering::Relaxed) + 1,
            villages_done: villages_done.fetch_add(part.villages.len(), Ordering::Relaxed)
                + part.villages.len(),
            ..total
        };
        progress(done);
        let global = |local: &[usize]| local.iter().map(|&v| part.villages[v]).collect();
        PartPlan {
            chosen: found
                .chosen
                .iter()
                .map(|c| Candidate {
                    members: global(&c.members),
                    lead: c.lead.map(|l| part.villages[l]),
                    ..c.clone()
                })
                .collect(),
            coverable: global(&found.coverable),
            candidates: found.candidates,
        }
    };
    // One part is planned on the calling thread: no thread pool to start for a small instance.
    let planned: Vec<PartPlan> = if parts.len() > 1 {
        parts.par_iter().map(plan_one).collect()
    } else {
        parts.iter().map(plan_one).collect()
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
                targets: members.iter().filter(|&&v| p.villages[v].target).count() as u32,
                heterogeneity: p.heterogeneity(&members),
                shared_industries: shared_industries(p, &members),
                spread_m: crate::enumerate::spread(p, &members),
                members,
                locked: true,
            }
        })
        .collect();
    let mut coverable = vec![false; n];
    let mut chosen: Vec<Candidate> = Vec::new();
    for part in planned.iter() {
        for &v in &part.coverable {
            coverable[v] = true;
        }
        chosen.extend(part.chosen.iter().cloned());
    }
    chosen.sort_by(|a, b| a.members.cmp(&b.members));
    alliances.extend(chosen.into_iter().map(|k| Alliance {
        shared_industries: shared_industries(p, &k.members),
        members: k.members,
        lead: k.lead,
        population: k.population,
        targets: k.targets,
        heterogeneity: k.heterogeneity,
        spread_m: k.spread_m,
        locked: false,
    }));
    let mut score = Score::default();
    let mut placed = vec![false; n];
    for a in &alliances {
        score.targets_placed += a.targets;
        score.alliances += 1;
        score.heterogeneity += a.heterogeneity;
        score.spread_m += a.spread_m;
        for &m in &a.members {
            placed[m] = true;
        }
    }
    let unplaced = (0..n)
        .filter(|&v| p.villages[v].target && !placed[v])
        .map(|v| {
            let (zh, en) = if p.villages[v].excluded {
                ("标记为不参与联建", "marked as not to be grouped")
            } else if !coverable[v] {
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
        candidates: planned.iter().map(|x| x.candidates).sum(),
    })
}

/// Industries at least two members have, most common first (then by number).
fn shared_industries(p: &Problem, members: &[usize]) -> Vec<u16> {
    let mut count: Vec<(u16, usize)> = Vec::new();
    for &m in members {
        let mut own = p.villages[m].industries.clone();
        own.sort_unstable();
        own.dedup();
        for i in own {
            match count.iter_mut().find(|(k, _)| *k == i) {
                Some(c) => c.1 += 1,
                None => count.push((i, 1)),
            }
        }
    }
    count.retain(|&(_, c)| c >= 2);
    count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    count.into_iter().map(|(i, _)| i).collect()
}

/// The independent parts: connected components of the villages free to group (not excluded, not
/// locked), through borders between villages of one township when alliances stay inside one. A
/// component too small for any alliance is left out.
fn split(p: &Problem) -> Vec<Part> {
    let n = p.villages.len();
    let mut free: Vec<bool> = p.villages.iter().map(|v| !v.excluded).collect();
    for g in &p.locked {
        for &v in g {
            free[v] = false;
        }
    }
    let joined = |a: usize, b: usize| {
        free[b] && (!p.params.same_township || p.villages[a].township == p.villages[b].township)
    };
    let mut part_of = vec![usize::MAX; n];
    let mut parts = Vec::new();
    for start in 0..n {
        if !free[start] || part_of[start] != usize::MAX {
            continue;
        }
        let id = parts.len();
        let mut members = vec![start];
        part_of[start] = id;
        let mut k = 0;
        while k < members.len() {
            let v = members[k];
            for &u in &p.adjacency[v] {
                if part_of[u] == usize::MAX && joined(v, u) {
                    part_of[u] = id;
                    members.push(u);
                }
            }
            k += 1;
        }
        members.sort_unstable();
        parts.push(members);
    }
    parts
        .into_iter()
        .filter(|m| m.len() >= p.params.min_villages)
        .map(|members| {
            let problem = sub_problem(p, &members, |v| part_of[v] == part_of[members[0]]);
            Part {
                villages: members,
                problem,
            }
        })
        .collect()
}

/// The problem restricted to `members` (ascending): adjacency, forbidden and pinned pairs among
/// them, locked alliances cut to them. A member pinned to a village outside can never be placed:
/// it is pinned to an extra excluded village with no neighbours, so the rule stays a pinned pair
/// (and relaxing the pinned pairs frees it).
fn sub_problem(p: &Problem, members: &[usize], inside: impl Fn(usize) -> bool) -> Problem {
    let local = |v: usize| members.binary_search(&v).ok();
    let mut villages: Vec<Village> = members.iter().map(|&v| p.villages[v].clone()).collect();
    let mut adjacency: Vec<Vec<usize>> = members
        .iter()
        .map(|&v| {
            p.adjacency[v]
                .iter()
                .filter(|&&u| inside(u))
                .filter_map(|&u| local(u))
                .collect()
        })
        .collect();
    let forbidden = p
        .forbidden
        .iter()
        .filter_map(|&(a, b)| Some((local(a)?, local(b)?)))
        .collect();
    let mut pinned = Vec::new();
    let mut outside = None;
    for &(a, b) in &p.pinned {
        match (local(a), local(b)) {
            (Some(x), Some(y)) => pinned.push((x, y)),
            (Some(x), None) | (None, Some(x)) => {
                let o = *outside.get_or_insert_with(|| {
                    villages.push(Village {
                        code: String::new(),
                        population: 0,
                        position: None,
                        industries: Vec::new(),
                        target: false,
                        may_lead: false,
                        excluded: true,
                        township: 0,
                    });
                    adjacency.push(Vec::new());
                    villages.len() - 1
                });
                pinned.push((x, o));
            }
            (None, None) => {}
        }
    }
    let locked = p
        .locked
        .iter()
        .map(|g| g.iter().filter_map(|&v| local(v)).collect::<Vec<_>>())
        .filter(|g| !g.is_empty())
        .collect();
    Problem {
        villages,
        adjacency,
        params: p.params.clone(),
        locked,
        forbidden,
        pinned,
    }
}

/// One part's plan, in the part's own indices.
fn plan_part(p: &Problem, seed: u64, deadline: Instant, threads: usize) -> PartPlan {
    let all = candidates(p);
    let n = p.villages.len();
    let mut coverable = vec![false; n];
    for c in &all {
        for &v in &c.members {
            coverable[v] = true;
        }
    }
    let coverable: Vec<usize> = (0..n).filter(|&v| coverable[v]).collect();
    let total = all.len();
    let cands = undominated(p, all);
    let by_village = by_village(n, &cands);
    let targets: Vec<bool> = p.villages.iter().map(|v| v.target).collect();
    let mut next = xorshift(seed ^ 0x9E37_79B9_7F4A_7C15);
    // Restarts: the first with the plain greedy ranking, the others with noise in its ties (the
    // ranking breaks the construction's last ties and orders the refills); even ones start from
    // the most-constrained-first construction, odd ones from greedy filling in the ranking (two
    // kinds of start find more than one kind with noise: 198 against 195 of the 200 small optima
    // matched); each improved by local search; the best kept (the first of equals). Small parts get
    // every restart, large ones fewer (each run costs in proportion to the number of candidates),
    // so the work depends on the instance only and the plan on the seed: each restart has its own
    // random stream, whichever thread runs it. Measured: from the construction above, a second
    // restart of a county-size part rarely finds more, and on two cores (which may share one
    // physical core) it cost more wall time than it saved.
    let restarts = (RESTART_BUDGET / cands.len().max(1) as u64).clamp(1, RESTARTS) as usize;
    let streams: Vec<u64> = (0..restarts).map(|_| next()).collect();
    let one = |restart: usize| {
        let mut next = xorshift(streams[restart] | 1);
        let noise: Vec<u64> = (0..cands.len())
            .map(|_| if restart == 0 { 0 } else { next() })
            .collect();
        let order = greedy_order(&cands, &noise);
        run(
            &cands,
            Start {
                order: &order,
                constrained: restart.is_multiple_of(2),
            },
            &by_village,
            &targets,
            p,
            &mut next,
            deadline,
        )
    };
    // Restart k runs on thread k mod `threads`; a thread stops starting restarts at the deadline.
    let share = |first: usize| {
        (first..restarts)
            .step_by(threads.max(1))
            .map_while(|r| (r < threads || Instant::now() < deadline).then(|| (r, one(r))))
            .collect::<Vec<_>>()
    };
    let mut runs: Vec<(usize, State)> = if threads > 1 && restarts > 1 {
        std::thread::scope(|sc| {
            let others: Vec<_> = (1..threads.min(restarts))
                .map(|t| sc.spawn(move || share(t)))
                .collect();
            let mut all = share(0);
            for h in others {
                all.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            }
            all
        })
    } else {
        share(0)
    };
    runs.sort_by_key(|(r, _)| *r);
    let mut best: Option<State> = None;
    for (_, s) in runs {
        if best.as_ref().is_none_or(|b| s.score > b.score) {
            best = Some(s);
        }
    }
    // Then large-neighbourhood search on the best: a fixed number of rounds per village, so the
    // plan depends on the seed only (unless time runs out first).
    // Its centres are the villages some alliance could hold.
    let mut rooted: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, c) in cands.iter().enumerate() {
        rooted[c.members[0]].push(i);
    }
    let lists = Lists {
        by_village: &by_village,
        rooted: &rooted,
    };
    let lists = &lists;
    if let Some(s) = best.as_mut() {
        let effort = Effort {
            rounds: LNS_ROUNDS_PER_VILLAGE * coverable.len(),
            region: LNS_REGION,
            nodes: LNS_NODES,
        };
        lns(s, p, lists, &coverable, effort, &mut next, deadline);
        // Then repair: a few rounds centred on each target still left out, over wider regions
        // with a larger search budget (placing targets comes first in the score).
        let left_out: Vec<usize> = coverable
            .iter()
            .copied()
            .filter(|&v| s.targets[v] && s.owner[v].is_none())
            .collect();
        for &t in &left_out {
            if s.owner[t].is_none() {
                let effort = Effort {
                    rounds: REPAIR_ROUNDS,
                    region: REPAIR_REGION,
                    nodes: REPAIR_NODES,
                };
                lns(s, p, lists, &[t], effort, &mut next, deadline);
            }
        }
    }
    let chosen = match &best {
        Some(s) => (0..cands.len())
            .filter(|&c| s.chosen[c])
            .map(|c| cands[c].clone())
            .collect(),
        None => Vec::new(),
    };
    PartPlan {
        chosen,
        coverable,
        candidates: total,
    }
}

/// Each village's candidates (indices, ascending).
fn by_village(n: usize, cands: &[Candidate]) -> Vec<Vec<usize>> {
    let mut by_village: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, c) in cands.iter().enumerate() {
        for &v in &c.members {
            by_village[v].push(i);
        }
    }
    by_village
}

/// The candidates no other candidate dominates. Candidate `k` is dominated by `k'` when `k'` holds
/// a proper subset of `k`'s members and the same targets: any plan with `k` scores at least as well
/// with `k'` instead (same targets and alliances, heterogeneity and spread no larger, more villages
/// left for others), so dropping `k` keeps every optimum within reach. Order is kept.
fn undominated(p: &Problem, cands: Vec<Candidate>) -> Vec<Candidate> {
    let min = p.params.min_villages.max(1);
    let set: rustc_hash::FxHashSet<&[usize]> = cands.iter().map(|c| c.members.as_slice()).collect();
    let mut sub = Vec::with_capacity(8);
    let keep: Vec<bool> = cands
        .iter()
        .map(|c| {
            let m = &c.members;
            if m.len() <= min || m.len() > 16 {
                return true;
            }
            // Masks of members to drop: non-empty, non-targets only, leaving at least `min`.
            let spare: u32 = m
                .iter()
                .enumerate()
                .filter(|&(_, &v)| !p.villages[v].target)
                .fold(0, |acc, (i, _)| acc | (1 << i));
            let mut drop = spare;
            while drop != 0 {
                if m.len() - drop.count_ones() as usize >= min {
                    sub.clear();
                    sub.extend(
                        m.iter()
                            .enumerate()
                            .filter(|&(i, _)| drop & (1 << i) == 0)
                            .map(|(_, &v)| v),
                    );
                    if set.contains(sub.as_slice()) {
                        return false;
                    }
                }
                drop = (drop - 1) & spare;
            }
            true
        })
        .collect();
    drop(set);
    cands
        .into_iter()
        .zip(keep)
        .filter_map(|(c, k)| k.then_some(c))
        .collect()
}

/// A xorshift random stream from `seed` (not zero).
fn xorshift(mut rng: u64) -> impl FnMut() -> u64 {
    move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    }
}

/// The problem with villages `0` and `me` swapped.
fn first(p: &Problem, me: usize) -> Problem {
    let f = |i: usize| {
        if i == me {
            0
        } else if i == 0 {
            me
        } else {
            i
        }
    };
    let mut q = p.clone();
    q.villages.swap(0, me);
    q.adjacency.swap(0, me);
    for l in &mut q.adjacency {
        for u in l.iter_mut() {
            *u = f(*u);
        }
    }
    for g in &mut q.locked {
        for u in g.iter_mut() {
            *u = f(*u);
        }
    }
    for (a, b) in q.forbidden.iter_mut().chain(q.pinned.iter_mut()) {
        (*a, *b) = (f(*a), f(*b));
    }
    q
}

/// The first rule that leaves `v` without any feasible alliance, found by relaxing one rule at a
/// time. Only the villages within `max_villages − 1` borders of `v` can share an alliance with it,
/// so only they are looked at.
fn why_none(p: &Problem, v: usize) -> (&'static str, &'static str) {
    if p.adjacency[v].is_empty() {
        return ("没有相邻的村", "it has no neighbouring village");
    }
    let mut hops = vec![usize::MAX; p.villages.len()];
    hops[v] = 0;
    let mut near = vec![v];
    let mut k = 0;
    while k < near.len() {
        let x = near[k];
        if hops[x] + 1 < p.params.max_villages {
            for &u in &p.adjacency[x] {
                if hops[u] == usize::MAX {
                    hops[u] = hops[x] + 1;
                    near.push(u);
                }
            }
        }
        k += 1;
    }
    near.sort_unstable();
    let q = sub_problem(p, &near, |u| hops[u] != usize::MAX);
    let Ok(me) = near.binary_search(&v) else {
        return (
            "相邻的村数不够组成联建",
            "too few villages around it to form an alliance",
        );
    };
    // With `v` renumbered first, the alliances holding it are exactly those rooted at 0.
    let q = first(&q, me);
    let relaxed = |f: &dyn Fn(&mut Problem)| {
        let mut r = q.clone();
        f(&mut r);
        !crate::enumerate::candidates_rooted(&r, 0..1).is_empty()
    };
    if relaxed(&|r| r.params.one_lead = false) {
        return (
            "附近没有可带动的强村（每个联建需一个牵头村）",
            "no strong village nearby to lead it (one lead per alliance)",
        );
    }
    if relaxed(&|r| r.params.max_population = u32::MAX) {
        return (
            "与邻村合计人口超过上限",
            "with its neighbours it exceeds the population ceiling",
        );
    }
    if relaxed(&|r| r.params.min_population = 0) {
        return (
            "与邻村合计人口达不到下限",
            "with its neighbours it stays below the population floor",
        );
    }
    if relaxed(&|r| r.params.max_distance = None) {
        return (
            "邻村距离超过上限",
            "its neighbours are farther than the distance limit",
        );
    }
    if relaxed(&|r| r.params.same_township = false) {
        return (
            "本乡镇内凑不成联建",
            "no alliance can be formed inside its township",
        );
    }
    if relaxed(&|r| {
        r.forbidden.clear();
        r.pinned.clear();
    }) {
        return (
            "受禁止或必须同组的村对限制",
            "a forbidden or pinned pair rules it out",
        );
    }
    if relaxed(&|r| r.locked.clear()) {
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

/// Villages a neighbourhood of the large-neighbourhood search frees around its centre (before the
/// alliances touching them are freed whole).
const LNS_REGION: usize = 8;
/// Rounds of large-neighbourhood search per village that some alliance could hold.
const LNS_ROUNDS_PER_VILLAGE: usize = 1;
/// Search nodes one exact re-packing may spend; past it the best packing found so far is used.
const LNS_NODES: u32 = 300;
/// Repair rounds per target left out, the villages each frees around it, and their search budget.
const REPAIR_ROUNDS: usize = 3;
const REPAIR_REGION: usize = 16;
const REPAIR_NODES: u32 = 5_000;

/// Each village's candidates, and the candidates whose smallest member it is.
struct Lists<'a> {
    by_village: &'a [Vec<usize>],
    rooted: &'a [Vec<usize>],
}

/// How much large-neighbourhood search to do: rounds, villages each frees around its centre
/// (before the alliances touching them are freed whole), and search nodes per re-packing.
#[derive(Clone, Copy)]
struct Effort {
    rounds: usize,
    region: usize,
    nodes: u32,
}

/// Exact re-packing of a freed set of villages: the best set of disjoint candidates inside it.
/// Freed villages are numbered by their position (at most [`REPACK_MAX`]), and a set of them is a
/// bit mask.
struct Repack<'a> {
    cands: &'a [Candidate],
    /// Number of freed villages, and for each the candidates inside the set whose smallest member
    /// it is (best first), each with its members' mask.
    len: usize,
    /// The mask of all `len` freed villages.
    all: u128,
    starts: Vec<Vec<(usize, u128)>>,
    /// Targets among the freed villages from position i on.
    targets_after: Vec<u32>,
    min_villages: usize,
    used: u128,
    chosen: Vec<usize>,
    best: (Score, Vec<usize>),
    nodes: u32,
    max_nodes: u32,
}

/// Most villages one re-packing may free (one bit each in a `u128`); a larger neighbourhood (only
/// with alliances of more than eight villages) is skipped.
const REPACK_MAX: usize = 128;

impl<'a> Repack<'a> {
    /// A re-packing of `starts.len()` freed villages (at most [`REPACK_MAX`]) that must beat
    /// `best` (the packing it replaces) within `max_nodes` search nodes.
    fn new(
        cands: &'a [Candidate],
        starts: Vec<Vec<(usize, u128)>>,
        targets_after: Vec<u32>,
        min_villages: usize,
        best: (Score, Vec<usize>),
        max_nodes: u32,
    ) -> Self {
        let len = starts.len();
        debug_assert!(len <= REPACK_MAX);
        Repack {
            cands,
            len,
            all: u128::MAX
                .checked_shr(REPACK_MAX.saturating_sub(len) as u32)
                .unwrap_or(0),
            starts,
            targets_after,
            min_villages,
            used: 0,
            chosen: Vec::new(),
            best,
            nodes: 0,
            max_nodes,
        }
    }

    fn dfs(&mut self, i: usize, score: Score) {
        if self.nodes >= self.max_nodes {
            return;
        }
        self.nodes += 1;
        if score > self.best.0 {
            self.best.0 = score;
            self.best.1.clear();
            self.best.1.extend_from_slice(&self.chosen);
        }
        // Bound: even placing every remaining target (and as many alliances as the remaining
        // villages allow) cannot beat the best.
        let rest = self.len - i;
        let bound_t = score.targets_placed + self.targets_after.get(i).copied().unwrap_or(0);
        let bound_a = score.alliances + (rest / self.min_villages.max(1)) as u32;
        let reachable = (bound_t, bound_a, std::cmp::Reverse(score.heterogeneity));
        let best = &self.best.0;
        if reachable
            < (
                best.targets_placed,
                best.alliances,
                std::cmp::Reverse(best.heterogeneity),
            )
        {
            return;
        }
        // The first village at or after i not yet used.
        let open = !self.used & self.all & u128::MAX.checked_shl(i as u32).unwrap_or(0);
        if open == 0 {
            return;
        }
        let pos = open.trailing_zeros() as usize;
        for s in 0..self.starts[pos].len() {
            let (c, mask) = self.starts[pos][s];
            if mask & self.used != 0 {
                continue;
            }
            self.used |= mask;
            self.chosen.push(c);
            let mut next = score;
            next.add(&self.cands[c]);
            self.dfs(pos + 1, next);
            self.chosen.pop();
            self.used &= !mask;
        }
        self.used |= 1 << pos;
        self.dfs(pos + 1, score);
        self.used &= !(1 << pos);
    }
}

/// Large-neighbourhood search: `rounds` times, frees every alliance near a random village and
/// re-packs the freed villages exactly (within a node budget); keeps the new packing when it
/// scores better. Feasibility holds throughout: only whole candidates are ever chosen.
fn lns(
    s: &mut State,
    p: &Problem,
    Lists { by_village, rooted }: &Lists,
    centres: &[usize],
    Effort {
        rounds,
        region: region_size,
        nodes: max_nodes,
    }: Effort,
    next: &mut impl FnMut() -> u64,
    deadline: Instant,
) {
    let n = p.villages.len();
    let cands = s.cands;
    let mut mark = vec![0u32; n];
    let mut slot = vec![0usize; n];
    let mut stamp = 0u32;
    for round in 0..rounds {
        if centres.is_empty() || (round % 64 == 0 && Instant::now() >= deadline) {
            break;
        }
        stamp += 1;
        // The region: a breadth-first ball around a random centre.
        let centre = centres[(next() % centres.len() as u64) as usize];
        let mut region = vec![centre];
        mark[centre] = stamp;
        let mut head = 0;
        while head < region.len() && region.len() < region_size {
            let v = region[head];
            head += 1;
            let start = (next() % p.adjacency[v].len().max(1) as u64) as usize;
            for k in 0..p.adjacency[v].len() {
                let u = p.adjacency[v][(start + k) % p.adjacency[v].len()];
                if mark[u] != stamp && !by_village[u].is_empty() {
                    mark[u] = stamp;
                    region.push(u);
                    if region.len() >= region_size {
                        break;
                    }
                }
            }
        }
        // Free the alliances touching the region.
        let mut removed: Vec<usize> = region.iter().filter_map(|&v| s.owner[v]).collect();
        removed.sort_unstable();
        removed.dedup();
        let mut freed = region;
        for &c in &removed {
            for &v in &cands[c].members {
                if mark[v] != stamp {
                    mark[v] = stamp;
                    freed.push(v);
                }
            }
        }
        freed.sort_unstable();
        if freed.len() > REPACK_MAX {
            continue;
        }
        let mut old = Score::default();
        for &c in &removed {
            old.add(&cands[c]);
            s.remove(c);
        }
        // Candidates wholly inside the freed villages, by smallest member.
        for (k, &v) in freed.iter().enumerate() {
            slot[v] = k;
        }
        let starts: Vec<Vec<(usize, u128)>> = freed
            .iter()
            .map(|&v| {
                let mut list: Vec<usize> = rooted[v]
                    .iter()
                    .copied()
                    .filter(|&c| {
                        let m = &cands[c].members;
                        m.iter().all(|&u| mark[u] == stamp && s.owner[u].is_none())
                    })
                    .collect();
                list.sort_by_cached_key(|&c| {
                    let k = &cands[c];
                    (
                        std::cmp::Reverse(k.targets),
                        k.heterogeneity,
                        k.members.len(),
                        next() >> 40,
                    )
                });
                list.into_iter()
                    .map(|c| {
                        let mask = cands[c]
                            .members
                            .iter()
                            .fold(0u128, |m, &u| m | 1 << slot[u]);
                        (c, mask)
                    })
                    .collect()
            })
            .collect();
        let mut targets_after = vec![0u32; freed.len() + 1];
        for k in (0..freed.len()).rev() {
            targets_after[k] = targets_after[k + 1] + u32::from(s.targets[freed[k]]);
        }
        let mut r = Repack::new(
            cands,
            starts,
            targets_after,
            p.params.min_villages,
            (old, removed.clone()),
            max_nodes,
        );
        r.dfs(0, Score::default());
        for &c in &r.best.1 {
            s.add(c);
        }
    }
}

#[cfg(test)]
mod bound_tests {
    //! The local search's bound never rules out a move that helps: on small random lattices and
    //! random packings, every move whose best possible refill scores better passes `may_improve`.
    use super::*;
    use crate::synthetic::lattice;

    /// A random lattice of `w` × `h` villages: its problem, candidates, each village's candidates
    /// and target flags.
    pub(super) fn instance(
        w: usize,
        h: usize,
        seed: u64,
        one_lead: bool,
    ) -> (Problem, Vec<Candidate>, Vec<Vec<usize>>, Vec<bool>) {
        let mut p = lattice(w, h, seed);
        p.params.one_lead = one_lead;
        let cands = candidates(&p);
        let by_village = by_village(p.villages.len(), &cands);
        let targets = p.villages.iter().map(|v| v.target).collect();
        (p, cands, by_village, targets)
    }

    /// The best score after taking in `c` (dropping the chosen candidates it overlaps) and adding
    /// any set of disjoint candidates that fit and each hold a village the dropped ones freed.
    fn best_after(s: &mut State, c: usize) -> Score {
        let cands = s.cands;
        let dropped = s.take_in(c);
        let freed: Vec<usize> = dropped
            .iter()
            .flat_map(|&d| cands[d].members.iter().copied())
            .filter(|&v| !s.taken[v])
            .collect();
        let options: Vec<usize> = (0..cands.len())
            .filter(|&k| s.fits(k) && cands[k].members.iter().any(|v| freed.contains(v)))
            .collect();
        fn go(s: &mut State, options: &[usize], from: usize, best: &mut Score) {
            if s.score > *best {
                *best = s.score;
            }
            for (j, &k) in options.iter().enumerate().skip(from) {
                if s.fits(k) {
                    s.add(k);
                    go(s, options, j + 1, best);
                    s.remove(k);
                }
            }
        }
        let mut best = s.score;
        go(s, &options, 0, &mut best);
        best
    }

    #[test]
    fn the_bound_never_rules_out_a_move_that_helps() {
        let (mut looked, mut helped, mut ruled_out) = (0, 0, 0);
        for seed in 0..80u64 {
            let (w, h) = [(5, 2), (4, 3), (6, 2), (5, 3), (4, 4)][seed as usize % 5];
            let (p, cands, by_village, targets) = instance(w, h, 500 + seed, seed % 2 == 0);
            let n = p.villages.len();
            let mut next = xorshift(seed + 1);
            // A random packing that leaves room: candidates in random order, each taken half the
            // time when it fits.
            let mut s = State::empty(&cands, &targets);
            for _ in 0..cands.len() {
                let c = (next() % cands.len().max(1) as u64) as usize;
                if next().is_multiple_of(2) && s.fits(c) {
                    s.add(c);
                }
            }
            let mut room = Room::new(&p, &by_village);
            room.regroup(&s, 0..n);
            for c in 0..cands.len() {
                if s.chosen[c] {
                    continue;
                }
                looked += 1;
                let passes = may_improve(&s, c, &mut room);
                ruled_out += usize::from(!passes);
                if best_after(&mut s.clone(), c) > s.score {
                    helped += 1;
                    assert!(
                        passes,
                        "seed {seed}: the bound ruled out candidate {c}, which helps"
                    );
                }
            }
        }
        // The test means something only if both kinds of move occur often.
        assert!(helped >= 100, "only {helped} helping moves of {looked}");
        assert!(
            ruled_out >= 100,
            "only {ruled_out} moves ruled out of {looked}"
        );
        println!("{looked} moves looked at: {helped} help, {ruled_out} ruled out by the bound");
    }
}

#[cfg(test)]
mod construct_tests {
    //! The construction's bucket queue always yields a village of the lowest non-empty bucket, and
    //! the construction ends with a packing no candidate can be added to.
    use super::bound_tests::instance;
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn buckets_yield_a_village_of_the_lowest_bucket() {
        let mut next = xorshift(7);
        for round in 0..50 {
            let (n, nb) = (1 + round % 17, 1 + round % 9);
            let mut b = Buckets::new(n, nb);
            let mut model: BTreeSet<(usize, usize)> = BTreeSet::new();
            let mut at: Vec<Option<usize>> = vec![None; n];
            for _ in 0..400 {
                let v = (next() % n as u64) as usize;
                match next() % 3 {
                    0 => {
                        b.remove(v);
                        if let Some(k) = at[v].take() {
                            model.remove(&(k, v));
                        }
                    }
                    _ => {
                        // Move v to any bucket (the construction only ever moves one lower),
                        // or insert it.
                        let k = (next() % nb as u64) as usize;
                        b.remove(v);
                        if let Some(old) = at[v].take() {
                            model.remove(&(old, v));
                        }
                        b.insert(v, k);
                        model.insert((k, v));
                        at[v] = Some(k);
                    }
                }
                let got = b.first();
                match model.first() {
                    None => assert_eq!(got, None),
                    Some(&(k, _)) => {
                        let v = got.expect("a village while the model has one");
                        assert_eq!(
                            at[v],
                            Some(k),
                            "round {round}: village {v} is not in the lowest bucket {k}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_construction_leaves_no_candidate_that_fits() {
        for seed in 0..40u64 {
            let (w, h) = [(6, 5), (8, 4), (7, 7), (10, 3)][seed as usize % 4];
            let (p, cands, by_village, targets) = instance(w, h, 900 + seed, seed % 2 == 0);
            let order = greedy_order(&cands, &vec![0; cands.len()]);
            let rank = ranks(&order);
            let mut s = State::empty(&cands, &targets);
            construct(&mut s, &by_village, &rank);
            assert!(
                s.score.alliances > 0 || cands.is_empty(),
                "seed {seed}: nothing placed"
            );
            for (c, k) in cands.iter().enumerate() {
                assert!(
                    !s.fits(c),
                    "seed {seed}: candidate {:?} still fits",
                    k.members
                );
            }
            let (groups, leads) = (0..cands.len())
                .filter(|&c| s.chosen[c])
                .map(|c| (cands[c].members.clone(), cands[c].lead))
                .unzip::<_, _, Vec<_>, Vec<_>>();
            assert!(crate::check(&p, &groups, &leads).is_empty(), "seed {seed}");
        }
    }
}

#[cfg(test)]
mod repack_tests {
    //! The exact re-packing over a full 128-village neighbourhood: every bit of the masks counts.
    use super::*;

    #[test]
    fn the_repacking_uses_all_128_bits() {
        // 128 villages in a row, villages 98 on targets; alliances of three neighbours
        // (heterogeneity 0) and of every other village (v, v + 2, v + 4; heterogeneity 1, and
        // overlapping the ones after them). The best packing places all 30 targets in 42
        // alliances of neighbours (two villages below 98 left out); the first packing the search
        // meets (from village 0 on) leaves the last two targets out.
        let len = REPACK_MAX;
        let target = |v: usize| v >= 98;
        let alliance = |members: Vec<usize>, heterogeneity: u32| Candidate {
            targets: members.iter().filter(|&&v| target(v)).count() as u32,
            members,
            lead: None,
            population: 1500,
            heterogeneity,
            spread_m: 0,
        };
        let mut cands = Vec::new();
        let mut starts: Vec<Vec<(usize, u128)>> = vec![Vec::new(); len];
        for (v, rooted) in starts.iter_mut().enumerate() {
            if v + 2 < len {
                rooted.push((cands.len(), 0b111u128 << v));
                cands.push(alliance(vec![v, v + 1, v + 2], 0));
            }
            if v + 4 < len {
                rooted.push((cands.len(), 0b10101u128 << v));
                cands.push(alliance(vec![v, v + 2, v + 4], 1));
            }
        }
        let mut targets_after = vec![0u32; len + 1];
        for v in (0..len).rev() {
            targets_after[v] = targets_after[v + 1] + u32::from(target(v));
        }
        let mut r = Repack::new(
            &cands,
            starts,
            targets_after,
            3,
            (Score::default(), Vec::new()),
            2_000_000,
        );
        r.dfs(0, Score::default());
        let (score, chosen) = &r.best;
        let mut held = vec![false; len];
        for &c in chosen {
            for &v in &cands[c].members {
                assert!(!held[v], "village {v} is in two alliances");
                held[v] = true;
            }
        }
        assert_eq!(
            (score.targets_placed, score.alliances, score.heterogeneity),
            (30, 42, 0)
        );
        assert!((98..len).all(|v| held[v]), "a target is left out");
    }
}
