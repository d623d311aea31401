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
    /// The system's own (accounts, sessions, settings): not divided by county.
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
    /// Rows of the subtree, or of the division with no grid at all; and, wherever they lie, the
    /// rows assigned to the acting account by its `handler` column (cases: a village's case given
    /// to one of its grid workers is in that worker's reach while it is theirs).
    Assigned {
        grid: &'static str,
        handler: &'static str,
    },
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

pub const AUDIT_ANCHORS: Table = Table {
    name: "audit_anchors",
    owner: County,
    grid: GridRule::Closed,
    columns: &[("county_id", Int), ("hash", Text), ("seq", Int)],
};

pub const AUDIT_CHECKPOINTS: Table = Table {
    name: "audit_checkpoints",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("at", Int),
        ("county_id", Int),
        ("hash", Text),
        ("seq", Int),
        ("signature", Text),
    ],
};

pub const AUDIT_HEADS: Table = Table {
    name: "audit_heads",
    owner: County,
    grid: GridRule::Closed,
    columns: &[("county_id", Int), ("hash", Text), ("seq", Int)],
};

/// Each county's entries (county 0: the system's own). Read only by auditors, never through a
/// scope: `GridRule::Closed`.
pub const AUDIT_LOG: Table = Table {
    name: "audit_log",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("action", Text),
        ("at", Int),
        ("county_id", Int),
        ("detail", Text),
        ("hash", Text),
        ("id", Int),
        ("login", Text),
        ("object", Text),
        ("outcome", Text),
        ("prev_hash", Text),
        ("seq", Int),
        ("source", Text),
        ("user_id", Int),
    ],
};

pub const ID_COUNTERS: Table = Table {
    name: "id_counters",
    owner: County,
    grid: GridRule::Closed,
    columns: &[("county_id", Int), ("kind", Text), ("next_id", Int)],
};

pub const IMPORT_JOBS: Table = Table {
    name: "import_jobs",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("account_id", Int),
        ("county_id", Int),
        ("created_at", Int),
        ("digest", Text),
        ("division_code", Text),
        ("errors", Text),
        ("file", Bytes),
        ("file_name", Text),
        ("id", Int),
        ("layout", Text),
        ("login", Text),
        ("progress", Int),
        ("rows_total", Int),
        ("status", Text),
        ("summary", Text),
        ("updated_at", Int),
    ],
};

pub const IMPORT_UNDO: Table = Table {
    name: "import_undo",
    owner: County,
    grid: GridRule::Closed,
    columns: &[
        ("before", Text),
        ("county_id", Int),
        ("id_from", Int),
        ("id_to", Int),
        ("job_id", Int),
        ("seq", Int),
        ("tbl", Text),
    ],
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

/// Which server runs each background job (see `leases`).
pub const WORKER_LEASES: Table = Table {
    name: "worker_leases",
    owner: Global,
    grid: GridRule::Closed,
    columns: &[("holder", Text), ("name", Text), ("until", Int)],
};

/// Every table of the schema, by name.
pub const TABLES: &[&Table] = &[
    &ACCOUNT_REQUESTS,
    &API_TOKENS,
    &AUDIT_ANCHORS,
    &AUDIT_CHECKPOINTS,
    &AUDIT_HEADS,
    &AUDIT_LOG,
    &ID_COUNTERS,
    &IMPORT_JOBS,
    &IMPORT_UNDO,
    &LOGIN_DEVICES,
    &LOGIN_THROTTLE,
    &PASSWORD_HISTORY,
    &SESSIONS,
    &SETTINGS,
    &USERS,
    &WORKER_LEASES,
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
