//! The tables this feature owns.

use xiangzhi_storage::tables::{GridRule, Kind::*, Owner::*, Table};

pub const MEETINGS: Table = Table {
    name: "meetings",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("entitled", Int),
        ("held_on", Date),
        ("households", Int),
        ("households_present", Int),
        ("id", Int),
        ("kind", Text),
        ("minutes", Text),
        ("notified_on", Date),
        ("online", Int),
        ("place", Text),
        ("present", Int),
        ("proxies", Int),
        ("quorum_met", Bool),
        ("quorum_reason", Text),
        ("recorded_by", Int),
        ("state", Text),
        ("title", Text),
    ],
};

pub const MEETING_ROLL: Table = Table {
    name: "meeting_roll",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("attended", Text),
        ("county_id", Int),
        ("division_code", Text),
        ("household", Text),
        ("household_id", Int),
        ("meeting_id", Int),
        ("name", Text),
        ("proxy_by", Int),
        ("proxy_name", Text),
        ("resident_id", Int),
        ("signed_at", Int),
        ("signed_by", Int),
        ("votes", Bool),
    ],
};

pub const MEETING_ITEMS: Table = Table {
    name: "meeting_items",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("abstain", Int),
        ("article", Text),
        ("authorised", Bool),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("id", Int),
        ("matter_kind", Text),
        ("meeting_id", Int),
        ("no", Int),
        ("passed", Bool),
        ("reason", Text),
        ("recorded_by", Int),
        ("title", Text),
        ("yes", Int),
    ],
};

pub const TABLES: &[&Table] = &[
    &MEETINGS,
    &MEETING_ITEMS,
    &MEETING_ROLL,
    &MATTERS,
    &MATTER_STEPS,
    &PUBLICITY_ITEMS,
];

pub const MATTERS: Table = Table {
    name: "matters",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("county_id", Int),
        ("created_at", Int),
        ("created_by", Int),
        ("description", Text),
        ("division_code", Text),
        ("id", Int),
        ("kind", Text),
        ("one_shoulder", Bool),
        ("state", Text),
        ("title", Text),
        ("updated_at", Int),
        ("version", Int),
    ],
};

pub const MATTER_STEPS: Table = Table {
    name: "matter_steps",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("evidence", Text),
        ("id", Int),
        ("joint", Bool),
        ("matter_id", Int),
        ("meeting_item_id", Int),
        ("passed", Bool),
        ("step", Text),
        ("taken_by", Int),
        ("taken_on", Date),
    ],
};

pub const PUBLICITY_ITEMS: Table = Table {
    name: "publicity_items",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("body", Text),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("fingerprint", Text),
        ("id", Int),
        ("kind", Text),
        ("matter_id", Int),
        ("posted_by", Int),
        ("posted_on", Date),
        ("title", Text),
        ("until_on", Date),
    ],
};
