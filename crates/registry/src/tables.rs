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
        ("standing", Text),
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

/// 人口变动: a resident's move out of the county, death, or return.
pub const RESIDENT_EVENTS: Table = Table {
    name: "resident_events",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("county_id", Int),
        ("created_at", Int),
        ("happened_on", Date),
        ("household_id", Int),
        ("id", Int),
        ("kind", Text),
        ("note", Text),
        ("place", Text),
        ("resident_id", Int),
    ],
};

/// 出租房屋: rented houses of a micro-grid.
pub const RENTALS: Table = Table {
    name: "rentals",
    owner: County,
    grid: GridRule::InGrid("grid_id"),
    columns: &[
        ("address", Text),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("grid_id", Int),
        ("id", Int),
        ("owner_name", Text),
        ("owner_phone", Text),
        ("owner_phone_hash", Text),
        ("purpose", Text),
        ("updated_at", Int),
        ("version", Int),
    ],
};

/// 流动人口: the tenants of rented houses (ID numbers and phones sealed).
pub const TENANTS: Table = Table {
    name: "tenants",
    owner: County,
    grid: GridRule::InGrid("grid_id"),
    columns: &[
        ("birth_date", Date),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("gender", Text),
        ("grid_id", Int),
        ("id", Int),
        ("id_number", Text),
        ("id_number_hash", Text),
        ("moved_in", Date),
        ("moved_out", Date),
        ("name", Text),
        ("origin", Text),
        ("phone", Text),
        ("phone_hash", Text),
        ("rental_id", Int),
        ("updated_at", Int),
        ("version", Int),
        ("workplace", Text),
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
    &RESIDENT_EVENTS,
    &RENTALS,
    &TENANTS,
];
