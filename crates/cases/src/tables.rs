//! The tables this feature owns.

use xiangzhi_storage::tables::{GridRule, Kind::*, Owner::*, Table};

pub const CASE_CATEGORIES: Table = Table {
    name: "case_categories",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("code", Text),
        ("county_id", Int),
        ("is_dispute", Bool),
        ("is_public", Bool),
        ("level", Text),
        ("name", Text),
    ],
};

pub const CASE_DEADLINES: Table = Table {
    name: "case_deadlines",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("accept_hours", Int),
        ("confirm_days", Int),
        ("county_id", Int),
        ("extension_days", Int),
        ("reopen_days", Int),
        ("resolve_county", Int),
        ("resolve_grid", Int),
        ("resolve_micro_grid", Int),
        ("resolve_township", Int),
        ("resolve_village", Int),
        ("updated_at", Int),
    ],
};

pub const CASE_EVENTS: Table = Table {
    name: "case_events",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("action", Text),
        ("actor", Text),
        ("at", Int),
        ("case_id", Int),
        ("county_id", Int),
        ("from_state", Text),
        ("handler_id", Int),
        ("is_public", Bool),
        ("level", Text),
        ("note", Text),
        ("seq", Int),
        ("to_state", Text),
        ("user_id", Int),
    ],
};

pub const CASE_FILES: Table = Table {
    name: "case_files",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("case_id", Int),
        ("content_type", Text),
        ("county_id", Int),
        ("data", Bytes),
        ("is_public", Bool),
        ("name", Text),
        ("seq", Int),
        ("sha256", Text),
        ("size", Int),
        ("uploaded_at", Int),
        ("uploaded_by", Int),
    ],
};

pub const CASES: Table = Table {
    name: "cases",
    owner: County,
    grid: GridRule::Assigned {
        grid: "grid_id",
        handler: "handler_id",
    },
    columns: &[
        ("anonymous", Bool),
        ("auto_escalations", Int),
        ("category", Text),
        ("county_id", Int),
        ("created_at", Int),
        ("description", Text),
        ("division_code", Text),
        ("due_at", Int),
        ("extension", Text),
        ("grid_id", Int),
        ("handler_id", Int),
        ("household_id", Int),
        ("id", Int),
        ("idempotency_key", Text),
        ("latitude", Real),
        ("level", Text),
        ("longitude", Real),
        ("merged_into", Int),
        ("proxy_rating", Int),
        ("rating", Int),
        ("reopened", Int),
        ("reported_by", Int),
        ("reporter_kind", Text),
        ("reporter_name", Text),
        ("reporter_phone", Text),
        ("resolved_at", Int),
        ("state", Text),
        ("supervised", Bool),
        ("tracking_hash", Text),
        ("updated_at", Int),
        ("urgency", Text),
        ("version", Int),
    ],
};

pub const MEDIATION_SESSIONS: Table = Table {
    name: "mediation_sessions",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("case_id", Int),
        ("county_id", Int),
        ("held_at", Int),
        ("place", Text),
        ("seq", Int),
        ("summary", Text),
        ("user_id", Int),
    ],
};

pub const MEDIATION_VISITS: Table = Table {
    name: "mediation_visits",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("case_id", Int),
        ("county_id", Int),
        ("holding", Bool),
        ("note", Text),
        ("seq", Int),
        ("user_id", Int),
        ("visited_at", Int),
    ],
};

pub const MEDIATIONS: Table = Table {
    name: "mediations",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("agreed_at", Int),
        ("agreement", Text),
        ("case_id", Int),
        ("county_id", Int),
        ("created_at", Int),
        ("mediator", Text),
        ("method", Text),
        ("parties", Text),
        ("updated_at", Int),
    ],
};

pub const NOTIFICATIONS: Table = Table {
    name: "notifications",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("attempts", Int),
        ("case_id", Int),
        ("county_id", Int),
        ("created_at", Int),
        ("delivered_at", Int),
        ("delivery", Text),
        ("division_code", Text),
        ("id", Int),
        ("kind", Text),
        ("last_error", Text),
        ("message_en", Text),
        ("message_zh", Text),
        ("next_attempt_at", Int),
        ("to_division", Text),
        ("to_phone", Text),
        ("user_id", Int),
    ],
};

/// 统计汇总: cases by township, month, category and state (see `store::rollups`).
pub const CASE_ROLLUPS: Table = Table {
    name: "case_rollups",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("cases", Int),
        ("category", Text),
        ("county_id", Int),
        ("month", Text),
        ("on_time", Int),
        ("rated", Int),
        ("rating_sum", Int),
        ("resolved", Int),
        ("settled_township", Int),
        ("settled_village", Int),
        ("state", Text),
        ("township", Text),
    ],
};

/// The resolved cases' durations by township and month, as a histogram.
pub const CASE_DURATIONS: Table = Table {
    name: "case_durations",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("bucket", Int),
        ("cases", Int),
        ("county_id", Int),
        ("month", Text),
        ("township", Text),
    ],
};

/// Each county's fold mark for the roll-ups.
pub const CASE_ROLLUP_MARKS: Table = Table {
    name: "case_rollup_marks",
    owner: County,
    grid: GridRule::Closed,
    columns: &[("county_id", Int), ("folded_to", Int)],
};

/// Every table of this feature.
pub const TABLES: &[&Table] = &[
    &CASE_CATEGORIES,
    &CASE_DEADLINES,
    &CASE_DURATIONS,
    &CASE_EVENTS,
    &CASE_FILES,
    &CASE_ROLLUP_MARKS,
    &CASE_ROLLUPS,
    &CASES,
    &MEDIATION_SESSIONS,
    &MEDIATION_VISITS,
    &MEDIATIONS,
    &NOTIFICATIONS,
];
