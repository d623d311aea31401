//! The console's pages of 议事与公开. `/decisions` shows every village in reach: its meetings,
//! its matters going through 四议两公开 and its late village affairs postings, and lets a
//! secretary call a meeting or open a matter. A meeting's page is where it is run: the roll by
//! name with a button per person (a tablet passed round the room, or a clerk ticking names from
//! the paper sheet; the tablet keeps sign-ins until the server has them), closing the sign-in,
//! then each item's votes. Its printable papers (notice, sign-in sheet, ballots, minutes) and
//! the lists as .xlsx hang off it ([`crate::papers`]). A matter's page takes its steps in order.

use crate::procedure_store::{Matter, MatterInput, MatterStore, MatterView, StepInput};
use crate::publicity_store::{Overdue, PublicityStore};
use crate::roll_store::{
    Attendance, CallInput, CloseInput, RollEntry, RollNames, RollStore, SignInInput,
};
use crate::rules::matters::MatterKind;
use crate::rules::meetings::MeetingKind;
use crate::rules::procedure::Step;
use crate::store::{ItemChoice, ItemInput, Meeting, MeetingStore, MeetingView};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use std::collections::HashMap;
use xiangzhi_domain::Right;
use xiangzhi_registry::prelude::DivisionStore;
use xiangzhi_storage::StoreError;
use xiangzhi_web::console::{html, refused, status_of, store, Chrome, Message, St, Viewer, P};
use xiangzhi_web::Query;

/// Names of kinds, in the page's language.
pub(crate) struct Words {
    pub en: bool,
}

impl Words {
    pub fn meeting(&self, kind: &str) -> &'static str {
        match MeetingKind::named(kind) {
            Some(k) if self.en => k.en(),
            Some(k) => k.zh(),
            None => "",
        }
    }
    pub fn matter(&self, kind: &str) -> &'static str {
        match MatterKind::named(kind) {
            Some(k) if self.en => k.en(),
            Some(k) => k.zh(),
            None => "",
        }
    }
    pub fn step(&self, step: &str) -> &'static str {
        match Step::named(step) {
            Some(s) if self.en => s.en(),
            Some(s) => s.zh(),
            None => "",
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct Narrow {
    /// Within this village only.
    pub division: Option<String>,
}

#[derive(Template)]
#[template(path = "decisions.html")]
struct OverviewPage {
    c: Chrome,
    w: Words,
    villages: Vec<(String, String)>,
    /// The villagers' groups in reach, for a group's meeting.
    groups: Vec<(String, String)>,
    division: String,
    meetings: Vec<Meeting>,
    matters: Vec<Matter>,
    overdue: Vec<Overdue>,
    may_record: bool,
    kinds: Vec<(&'static str, &'static str)>,
    matter_kinds: Vec<(&'static str, &'static str)>,
    posting_kinds: Vec<(&'static str, &'static str)>,
    today: String,
    month_on: String,
    message: Message,
}

impl OverviewPage {
    fn village(&self, code: &str) -> String {
        village_name(&self.villages, code)
    }
    fn publicity_kind(&self, k: &crate::rules::publicity::PublicityKind) -> &'static str {
        if self.c.l.en {
            k.as_str()
        } else {
            k.zh()
        }
    }
}

pub(crate) fn village_name(villages: &[(String, String)], code: &str) -> String {
    villages
        .iter()
        .find(|(c, _)| code.starts_with(c.as_str()))
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| code.to_string())
}

async fn overview_page(s: &xiangzhi_web::AppState, v: &Viewer, n: &Narrow, message: Message) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let division = n
        .division
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    let villages = s.db.villages_in_reach(&scope).await.map_err(store(v.l))?;
    let groups = s.db.groups_in_reach(&scope).await.map_err(store(v.l))?;
    let meetings =
        s.db.meetings(&scope, division, None)
            .await
            .map_err(store(v.l))?;
    let matters =
        s.db.matters(&scope, division, None)
            .await
            .map_err(store(v.l))?;
    let within = xiangzhi_storage::list::within(&scope, division).map_err(store(v.l))?;
    let today = xiangzhi_domain::china_today();
    let overdue =
        s.db.overdue_publicity(&within, today - chrono::Duration::days(365), today)
            .await
            .map_err(store(v.l))?;
    let w = Words { en: v.l.en };
    let status = status_of(&message);
    let page = OverviewPage {
        c: v.chrome(v.l.t("议事与公开", "Decisions and publicity")),
        kinds: MeetingKind::ALL
            .into_iter()
            .map(|k| (k.as_str(), if w.en { k.en() } else { k.zh() }))
            .collect(),
        matter_kinds: MatterKind::ALL
            .into_iter()
            .map(|k| (k.as_str(), if w.en { k.en() } else { k.zh() }))
            .collect(),
        w,
        villages,
        groups,
        division: division.unwrap_or_default().to_string(),
        meetings,
        matters,
        overdue,
        may_record: v.user.can(crate::RECORD_MEETINGS),
        posting_kinds: crate::rules::publicity::PublicityKind::ALL
            .into_iter()
            .map(|k| (k.as_str(), if v.l.en { k.as_str() } else { k.zh() }))
            .collect(),
        today: today.to_string(),
        month_on: (today + chrono::Duration::days(30)).to_string(),
        message,
    };
    Ok((status, html(page)?).into_response())
}

/// `GET /decisions`
pub async fn overview(State(s): St, v: Viewer, Query(n): Query<Narrow>) -> P {
    overview_page(&s, &v, &n, None).await
}

#[derive(Debug, Deserialize)]
pub struct CallForm {
    pub division_code: String,
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub notified_on: String,
    pub held_on: String,
    /// For the meetings whose roll is chosen: names, one per line.
    #[serde(default)]
    pub members: String,
    /// For a representatives' meeting: which of them sit on the villagers' committee.
    #[serde(default)]
    pub committee: String,
    /// For a group's meeting: the group (the village is its parent).
    #[serde(default)]
    pub group_code: String,
}

/// The residents of `village` named in `text` (one per line), none for a blank field.
async fn named(
    db: &xiangzhi_storage::Db,
    scope: &xiangzhi_storage::Scope,
    village: &str,
    text: &str,
) -> xiangzhi_storage::Result<Vec<i64>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    db.residents_named(scope, village, text).await
}

/// `POST /decisions/meetings`: calls a meeting and opens its page.
pub async fn call(State(s): St, v: Viewer, Form(f): Form<CallForm>) -> P {
    v.need(crate::RECORD_MEETINGS)?;
    let scope = v.scope();
    let done = async {
        let kind = MeetingKind::named(&f.kind).ok_or_else(|| {
            StoreError::invalid("kind", "请选择会议类别", "choose the kind of meeting")
        })?;
        let division_code = if kind == MeetingKind::GroupMeeting {
            let group = f.group_code.trim();
            if group.is_empty() {
                return Err(StoreError::invalid(
                    "group_code",
                    "召开村民小组会议，请选择村民小组",
                    "choose the group whose meeting this is",
                ));
            }
            group.to_string()
        } else {
            f.division_code.clone()
        };
        let village = division_code.get(..12).unwrap_or_default();
        let members = named(&s.db, &scope, village, &f.members).await?;
        let committee = named(&s.db, &scope, village, &f.committee).await?;
        s.db.call_meeting(
            &scope,
            &CallInput {
                division_code,
                kind,
                title: f.title.clone(),
                place: f.place.clone(),
                notified_on: Some(f.notified_on.clone()),
                held_on: f.held_on.clone(),
                members,
                committee,
            },
        )
        .await
    }
    .await;
    match done {
        Ok(m) => Ok(Redirect::to(&meeting_href(&m.meeting)).into_response()),
        Err(e) => overview_page(&s, &v, &Narrow::default(), refused(e)).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct MatterForm {
    pub division_code: String,
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub one_shoulder: Option<String>,
}

/// `POST /decisions/matters`: opens a matter and its page.
pub async fn open_matter(State(s): St, v: Viewer, Form(f): Form<MatterForm>) -> P {
    v.need(crate::RECORD_MEETINGS)?;
    let done = match MatterKind::named(&f.kind) {
        None => Err(StoreError::invalid(
            "kind",
            "请选择事项类别",
            "choose the kind of matter",
        )),
        Some(kind) => {
            s.db.create_matter(
                &v.scope(),
                &MatterInput {
                    division_code: f.division_code.clone(),
                    kind,
                    title: f.title.clone(),
                    description: f.description.clone(),
                    one_shoulder: f.one_shoulder.is_some(),
                },
            )
            .await
        }
    };
    match done {
        Ok(m) => Ok(Redirect::to(&format!(
            "/decisions/matters/{}/{}",
            m.matter.county_id, m.matter.id
        ))
        .into_response()),
        Err(e) => overview_page(&s, &v, &Narrow::default(), refused(e)).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct PostingForm {
    pub division_code: String,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub posted_on: String,
    pub until_on: String,
}

/// `POST /decisions/publicity`: posts a village affairs item on the village's public board.
pub async fn post_publicity(State(s): St, v: Viewer, Form(f): Form<PostingForm>) -> P {
    v.need(crate::RECORD_MEETINGS)?;
    let done = match crate::rules::publicity::PublicityKind::named(&f.kind) {
        None => Err(StoreError::invalid(
            "kind",
            "请选择公开类别",
            "choose the kind of posting",
        )),
        Some(kind) => {
            s.db.post_publicity(
                &v.scope(),
                &crate::publicity_store::PostingInput {
                    division_code: f.division_code.clone(),
                    kind,
                    title: f.title.clone(),
                    body: f.body.clone(),
                    matter_id: None,
                    posted_on: f.posted_on.clone(),
                    until_on: f.until_on.clone(),
                },
            )
            .await
        }
    };
    let n = Narrow {
        division: Some(f.division_code.clone()),
    };
    match done {
        Ok(p) => {
            let m = Some((
                format!("已公开：{}（内容指纹 {}）", p.title, &p.fingerprint[..16]),
                format!("Posted: {} (fingerprint {})", p.title, &p.fingerprint[..16]),
                true,
            ));
            overview_page(&s, &v, &n, m).await
        }
        Err(e) => overview_page(&s, &v, &n, refused(e)).await,
    }
}

fn meeting_href(m: &Meeting) -> String {
    format!("/decisions/meetings/{}/{}", m.county_id, m.id)
}

#[derive(Template)]
#[template(path = "decisions_meeting.html")]
struct MeetingPage {
    c: Chrome,
    w: Words,
    v: MeetingView,
    village: String,
    roll: Vec<RollEntry>,
    signed: usize,
    /// For the members' assembly: each household's adults who may hold a proxy.
    holders: HashMap<i64, Vec<(i64, String)>>,
    may_record: bool,
    /// The roll as a paper sheet's ticks, entered at once.
    paper: bool,
    assembly: bool,
    representatives: bool,
    matter_kinds: Vec<(&'static str, &'static str)>,
    data: String,
    message: Message,
}

impl MeetingPage {
    fn attended(&self, e: &RollEntry) -> String {
        let l = self.c.l;
        match e.attended.as_str() {
            "present" => l.t("已签到", "signed in").to_string(),
            "online" => l.t("在线参加", "online").to_string(),
            "proxy" => format!("{}{}", l.t("委托：", "proxy: "), e.proxy_name),
            _ => l.t("未到", "absent").to_string(),
        }
    }
    fn holders_of(&self, household: &i64) -> Vec<(i64, String)> {
        self.holders.get(household).cloned().unwrap_or_default()
    }
    fn base(&self) -> String {
        meeting_href(&self.v.meeting)
    }
}

async fn meeting_page(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    county: i64,
    id: i64,
    paper: bool,
    message: Message,
) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let view = s.db.meeting(&scope, county, id).await.map_err(store(v.l))?;
    let roll =
        s.db.meeting_roll(&scope, county, id)
            .await
            .map_err(store(v.l))?;
    let villages = s.db.villages_in_reach(&scope).await.map_err(store(v.l))?;
    let assembly = view.meeting.kind == MeetingKind::MembersAssembly.as_str();
    let holders = if assembly && view.meeting.state == "called" {
        s.db.proxy_holders(&scope, county, id)
            .await
            .map_err(store(v.l))?
    } else {
        HashMap::new()
    };
    let w = Words { en: v.l.en };
    let data = serde_json::json!({
        "county": county,
        "id": id,
        "user": v.user.id,
        "lang": if v.l.en { "en" } else { "zh" },
        "t": {
            "waiting": v.l.t("条签到待送达", "sign-ins waiting to be sent"),
            "allSent": v.l.t("签到均已送达", "every sign-in has reached the server"),
            "offline": v.l.t("没有网络：签到已保存在本机，联网后自动发送", "No signal: sign-ins are kept on this tablet and sent when it is back"),
            "signIn": v.l.t("登录已过期，请重新登录后继续", "The session has lapsed; sign in again to go on"),
            "closeFirst": v.l.t("还有签到没有送达，请稍候再结束签到", "Some sign-ins have not reached the server yet; wait before closing"),
            "present": v.l.t("已签到", "signed in"),
            "absent": v.l.t("未到", "absent"),
            "online": v.l.t("在线参加", "online"),
        }
    })
    .to_string()
    .replace("</", "<\\/");
    let status = status_of(&message);
    let title = format!(
        "{} · {}",
        village_name(&villages, &view.meeting.division_code),
        view.meeting.title
    );
    let page = MeetingPage {
        c: v.chrome(&title),
        village: village_name(&villages, &view.meeting.division_code),
        signed: roll.iter().filter(|e| !e.attended.is_empty()).count(),
        roll,
        holders,
        may_record: v.user.can(crate::RECORD_MEETINGS),
        paper,
        assembly,
        representatives: view.meeting.kind == MeetingKind::RepresentativesMeeting.as_str(),
        matter_kinds: MatterKind::ALL
            .into_iter()
            .map(|k| (k.as_str(), if w.en { k.en() } else { k.zh() }))
            .collect(),
        w,
        v: view,
        data,
        message,
    };
    Ok((status, html(page)?).into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct MeetingQuery {
    /// `1`: the roll as a paper sheet's ticks.
    pub paper: Option<String>,
}

/// `GET /decisions/meetings/{county}/{id}`
pub async fn meeting(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Query(q): Query<MeetingQuery>,
) -> P {
    let paper = q.paper.as_deref() == Some("1");
    meeting_page(&s, &v, county, id, paper, None).await
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    pub resident_id: i64,
    pub how: String,
    #[serde(default)]
    pub proxy_by: String,
}

/// `POST /decisions/meetings/{county}/{id}/sign-in` (without the tablet's script).
pub async fn sign_in(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Form(f): Form<SignInForm>,
) -> P {
    v.need(crate::RECORD_MEETINGS)?;
    let how = match f.how.as_str() {
        "present" => Attendance::Present,
        "online" => Attendance::Online,
        "proxy" => Attendance::Proxy,
        _ => Attendance::Absent,
    };
    let input = SignInInput {
        resident_id: f.resident_id,
        how,
        proxy_by: f.proxy_by.trim().parse().ok(),
    };
    match s.db.sign_in(&v.scope(), county, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/decisions/meetings/{county}/{id}#r{}",
            f.resident_id
        ))
        .into_response()),
        Err(e) => meeting_page(&s, &v, county, id, false, refused(e)).await,
    }
}

/// `POST /decisions/meetings/{county}/{id}/sheet`: the paper sheet's ticked names at once.
pub async fn sheet(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    body: String,
) -> P {
    v.need(crate::RECORD_MEETINGS)?;
    let ids: Vec<i64> = form_urlencoded::parse(body.as_bytes())
        .filter(|(k, _)| k == "resident_id")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    match s.db.sign_in_present(&v.scope(), county, id, &ids).await {
        Ok(n) => {
            let m = Some((
                format!("已按签到表登记{n}人"),
                format!("{n} signed in from the sheet"),
                true,
            ));
            meeting_page(&s, &v, county, id, false, m).await
        }
        Err(e) => meeting_page(&s, &v, county, id, true, refused(e)).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    pub minutes: String,
}

/// `POST /decisions/meetings/{county}/{id}/close`
pub async fn close(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Form(f): Form<CloseForm>,
) -> P {
    v.need(crate::RECORD_MEETINGS)?;
    let input = CloseInput {
        minutes: Some(f.minutes),
    };
    match s.db.close_sign_in(&v.scope(), county, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/decisions/meetings/{county}/{id}")).into_response()),
        Err(e) => meeting_page(&s, &v, county, id, false, refused(e)).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct ItemForm {
    pub title: String,
    pub matter_kind: String,
    #[serde(default)]
    pub authorised: Option<String>,
    pub yes: String,
    pub no: String,
    #[serde(default)]
    pub abstain: String,
}

fn count(field: &str, value: &str) -> Result<u32, StoreError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(0);
    }
    v.parse::<u32>().map_err(|_| {
        StoreError::invalid(
            field,
            "票数请填写不小于0的整数",
            "write the votes as a whole number, 0 or more",
        )
    })
}

/// `POST /decisions/meetings/{county}/{id}/items`
pub async fn record_item(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Form(f): Form<ItemForm>,
) -> P {
    v.need(crate::RECORD_MEETINGS)?;
    let done = async {
        let matter_kind = MatterKind::named(&f.matter_kind).ok_or_else(|| {
            StoreError::invalid("matter_kind", "请选择事项类别", "choose the kind of matter")
        })?;
        let votes = crate::rules::meetings::Tally {
            yes: count("yes", &f.yes)?,
            no: count("no", &f.no)?,
            abstain: count("abstain", &f.abstain)?,
        };
        s.db.record_item(
            &v.scope(),
            county,
            id,
            &ItemInput {
                title: f.title.clone(),
                matter_kind,
                authorised: f.authorised.is_some(),
                votes,
            },
        )
        .await
    }
    .await;
    match done {
        Ok(_) => {
            Ok(Redirect::to(&format!("/decisions/meetings/{county}/{id}#items")).into_response())
        }
        Err(e) => meeting_page(&s, &v, county, id, false, refused(e)).await,
    }
}

/// Where a matter stands, in words.
pub(crate) fn state_word(en: bool, m: &MatterView) -> String {
    let w = Words { en };
    match (m.matter.state.as_str(), m.next_step) {
        ("done", _) => if en { "done" } else { "已办结" }.into(),
        (_, Some(next)) => format!(
            "{}{}",
            if en { "next: " } else { "下一步：" },
            w.step(next.as_str())
        ),
        _ => String::new(),
    }
}

#[derive(Template)]
#[template(path = "decisions_matter.html")]
struct MatterPage {
    c: Chrome,
    w: Words,
    v: MatterView,
    village: String,
    choices: Vec<ItemChoice>,
    may_record: bool,
    next: Option<(&'static str, &'static str)>,
    deciding: bool,
    publishing: bool,
    may_join: bool,
    today: String,
    month_on: String,
    where_it_stands: String,
    message: Message,
}

async fn matter_page(
    s: &xiangzhi_web::AppState,
    v: &Viewer,
    county: i64,
    id: i64,
    message: Message,
) -> P {
    v.need(Right::ReadRegistry)?;
    let scope = v.scope();
    let view = s.db.matter(&scope, county, id).await.map_err(store(v.l))?;
    let villages = s.db.villages_in_reach(&scope).await.map_err(store(v.l))?;
    let deciding = view.next_step == Some(Step::Decision);
    let choices = if deciding {
        s.db.decision_items(&scope, &view.matter.division_code, &view.matter.kind)
            .await
            .map_err(store(v.l))?
    } else {
        Vec::new()
    };
    let w = Words { en: v.l.en };
    let status = status_of(&message);
    let page = MatterPage {
        c: v.chrome(&view.matter.title),
        village: village_name(&villages, &view.matter.division_code),
        choices,
        may_record: v.user.can(crate::RECORD_MEETINGS),
        next: view
            .next_step
            .map(|s| (s.as_str(), if w.en { s.en() } else { s.zh() })),
        deciding,
        publishing: matches!(
            view.next_step,
            Some(Step::DecisionPublished | Step::OutcomePublished)
        ),
        may_join: view.matter.one_shoulder && view.steps.is_empty(),
        today: xiangzhi_domain::china_today().to_string(),
        month_on: (xiangzhi_domain::china_today() + chrono::Duration::days(30)).to_string(),
        where_it_stands: state_word(v.l.en, &view),
        w,
        v: view,
        message,
    };
    Ok((status, html(page)?).into_response())
}

/// `GET /decisions/matters/{county}/{id}`
pub async fn matter(State(s): St, v: Viewer, Path((county, id)): Path<(i64, i64)>) -> P {
    matter_page(&s, &v, county, id, None).await
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    pub step: String,
    #[serde(default)]
    pub joint: Option<String>,
    #[serde(default)]
    pub meeting_item_id: String,
    #[serde(default)]
    pub evidence: String,
    pub taken_on: String,
    /// For a publication step: what goes on the village's board with it.
    #[serde(default)]
    pub post_title: String,
    #[serde(default)]
    pub post_body: String,
    #[serde(default)]
    pub post_until: String,
}

/// `POST /decisions/matters/{county}/{id}/steps`
pub async fn take_step(
    State(s): St,
    v: Viewer,
    Path((county, id)): Path<(i64, i64)>,
    Form(f): Form<StepForm>,
) -> P {
    v.need(crate::RECORD_MEETINGS)?;
    let done = match Step::named(&f.step) {
        None => Err(StoreError::invalid("step", "请选择步骤", "choose the step")),
        Some(step) => {
            s.db.take_step(
                &v.scope(),
                county,
                id,
                &StepInput {
                    step,
                    joint: f.joint.is_some(),
                    meeting_item_id: f.meeting_item_id.trim().parse().ok(),
                    evidence: f.evidence.clone(),
                    taken_on: f.taken_on.clone(),
                    posting: (!f.post_title.trim().is_empty() || !f.post_body.trim().is_empty())
                        .then(|| crate::procedure_store::StepPosting {
                            title: f.post_title.clone(),
                            body: f.post_body.clone(),
                            until_on: f.post_until.clone(),
                        }),
                },
            )
            .await
        }
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/decisions/matters/{county}/{id}")).into_response()),
        Err(e) => matter_page(&s, &v, county, id, refused(e)).await,
    }
}
