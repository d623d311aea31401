//! The catalogue of every table: who owns its rows (a county, the reference data every county
//! shares, or the system), how a grid-bound account's view of it narrows, and its columns with
//! their types. The scope filter reads it (never the SQL text), the schema-parity test holds both
//! backends' schemas against it, and a Citus cluster distributes the county-owned tables by
//! `county_id` from it. A new table is added here and in both backends' migrations.

/// Who owns a table's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Rows belong to one county; `county_id` leads every key (distributed by county).
    County,
    /// Shared by every county (provinces and prefectures): a reference table.
    Reference,
    /// The system's own (accounts, sessions, the audit log): not divided by county.
    Global,
}

/// How an account bound to a grid sees a county-owned table: the rows of its grid's subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridRule {
    /// Not narrowed by grid (divisions, party organisations, contact duties, notifications).
    Open,
    /// The grids themselves, by their materialised path column.
    Path(&'static str),
    /// Rows whose grid column names a grid of the subtree (staff, households).
    InGrid(&'static str),
    /// Rows of the subtree, or of the division with no grid at all (cases).
    OptionalGrid(&'static str),
    /// Rows whose household lies in the subtree (residents).
    InHousehold(&'static str),
    /// Rows whose resident lies in the subtree (party members).
    OfResident(&'static str),
    /// Nothing (fail closed): a grid-bound account sees no rows of it.
    Closed,
}

/// A column's type, as both backends store it (SQLite / PostgreSQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// BIGINT / bigint
    Int,
    /// INTEGER 0/1 / boolean
    Bool,
    /// TEXT / text
    Text,
    /// REAL / double precision (coordinates only, never money)
    Real,
    /// DATE / date
    Date,
    /// BLOB / bytea
    Bytes,
}

/// One table.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub owner: Owner,
    pub grid: GridRule,
    /// Columns and types, by name.
    pub columns: &'static [(&'static str, Kind)],
}

use Kind::*;
use Owner::*;

pub const ACCOUNT_REQUESTS: Table = Table {
    name: "account_requests",
    owner: Global,
    grid: GridRule::Closed,
    columns: &[
        ("decided_at", Int),
        ("decided_by", Int),
        ("display_name", Text),
        ("division_code", Text),
        ("grid_id", Int),
        ("id", Int),
        ("kind", Text),
        ("login", Text),
        ("note", Text),
        ("password_hash", Text),
        ("requested_at", Int),
        ("requested_by", Int),
        ("role", Text),
        ("state", Text),
        ("target_user_id", Int),
    ],
};

pub const API_TOKENS: Table = Table {
    name: "api_tokens",
    owner: Global,
    grid: GridRule::Closed,
    columns: &[
        ("created_at", Int),
        ("id", Int),
        ("last_used", Int),
        ("name", Text),
        ("revoked_at", Int),
        ("token_hash", Text),
        ("user_id", Int),
    ],
};

pub const AUDIT_ANCHOR: Table = Table {
    name: "audit_anchor",
    owner: Global,
    grid: GridRule::Closed,
    columns: &[("hash", Text), ("id", Int), ("seq", Int)],
};

pub const AUDIT_CHECKPOINTS: Table = Table {
    name: "audit_checkpoints",
    owner: Global,
    grid: GridRule::Closed,
    columns: &[
        ("at", Int),
        ("hash", Text),
        ("seq", Int),
        ("signature", Text),
    ],
};

pub const AUDIT_HEAD: Table = Table {
    name: "audit_head",
    owner: Global,
    grid: GridRule::Closed,
    columns: &[("hash", Text), ("id", Int), ("seq", Int)],
};

pub const AUDIT_LOG: Table = Table {
    name: "audit_log",
    owner: Global,
    grid: GridRule::Closed,
    columns: &[
        ("action", Text),
        ("at", Int),
        ("detail", Text),
        ("hash", Text),
        ("login", Text),
        ("object", Text),
        ("outcome", Text),
        ("prev_hash", Text),
        ("seq", Int),
        ("source", Text),
        ("user_id", Int),
    ],
};

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
    grid: GridRule::OptionalGrid("grid_id"),
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

pub const DIVISIONS: Table = Table {
    name: "divisions",
    owner: County,
    grid: GridRule::Open,
    columns: &[
        ("code", Text),
        ("county_id", Int),
        ("created_at", Int),
        ("level", Text),
        ("name", Text),
        ("parent_code", Text),
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

pub const ID_COUNTERS: Table = Table {
    name: "id_counters",
    owner: County,
    grid: GridRule::Closed,
    columns: &[("county_id", Int), ("kind", Text), ("next_id", Int)],
};

pub const LOGIN_DEVICES: Table = Table {
    name: "login_devices",
    owner: Global,
    grid: GridRule::Closed,
    columns: &[
        ("created_at", Int),
        ("failed_logins", Int),
        ("last_used", Int),
        ("locked_until", Int),
        ("token_hash", Text),
        ("user_id", Int),
    ],
};

pub const LOGIN_THROTTLE: Table = Table {
    name: "login_throttle",
    owner: Global,
    grid: GridRule::Closed,
    columns: &[("failures", Int), ("source", Text), ("window_start", Int)],
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
        ("user_id", Int),
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

pub const PASSWORD_HISTORY: Table = Table {
    name: "password_history",
    owner: Global,
    grid: GridRule::Closed,
    columns: &[
        ("changed_at", Int),
        ("password_hash", Text),
        ("user_id", Int),
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
        ("name", Text),
        ("phone", Text),
        ("relation", Text),
        ("tags", Int),
        ("updated_at", Int),
        ("version", Int),
    ],
};

pub const SESSIONS: Table = Table {
    name: "sessions",
    owner: Global,
    grid: GridRule::Closed,
    columns: &[
        ("created_at", Int),
        ("last_seen", Int),
        ("source", Text),
        ("token_hash", Text),
        ("user_id", Int),
    ],
};

pub const SETTINGS: Table = Table {
    name: "settings",
    owner: Global,
    grid: GridRule::Closed,
    columns: &[("name", Text), ("value", Text)],
};

pub const USERS: Table = Table {
    name: "users",
    owner: Global,
    grid: GridRule::Closed,
    columns: &[
        ("created_at", Int),
        ("disabled", Bool),
        ("display_name", Text),
        ("division_code", Text),
        ("failed_logins", Int),
        ("grid_id", Int),
        ("grid_path", Text),
        ("id", Int),
        ("locked_until", Int),
        ("login", Text),
        ("password_changed_at", Int),
        ("password_hash", Text),
        ("role", Text),
        ("updated_at", Int),
    ],
};

/// Every table of the schema, by name.
pub const TABLES: &[&Table] = &[
    &ACCOUNT_REQUESTS,
    &API_TOKENS,
    &AUDIT_ANCHOR,
    &AUDIT_CHECKPOINTS,
    &AUDIT_HEAD,
    &AUDIT_LOG,
    &CASE_CATEGORIES,
    &CASE_DEADLINES,
    &CASE_EVENTS,
    &CASE_FILES,
    &CASES,
    &CONTACT_DUTIES,
    &DIVISIONS,
    &GRID_STAFF,
    &GRIDS,
    &HOUSEHOLDS,
    &ID_COUNTERS,
    &LOGIN_DEVICES,
    &LOGIN_THROTTLE,
    &MEDIATION_SESSIONS,
    &MEDIATION_VISITS,
    &MEDIATIONS,
    &MEMBER_CONTACTS,
    &NOTIFICATIONS,
    &PARTY_MEMBERS,
    &PARTY_ORGS,
    &PASSWORD_HISTORY,
    &REGIONS,
    &RESIDENT_MOVES,
    &RESIDENTS,
    &SESSIONS,
    &SETTINGS,
    &USERS,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn county_tables_carry_the_county() {
        for t in TABLES {
            let has_county = t
                .columns
                .iter()
                .any(|(c, k)| *c == "county_id" && *k == Int);
            assert_eq!(t.owner == County, has_county, "{}", t.name);
            if t.owner != County {
                assert_eq!(t.grid, GridRule::Closed, "{}", t.name);
            }
            let mut names: Vec<&str> = t.columns.iter().map(|c| c.0).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), t.columns.len(), "{}: a column twice", t.name);
        }
    }
}
