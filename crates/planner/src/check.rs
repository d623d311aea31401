//! The independent checker: verifies a plan against the problem from scratch, sharing nothing with
//! the solver's bookkeeping. Tests run it on every plan they produce.

use crate::Problem;

/// One rule a plan breaks.
#[derive(Debug, Clone, PartialEq)]
pub enum Violation {
    /// A village index that does not exist.
    UnknownVillage(usize),
    /// A village in more than one alliance.
    Twice(usize),
    /// An excluded village was grouped.
    Excluded(usize),
    /// The alliance (by position in the plan) has too few or too many villages.
    Size(usize),
    Population(usize),
    /// Not connected through shared boundaries.
    Disconnected(usize),
    /// Not exactly one lead in "strong leads weak" mode.
    Leads(usize),
    Township(usize),
    /// Two members farther apart than allowed (or a position unknown).
    Distance(usize),
    /// A forbidden pair shares the alliance.
    Forbidden(usize, usize),
    /// A pinned pair is split.
    Pinned(usize, usize),
    /// A locked alliance is missing or changed.
    Locked(usize),
}

/// Every rule `alliances` (each a list of village indices; `leads[i]` the lead of alliance `i` in
/// one-lead mode) breaks; empty if the plan is feasible.
pub fn check(p: &Problem, alliances: &[Vec<usize>], leads: &[Option<usize>]) -> Vec<Violation> {
    let n = p.villages.len();
    let mut out = Vec::new();
    let mut home = vec![None; n];
    for (i, a) in alliances.iter().enumerate() {
        for &v in a {
            if v >= n {
                out.push(Violation::UnknownVillage(v));
                continue;
            }
            if home[v].is_some() {
                out.push(Violation::Twice(v));
            }
            home[v] = Some(i);
            if p.villages[v].excluded {
                out.push(Violation::Excluded(v));
            }
        }
    }
    if !out.is_empty() {
        return out;
    }
    let q = &p.params;
    for (i, a) in alliances.iter().enumerate() {
        if a.len() < q.min_villages || a.len() > q.max_villages {
            out.push(Violation::Size(i));
        }
        let pop: u64 = a.iter().map(|&v| u64::from(p.villages[v].population)).sum();
        if pop < u64::from(q.min_population) || pop > u64::from(q.max_population) {
            out.push(Violation::Population(i));
        }
        // Connected: a walk from the first member over boundaries inside the alliance reaches all.
        if let Some(&first) = a.first() {
            let mut reached = vec![first];
            let mut k = 0;
            while k < reached.len() {
                let v = reached[k];
                for &u in &p.adjacency[v] {
                    if a.contains(&u) && !reached.contains(&u) {
                        reached.push(u);
                    }
                }
                k += 1;
            }
            if reached.len() != a.len() {
                out.push(Violation::Disconnected(i));
            }
        }
        if q.one_lead {
            let lead = leads.get(i).copied().flatten();
            let ok = matches!(lead, Some(l) if a.contains(&l) && p.villages[l].may_lead);
            if !ok {
                out.push(Violation::Leads(i));
            }
        }
        if q.same_township
            && a.windows(2)
                .any(|w| p.villages[w[0]].township != p.villages[w[1]].township)
        {
            out.push(Violation::Township(i));
        }
        if let Some(max) = q.max_distance {
            let far = a.iter().enumerate().any(|(k, &x)| {
                a[k + 1..]
                    .iter()
                    .any(|&y| p.distance(x, y).is_none_or(|d| d > max))
            });
            if far {
                out.push(Violation::Distance(i));
            }
        }
    }
    for &(x, y) in &p.forbidden {
        if home[x].is_some() && home[x] == home[y] {
            out.push(Violation::Forbidden(x, y));
        }
    }
    for &(x, y) in &p.pinned {
        if (home[x].is_some() || home[y].is_some()) && home[x] != home[y] {
            out.push(Violation::Pinned(x, y));
        }
    }
    for (k, locked) in p.locked.iter().enumerate() {
        let mut want = locked.clone();
        want.sort_unstable();
        let kept = alliances.iter().any(|a| {
            let mut got = a.clone();
            got.sort_unstable();
            got == want
        });
        if !kept {
            out.push(Violation::Locked(k));
        }
    }
    out
}
