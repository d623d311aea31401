//! Meetings and their items in the store. A meeting is recorded with its roll as the sign-in
//! sheet gives it; whether it reached its quorum (and had its notice) is computed by the rules and
//! kept with the reason. An item is recorded with its votes; whether it passed is computed — a
//! meeting without its quorum, a vote short of its threshold, or a matter the meeting may not
//! decide is kept as not passed with the reason in words and the article, never as passed.

use crate::rules::matters::{may_decide, MatterKind};
use crate::rules::meetings::{passes, quorum, MeetingKind, Roll, Tally};
use crate::tables::{MEETINGS, MEETING_ITEMS};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_domain::{DivisionCode, DivisionLevel, Invalid};
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, FieldError, Result, Scope, StoreError};

/// A meeting as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Meeting {
    pub county_id: i64,
    pub id: i64,
    /// The village (or the group, for a group meeting).
    pub division_code: String,
    /// `villagers_meeting`, `representatives_meeting`, `group_meeting`,
    /// `party_members_meeting`, `members_assembly` or `member_representatives_assembly`.
    pub kind: String,
    pub title: String,
    pub place: String,
    pub notified_on: Option<NaiveDate>,
    pub held_on: NaiveDate,
    pub entitled: i64,
    pub households: i64,
    pub present: i64,
    pub online: i64,
    pub proxies: i64,
    pub households_present: i64,
    /// Whether it reached its legal quorum (and had its legal notice).
    pub quorum_met: bool,
    /// Why not, in words with the article (empty when it did).
    pub quorum_reason: String,
    pub minutes: String,
    pub recorded_by: i64,
    pub created_at: i64,
    /// `called` while its sign-in is open; `held` once the roll is closed (a meeting recorded
    /// from a paper sheet is held when recorded). Items are voted on a held meeting only.
    pub state: String,
}

/// A meeting to record.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct MeetingInput {
    /// The village (12 digits), or the group (15 digits) for a group meeting.
    pub division_code: String,
    pub kind: MeetingKind,
    pub title: String,
    #[serde(default)]
    pub place: String,
    /// When notice was given: `2026-11-20` (the villagers' meeting and the members' assembly
    /// need ten days).
    #[serde(default)]
    pub notified_on: Option<String>,
    /// `2026-11-30`.
    pub held_on: String,
    pub roll: Roll,
    #[serde(default)]
    pub minutes: String,
}

/// An item voted on.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Item {
    pub county_id: i64,
    pub id: i64,
    pub meeting_id: i64,
    pub title: String,
    /// The matter's kind (`ordinary` for a village's other business).
    pub matter_kind: String,
    /// For a representatives' meeting: the villagers' meeting has authorised it.
    pub authorised: bool,
    pub yes: i64,
    pub no: i64,
    pub abstain: i64,
    /// Computed by the law's rules, never typed.
    pub passed: bool,
    /// Why it did not pass, in words (empty when it did).
    pub reason: String,
    /// The article the reason comes from.
    pub article: String,
}

/// An item's votes to record.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ItemInput {
    pub title: String,
    pub matter_kind: MatterKind,
    #[serde(default)]
    pub authorised: bool,
    pub votes: Tally,
}

/// A meeting with its items.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingView {
    pub meeting: Meeting,
    pub items: Vec<Item>,
}

const MEETING_COLS: &str = "t.county_id, t.id, t.division_code, t.kind, t.title, t.place, t.notified_on, t.held_on, \
    t.entitled, t.households, t.present, t.online, t.proxies, t.households_present, t.quorum_met, t.quorum_reason, \
    t.minutes, t.recorded_by, t.created_at, t.state";
const ITEM_COLS: &str =
    "t.county_id, t.id, t.meeting_id, t.title, t.matter_kind, t.authorised, t.yes, t.no, \
    t.abstain, t.passed, t.reason, t.article";

fn bad(field: &str, zh: impl Into<String>, en: impl Into<String>) -> StoreError {
    StoreError::Invalid(vec![FieldError::new(field, Invalid::new(zh, en))])
}

fn text(field: &str, value: &str, most: usize, required: bool) -> Result<String> {
    let v = value.trim();
    if (required && v.is_empty()) || v.chars().count() > most || v.contains('\0') {
        return Err(bad(
            field,
            format!("请填写（不超过{most}个字）"),
            format!("required, at most {most} characters"),
        ));
    }
    Ok(v.to_string())
}

fn date(field: &str, value: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        bad(
            field,
            "日期请写成 2026-11-30",
            "write the date as 2026-11-30",
        )
    })
}

const MOST: u32 = 1_000_000;

/// A stored meeting's kind.
pub(crate) fn kind_of(m: &Meeting) -> Result<MeetingKind> {
    MeetingKind::named(&m.kind)
        .ok_or_else(|| StoreError::Query(format!("unknown meeting kind {}", m.kind)))
}

/// Whether the notice the law asks for was given; the reason if not.
fn notice(
    kind: MeetingKind,
    notified: Option<NaiveDate>,
    held: NaiveDate,
) -> std::result::Result<(), (String, &'static str)> {
    let Some(days) = kind.notice_days() else {
        return Ok(());
    };
    let article = if kind == MeetingKind::VillagersMeeting {
        "村委会组织法第二十一条"
    } else {
        "集体经济组织法第二十七条"
    };
    match notified {
        Some(n) if (held - n).num_days() >= i64::from(days) => Ok(()),
        Some(n) => Err((
            format!(
                "{}应提前{days}天通知，本次仅提前{}天",
                kind.zh(),
                (held - n).num_days()
            ),
            article,
        )),
        None => Err((
            format!("{}应提前{days}天通知，未记录通知日期", kind.zh()),
            article,
        )),
    }
}

/// What every meeting is recorded with, checked.
pub(crate) struct Header {
    pub county_id: i64,
    pub division: DivisionCode,
    pub kind: MeetingKind,
    pub title: String,
    pub place: String,
    pub notified: Option<NaiveDate>,
    pub held: NaiveDate,
    pub minutes: String,
}

impl Header {
    /// Checks a meeting's place in the caller's reach, its words and its dates.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn check(
        scope: &Scope,
        kind: MeetingKind,
        division_code: &str,
        title: &str,
        place: &str,
        notified_on: Option<&str>,
        held_on: &str,
        minutes: &str,
    ) -> Result<Header> {
        let level = if kind == MeetingKind::GroupMeeting {
            DivisionLevel::Group
        } else {
            DivisionLevel::Village
        };
        let division = DivisionCode::parse(division_code)
            .ok()
            .filter(|c| c.level() == level && scope.covers(c.as_str()))
            .ok_or_else(|| {
                bad(
                    "division_code",
                    format!(
                        "请选择您管辖范围内的一个{}",
                        if level == DivisionLevel::Group {
                            "村民小组"
                        } else {
                            "村"
                        }
                    ),
                    "name a village (a group for a group meeting) within your jurisdiction",
                )
            })?;
        let county_id = division.county_id().unwrap_or_default();
        let title = text("title", title, 100, true)?;
        let place = text("place", place, 100, false)?;
        let minutes = text("minutes", minutes, 20_000, false)?;
        let held = date("held_on", held_on)?;
        let notified = match notified_on.map(str::trim).filter(|s| !s.is_empty()) {
            Some(n) => Some(date("notified_on", n)?),
            None => None,
        };
        if notified.is_some_and(|n| n > held) {
            return Err(bad(
                "notified_on",
                "通知日期不能晚于开会日期",
                "notice cannot come after the meeting",
            ));
        }
        Ok(Header {
            county_id,
            division,
            kind,
            title,
            place,
            notified,
            held,
            minutes,
        })
    }

    /// Whether a meeting with this roll met its notice and quorum; the reason when not.
    pub(crate) fn judge(&self, r: &Roll) -> (bool, String) {
        match (
            notice(self.kind, self.notified, self.held),
            quorum(self.kind, r),
        ) {
            (Err((why, article)), _) => (false, format!("{why}（{article}）")),
            (Ok(()), Err(s)) => (
                false,
                if s.article.is_empty() {
                    s.zh
                } else {
                    format!("{}（{}）", s.zh, s.article)
                },
            ),
            (Ok(()), Ok(())) => (true, String::new()),
        }
    }

    /// Writes the meeting row; `state` is `called` (sign-in open) or `held`.
    pub(crate) async fn insert(
        &self,
        tx: &mut xiangzhi_storage::Tx,
        id: i64,
        r: &Roll,
        judged: (bool, String),
        state: &str,
        by: i64,
    ) -> Result<()> {
        tx.exec(&Q::with(
            "INSERT INTO meetings (county_id, id, division_code, kind, title, place, notified_on, held_on, entitled, \
             households, present, online, proxies, households_present, quorum_met, quorum_reason, minutes, recorded_by, \
             created_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                self.county_id.into(),
                id.into(),
                self.division.as_str().into(),
                self.kind.as_str().into(),
                self.title.clone().into(),
                self.place.clone().into(),
                Arg::OptDate(self.notified),
                Arg::Date(self.held),
                i64::from(r.entitled).into(),
                i64::from(r.households).into(),
                i64::from(r.present).into(),
                i64::from(r.online).into(),
                i64::from(r.proxies).into(),
                i64::from(r.households_present).into(),
                Arg::Bool(judged.0),
                judged.1.into(),
                self.minutes.clone().into(),
                by.into(),
                now_ms().into(),
                state.into(),
            ],
        ))
        .await?;
        Ok(())
    }
}

#[easy_ext::ext(MeetingStore)]
pub impl Db {
    /// Records a meeting held in the caller's reach, with whether it reached its quorum.
    async fn create_meeting(&self, scope: &Scope, input: &MeetingInput) -> Result<MeetingView> {
        let by = scope.acting()?;
        let h = Header::check(
            scope,
            input.kind,
            &input.division_code,
            &input.title,
            &input.place,
            input.notified_on.as_deref(),
            &input.held_on,
            &input.minutes,
        )?;
        let r = input.roll;
        for (field, n) in [
            ("roll.entitled", r.entitled),
            ("roll.households", r.households),
            ("roll.present", r.present),
            ("roll.online", r.online),
            ("roll.proxies", r.proxies),
            ("roll.households_present", r.households_present),
        ] {
            if n > MOST {
                return Err(bad(field, "人数过大", "the count is too large"));
            }
        }
        if r.entitled == 0 {
            return Err(bad(
                "roll.entitled",
                "请填写应到人数",
                "give the number entitled to attend",
            ));
        }
        if r.households_present > r.households {
            return Err(bad(
                "roll.households_present",
                "到会户数不能多于总户数",
                "households represented cannot exceed the households",
            ));
        }
        if (r.online > 0 || r.proxies > 0) && input.kind != MeetingKind::MembersAssembly {
            return Err(bad(
                "roll.online",
                "只有集体经济组织成员大会可以在线参加或由同户家庭成员书面委托（集体经济组织法第二十七条）",
                "only the members' assembly counts online attendance and household proxies",
            ));
        }
        let judged = h.judge(&r);
        let quorum_met = judged.0;
        let county_id = h.county_id;
        let mut tx = self.begin().await?;
        let id = next_ids(&mut tx, county_id, "meeting", 1).await?;
        h.insert(&mut tx, id, &r, judged, "held", by).await?;
        tx.audit(
            scope.actor(),
            "record meeting",
            format!(
                "meeting {county_id}:{id}: {} quorum {quorum_met}",
                input.kind.as_str()
            ),
        )
        .await?;
        tx.commit().await?;
        self.meeting(scope, county_id, id).await
    }

    /// Records an item's votes; whether it passed is computed by the law's rules.
    async fn record_item(
        &self,
        scope: &Scope,
        county_id: i64,
        meeting_id: i64,
        input: &ItemInput,
    ) -> Result<Item> {
        let by = scope.acting()?;
        let title = text("title", &input.title, 200, true)?;
        let m = self.meeting(scope, county_id, meeting_id).await?.meeting;
        if m.state != "held" {
            return Err(StoreError::conflict(
                "meeting",
                "签到尚未结束，请先结束签到再记录表决",
                "close the sign-in before recording votes",
            ));
        }
        let kind = kind_of(&m)?;
        let roll = Roll {
            entitled: m.entitled as u32,
            households: m.households as u32,
            present: m.present as u32,
            online: m.online as u32,
            proxies: m.proxies as u32,
            households_present: m.households_present as u32,
        };
        let v = input.votes;
        if v.cast() > roll.attending() {
            return Err(bad(
                "votes",
                format!("票数{}张，多于到会{}人，请核对", v.cast(), roll.attending()),
                format!(
                    "{} votes cast is more than the {} attending",
                    v.cast(),
                    roll.attending()
                ),
            ));
        }
        let (passed, reason, article) = if !m.quorum_met {
            (
                false,
                format!("会议未达法定条件：{}", m.quorum_reason),
                String::new(),
            )
        } else if let Err(why) = may_decide(input.matter_kind, kind, input.authorised) {
            (false, why, input.matter_kind.article().to_string())
        } else {
            match passes(kind, &roll, &v) {
                Ok(()) => (true, String::new(), String::new()),
                Err(s) => (false, s.zh, s.article.to_string()),
            }
        };
        let mut tx = self.begin().await?;
        let id = next_ids(&mut tx, county_id, "meeting_item", 1).await?;
        let item: Item = tx
            .one(&Q::with(
                &format!(
                    "INSERT INTO meeting_items (county_id, id, meeting_id, division_code, title, matter_kind, authorised, \
                     yes, no, abstain, passed, reason, article, recorded_by, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
                    ITEM_COLS.replace("t.", "")
                ),
                vec![
                    county_id.into(),
                    id.into(),
                    meeting_id.into(),
                    m.division_code.clone().into(),
                    title.into(),
                    input.matter_kind.as_str().into(),
                    Arg::Bool(input.authorised),
                    i64::from(v.yes).into(),
                    i64::from(v.no).into(),
                    i64::from(v.abstain).into(),
                    Arg::Bool(passed),
                    reason.into(),
                    article.into(),
                    by.into(),
                    now_ms().into(),
                ],
            ))
            .await?;
        tx.audit(
            scope.actor(),
            "record meeting item",
            format!("meeting item {county_id}:{id} of meeting {meeting_id}: passed {passed}"),
        )
        .await?;
        tx.commit().await?;
        Ok(item)
    }

    /// A meeting in the caller's reach with its items.
    async fn meeting(&self, scope: &Scope, county_id: i64, id: i64) -> Result<MeetingView> {
        let mut q = Q::with(
            &format!("SELECT {MEETING_COLS} FROM meetings t WHERE t.county_id = ? AND t.id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &MEETINGS, "t", "division_code");
        let meeting: Meeting = self.optional(&q).await?.ok_or(StoreError::NotFound)?;
        let mut q = Q::with(
            &format!("SELECT {ITEM_COLS} FROM meeting_items t WHERE t.county_id = ? AND t.meeting_id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &MEETING_ITEMS, "t", "division_code");
        q.push(" ORDER BY t.id");
        let items = self.all(&q).await?;
        Ok(MeetingView { meeting, items })
    }

    /// The meetings in the caller's reach (and `division`, and with `words` in the title), newest
    /// first.
    async fn meetings(
        &self,
        scope: &Scope,
        division: Option<&str>,
        words: Option<&str>,
    ) -> Result<Vec<Meeting>> {
        let scope = xiangzhi_storage::list::within(scope, division)?;
        let mut q = Q::new(&format!("SELECT {MEETING_COLS} FROM meetings t WHERE 1=1"));
        if let Some(w) = words.map(str::trim).filter(|w| !w.is_empty()) {
            xiangzhi_storage::sql::push_contains(&mut q, "t.title", w);
        }
        scope.filter(&mut q, &MEETINGS, "t", "division_code");
        q.push(" ORDER BY t.held_on DESC, t.id DESC LIMIT 500");
        self.all(&q).await
    }

    /// The items a village's meetings voted on a matter of `kind`, latest first, each with its
    /// meeting's day and title: what a matter's decision may name.
    async fn decision_items(
        &self,
        scope: &Scope,
        village: &str,
        kind: &str,
    ) -> Result<Vec<ItemChoice>> {
        let mut q = Q::with(
            "SELECT t.id, t.title, t.passed, m.held_on, m.title AS meeting_title FROM meeting_items t \
             JOIN meetings m ON m.county_id = t.county_id AND m.id = t.meeting_id \
             WHERE t.matter_kind = ? AND t.division_code LIKE ?",
            vec![kind.into(), format!("{village}%").into()],
        );
        scope.filter(&mut q, &MEETING_ITEMS, "t", "division_code");
        q.push(" ORDER BY m.held_on DESC, t.id DESC LIMIT 100");
        self.all(&q).await
    }
}

/// A meeting item a matter's decision may name.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct ItemChoice {
    pub id: i64,
    pub title: String,
    pub passed: bool,
    pub held_on: NaiveDate,
    pub meeting_title: String,
}
