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
    let mut out = Vec::new();
    let mut sub = Vec::with_capacity(p.params.max_villages);
    for root in roots {
        sub.clear();
        if !free[root] || !addable(p, &sub, root, 0, 0) {
            continue;
        }
        sub.push(root);
        let ext: Vec<usize> = p.adjacency[root]
            .iter()
            .copied()
            .filter(|&u| u > root && free[u])
            .collect();
        let v = &p.villages[root];
        grow(
            p,
            &free,
            &mut sub,
            ext,
            root,
            u64::from(v.population),
            usize::from(v.may_lead),
            &mut out,
        );
    }
    out
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

#[allow(clippy::too_many_arguments)]
fn grow(
    p: &Problem,
    free: &[bool],
    sub: &mut Vec<usize>,
    mut ext: Vec<usize>,
    root: usize,
    pop: u64,
    leads: usize,
    out: &mut Vec<Candidate>,
) {
    let q = &p.params;
    if sub.len() >= q.min_villages
        && pop >= u64::from(q.min_population)
        && (!q.one_lead || leads == 1)
        && p.pinned
            .iter()
            .all(|&(a, b)| sub.contains(&a) == sub.contains(&b))
    {
        let mut members = sub.clone();
        members.sort_unstable();
        out.push(Candidate {
            lead: members
                .iter()
                .copied()
                .find(|&v| p.villages[v].may_lead)
                .filter(|_| q.one_lead),
            population: pop as u32,
            targets: members.iter().filter(|&&v| p.villages[v].target).count() as u32,
            heterogeneity: p.heterogeneity(&members),
            spread_m: crate::solve::spread(p, &members),
            members,
        });
    }
    if sub.len() == q.max_villages {
        return;
    }
    while let Some(w) = ext.pop() {
        if !addable(p, sub, w, pop, leads) {
            continue;
        }
        // The new extension: what is left, plus w's neighbours that are neither in nor next to
        // the current set (so every connected set is reached by one path only).
        let mut next = ext.clone();
        for &u in &p.adjacency[w] {
            if u > root
                && free[u]
                && !sub.contains(&u)
                && !next.contains(&u)
                && !sub.iter().any(|&s| p.adjacency[s].contains(&u))
            {
                next.push(u);
            }
        }
        let v = &p.villages[w];
        sub.push(w);
        grow(
            p,
            free,
            sub,
            next,
            root,
            pop + u64::from(v.population),
            leads + usize::from(v.may_lead),
            out,
        );
        sub.pop();
    }
}
