//! The demo county's project library (issue 21): the pilot township's projects at different
//! stages with their funding and milestones, entered through the store.

use crate::ProjectStore;
use chrono::NaiveDate;
use xiangzhi_storage::{Db, Result, Scope};

/// The pilot township's project library: a village's processing workshop that runs, a
/// township-led solar plant of three villages being built, a homestay project applied for and a
/// herb-growing idea, with their funding and milestones.
pub(super) async fn projects(
    db: &Db,
    scope: &Scope,
    pilot: &str,
    villages: &[&String],
    today: NaiveDate,
) -> Result<usize> {
    use crate::projects::{
        FundingInput, MilestoneDone, MilestoneInput, ProjectInput, StageInput, STAGES,
    };
    let Some(first) = villages.first() else {
        return Ok(0);
    };
    let ago = |days: u64| today - chrono::Days::new(days);
    let township = format!("{pilot}000");
    let three: Vec<String> = villages.iter().take(3).map(|v| v.to_string()).collect();
    let second = villages.get(1).unwrap_or(first).to_string();
    let third = villages.get(2).unwrap_or(first).to_string();
    // (lead, villages, name, kind, budget in yuan, stages reached, funding (source, kind, yuan), milestones (title, due days ago or ahead, done))
    type Plan<'a> = (
        String,
        Vec<String>,
        &'a str,
        &'a str,
        i64,
        usize,
        Vec<(&'a str, &'a str, i64)>,
        Vec<(&'a str, i64, bool)>,
    );
    let plans: Vec<Plan> = vec![
        (
            first.to_string(),
            vec![],
            "谷子烘干加工车间",
            "processing",
            1_500_000,
            6,
            vec![
                ("central", "sought", 1_000_000),
                ("collective", "sought", 500_000),
                ("central", "won", 1_000_000),
                ("collective", "won", 500_000),
            ],
            vec![
                ("厂房主体完工", -300, true),
                ("设备安装调试", -200, true),
                ("投产运营", -120, true),
            ],
        ),
        (
            township,
            three,
            "镇级分布式光伏电站",
            "energy",
            3_000_000,
            4,
            vec![
                ("central", "sought", 2_000_000),
                ("county", "sought", 500_000),
                ("central", "won", 1_200_000),
            ],
            vec![("设备采购", -30, true), ("并网发电", 60, false)],
        ),
        (
            second,
            vec![],
            "窑洞民宿改造",
            "tourism",
            800_000,
            2,
            vec![("social", "sought", 300_000)],
            vec![("完成申报材料", -10, true)],
        ),
        (
            third,
            vec![],
            "连翘中药材种植基地",
            "planting",
            400_000,
            0,
            vec![],
            vec![],
        ),
    ];
    let mut n = 0;
    for (lead, villages, name, kind, budget, reached, funding, milestones) in plans {
        let start = ago(400);
        let v = db
            .add_project(
                scope,
                &ProjectInput {
                    division_code: lead,
                    name: name.into(),
                    kind: kind.into(),
                    summary: String::new(),
                    budget: budget * 100,
                    alliance_id: None,
                    villages,
                    since: Some(start.to_string()),
                },
            )
            .await?;
        let (cid, id) = (v.project.county_id, v.project.id);
        for (k, (stage, _)) in STAGES.iter().enumerate().skip(1).take(reached) {
            db.move_project(
                scope,
                cid,
                id,
                &StageInput {
                    stage: stage.to_string(),
                    stage_on: ago(400 - 60 * k as u64).to_string(),
                    note: String::new(),
                    version: k as i64,
                },
            )
            .await?;
        }
        for (source, fkind, yuan) in funding {
            db.add_funding(
                scope,
                cid,
                id,
                &FundingInput {
                    source: source.into(),
                    kind: fkind.into(),
                    amount: yuan * 100,
                    entry_on: ago(200).to_string(),
                    note: String::new(),
                },
            )
            .await?;
        }
        for (title, days, done) in milestones {
            let due = if days < 0 {
                ago(days.unsigned_abs())
            } else {
                today + chrono::Days::new(days as u64)
            };
            let view = db
                .add_milestone(
                    scope,
                    cid,
                    id,
                    &MilestoneInput {
                        title: title.into(),
                        due_on: due.to_string(),
                    },
                )
                .await?;
            if done {
                let m = view
                    .milestones
                    .iter()
                    .find(|m| m.title == title)
                    .map(|m| m.id)
                    .unwrap_or_default();
                db.milestone_done(
                    scope,
                    cid,
                    id,
                    m,
                    &MilestoneDone {
                        done_on: due.min(today).to_string(),
                    },
                )
                .await?;
            }
        }
        n += 1;
    }
    Ok(n)
}
