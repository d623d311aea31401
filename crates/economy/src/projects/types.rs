//! The project library's values: stages, kinds, funding sources, and what the API takes and
//! answers.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The stages in order.
pub const STAGES: [(&str, &str); 7] = [
    ("idea", "谋划构想"),
    ("reserve", "入库储备"),
    ("applied", "申报"),
    ("approved", "立项批复"),
    ("building", "建设实施"),
    ("accepted", "竣工验收"),
    ("operating", "运营管护"),
];

/// What a project does.
pub const KINDS: [(&str, &str); 7] = [
    ("planting", "特色种植"),
    ("livestock", "生态养殖"),
    ("processing", "农产品加工"),
    ("tourism", "乡村旅游"),
    ("property", "物业经营"),
    ("energy", "光伏等新能源"),
    ("services", "社会化服务"),
];

/// Where funding comes from.
pub const SOURCES: [(&str, &str); 7] = [
    ("central", "中央衔接资金"),
    ("province", "省级财政资金"),
    ("county", "县级财政资金"),
    ("collective", "村集体自筹"),
    ("social", "社会资本"),
    ("loan", "银行贷款"),
    ("other", "其他"),
];

/// Whether funding was asked for or granted.
pub const FUNDING_KINDS: [(&str, &str); 2] = [("sought", "申请"), ("won", "到位")];

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ProjectInput {
    /// The lead: a village or a township in reach.
    pub division_code: String,
    pub name: String,
    /// `planting`, `livestock`, `processing`, `tourism`, `property`, `energy` or `services`.
    pub kind: String,
    #[serde(default)]
    pub summary: String,
    /// Planned investment in fen.
    pub budget: i64,
    /// The alliance (联村党委) carrying it, if any.
    #[serde(default)]
    pub alliance_id: Option<i64>,
    /// The villages in it (the alliance's villages when none are named and an alliance is).
    #[serde(default)]
    pub villages: Vec<String>,
    /// The day the idea was recorded (today when absent).
    #[serde(default)]
    pub since: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Project {
    pub county_id: i64,
    pub id: i64,
    pub division_code: String,
    pub name: String,
    pub kind: String,
    pub summary: String,
    /// Planned investment in fen.
    pub budget: i64,
    pub alliance_id: Option<i64>,
    pub stage: String,
    pub stage_on: NaiveDate,
    /// Funding sought and won so far, in fen.
    pub sought: i64,
    pub won: i64,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct StageStep {
    pub stage: String,
    pub stage_on: NaiveDate,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct FundingEntry {
    pub id: i64,
    pub source: String,
    /// `sought` or `won`.
    pub kind: String,
    /// In fen; negative for a correction.
    pub amount: i64,
    pub entry_on: NaiveDate,
    pub note: String,
}

/// One source's sums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SourceSum {
    pub source: String,
    pub zh: String,
    pub sought: i64,
    pub won: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Milestone {
    pub id: i64,
    pub title: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

/// A project with everything kept about it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectView {
    pub project: Project,
    pub villages: Vec<String>,
    pub stages: Vec<StageStep>,
    pub funding: Vec<FundingEntry>,
    pub by_source: Vec<SourceSum>,
    pub milestones: Vec<Milestone>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct StageInput {
    /// The next stage (or `reserve` from `applied`, when the application was not approved).
    pub stage: String,
    pub stage_on: String,
    #[serde(default)]
    pub note: String,
    /// The version read: a move made meanwhile is refused.
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct FundingInput {
    pub source: String,
    /// `sought` or `won`.
    pub kind: String,
    /// In fen; a negative amount corrects an earlier entry and needs a note.
    pub amount: i64,
    pub entry_on: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct MilestoneInput {
    pub title: String,
    pub due_on: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct MilestoneDone {
    pub done_on: String,
}

/// The library in reach: projects and planned investment by stage, funding by source.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Library {
    pub by_stage: Vec<StageSum>,
    pub by_source: Vec<SourceSum>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct StageSum {
    pub stage: String,
    pub zh: String,
    pub projects: i64,
    pub budget: i64,
}
