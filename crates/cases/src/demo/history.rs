//! A year of the demo county's cases, drawn from a seed and lived through the closed loop's own
//! state machine: each case is reported, accepted, assigned, handled, resolved, confirmed and
//! closed by the accounts that work at its level, at plausible times, until the day the demo is
//! built — so the younger ones are still open, a few are overdue (and the clock escalated them),
//! some were reopened, extended, supervised or closed unresolved. Pure: no I/O.

use crate::rules::{Action, Actor, CaseLevel, CaseState, CaseStatus, Deadlines, ReporterKind};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xiangzhi_domain::{DivisionCode, DivisionLevel};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// A place a case can be filed at.
#[derive(Debug, Clone)]
pub struct Spot {
    /// A village or a group.
    pub division: String,
    /// A micro-grid of the group, if the case is tied to one.
    pub grid: Option<i64>,
    /// The village's name, for the description.
    pub village: String,
}

/// An account that works on cases: its id, the level it works at and where.
#[derive(Debug, Clone)]
pub struct Worker {
    pub id: i64,
    pub level: CaseLevel,
    pub division: String,
}

/// What the history is drawn from.
#[derive(Debug, Clone)]
pub struct Setting {
    pub seed: u64,
    /// The instant the history ends (the demo's "now").
    pub now: i64,
    pub days: i64,
    pub cases: usize,
    pub spots: Vec<Spot>,
    /// (code, level, is_dispute) of each category.
    pub categories: Vec<(String, CaseLevel, bool)>,
    pub workers: Vec<Worker>,
    pub deadlines: Deadlines,
}

/// One step of a drawn case.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub at: i64,
    pub user: Option<i64>,
    pub actor: Actor,
    pub action: &'static str,
    pub from: Option<CaseState>,
    pub to: CaseState,
    pub level: CaseLevel,
    pub handler: Option<i64>,
    pub note: String,
    pub public: bool,
}

/// One drawn case: what was reported, where it stands, and how it got there.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    pub category: String,
    pub description: String,
    pub division: String,
    pub grid: Option<i64>,
    pub urgency: &'static str,
    pub reporter_kind: ReporterKind,
    pub reporter_name: Option<String>,
    pub created_at: i64,
    pub status: CaseStatus,
    pub rating: Option<i64>,
    pub proxy_rating: Option<i64>,
    pub auto_escalations: i64,
    pub steps: Vec<Step>,
}

impl Drawn {
    pub fn updated_at(&self) -> i64 {
        self.steps.last().map_or(self.created_at, |s| s.at)
    }
}

/// What residents report, per category: `{v}` is the village.
fn describe(rng: &mut ChaCha8Rng, category: &str, village: &str) -> String {
    let texts: &[&str] = match category {
        "neighbour" => &[
            "{v}两户村民因宅基地边界的院墙发生争执，请求调解",
            "{v}村民反映邻居家的排水沟把雨水引到自家院里",
            "{v}两户因门前堆放柴草占道起了口角",
        ],
        "family" => &[
            "{v}一户老人反映子女不履行赡养义务",
            "{v}一对夫妻因家务矛盾多次争吵，亲属请求村里调解",
        ],
        "land" => &[
            "{v}两个村民小组对一块承包地的界址有争议",
            "{v}村民反映自家承包的林地被邻户砍伐",
            "{v}土地流转合同到期后租金支付发生分歧",
        ],
        "wages" => &[
            "{v}几名村民在镇上工地务工，工程结束后工资迟迟未付",
            "{v}村民反映为养殖场打工的三个月工钱被拖欠",
        ],
        "sanitation" => &[
            "{v}村口垃圾收集点已满，好几天没人清运",
            "{v}村道旁有人倾倒建筑垃圾",
            "{v}河沟里漂浮生活垃圾，有异味",
        ],
        "road" => &[
            "{v}通往自然村的水泥路有一段塌陷，车辆无法通过",
            "{v}村道路灯不亮，晚上出行不安全",
            "{v}过河的小桥栏杆松动，存在隐患",
            "{v}雨后山路被落石堵住",
        ],
        "water" => &[
            "{v}自来水停了两天，老人用水困难",
            "{v}蓄水池水质浑浊，村民担心饮水安全",
            "{v}入户水管冻裂漏水",
        ],
        "hazard" => &[
            "{v}一处窑洞民房出现裂缝，住户仍在居住",
            "{v}山坡有松动的危岩，下方有民房",
            "{v}村里变压器旁堆放易燃柴草",
        ],
        "assistance" => &[
            "{v}一户村民因病致贫，询问临时救助如何申请",
            "{v}独居老人冬季取暖困难，请求帮扶",
        ],
        "policy" => &[
            "{v}村民询问城乡居民养老保险补缴政策",
            "{v}村民咨询耕地地力保护补贴的发放时间",
        ],
        _ => &["{v}村民反映的问题"],
    };
    texts[rng.random_range(0..texts.len())].replace("{v}", village)
}

/// What the handler wrote on resolving, per category (shown to the resident).
fn resolution(rng: &mut ChaCha8Rng, category: &str) -> &'static str {
    let texts: &[&str] = match category {
        "neighbour" | "family" | "land" => &[
            "已组织双方当面调解，达成一致意见并签字确认",
            "经村调解委员会调解，双方握手言和，约定互不占用",
        ],
        "wages" => &["经镇劳动保障所协调，欠付工资已全部结清"],
        "sanitation" => &[
            "已安排保洁员清运，并增加了清运次数",
            "已清理完毕，并在路口设置了禁止倾倒的提示牌",
        ],
        "road" => &[
            "已安排维修，路面已修补，恢复通行",
            "已更换灯具，路灯恢复照明",
            "已加固栏杆并设置警示标志",
        ],
        "water" => &[
            "水管已抢修完毕，恢复供水",
            "已清洗蓄水池并送检水样，水质合格",
        ],
        "hazard" => &[
            "已动员住户搬离，落实过渡安置，隐患点设置警戒",
            "已清除危岩并设置警示牌",
        ],
        "assistance" => &["已帮助提交临时救助申请，救助金已发放"],
        "policy" => &["已电话解答并送去政策明白纸"],
        _ => &["已办理完毕"],
    };
    texts[rng.random_range(0..texts.len())]
}

/// How the history's accounts share the work.
struct Staff<'a> {
    workers: &'a [Worker],
}

impl Staff<'_> {
    /// The account that works at `level` for a case in `division`: the one whose own division is
    /// the office of that level (the most specific, a grid worker for a grid case in their group);
    /// failing that, the nearest one above.
    fn at(&self, level: CaseLevel, division: &str) -> Option<i64> {
        let mut l = Some(level);
        while let Some(lv) = l {
            let found = self
                .workers
                .iter()
                .filter(|w| w.level == lv && covers(&w.division, division))
                .max_by_key(|w| w.division.len())
                .map(|w| w.id);
            if found.is_some() {
                return found;
            }
            l = lv.up();
        }
        None
    }
    /// The account above `level` (who grants extensions, supervises, reopens).
    fn above(&self, level: CaseLevel, division: &str) -> Option<i64> {
        self.at(level.up().unwrap_or(CaseLevel::County), division)
    }
}

/// Whether an account's division reaches `code`: a grid worker's group, a village, a township.
fn covers(account: &str, code: &str) -> bool {
    DivisionCode::parse(account).is_ok_and(|d| code.starts_with(d.prefix()))
}

/// One case being lived through.
struct Life<'a> {
    d: &'a Deadlines,
    now: i64,
    status: CaseStatus,
    t: i64,
    steps: Vec<Step>,
    auto: i64,
}

impl Life<'_> {
    /// Lets the clock act if the case fell due before `at` (and before the demo's now): an
    /// overdue case goes up a level, an unanswered resolution counts as confirmed. Answers
    /// whether it acted.
    fn clock(&mut self, at: i64) -> bool {
        let Some(due) = self.status.due_at else {
            return false;
        };
        if due > at || due > self.now {
            return false;
        }
        let Some(action) = self.status.due_action(due) else {
            return false;
        };
        let note = match action {
            Action::Escalate => "超过办理期限，系统自动上报上一级",
            _ => "群众7日内未答复，视为确认",
        };
        if matches!(action, Action::Escalate) {
            self.auto += 1;
        }
        self.take(action, Actor::System, None, due, note, true)
    }

    /// Takes a step at `at` if the state machine allows it; answers whether it did.
    fn take(
        &mut self,
        action: Action,
        actor: Actor,
        user: Option<i64>,
        at: i64,
        note: &str,
        public: bool,
    ) -> bool {
        let Ok(next) = self.status.apply(&action, actor, at, self.d) else {
            return false;
        };
        self.steps.push(Step {
            at,
            user,
            actor,
            action: action.name(),
            from: Some(self.status.state),
            to: next.state,
            level: next.level,
            handler: next.handler,
            note: note.to_string(),
            public,
        });
        self.status = next;
        self.t = at;
        true
    }
}

fn hours(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> i64 {
    (rng.random_range(lo..hi) * HOUR as f64) as i64
}

/// Draws the history: `setting.cases` cases over `setting.days` days up to `setting.now`, the
/// same for the same setting.
pub fn draw(setting: &Setting) -> Vec<Drawn> {
    let mut rng = ChaCha8Rng::seed_from_u64(setting.seed ^ 0x5eed_ca5e);
    let staff = Staff {
        workers: &setting.workers,
    };
    let d = &setting.deadlines;
    let mut out = Vec::with_capacity(setting.cases);
    if setting.spots.is_empty() || setting.categories.is_empty() {
        return out;
    }
    // Reporting instants, oldest first, between 7:00 and 21:00 (`now` is a midnight): more in
    // the last months (the system is newer there).
    let start = setting.now - setting.days * DAY;
    let mut times: Vec<i64> = (0..setting.cases)
        .map(|_| {
            let u: f64 = rng.random_range(0.0..1.0);
            let day = (u.sqrt() * setting.days as f64) as i64;
            start + day * DAY + hours(&mut rng, 7.0, 21.0)
        })
        .filter(|t| *t < setting.now)
        .collect();
    times.sort_unstable();
    for created in times {
        let (category, level, dispute) =
            setting.categories[rng.random_range(0..setting.categories.len())].clone();
        let spot = &setting.spots[rng.random_range(0..setting.spots.len())];
        let reporter_kind = match rng.random_range(0..100) {
            0..40 => ReporterKind::Resident,
            40..75 => ReporterKind::GridWorker,
            75..88 => ReporterKind::Hotline,
            88..95 => ReporterKind::PartyMember,
            _ => ReporterKind::OnlineGroup,
        };
        let reporter_name = match reporter_kind {
            ReporterKind::GridWorker => None,
            _ => Some(xiangzhi_registry::demo::names::person(&mut rng)),
        };
        let urgency = match rng.random_range(0..100) {
            0..85 => "normal",
            85..97 => "urgent",
            _ => "critical",
        };
        let description = describe(&mut rng, &category, &spot.village);
        let mut life = Life {
            d,
            now: setting.now,
            status: CaseStatus::new(level, created, d),
            t: created,
            steps: Vec::new(),
            auto: 0,
        };
        let (mut rating, mut proxy_rating) = (None, None);
        let mut late = rng.random_bool(0.06);
        let first_level = level;
        let unresolvable = rng.random_bool(0.03);
        let wants_extension = rng.random_bool(0.05);
        let mut supervise = rng.random_bool(0.04);
        let mut reopen_left = u32::from(rng.random_bool(0.04));
        for _ in 0..40 {
            let s = life.status.clone();
            let level = s.level;
            // Once the clock has taken it up a level, the next level keeps to its time.
            if level != first_level {
                late = false;
            }
            let dispatcher = staff.at(level, &spot.division);
            let superior = staff.above(level, &spot.division);
            let window = d.resolve_ms(level) as f64 / HOUR as f64;
            // The next step its people would take, and when.
            let (action, actor, user, at, note, public): (
                Action,
                Actor,
                Option<i64>,
                i64,
                String,
                bool,
            ) = match s.state {
                CaseState::Reported => {
                    // Taken up in office hours: an evening report waits for the morning.
                    let local = (life.t + 8 * HOUR).rem_euclid(DAY);
                    let at = if (8 * HOUR..18 * HOUR).contains(&local) {
                        life.t + hours(&mut rng, 0.3, if late { 30.0 } else { 6.0 })
                    } else {
                        let morning =
                            life.t - local + 8 * HOUR + if local >= 18 * HOUR { DAY } else { 0 };
                        morning + hours(&mut rng, 0.5, 2.5)
                    };
                    (
                        Action::Accept,
                        Actor::Dispatcher,
                        dispatcher,
                        at,
                        String::new(),
                        false,
                    )
                }
                CaseState::Accepted | CaseState::Returned
                    if unresolvable && rng.random_bool(0.5) =>
                {
                    let at = life.t + hours(&mut rng, 2.0, 48.0);
                    let note = "经核实不属于本级职责范围，已告知群众向有关部门反映".to_string();
                    (
                        Action::CloseUnresolved,
                        Actor::Dispatcher,
                        dispatcher,
                        at,
                        note,
                        true,
                    )
                }
                CaseState::Accepted | CaseState::Returned => {
                    let Some(handler) = staff.at(level, &spot.division) else {
                        break;
                    };
                    let at = life.t + hours(&mut rng, 0.1, 6.0);
                    (
                        Action::Assign { handler },
                        Actor::Dispatcher,
                        dispatcher,
                        at,
                        String::new(),
                        false,
                    )
                }
                CaseState::Assigned => {
                    let at = life.t + hours(&mut rng, 0.5, 20.0);
                    let note = if dispute {
                        "已联系双方当事人了解情况"
                    } else {
                        "已到现场查看"
                    };
                    (
                        Action::Start,
                        Actor::Handler,
                        s.handler,
                        at,
                        note.to_string(),
                        false,
                    )
                }
                CaseState::InProgress
                    if wants_extension && s.extension == crate::rules::Extension::None =>
                {
                    let at = life.t + hours(&mut rng, 4.0, window.max(8.0) * 0.6);
                    let note = "需协调上级部门和资金，申请延期办理".to_string();
                    (
                        Action::RequestExtension,
                        Actor::Handler,
                        s.handler,
                        at,
                        note,
                        false,
                    )
                }
                CaseState::InProgress if s.extension == crate::rules::Extension::Requested => {
                    let at = life.t + hours(&mut rng, 2.0, 30.0);
                    let grant = rng.random_bool(0.8);
                    let action = if grant {
                        Action::GrantExtension
                    } else {
                        Action::DenyExtension
                    };
                    (action, Actor::Superior, superior, at, String::new(), false)
                }
                CaseState::InProgress if supervise && !s.supervised => {
                    supervise = false;
                    let at = life.t + hours(&mut rng, 2.0, 24.0);
                    let note = "群众反映强烈，请加快办理并每日报告进展".to_string();
                    (
                        Action::Supervise,
                        Actor::Superior,
                        superior,
                        at,
                        note,
                        false,
                    )
                }
                CaseState::InProgress => {
                    // Most finish inside the time left; a late one runs past its deadline.
                    let due = s.due_at.unwrap_or(life.t).max(life.t + HOUR);
                    let at = if late {
                        due + (window * rng.random_range(0.05..0.6) * HOUR as f64) as i64
                    } else {
                        // County offices answer most questions within days, not months.
                        let most = if level == CaseLevel::County {
                            0.3
                        } else {
                            0.95
                        };
                        life.t + ((due - life.t) as f64 * rng.random_range(0.1..most)) as i64
                    };
                    let note = resolution(&mut rng, &category).to_string();
                    (Action::Resolve, Actor::Handler, s.handler, at, note, true)
                }
                CaseState::Resolved => {
                    if reopen_left > 0 {
                        reopen_left -= 1;
                        let at = life.t + hours(&mut rng, 10.0, 96.0);
                        let note = "问题没有彻底解决，又出现了".to_string();
                        (Action::Reopen, Actor::Resident, None, at, note, true)
                    } else if rng.random_bool(0.7) {
                        let r = match rng.random_range(0..100) {
                            0..55 => 5,
                            55..80 => 4,
                            80..90 => 3,
                            90..96 => 2,
                            _ => 1,
                        };
                        let at = life.t + hours(&mut rng, 4.0, 120.0);
                        (
                            Action::Confirm { rating: Some(r) },
                            Actor::Resident,
                            None,
                            at,
                            String::new(),
                            true,
                        )
                    } else if rng.random_bool(0.5) {
                        // Confirmed on the resident's behalf after a phone call.
                        let r = rng.random_range(3..=5);
                        let at = life.t + hours(&mut rng, 24.0, 140.0);
                        let note = "代为确认（电话回访）群众表示已解决".to_string();
                        (
                            Action::Confirm { rating: Some(r) },
                            Actor::Proxy,
                            superior,
                            at,
                            note,
                            false,
                        )
                    } else {
                        // No answer: the clock confirms after the quiet period.
                        let at = life.t + d.confirm_days * DAY + HOUR;
                        if !life.clock(at) {
                            break;
                        }
                        continue;
                    }
                }
                CaseState::Confirmed => {
                    let at = life.t + hours(&mut rng, 1.0, 60.0);
                    (
                        Action::Close,
                        Actor::Dispatcher,
                        dispatcher,
                        at,
                        String::new(),
                        false,
                    )
                }
                CaseState::Closed | CaseState::ClosedUnresolved | CaseState::Merged => break,
            };
            // The clock first, if the case falls due before that.
            if life.clock(at) {
                continue;
            }
            if at > setting.now {
                break;
            }
            if let Action::Confirm { rating: r } = action {
                match actor {
                    Actor::Proxy => proxy_rating = r.map(i64::from),
                    _ => rating = r.map(i64::from),
                }
            }
            if !life.take(action, actor, user, at, &note, public) {
                break;
            }
        }
        // An overdue case still open draws a superior's supervision now and then.
        let overdue =
            life.status.due_at.is_some_and(|d| d < setting.now) && life.status.state.in_hand();
        if overdue && rng.random_bool(0.4) {
            let superior = staff.above(life.status.level, &spot.division);
            let at = (life.t + HOUR).min(setting.now);
            life.take(
                Action::Supervise,
                Actor::Superior,
                superior,
                at,
                "已超期，请加快办理并报告进展",
                false,
            );
        }
        out.push(Drawn {
            category,
            description,
            division: spot.division.clone(),
            grid: spot.grid,
            urgency,
            reporter_kind,
            reporter_name,
            created_at: created,
            rating,
            proxy_rating,
            auto_escalations: life.auto,
            status: life.status,
            steps: life.steps,
        });
    }
    out
}

/// Whether a division code names a village or a group (where cases are filed).
pub fn fileable(code: &str) -> bool {
    DivisionCode::parse(code)
        .is_ok_and(|d| matches!(d.level(), DivisionLevel::Village | DivisionLevel::Group))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting() -> Setting {
        Setting {
            seed: 7,
            // 2026-05-28 00:00 China time.
            now: 1_779_897_600_000,
            days: 365,
            cases: 3000,
            spots: vec![
                Spot {
                    division: "141029100224".into(),
                    grid: None,
                    village: "龙鼻村".into(),
                },
                Spot {
                    division: "141029100224001".into(),
                    grid: Some(9),
                    village: "龙鼻村".into(),
                },
                Spot {
                    division: "141029101001".into(),
                    grid: None,
                    village: "光华村".into(),
                },
            ],
            categories: vec![
                ("road".into(), CaseLevel::Village, false),
                ("neighbour".into(), CaseLevel::MicroGrid, true),
                ("wages".into(), CaseLevel::Township, true),
            ],
            workers: vec![
                Worker {
                    id: 1,
                    level: CaseLevel::County,
                    division: "141029000000".into(),
                },
                Worker {
                    id: 2,
                    level: CaseLevel::Township,
                    division: "141029100000".into(),
                },
                Worker {
                    id: 3,
                    level: CaseLevel::Village,
                    division: "141029100224".into(),
                },
                Worker {
                    id: 4,
                    level: CaseLevel::Grid,
                    division: "141029100224001".into(),
                },
                Worker {
                    id: 5,
                    level: CaseLevel::Township,
                    division: "141029101000".into(),
                },
            ],
            deadlines: Deadlines::default(),
        }
    }

    /// Every drawn step is one the state machine takes from the step before, in time order, up to
    /// the demo's now; the same setting draws the same history; the history has every state.
    #[test]
    fn histories_follow_the_machine() {
        let s = setting();
        let a = draw(&s);
        assert_eq!(a, draw(&s));
        assert!(a.len() > 2900);
        let mut states = std::collections::HashSet::new();
        for c in &a {
            let level = s.categories.iter().find(|k| k.0 == c.category).unwrap().1;
            let mut st = CaseStatus::new(level, c.created_at, &s.deadlines);
            let mut t = c.created_at;
            for step in &c.steps {
                assert!(step.at >= t && step.at <= s.now, "{step:?}");
                t = step.at;
                assert_eq!(step.from, Some(st.state));
                st.state = step.to;
                st.level = step.level;
            }
            assert_eq!(st.state, c.status.state);
            states.insert(c.status.state);
            // Handlers are the accounts of the case's place.
            if let Some(h) = c.status.handler {
                let w = s.workers.iter().find(|w| w.id == h).unwrap();
                assert!(covers(&w.division, &c.division), "{c:?}");
            }
        }
        for want in [
            CaseState::Reported,
            CaseState::Assigned,
            CaseState::InProgress,
            CaseState::Resolved,
            CaseState::Closed,
            CaseState::ClosedUnresolved,
        ] {
            assert!(states.contains(&want), "no {want:?} in {states:?}");
        }
        assert!(a.iter().any(|c| c.auto_escalations > 0));
        assert!(a.iter().any(|c| c.status.supervised));
        assert!(a.iter().any(|c| c.status.reopened > 0));
        assert!(a.iter().any(|c| c.proxy_rating.is_some()));
    }
}
