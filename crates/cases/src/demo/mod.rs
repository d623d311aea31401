//! The demo county's part of this feature: its case categories, a year of cases lived through
//! the closed loop (`history`), and today's cases of the demo accounts, taken through the store
//! step by step like real work (`showcase`): notices, a mediation, photos, a failed delivery.

pub mod history;
mod photo;
mod showcase;

use crate::prelude::*;
use crate::store::CaseCategory;
use xiangzhi_storage::{Db, ListQuery, Result, Scope};
use xiangzhi_web::feature::DemoCounty;

/// Cases in the demo county's year of history.
pub const HISTORY_CASES: usize = 3_000;
const DAY: i64 = 24 * 3_600_000;

/// Case categories of the demo county: code, name, the level that should settle it, dispute.
pub const CASE_CATEGORIES: [(&str, &str, crate::rules::CaseLevel, bool); 10] = {
    use crate::rules::CaseLevel::*;
    [
        ("neighbour", "邻里纠纷", MicroGrid, true),
        ("family", "婚姻家庭纠纷", Grid, true),
        ("land", "土地山林纠纷", Village, true),
        ("wages", "拖欠工资", Township, true),
        ("sanitation", "环境卫生", Grid, false),
        ("road", "道路桥梁破损", Village, false),
        ("water", "饮水供水", Village, false),
        ("hazard", "安全隐患", Township, false),
        ("assistance", "救助帮扶", Township, false),
        ("policy", "政策咨询", County, false),
    ]
};

/// Stores the county's case categories and the level that should settle each (小事不出村、大事不出乡),
/// the year of history, and today's cases.
pub async fn build(db: &Db, county: &DemoCounty) -> Result<String> {
    let by = xiangzhi_storage::Actor::system("demo builder");
    categories(db, county.county_id, &by).await?;
    let now = xiangzhi_storage::now_ms();
    // The history ends at the start of today (China time): the same seed draws the same year,
    // ending on the day the demo is built, so its open cases are due now, not long ago.
    let today = (now + 8 * 3_600_000) / DAY * DAY - 8 * 3_600_000;
    let setting = setting(db, county, today).await?;
    let drawn = history::draw(&setting);
    let open = drawn.iter().filter(|c| c.status.state.in_hand()).count();
    db.load_case_history(&by, county.county_id, &drawn).await?;
    let (shown, road) = showcase::build(db, county, now).await?;
    Ok(format!(
        "事项类别 case categories {}, 一年历史事项 cases over a year {} (办理中 open {open}), 今日事项 today's cases {shown}\n  \
         群众查询示例 a resident's view: /report/track?county={}&id={road}&code={}",
        CASE_CATEGORIES.len(),
        drawn.len(),
        county.county_id,
        showcase::TRACKING_CODE,
    ))
}

/// What the history is drawn from: the county's villages, groups and micro-grids, its
/// categories, and the demo accounts that work on cases.
async fn setting(db: &Db, county: &DemoCounty, now: i64) -> Result<history::Setting> {
    use xiangzhi_registry::places::{all_divisions, all_grids};
    let county_scope =
        match xiangzhi_domain::DivisionCode::parse(&format!("{}000000", county.county_id)) {
            Ok(c) => Scope::division(&c),
            Err(_) => return Err(xiangzhi_storage::StoreError::NotFound),
        };
    let kind = |k: &str| ListQuery {
        kind: Some(k.into()),
        ..Default::default()
    };
    let villages = all_divisions(db, &county_scope, kind("village")).await?;
    let names: std::collections::HashMap<String, String> = villages
        .iter()
        .map(|d| (d.code.clone(), d.name.clone()))
        .collect();
    let village_of = |code: &str| names.get(&code[..12]).cloned().unwrap_or_default();
    let groups = all_divisions(db, &county_scope, kind("group")).await?;
    let mut spots: Vec<history::Spot> = villages
        .iter()
        .chain(&groups)
        .map(|d| history::Spot {
            division: d.code.clone(),
            grid: None,
            village: village_of(&d.code),
        })
        .collect();
    for g in all_grids(db, &county_scope, kind("micro")).await? {
        spots.push(history::Spot {
            village: village_of(&g.division_code),
            division: g.division_code,
            grid: Some(g.id),
        });
    }
    let workers = county
        .accounts
        .iter()
        .filter_map(|u| {
            crate::api::level_of(u.role).map(|level| history::Worker {
                id: u.id,
                level,
                division: u.division_code.clone(),
            })
        })
        .collect();
    Ok(history::Setting {
        seed: county.seed,
        now,
        days: 365,
        cases: HISTORY_CASES,
        spots,
        categories: CASE_CATEGORIES
            .iter()
            .map(|(code, _, level, dispute)| (code.to_string(), *level, *dispute))
            .collect(),
        workers,
        deadlines: db.case_deadlines(county.county_id).await?,
    })
}

async fn categories(db: &Db, county: i64, by: &xiangzhi_storage::Actor) -> Result<()> {
    for (code, name, level, dispute) in CASE_CATEGORIES {
        db.put_case_category(
            &Scope::everything().by(by.clone()),
            &CaseCategory {
                county_id: county,
                code: code.to_string(),
                name: name.to_string(),
                level,
                is_dispute: dispute,
                // Welfare and policy questions are about one family: never published.
                is_public: !dispute && !matches!(code, "assistance" | "policy"),
            },
        )
        .await?;
    }
    Ok(())
}

/// The feature's demo builder.
pub fn builder<'a>(
    db: &'a Db,
    county: &'a DemoCounty,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String>> + Send + 'a>> {
    Box::pin(build(db, county))
}
