//! The records of the ledger and the inputs that make them.

use crate::rules::{parse_month, Holder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xiangzhi_domain::{Checker, Invalid};
use xiangzhi_storage::{FieldError, StoreError};

/// A rule of a county's catalogue: an item, its points, its dimension and caps.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct PointRule {
    pub county_id: i64,
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub holder: Holder,
    pub code: String,
    /// 思想政治, 邻里和睦, 干净庭院… (each county its own).
    pub dimension: String,
    pub item: String,
    /// Negative for a deduction.
    pub points: i64,
    pub month_cap: Option<i64>,
    pub year_cap: Option<i64>,
    pub evidence_required: bool,
    pub active: bool,
    pub version: i64,
}

/// A new rule.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct RuleInput {
    /// The county whose catalogue it joins (an account of one county may leave it out).
    pub county_id: Option<i64>,
    /// `member` or `household`.
    pub holder: String,
    pub code: String,
    pub dimension: String,
    pub item: String,
    pub points: i64,
    pub month_cap: Option<i64>,
    pub year_cap: Option<i64>,
    #[serde(default)]
    pub evidence_required: bool,
}

pub struct ValidRule {
    pub holder: Holder,
    pub code: String,
    pub dimension: String,
    pub item: String,
    pub points: i64,
    pub month_cap: Option<i64>,
    pub year_cap: Option<i64>,
    pub evidence_required: bool,
}

fn invalid(fields: Vec<FieldError>) -> StoreError {
    StoreError::Invalid(fields)
}

impl RuleInput {
    pub fn validate(&self) -> Result<ValidRule, StoreError> {
        let mut c = Checker::default();
        let holder = c.parse("holder", self.holder.parse::<Holder>());
        let code = c.text("code", &self.code, 30);
        let dimension = c.text("dimension", &self.dimension, 30);
        let item = c.text("item", &self.item, 100);
        if self.points == 0 || !(-1_000..=1_000).contains(&self.points) {
            c.0.push(FieldError::new(
                "points",
                Invalid::new(
                    "分值应为非零整数，绝对值不超过1000",
                    "points must be a non-zero whole number of at most 1000 either way",
                ),
            ));
        }
        for (field, cap) in [("month_cap", self.month_cap), ("year_cap", self.year_cap)] {
            if let Some(cap) = cap {
                if cap < (self.points.unsigned_abs().min(1_000) as i64) || cap > 100_000 {
                    c.0.push(FieldError::new(
                        field,
                        Invalid::new(
                            "上限应不小于一次的分值，且不超过100000",
                            "a cap must be at least one award's points and at most 100000",
                        ),
                    ));
                }
            }
        }
        let v = c
            .finish(holder.zip(code).zip(dimension).zip(item))
            .map_err(invalid)?;
        let (((holder, code), dimension), item) = v;
        Ok(ValidRule {
            holder,
            code,
            dimension,
            item,
            points: self.points,
            month_cap: self.month_cap,
            year_cap: self.year_cap,
            evidence_required: self.evidence_required,
        })
    }
}

/// Whose points: one party member's or one household's, with its balance.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Account {
    pub county_id: i64,
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub holder: Holder,
    /// The party member's or the household's id.
    pub holder_id: i64,
    pub division_code: String,
    /// Always the sum of the account's entries.
    pub balance: i64,
}

/// A recording waiting for approval (or decided).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Claim {
    pub county_id: i64,
    pub id: i64,
    pub account_id: i64,
    pub rule_id: i64,
    pub division_code: String,
    pub points: i64,
    pub month: String,
    pub evidence: String,
    pub case_id: Option<i64>,
    pub recorded_by: i64,
    pub recorded_at: i64,
    /// `pending`, `approved` or `rejected`.
    pub state: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
    pub note: String,
    /// The ledger entry an approval wrote.
    pub entry_id: Option<i64>,
    /// Reported by the member themself through their own link (`recorded_by` is then 0).
    pub self_report: bool,
}

/// Points recorded for a member or a household by a rule.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ClaimInput {
    /// `member` or `household`.
    pub holder: String,
    /// The party member's or the household's id.
    pub holder_id: i64,
    pub rule_id: i64,
    /// The month the points belong to: `2026-11`.
    pub month: String,
    /// What was done, seen or shown (required where the rule asks for evidence).
    #[serde(default)]
    pub evidence: String,
    /// A case the points come from.
    pub case_id: Option<i64>,
}

pub struct ValidClaim {
    pub holder: Holder,
    pub month: String,
    pub evidence: String,
}

impl ClaimInput {
    pub fn validate(&self) -> Result<ValidClaim, StoreError> {
        let mut c = Checker::default();
        let holder = c.parse("holder", self.holder.parse::<Holder>());
        let month = c.parse("month", parse_month(&self.month));
        let evidence: String = self.evidence.trim().chars().take(2_001).collect();
        if evidence.chars().count() > 2_000 {
            c.0.push(FieldError::new(
                "evidence",
                Invalid::new(
                    "说明不能超过2000个字",
                    "evidence is at most 2000 characters",
                ),
            ));
        }
        let (holder, month) = c.finish(holder.zip(month)).map_err(invalid)?;
        Ok(ValidClaim {
            holder,
            month,
            evidence,
        })
    }
}

/// An approval or a rejection.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[schema(as = PointsDecision)]
pub struct Decision {
    pub approve: bool,
    #[serde(default)]
    pub note: String,
}

/// An entry of the ledger: never changed, never deleted.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Entry {
    pub county_id: i64,
    pub id: i64,
    pub account_id: i64,
    pub division_code: String,
    /// `award`, `reversal` or `redemption`.
    pub kind: String,
    pub rule_id: Option<i64>,
    pub claim_id: Option<i64>,
    pub points: i64,
    pub month: String,
    pub evidence: String,
    pub recorded_by: i64,
    pub approved_by: Option<i64>,
    /// The entry a reversal takes back.
    pub reverses_id: Option<i64>,
    pub created_at: i64,
}

/// Points spent at the points store.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct RedeemInput {
    pub holder: String,
    pub holder_id: i64,
    /// Points spent (positive).
    pub points: i64,
    /// What was taken home.
    pub goods: String,
}

/// A reversal's reason.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct Reversal {
    pub reason: String,
}

/// An account with every entry, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Statement {
    pub account: Account,
    pub entries: Vec<Entry>,
}
