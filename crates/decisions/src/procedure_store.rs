//! 四议两公开 in the store: a village's matter and its steps. A step is taken only when the
//! procedure's rules allow it after the steps already taken, with its evidence; the decision step
//! names the meeting item that decided the matter — of the same village and the same kind of
//! matter — and carries whether that item passed, as the law's rules computed it. The matter's
//! version is moved by one compare-and-set with each step, so two clerks racing to take the same
//! step get one step and one refusal.

use crate::rules::matters::MatterKind;
use crate::rules::procedure::{decided, may_take, next_step, Step, Taken};
use crate::tables::{MATTERS, MATTER_STEPS, MEETING_ITEMS};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_domain::Invalid;
use xiangzhi_storage::list::next_ids;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, FieldError, Result, Scope, StoreError};

/// A village's matter.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Matter {
    pub county_id: i64,
    pub id: i64,
    pub division_code: String,
    /// The matter's kind (`income_distribution`, … `ordinary`).
    pub kind: String,
    pub title: String,
    pub description: String,
    /// The branch's secretary is also the committee's director (一肩挑).
    pub one_shoulder: bool,
    /// `open`, `decided` (a passed resolution after every step before it) or `done`.
    pub state: String,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct MatterInput {
    /// The village (12 digits).
    pub division_code: String,
    pub kind: MatterKind,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub one_shoulder: bool,
}

/// A step as taken.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct MatterStep {
    pub id: i64,
    /// `proposal`, `committees_discussion`, `party_review`, `decision`, `decision_published`
    /// or `outcome_published`.
    pub step: String,
    /// The proposal and the committees' discussion at one joint meeting (一肩挑).
    pub joint: bool,
    /// For the decision: the meeting item that decided it.
    pub meeting_item_id: Option<i64>,
    /// For the decision: whether that item passed.
    pub passed: bool,
    pub evidence: String,
    pub taken_on: NaiveDate,
    pub taken_by: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[schema(as = MatterStepInput)]
pub struct StepInput {
    pub step: Step,
    #[serde(default)]
    pub joint: bool,
    /// For the decision: the meeting item that decided it.
    #[serde(default)]
    pub meeting_item_id: Option<i64>,
    /// What shows the step was taken: the minutes' reference, the notice's place and dates…
    pub evidence: String,
    /// `2026-11-30`.
    pub taken_on: String,
    /// For a publication step: the posting itself, put on the village's board with the step
    /// (both or neither); the step's evidence then names it and its fingerprint.
    #[serde(default)]
    pub posting: Option<StepPosting>,
}

/// What a publication step posts on the village's board.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct StepPosting {
    pub title: String,
    pub body: String,
    /// The last day on the board: `2026-12-30`.
    pub until_on: String,
}

/// A matter with its steps and what comes next.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatterView {
    pub matter: Matter,
    pub steps: Vec<MatterStep>,
    /// The law reserves it to a meeting, so it goes through 四议两公开.
    pub needs_procedure: bool,
    pub next_step: Option<Step>,
}

const MATTER_COLS: &str =
    "t.county_id, t.id, t.division_code, t.kind, t.title, t.description, t.one_shoulder, \
    t.state, t.version";
const STEP_COLS: &str =
    "t.id, t.step, t.joint, t.meeting_item_id, t.passed, t.evidence, t.taken_on, t.taken_by";

fn bad(field: &str, zh: impl Into<String>, en: impl Into<String>) -> StoreError {
    StoreError::Invalid(vec![FieldError::new(field, Invalid::new(zh, en))])
}

fn taken(steps: &[MatterStep]) -> Vec<Taken> {
    steps
        .iter()
        .filter_map(|s| {
            Some(Taken {
                step: Step::named(&s.step)?,
                joint: s.joint,
                passed: s.passed,
            })
        })
        .collect()
}

#[easy_ext::ext(MatterStore)]
pub impl Db {
    /// Opens a matter of a village in the caller's reach.
    async fn create_matter(&self, scope: &Scope, input: &MatterInput) -> Result<MatterView> {
        let by = scope.acting()?;
        let village = scope.village(&input.division_code)?;
        let county_id = village.county_id().unwrap_or_default();
        let title = input.title.trim();
        if title.is_empty() || title.chars().count() > 200 || title.contains('\0') {
            return Err(bad(
                "title",
                "请填写事项名称（不超过200个字）",
                "give the matter a title (at most 200 characters)",
            ));
        }
        let description = input.description.trim();
        if description.chars().count() > 20_000 || description.contains('\0') {
            return Err(bad(
                "description",
                "说明不超过20000个字",
                "the description is at most 20000 characters",
            ));
        }
        // A matter the law reserves to a meeting is not filed as ordinary business: its words
        // give it away, and it must then go through 四议两公开.
        if input.kind == MatterKind::Ordinary {
            if let Some(kind) = crate::rules::matters::classify(&format!("{title} {description}")) {
                return Err(bad(
                    "kind",
                    format!(
                        "该事项属于“{}”（{}），须经村民会议决定并走四议两公开程序，请按此类别登记",
                        kind.zh(),
                        kind.article()
                    ),
                    format!(
                        "this matter is '{}' ({}), which a meeting must decide through the procedure; file it as such",
                        kind.as_str(),
                        kind.article()
                    ),
                ));
            }
        }
        let now = now_ms();
        let mut tx = self.begin().await?;
        let id = next_ids(&mut tx, county_id, "matter", 1).await?;
        tx.exec(&Q::with(
            "INSERT INTO matters (county_id, id, division_code, kind, title, description, one_shoulder, state, \
             created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, 1)",
            vec![
                county_id.into(),
                id.into(),
                village.as_str().into(),
                input.kind.as_str().into(),
                title.into(),
                description.into(),
                Arg::Bool(input.one_shoulder),
                by.into(),
                now.into(),
                now.into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "open matter",
            format!("matter {county_id}:{id}: {}", input.kind.as_str()),
        )
        .await?;
        tx.commit().await?;
        self.matter(scope, county_id, id).await
    }

    /// Takes the next step of a matter's procedure, with its evidence.
    async fn take_step(
        &self,
        scope: &Scope,
        county_id: i64,
        matter_id: i64,
        input: &StepInput,
    ) -> Result<MatterView> {
        let by = scope.acting()?;
        let view = self.matter(scope, county_id, matter_id).await?;
        let m = &view.matter;
        let posting = match &input.posting {
            None => None,
            Some(_) if !matches!(input.step, Step::DecisionPublished | Step::OutcomePublished) => {
                return Err(bad(
                    "posting",
                    "只有“决议公开”和“实施结果公开”两步随步骤公开内容",
                    "only the two publication steps post on the board",
                ))
            }
            Some(p) => Some(
                crate::publicity_store::check_posting(
                    self,
                    scope,
                    &crate::publicity_store::PostingInput {
                        division_code: m.division_code.clone(),
                        kind: crate::rules::publicity::PublicityKind::Decision,
                        title: p.title.clone(),
                        body: p.body.clone(),
                        matter_id: Some(matter_id),
                        posted_on: input.taken_on.clone(),
                        until_on: p.until_on.clone(),
                    },
                )
                .await?,
            ),
        };
        let evidence = match (&posting, input.evidence.trim()) {
            (Some(c), "") => format!("村务公开栏公开，内容指纹 {}", &c.print[..16]),
            (Some(c), e) => format!("{e}（内容指纹 {}）", &c.print[..16]),
            (None, e) => e.to_string(),
        };
        let evidence = evidence.as_str();
        if evidence.is_empty() || evidence.chars().count() > 2_100 || evidence.contains('\0') {
            return Err(bad(
                "evidence",
                "请写明这一步的依据（会议记录编号、公示地点和日期等，不超过2000个字）",
                "state what shows the step was taken (at most 2000 characters)",
            ));
        }
        let taken_on =
            NaiveDate::parse_from_str(input.taken_on.trim(), "%Y-%m-%d").map_err(|_| {
                bad(
                    "taken_on",
                    "日期请写成 2026-11-30",
                    "write the date as 2026-11-30",
                )
            })?;
        let done = taken(&view.steps);
        may_take(&done, input.step, input.joint, m.one_shoulder)
            .map_err(|r| StoreError::Conflict(FieldError::new("step", Invalid::new(r.zh, r.en))))?;
        // The decision names its meeting item: of this village, of this kind of matter.
        let (item, passed) = if input.step == Step::Decision {
            let Some(item) = input.meeting_item_id else {
                return Err(bad(
                    "meeting_item_id",
                    "决议须对应一次会议的表决事项",
                    "a decision names the meeting item that decided it",
                ));
            };
            let mut q = Q::with(
                "SELECT t.division_code, t.matter_kind, t.passed, mt.held_on FROM meeting_items t \
                 JOIN meetings mt ON mt.county_id = t.county_id AND mt.id = t.meeting_id \
                 WHERE t.county_id = ? AND t.id = ?",
                vec![county_id.into(), item.into()],
            );
            scope.filter(&mut q, &MEETING_ITEMS, "t", "division_code");
            let found: Option<(String, String, bool, NaiveDate)> = self.optional(&q).await?;
            match found {
                Some((division, kind, passed, held_on))
                    if division.starts_with(&m.division_code) && kind == m.kind =>
                {
                    // A distribution's plan is open to inspection ten days before its vote.
                    if MatterKind::named(&m.kind).is_some_and(|k| k.is_distribution()) {
                        let posted: Option<(Option<NaiveDate>,)> = self
                            .optional(&Q::with(
                                "SELECT MIN(t.posted_on) FROM publicity_items t WHERE t.county_id = ? \
                                 AND t.matter_id = ? AND t.kind = 'distribution_plan'",
                                vec![county_id.into(), matter_id.into()],
                            ))
                            .await?;
                        let first = posted.and_then(|p| p.0);
                        let check = match first {
                            Some(p) => crate::rules::publicity::inspected(p, held_on),
                            None => Err("分配方案须在表决前公示10天征求意见，尚未公示".to_string()),
                        };
                        if let Err(why) = check {
                            return Err(bad(
                                "meeting_item_id",
                                why,
                                "a distribution's plan is posted for inspection ten days before its vote",
                            ));
                        }
                    }
                    (Some(item), passed)
                }
                _ => {
                    return Err(bad(
                        "meeting_item_id",
                        "该表决事项不是本村就本事项的表决",
                        "the meeting item is not this village's vote on this matter",
                    ))
                }
            }
        } else {
            (None, true)
        };
        let mut after = done.clone();
        after.push(Taken {
            step: input.step,
            joint: input.joint,
            passed,
        });
        let state = if input.step == Step::OutcomePublished {
            "done"
        } else if decided(&after).is_ok() {
            "decided"
        } else {
            "open"
        };
        let now = now_ms();
        let mut tx = self.begin().await?;
        // One compare-and-set on the version the step was checked against.
        let moved = tx
            .exec(&Q::with(
                "UPDATE matters SET version = version + 1, state = ?, updated_at = ? \
                 WHERE county_id = ? AND id = ? AND version = ?",
                vec![
                    state.into(),
                    now.into(),
                    county_id.into(),
                    matter_id.into(),
                    m.version.into(),
                ],
            ))
            .await?;
        if moved != 1 {
            return Err(StoreError::conflict(
                "step",
                "这一事项刚被他人更新，请刷新后再试",
                "the matter was just changed by someone else; reload and try again",
            ));
        }
        let id = next_ids(&mut tx, county_id, "matter_step", 1).await?;
        tx.exec(&Q::with(
            "INSERT INTO matter_steps (county_id, id, matter_id, division_code, step, joint, meeting_item_id, passed, \
             evidence, taken_on, taken_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                county_id.into(),
                id.into(),
                matter_id.into(),
                m.division_code.clone().into(),
                input.step.as_str().into(),
                Arg::Bool(input.joint),
                item.into(),
                Arg::Bool(passed),
                evidence.into(),
                Arg::Date(taken_on),
                by.into(),
                now.into(),
            ],
        ))
        .await?;
        tx.audit(
            scope.actor(),
            "take matter step",
            format!(
                "matter {county_id}:{matter_id}: {} passed {passed}",
                input.step.as_str()
            ),
        )
        .await?;
        if let Some(c) = &posting {
            crate::publicity_store::insert_posting(&mut tx, scope, c, by).await?;
        }
        tx.commit().await?;
        self.matter(scope, county_id, matter_id).await
    }

    /// A matter in the caller's reach with its steps.
    async fn matter(&self, scope: &Scope, county_id: i64, id: i64) -> Result<MatterView> {
        let mut q = Q::with(
            &format!("SELECT {MATTER_COLS} FROM matters t WHERE t.county_id = ? AND t.id = ?"),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &MATTERS, "t", "division_code");
        let matter: Matter = self.optional(&q).await?.ok_or(StoreError::NotFound)?;
        let mut q = Q::with(
            &format!(
                "SELECT {STEP_COLS} FROM matter_steps t WHERE t.county_id = ? AND t.matter_id = ?"
            ),
            vec![county_id.into(), id.into()],
        );
        scope.filter(&mut q, &MATTER_STEPS, "t", "division_code");
        q.push(" ORDER BY t.id");
        let steps: Vec<MatterStep> = self.all(&q).await?;
        let needs_procedure =
            MatterKind::named(&matter.kind).is_some_and(|k| k.needs_four_deliberations());
        let next_step = next_step(&taken(&steps));
        Ok(MatterView {
            matter,
            steps,
            needs_procedure,
            next_step,
        })
    }

    /// The matters in the caller's reach (and `division`, and with `words` in the title), latest
    /// first.
    async fn matters(
        &self,
        scope: &Scope,
        division: Option<&str>,
        words: Option<&str>,
    ) -> Result<Vec<Matter>> {
        let scope = xiangzhi_storage::list::within(scope, division)?;
        let mut q = Q::new(&format!("SELECT {MATTER_COLS} FROM matters t WHERE 1=1"));
        if let Some(w) = words.map(str::trim).filter(|w| !w.is_empty()) {
            xiangzhi_storage::sql::push_contains(&mut q, "t.title", w);
        }
        scope.filter(&mut q, &MATTERS, "t", "division_code");
        q.push(" ORDER BY t.updated_at DESC, t.id DESC LIMIT 500");
        self.all(&q).await
    }
}
