//! The demo county's year of village decisions, in the pilot township: each branch's quarterly
//! party members' meeting with its roll by name; each village's use of its collective income
//! taken through 四议两公开 from the proposal to the published outcome; a road-hardening plan
//! whose villagers' meeting failed its quorum (in the first village by the named roll, in others
//! by the paper sheet's counts), so its decision waits for a new meeting; and the villages'
//! monthly financial and quarterly general postings, one village late with its last months.
//! Everything goes through the feature's store, so the rules judge every quorum and vote.

use crate::procedure_store::{MatterInput, MatterStore, StepInput, StepPosting};
use crate::publicity_store::{PostingInput, PublicityStore};
use crate::roll_store::{CallInput, CloseInput, RollStore};
use crate::rules::matters::MatterKind;
use crate::rules::meetings::{MeetingKind, Roll, Tally};
use crate::rules::procedure::Step;
use crate::rules::publicity::PublicityKind;
use crate::store::{ItemInput, MeetingInput, MeetingStore, MeetingView};
use chrono::{Datelike, Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{Actor, Db, Result, Scope};
use xiangzhi_web::feature::DemoCounty;

/// The pilot township's code after the county's six digits.
const PILOT_TAIL: &str = "100";

fn day(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

/// Who of a roll comes: about so many per thousand at random, or everyone of the first so
/// many per thousand of its households (so neither half the people nor two thirds of the
/// households come).
#[derive(Clone, Copy)]
enum Come {
    Share(u32),
    Households(u32),
}

/// Calls a meeting, signs in those who `come`, closes it.
async fn hold(
    db: &Db,
    scope: &Scope,
    rng: &mut ChaCha8Rng,
    input: CallInput,
    come: Come,
    minutes: &str,
) -> Result<MeetingView> {
    let m = db.call_meeting(scope, &input).await?;
    let (county, id) = (m.meeting.county_id, m.meeting.id);
    let roll = db.meeting_roll(scope, county, id).await?;
    let mut households: Vec<i64> = roll.iter().map(|e| e.household_id).collect();
    households.sort_unstable();
    households.dedup();
    let mut present = Vec::new();
    for e in roll {
        let comes = match come {
            Come::Share(per_mille) => rng.random_range(0..1000) < per_mille,
            Come::Households(per_mille) => {
                let at = households.partition_point(|h| *h < e.household_id);
                (at as u64) * 1000 < u64::from(per_mille) * households.len() as u64
            }
        };
        if comes {
            present.push(e.resident_id);
        }
    }
    db.sign_in_present(scope, county, id, &present).await?;
    db.close_sign_in(
        scope,
        county,
        id,
        &CloseInput {
            minutes: Some(minutes.to_string()),
        },
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn step(
    db: &Db,
    scope: &Scope,
    (county, id): (i64, i64),
    step: Step,
    joint: bool,
    item: Option<i64>,
    evidence: String,
    on: NaiveDate,
    posting: Option<StepPosting>,
) -> Result<()> {
    db.take_step(
        scope,
        county,
        id,
        &StepInput {
            step,
            joint,
            meeting_item_id: item,
            evidence,
            taken_on: on.to_string(),
            posting,
        },
    )
    .await?;
    Ok(())
}

/// The feature's demo: see the module's notes.
pub async fn build(db: &Db, county: &DemoCounty) -> Result<String> {
    let cid = county.county_id;
    let pilot = format!("{cid:06}{PILOT_TAIL}");
    let secretary = county
        .accounts
        .iter()
        .find(|u| u.role.as_str() == "township_officer" && u.division_code.starts_with(&pilot))
        .or_else(|| {
            county
                .accounts
                .iter()
                .find(|u| u.role.as_str() == "county_admin")
        });
    let Some(secretary) = secretary else {
        return Ok("no account to record meetings".into());
    };
    let scope = Scope::everything().by(Actor::new(
        Some(secretary.id),
        &secretary.login,
        "demo",
        "demo builder",
    ));
    let mut rng = ChaCha8Rng::seed_from_u64(county.seed ^ 0x6465_6369_6465);
    let today = xiangzhi_domain::china_today();
    let start = NaiveDate::from_ymd_opt(today.year() - 1, today.month(), 1).unwrap_or(today);
    let villages: Vec<&String> = county
        .villages
        .iter()
        .filter(|(v, _)| v.starts_with(&pilot))
        .map(|(v, _)| v)
        .collect();
    let (mut meetings, mut matters, mut postings) = (0, 0, 0);
    for (k, village) in villages.iter().enumerate() {
        let village = village.as_str();
        // The branch's quarterly party members' meetings, with its members by name.
        let has_members: Option<(i64,)> = db
            .optional(&Q::with(
                "SELECT COUNT(*) FROM party_members WHERE county_id = ? AND division_code LIKE ?",
                vec![cid.into(), format!("{village}%").into()],
            ))
            .await?;
        if has_members.is_some_and(|(n,)| n > 0) {
            for q in 0..4u64 {
                let held = day(start, 20 + q * 91);
                if held >= today {
                    break;
                }
                hold(
                    db,
                    &scope,
                    &mut rng,
                    CallInput {
                        division_code: village.to_string(),
                        kind: MeetingKind::PartyMembersMeeting,
                        title: format!("第{}季度党员大会", ["一", "二", "三", "四"][q as usize]),
                        place: "村党群服务中心".into(),
                        notified_on: Some(day(held, 0).pred_opt().unwrap_or(held).to_string()),
                        held_on: held.to_string(),
                        members: Vec::new(),
                        committee: Vec::new(),
                    },
                    Come::Share(820),
                    "学习传达上级精神；通报本季度党员积分；讨论村内重点工作。",
                )
                .await?;
                meetings += 1;
            }
        }
        // The representatives' meeting, composed as Art 25 asks: three committee members and
        // one representative for every ten households (at least twelve), half of them women, so
        // four fifths are representatives and a third or more are women. The villagers' meeting
        // has authorised it to decide the income's use (Art 24).
        let (households,): (i64,) = db
            .one(&Q::with(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM households WHERE county_id = ? AND division_code LIKE ?",
                vec![cid.into(), format!("{village}%").into()],
            ))
            .await?;
        let adults: Vec<(i64, String)> = db
            .all(&Q::with(
                "SELECT r.id, r.gender FROM residents r WHERE r.county_id = ? AND r.division_code LIKE ? \
                 AND r.standing = 'present' AND r.birth_date <= ? ORDER BY r.id LIMIT 3000",
                vec![
                    cid.into(),
                    format!("{village}%").into(),
                    xiangzhi_storage::Value::Date(day(start, 0) - chrono::Duration::days(18 * 366)),
                ],
            ))
            .await?;
        let want = usize::try_from(households)
            .unwrap_or(0)
            .div_ceil(10)
            .max(12);
        let committee: Vec<i64> = adults.iter().take(3).map(|(id, _)| *id).collect();
        let rest = adults.get(3..).unwrap_or_default();
        let women: Vec<i64> = rest
            .iter()
            .filter(|(_, g)| g == "female")
            .map(|(id, _)| *id)
            .take(want.div_ceil(2))
            .collect();
        let men: Vec<i64> = rest
            .iter()
            .filter(|(_, g)| g != "female")
            .map(|(id, _)| *id)
            .take(want - women.len())
            .collect();
        if committee.len() < 3
            || women.len() + men.len() < want
            || usize::try_from(households).unwrap_or(0) < want * 5
        {
            continue;
        }
        let reps: Vec<i64> = committee
            .iter()
            .chain(&women)
            .chain(&men)
            .copied()
            .collect();
        // The use of the collective's income, through every step.
        let joint = k % 2 == 0;
        let m = db
            .create_matter(
                &scope,
                &MatterInput {
                    division_code: village.to_string(),
                    kind: MatterKind::CollectiveIncome,
                    title: format!("{}年度村集体经济收益使用方案", start.year()),
                    description:
                        "光伏电站和集体土地租金收入用于村内道路维护、公益岗位和老年人补助。".into(),
                    one_shoulder: joint,
                },
            )
            .await?;
        let key = (m.matter.county_id, m.matter.id);
        matters += 1;
        let proposed = day(start, 60);
        step(
            db,
            &scope,
            key,
            Step::Proposal,
            joint,
            None,
            if joint {
                "村党组织书记、村委会主任“一肩挑”，召开村“两委”联席会议提出并商议方案".into()
            } else {
                "村党支部会议提出方案，会议记录第3号".into()
            },
            proposed,
            None,
        )
        .await?;
        if !joint {
            step(
                db,
                &scope,
                key,
                Step::CommitteesDiscussion,
                false,
                None,
                "村“两委”联席会议商议，会议记录第4号".into(),
                day(proposed, 3),
                None,
            )
            .await?;
        }
        step(
            db,
            &scope,
            key,
            Step::PartyReview,
            false,
            None,
            "第二季度党员大会审议通过".into(),
            day(proposed, 10),
            None,
        )
        .await?;
        let held = day(proposed, 25);
        let reps_meeting = db
            .call_meeting(
                &scope,
                &CallInput {
                    division_code: village.to_string(),
                    kind: MeetingKind::RepresentativesMeeting,
                    title: format!("{}年度收益使用方案表决", start.year()),
                    place: "村委会议室".into(),
                    notified_on: Some(day(held, 0).pred_opt().unwrap_or(held).to_string()),
                    held_on: held.to_string(),
                    members: reps,
                    committee,
                },
            )
            .await?;
        let (rc, rid) = (reps_meeting.meeting.county_id, reps_meeting.meeting.id);
        let roll = db.meeting_roll(&scope, rc, rid).await?;
        let come = roll.len() * 9 / 10;
        let present: Vec<i64> = roll.iter().take(come).map(|e| e.resident_id).collect();
        db.sign_in_present(&scope, rc, rid, &present).await?;
        db.close_sign_in(
            &scope,
            rc,
            rid,
            &CloseInput {
                minutes: Some("村民代表逐条讨论收益使用方案，举手表决。".into()),
            },
        )
        .await?;
        let yes = (come as u32 * 4).div_ceil(5);
        let item = db
            .record_item(
                &scope,
                rc,
                rid,
                &ItemInput {
                    title: format!("{}年度村集体经济收益使用方案", start.year()),
                    matter_kind: MatterKind::CollectiveIncome,
                    authorised: true,
                    votes: Tally {
                        yes,
                        no: come as u32 - yes,
                        abstain: 0,
                    },
                },
            )
            .await?;
        meetings += 1;
        step(
            db,
            &scope,
            key,
            Step::Decision,
            false,
            Some(item.id),
            "村民代表会议表决通过".into(),
            held,
            None,
        )
        .await?;
        let body = format!(
            "经村民代表会议表决（应到{}人，实到{}人，赞成{}票），{}年度村集体经济收益使用方案通过。",
            roll.len(),
            come,
            yes,
            start.year()
        );
        step(
            db,
            &scope,
            key,
            Step::DecisionPublished,
            false,
            None,
            "村务公开栏及“乡治”公开页公开".into(),
            day(held, 1),
            Some(StepPosting {
                title: "收益使用方案决议公开".into(),
                body,
                until_on: day(held, 31).to_string(),
            }),
        )
        .await?;
        postings += 1;
        if k % 3 != 2 {
            step(
                db,
                &scope,
                key,
                Step::OutcomePublished,
                false,
                None,
                String::new(),
                day(held, 120),
                Some(StepPosting {
                    title: "收益使用方案实施结果公开".into(),
                    body: "道路维护12公里，公益岗位8个，80岁以上老人每人每月补助50元，均已兑现。"
                        .into(),
                    until_on: day(held, 150).to_string(),
                }),
            )
            .await?;
            postings += 1;
        }
        // Every third village's road plan: its villagers' meeting failed its quorum.
        if k % 3 == 0 {
            let m = db
                .create_matter(
                    &scope,
                    &MatterInput {
                        division_code: village.to_string(),
                        kind: MatterKind::PublicWorks,
                        title: "村内巷道硬化工程及筹资筹劳方案".into(),
                        description: "硬化巷道3.2公里，财政奖补与村民筹劳相结合。".into(),
                        one_shoulder: joint,
                    },
                )
                .await?;
            let key = (m.matter.county_id, m.matter.id);
            matters += 1;
            let proposed = day(start, 200);
            step(
                db,
                &scope,
                key,
                Step::Proposal,
                joint,
                None,
                "村党支部提议".into(),
                proposed,
                None,
            )
            .await?;
            if !joint {
                step(
                    db,
                    &scope,
                    key,
                    Step::CommitteesDiscussion,
                    false,
                    None,
                    "村“两委”商议".into(),
                    day(proposed, 2),
                    None,
                )
                .await?;
            }
            step(
                db,
                &scope,
                key,
                Step::PartyReview,
                false,
                None,
                "党员大会审议".into(),
                day(proposed, 7),
                None,
            )
            .await?;
            let held = day(proposed, 20);
            let title = "巷道硬化筹资筹劳方案表决".to_string();
            let notified = day(held, 0) - chrono::Duration::days(12);
            let failed = if k == 0 {
                // By name: about two in five came, short of more than half.
                hold(
                    db,
                    &scope,
                    &mut rng,
                    CallInput {
                        division_code: village.to_string(),
                        kind: MeetingKind::VillagersMeeting,
                        title: title.clone(),
                        place: "村文化广场".into(),
                        notified_on: Some(notified.to_string()),
                        held_on: held.to_string(),
                        members: Vec::new(),
                        committee: Vec::new(),
                    },
                    Come::Households(400),
                    "农忙时节，到会人数不足，会议未达法定人数。",
                )
                .await?
            } else {
                // From the paper sheet: 212 of 530 came, 61 of 160 households.
                db.create_meeting(
                    &scope,
                    &MeetingInput {
                        division_code: village.to_string(),
                        kind: MeetingKind::VillagersMeeting,
                        title: title.clone(),
                        place: "村文化广场".into(),
                        notified_on: Some(notified.to_string()),
                        held_on: held.to_string(),
                        roll: Roll {
                            entitled: 530,
                            households: 160,
                            present: 212,
                            online: 0,
                            proxies: 0,
                            households_present: 61,
                        },
                        minutes: "到会人数不足，会议未达法定人数。".into(),
                    },
                )
                .await?
            };
            let attending = failed.meeting.present as u32;
            let item = db
                .record_item(
                    &scope,
                    failed.meeting.county_id,
                    failed.meeting.id,
                    &ItemInput {
                        title: title.clone(),
                        matter_kind: MatterKind::PublicWorks,
                        authorised: false,
                        votes: Tally {
                            yes: attending * 9 / 10,
                            no: attending - attending * 9 / 10,
                            abstain: 0,
                        },
                    },
                )
                .await?;
            meetings += 1;
            step(
                db,
                &scope,
                key,
                Step::Decision,
                false,
                Some(item.id),
                "村民会议表决（未达法定人数）".into(),
                held,
                None,
            )
            .await?;
        }
        // Monthly finances and quarterly general affairs; the second village is late with its
        // last two months and its last quarter.
        let late = k == 1;
        for n in 0..12u32 {
            let month = start
                .checked_add_months(chrono::Months::new(n))
                .unwrap_or(start);
            let posted = day(month, 35);
            if posted >= today || (late && posted >= today - chrono::Duration::days(62)) {
                continue;
            }
            db.post_publicity(
                &scope,
                &PostingInput {
                    division_code: village.to_string(),
                    kind: PublicityKind::Finance,
                    title: format!("{}年{}月财务收支公开", month.year(), month.month()),
                    body: format!(
                        "本月收入{}元（光伏发电、土地租金），支出{}元（保洁、水电、办公）。",
                        rng.random_range(8_000..40_000),
                        rng.random_range(5_000..30_000)
                    ),
                    matter_id: None,
                    posted_on: posted.to_string(),
                    until_on: day(posted, 30).to_string(),
                },
            )
            .await?;
            postings += 1;
            if n % 3 == 2 && !(late && posted >= today - chrono::Duration::days(100)) {
                db.post_publicity(
                    &scope,
                    &PostingInput {
                        division_code: village.to_string(),
                        kind: PublicityKind::General,
                        title: format!("{}年第{}季度村务公开", month.year(), n / 3 + 1),
                        body:
                            "低保、临时救助对象名单，宅基地审批，计划生育奖励扶助，村干部误工补贴。"
                                .into(),
                        matter_id: None,
                        posted_on: posted.to_string(),
                        until_on: day(posted, 90).to_string(),
                    },
                )
                .await?;
                postings += 1;
            }
        }
    }
    Ok(format!(
        "{meetings} meetings, {matters} matters, {postings} postings in {} villages",
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
