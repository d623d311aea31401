//! An import into a running server (issue 18; figures in BENCHMARKS.md, release builds only): the
//! demo county's 209,570 residents imported into a SQLite database holding its divisions and
//! grids, while clients sign in and file cases through the whole application. Reports the
//! import's duration and each client request's latency (p50, p99, max) during it, and any
//! answer that was not a success.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
    let password = "Bench-Live-Import-1";
    db.create_user(
        &by,
        &xiangzhi_storage::accounts::NewUser {
            login: "live".into(),
            display_name: "压测".into(),
            role: "county_admin".into(),
            division_code: "141029000000".into(),
            grid_id: None,
            password: password.into(),
        },
    )
    .await?;
    let admin = db.user_by_login("live").await?;
    let token = db
        .create_session(admin.id, "bench", xiangzhi_storage::now_ms())
        .await?;
    let app = xiangzhi::app(xiangzhi_web::AppState::new(db.clone()));
    let done = Arc::new(AtomicBool::new(false));
    let importing = Arc::new(AtomicBool::new(false));
    let serial = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for k in 0..clients {
        let (app, done, serial, token) = (app.clone(), done.clone(), serial.clone(), token.clone());
        let importing = importing.clone();
        tasks.push(tokio::spawn(async move {
            let mut out: Vec<(&'static str, f64, u16)> = Vec::new();
            while !done.load(Ordering::SeqCst) {
                let n = serial.fetch_add(1, Ordering::SeqCst);
                let (what, req) = if (n + k as u64).is_multiple_of(2) {
                    let body = serde_json::json!({"login": "live", "password": password});
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
                let during = importing.load(Ordering::SeqCst);
                let started = Instant::now();
                let resp = app.clone().oneshot(req).await?;
                let status = resp.status().as_u16();
                let _ = resp.into_body().collect().await?;
                if during && !done.load(Ordering::SeqCst) {
                    out.push((what, started.elapsed().as_secs_f64() * 1000.0, status));
                }
            }
            anyhow::Ok(out)
        }));
    }
    // The clients warm up for a second, then the import starts.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    importing.store(true, Ordering::SeqCst);
    let started = Instant::now();
    let report = xiangzhi_registry::import(
        &db,
        &scope,
        xiangzhi_registry::Layout::Households,
        &dir.join("households.csv"),
        None,
        &Quiet,
    )
    .await?;
    let secs = started.elapsed().as_secs_f64();
    done.store(true, Ordering::SeqCst);
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    println!(
        "import: {} rows, {} written in {secs:.1}s ({:.0} rows/s) with {clients} clients running",
        report.rows,
        report.written,
        report.rows as f64 / secs
    );
    println!("| request | n | p50 ms | p99 ms | max ms | not 2xx |");
    println!("|---|---|---|---|---|---|");
    for what in ["sign-in", "file a case"] {
        let mut times: Vec<f64> = all.iter().filter(|a| a.0 == what).map(|a| a.1).collect();
        let bad = all
            .iter()
            .filter(|a| a.0 == what && !(200..300).contains(&a.2))
            .count();
        let n = times.len();
        let p50 = percentile(&mut times, 0.5);
        let p99 = percentile(&mut times, 0.99);
        let max = times.last().copied().unwrap_or(0.0);
        println!("| {what} | {n} | {p50:.1} | {p99:.1} | {max:.1} | {bad} |");
    }
    Ok(())
}
