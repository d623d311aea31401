//! Today's cases of the demo accounts in 龙鼻村, taken through the store one step at a time as
//! the people would (each step its own transaction, notice and audit entry): so the village
//! secretary, the grid worker and the township officer each find something waiting on their home
//! page, a dispute carries its mediation record and a photo of the result, a resident can follow
//! one case with a known tracking code, and one notice shows a delivery that failed.

use super::photo;
use crate::prelude::*;
use crate::rules::{Action, Actor};
use crate::store::files::Upload;
use crate::store::mediation::{AgreementInput, MediationInput, Party, SessionInput};
use crate::store::{By, CaseInput};
use xiangzhi_storage::accounts::User;
use xiangzhi_storage::{Db, Result, Scope, StoreError};
use xiangzhi_web::feature::DemoCounty;

const HOUR: i64 = 3_600_000;
/// The tracking code of the demo's public case (`/report/track?id=…&code=LONGBI26`).
pub const TRACKING_CODE: &str = "LONGBI26";

fn account<'a>(county: &'a DemoCounty, login: &str) -> Result<&'a User> {
    county
        .accounts
        .iter()
        .find(|u| u.login == login)
        .ok_or(StoreError::NotFound)
}

struct Work<'a> {
    db: &'a Db,
    scope: Scope,
}

impl Work<'_> {
    async fn report(&self, input: CaseInput, by: Option<i64>, at: i64) -> Result<i64> {
        Ok(self.db.create_case(&self.scope, &input, by, at).await?.0.id)
    }
    async fn step(
        &self,
        id: i64,
        action: Action,
        actor: Actor,
        user: &User,
        at: i64,
        note: &str,
    ) -> Result<()> {
        let by = By {
            actor,
            user: Some(user.id),
            note,
            at,
            public: matches!(action, Action::Resolve),
        };
        self.db.case_step(&self.scope, id, &action, by).await?;
        Ok(())
    }
}

fn input(key: &str, category: &str, division: &str, grid: Option<i64>, what: &str) -> CaseInput {
    CaseInput {
        idempotency_key: format!("demo-{key}"),
        category: category.into(),
        description: what.into(),
        division_code: division.into(),
        household_id: None,
        grid_id: grid,
        urgency: "normal".into(),
        reporter_kind: "grid_worker".into(),
        reporter_name: None,
        anonymous: false,
        reporter_phone: None,
        tracking_hash: None,
        latitude: None,
        longitude: None,
    }
}

/// Builds today's cases at `now`; answers how many, and the number of the one a resident follows.
pub async fn build(db: &Db, county: &DemoCounty, now: i64) -> Result<(usize, i64)> {
    let (secretary, worker) = (account(county, "longbi")?, account(county, "wangge")?);
    let village = secretary.division_code.as_str();
    let group = worker.division_code.as_str();
    let micro = worker.grid_id;
    let w = Work {
        db,
        scope: Scope::everything().by(xiangzhi_storage::Actor::system("demo builder")),
    };

    // 1. A resident's report on the public page this morning, given to the grid worker: on
    // their home page, followed by the resident with a known code; its notice failed to go out.
    let mut road = input(
        "road",
        "road",
        group,
        micro,
        "龙鼻村一组通往后沟的路口，昨夜的雨冲出一个大坑，三轮车过不去",
    );
    road.reporter_kind = "resident".into();
    road.reporter_name = Some("刘秀兰".into());
    road.reporter_phone = Some("13835712468".into());
    road.tracking_hash = Some(crate::store::tracking_hash(TRACKING_CODE));
    let road = w.report(road, None, now - 3 * HOUR).await?;
    w.step(
        road,
        Action::Accept,
        Actor::Dispatcher,
        secretary,
        now - 2 * HOUR,
        "",
    )
    .await?;
    w.step(
        road,
        Action::Assign { handler: worker.id },
        Actor::Dispatcher,
        secretary,
        now - 2 * HOUR + 600_000,
        "请今天到现场看看，先设警示",
    )
    .await?;
    for n in db.notifications_for(worker.id, group, 10).await? {
        if n.case_id == road {
            let mut n = n;
            for k in 0..crate::store::notifications::MAX_ATTEMPTS {
                n = db
                    .record_delivery(
                        &n,
                        Err("短信网关无应答（HTTP 502）/ the SMS gateway answered HTTP 502".into()),
                        now - HOUR + k * 60_000,
                    )
                    .await?;
            }
        }
    }

    // 2. Reported by the grid worker yesterday, handled by the secretary himself: in progress.
    let water = w
        .report(
            input(
                "water",
                "water",
                village,
                None,
                "龙鼻村蓄水池出水管冻裂，二组十几户停水",
            ),
            Some(worker.id),
            now - 20 * HOUR,
        )
        .await?;
    w.step(
        water,
        Action::Accept,
        Actor::Dispatcher,
        secretary,
        now - 19 * HOUR,
        "",
    )
    .await?;
    w.step(
        water,
        Action::Assign {
            handler: secretary.id,
        },
        Actor::Dispatcher,
        secretary,
        now - 19 * HOUR,
        "",
    )
    .await?;
    w.step(
        water,
        Action::Start,
        Actor::Handler,
        secretary,
        now - 18 * HOUR,
        "已联系镇供水站，明天上午来人更换水管；先安排送水",
    )
    .await?;

    // 3. A neighbours' dispute the grid worker mediated: resolved, waiting for the parties'
    // confirmation, with the mediation record and a photo of the mended wall.
    let wall = w
        .report(
            input(
                "wall",
                "neighbour",
                group,
                micro,
                "一组两户因院墙排水口朝向发生争执，雨水流进邻家院子",
            ),
            Some(worker.id),
            now - 70 * HOUR,
        )
        .await?;
    w.step(
        wall,
        Action::Accept,
        Actor::Dispatcher,
        worker,
        now - 69 * HOUR,
        "",
    )
    .await?;
    w.step(
        wall,
        Action::Assign { handler: worker.id },
        Actor::Dispatcher,
        worker,
        now - 69 * HOUR,
        "",
    )
    .await?;
    w.step(
        wall,
        Action::Start,
        Actor::Handler,
        worker,
        now - 68 * HOUR,
        "已分别上门了解情况",
    )
    .await?;
    db.put_mediation(
        &w.scope,
        wall,
        &MediationInput {
            mediator: "龙鼻村人民调解委员会".into(),
            parties: vec![
                Party {
                    name: "张建国".into(),
                    side: "申请人".into(),
                },
                Party {
                    name: "李福全".into(),
                    side: "被申请人".into(),
                },
            ],
            method: "情理法说劝和，请两户的老人一起到场".into(),
        },
        now - 50 * HOUR,
    )
    .await?;
    db.add_mediation_session(
        &w.scope,
        wall,
        &SessionInput {
            place: "龙鼻村党群服务中心".into(),
            summary: "双方同意把排水口改向村道边沟，费用各担一半，由网格员请人施工".into(),
        },
        Some(worker.id),
        now - 49 * HOUR,
    )
    .await?;
    db.set_mediation_agreement(
        &w.scope,
        wall,
        &AgreementInput {
            agreement: "排水口改向村道边沟；施工费用两户各半；今后院墙维修提前告知对方".into(),
        },
        now - 48 * HOUR,
    )
    .await?;
    db.add_case_file(
        &w.scope,
        wall,
        "改好的排水口.png",
        photo::png(240, 160, county.seed),
        Upload {
            user: Some(worker.id),
            at: now - 26 * HOUR,
            public: true,
        },
    )
    .await?;
    w.step(
        wall,
        Action::Resolve,
        Actor::Handler,
        worker,
        now - 25 * HOUR,
        "排水口已改向边沟，两户都到场看过，表示满意",
    )
    .await?;

    // 4. A hazard reported by a party member an hour ago: for the township to accept.
    let mut hazard = input(
        "hazard",
        "hazard",
        village,
        None,
        "村委会后山坡有一块危岩松动，下面是三户窑洞",
    );
    hazard.reporter_kind = "party_member".into();
    hazard.reporter_name = Some("王德胜".into());
    hazard.urgency = "urgent".into();
    w.report(hazard, None, now - HOUR).await?;
    Ok((4, road))
}
