//! The tables this feature owns.

use xiangzhi_storage::tables::{GridRule, Kind::*, Owner::*, Table};

pub const POINTS_RULES: Table = Table {
    name: "points_rules",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("active", Bool),
        ("code", Text),
        ("county_id", Int),
        ("created_at", Int),
        ("dimension", Text),
        ("evidence_required", Bool),
        ("holder", Text),
        ("id", Int),
        ("item", Text),
        ("month_cap", Int),
        ("points", Int),
        ("updated_at", Int),
        ("version", Int),
        ("year_cap", Int),
    ],
};

pub const POINTS_ACCOUNTS: Table = Table {
    name: "points_accounts",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("balance", Int),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("holder", Text),
        ("holder_id", Int),
        ("id", Int),
        ("updated_at", Int),
    ],
};

pub const POINTS_CLAIMS: Table = Table {
    name: "points_claims",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("account_id", Int),
        ("case_id", Int),
        ("county_id", Int),
        ("decided_at", Int),
        ("decided_by", Int),
        ("division_code", Text),
        ("entry_id", Int),
        ("evidence", Text),
        ("id", Int),
        ("month", Text),
        ("note", Text),
        ("points", Int),
        ("recorded_at", Int),
        ("recorded_by", Int),
        ("rule_id", Int),
        ("state", Text),
    ],
};

pub const POINTS_ENTRIES: Table = Table {
    name: "points_entries",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("account_id", Int),
        ("approved_by", Int),
        ("claim_id", Int),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("evidence", Text),
        ("id", Int),
        ("kind", Text),
        ("month", Text),
        ("points", Int),
        ("recorded_by", Int),
        ("reverses_id", Int),
        ("rule_id", Int),
    ],
};

/// Every table of this feature.
pub const TABLES: &[&Table] = &[
    &POINTS_RULES,
    &POINTS_ACCOUNTS,
    &POINTS_CLAIMS,
    &POINTS_ENTRIES,
    &STORE_GOODS,
    &STORE_MOVES,
    &POINTS_SETTINGS,
    &MEMBER_MONTHS,
    &MEMBER_MONTH_RESULTS,
];

pub const STORE_GOODS: Table = Table {
    name: "store_goods",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("active", Bool),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("id", Int),
        ("name", Text),
        ("price", Int),
        ("stock", Int),
        ("unit", Text),
        ("updated_at", Int),
        ("version", Int),
    ],
};

pub const STORE_MOVES: Table = Table {
    name: "store_moves",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("donor", Text),
        ("entry_id", Int),
        ("goods_id", Int),
        ("id", Int),
        ("kind", Text),
        ("note", Text),
        ("points", Int),
        ("quantity", Int),
        ("recorded_by", Int),
    ],
};

pub const POINTS_SETTINGS: Table = Table {
    name: "points_settings",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("county_id", Int),
        ("publish_days", Int),
        ("star_thresholds", Text),
        ("updated_at", Int),
    ],
};

pub const MEMBER_MONTHS: Table = Table {
    name: "member_months",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("county_id", Int),
        ("division_code", Text),
        ("finalized_at", Int),
        ("finalized_by", Int),
        ("id", Int),
        ("month", Text),
        ("org_id", Int),
        ("publish_until", Int),
        ("published_at", Int),
        ("published_by", Int),
        ("state", Text),
    ],
};

pub const MEMBER_MONTH_RESULTS: Table = Table {
    name: "member_month_results",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("county_id", Int),
        ("division_code", Text),
        ("id", Int),
        ("member_id", Int),
        ("month_id", Int),
        ("points", Int),
        ("probationary", Bool),
        ("stars", Int),
    ],
};
