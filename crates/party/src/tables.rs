//! The tables this feature owns.

use xiangzhi_storage::tables::{GridRule, Kind::*, Owner::*, Table};

pub const PARTY_ORGS: Table = Table {
    name: "party_orgs",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("code", Text),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("id", Int),
        ("kind", Text),
        ("name", Text),
        ("parent_id", Int),
        ("path", Text),
        ("standing", Text),
        ("updated_at", Int),
        ("version", Int),
    ],
};

pub const PARTY_MEMBERS: Table = Table {
    name: "party_members",
    owner: County,
    grid: GridRule::OfResident("resident_id"),
    columns: &[
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("id", Int),
        ("joined_on", Date),
        ("org_id", Int),
        ("resident_id", Int),
        ("role", Text),
        ("status", Text),
        ("updated_at", Int),
        ("version", Int),
    ],
};

pub const MEMBER_CONTACTS: Table = Table {
    name: "member_contacts",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("county_id", Int),
        ("created_at", Int),
        ("household_id", Int),
        ("member_id", Int),
    ],
};

pub const CONTACT_DUTIES: Table = Table {
    name: "contact_duties",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("household_id", Int),
        ("id", Int),
        ("person_name", Text),
        ("rank", Text),
        ("since", Date),
        ("target", Text),
        ("unit", Text),
        ("updated_at", Int),
        ("version", Int),
    ],
};

/// 村两委: who holds which post in a village's party organisation and committees.
pub const VILLAGE_CADRES: Table = Table {
    name: "village_cadres",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("body", Text),
        ("county_id", Int),
        ("created_at", Int),
        ("division_code", Text),
        ("id", Int),
        ("name", Text),
        ("phone", Text),
        ("phone_hash", Text),
        ("post", Text),
        ("since", Date),
        ("until", Date),
        ("updated_at", Int),
        ("version", Int),
    ],
};

/// Every table of this feature.
pub const TABLES: &[&Table] = &[
    &PARTY_ORGS,
    &PARTY_MEMBERS,
    &MEMBER_CONTACTS,
    &CONTACT_DUTIES,
    &VILLAGE_CADRES,
];
