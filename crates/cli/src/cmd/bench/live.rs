//! An import into a running server (issue 18; figures in BENCHMARKS.md, release builds only): the
//! demo county's 209,570 residents imported into a SQLite database holding its divisions and
//! grids, while clients sign in and file cases through the whole application. Reports the
//! import's duration and each client request's latency (p50, p99, max) during it, and any
//! answer that was not a success.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceExt;
use xiangzhi_storage::{Db, Scope};
use xiangzhi_tabular::Quiet;

fn percentile(times: &mut [f64], p: f64) -> f64 {
    times.sort_by(f64::total_cmp);
    if times.is_empty() {
        return 0.0;
    }
    times[((times.len() as f64 - 1.0) * p).round() as usize]
}

/// The demo county's layouts as files (made once, from the demo database).
async fn files(dir: &Path) -> anyhow::Result<()> {
    if dir.join("households.csv").exists() {
        return Ok(());
    }
    let demo = super::bench_db(&dir.join("demo.db"), None, None).await?;
    for (layout, name) in [
        (xiangzhi_registry::Layout::Divisions, "divisions.csv"),
        (xiangzhi_registry::Layout::Grids, "grids.csv"),
        (xiangzhi_registry::Layout::Households, "households.csv"),
    ] {
        xiangzhi_registry::export(
            &demo,
            &Scope::everything(),
            layout,
            &dir.join(name),
            None,
            true,
        )
        .await?;
    }
    Ok(())
}

pub async fn run(dir: &Path, clients: usize) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    files(dir).await?;
    let file = dir.join("live.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let db = Db::connect(&format!("sqlite://{}", file.display())).await?;
    let by = xiangzhi_storage::Actor::command("bench live-import");
    let scope = Scope::everything().by(by.clone());
    for (layout, name) in [
        (xiangzhi_registry::Layout::Divisions, "divisions.csv"),
        (xiangzhi_registry::Layout::Grids, "grids.csv"),
    ] {
        xiangzhi_registry::import(&db, &scope, layout, &dir.join(name), None, &Quiet).await?;
    }
    // The category the clients file under.
    use xiangzhi_cases::prelude::*;
    db.put_case_category(
        &scope,
        &xiangzhi_cases::store::CaseCategory {
            county_id: 141029,
            code: "road".into(),
            name: "道路破损".into(),
            level: xiangzhi_cases::rules::CaseLevel::Village,
            is_dispute: false,
            is_public: true,
        },
    )
    .await?;
    let password = "Xz-Concurrent-Clients-77";
    db.create_user(
        &by,
        &xiangzhi_storage::accounts::NewUser {
            login: "clerk".into(),
            display_name: "压测".into(),
            role: "county_admin".into(),
            division_code: "141029000000".into(),
            grid_id: None,
            password: password.into(),
        },
    )
    .await?;
    let admin = db.user_by_login("clerk").await?;
    let token = db
        .create_session(admin.id, "bench", xiangzhi_storage::now_ms())
        .await?;
    let app = xiangzhi::app(xiangzhi_web::AppState::new(db.clone()));
    let done = Arc::new(AtomicBool::new(false));
    // 0: warming up, 1: the same clients without an import (the baseline), 2: during the import.
    let phase = Arc::new(AtomicU8::new(0));
    let serial = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for k in 0..clients {
        let (app, done, serial, token) = (app.clone(), done.clone(), serial.clone(), token.clone());
        let phase = phase.clone();
        tasks.push(tokio::spawn(async move {
            let mut out: Vec<(&'static str, u8, f64, u16)> = Vec::new();
            while !done.load(Ordering::SeqCst) {
                let n = serial.fetch_add(1, Ordering::SeqCst);
                let (what, req) = if (n + k as u64).is_multiple_of(2) {
                    let body = serde_json::json!({"login": "clerk", "password": password});
                    (
                        "sign-in",
                        Request::post("/api/v1/auth/login")
                            .header("host", "localhost")
                            .header("content-type", "application/json")
                            .body(Body::from(body.to_string()))?,
                    )
                } else {
                    let body = serde_json::json!({"idempotency_key": format!("live-{n}"),
                        "category": "road", "description": "路灯不亮", "division_code": "141029100001",
                        "reporter_kind": "resident", "reporter_name": "张大爷"});
                    (
                        "file a case",
                        Request::post("/api/v1/cases")
                            .header("host", "localhost")
                            .header("content-type", "application/json")
                            .header("authorization", format!("Bearer {token}"))
                            .body(Body::from(body.to_string()))?,
                    )
                };
                let during = phase.load(Ordering::SeqCst);
                let started = Instant::now();
                let resp = app.clone().oneshot(req).await?;
                let status = resp.status().as_u16();
                let _ = resp.into_body().collect().await?;
                if during > 0 && during == phase.load(Ordering::SeqCst) && !done.load(Ordering::SeqCst)
                {
                    out.push((what, during, started.elapsed().as_secs_f64() * 1000.0, status));
                }
            }
            anyhow::Ok(out)
        }));
    }
    // The clients warm up for a second, run five seconds alone (the baseline), then the import
    // starts.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    phase.store(1, Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    phase.store(2, Ordering::SeqCst);
    let started = Instant::now();
    let path = dir.join("households.csv");
    let bytes = std::fs::read(&path)?;
    let sha = xiangzhi_storage::staged::digest(&bytes);
    let checked = xiangzhi_registry::layouts::check(
        &db,
        &scope,
        xiangzhi_registry::Layout::Households,
        "households.csv",
        bytes,
        None,
        &Quiet,
    )
    .await?;
    let checking = started.elapsed().as_secs_f64();
    let job = db
        .create_import_job(
            &by,
            &xiangzhi_storage::staged::NewJob {
                county_id: checked.county_id,
                layout: "households".into(),
                file_name: "households.csv".into(),
                digest: sha.clone(),
                division_code: String::new(),
                status: xiangzhi_storage::staged::JobStatus::Queued,
                rows_total: checked.summary.rows as i64,
                summary: None,
                errors: None,
                file: None,
            },
        )
        .await?;
    // As the console's and the API's jobs write: stepping aside while the server's writers wait.
    let pause = xiangzhi_storage::staged::Pause::WhenWaited;
    let report = xiangzhi_registry::layouts::write(&db, checked, job, &sha, pause, &Quiet).await?;
    let secs = started.elapsed().as_secs_f64();
    done.store(true, Ordering::SeqCst);
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    println!(
        "import: {} rows, {} written in {secs:.1}s ({:.0} rows/s; reading and checking {checking:.1}s, \
         writing {:.1}s) with {clients} clients running",
        report.rows,
        report.written,
        report.rows as f64 / secs,
        secs - checking
    );
    println!("| request | when | n | p50 ms | p99 ms | max ms | not 2xx |");
    println!("|---|---|---|---|---|---|---|");
    for what in ["sign-in", "file a case"] {
        for (p, when) in [(1u8, "alone (5 s)"), (2, "during the import")] {
            let of = |a: &&(&str, u8, f64, u16)| a.0 == what && a.1 == p;
            let mut times: Vec<f64> = all.iter().filter(of).map(|a| a.2).collect();
            let bad = all
                .iter()
                .filter(of)
                .filter(|a| !(200..300).contains(&a.3))
                .count();
            let n = times.len();
            let p50 = percentile(&mut times, 0.5);
            let p99 = percentile(&mut times, 0.99);
            let max = times.last().copied().unwrap_or(0.0);
            println!("| {what} | {when} | {n} | {p50:.1} | {p99:.1} | {max:.1} | {bad} |");
        }
    }
    Ok(())
}
