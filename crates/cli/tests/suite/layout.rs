//! The house's rules, checked on its source: platform crates know no feature, no module imports
//! its way back to itself inside a crate, no source file grows past 800 lines (tests aside)
//! without saying at its top why, and nothing but the points feature reads points.

use crate::helpers::workspace_root;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crates below the features: none may depend on a feature crate.
const PLATFORM: [&str; 5] = ["domain", "storage", "tabular", "web", "planner"];

fn crates() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(workspace_root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").exists())
        .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), p))
        .collect();
    out.sort();
    out
}

/// A feature crate exports one `Feature`.
fn is_feature(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("src/lib.rs"))
        .is_ok_and(|s| s.contains("pub const FEATURE: Feature"))
}

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.join("src")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn platform_crates_know_no_feature() {
    let features: BTreeSet<String> = crates()
        .into_iter()
        .filter(|(_, d)| is_feature(d))
        .map(|(n, _)| format!("xiangzhi-{n}"))
        .collect();
    assert!(features.len() >= 3, "feature crates found: {features:?}");
    for (name, dir) in crates() {
        if !PLATFORM.contains(&name.as_str()) {
            continue;
        }
        let toml = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        for f in &features {
            assert!(
                !toml.contains(&format!("{f}.workspace")) && !toml.contains(&format!("{f} =")),
                "platform crate {name} depends on the feature crate {f}"
            );
        }
    }
}

/// Points never feed dividends or shares (issue 19): no crate but the points feature itself and
/// the binary that composes the features depends on it or names one of its tables, so no
/// distribution, share or dividend (the collective economy's crate, when it comes) can read a
/// point.
#[test]
fn points_feed_nothing_else() {
    let tables: Vec<&str> = xiangzhi_points::tables::TABLES
        .iter()
        .map(|t| t.name)
        .collect();
    assert!(tables.contains(&"points_entries"), "{tables:?}");
    for (name, dir) in crates() {
        if name == "points" || name == "cli" {
            continue;
        }
        let toml = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(
            !toml.contains("xiangzhi-points"),
            "the crate {name} depends on the points feature"
        );
        for f in sources(&dir) {
            let text = std::fs::read_to_string(&f).unwrap();
            for t in &tables {
                assert!(
                    !text.contains(t),
                    "{} names the points table {t}",
                    f.display()
                );
            }
        }
    }
}

/// The module a `crate::…` path names: the longest prefix that is a file of the crate.
fn module_of(files: &BTreeMap<Vec<String>, PathBuf>, path: &[String]) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|m| files.contains_key(m))
}

#[test]
fn no_module_cycles() {
    for (name, dir) in crates() {
        let src = dir.join("src");
        // Module path (crate::a::b) of every file.
        let mut files: BTreeMap<Vec<String>, PathBuf> = BTreeMap::new();
        for f in sources(&dir) {
            let rel = f.strip_prefix(&src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().to_string())
                .collect();
            if parts
                .last()
                .is_some_and(|l| l == "mod" || l == "lib" || l == "main")
            {
                parts.pop();
            }
            files.insert(parts, f);
        }
        let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
        for (module, file) in &files {
            let text = std::fs::read_to_string(file).unwrap();
            // Code only: no tests, no comments, and not `$crate::` (a macro's text, expanded
            // where the macro is used).
            let code: String = text
                .split("#[cfg(test)]")
                .next()
                .unwrap_or("")
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .map(|l| l.replace("$crate::", "$"))
                .collect::<Vec<_>>()
                .join("\n");
            for (i, _) in code.match_indices("crate::") {
                let rest = &code[i + "crate::".len()..];
                let path: Vec<String> = rest
                    .split("::")
                    .map(|s| {
                        s.chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect::<String>()
                    })
                    .take_while(|s| {
                        !s.is_empty()
                            && s.chars()
                                .all(|c| c.is_lowercase() || c == '_' || c.is_ascii_digit())
                    })
                    .collect();
                if let Some(to) = module_of(&files, &path) {
                    if &to != module && !to.is_empty() && !module.starts_with(&to) {
                        edges.entry(module.clone()).or_default().insert(to);
                    }
                }
            }
        }
        // Depth-first search for a way back.
        fn visit(
            m: &Vec<String>,
            edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
            state: &mut BTreeMap<Vec<String>, u8>,
            trail: &mut Vec<Vec<String>>,
        ) -> Option<Vec<Vec<String>>> {
            match state.get(m) {
                Some(2) => return None,
                Some(1) => {
                    let at = trail.iter().position(|t| t == m).unwrap_or(0);
                    return Some(trail[at..].to_vec());
                }
                _ => {}
            }
            state.insert(m.clone(), 1);
            trail.push(m.clone());
            for n in edges.get(m).into_iter().flatten() {
                if let Some(c) = visit(n, edges, state, trail) {
                    return Some(c);
                }
            }
            trail.pop();
            state.insert(m.clone(), 2);
            None
        }
        let mut state = BTreeMap::new();
        for m in files.keys() {
            let mut trail = Vec::new();
            if let Some(cycle) = visit(m, &edges, &mut state, &mut trail) {
                let names: Vec<String> = cycle.iter().map(|m| m.join("::")).collect();
                panic!(
                    "crate {name}: modules import each other: {}",
                    names.join(" -> ")
                );
            }
        }
    }
}

#[test]
fn no_file_over_800_lines_without_a_reason() {
    for (_, dir) in crates() {
        for f in sources(&dir) {
            let text = std::fs::read_to_string(&f).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let lines = code.lines().count();
            let head: String = text.lines().take(12).collect::<Vec<_>>().join("\n");
            let says_why = head.contains("Over 800 lines on purpose");
            assert!(
                lines <= 800 || says_why,
                "{} has {lines} lines (tests aside) and does not say at its top why \
                 (\"Over 800 lines on purpose: …\")",
                f.display()
            );
        }
    }
}
