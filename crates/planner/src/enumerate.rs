//! Every feasible alliance of an instance: connected vertex sets of the adjacency graph grown from
//! each village in a canonical order (ESU: each connected set is produced exactly once), pruned as
//! they grow by the rules that only get worse with more members (population ceiling, leads,
//! township, distance, forbidden pairs), and kept when they meet the rest (size and population
//! floor, exactly one lead, pinned pairs whole).

use crate::Problem;

/// A feasible alliance.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Members, ascending.
    pub members: Vec<usize>,
    pub lead: Option<usize>,
    pub population: u32,
    /// Target villages among the members.
    pub targets: u32,
    pub heterogeneity: u32,
    /// Largest distance between two members, whole metres (0 if positions are unknown).
    pub spread_m: u64,
}

/// The feasible alliances among the villages that are neither excluded nor locked.
pub fn candidates(p: &Problem) -> Vec<Candidate> {
    candidates_rooted(p, 0..p.villages.len())
}

/// The feasible alliances whose smallest member lies in `roots`; `0..1` gives exactly those that
/// hold village 0.
pub(crate) fn candidates_rooted(p: &Problem, roots: std::ops::Range<usize>) -> Vec<Candidate> {
    let mut free: Vec<bool> = p.villages.iter().map(|v| !v.excluded).collect();
    for group in &p.locked {
        for &v in group {
            free[v] = false;
        }
    }
    let mut g = Grow {
        p,
        near: vec![0; p.villages.len()],
        free,
        sub: Vec::with_capacity(p.params.max_villages),
        exts: vec![Vec::new(); p.params.max_villages + 1],
        out: Vec::new(),
        root: 0,
    };
    for root in roots {
        if !g.free[root] || !addable(p, &[], root, 0, 0) {
            continue;
        }
        g.root = root;
        g.exts[0].clear();
        g.exts[0].extend(
            p.adjacency[root]
                .iter()
                .copied()
                .filter(|&u| u > root && g.free[u]),
        );
        let v = &p.villages[root];
        g.push(root);
        g.grow(0, u64::from(v.population), usize::from(v.may_lead));
        g.pop();
    }
    g.out
}

/// Whether `w` may join `sub` (population so far `pop`, leads so far `leads`) without breaking a
/// rule that more members could not repair.
fn addable(p: &Problem, sub: &[usize], w: usize, pop: u64, leads: usize) -> bool {
    let q = &p.params;
    let v = &p.villages[w];
    if pop + u64::from(v.population) > u64::from(q.max_population) {
        return false;
    }
    if q.one_lead && leads + usize::from(v.may_lead) > 1 {
        return false;
    }
    if q.same_township
        && sub
            .first()
            .is_some_and(|&s| p.villages[s].township != v.township)
    {
        return false;
    }
    if let Some(max) = q.max_distance {
        if sub
            .iter()
            .any(|&s| p.distance(s, w).is_none_or(|d| d > max))
        {
            return false;
        }
    }
    !p.forbidden
        .iter()
        .any(|&(a, b)| (a == w && sub.contains(&b)) || (b == w && sub.contains(&a)))
}

/// The ESU enumeration's state: the set grown so far, for each village how many of its members it
/// is in or next to, and one extension buffer per depth (reused, not allocated per step).
struct Grow<'a> {
    p: &'a Problem,
    free: Vec<bool>,
    near: Vec<u32>,
    sub: Vec<usize>,
    exts: Vec<Vec<usize>>,
    out: Vec<Candidate>,
    root: usize,
}

impl Grow<'_> {
    fn push(&mut self, w: usize) {
        self.sub.push(w);
        self.near[w] += 1;
        for &u in &self.p.adjacency[w] {
            self.near[u] += 1;
        }
    }

    fn pop(&mut self) {
        if let Some(w) = self.sub.pop() {
            self.near[w] -= 1;
            for &u in &self.p.adjacency[w] {
                self.near[u] -= 1;
            }
        }
    }

    /// Emits the current set if it is feasible, then grows it by each village of the extension
    /// at `depth` in turn.
    fn grow(&mut self, depth: usize, pop: u64, leads: usize) {
        let p = self.p;
        let q = &p.params;
        let sub = &self.sub;
        if sub.len() >= q.min_villages
            && pop >= u64::from(q.min_population)
            && (!q.one_lead || leads == 1)
            && p.pinned
                .iter()
                .all(|&(a, b)| sub.contains(&a) == sub.contains(&b))
        {
            let mut members = sub.clone();
            members.sort_unstable();
            self.out.push(Candidate {
                lead: members
                    .iter()
                    .copied()
                    .find(|&v| p.villages[v].may_lead)
                    .filter(|_| q.one_lead),
                population: pop as u32,
                targets: members.iter().filter(|&&v| p.villages[v].target).count() as u32,
                heterogeneity: p.heterogeneity(&members),
                spread_m: spread(p, &members),
                members,
            });
        }
        if self.sub.len() == q.max_villages {
            return;
        }
        let mut ext = std::mem::take(&mut self.exts[depth]);
        while let Some(w) = ext.pop() {
            if !addable(p, &self.sub, w, pop, leads) {
                continue;
            }
            // The new extension: what is left, plus w's neighbours that are neither in nor next to
            // the current set (so every connected set is reached by one path only).
            let mut next = std::mem::take(&mut self.exts[depth + 1]);
            next.clear();
            next.extend_from_slice(&ext);
            next.extend(
                p.adjacency[w]
                    .iter()
                    .copied()
                    .filter(|&u| u > self.root && self.free[u] && self.near[u] == 0),
            );
            self.exts[depth + 1] = next;
            let v = &p.villages[w];
            self.push(w);
            self.grow(
                depth + 1,
                pop + u64::from(v.population),
                leads + usize::from(v.may_lead),
            );
            self.pop();
        }
        self.exts[depth] = ext;
    }
}

/// Largest distance between two members, whole metres (0 if a position is unknown).
pub(crate) fn spread(p: &Problem, members: &[usize]) -> u64 {
    // The largest squared distance, then one square root (the same result: the root is monotone
    // and correctly rounded).
    let mut far = 0.0f64;
    for (k, &a) in members.iter().enumerate() {
        let Some((x1, y1)) = p.villages[a].position else {
            continue;
        };
        for &b in &members[k + 1..] {
            if let Some((x2, y2)) = p.villages[b].position {
                far = far.max((x1 - x2).powi(2) + (y1 - y2).powi(2));
            }
        }
    }
    far.sqrt().round() as u64
}
