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
        ("self_report", Bool),
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
    &POINTS_BOARD_RULES,
    &POINTS_BOARDS,
    &POINTS_BOARD_ENTRIES,
    &POINTS_OBJECTIONS,
    &MEMBER_LINKS,
    &MEMBER_AWAY,
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
        ("away", Bool),
        ("stars", Int),
    ],
};

pub const POINTS_BOARD_RULES: Table = Table {
    name: "points_board_rules",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("black_days", Int),
        ("black_min_age", Int),
        ("black_names", Text),
        ("county_id", Int),
        ("objection_days", Int),
        ("red_days", Int),
        ("red_size", Int),
        ("updated_at", Int),
    ],
};

pub const POINTS_BOARDS: Table = Table {
    name: "points_boards",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("black_until", Int),
        ("county_id", Int),
        ("division_code", Text),
        ("drafted_at", Int),
        ("drafted_by", Int),
        ("id", Int),
        ("month", Text),
        ("objection_until", Int),
        ("published_at", Int),
        ("published_by", Int),
        ("red_until", Int),
        ("state", Text),
    ],
};

pub const POINTS_BOARD_ENTRIES: Table = Table {
    name: "points_board_entries",
    owner: County,
    grid: GridRule::InHousehold("household_id"),
    columns: &[
        ("board_id", Int),
        ("county_id", Int),
        ("division_code", Text),
        ("household_id", Int),
        ("id", Int),
        ("items", Text),
        ("list", Text),
        ("place", Int),
        ("points", Int),
        ("shown_name", Text),
        ("withdrawn", Bool),
    ],
};

pub const POINTS_OBJECTIONS: Table = Table {
    name: "points_objections",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("board_id", Int),
        ("county_id", Int),
        ("decided_at", Int),
        ("decided_by", Int),
        ("division_code", Text),
        ("entry_id", Int),
        ("household_id", Int),
        ("id", Int),
        ("list", Text),
        ("lodged_at", Int),
        ("lodged_by", Int),
        ("note", Text),
        ("objector", Text),
        ("reason", Text),
        ("state", Text),
    ],
};

pub const MEMBER_LINKS: Table = Table {
    name: "member_links",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("code_hash", Text),
        ("county_id", Int),
        ("division_code", Text),
        ("issued_at", Int),
        ("issued_by", Int),
        ("member_id", Int),
    ],
};

pub const MEMBER_AWAY: Table = Table {
    name: "member_away",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("county_id", Int),
        ("division_code", Text),
        ("from_month", Text),
        ("id", Int),
        ("member_id", Int),
        ("place", Text),
        ("recorded_at", Int),
        ("recorded_by", Int),
        ("to_month", Text),
    ],
};
