//! `xiangzhi import` and `xiangzhi export`: the registry layouts as CSV or .xlsx, all or nothing,
//! every bad row named.

use crate::config::Config;
use std::path::Path;
use xiangzhi_alliances::AllianceStore;
use xiangzhi_storage::{Actor, Db, Scope};
use xiangzhi_tabular::FileLayout;

/// The command line's actor for `command` on `file`.
fn operator(command: &str, file: &Path) -> Actor {
    Actor::command(&format!("{command} {}", file.display()))
}

/// An entry of its own for what the store does not audit: an export of personal data, and a
/// write the store refused (a write that succeeded carries its entry in its own transaction).
async fn audit(
    db: &Db,
    by: &Actor,
    action: &str,
    file: &Path,
    outcome: String,
) -> anyhow::Result<()> {
    let mut e = by.entry(action, file.display().to_string());
    e.outcome = outcome;
    db.audit(&e).await?;
    Ok(())
}

/// A progress bar for long imports.
pub struct Bar(indicatif::ProgressBar);

impl xiangzhi_tabular::Progress for Bar {
    fn phase(&self, name: &str, total: u64) {
        tracing::debug!(
            phase = name,
            elapsed_ms = self.0.elapsed().as_millis() as u64,
            "import phase"
        );
        self.0.set_position(0);
        self.0.set_length(total);
        self.0.set_message(name.to_string());
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

pub async fn import(
    cfg: &Config,
    layout: &FileLayout,
    file: &Path,
    county: Option<i64>,
) -> anyhow::Result<()> {
    let db = xiangzhi::open(&cfg.database_url).await?;
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {per_sec} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    let by = operator(&format!("import {}", layout.name), file);
    let scope = Scope::everything().by(by.clone());
    let result = (layout.import)(&db, &scope, file, county, &Bar(bar.clone())).await;
    bar.finish_and_clear();
    if result.is_err() {
        let outcome = "refused: nothing written".to_string();
        audit(&db, &by, &format!("import {}", layout.name), file, outcome).await?;
    }
    match result {
        Ok(r) => {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "导入完成 / imported {}: {} 行 rows, {} 写入 written, {} 未变 unchanged, {} 占位跳过 placeholders skipped, {:.1}s ({:.0} rows/s)",
                file.display(),
                r.rows,
                r.written,
                r.unchanged,
                r.skipped,
                secs,
                r.rows as f64 / secs.max(1e-9)
            );
            Ok(())
        }
        Err(e) => {
            eprint!("{e}");
            std::process::exit(2);
        }
    }
}

pub async fn export(
    cfg: &Config,
    layout: &FileLayout,
    file: &Path,
    county: Option<i64>,
    full_for: Option<String>,
) -> anyhow::Result<()> {
    // One pass over the rows: a small page cache keeps the command's memory flat (8 MiB).
    let db = xiangzhi::open_with_cache(&cfg.database_url, 8_192).await?;
    let by = operator(&format!("export {}", layout.name), file);
    let purpose = full_for
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty());
    let full = purpose.is_some();
    let result = (layout.export)(&db, &Scope::everything(), file, county, full).await;
    let outcome = match &result {
        Ok(n) => {
            let digest = std::fs::read(file)
                .map(|b| xiangzhi_storage::staged::digest(&b))
                .unwrap_or_default();
            let shown = match &purpose {
                Some(p) => format!("in full, for: {p}"),
                None => "masked".into(),
            };
            format!("ok: {n} rows, {shown}, sha256 {digest}")
        }
        Err(_) => "failed".into(),
    };
    audit(&db, &by, &format!("export {}", layout.name), file, outcome).await?;
    match result {
        Ok(n) => {
            println!("导出完成 / exported {n} rows to {}", file.display());
            Ok(())
        }
        Err(e) => {
            eprint!("{e}");
            std::process::exit(2);
        }
    }
}

/// `xiangzhi profiles FILE`: village planning profiles into the registry, all or none.
pub async fn profiles(cfg: &Config, file: &Path) -> anyhow::Result<()> {
    let v = xiangzhi_alliances::files::read_villages(file, &Default::default())?;
    let rows = xiangzhi_alliances::files::profile_inputs(&v);
    let db = xiangzhi::open(&cfg.database_url).await?;
    let by = operator("profiles", file);
    let scope = Scope::everything().by(by.clone());
    let result = db
        .put_village_profiles(&scope, &rows, xiangzhi_storage::now_ms())
        .await;
    if result.is_err() {
        let outcome = "refused: nothing stored".to_string();
        audit(&db, &by, "store village profiles", file, outcome).await?;
    }
    match result {
        Ok(n) => {
            println!("已导入 {n} 个村的村情 / stored the profiles of {n} villages");
            Ok(())
        }
        Err(xiangzhi_storage::StoreError::Invalid(errors)) => {
            for e in &errors {
                // rows[i].field → the file's line (header on line 1).
                let (row, field) = e
                    .field
                    .strip_prefix("rows[")
                    .and_then(|r| r.split_once("]."))
                    .and_then(|(i, f)| Some((i.parse::<usize>().ok()? + 2, f)))
                    .unwrap_or((0, e.field.as_str()));
                eprintln!("第{row}行 {field}：{} / row {row} {field}: {}", e.zh, e.en);
            }
            anyhow::bail!(
                "{} 处错误，未导入任何村情 / {} errors, nothing stored",
                errors.len(),
                errors.len()
            )
        }
        Err(e) => Err(e.into()),
    }
}
