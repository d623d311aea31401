//! The tables this feature owns.

use xiangzhi_storage::tables::{GridRule, Kind::*, Owner::*, Table};

pub const DIVISIONS: Table = Table {
    name: "divisions",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("code", Text),
        ("county_id", Int),
        ("created_at", Int),
        ("latitude", Real),
        ("level", Text),
        ("longitude", Real),
        ("name", Text),
        ("parent_code", Text),
        ("updated_at", Int),
        ("version", Int),
    ],
};

pub const REGIONS: Table = Table {
    name: "regions",
    owner: Reference,
    grid: GridRule::Closed,
    columns: &[
        ("code", Text),
        ("level", Text),
        ("name", Text),
        ("parent_code", Text),
    ],
};

pub const GRIDS: Table = Table {
    name: "grids",
    owner: County,
    grid: GridRule::Path("path"),
    columns: &[
        ("code", Text),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("id", Int),
        ("level", Text),
        ("name", Text),
        ("parent_id", Int),
        ("path", Text),
        ("updated_at", Int),
        ("version", Int),
    ],
};

pub const GRID_STAFF: Table = Table {
    name: "grid_staff",
    owner: County,
    grid: GridRule::InGrid("grid_id"),
    columns: &[
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("grid_id", Int),
        ("id", Int),
        ("name", Text),
        ("phone", Text),
        ("role", Text),
        ("unit", Text),
        ("updated_at", Int),
        ("version", Int),
    ],
};

pub const HOUSEHOLDS: Table = Table {
    name: "households",
    owner: County,
    grid: GridRule::InGrid("micro_grid_id"),
    columns: &[
        ("address", Text),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("id", Int),
        ("micro_grid_id", Int),
        ("number", Text),
        ("updated_at", Int),
        ("version", Int),
    ],
};

pub const RESIDENTS: Table = Table {
    name: "residents",
    owner: County,
    grid: GridRule::InHousehold("household_id"),
    columns: &[
        ("birth_date", Date),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("gender", Text),
        ("household_id", Int),
        ("id", Int),
        ("id_number", Text),
        ("id_number_hash", Text),
        ("id_tail_hash", Text),
        ("name", Text),
        ("phone", Text),
        ("phone_hash", Text),
        ("relation", Text),
        ("relation_word", Text),
        ("tags", Int),
        ("updated_at", Int),
        ("version", Int),
    ],
};

pub const RESIDENT_MOVES: Table = Table {
    name: "resident_moves",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("county_id", Int),
        ("from_household_id", Int),
        ("id", Int),
        ("moved_at", Int),
        ("reason", Text),
        ("resident_id", Int),
        ("to_household_id", Int),
    ],
};

/// Every table of this feature.
pub const TABLES: &[&Table] = &[
    &DIVISIONS,
    &REGIONS,
    &GRIDS,
    &GRID_STAFF,
    &HOUSEHOLDS,
    &RESIDENTS,
    &RESIDENT_MOVES,
];
