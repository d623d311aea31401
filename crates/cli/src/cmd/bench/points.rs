//! Points at a county's scale (issue 19; figures in BENCHMARKS.md, release builds only). On the
//! demo county, topped up to 12,000 party members and a year of about two million ledger entries
//! drawn by the feature's own generator, it times the county's monthly evaluation (every branch's
//! month published from the ledger), a village's public board as a phone asks for it (the whole
//! application), and a redemption at the points store (the store's atomic path).

use axum::body::Body;
use axum::http::Request;
use chrono::NaiveDate;
use http_body_util::BodyExt;
use rand::{Rng, SeedableRng};
use std::time::Instant;
use tower::ServiceExt;
use xiangzhi_points::boards::DraftInput;
use xiangzhi_points::demo::{draw_year, year_before, Density, PILOT};
use xiangzhi_points::months::PublishInput;
use xiangzhi_points::shop::{Donation, GoodsInput, GoodsRedemption};
use xiangzhi_points::{BoardStore, MonthStore, SettingsStore, ShopStore};
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{Actor, Db, Scope, Value};

const COUNTY: i64 = 141_029;
const MEMBERS: i64 = 12_000;
const DAY: i64 = 86_400_000;

/// The rest of the county at the benchmark's density: with the pilot's year, about two million
/// entries.
const BENCH_DENSITY: Density = Density {
    household_per_month: 1.8,
    member_miss: 0.05,
    member_deduction: 0.03,
};

fn percentile(times: &mut [f64], p: f64) -> f64 {
    times.sort_by(f64::total_cmp);
    if times.is_empty() {
        return 0.0;
    }
    times[((times.len() as f64 - 1.0) * p).round() as usize]
}

async fn count(db: &Db, sql: &str) -> anyhow::Result<i64> {
    Ok(db.count_for_tests(sql).await?)
}

/// Adds members (adults of the villages outside the pilot, in their village's branch) until the
/// county has 12,000.
async fn members_to_12000(db: &Db) -> anyhow::Result<()> {
    let have = count(db, "SELECT COUNT(*) FROM party_members").await?;
    if have >= MEMBERS {
        return Ok(());
    }
    let branches: Vec<(i64, String)> = db
        .all(&Q::with(
            "SELECT t.id, t.division_code FROM party_orgs t WHERE t.county_id = ? \
             AND t.kind IN ('branch', 'general_branch')",
            vec![COUNTY.into()],
        ))
        .await?;
    let branch_of: std::collections::HashMap<String, i64> =
        branches.into_iter().map(|(id, d)| (d, id)).collect();
    let adults: Vec<(i64, String)> = db
        .all(&Q::with(
            "SELECT r.id, r.division_code FROM residents r WHERE r.county_id = ? AND r.birth_date <= ? \
             AND r.division_code NOT LIKE ? AND NOT EXISTS (SELECT 1 FROM party_members m \
             WHERE m.county_id = r.county_id AND m.resident_id = r.id) ORDER BY r.id",
            vec![
                COUNTY.into(),
                Value::Date(NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default()),
                format!("{PILOT}%").into(),
            ],
        ))
        .await?;
    let need = (MEMBERS - have) as usize;
    let step = (adults.len() / need.max(1)).max(1);
    let mut tx = db.begin().await?;
    let mut id =
        xiangzhi_storage::list::next_ids(&mut tx, COUNTY, "party_member", need as i64).await?;
    let now = xiangzhi_storage::now_ms();
    let mut rows = Vec::new();
    for (resident, division) in adults.iter().step_by(step) {
        if rows.len() == need {
            break;
        }
        let Some(org) = branch_of.get(&division[..12.min(division.len())]) else {
            continue;
        };
        rows.push(vec![
            Value::I64(COUNTY),
            Value::I64(id),
            Value::I64(*resident),
            Value::I64(*org),
            Value::Text(division.clone()),
            Value::Text("full".into()),
            Value::Text("member".into()),
            Value::Date(NaiveDate::from_ymd_opt(2015, 7, 1).unwrap_or_default()),
            Value::I64(now),
            Value::I64(now),
        ]);
        id += 1;
    }
    tx.bulk_insert(
        "party_members",
        &[
            "county_id",
            "id",
            "resident_id",
            "org_id",
            "division_code",
            "status",
            "role",
            "joined_on",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    .await?;
    tx.audit(
        &Actor::system("benchmark"),
        "add bench members",
        format!("county {COUNTY}: to {MEMBERS} members"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The county topped up: 12,000 members, a year of points in every township, every village's
/// lists of the month before last published, a store in every village. Each step does only what
/// is missing, so an interrupted run resumes.
async fn top_up(db: &Db, admin: &Actor, officer: i64) -> anyhow::Result<()> {
    members_to_12000(db).await?;
    let now = xiangzhi_storage::now_ms();
    let months = year_before(now);
    if count(db, "SELECT COUNT(*) FROM points_entries").await? < 1_000_000 {
        let towns: Vec<(String,)> = db
            .all(&Q::with(
                "SELECT t.code FROM divisions t WHERE t.county_id = ? AND t.level = 'township' ORDER BY t.code",
                vec![COUNTY.into()],
            ))
            .await?;
        let started = Instant::now();
        for (town,) in &towns {
            if town.starts_with(PILOT) {
                continue;
            }
            let drawn = draw_year(
                db,
                COUNTY,
                &town[..9],
                &months,
                BENCH_DENSITY,
                7,
                officer,
                admin.user_id.unwrap_or(0),
            )
            .await?;
            eprintln!(
                "{town}: {} accounts, {} entries",
                drawn.accounts, drawn.entries
            );
        }
        eprintln!("year drawn in {:.1}s", started.elapsed().as_secs_f64());
        db.analyze().await?;
    }
    // Every village's lists of the month before last, published; a store with stock in each.
    let scope = Scope::everything().by(admin.clone());
    let month = months[months.len() - 2].format("%Y-%m").to_string();
    let bare: Vec<(String,)> = db
        .all(&Q::with(
            "SELECT t.code FROM divisions t WHERE t.county_id = ? AND t.level = 'village' AND NOT EXISTS \
             (SELECT 1 FROM points_boards b WHERE b.county_id = t.county_id AND b.division_code = t.code AND b.month = ?) \
             ORDER BY t.code",
            vec![COUNTY.into(), month.clone().into()],
        ))
        .await?;
    let rules = db.board_rules(COUNTY).await?;
    let drafted = now - 27 * DAY;
    for (v,) in &bare {
        let b = db
            .draft_board(
                &scope,
                &DraftInput {
                    division_code: v.clone(),
                    month: month.clone(),
                },
                drafted,
            )
            .await?;
        db.publish_board(
            &scope,
            COUNTY,
            b.board.id,
            drafted + rules.objection_days * DAY,
        )
        .await?;
    }
    let unstocked: Vec<(String,)> = db
        .all(&Q::with(
            "SELECT t.code FROM divisions t WHERE t.county_id = ? AND t.level = 'village' AND NOT EXISTS \
             (SELECT 1 FROM store_goods g WHERE g.county_id = t.county_id AND g.division_code = t.code \
              AND g.name = '香皂（基准）') ORDER BY t.code",
            vec![COUNTY.into()],
        ))
        .await?;
    for (v,) in &unstocked {
        let g = db
            .create_goods(
                &scope,
                &GoodsInput {
                    division_code: v.clone(),
                    name: "香皂（基准）".into(),
                    unit: "块".into(),
                    price: 5,
                },
            )
            .await?;
        db.donate_goods(
            &scope,
            COUNTY,
            g.id,
            &Donation {
                quantity: 100_000,
                donor: "基准测试".into(),
            },
        )
        .await?;
    }
    if !bare.is_empty() || !unstocked.is_empty() {
        db.analyze().await?;
    }
    Ok(())
}

/// Times the county's evaluation of one month: every branch with members published from the
/// ledger, in turn. The month's earlier evaluation (if any) is cleared first.
async fn evaluation(db: &Db, scope: &Scope, month: &str) -> anyhow::Result<(f64, usize, i64)> {
    for sql in [
        format!(
            "DELETE FROM member_month_results WHERE county_id = {COUNTY} AND month_id IN \
             (SELECT id FROM member_months WHERE county_id = {COUNTY} AND month = '{month}')"
        ),
        format!("DELETE FROM member_months WHERE county_id = {COUNTY} AND month = '{month}'"),
    ] {
        db.execute_for_tests(&sql).await?;
    }
    let orgs: Vec<(i64,)> = db
        .all(&Q::with(
            "SELECT t.id FROM party_orgs t WHERE t.county_id = ? AND EXISTS (SELECT 1 FROM party_members m \
             WHERE m.county_id = t.county_id AND m.org_id = t.id) ORDER BY t.id",
            vec![COUNTY.into()],
        ))
        .await?;
    let started = Instant::now();
    let mut members = 0;
    for (org,) in &orgs {
        let v = db
            .publish_month(
                scope,
                &PublishInput {
                    org_id: *org,
                    month: month.to_string(),
                },
                xiangzhi_storage::now_ms(),
            )
            .await?;
        members += v.results.len() as i64;
    }
    Ok((started.elapsed().as_secs_f64(), orgs.len(), members))
}

pub async fn run(db: Db, runs: usize, backend: &str) -> anyhow::Result<()> {
    let admin_user = db.user_by_login("admin").await?;
    let admin = Actor::new(Some(admin_user.id), "admin", "bench", "bench points");
    let officer = db.user_by_login("changning").await?.id;
    top_up(&db, &admin, officer).await?;
    db.analyze().await?;
    let scope = Scope::everything().by(admin.clone());
    let entries = count(&db, "SELECT COUNT(*) FROM points_entries").await?;
    let members = count(&db, "SELECT COUNT(*) FROM party_members").await?;
    let households = count(&db, "SELECT COUNT(*) FROM households").await?;
    println!(
        "{backend}: {members} party members, {households} households, {entries} ledger entries\n"
    );

    // 1. The county's monthly evaluation, three months.
    println!("| month evaluated | branches | members | seconds |");
    println!("|---|---|---|---|");
    let months = year_before(xiangzhi_storage::now_ms());
    for m in &months[months.len() - 3..] {
        let key = m.format("%Y-%m").to_string();
        let (secs, orgs, n) = evaluation(&db, &scope, &key).await?;
        println!("| {key} | {orgs} | {n} | {secs:.2} |");
    }

    // 2. A village's public board, as a phone asks for it, over every village in turn.
    let villages: Vec<(String,)> = db
        .all(&Q::with(
            "SELECT t.code FROM divisions t WHERE t.county_id = ? AND t.level = 'village' ORDER BY t.code",
            vec![COUNTY.into()],
        ))
        .await?;
    let app = xiangzhi::app(xiangzhi_web::AppState::new(db.clone()));
    let get = |uri: String| {
        let app = app.clone();
        async move {
            let req = Request::builder()
                .uri(&uri)
                .header("host", "localhost")
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
    for (v,) in villages.iter().take(20) {
        get(format!("/board/{v}")).await?;
    }
    let mut times = Vec::with_capacity(runs);
    let mut sizes = Vec::with_capacity(runs);
    for k in 0..runs {
        let (ms, bytes) = get(format!("/board/{}", villages[k % villages.len()].0)).await?;
        times.push(ms);
        sizes.push(bytes);
    }
    let max = times.iter().copied().fold(0.0, f64::max);
    sizes.sort_unstable();
    println!("\n| operation | runs | median ms | p95 ms | max ms |");
    println!("|---|---|---|---|---|");
    println!(
        "| village public board `/board/{{village}}` (median {} bytes) | {runs} | {:.1} | {:.1} | {max:.1} |",
        sizes[sizes.len() / 2],
        percentile(&mut times, 0.5),
        percentile(&mut times, 0.95)
    );

    // 3. Redemptions at the counter: a household with points takes one item.
    let rich: Vec<(i64, String)> = db
        .all(&Q::with(
            "SELECT t.holder_id, t.division_code FROM points_accounts t WHERE t.county_id = ? \
             AND t.holder = 'household' AND t.balance >= 50 ORDER BY t.id",
            vec![COUNTY.into()],
        ))
        .await?;
    let goods: std::collections::HashMap<String, i64> = db
        .all(&Q::with(
            "SELECT t.division_code, t.id FROM store_goods t WHERE t.county_id = ? AND t.name = '香皂（基准）'",
            vec![COUNTY.into()],
        ))
        .await?
        .into_iter()
        .collect::<Vec<(String, i64)>>()
        .into_iter()
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(19);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let (household, division) = &rich[rng.random_range(0..rich.len())];
        let Some(g) = goods.get(&division[..12]) else {
            continue;
        };
        let started = Instant::now();
        db.redeem_goods(
            &scope,
            COUNTY,
            *g,
            &GoodsRedemption {
                holder: "household".into(),
                holder_id: *household,
                quantity: 1,
            },
        )
        .await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let max = times.iter().copied().fold(0.0, f64::max);
    println!(
        "| redemption at the points store | {} | {:.1} | {:.1} | {max:.1} |",
        times.len(),
        percentile(&mut times, 0.5),
        percentile(&mut times, 0.95)
    );
    let off = count(
        &db,
        "SELECT COUNT(*) FROM points_accounts a WHERE a.balance <> (SELECT COALESCE(SUM(e.points), 0) \
         FROM points_entries e WHERE e.county_id = a.county_id AND e.account_id = a.id)",
    )
    .await?;
    anyhow::ensure!(off == 0, "{off} balances differ from their entries");
    println!("\nEvery balance equals the sum of its entries afterwards.");
    Ok(())
}
