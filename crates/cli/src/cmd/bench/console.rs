//! The console's daily pages for the county administrator (issue 17; figures in BENCHMARKS.md,
//! release builds only): the home page and the case ledger with its common filters, on the demo
//! county with its year of history, answered by the whole application (authentication, scope,
//! queries, templates, compression) as a browser asks for them.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use std::time::Instant;
use tower::ServiceExt;
use xiangzhi_storage::Db;

fn percentile(times: &mut [f64], p: f64) -> f64 {
    times.sort_by(f64::total_cmp);
    if times.is_empty() {
        return 0.0;
    }
    times[((times.len() as f64 - 1.0) * p).round() as usize]
}

/// The pages timed, as the county administrator opens them.
const PAGES: &[(&str, &str)] = &[
    ("home page 首页", "/"),
    ("ledger 事件台账", "/cases/ledger"),
    ("ledger, in progress", "/cases/ledger?state=in_progress"),
    ("ledger, overdue", "/cases/ledger?overdue=1"),
    ("ledger, a township", "/cases/ledger?division=141029100000"),
    ("ledger, words 路灯", "/cases/ledger?q=%E8%B7%AF%E7%81%AF"),
    ("ledger, page 20", "/cases/ledger?page=20"),
    ("ledger, oldest first", "/cases/ledger?sort=oldest"),
    ("ledger, deadline first", "/cases/ledger?sort=due"),
];

/// Times each page `runs` times (after a warm-up) and prints a Markdown table.
pub async fn run(db: Db, runs: usize, backend: &str) -> anyhow::Result<()> {
    db.analyze().await?;
    let admin = db.user_by_login("admin").await?;
    let token = db
        .create_session(admin.id, "bench", xiangzhi_storage::now_ms())
        .await?;
    let cases = db.count_for_tests("SELECT COUNT(*) FROM cases").await?;
    let app = xiangzhi::app(xiangzhi_web::AppState::new(db));
    let get = |uri: &'static str| {
        let app = app.clone();
        let cookie = format!("xz_session={token}");
        async move {
            let req = Request::builder()
                .uri(uri)
                .header("host", "localhost")
                .header("cookie", cookie)
                .header("accept-encoding", "br, gzip")
                .header("accept-language", "zh-CN")
                .body(Body::empty())?;
            let started = Instant::now();
            let resp = app.oneshot(req).await?;
            let status = resp.status();
            let bytes = resp.into_body().collect().await?.to_bytes().len();
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            anyhow::ensure!(status.is_success(), "{uri} answered {status}");
            anyhow::Ok((ms, bytes))
        }
    };
    println!("{backend}, county administrator, {cases} cases, {runs} runs per page\n");
    println!("| page | address | median ms | p95 ms | max ms | bytes sent |");
    println!("|---|---|---|---|---|---|");
    for (name, uri) in PAGES {
        for _ in 0..runs.min(20) {
            get(uri).await?;
        }
        let mut times = Vec::with_capacity(runs);
        let mut size = 0;
        for _ in 0..runs {
            let (ms, bytes) = get(uri).await?;
            times.push(ms);
            size = bytes;
        }
        let max = times.iter().copied().fold(0.0, f64::max);
        println!(
            "| {name} | `{uri}` | {:.1} | {:.1} | {max:.1} | {size} |",
            percentile(&mut times, 0.5),
            percentile(&mut times, 0.95)
        );
    }
    Ok(())
}
