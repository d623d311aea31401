//! Case benchmarks (issue 4; figures in BENCHMARKS.md, release builds only):
//! - `history`: a county with 1,000,000 past cases — the queue pages and a year's statistics;
//! - `surge`: case submissions over HTTP at full durability (as fast as they go, and at a steady
//!   500 a second), next to the raw insert rate of the same database in the same run.

use anyhow::Context;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};
use xiangzhi_cases::prelude::*;
use xiangzhi_cases::rules::CaseState;
use xiangzhi_cases::store::{CaseRollups, HistoryRow};
use xiangzhi_domain::DivisionCode;
use xiangzhi_registry::prelude::*;
use xiangzhi_storage::{Db, ListQuery, Scope};

const DAY: i64 = 24 * 3_600_000;
const COUNTY: i64 = 141029;

fn percentile(times: &mut [f64], p: f64) -> f64 {
    times.sort_by(f64::total_cmp);
    if times.is_empty() {
        return 0.0;
    }
    let k = ((times.len() as f64 - 1.0) * p).round() as usize;
    times[k]
}

/// Villages and groups of the county, and some of its households.
async fn targets(db: &Db) -> anyhow::Result<(Vec<String>, Vec<i64>)> {
    let county = Scope::division(&DivisionCode::parse("141029000000")?);
    let mut divisions = Vec::new();
    for kind in ["village", "group"] {
        let lq = ListQuery {
            kind: Some(kind.into()),
            ..Default::default()
        };
        let found = xiangzhi_registry::places::all_divisions(db, &county, lq).await?;
        divisions.extend(found.into_iter().map(|d| d.code));
    }
    let mut households = Vec::new();
    let mut lq = ListQuery {
        limit: Some(500),
        ..Default::default()
    };
    while households.len() < 20_000 {
        let page = db.list_households(&county, &lq).await?;
        households.extend(page.items.iter().map(|h| h.id));
        match page.next_cursor {
            Some(c) => lq.cursor = Some(c),
            None => break,
        }
    }
    anyhow::ensure!(!divisions.is_empty(), "the demo county has no villages");
    Ok((divisions, households))
}

/// Adds past cases until the county has `total`: five years of them, most closed long ago.
pub async fn fill_history(db: &Db, total: i64, now: i64) -> anyhow::Result<()> {
    let have = db
        .count_for_tests("SELECT COUNT(*) FROM cases WHERE county_id = 141029")
        .await?;
    if have >= total {
        return Ok(());
    }
    let categories = db.case_categories(COUNTY).await?;
    anyhow::ensure!(
        !categories.is_empty(),
        "the demo county has no case categories"
    );
    let (divisions, households) = targets(db).await?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    let bar = indicatif::ProgressBar::new((total - have) as u64);
    let started = Instant::now();
    let mut left = total - have;
    while left > 0 {
        let n = left.min(20_000);
        let rows: Vec<HistoryRow> = (0..n)
            .map(|_| {
                let c = &categories[rng.random_range(0..categories.len())];
                let created_at = now - rng.random_range(0..5 * 365 * DAY);
                let escalated = rng.random_bool(0.12);
                let level = if escalated {
                    c.level.up().unwrap_or(c.level)
                } else {
                    c.level
                };
                let recent = now - created_at < 30 * DAY;
                let state = if recent && rng.random_bool(0.5) {
                    [
                        CaseState::Reported,
                        CaseState::Accepted,
                        CaseState::Assigned,
                        CaseState::InProgress,
                        CaseState::Resolved,
                    ][rng.random_range(0..5)]
                } else {
                    match rng.random_range(0..100) {
                        0..92 => CaseState::Closed,
                        92..96 => CaseState::ClosedUnresolved,
                        96..99 => CaseState::Confirmed,
                        _ => CaseState::Merged,
                    }
                };
                let resolved = matches!(
                    state,
                    CaseState::Closed | CaseState::Confirmed | CaseState::Resolved
                );
                let resolved_at =
                    resolved.then(|| created_at + rng.random_range(3_600_000..20 * DAY));
                HistoryRow {
                    county_id: COUNTY,
                    category: c.code.clone(),
                    description: format!("{}：历史事项", c.name),
                    division_code: divisions[rng.random_range(0..divisions.len())].clone(),
                    household_id: (!households.is_empty() && rng.random_bool(0.3))
                        .then(|| households[rng.random_range(0..households.len())]),
                    state,
                    level,
                    auto_escalations: i64::from(escalated),
                    due_at: matches!(
                        state,
                        CaseState::Reported
                            | CaseState::Accepted
                            | CaseState::Assigned
                            | CaseState::InProgress
                    )
                    .then_some(created_at + 3 * DAY),
                    resolved_at,
                    rating: (resolved && rng.random_bool(0.7)).then(|| rng.random_range(3..=5)),
                    created_at,
                }
            })
            .collect();
        db.insert_history(&rows).await?;
        bar.inc(n as u64);
        left -= n;
    }
    bar.finish_and_clear();
    eprintln!(
        "{} past cases loaded in {:.1}s",
        total - have,
        started.elapsed().as_secs_f64()
    );
    db.analyze().await?;
    Ok(())
}

/// The queue pages and a year's statistics over the county's history.
pub async fn history(db: &Db, cases: i64, runs: usize) -> anyhow::Result<()> {
    let now = xiangzhi_storage::now_ms();
    fill_history(db, cases, now).await?;
    db.analyze().await?;
    let n = db
        .count_for_tests("SELECT COUNT(*) FROM cases WHERE county_id = 141029")
        .await?;
    // The township's first village.
    let village = targets(db)
        .await?
        .0
        .into_iter()
        .find(|d| d.starts_with("141029100") && d.len() == 12 && !d.ends_with("000"))
        .context("no village in township 141029100")?;
    let scopes = [
        (
            "county",
            Scope::division(&DivisionCode::parse("141029000000")?),
        ),
        (
            "township",
            Scope::division(&DivisionCode::parse("141029100000")?),
        ),
        ("village", Scope::division(&DivisionCode::parse(&village)?)),
    ];
    println!("{n} cases in county 141029\n");
    println!("| query | scope | median ms | p95 ms |");
    println!("|---|---|---|---|");
    let page = |kind: Option<&str>| ListQuery {
        kind: kind.map(str::to_string),
        limit: Some(50),
        ..Default::default()
    };
    for (name, kind) in [
        ("queue page: all cases, first 50", None),
        (
            "queue page: waiting to be accepted (accepted), first 50",
            Some("accepted"),
        ),
    ] {
        for (sname, scope) in &scopes {
            let mut t = Vec::with_capacity(runs);
            for _ in 0..runs {
                let s = Instant::now();
                db.list_cases(scope, &page(kind)).await?;
                t.push(s.elapsed().as_secs_f64() * 1000.0);
            }
            println!(
                "| {name} | {sname} | {:.2} | {:.2} |",
                percentile(&mut t, 0.5),
                percentile(&mut t, 0.95)
            );
        }
    }
    for (sname, scope) in &scopes {
        let mut t = Vec::with_capacity(runs);
        for _ in 0..runs {
            let s = Instant::now();
            db.case_inbox(scope, 0).await?;
            t.push(s.elapsed().as_secs_f64() * 1000.0);
        }
        println!(
            "| inbox (assigned to me + waiting, soonest due first) | {sname} | {:.2} | {:.2} |",
            percentile(&mut t, 0.5),
            percentile(&mut t, 0.95)
        );
    }
    // What the server's folder does after a history is loaded: the county's roll-ups rebuilt
    // whole from its cases; then what a fold with nothing new costs.
    let s = Instant::now();
    let months = db.fold_case_rollups(COUNTY).await?;
    println!(
        "\nroll-ups rebuilt from {n} cases: {months} months in {:.1} s",
        s.elapsed().as_secs_f64()
    );
    let s = Instant::now();
    let again = db.fold_case_rollups(COUNTY).await?;
    println!(
        "the folder's next round: {again} months rebuilt (cases of the last 30 s) in {:.2} ms\n",
        s.elapsed().as_secs_f64() * 1000.0
    );
    println!("| query | scope | median ms | p95 ms |");
    println!("|---|---|---|---|");
    let stat_runs = runs.clamp(5, 30);
    for (sname, scope) in &scopes {
        let mut t = Vec::with_capacity(stat_runs);
        let mut total = 0;
        for _ in 0..stat_runs {
            let s = Instant::now();
            let st = db.case_stats(scope, now - 365 * DAY, now, now).await?;
            t.push(s.elapsed().as_secs_f64() * 1000.0);
            total = st.total;
        }
        println!(
            "| statistics for the last 365 days ({total} cases) | {sname} | {:.1} | {:.1} |",
            percentile(&mut t, 0.5),
            percentile(&mut t, 0.95)
        );
    }
    Ok(())
}

/// Submissions over HTTP against the raw insert rate of the same database.
pub async fn surge(db: Db, seconds: u64, concurrency: usize, rate: u64) -> anyhow::Result<()> {
    use xiangzhi_storage::accounts::NewUser;
    let login = format!("surge{}", xiangzhi_storage::now_ms());
    let by = xiangzhi_storage::Actor::command("bench surge");
    let user = db
        .create_user(
            &by,
            &NewUser {
                login: login.clone(),
                display_name: "压测".into(),
                role: "county_admin".into(),
                division_code: "141029000000".into(),
                grid_id: None,
                password: "Surge-Bench-2026".into(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let (_, token) = db.create_api_token(&by, user.id, "surge").await?;
    let category = db
        .case_categories(COUNTY)
        .await?
        .first()
        .map(|c| c.code.clone())
        .context("no case categories")?;
    let (divisions, _) = targets(&db).await?;
    let divisions_raw = divisions.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = xiangzhi::app(xiangzhi_web::AppState::new(db.clone()));
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let url = format!("http://{addr}/api/v1/cases");
    let run = format!("{:x}", xiangzhi_storage::now_ms());
    let body = move |k: u64| {
        serde_json::json!({
            "idempotency_key": format!("surge-{run}-{k}"),
            "category": category,
            "description": "汛期险情：河堤渗水，请速派人查看",
            "division_code": divisions[k as usize % divisions.len()],
            "urgency": "urgent",
            "reporter_kind": "grid_worker",
        })
    };
    let post = {
        let client = client.clone();
        let url = url.clone();
        let token = token.clone();
        move |b: serde_json::Value| {
            let client = client.clone();
            let url = url.clone();
            let token = token.clone();
            async move {
                let s = Instant::now();
                let r = client.post(&url).bearer_auth(&token).json(&b).send().await;
                let status = r.map(|r| r.status().as_u16()).unwrap_or(0);
                (status, s.elapsed().as_secs_f64() * 1000.0)
            }
        }
    };
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    // 1. As fast as it goes: `concurrency` clients, each sending the next case when one is done.
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let post = post.clone();
        let body = body.clone();
        let counter = counter.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = (0u64, 0u64, Vec::new());
            while Instant::now() < deadline {
                let k = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let (status, ms) = post(body(k)).await;
                if status == 201 {
                    out.0 += 1;
                } else {
                    out.1 += 1;
                }
                out.2.push(ms);
            }
            out
        }));
    }
    let (mut ok, mut failed, mut lat) = (0, 0, Vec::new());
    for t in tasks {
        let (o, f, l) = t.await?;
        ok += o;
        failed += f;
        lat.extend(l);
    }
    let http_rate = ok as f64 / seconds as f64;
    println!(
        "HTTP, {concurrency} clients, {seconds} s: {ok} cases filed ({failed} failed), {http_rate:.0}/s, p50 {:.1} ms, p99 {:.1} ms",
        percentile(&mut lat, 0.5),
        percentile(&mut lat, 0.99)
    );
    // 2. The raw insert rate: the same table, the same durability, the same number of writers,
    //    one committed single-row INSERT each time — no HTTP, no checks, no timeline, no audit.
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    let first_category = db.case_categories(COUNTY).await?[0].code.clone();
    for w in 0..concurrency {
        let db = db.clone();
        let category = first_category.clone();
        let division = divisions_raw[w % divisions_raw.len()].clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                db.bench_raw_case_insert(COUNTY, &category, &division, w as i64, n as i64)
                    .await?;
                n += 1;
            }
            anyhow::Ok(n)
        }));
    }
    let mut raw = 0;
    for t in tasks {
        raw += t.await??;
    }
    let raw_rate = raw as f64 / seconds as f64;
    println!(
        "raw INSERT, {concurrency} writers, {seconds} s: {raw} rows, {raw_rate:.0}/s; HTTP intake is {:.0}% of it",
        100.0 * http_rate / raw_rate
    );
    // 3. A steady `rate` a second for `seconds`: latency when the load is what a flood brings.
    //    4. Twice the capacity phase 1 measured: what is filed, what is turned away at once (503
    //    with Retry-After, for the client to send again with its key) and how fast each answer came.
    for (what, rate) in [
        ("steady", rate),
        ("2x capacity", (2.0 * http_rate).round().max(1.0) as u64),
    ] {
        let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let mut handles = Vec::new();
        let started = Instant::now();
        for _ in 0..rate * seconds {
            tick.tick().await;
            let k = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            handles.push(tokio::spawn(post(body(k))));
        }
        let sent_in = started.elapsed().as_secs_f64();
        let (mut ok, mut shed, mut failed) = (0, 0, 0);
        let (mut lat, mut shed_lat) = (Vec::new(), Vec::new());
        for h in handles {
            let (status, ms) = h.await?;
            match status {
                201 => {
                    ok += 1;
                    lat.push(ms);
                }
                503 => {
                    shed += 1;
                    shed_lat.push(ms);
                }
                _ => failed += 1,
            }
        }
        println!(
            "{what} {rate}/s for {seconds} s (sent in {sent_in:.1} s): {ok} filed (p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms), \
             {shed} turned away with 503 (max {:.1} ms), {failed} failed otherwise",
            percentile(&mut lat, 0.5),
            percentile(&mut lat, 0.99),
            percentile(&mut lat, 1.0),
            percentile(&mut shed_lat, 1.0)
        );
    }
    Ok(())
}
