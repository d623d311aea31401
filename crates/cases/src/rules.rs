//! The closed loop of a case (诉求、事件、矛盾纠纷): one state machine, pure, for every way a case
//! moves — reported → accepted → assigned → in progress → resolved → confirmed → closed, with
//! returned, transferred, escalated, reopened, extensions, merging and the honest "closed
//! unresolved" — and the clocks that drive escalation (the Petition Work Regulations' limits by
//! default, configurable per county).
//!
//! Storage keeps the case's [`CaseStatus`] and its timeline; every change goes through
//! [`CaseStatus::apply`], which says whether the step is allowed, for whom, and what follows.

use serde::{Deserialize, Serialize};
use xiangzhi_domain::Invalid;

xiangzhi_domain::vocabulary!(
    /// Where a case stands.
    CaseState, "办理状态", "case state" {
        /// 已上报: reported, not yet looked at
        Reported = "reported" / "已上报",
        /// 已受理
        Accepted = "accepted" / "已受理",
        /// 已派单
        Assigned = "assigned" / "已派单",
        /// 办理中
        InProgress = "in_progress" / "办理中",
        /// 已办结, waiting for the resident
        Resolved = "resolved" / "已办结",
        /// 群众已确认
        Confirmed = "confirmed" / "群众已确认",
        /// 已关闭
        Closed = "closed" / "已关闭",
        /// 已退回: the handler sent it back to the dispatcher
        Returned = "returned" / "已退回",
        /// 未解决关闭: closed honestly without a solution
        ClosedUnresolved = "closed_unresolved" / "未解决关闭",
        /// 已合并: a duplicate, merged into another case
        Merged = "merged" / "已合并",
    }
);

xiangzhi_domain::vocabulary!(
    /// The level that should settle a case (小事不出村、大事不出乡).
    CaseLevel, "办理层级", "case level" {
        /// 微网格
        MicroGrid = "micro_grid" / "微网格",
        /// 网格
        Grid = "grid" / "网格",
        /// 村（社区）
        Village = "village" / "村（社区）",
        /// 乡镇
        Township = "township" / "乡镇",
        /// 县直部门
        County = "county" / "县直部门",
    }
);

xiangzhi_domain::vocabulary!(
    /// Who brought the case in.
    ReporterKind, "来源", "reporter" {
        /// 群众本人
        Resident = "resident" / "群众本人",
        /// 网格员走访
        GridWorker = "grid_worker" / "网格员",
        /// 党员
        PartyMember = "party_member" / "党员",
        /// 热线转办 (12345)
        Hotline = "hotline" / "热线转办",
        /// 村民微信群
        OnlineGroup = "online_group" / "网上群组",
    }
);

xiangzhi_domain::vocabulary!(
    /// How pressing a case is.
    Urgency, "紧急程度", "urgency" {
        /// 一般
        Normal = "normal" / "一般",
        /// 紧急
        Urgent = "urgent" / "紧急",
        /// 特急 (safety, life)
        Critical = "critical" / "特急",
    }
);

impl Extension {
    pub fn as_str(self) -> &'static str {
        match self {
            Extension::None => "none",
            Extension::Requested => "requested",
            Extension::Granted => "granted",
            Extension::Denied => "denied",
        }
    }
}

impl TryFrom<String> for Extension {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        match s.as_str() {
            "none" => Ok(Extension::None),
            "requested" => Ok(Extension::Requested),
            "granted" => Ok(Extension::Granted),
            "denied" => Ok(Extension::Denied),
            _ => Err(Invalid::new(
                format!("延期状态“{s}”无效"),
                format!("extension state '{s}' is not valid"),
            )),
        }
    }
}

impl CaseLevel {
    /// The division whose accounts work at this level for a case filed in `division`: the county,
    /// the township or the village above it, or the division itself at grid level and below (or
    /// when the case was filed higher up than this level).
    pub fn office(self, division: &xiangzhi_domain::DivisionCode) -> xiangzhi_domain::DivisionCode {
        use xiangzhi_domain::DivisionLevel;
        let target = match self {
            CaseLevel::County => DivisionLevel::County,
            CaseLevel::Township => DivisionLevel::Township,
            CaseLevel::Village => DivisionLevel::Village,
            CaseLevel::Grid | CaseLevel::MicroGrid => DivisionLevel::Group,
        };
        let mut d = division.clone();
        while d.level() > target {
            match d.implied_parent() {
                Some(p) => d = p,
                None => break,
            }
        }
        d
    }

    /// One level up; `None` at the county.
    pub fn up(self) -> Option<CaseLevel> {
        match self {
            CaseLevel::MicroGrid => Some(CaseLevel::Grid),
            CaseLevel::Grid => Some(CaseLevel::Village),
            CaseLevel::Village => Some(CaseLevel::Township),
            CaseLevel::Township => Some(CaseLevel::County),
            CaseLevel::County => None,
        }
    }
}

/// Who takes a step. The storage layer maps an account (and the resident's own confirmation link)
/// to one of these; the machine decides what each may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The resident who reported (or the reporter on their behalf).
    Resident,
    /// The person the case is assigned to.
    Handler,
    /// Whoever dispatches at the case's level (grid leader, village secretary, township centre).
    Dispatcher,
    /// An officer of a higher level (督办, extensions, manual escalation).
    Superior,
    /// The clock: automatic escalation and confirmation.
    System,
    /// A staff member recording the resident's answer, got by phone or on a visit (代为确认): its
    /// rating is kept apart from the residents' own.
    Proxy,
}

/// A step in a case's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Accept,
    /// Send to the person who must handle it.
    Assign {
        handler: i64,
    },
    Start,
    /// The handler sends it back (not theirs, not enough information).
    Return,
    /// To another handler at the same level.
    Transfer {
        handler: i64,
    },
    /// One level up (by a superior, or by the clock when a deadline passes).
    Escalate,
    RequestExtension,
    GrantExtension,
    DenyExtension,
    Resolve,
    /// The resident confirms, rating 1–5 (the clock confirms after the quiet period, unrated).
    Confirm {
        rating: Option<u8>,
    },
    Close,
    /// The resident (within the reopen window) or a superior.
    Reopen,
    CloseUnresolved,
    /// A duplicate: merged into another case.
    Merge {
        into: i64,
    },
    /// 督办: a higher level flags the case for supervision.
    Supervise,
}

impl Action {
    /// One step of every kind, with `handler` for assign and transfer, `into` for merge, and a
    /// rating of 5 for confirm: for trying every step against a case.
    pub fn every(handler: i64, into: i64) -> [Action; 16] {
        [
            Action::Accept,
            Action::Assign { handler },
            Action::Start,
            Action::Return,
            Action::Transfer { handler },
            Action::Escalate,
            Action::RequestExtension,
            Action::GrantExtension,
            Action::DenyExtension,
            Action::Resolve,
            Action::Confirm { rating: Some(5) },
            Action::Close,
            Action::Reopen,
            Action::CloseUnresolved,
            Action::Merge { into },
            Action::Supervise,
        ]
    }

    pub fn name(&self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Assign { .. } => "assign",
            Action::Start => "start",
            Action::Return => "return",
            Action::Transfer { .. } => "transfer",
            Action::Escalate => "escalate",
            Action::RequestExtension => "request_extension",
            Action::GrantExtension => "grant_extension",
            Action::DenyExtension => "deny_extension",
            Action::Resolve => "resolve",
            Action::Confirm { .. } => "confirm",
            Action::Close => "close",
            Action::Reopen => "reopen",
            Action::CloseUnresolved => "close_unresolved",
            Action::Merge { .. } => "merge",
            Action::Supervise => "supervise",
        }
    }
    pub fn zh(&self) -> &'static str {
        match self {
            Action::Accept => "受理",
            Action::Assign { .. } => "派单",
            Action::Start => "开始办理",
            Action::Return => "退回",
            Action::Transfer { .. } => "转办",
            Action::Escalate => "上报上级",
            Action::RequestExtension => "申请延期",
            Action::GrantExtension => "批准延期",
            Action::DenyExtension => "不予延期",
            Action::Resolve => "办结",
            Action::Confirm { .. } => "确认",
            Action::Close => "关闭",
            Action::Reopen => "重新办理",
            Action::CloseUnresolved => "未解决关闭",
            Action::Merge { .. } => "合并",
            Action::Supervise => "督办",
        }
    }
}

/// The clocks, per county. Defaults follow the issue and the Petition Work Regulations (信访工作条例
/// 第三十四条: 60 days, extendable once by at most 30).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Deadlines {
    /// A reported case must be accepted within this many hours.
    pub accept_hours: i64,
    /// Days to resolve, by level: micro-grid, grid, village, township, county.
    pub resolve_days: [i64; 5],
    /// Days one extension adds (granted at most once per case).
    pub extension_days: i64,
    /// A resolved case with no answer from the resident counts as confirmed after this many days.
    pub confirm_days: i64,
    /// The resident may reopen within this many days of resolution.
    pub reopen_days: i64,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            accept_hours: 24,
            resolve_days: [3, 3, 3, 15, 60],
            extension_days: 30,
            confirm_days: 7,
            reopen_days: 30,
        }
    }
}

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

impl Deadlines {
    pub fn resolve_ms(&self, level: CaseLevel) -> i64 {
        let i = CaseLevel::ALL.iter().position(|l| *l == level).unwrap_or(4);
        self.resolve_days[i] * DAY
    }
}

/// Whether an extension has been asked for or given (once per case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Extension {
    #[default]
    None,
    Requested,
    Granted,
    Denied,
}

/// What the machine needs to know of a case. Times are milliseconds since the epoch (UTC).
impl CaseState {
    /// Still being worked on: its deadline runs toward settlement, so it can be overdue (the SQL
    /// form of the same set is `store::queries::SETTLED`, its complement).
    pub fn in_hand(self) -> bool {
        use CaseState::*;
        matches!(self, Reported | Accepted | Assigned | InProgress | Returned)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseStatus {
    pub state: CaseState,
    pub level: CaseLevel,
    pub handler: Option<i64>,
    pub extension: Extension,
    pub supervised: bool,
    pub reopened: u32,
    /// When the current deadline falls, if a clock is running.
    pub due_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub merged_into: Option<i64>,
}

impl CaseStatus {
    /// A case just reported at `level`: it must be accepted within the acceptance window.
    pub fn new(level: CaseLevel, now: i64, d: &Deadlines) -> CaseStatus {
        CaseStatus {
            state: CaseState::Reported,
            level,
            handler: None,
            extension: Extension::None,
            supervised: false,
            reopened: 0,
            due_at: Some(now + d.accept_hours * HOUR),
            resolved_at: None,
            merged_into: None,
        }
    }

    pub fn is_open(&self) -> bool {
        !matches!(
            self.state,
            CaseState::Closed | CaseState::ClosedUnresolved | CaseState::Merged
        )
    }

    /// Takes one step, or says in both languages why it cannot be taken.
    pub fn apply(
        &self,
        action: &Action,
        actor: Actor,
        now: i64,
        d: &Deadlines,
    ) -> Result<CaseStatus, Invalid> {
        use Actor::*;
        use CaseState::*;
        let s = self.state;
        let refuse = || {
            Invalid::new(
                format!("“{}”状态的事项不能{}", s.zh(), action.zh()),
                format!(
                    "a case that is {} cannot be given '{}'",
                    s.as_str().replace('_', " "),
                    action.name()
                ),
            )
        };
        let not_yours = || {
            Invalid::new(
                format!("{}无权进行“{}”", actor_zh(actor), action.zh()),
                format!(
                    "{} may not {}",
                    actor_en(actor),
                    action.name().replace('_', " ")
                ),
            )
        };
        let may = |allowed: &[Actor]| {
            if allowed.contains(&actor) {
                Ok(())
            } else {
                Err(not_yours())
            }
        };
        let resolve_clock = |level: CaseLevel| Some(now + d.resolve_ms(level));
        let mut n = self.clone();
        match action {
            Action::Accept => {
                may(&[Dispatcher, Superior])?;
                if s != Reported {
                    return Err(refuse());
                }
                n.state = Accepted;
                n.due_at = resolve_clock(self.level);
            }
            Action::Assign { handler } => {
                may(&[Dispatcher, Superior])?;
                if !matches!(s, Accepted | Returned) {
                    return Err(refuse());
                }
                n.state = Assigned;
                n.handler = Some(*handler);
            }
            Action::Start => {
                may(&[Handler])?;
                if s != Assigned {
                    return Err(refuse());
                }
                n.state = InProgress;
            }
            Action::Return => {
                may(&[Handler])?;
                if !matches!(s, Assigned | InProgress) {
                    return Err(refuse());
                }
                n.state = Returned;
                n.handler = None;
            }
            Action::Transfer { handler } => {
                may(&[Dispatcher, Superior])?;
                if !matches!(s, Assigned | InProgress) {
                    return Err(refuse());
                }
                if self.handler == Some(*handler) {
                    return Err(Invalid::new(
                        "已由此人办理，无需转办",
                        "the case is already with this handler",
                    ));
                }
                n.state = Assigned;
                n.handler = Some(*handler);
            }
            Action::Escalate => {
                may(&[Dispatcher, Superior, System])?;
                if !matches!(s, Reported | Accepted | Assigned | InProgress | Returned) {
                    return Err(refuse());
                }
                let Some(up) = self.level.up() else {
                    return Err(Invalid::new(
                        "已在县级，无法再上报",
                        "the case is already at the county level",
                    ));
                };
                // The next level accepts it afresh, on its own clock.
                n.level = up;
                n.state = Accepted;
                n.handler = None;
                n.extension = Extension::None;
                n.due_at = resolve_clock(up);
            }
            Action::RequestExtension => {
                may(&[Handler])?;
                if s != InProgress {
                    return Err(refuse());
                }
                if self.extension != Extension::None {
                    return Err(Invalid::new(
                        "每件事项只能申请一次延期",
                        "an extension can be asked for only once per case",
                    ));
                }
                n.extension = Extension::Requested;
            }
            Action::GrantExtension | Action::DenyExtension => {
                may(&[Superior])?;
                if s != InProgress || self.extension != Extension::Requested {
                    return Err(Invalid::new(
                        "没有待审批的延期申请",
                        "there is no extension request to decide",
                    ));
                }
                if matches!(action, Action::GrantExtension) {
                    n.extension = Extension::Granted;
                    n.due_at = Some(self.due_at.unwrap_or(now) + d.extension_days * DAY);
                } else {
                    n.extension = Extension::Denied;
                }
            }
            Action::Resolve => {
                may(&[Handler])?;
                if s != InProgress {
                    return Err(refuse());
                }
                n.state = Resolved;
                n.resolved_at = Some(now);
                n.due_at = Some(now + d.confirm_days * DAY);
            }
            Action::Confirm { rating } => {
                may(&[Resident, Proxy, System])?;
                if s != Resolved {
                    return Err(refuse());
                }
                match (actor, rating) {
                    (Resident | Proxy, Some(r)) if (1..=5).contains(r) => {}
                    (Resident | Proxy, _) => {
                        return Err(Invalid::new(
                            "满意度评分应为1到5",
                            "the rating must be 1 to 5",
                        ))
                    }
                    (_, Some(_)) => {
                        return Err(Invalid::new(
                            "只有群众本人可以评分",
                            "only the resident can rate",
                        ))
                    }
                    _ => {}
                }
                n.state = Confirmed;
                n.due_at = None;
            }
            Action::Close => {
                may(&[Dispatcher, Superior, System])?;
                if s != Confirmed {
                    return Err(refuse());
                }
                n.state = Closed;
                n.due_at = None;
            }
            Action::Reopen => {
                may(&[Resident, Proxy, Superior])?;
                if !matches!(s, Resolved | Confirmed | Closed) {
                    return Err(refuse());
                }
                let window_end = self.resolved_at.unwrap_or(now) + d.reopen_days * DAY;
                if matches!(actor, Resident | Proxy) && now > window_end {
                    return Err(Invalid::new(
                        format!("办结已超过{}天，不能再申请重新办理", d.reopen_days),
                        format!(
                            "more than {} days have passed since resolution; the case cannot be reopened",
                            d.reopen_days
                        ),
                    ));
                }
                // Back to whoever handled it, on a fresh clock.
                n.state = if self.handler.is_some() {
                    Assigned
                } else {
                    Accepted
                };
                n.reopened += 1;
                n.resolved_at = None;
                n.due_at = resolve_clock(self.level);
            }
            Action::CloseUnresolved => {
                may(&[Dispatcher, Superior])?;
                if !matches!(s, Accepted | Assigned | InProgress | Returned) {
                    return Err(refuse());
                }
                n.state = ClosedUnresolved;
                n.due_at = None;
            }
            Action::Merge { into } => {
                may(&[Dispatcher, Superior])?;
                if !matches!(s, Reported | Accepted) {
                    return Err(refuse());
                }
                n.state = Merged;
                n.merged_into = Some(*into);
                n.due_at = None;
            }
            Action::Supervise => {
                may(&[Superior])?;
                if !self.is_open() {
                    return Err(refuse());
                }
                if self.supervised {
                    return Err(Invalid::new("已在督办中", "the case is already supervised"));
                }
                n.supervised = true;
            }
        }
        Ok(n)
    }

    /// What the clock does at `now`, if anything: escalate an overdue case one level, or confirm
    /// a resolved case the resident left unanswered. An overdue county case has nowhere to go: it
    /// stays overdue (and shows on the overdue list).
    pub fn due_action(&self, now: i64) -> Option<Action> {
        let due = self.due_at?;
        if now < due {
            return None;
        }
        match self.state {
            CaseState::Resolved => Some(Action::Confirm { rating: None }),
            CaseState::Reported
            | CaseState::Accepted
            | CaseState::Assigned
            | CaseState::InProgress
            | CaseState::Returned
                if self.level.up().is_some() =>
            {
                Some(Action::Escalate)
            }
            _ => None,
        }
    }
}

fn actor_zh(a: Actor) -> &'static str {
    match a {
        Actor::Resident => "群众",
        Actor::Handler => "承办人",
        Actor::Dispatcher => "派单人",
        Actor::Superior => "上级",
        Actor::System => "系统",
        Actor::Proxy => "代为确认的工作人员",
    }
}

fn actor_en(a: Actor) -> &'static str {
    match a {
        Actor::Resident => "the resident",
        Actor::Handler => "the handler",
        Actor::Dispatcher => "the dispatcher",
        Actor::Superior => "a superior",
        Actor::System => "the system",
        Actor::Proxy => "staff on the resident's behalf",
    }
}

#[cfg(test)]
mod tests;
