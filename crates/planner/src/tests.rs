//! The planner's tests: every plan passes the independent checker (random instances too), locked
//! alliances stay and forbidden pairs never meet, and on small random instances the solver finds
//! the true optimum (by exhaustive search) at least 95% of the time.

use crate::synthetic::lattice;
use crate::*;
use proptest::prelude::*;
use std::time::Duration;

fn feasible(p: &Problem, plan: &Plan) {
    let (groups, leads) = plan.groups();
    let v = check(p, &groups, &leads);
    assert!(v.is_empty(), "violations {v:?} in {groups:?}");
}

/// The best score by exhaustive search: each village, in order, is left out or starts one of the
/// feasible alliances whose smallest member it is.
fn optimum(p: &Problem) -> Score {
    let cands = candidates(p);
    let n = p.villages.len();
    let mut by_min: Vec<Vec<(u64, Score)>> = vec![Vec::new(); n];
    for c in &cands {
        let mask = c.members.iter().fold(0u64, |m, &v| m | 1 << v);
        by_min[c.members[0]].push((
            mask,
            Score {
                targets_placed: c.targets,
                alliances: 1,
                heterogeneity: c.heterogeneity,
                spread_m: c.spread_m,
            },
        ));
    }
    fn dfs(v: usize, used: u64, s: Score, by_min: &[Vec<(u64, Score)>], best: &mut Score) {
        if v == by_min.len() {
            if s > *best {
                *best = s;
            }
            return;
        }
        dfs(v + 1, used, s, by_min, best);
        if used & (1 << v) != 0 {
            return;
        }
        for &(mask, add) in &by_min[v] {
            if mask & used == 0 {
                let t = Score {
                    targets_placed: s.targets_placed + add.targets_placed,
                    alliances: s.alliances + add.alliances,
                    heterogeneity: s.heterogeneity + add.heterogeneity,
                    spread_m: s.spread_m + add.spread_m,
                };
                dfs(v + 1, used | mask, t, by_min, best);
            }
        }
    }
    let mut best = Score::default();
    dfs(0, 0, Score::default(), &by_min, &mut best);
    best
}

#[test]
fn candidates_are_each_found_once_and_feasible() {
    let p = lattice(6, 5, 7);
    let cands = candidates(&p);
    assert!(!cands.is_empty());
    let mut seen: Vec<Vec<usize>> = cands.iter().map(|c| c.members.clone()).collect();
    seen.sort();
    let before = seen.len();
    seen.dedup();
    assert_eq!(seen.len(), before, "each connected set once");
    for c in &cands {
        assert!(
            check(&p, std::slice::from_ref(&c.members), &[c.lead]).is_empty(),
            "{c:?}"
        );
    }
}

#[test]
fn the_checker_catches_each_rule() {
    let mut p = lattice(4, 4, 3);
    p.params.one_lead = false;
    let line = vec![0, 1, 2];
    let pop: u32 = line.iter().map(|&v| p.villages[v].population).sum();
    p.params.min_population = pop;
    p.params.max_population = pop;
    for v in &mut p.villages {
        v.excluded = false;
    }
    assert!(check(&p, std::slice::from_ref(&line), &[None]).is_empty());
    p.villages[5].population = p.villages[2].population + 1;
    assert_eq!(
        check(&p, &[vec![0, 1, 5]], &[None]),
        [Violation::Population(0)],
        "connected, three villages, one person too many"
    );
    assert!(check(&p, &[vec![0, 2, 8]], &[None]).contains(&Violation::Disconnected(0)));
    assert!(check(&p, &[vec![0, 1]], &[None]).contains(&Violation::Size(0)));
    assert!(check(&p, &[line.clone(), vec![2, 3, 7]], &[None, None]).contains(&Violation::Twice(2)));
    p.forbidden.push((0, 2));
    assert!(check(&p, std::slice::from_ref(&line), &[None]).contains(&Violation::Forbidden(0, 2)));
    p.params.one_lead = true;
    assert!(check(&p, std::slice::from_ref(&line), &[None]).contains(&Violation::Leads(0)));
}

#[test]
fn locked_alliances_stay_and_forbidden_pairs_never_meet() {
    for seed in 0..20 {
        let mut p = lattice(8, 6, seed);
        let cands = candidates(&p);
        let Some(lock) = cands.iter().find(|c| c.members.len() == 3) else {
            continue;
        };
        p.locked.push(lock.members.clone());
        // Forbid every pair of some other alliance the unconstrained plan formed.
        let free_plan = solve(&p, 1, Duration::from_secs(5)).expect("a valid problem");
        let other = free_plan
            .alliances
            .iter()
            .find(|a| !a.locked)
            .map(|a| a.members.clone());
        if let Some(o) = other {
            p.forbidden.push((o[0], o[1]));
        }
        let plan = solve(&p, 1, Duration::from_secs(5)).expect("a valid problem");
        feasible(&p, &plan);
        assert!(plan
            .alliances
            .iter()
            .any(|a| a.locked && a.members == lock.members));
        for &(a, b) in &p.forbidden {
            assert!(!plan
                .alliances
                .iter()
                .any(|g| g.members.contains(&a) && g.members.contains(&b)));
        }
    }
}

#[test]
fn unplaced_targets_say_why() {
    let mut p = lattice(5, 5, 11);
    p.params.min_population = 500;
    p.params.max_population = 600; // three villages never fit
    let plan = solve(&p, 1, Duration::from_secs(5)).expect("a valid problem");
    assert!(plan.alliances.is_empty());
    assert!(!plan.unplaced.is_empty());
    assert!(plan
        .unplaced
        .iter()
        .all(|u| !u.zh.is_empty() && !u.en.is_empty()));
    assert!(
        plan.unplaced
            .iter()
            .any(|u| u.en.contains("population ceiling") || u.en.contains("marked")),
        "{:?}",
        plan.unplaced
    );
}

#[test]
fn the_same_seed_gives_the_same_plan() {
    let p = lattice(10, 10, 5);
    let a = solve(&p, 42, Duration::from_secs(10)).expect("a valid problem");
    let b = solve(&p, 42, Duration::from_secs(10)).expect("a valid problem");
    assert_eq!(a, b);
    feasible(&p, &a);
}

#[test]
fn matches_the_exhaustive_optimum_on_small_instances() {
    let mut matched = 0;
    let total = 200;
    for seed in 0..total {
        let (w, h) = [(5, 2), (4, 3), (6, 2), (7, 2), (5, 3)][seed as usize % 5];
        let mut p = lattice(w, h, 1000 + seed);
        p.params.one_lead = seed % 2 == 0;
        let plan = solve(&p, seed, Duration::from_secs(5)).expect("a valid problem");
        feasible(&p, &plan);
        let best = optimum(&p);
        assert!(plan.score <= best, "the solver cannot beat the optimum");
        if plan.score == best {
            matched += 1;
        }
    }
    println!("optimum matched on {matched} of {total} instances of 10–15 villages");
    assert!(matched * 100 >= total * 95, "matched {matched} of {total}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn every_plan_is_feasible(w in 2usize..9, h in 2usize..9, seed in any::<u64>(), lead in any::<bool>(),
                              town in any::<bool>(), min in 2usize..4, spread in 0usize..3) {
        let mut p = lattice(w, h, seed);
        p.params.one_lead = lead;
        p.params.same_township = town;
        p.params.min_villages = min;
        p.params.max_villages = min + spread;
        if seed % 3 == 0 {
            p.params.max_distance = Some(2_500.0);
        }
        let plan = solve(&p, seed, Duration::from_secs(5)).expect("a valid problem");
        let (groups, leads) = plan.groups();
        prop_assert!(check(&p, &groups, &leads).is_empty());
    }
}

#[test]
fn independent_parts_are_planned_apart_and_merged() {
    // Two lattices side by side with no border between them: one instance, two parts.
    let a = lattice(6, 5, 21);
    let b = lattice(5, 6, 22);
    let n = a.villages.len();
    let mut p = a.clone();
    p.villages.extend(b.villages.iter().cloned());
    p.adjacency.extend(
        b.adjacency
            .iter()
            .map(|l| l.iter().map(|&u| u + n).collect::<Vec<_>>()),
    );
    let steps = std::sync::Mutex::new(Vec::new());
    let plan = solve_with(&p, 3, Duration::from_secs(5), &|s| {
        steps.lock().expect("a valid problem").push(s)
    })
    .expect("a valid problem");
    feasible(&p, &plan);
    let steps = steps.into_inner().expect("a valid problem");
    assert_eq!(steps.first().map(|s| (s.parts, s.parts_done)), Some((2, 0)));
    let last = steps.last().copied().expect("a valid problem");
    assert_eq!((last.parts_done, last.villages_done), (2, last.villages));
    assert!(
        last.villages > 50,
        "every village not excluded is in a part"
    );
    let alone_a = solve(&a, 3, Duration::from_secs(5)).expect("a valid problem");
    let alone_b = solve(&b, 3, Duration::from_secs(5)).expect("a valid problem");
    assert_eq!(
        plan.score.targets_placed,
        alone_a.score.targets_placed + alone_b.score.targets_placed
    );
    assert!(plan
        .alliances
        .iter()
        .all(|g| g.members.iter().all(|&v| v < n) || g.members.iter().all(|&v| v >= n)));
}

#[test]
fn a_village_pinned_to_an_excluded_one_stays_out_and_says_why() {
    let mut p = lattice(6, 6, 9);
    for v in &mut p.villages {
        v.excluded = false;
        v.target = true;
    }
    let free = solve(&p, 1, Duration::from_secs(5)).expect("a valid problem");
    let placed = free.alliances[0].members[0];
    // Pinned to a village that must not be grouped: it cannot be placed either.
    let out = p.adjacency[placed][0];
    p.villages[out].excluded = true;
    p.pinned.push((placed, out));
    let plan = solve(&p, 1, Duration::from_secs(5)).expect("a valid problem");
    feasible(&p, &plan);
    let u = plan
        .unplaced
        .iter()
        .find(|u| u.village == placed)
        .expect("a valid problem");
    assert!(u.en.contains("pinned"), "{u:?}");
    // Pinned into a locked alliance it is not part of: refused as inconsistent.
    let mut q = lattice(6, 6, 9);
    let lock = free.alliances[0].members.clone();
    let outside = q.adjacency[lock[0]]
        .iter()
        .copied()
        .find(|u| !lock.contains(u))
        .expect("a valid problem");
    q.locked.push(lock.clone());
    q.pinned.push((outside, lock[0]));
    assert!(solve(&q, 1, Duration::from_secs(5)).is_err());
}
