//! The demo county's collective economy, in the pilot township: every resident on the roll a
//! member of their village's collective and every household holding land shares; two years of
//! each village's funds journal (rent, business income, a subsidy, management and public
//! welfare spending — the first village's business large enough to make it a strong village);
//! five assets per village, one left idle; three resources, the barren slope idle and not yet
//! registered; millet, apples and walnuts sold each autumn; two leases per village, the old one
//! at 400 yuan a mu and the new one at 800 (the seed's Shidui town), both behind with part of
//! their rent; and in the first village a
//! cooperative led by the branch with ten member households and last year's figures, and last
//! year's income distribution, posted for inspection, carried by the members' assembly through
//! 四议两公开, bound to that resolution and paid to most households.
//! Everything but the members and shares goes through the feature's store, so the rules judge
//! every entry, schedule, vote and payment.

use crate::assets::AssetInput;
use crate::distributions::{
    ApprovalInput, Basis, ClassInput, DistributionInput, PaymentInput, Who,
};
use crate::enterprises::{EnterpriseInput, EnterpriseMemberInput, YearInput};
use crate::funds::FundInput;
use crate::leases::{LeaseInput, ReceiptInput};
use crate::resources::ResourceInput;
use crate::sales::SaleInput;
use crate::{
    AssetStore, DistributionStore, EnterpriseStore, FundStore, LeaseStore, ResourceStore, SaleStore,
};
use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xiangzhi_decisions::procedure_store::{MatterInput, MatterStore, StepInput};
use xiangzhi_decisions::publicity_store::{PostingInput, PublicityStore};
use xiangzhi_decisions::rules::matters::MatterKind;
use xiangzhi_decisions::rules::meetings::{MeetingKind, Roll, Tally};
use xiangzhi_decisions::rules::procedure::Step;
use xiangzhi_decisions::rules::publicity::PublicityKind;
use xiangzhi_decisions::store::{ItemInput, MeetingInput, MeetingStore};
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{Actor, Db, Result, Scope, Value};
use xiangzhi_web::feature::DemoCounty;

/// The pilot township's code after the county's six digits.
const PILOT_TAIL: &str = "100";

mod projects;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Members and land shares of the villages under `pilot` (a township's code), written at once:
/// every resident on the roll a member since the collective's founding, every household with
/// 1.5 to 8 mu of land shares.
pub async fn members_and_shares(
    db: &Db,
    cid: i64,
    pilot: &str,
    by: i64,
    at: i64,
    rng: &mut ChaCha8Rng,
) -> Result<(usize, usize)> {
    let founded = ymd(2019, 12, 31);
    let mut q = Q::with(
        "SELECT r.id, r.household_id, r.division_code, r.name FROM residents r WHERE r.county_id = ? \
         AND r.standing = 'present'",
        vec![cid.into()],
    );
    xiangzhi_storage::list::starts_with(&mut q, "r.division_code", pilot);
    q.push(" ORDER BY r.id");
    let residents: Vec<(i64, i64, String, String)> = db.all(&q).await?;
    let mut q = Q::with(
        "SELECT h.id, h.division_code FROM households h WHERE h.county_id = ?",
        vec![cid.into()],
    );
    xiangzhi_storage::list::starts_with(&mut q, "h.division_code", pilot);
    q.push(" ORDER BY h.id");
    let households: Vec<(i64, String)> = db.all(&q).await?;
    let mut tx = db.begin().await?;
    let first =
        xiangzhi_storage::list::next_ids(&mut tx, cid, "collective_member", residents.len() as i64)
            .await?;
    let rows = residents
        .iter()
        .enumerate()
        .map(|(k, (r, h, d, name))| {
            vec![
                cid.into(),
                (first + k as i64).into(),
                d.get(..12).unwrap_or_default().into(),
                (*r).into(),
                (*h).into(),
                name.clone().into(),
                Value::Date(founded),
                "founding".into(),
                Value::OptDate(None),
                "".into(),
                by.into(),
                at.into(),
            ]
        })
        .collect();
    tx.bulk_insert(
        "collective_members",
        &[
            "county_id",
            "id",
            "division_code",
            "resident_id",
            "household_id",
            "name",
            "joined_on",
            "joined_how",
            "left_on",
            "left_how",
            "recorded_by",
            "created_at",
        ],
        rows,
    )
    .await?;
    let first =
        xiangzhi_storage::list::next_ids(&mut tx, cid, "share_holding", households.len() as i64)
            .await?;
    let rows = households
        .iter()
        .enumerate()
        .map(|(k, (h, d))| {
            vec![
                cid.into(),
                (first + k as i64).into(),
                d.get(..12).unwrap_or_default().into(),
                (*h).into(),
                "land".into(),
                // 1.5 to 8 mu, in hundredths.
                rng.random_range(150i64..800).into(),
                Value::Date(founded),
                format!("确权-{h}").into(),
                by.into(),
                at.into(),
            ]
        })
        .collect();
    tx.bulk_insert(
        "share_holdings",
        &[
            "county_id",
            "id",
            "division_code",
            "household_id",
            "kind",
            "shares",
            "since",
            "certificate",
            "recorded_by",
            "created_at",
        ],
        rows,
    )
    .await?;
    tx.audit(
        &Actor::system("demo"),
        "demo collective members",
        format!(
            "{} members, {} land holdings",
            residents.len(),
            households.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((residents.len(), households.len()))
}

/// Two years of a village's journal, month by month up to `today`.
async fn journal(
    db: &Db,
    scope: &Scope,
    village: &str,
    strong: bool,
    today: NaiveDate,
    rng: &mut ChaCha8Rng,
) -> Result<usize> {
    let mut n = 0;
    let mut month = ymd(today.year() - 1, 1, 1);
    while month <= today {
        let (y, m) = (month.year(), month.month());
        let on = |d: u32| ymd(y, m, d.min(28)).min(today).to_string();
        let mut entries: Vec<(&str, &str, i64, &str)> = vec![
            (
                "expense",
                "management",
                rng.random_range(80_000..260_000),
                "办公及水电费",
            ),
            (
                "income",
                "business",
                if strong {
                    rng.random_range(4_500_000..6_000_000)
                } else {
                    rng.random_range(300_000..1_200_000)
                },
                "村集体合作社农产品销售收入",
            ),
        ];
        if m % 3 == 0 {
            entries.push((
                "expense",
                "public_welfare",
                rng.random_range(200_000..900_000),
                "村内道路保洁和路灯维护",
            ));
        }
        if m == 3 {
            entries.push((
                "income",
                "contracting",
                rng.random_range(2_000_000..4_000_000),
                "耕地发包年租金",
            ));
        }
        if m == 6 {
            entries.push(("income", "subsidy", 5_000_000, "扶持壮大村级集体经济补助"));
        }
        for (k, (dir, cat, amount, summary)) in entries.into_iter().enumerate() {
            db.enter_fund(
                scope,
                &FundInput {
                    division_code: village.to_string(),
                    entry_on: on(5 + 6 * k as u32),
                    direction: dir.into(),
                    category: cat.into(),
                    amount,
                    summary: summary.into(),
                    voucher: format!("记-{y}-{m:02}-{:03}", k + 1),
                },
            )
            .await?;
            n += 1;
        }
        month = month
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(today + chrono::Days::new(1));
    }
    Ok(n)
}

/// A village's produce sold last year and this: millet, apples and walnuts, through the county's
/// canteens, the wholesale market and live-stream sales.
async fn sales(
    db: &Db,
    scope: &Scope,
    village: &str,
    today: NaiveDate,
    rng: &mut ChaCha8Rng,
) -> Result<()> {
    let goods = [
        ("小米", 1_100, "县直机关食堂", "unit"),
        ("苹果", 600, "太原果品批发市场", "market"),
        ("核桃", 4_000, "村播直播间", "online"),
    ];
    for year in [today.year() - 1, today.year()] {
        for (k, (product, fen_per_kg, buyer, channel)) in goods.iter().enumerate() {
            let on = ymd(year, 9 + k as u32, 15);
            if on > today {
                continue;
            }
            let kilograms = rng.random_range(2_000i64..20_000);
            db.record_sale(
                scope,
                &SaleInput {
                    division_code: village.to_string(),
                    sold_on: on.to_string(),
                    product: (*product).into(),
                    kilograms,
                    amount: kilograms * fen_per_kg,
                    buyer: (*buyer).into(),
                    channel: (*channel).into(),
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Five assets, three resources (one idle) and two leases of a village.
async fn assets_and_leases(
    db: &Db,
    scope: &Scope,
    village: &str,
    name: &str,
    today: NaiveDate,
) -> Result<()> {
    let assets = [
        (
            "村党群服务中心",
            "building",
            "村委会院内",
            180_000_000,
            360,
            "2016-05-01",
            "in_use",
        ),
        (
            "农产品冷库",
            "facility",
            "村东产业园",
            65_000_000,
            240,
            "2021-09-01",
            "leased",
        ),
        (
            "光伏电站",
            "facility",
            "村小学屋顶",
            42_000_000,
            300,
            "2020-06-01",
            "in_use",
        ),
        (
            "旧村小学校舍",
            "building",
            "村西",
            30_000_000,
            360,
            "2005-08-01",
            "idle",
        ),
        (
            "小型挖掘机",
            "equipment",
            "村委会院内",
            18_000_000,
            120,
            "2022-03-01",
            "in_use",
        ),
    ];
    for (what, category, location, cost, months, on, state) in assets {
        db.register_asset(
            scope,
            &AssetInput {
                division_code: village.to_string(),
                name: what.into(),
                category: category.into(),
                location: format!("{name}{location}"),
                cost,
                salvage: cost / 20,
                months,
                acquired_on: on.into(),
                state: state.into(),
            },
        )
        .await?;
    }
    for (what, kind, area, location, certificate, used_by, state) in [
        (
            "承包耕地",
            "land",
            185_000,
            "全村",
            "确权-耕-001",
            "本村农户",
            "contracted",
        ),
        (
            "集体林地",
            "forest",
            62_000,
            "北山",
            "确权-林-001",
            "村集体",
            "collective",
        ),
        ("西沟荒坡", "barren", 8_000, "西沟", "", "", "idle"),
    ] {
        db.register_resource(
            scope,
            &ResourceInput {
                division_code: village.to_string(),
                name: what.into(),
                kind: kind.into(),
                area,
                location: format!("{name}{location}"),
                certificate: certificate.into(),
                registered_on: (!certificate.is_empty()).then(|| "2019-06-30".to_string()),
                used_by: used_by.into(),
                state: state.into(),
            },
        )
        .await?;
    }
    let old = db
        .create_lease(
            scope,
            &LeaseInput {
                division_code: village.to_string(),
                resource: "东坡耕地".into(),
                kind: "land".into(),
                area: 12_000,
                price: 40_000,
                lessee: "绿源种植专业合作社".into(),
                start_on: ymd(today.year() - 2, 3, 1).to_string(),
                years: 5,
                per_year: 1,
            },
        )
        .await?;
    let new = db
        .create_lease(
            scope,
            &LeaseInput {
                division_code: village.to_string(),
                resource: "河滩地".into(),
                kind: "land".into(),
                area: 4_550,
                price: 80_000,
                lessee: "丰收家庭农场".into(),
                start_on: ymd(today.year() - 1, 1, 1).to_string(),
                years: 10,
                per_year: 2,
            },
        )
        .await?;
    // The old lease paid up to this year; the new one a half-year behind.
    for (lease, parts) in [(&old, old.schedule.len().min(2)), (&new, 1)] {
        for (k, due) in lease
            .schedule
            .iter()
            .filter(|d| d.on <= today)
            .take(parts)
            .enumerate()
        {
            db.receive_rent(
                scope,
                lease.lease.county_id,
                lease.lease.id,
                &ReceiptInput {
                    amount: due.amount,
                    received_on: due.on.to_string(),
                    voucher: format!("收-{}-{}", lease.lease.id, k + 1),
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// The first village's branch-led cooperative: its first ten households as members, and last
/// year's figures.
async fn cooperative(db: &Db, scope: &Scope, village: &str, today: NaiveDate) -> Result<()> {
    let e = db
        .found_enterprise(
            scope,
            &EnterpriseInput {
                division_code: village.to_string(),
                name: "村党支部领办蔬菜种植专业合作社".into(),
                kind: "cooperative".into(),
                business: "蔬菜种植、收购与销售".into(),
                credit_code: String::new(),
                founded_on: "2021-03-15".into(),
            },
        )
        .await?;
    let (county, id) = (e.enterprise.county_id, e.enterprise.id);
    let mut q = Q::with(
        "SELECT h.id FROM households h WHERE h.county_id = ?",
        vec![county.into()],
    );
    xiangzhi_storage::list::starts_with(&mut q, "h.division_code", village);
    q.push(" ORDER BY h.id LIMIT 10");
    let households: Vec<(i64,)> = db.all(&q).await?;
    for (h,) in households {
        db.join_enterprise(
            scope,
            county,
            id,
            &EnterpriseMemberInput {
                household_id: h,
                shares: 100,
                joined_on: "2021-03-15".into(),
            },
        )
        .await?;
    }
    db.report_year(
        scope,
        county,
        id,
        &YearInput {
            year: today.year() - 1,
            revenue: 186_000_000,
            profit: 42_000_000,
            to_collective: 12_000_000,
            to_members: 21_000_000,
        },
    )
    .await?;
    Ok(())
}

/// Last year's distribution of the first village, from the plan to the payments.
async fn distribution(
    db: &Db,
    scope: &Scope,
    village: &str,
    today: NaiveDate,
) -> Result<(usize, usize)> {
    // The year's income is shared out in January after it; before February, the year before's.
    let base = if today >= ymd(today.year(), 2, 1) {
        today.year()
    } else {
        today.year() - 1
    };
    let year = base - 1;
    let posted = ymd(base, 1, 10);
    let held = ymd(base, 1, 25);
    let d = db
        .draft_distribution(
            scope,
            &DistributionInput {
                division_code: village.to_string(),
                year,
                title: format!("{year}年度收益分配方案"),
                distributable: 36_000_000,
                reserve: 1000,
                classes: vec![
                    ClassInput {
                        name: "集体留存".into(),
                        weight: 2000,
                        kept: true,
                        basis: Basis::Members,
                        who: Who::All,
                    },
                    ClassInput {
                        name: "脱贫户".into(),
                        weight: 1000,
                        kept: false,
                        basis: Basis::Members,
                        who: Who::PovertyAlleviated,
                    },
                    ClassInput {
                        name: "其他农户".into(),
                        weight: 7000,
                        kept: false,
                        basis: Basis::Members,
                        who: Who::Others,
                    },
                ],
            },
        )
        .await?;
    let (county, id) = (d.distribution.county_id, d.distribution.id);
    let m = db
        .create_matter(
            scope,
            &MatterInput {
                division_code: village.to_string(),
                kind: MatterKind::IncomeDistribution,
                title: format!("{year}年度收益分配方案"),
                description: "按成员人口股分配，脱贫户单列10%".into(),
                one_shoulder: false,
            },
        )
        .await?;
    let matter = m.matter.id;
    let step = |s: Step, on: NaiveDate, item: Option<i64>, evidence: &str| StepInput {
        step: s,
        joint: false,
        meeting_item_id: item,
        evidence: evidence.into(),
        taken_on: on.to_string(),
        posting: None,
    };
    for (s, back) in [
        (Step::Proposal, 20),
        (Step::CommitteesDiscussion, 18),
        (Step::PartyReview, 16),
    ] {
        let on = posted - chrono::Days::new(back);
        db.take_step(scope, county, matter, &step(s, on, None, "会议记录在案"))
            .await?;
    }
    db.post_publicity(
        scope,
        &PostingInput {
            division_code: village.to_string(),
            kind: PublicityKind::DistributionPlan,
            title: format!("{year}年度收益分配方案（征求意见）"),
            body: format!(
                "可分配收益36万元，提取公积公益金10%，集体留存20%，脱贫户10%，其他农户70%，按成员人口分配，各户明细见附表。{}",
                "对方案有意见的，请于公示期内向村股份经济合作社理事会反映。"
            ),
            matter_id: Some(matter),
            posted_on: posted.to_string(),
            until_on: (held - chrono::Days::new(1)).to_string(),
        },
    )
    .await?;
    let members: (i64,) = db
        .one(&Q::with(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM collective_members WHERE county_id = ? AND division_code = ? AND left_on IS NULL",
            vec![county.into(), village.into()],
        ))
        .await?;
    let entitled = members.0.max(3) as u32;
    let present = entitled * 3 / 4 + 1;
    let meeting = db
        .create_meeting(
            scope,
            &MeetingInput {
                division_code: village.to_string(),
                kind: MeetingKind::MembersAssembly,
                title: format!("{year}年度成员大会"),
                place: "村党群服务中心".into(),
                notified_on: Some(posted.to_string()),
                held_on: held.to_string(),
                roll: Roll {
                    entitled,
                    households: 0,
                    present,
                    online: 0,
                    proxies: 0,
                    households_present: 0,
                },
                minutes: "审议通过年度收益分配方案。".into(),
            },
        )
        .await?;
    let item = db
        .record_item(
            scope,
            county,
            meeting.meeting.id,
            &ItemInput {
                title: format!("{year}年度收益分配方案"),
                matter_kind: MatterKind::IncomeDistribution,
                authorised: false,
                votes: Tally {
                    yes: present - 2,
                    no: 1,
                    abstain: 1,
                },
            },
        )
        .await?;
    db.take_step(
        scope,
        county,
        matter,
        &step(Step::Decision, held, Some(item.id), "成员大会决议"),
    )
    .await?;
    db.approve_distribution(scope, county, id, &ApprovalInput { matter_id: matter })
        .await?;
    // Paid to each household but every seventh, which has not come for its share yet.
    let view = db.distribution(scope, county, id).await?;
    let mut owed: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for l in &view.lines {
        *owed.entry(l.household_id).or_default() += l.amount;
    }
    let mut paid = 0;
    for (k, (household, amount)) in owed.iter().enumerate() {
        if k % 7 == 6 || *amount == 0 {
            continue;
        }
        db.pay(
            scope,
            county,
            id,
            &PaymentInput {
                household_id: *household,
                amount: *amount,
                paid_on: (held + chrono::Days::new(5)).to_string(),
                voucher: format!("付-{year}-{:04}", k + 1),
            },
        )
        .await?;
        paid += 1;
    }
    Ok((owed.len(), paid))
}

pub async fn build(db: &Db, county: &DemoCounty) -> Result<String> {
    let cid = county.county_id;
    let pilot = format!("{cid:06}{PILOT_TAIL}");
    let clerk = county
        .accounts
        .iter()
        .find(|u| u.role.as_str() == "township_officer" && u.division_code.starts_with(&pilot))
        .or_else(|| {
            county
                .accounts
                .iter()
                .find(|u| u.role.as_str() == "county_admin")
        });
    let Some(clerk) = clerk else {
        return Ok("no account to keep the books".into());
    };
    let scope = Scope::everything().by(Actor::new(
        Some(clerk.id),
        &clerk.login,
        "demo",
        "demo builder",
    ));
    let mut rng = ChaCha8Rng::seed_from_u64(county.seed ^ 0x6563_6f6e_6f6d);
    let today = xiangzhi_domain::china_today();
    let villages: Vec<&String> = county
        .villages
        .iter()
        .filter(|(v, _)| v.starts_with(&pilot))
        .map(|(v, _)| v)
        .collect();
    let (members, households) =
        members_and_shares(db, cid, &pilot, clerk.id, county.at, &mut rng).await?;
    let names: std::collections::HashMap<String, String> = db
        .all::<(String, String)>(&Q::with(
            "SELECT code, name FROM divisions WHERE county_id = ? AND level = 'village'",
            vec![cid.into()],
        ))
        .await?
        .into_iter()
        .collect();
    let mut entries = 0;
    for (k, village) in villages.iter().enumerate() {
        entries += journal(db, &scope, village, k == 0, today, &mut rng).await?;
        sales(db, &scope, village, today, &mut rng).await?;
        let name = names.get(village.as_str()).cloned().unwrap_or_default();
        assets_and_leases(db, &scope, village, &name, today).await?;
    }
    if let Some(v) = villages.first() {
        cooperative(db, &scope, v, today).await?;
    }
    let projects = projects::projects(db, &scope, &pilot, &villages, today).await?;
    let (owed, paid) = match villages.first() {
        Some(v) if households > 0 => distribution(db, &scope, v, today).await?,
        _ => (0, 0),
    };
    Ok(format!(
        "{members} collective members, {entries} journal entries, {} assets and {} leases in {} villages; \
         {projects} projects; a distribution to {owed} households, {paid} paid",
        villages.len() * 5,
        villages.len() * 2,
        villages.len()
    ))
}

/// The builder as the binary composes it.
pub fn builder<'a>(
    db: &'a Db,
    county: &'a DemoCounty,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String>> + Send + 'a>> {
    Box::pin(build(db, county))
}
