//! The tables this feature owns. Grid workers see none of them: money and shares are the
//! village's and the township's business.

use xiangzhi_storage::tables::{GridRule, Kind::*, Owner::*, Table};

pub const COLLECTIVE_MEMBERS: Table = Table {
    name: "collective_members",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("household_id", Int),
        ("id", Int),
        ("joined_how", Text),
        ("joined_on", Date),
        ("left_how", Text),
        ("left_on", Date),
        ("name", Text),
        ("recorded_by", Int),
        ("resident_id", Int),
    ],
};

pub const SHARE_HOLDINGS: Table = Table {
    name: "share_holdings",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("certificate", Text),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("household_id", Int),
        ("id", Int),
        ("kind", Text),
        ("recorded_by", Int),
        ("shares", Int),
        ("since", Date),
    ],
};

pub const DISTRIBUTIONS: Table = Table {
    name: "distributions",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("classes", Text),
        ("county_id", Int),
        ("created_at", Int),
        ("decided_on", Date),
        ("distributable", Int),
        ("division_code", Text),
        ("id", Int),
        ("kept_amount", Int),
        ("matter_id", Int),
        ("recorded_by", Int),
        ("reserve", Int),
        ("reserve_amount", Int),
        ("state", Text),
        ("title", Text),
        ("version", Int),
        ("year", Int),
    ],
};

pub const DISTRIBUTION_LINES: Table = Table {
    name: "distribution_lines",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("amount", Int),
        ("class", Text),
        ("county_id", Int),
        ("distribution_id", Int),
        ("division_code", Text),
        ("household_id", Int),
        ("shares", Int),
    ],
};

pub const DISTRIBUTION_PAYMENTS: Table = Table {
    name: "distribution_payments",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("amount", Int),
        ("county_id", Int),
        ("created_at", Int),
        ("distribution_id", Int),
        ("division_code", Text),
        ("household_id", Int),
        ("id", Int),
        ("paid_on", Date),
        ("recorded_by", Int),
        ("voucher", Text),
    ],
};

pub const LEASES: Table = Table {
    name: "leases",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("area", Int),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("id", Int),
        ("kind", Text),
        ("lessee", Text),
        ("per_year", Int),
        ("price", Int),
        ("received", Int),
        ("recorded_by", Int),
        ("resource", Text),
        ("start_on", Date),
        ("years", Int),
    ],
};

pub const LEASE_RECEIPTS: Table = Table {
    name: "lease_receipts",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("amount", Int),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("id", Int),
        ("lease_id", Int),
        ("received_on", Date),
        ("recorded_by", Int),
        ("voucher", Text),
    ],
};

pub const COLLECTIVE_ASSETS: Table = Table {
    name: "collective_assets",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("acquired_on", Date),
        ("category", Text),
        ("cost", Int),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("id", Int),
        ("location", Text),
        ("months", Int),
        ("name", Text),
        ("recorded_by", Int),
        ("salvage", Int),
        ("state", Text),
        ("version", Int),
    ],
};

pub const FUND_ENTRIES: Table = Table {
    name: "fund_entries",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("amount", Int),
        ("category", Text),
        ("county_id", Int),
        ("created_at", Int),
        ("direction", Text),
        ("division_code", Text),
        ("entry_on", Date),
        ("id", Int),
        ("recorded_by", Int),
        ("reverses", Int),
        ("summary", Text),
        ("voucher", Text),
    ],
};

pub const STRONG_TARGETS: Table = Table {
    name: "strong_targets",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("county_id", Int),
        ("division_code", Text),
        ("set_at", Int),
        ("set_by", Int),
        ("share", Int),
        ("year", Int),
    ],
};

pub const HOUSEHOLD_CODES: Table = Table {
    name: "household_codes",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("code_hash", Text),
        ("county_id", Int),
        ("division_code", Text),
        ("household_id", Int),
        ("issued_at", Int),
        ("issued_by", Int),
    ],
};

pub const COLLECTIVE_RESOURCES: Table = Table {
    name: "collective_resources",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("area", Int),
        ("certificate", Text),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("id", Int),
        ("kind", Text),
        ("location", Text),
        ("name", Text),
        ("recorded_by", Int),
        ("registered_on", Date),
        ("state", Text),
        ("used_by", Text),
        ("version", Int),
    ],
};

pub const ENTERPRISES: Table = Table {
    name: "enterprises",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("business", Text),
        ("county_id", Int),
        ("created_at", Int),
        ("credit_code", Text),
        ("division_code", Text),
        ("founded_on", Date),
        ("id", Int),
        ("kind", Text),
        ("name", Text),
        ("recorded_by", Int),
    ],
};

pub const ENTERPRISE_MEMBERS: Table = Table {
    name: "enterprise_members",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("enterprise_id", Int),
        ("household_id", Int),
        ("joined_on", Date),
        ("recorded_by", Int),
        ("shares", Int),
    ],
};

pub const ENTERPRISE_YEARS: Table = Table {
    name: "enterprise_years",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("enterprise_id", Int),
        ("profit", Int),
        ("recorded_by", Int),
        ("revenue", Int),
        ("to_collective", Int),
        ("to_members", Int),
        ("year", Int),
    ],
};

pub const PRODUCE_SALES: Table = Table {
    name: "produce_sales",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("amount", Int),
        ("buyer", Text),
        ("channel", Text),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("id", Int),
        ("kilograms", Int),
        ("product", Text),
        ("recorded_by", Int),
        ("sold_on", Date),
    ],
};

pub const COLLECTIVE_PROJECTS: Table = Table {
    name: "collective_projects",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("alliance_id", Int),
        ("budget", Int),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("id", Int),
        ("kind", Text),
        ("name", Text),
        ("recorded_by", Int),
        ("sought", Int),
        ("stage", Text),
        ("stage_on", Date),
        ("summary", Text),
        ("version", Int),
        ("won", Int),
    ],
};

pub const PROJECT_VILLAGES: Table = Table {
    name: "project_villages",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("county_id", Int),
        ("division_code", Text),
        ("project_id", Int),
    ],
};

pub const PROJECT_STAGES: Table = Table {
    name: "project_stages",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("id", Int),
        ("note", Text),
        ("project_id", Int),
        ("recorded_by", Int),
        ("stage", Text),
        ("stage_on", Date),
    ],
};

pub const PROJECT_FUNDING: Table = Table {
    name: "project_funding",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("amount", Int),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("entry_on", Date),
        ("id", Int),
        ("kind", Text),
        ("note", Text),
        ("project_id", Int),
        ("recorded_by", Int),
        ("source", Text),
    ],
};

pub const PROJECT_MILESTONES: Table = Table {
    name: "project_milestones",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("done_on", Date),
        ("due_on", Date),
        ("id", Int),
        ("project_id", Int),
        ("recorded_by", Int),
        ("title", Text),
    ],
};

pub const TABLES: &[&Table] = &[
    &COLLECTIVE_MEMBERS,
    &SHARE_HOLDINGS,
    &DISTRIBUTIONS,
    &DISTRIBUTION_LINES,
    &DISTRIBUTION_PAYMENTS,
    &LEASES,
    &LEASE_RECEIPTS,
    &COLLECTIVE_ASSETS,
    &FUND_ENTRIES,
    &STRONG_TARGETS,
    &HOUSEHOLD_CODES,
    &COLLECTIVE_RESOURCES,
    &ENTERPRISES,
    &ENTERPRISE_MEMBERS,
    &ENTERPRISE_YEARS,
    &PRODUCE_SALES,
    &COLLECTIVE_PROJECTS,
    &PROJECT_VILLAGES,
    &PROJECT_STAGES,
    &PROJECT_FUNDING,
    &PROJECT_MILESTONES,
];
