//! A meeting called ahead and its roll by name. Calling a villagers' meeting takes the roll from
//! the registry: the village's residents on the roll aged 18 or over on the day of the meeting
//! (村委会组织法第二十二条); a party members' meeting takes the branch's members, full members
//! with a vote and probationary members without one (党章第五、十条). The other meetings' members
//! (the representatives, the collective's members, a group's villagers) are chosen from the
//! village's residents. The roll is kept as it was when called, so a later move does not change
//! who should have come.
//!
//! Each person signs in in person, or, at the collective's members' assembly only, online or by a
//! written proxy from a member of their household (集体经济组织法第二十七条). A sign-in sets the
//! person's line by one statement that also checks the sign-in is still open, so a tablet that
//! sends the same sign-in twice (after a lost answer) changes nothing the second time. Closing the
//! sign-in counts the roll and judges the notice and the quorum by the rules.

use crate::rules::meetings::{MeetingKind, Roll};
use crate::store::{kind_of, Header, MeetingStore, MeetingView};
use crate::tables::MEETING_ROLL;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, Result, Scope, StoreError};

/// The most people one roll may hold.
const MOST_ON_ROLL: usize = 20_000;

/// A meeting to call ahead, its roll taken by name.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct CallInput {
    /// The village (12 digits), or the group (15 digits) for a group meeting.
    pub division_code: String,
    pub kind: MeetingKind,
    pub title: String,
    #[serde(default)]
    pub place: String,
    /// When notice was given: `2026-11-20`.
    #[serde(default)]
    pub notified_on: Option<String>,
    /// `2026-11-30`.
    pub held_on: String,
    /// The residents on the roll, for the meetings whose members the registry does not hold
    /// (the representatives' meeting, a group's meeting, the collective's assemblies). A
    /// villagers' meeting and a party members' meeting take theirs from the registry.
    #[serde(default)]
    pub members: Vec<i64>,
    /// For a representatives' meeting: those of `members` who sit as members of the villagers'
    /// committee; the rest are the representatives. The make-up is checked against Art 25.
    #[serde(default)]
    pub committee: Vec<i64>,
}

/// How a person on the roll attended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    /// Not (or no longer) signed in: undoes a mistaken sign-in.
    Absent,
    Present,
    /// Online (the members' assembly only).
    Online,
    /// By a written proxy from a member of the household (the members' assembly only).
    Proxy,
}

impl Attendance {
    pub fn as_str(self) -> &'static str {
        match self {
            Attendance::Absent => "",
            Attendance::Present => "present",
            Attendance::Online => "online",
            Attendance::Proxy => "proxy",
        }
    }
}

/// A sign-in to record (again and again: the same sign-in twice changes nothing).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct SignInInput {
    pub resident_id: i64,
    pub how: Attendance,
    /// For a proxy: the member of the same household who holds it.
    #[serde(default)]
    pub proxy_by: Option<i64>,
}

/// One person on a meeting's roll.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct RollEntry {
    pub resident_id: i64,
    pub household_id: i64,
    /// The household's number.
    pub household: String,
    pub name: String,
    /// Whether they vote (a probationary party member attends without a vote).
    pub votes: bool,
    /// `` (not signed in), `present`, `online` or `proxy`.
    pub attended: String,
    pub proxy_by: Option<i64>,
    pub proxy_name: String,
    pub signed_at: Option<i64>,
}

/// A paper sign-in sheet entered at once: everyone ticked came in person.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct SheetInput {
    pub resident_ids: Vec<i64>,
}

/// How many a sheet signed in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SheetResult {
    pub signed: u64,
}

/// Closing the sign-in, with the minutes so far.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct CloseInput {
    #[serde(default)]
    pub minutes: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Counts {
    entitled: i64,
    households: i64,
    present: i64,
    online: i64,
    proxies: i64,
    households_present: i64,
}

/// The last birthday on which someone is 18 on `day` (村委会组织法第十三、二十二条: villagers
/// aged 18 and over).
pub(crate) fn adult_on(day: chrono::NaiveDate) -> chrono::NaiveDate {
    day.checked_sub_months(chrono::Months::new(18 * 12))
        .unwrap_or(day)
}

fn closed() -> StoreError {
    StoreError::conflict(
        "meeting",
        "这次会议的签到已经结束",
        "this meeting's sign-in is closed",
    )
}

const ROLL_COLS: &str =
    "t.resident_id, t.household_id, t.household, t.name, t.votes, t.attended, t.proxy_by, \
    t.proxy_name, t.signed_at";

#[easy_ext::ext(RollStore)]
pub impl Db {
    /// Calls a meeting: records it with its roll by name, its sign-in open.
    async fn call_meeting(&self, scope: &Scope, input: &CallInput) -> Result<MeetingView> {
        let by = scope.acting()?;
        let h = Header::check(
            scope,
            input.kind,
            &input.division_code,
            &input.title,
            &input.place,
            input.notified_on.as_deref(),
            &input.held_on,
            "",
        )?;
        let village = &h.division.as_str()[..12];
        let from_registry = matches!(
            input.kind,
            MeetingKind::VillagersMeeting | MeetingKind::PartyMembersMeeting
        );
        let mut members = input.members.clone();
        members.sort_unstable();
        members.dedup();
        if from_registry && !members.is_empty() {
            return Err(StoreError::invalid(
                "members",
                format!(
                    "{}的名册由户籍和党员名册自动生成，无需选择",
                    input.kind.zh()
                ),
                "this meeting's roll comes from the registry; do not choose members",
            ));
        }
        if !from_registry && members.is_empty() {
            return Err(StoreError::invalid(
                "members",
                format!("请选择参加{}的人员", input.kind.zh()),
                "choose the members who should attend",
            ));
        }
        if members.len() > MOST_ON_ROLL {
            return Err(StoreError::invalid(
                "members",
                format!("名册最多{MOST_ON_ROLL}人"),
                format!("a roll holds at most {MOST_ON_ROLL} people"),
            ));
        }
        let mut committee = input.committee.clone();
        committee.sort_unstable();
        committee.dedup();
        if input.kind != MeetingKind::RepresentativesMeeting && !committee.is_empty() {
            return Err(StoreError::invalid(
                "committee",
                "只有村民代表会议需要标明村民委员会成员",
                "only a representatives' meeting marks the committee's members",
            ));
        }
        if let Some(c) = committee.iter().find(|c| members.binary_search(c).is_err()) {
            return Err(StoreError::invalid(
                "committee",
                format!("村民委员会成员（居民编号{c}）不在参加人员之中"),
                format!("committee member {c} is not among those who should attend"),
            ));
        }
        let county_id = h.county_id;
        let mut tx = self.begin().await?;
        let id = next_ids(&mut tx, county_id, "meeting", 1).await?;
        h.insert(
            &mut tx,
            id,
            &Roll::default(),
            (false, "签到尚未结束".into()),
            "called",
            by,
        )
        .await?;
        let mut q = Q::with(
            "INSERT INTO meeting_roll (county_id, meeting_id, resident_id, household_id, division_code, name, household, \
             votes, attended, proxy_by, proxy_name, signed_at, signed_by) \
             SELECT r.county_id, ?, r.id, r.household_id, r.division_code, r.name, h.number, ",
            vec![id.into()],
        );
        match input.kind {
            MeetingKind::PartyMembersMeeting => {
                q.push("CASE WHEN p.status = 'full' THEN ");
                q.push_args("? ELSE ? END", vec![Arg::Bool(true), Arg::Bool(false)]);
            }
            _ => {
                q.push_args("?", vec![Arg::Bool(true)]);
            }
        }
        q.push(
            ", '', NULL, '', NULL, NULL FROM residents r \
             JOIN households h ON h.county_id = r.county_id AND h.id = r.household_id ",
        );
        if input.kind == MeetingKind::PartyMembersMeeting {
            q.push("JOIN party_members p ON p.county_id = r.county_id AND p.resident_id = r.id ");
        }
        q.push_args(
            "WHERE r.county_id = ? AND r.division_code LIKE ? AND r.standing = 'present'",
            vec![county_id.into(), format!("{village}%").into()],
        );
        match input.kind {
            MeetingKind::VillagersMeeting => {
                let adult = adult_on(h.held);
                q.push_args(" AND r.birth_date <= ?", vec![Arg::Date(adult)]);
            }
            MeetingKind::PartyMembersMeeting => {}
            _ => {
                q.push(" AND r.id IN (");
                for (i, m) in members.iter().enumerate() {
                    q.push_args(if i == 0 { "?" } else { ", ?" }, vec![(*m).into()]);
                }
                q.push(")");
            }
        }
        let placed = tx.exec(&q).await?;
        if !from_registry && placed as usize != members.len() {
            return Err(StoreError::invalid(
                "members",
                format!(
                    "所选人员中有{}人不是本村在册居民",
                    members.len() - placed as usize
                ),
                format!(
                    "{} of the people chosen are not residents of the village",
                    members.len() - placed as usize
                ),
            ));
        }
        if placed == 0 {
            return Err(StoreError::invalid(
                "division_code",
                format!("本村没有应参加{}的人", input.kind.zh()),
                "nobody in the village should attend this meeting",
            ));
        }
        if input.kind == MeetingKind::RepresentativesMeeting {
            check_composition(&mut tx, county_id, id, village, placed, committee.len()).await?;
        }
        let counts = roll_counts(&mut tx, county_id, id).await?;
        tx.exec(&Q::with(
            "UPDATE meetings SET entitled = ?, households = ? WHERE county_id = ? AND id = ?",
            vec![
                counts.entitled.into(),
                counts.households.into(),
                county_id.into(),
                id.into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "call meeting",
            format!(
                "meeting {county_id}:{id}: {} with {placed} on the roll",
                input.kind.as_str()
            ),
        )
        .await?;
        tx.commit().await?;
        self.meeting(scope, county_id, id).await
    }

    /// A meeting's roll, by household.
    async fn meeting_roll(&self, scope: &Scope, county_id: i64, id: i64) -> Result<Vec<RollEntry>> {
        self.meeting(scope, county_id, id).await?;
        let mut q = Q::with(
            &format!(
                "SELECT {ROLL_COLS} FROM meeting_roll t WHERE t.county_id = ? AND t.meeting_id = ?"
            ),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &MEETING_ROLL, "t", "division_code");
        q.push(" ORDER BY t.household, t.resident_id");
        self.all(&q).await
    }

    /// Signs a person on the roll in (or out, with `absent`), while the sign-in is open.
    async fn sign_in(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        input: &SignInInput,
    ) -> Result<RollEntry> {
        let by = scope.acting()?;
        let m = self.meeting(scope, county_id, id).await?.meeting;
        if m.state != "called" {
            return Err(closed());
        }
        let kind = kind_of(&m)?;
        if matches!(input.how, Attendance::Online | Attendance::Proxy)
            && kind != MeetingKind::MembersAssembly
        {
            return Err(StoreError::invalid(
                "how",
                "只有集体经济组织成员大会可以在线参加或由同户家庭成员书面委托（集体经济组织法第二十七条）",
                "only the members' assembly counts online attendance and household proxies",
            ));
        }
        let entry = roll_entry(self, county_id, id, input.resident_id)
            .await?
            .ok_or_else(|| {
                StoreError::invalid(
                    "resident_id",
                    "此人不在这次会议的名册上",
                    "this person is not on the meeting's roll",
                )
            })?;
        let (proxy_by, proxy_name) = if input.how == Attendance::Proxy {
            let holder = input.proxy_by.ok_or_else(|| {
                StoreError::invalid(
                    "proxy_by",
                    "请选择持委托书的同户家庭成员",
                    "name the member of the household who holds the proxy",
                )
            })?;
            #[derive(sqlx::FromRow)]
            struct Holder {
                name: String,
            }
            let adult = adult_on(m.held_on);
            let found: Option<Holder> = self
                .optional(&Q::with(
                    "SELECT name FROM residents WHERE county_id = ? AND id = ? AND household_id = ? AND id <> ? \
                     AND standing = 'present' AND birth_date <= ?",
                    vec![
                        county_id.into(),
                        holder.into(),
                        entry.household_id.into(),
                        input.resident_id.into(),
                        Arg::Date(adult),
                    ],
                ))
                .await?;
            let found = found.ok_or_else(|| {
                StoreError::invalid(
                    "proxy_by",
                    "委托只能交给本户年满18周岁的其他家庭成员（集体经济组织法第二十七条）",
                    "a proxy may be given only to another adult member of the household",
                )
            })?;
            (Some(holder), found.name)
        } else {
            (None, String::new())
        };
        let signed = input.how != Attendance::Absent;
        let mut tx = self.begin().await?;
        let changed = tx
            .exec(&Q::with(
                "UPDATE meeting_roll SET attended = ?, proxy_by = ?, proxy_name = ?, signed_at = ?, signed_by = ? \
                 WHERE county_id = ? AND meeting_id = ? AND resident_id = ? AND EXISTS (SELECT 1 FROM meetings m \
                 WHERE m.county_id = ? AND m.id = ? AND m.state = 'called')",
                vec![
                    input.how.as_str().into(),
                    Arg::OptI64(proxy_by),
                    proxy_name.into(),
                    Arg::OptI64(signed.then(now_ms)),
                    Arg::OptI64(signed.then_some(by)),
                    county_id.into(),
                    id.into(),
                    input.resident_id.into(),
                    county_id.into(),
                    id.into(),
                ],
            ))
            .await?;
        if changed == 0 {
            return Err(closed());
        }
        tx.audit(
            scope.actor(),
            "sign in",
            format!(
                "meeting {county_id}:{id}: resident {} {}",
                input.resident_id,
                if signed { input.how.as_str() } else { "absent" }
            ),
        )
        .await?;
        tx.commit().await?;
        roll_entry(self, county_id, id, input.resident_id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Signs in, present in person, everyone of `residents` on the roll at once (a clerk
    /// entering the paper sheet); one statement, one audit entry. Anyone not on the roll is
    /// refused and nothing is signed.
    async fn sign_in_present(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        residents: &[i64],
    ) -> Result<u64> {
        let by = scope.acting()?;
        let m = self.meeting(scope, county_id, id).await?.meeting;
        if m.state != "called" {
            return Err(closed());
        }
        let mut wanted = residents.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        let mut signed = 0;
        for chunk in wanted.chunks(500) {
            let mut q = Q::with(
                "UPDATE meeting_roll SET attended = 'present', proxy_by = NULL, proxy_name = '', signed_at = ?, \
                 signed_by = ? WHERE county_id = ? AND meeting_id = ? AND EXISTS (SELECT 1 FROM meetings m \
                 WHERE m.county_id = ? AND m.id = ? AND m.state = 'called') AND resident_id IN (",
                vec![
                    now_ms().into(),
                    by.into(),
                    county_id.into(),
                    id.into(),
                    county_id.into(),
                    id.into(),
                ],
            );
            for (i, r) in chunk.iter().enumerate() {
                q.push_args(if i == 0 { "?" } else { ", ?" }, vec![(*r).into()]);
            }
            q.push(")");
            signed += tx.exec(&q).await?;
        }
        if signed as usize != wanted.len() {
            return Err(StoreError::invalid(
                "resident_id",
                format!("有{}人不在这次会议的名册上", wanted.len() - signed as usize),
                format!(
                    "{} of them are not on the meeting's roll",
                    wanted.len() - signed as usize
                ),
            ));
        }
        tx.audit(
            scope.actor(),
            "sign in",
            format!("meeting {county_id}:{id}: {signed} present from the paper sheet"),
        )
        .await?;
        tx.commit().await?;
        Ok(signed)
    }

    /// Closes the sign-in: counts the roll and judges the notice and the quorum.
    async fn close_sign_in(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
        input: &CloseInput,
    ) -> Result<MeetingView> {
        scope.acting()?;
        let m = self.meeting(scope, county_id, id).await?.meeting;
        let kind = kind_of(&m)?;
        let minutes = input.minutes.clone().unwrap_or(m.minutes.clone());
        let h = Header::check(
            scope,
            kind,
            &m.division_code,
            &m.title,
            &m.place,
            m.notified_on.map(|d| d.to_string()).as_deref(),
            &m.held_on.to_string(),
            &minutes,
        )?;
        let mut tx = self.begin().await?;
        let changed = tx
            .exec(&Q::with(
                "UPDATE meetings SET state = 'held' WHERE county_id = ? AND id = ? AND state = 'called'",
                vec![county_id.into(), id.into()],
            ))
            .await?;
        if changed == 0 {
            return Err(closed());
        }
        let c = roll_counts(&mut tx, county_id, id).await?;
        let roll = Roll {
            entitled: c.entitled as u32,
            households: c.households as u32,
            present: c.present as u32,
            online: c.online as u32,
            proxies: c.proxies as u32,
            households_present: c.households_present as u32,
        };
        let (met, reason) = h.judge(&roll);
        tx.exec(&Q::with(
            "UPDATE meetings SET entitled = ?, households = ?, present = ?, online = ?, proxies = ?, \
             households_present = ?, quorum_met = ?, quorum_reason = ?, minutes = ? WHERE county_id = ? AND id = ?",
            vec![
                c.entitled.into(),
                c.households.into(),
                c.present.into(),
                c.online.into(),
                c.proxies.into(),
                c.households_present.into(),
                Arg::Bool(met),
                reason.into(),
                h.minutes.into(),
                county_id.into(),
                id.into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "close sign-in",
            format!(
                "meeting {county_id}:{id}: {} of {} present, quorum {met}",
                roll.attending(),
                roll.entitled
            ),
        )
        .await?;
        tx.commit().await?;
        self.meeting(scope, county_id, id).await
    }
}

#[easy_ext::ext(RollNames)]
pub impl Db {
    /// For a members' assembly: each household on the roll with its adults (18 and over on the
    /// meeting's day) who may hold a proxy for another member of the household.
    async fn proxy_holders(
        &self,
        scope: &Scope,
        county_id: i64,
        id: i64,
    ) -> Result<std::collections::HashMap<i64, Vec<(i64, String)>>> {
        let m = self.meeting(scope, county_id, id).await?.meeting;
        let adult = adult_on(m.held_on);
        let rows: Vec<(i64, i64, String)> = self
            .all(&Q::with(
                "SELECT r.household_id, r.id, r.name FROM residents r WHERE r.county_id = ? AND r.standing = 'present' \
                 AND r.birth_date <= ? AND r.household_id IN (SELECT household_id FROM meeting_roll \
                 WHERE county_id = ? AND meeting_id = ?) ORDER BY r.household_id, r.id",
                vec![county_id.into(), Arg::Date(adult), county_id.into(), id.into()],
            ))
            .await?;
        let mut out: std::collections::HashMap<i64, Vec<(i64, String)>> = Default::default();
        for (household, resident, name) in rows {
            out.entry(household).or_default().push((resident, name));
        }
        Ok(out)
    }

    /// The residents of `village` named one per line (or separated by commas), for a meeting's
    /// chosen roll; a name not found, or found twice, is refused by its line.
    async fn residents_named(&self, scope: &Scope, village: &str, names: &str) -> Result<Vec<i64>> {
        let mut out = Vec::new();
        let mut faults = Vec::new();
        let wanted: Vec<&str> = names
            .split(['\n', ',', '，', '、'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect();
        if wanted.len() > MOST_ON_ROLL {
            return Err(StoreError::invalid(
                "members",
                format!("名册最多{MOST_ON_ROLL}人"),
                format!("a roll holds at most {MOST_ON_ROLL} people"),
            ));
        }
        for (n, name) in wanted.iter().enumerate() {
            let mut q = Q::with(
                "SELECT t.id FROM residents t WHERE t.county_id = ? AND t.division_code LIKE ? AND t.name = ? \
                 AND t.standing = 'present'",
                vec![
                    village.get(..6).and_then(|c| c.parse::<i64>().ok()).unwrap_or_default().into(),
                    format!("{village}%").into(),
                    (*name).into(),
                ],
            );
            scope.filter(
                &mut q,
                &xiangzhi_registry::tables::RESIDENTS,
                "t",
                "division_code",
            );
            q.push(" LIMIT 2");
            let found: Vec<(i64,)> = self.all(&q).await?;
            match found.as_slice() {
                [(id,)] => out.push(*id),
                [] => faults.push(xiangzhi_storage::FieldError::new(
                    "members",
                    xiangzhi_domain::Invalid::new(
                        format!("第{}个：本村没有叫“{name}”的在册居民", n + 1),
                        format!(
                            "name {}: no resident of the village is called {name}",
                            n + 1
                        ),
                    ),
                )),
                _ => faults.push(xiangzhi_storage::FieldError::new(
                    "members",
                    xiangzhi_domain::Invalid::new(
                        format!(
                            "第{}个：本村有不止一位“{name}”，请在会议接口中按人员编号选择",
                            n + 1
                        ),
                        format!(
                            "name {}: more than one resident is called {name}; choose by id",
                            n + 1
                        ),
                    ),
                )),
            }
        }
        if !faults.is_empty() {
            return Err(StoreError::Invalid(faults));
        }
        Ok(out)
    }
}

/// One line of a roll (the caller's reach is checked by the caller).
async fn roll_entry(db: &Db, county_id: i64, id: i64, resident: i64) -> Result<Option<RollEntry>> {
    db.optional(&Q::with(
        &format!(
            "SELECT {ROLL_COLS} FROM meeting_roll t WHERE t.county_id = ? AND t.meeting_id = ? AND t.resident_id = ?"
        ),
        vec![county_id.into(), id.into(), resident.into()],
    ))
    .await
}

/// A representatives' meeting's make-up against 村委会组织法第二十五条: the roll's women from
/// the registry, the village's households from the registry, the representatives those on the
/// roll who are not committee members. Every way it falls short is refused at once, in words.
async fn check_composition(
    tx: &mut xiangzhi_storage::Tx,
    county_id: i64,
    id: i64,
    village: &str,
    on_roll: u64,
    committee: usize,
) -> Result<()> {
    let (women,): (i64,) = tx
        .one(&Q::with(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM meeting_roll m JOIN residents r \
             ON r.county_id = m.county_id AND r.id = m.resident_id \
             WHERE m.county_id = ? AND m.meeting_id = ? AND r.gender = 'female'",
            vec![county_id.into(), id.into()],
        ))
        .await?;
    let (households,): (i64,) = tx
        .one(&Q::with(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM households WHERE county_id = ? AND division_code LIKE ?",
            vec![county_id.into(), format!("{village}%").into()],
        ))
        .await?;
    let members = u32::try_from(on_roll).unwrap_or(u32::MAX);
    let faults = crate::rules::meetings::composition_faults(
        members,
        members.saturating_sub(u32::try_from(committee).unwrap_or(u32::MAX)),
        u32::try_from(women).unwrap_or(0),
        u32::try_from(households).unwrap_or(0),
    );
    if faults.is_empty() {
        return Ok(());
    }
    let zh: Vec<&str> = faults.iter().map(|f| f.zh.as_str()).collect();
    let en: Vec<&str> = faults.iter().map(|f| f.en.as_str()).collect();
    Err(StoreError::invalid(
        "members",
        format!(
            "村民代表会议的组成不符合村委会组织法第二十五条：{}",
            zh.join("；")
        ),
        format!(
            "the representatives' meeting is not composed as Art 25 requires: {}",
            en.join("; ")
        ),
    ))
}

/// The roll counted: who votes, their households, and who of them attended and how; the
/// households represented by anyone present (村委会组织法第二十二条's 户的代表).
async fn roll_counts(tx: &mut xiangzhi_storage::Tx, county_id: i64, id: i64) -> Result<Counts> {
    tx.one(&Q::with(
        "SELECT \
         CAST(COALESCE(SUM(CASE WHEN votes = ? THEN 1 ELSE 0 END), 0) AS BIGINT) AS entitled, \
         CAST(COUNT(DISTINCT household_id) AS BIGINT) AS households, \
         CAST(COALESCE(SUM(CASE WHEN votes = ? AND attended = 'present' THEN 1 ELSE 0 END), 0) AS BIGINT) AS present, \
         CAST(COALESCE(SUM(CASE WHEN votes = ? AND attended = 'online' THEN 1 ELSE 0 END), 0) AS BIGINT) AS online, \
         CAST(COALESCE(SUM(CASE WHEN votes = ? AND attended = 'proxy' THEN 1 ELSE 0 END), 0) AS BIGINT) AS proxies, \
         CAST(COUNT(DISTINCT CASE WHEN attended = 'present' THEN household_id END) AS BIGINT) AS households_present \
         FROM meeting_roll WHERE county_id = ? AND meeting_id = ?",
        vec![
            Arg::Bool(true),
            Arg::Bool(true),
            Arg::Bool(true),
            Arg::Bool(true),
            county_id.into(),
            id.into(),
        ],
    ))
    .await
}
