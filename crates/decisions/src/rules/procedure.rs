//! 四议两公开: the branch proposes (党支部提议), the two committees discuss (两委会商议), the party
//! members' meeting reviews (党员大会审议), the villagers' meeting or the representatives' meeting
//! decides (村民会议或村民代表会议决议); the decision is published (决议公开) and then its outcome
//! (实施结果公开). Steps are taken in that order, each with its evidence; where the branch's
//! secretary is also the committee's director (一肩挑) the first two may be taken at one joint
//! meeting; nothing is published as decided without a resolution that passed.

use serde::{Deserialize, Serialize};

/// A step of the procedure, in its order.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 党支部提议
    Proposal,
    /// 两委会商议
    CommitteesDiscussion,
    /// 党员大会审议
    PartyReview,
    /// 村民会议或村民代表会议决议
    Decision,
    /// 决议公开
    DecisionPublished,
    /// 实施结果公开
    OutcomePublished,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Proposal,
        Step::CommitteesDiscussion,
        Step::PartyReview,
        Step::Decision,
        Step::DecisionPublished,
        Step::OutcomePublished,
    ];

    /// Its name in the API and the store (`party_review`).
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Proposal => "proposal",
            Step::CommitteesDiscussion => "committees_discussion",
            Step::PartyReview => "party_review",
            Step::Decision => "decision",
            Step::DecisionPublished => "decision_published",
            Step::OutcomePublished => "outcome_published",
        }
    }

    /// The step a stored name stands for.
    pub fn named(name: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.as_str() == name)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Step::Proposal => "党支部提议",
            Step::CommitteesDiscussion => "两委会商议",
            Step::PartyReview => "党员大会审议",
            Step::Decision => "村民（代表）会议决议",
            Step::DecisionPublished => "决议公开",
            Step::OutcomePublished => "实施结果公开",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Step::Proposal => "the branch proposes",
            Step::CommitteesDiscussion => "the two committees discuss",
            Step::PartyReview => "the party members' meeting reviews",
            Step::Decision => "the villagers' (representatives') meeting decides",
            Step::DecisionPublished => "the decision is published",
            Step::OutcomePublished => "the outcome is published",
        }
    }
}

/// A step as it was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub step: Step,
    /// The first two steps taken at one joint meeting (一肩挑).
    pub joint: bool,
    /// For [`Step::Decision`]: whether the resolution passed its quorum and threshold.
    pub passed: bool,
}

/// Why a step cannot be taken now, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub zh: String,
    pub en: String,
}

fn refused(zh: String, en: String) -> Refused {
    Refused { zh, en }
}

/// The steps `taken` covers, in order (a joint first step covers the second too).
fn covered(taken: &[Taken]) -> Vec<Step> {
    let mut out = Vec::new();
    for t in taken {
        out.push(t.step);
        if t.step == Step::Proposal && t.joint {
            out.push(Step::CommitteesDiscussion);
        }
    }
    out
}

/// The step that comes next, if any (a failed decision is taken again: a new meeting).
pub fn next_step(taken: &[Taken]) -> Option<Step> {
    let done = covered(taken);
    let last_decision_failed = taken
        .iter()
        .rev()
        .find(|t| t.step == Step::Decision)
        .is_some_and(|t| !t.passed);
    if last_decision_failed {
        return Some(Step::Decision);
    }
    Step::ALL.into_iter().find(|s| !done.contains(s))
}

/// Whether `step` may be taken now, after `taken`; `joint` asks to take the first two steps at
/// one joint meeting, which only a secretary who is also the committee's director
/// (`one_shoulder`, 一肩挑) may.
pub fn may_take(
    taken: &[Taken],
    step: Step,
    joint: bool,
    one_shoulder: bool,
) -> Result<(), Refused> {
    if joint && (step != Step::Proposal || !one_shoulder) {
        return Err(refused(
            "只有书记、主任“一肩挑”的村，才能把党支部提议和两委会商议合并为一次联席会议".into(),
            "only where the secretary is also the committee's director may the proposal and the committees' discussion be one joint meeting".into(),
        ));
    }
    let Some(next) = next_step(taken) else {
        return Err(refused(
            "四议两公开的各步都已完成".into(),
            "every step of the procedure is done".into(),
        ));
    };
    if step != next {
        return Err(refused(
            format!("下一步应是“{}”，不能先做“{}”", next.zh(), step.zh()),
            format!("the next step is '{}', not '{}'", next.en(), step.en()),
        ));
    }
    Ok(())
}

/// Whether the matter may be marked decided: every step up to the decision taken in order, and
/// the last decision passed.
pub fn decided(taken: &[Taken]) -> Result<(), Refused> {
    let done = covered(taken);
    for s in [
        Step::Proposal,
        Step::CommitteesDiscussion,
        Step::PartyReview,
        Step::Decision,
    ] {
        if !done.contains(&s) {
            return Err(refused(
                format!("尚未完成“{}”，不能认定为已决定", s.zh()),
                format!("'{}' has not been done; the matter is not decided", s.en()),
            ));
        }
    }
    let passed = taken
        .iter()
        .rev()
        .find(|t| t.step == Step::Decision)
        .is_some_and(|t| t.passed);
    if !passed {
        return Err(refused(
            "决议未获通过（未达法定人数或表决比例），不能认定为已决定".into(),
            "the resolution did not pass (quorum or threshold); the matter is not decided".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(step: Step) -> Taken {
        Taken {
            step,
            joint: false,
            passed: true,
        }
    }

    #[test]
    fn steps_in_order() {
        let mut taken = Vec::new();
        for s in Step::ALL {
            for later in Step::ALL.iter().filter(|x| **x > s) {
                assert!(
                    may_take(&taken, *later, false, false).is_err(),
                    "{later:?} before {s:?}"
                );
            }
            may_take(&taken, s, false, false).unwrap();
            taken.push(t(s));
        }
        assert!(may_take(&taken, Step::OutcomePublished, false, false).is_err());
        assert!(decided(&taken).is_ok());
    }

    #[test]
    fn no_publication_without_a_passed_resolution() {
        let mut taken = vec![
            t(Step::Proposal),
            t(Step::CommitteesDiscussion),
            t(Step::PartyReview),
        ];
        taken.push(Taken {
            step: Step::Decision,
            joint: false,
            passed: false,
        });
        let e = may_take(&taken, Step::DecisionPublished, false, false).unwrap_err();
        assert!(e.zh.contains("下一步应是“村民（代表）会议决议”"), "{e:?}");
        assert!(decided(&taken).unwrap_err().zh.contains("决议未获通过"));
        // A new meeting decides again; then publication follows.
        may_take(&taken, Step::Decision, false, false).unwrap();
        taken.push(t(Step::Decision));
        assert!(decided(&taken).is_ok());
        may_take(&taken, Step::DecisionPublished, false, false).unwrap();
    }

    #[test]
    fn one_shoulder_merges_the_first_two() {
        assert!(
            may_take(&[], Step::Proposal, true, false).is_err(),
            "only 一肩挑"
        );
        assert!(may_take(&[], Step::PartyReview, true, true).is_err());
        may_take(&[], Step::Proposal, true, true).unwrap();
        let taken = vec![Taken {
            step: Step::Proposal,
            joint: true,
            passed: true,
        }];
        assert_eq!(next_step(&taken), Some(Step::PartyReview));
        assert!(may_take(&taken, Step::CommitteesDiscussion, false, true).is_err());
    }

    #[test]
    fn a_matter_is_not_decided_with_a_step_missing() {
        let taken = vec![t(Step::Proposal), t(Step::PartyReview), t(Step::Decision)];
        let e = decided(&taken).unwrap_err();
        assert!(e.zh.contains("两委会商议"), "{e:?}");
    }
}
