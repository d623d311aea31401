//! The collective economy at a county's scale (issue 21; figures in BENCHMARKS.md, release builds
//! only). On the demo county (whose pilot township keeps its own two years of books), every other
//! resident on the roll made a member of their village's collective, every other household given
//! land shares, and each other village two years of funds journal, twenty assets and ten leases, it times the county's income distribution (every village's plan
//! drafted through the store, about 70,000 households) and a village's three-asset statement
//! (the year's funds statement, the asset register with book values, the leases with what is
//! overdue).

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use std::time::Instant;
use xiangzhi_economy::batch::{BatchInput, VillageIncome};
use xiangzhi_economy::distributions::{Basis, ClassInput, DistributionInput, Who};
use xiangzhi_economy::{AssetStore, BatchStore, DistributionStore, FundStore, LeaseStore};
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{Actor, Bookkeeping, Db, Scope, Value};

const COUNTY: i64 = 141_029;

fn percentile(times: &mut [f64], p: f64) -> f64 {
    times.sort_by(f64::total_cmp);
    if times.is_empty() {
        return 0.0;
    }
    times[((times.len() as f64 - 1.0) * p).round() as usize]
}

/// Members, land shares, two years of funds, assets and leases, written once.
async fn top_up(db: &Db, by: i64) -> anyhow::Result<()> {
    // The demo keeps the pilot township's books already; the rest of the county is topped up.
    if db
        .count_for_tests(
            "SELECT COUNT(*) FROM collective_members WHERE division_code NOT LIKE '141029100%'",
        )
        .await?
        > 0
    {
        return Ok(());
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(21);
    let now = xiangzhi_storage::now_ms();
    // Members and land shares as the demo gives its pilot township, township by township.
    let townships: Vec<(String,)> = db
        .all(&Q::with(
            "SELECT code FROM divisions WHERE county_id = ? AND level = 'township' \
             AND code NOT LIKE '141029100%' ORDER BY code",
            vec![COUNTY.into()],
        ))
        .await?;
    for (t,) in &townships {
        xiangzhi_economy::demo::members_and_shares(
            db,
            COUNTY,
            t.get(..9).unwrap_or_default(),
            by,
            now,
            &mut rng,
        )
        .await?;
    }
    let villages: Vec<(String,)> = db
        .all(&Q::with(
            "SELECT code FROM divisions WHERE county_id = ? AND level = 'village' \
             AND code NOT LIKE '141029100%' ORDER BY code",
            vec![COUNTY.into()],
        ))
        .await?;
    let mut tx = db.begin().await?;
    tx.bookkeeping(Bookkeeping::BenchmarkOrTest);
    // Two years of the journal: thirty entries a month in every village.
    let today = xiangzhi_domain::china_today();
    let first = NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).unwrap_or(today);
    let per_village = 24 * 30;
    let mut id = xiangzhi_storage::list::next_ids(
        &mut tx,
        COUNTY,
        "fund_entry",
        (villages.len() * per_village) as i64,
    )
    .await?;
    let mut rows = Vec::new();
    for (v,) in &villages {
        for k in 0..per_village {
            let on = first + chrono::Duration::days((k as i64 * 730) / per_village as i64);
            let income = rng.random_bool(0.5);
            let (dir, cat) = if income {
                (
                    "income",
                    ["business", "contracting", "investment", "subsidy"][k % 4],
                )
            } else {
                (
                    "expense",
                    ["business_cost", "management", "public_welfare"][k % 3],
                )
            };
            id += 1;
            rows.push(vec![
                COUNTY.into(),
                (id - 1).into(),
                v.clone().into(),
                Value::Date(on),
                dir.into(),
                cat.into(),
                rng.random_range(10_000i64..5_000_000).into(),
                "日常收支".into(),
                format!("记-{k}").into(),
                Value::OptI64(None),
                by.into(),
                now.into(),
            ]);
        }
    }
    tx.bulk_insert(
        "fund_entries",
        &[
            "county_id",
            "id",
            "division_code",
            "entry_on",
            "direction",
            "category",
            "amount",
            "summary",
            "voucher",
            "reverses",
            "recorded_by",
            "created_at",
        ],
        rows,
    )
    .await?;
    tx.commit().await?;
    // Assets and leases through the store, as a clerk enters them.
    let scope = Scope::everything().by(Actor::new(Some(by), "admin", "bench", "bench economy"));
    for (v,) in &villages {
        for k in 0..20 {
            db.register_asset(
                &scope,
                &xiangzhi_economy::assets::AssetInput {
                    division_code: v.clone(),
                    name: format!("资产{k}"),
                    category: "equipment".into(),
                    location: "村委会".into(),
                    cost: rng.random_range(100_000..50_000_000),
                    salvage: 0,
                    months: 120,
                    acquired_on: "2021-05-01".into(),
                    state: if k % 5 == 0 { "idle" } else { "in_use" }.into(),
                },
            )
            .await?;
        }
        for k in 0..10 {
            db.create_lease(
                &scope,
                &xiangzhi_economy::leases::LeaseInput {
                    division_code: v.clone(),
                    resource: format!("地块{k}"),
                    kind: "land".into(),
                    area: rng.random_range(100..5_000),
                    price: 80_000,
                    lessee: format!("承包户{k}"),
                    start_on: "2024-03-01".into(),
                    years: 5,
                    per_year: 2,
                },
            )
            .await?;
        }
    }
    Ok(())
}

pub async fn run(db: Db, runs: usize, backend: &str) -> anyhow::Result<()> {
    let admin = db.user_by_login("admin").await?;
    top_up(&db, admin.id).await?;
    db.analyze().await?;
    let scope = Scope::everything().by(Actor::new(
        Some(admin.id),
        "admin",
        "bench",
        "bench economy",
    ));
    let villages: Vec<(String,)> = db
        .all(&Q::with(
            "SELECT code FROM divisions WHERE county_id = ? AND level = 'village' ORDER BY code",
            vec![COUNTY.into()],
        ))
        .await?;
    let households = db
        .count_for_tests("SELECT COUNT(*) FROM households")
        .await?;
    let members = db
        .count_for_tests("SELECT COUNT(*) FROM collective_members")
        .await?;
    let entries = db
        .count_for_tests("SELECT COUNT(*) FROM fund_entries")
        .await?;
    println!(
        "{backend}: {} villages, {households} households, {members} members, {entries} journal entries\n",
        villages.len()
    );
    // 1. The county's distribution: every village's plan drafted through the store.
    let plan = |village: &str| DistributionInput {
        division_code: village.to_string(),
        year: 2026,
        title: "年度收益分配方案".into(),
        distributable: 123_456_789,
        reserve: 1_000,
        classes: vec![
            ClassInput {
                name: "集体".into(),
                weight: 2_000,
                kept: true,
                basis: Basis::Members,
                who: Who::All,
            },
            ClassInput {
                name: "人口股".into(),
                weight: 5_000,
                kept: false,
                basis: Basis::Members,
                who: Who::All,
            },
            ClassInput {
                name: "土地股".into(),
                weight: 3_000,
                kept: false,
                basis: Basis::Land,
                who: Who::All,
            },
        ],
    };
    println!("| county distribution | villages | lines | seconds |");
    println!("|---|---|---|---|");
    for round in 0..3 {
        let started = Instant::now();
        let mut lines = 0;
        for (v,) in &villages {
            lines += db.draft_distribution(&scope, &plan(v)).await?.lines.len();
        }
        println!(
            "| round {} | {} | {lines} | {:.2} |",
            round + 1,
            villages.len(),
            started.elapsed().as_secs_f64()
        );
    }
    // 1b. The same, as one batch: every village's plan in one transaction.
    println!("\n| county distribution, one batch | villages | lines | seconds |");
    println!("|---|---|---|---|");
    let first = plan(&villages[0].0);
    let batch = BatchInput {
        year: first.year,
        title: first.title.clone(),
        reserve: first.reserve,
        classes: first.classes.clone(),
        villages: villages
            .iter()
            .map(|(v,)| VillageIncome {
                division_code: v.clone(),
                distributable: first.distributable,
            })
            .collect(),
    };
    for round in 0..3 {
        let started = Instant::now();
        let drafted = db.draft_distributions(&scope, &batch).await?;
        let lines: usize = drafted.iter().map(|d| d.lines).sum();
        println!(
            "| round {} | {} | {lines} | {:.2} |",
            round + 1,
            drafted.len(),
            started.elapsed().as_secs_f64()
        );
    }
    println!();
    // 2. A village's three-asset statement, over every village in turn.
    let today = xiangzhi_domain::china_today();
    let year_from = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let mut times = Vec::with_capacity(runs);
    for k in 0..runs + 20 {
        let v = &villages[k % villages.len()].0;
        let started = Instant::now();
        let s = db.fund_statement(&scope, v, year_from, today).await?;
        let a = db.assets(&scope, Some(v), None, None, today).await?;
        let l = db.overdue_leases(&scope, Some(v), None, today).await?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        anyhow::ensure!(s.division_code == *v && !a.is_empty(), "an empty statement");
        let _ = l;
        if k >= 20 {
            times.push(ms);
        }
    }
    let p50 = percentile(&mut times, 0.5);
    let p95 = percentile(&mut times, 0.95);
    println!("\n| a village's three-asset statement | runs | p50 ms | p95 ms |");
    println!("|---|---|---|---|");
    println!("| funds + assets + leases | {runs} | {p50:.1} | {p95:.1} |");
    Ok(())
}
