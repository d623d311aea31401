//! The tables this feature owns.

use xiangzhi_storage::tables::{GridRule, Kind::*, Owner::*, Table};

pub const ALLIANCE_PLANS: Table = Table {
    name: "alliance_plans",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("accepted_at", Int),
        ("accepted_by", Int),
        ("county_id", Int),
        ("created_at", Int),
        ("created_by", Int),
        ("division_code", Text),
        ("error", Text),
        ("finished_at", Int),
        ("id", Int),
        ("params", Text),
        ("result", Text),
        ("seed", Int),
        ("status", Text),
        ("villages_done", Int),
        ("villages_total", Int),
    ],
};

pub const ALLIANCE_VILLAGES: Table = Table {
    name: "alliance_villages",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("county_id", Int),
        ("division_code", Text),
        ("lead", Bool),
        ("org_id", Int),
        ("plan_id", Int),
    ],
};

pub const VILLAGE_PROFILES: Table = Table {
    name: "village_profiles",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("county_id", Int),
        ("division_code", Text),
        ("excluded", Bool),
        ("income_fen", Int),
        ("industries", Text),
        ("latitude", Real),
        ("longitude", Real),
        ("may_lead", Bool),
        ("neighbours", Text),
        ("population", Int),
        ("standing", Text),
        ("target", Bool),
        ("updated_at", Int),
    ],
};

/// Every table of this feature.
pub const TABLES: &[&Table] = &[&ALLIANCE_PLANS, &ALLIANCE_VILLAGES, &VILLAGE_PROFILES];
