//! The demo county's part of this feature: planning profiles for every village.

use crate::store::{AllianceStore, VillageProfileInput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xiangzhi_storage::{Db, Result, Scope};

/// Stores a planning profile for each of `villages` (code, township code), drawn from `seed`.
pub async fn build(db: &Db, villages: &[(String, String)], seed: u64, at: i64) -> Result<String> {
    let profiles = village_profiles(villages, seed);
    let by = xiangzhi_storage::Actor::system("demo builder");
    // Storing the profiles records the villages' positions in the registry too.
    let n = db
        .put_village_profiles(&Scope::everything().by(by), &profiles, at)
        .await?;
    Ok(format!("村情 village profiles {n}"))
}

/// Main industries of Xiangning's villages.
const INDUSTRIES: [&str; 7] = [
    "苹果",
    "核桃",
    "花椒",
    "小米",
    "乡村旅游",
    "肉牛养殖",
    "光伏",
];

/// Planning profiles: villages laid out township by township (a serpentine over a jittered grid
/// about 2.5 km apart, so each township is one contiguous patch) around the county seat,
/// populations of 180–650, collective incomes, and one or two industries, mostly the township's
/// own. Weak (income under 100,000 yuan) villages are targets; rich ones (500,000 yuan or more)
/// may lead. Drawn from their own generator, so the rest of the demo is unchanged.
pub fn village_profiles(villages: &[(String, String)], seed: u64) -> Vec<VillageProfileInput> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_A11A);
    let n = villages.len();
    let cols = ((n as f64 * 1.4).sqrt().ceil() as usize).max(1);
    let (lon0, lat0) = (110.62, 35.80);
    let step = 0.028;
    let mut township_industry: std::collections::HashMap<&str, usize> = Default::default();
    villages
        .iter()
        .enumerate()
        .map(|(i, (code, township))| {
            let (row, k) = (i / cols, i % cols);
            let col = if row % 2 == 0 { k } else { cols - 1 - k };
            let lon = lon0 + col as f64 * step + rng.random_range(-0.008..0.008);
            let lat = lat0 + row as f64 * step * 0.8 + rng.random_range(-0.006..0.006);
            let next = township_industry.len();
            let main = *township_industry
                .entry(township.as_str())
                .or_insert(next % INDUSTRIES.len());
            let mut industries = vec![if rng.random_bool(0.7) {
                INDUSTRIES[main].to_string()
            } else {
                INDUSTRIES[rng.random_range(0..INDUSTRIES.len())].to_string()
            }];
            if rng.random_bool(0.35) {
                let other = INDUSTRIES[rng.random_range(0..INDUSTRIES.len())].to_string();
                if !industries.contains(&other) {
                    industries.push(other);
                }
            }
            // Income in whole yuan, kept as fen.
            let income_yuan: i64 = if rng.random_bool(0.45) {
                rng.random_range(20_000..100_000)
            } else if rng.random_bool(0.6) {
                rng.random_range(100_000..500_000)
            } else {
                rng.random_range(500_000..2_000_000)
            };
            let weak_branch = rng.random_bool(0.06);
            VillageProfileInput {
                code: code.clone(),
                population: rng.random_range(180..650),
                longitude: Some((lon * 1e6).round() / 1e6),
                latitude: Some((lat * 1e6).round() / 1e6),
                industries,
                income_fen: Some(income_yuan * 100),
                standing: Some(
                    if weak_branch {
                        "软弱涣散"
                    } else {
                        "一般"
                    }
                    .to_string(),
                ),
                target: weak_branch || income_yuan < 100_000,
                may_lead: !weak_branch && income_yuan >= 500_000,
                excluded: false,
                neighbours: Vec::new(),
            }
        })
        .collect()
}

/// The feature's demo builder.
pub fn builder<'a>(
    db: &'a Db,
    county: &'a xiangzhi_web::feature::DemoCounty,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String>> + Send + 'a>> {
    Box::pin(build(db, &county.villages, county.seed, county.at))
}
