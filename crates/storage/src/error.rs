//! Storage errors. Validation failures name the field and say why in Chinese and English.

use xiangzhi_domain::Invalid;

pub use xiangzhi_domain::validate::{Checker, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Missing, or outside the caller's scope: the two are indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// A uniqueness or reference rule of the registry would be broken.
    #[error("conflict: {0:?}")]
    Conflict(FieldError),
    /// A query was built wrong (a programming error, never the caller's).
    #[error("query: {0}")]
    Query(String),
    /// The caller's role may not do this (Chinese / English).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A transaction wrote without an audit entry or a bookkeeping reason (a programming error:
    /// the write was rolled back).
    #[error("unaudited write refused: {0}")]
    Unaudited(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    pub fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        StoreError::Invalid(vec![FieldError::new(field, Invalid::new(zh, en))])
    }
    pub fn conflict(field: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        StoreError::Conflict(FieldError::new(field, Invalid::new(zh, en)))
    }
    /// Whether the database was too busy to answer in time (SQLite's write lock held past the busy
    /// timeout, a PostgreSQL lock or serialization conflict, no free connection): worth trying
    /// again shortly, never the caller's fault.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::PoolTimedOut) => true,
            StoreError::Db(sqlx::Error::Database(d)) => {
                matches!(
                    d.code().as_deref(),
                    // SQLite: SQLITE_BUSY, SQLITE_LOCKED (and their extended codes' primary byte).
                    Some("5" | "6" | "261" | "262" | "517")
                    // PostgreSQL: serialization failure, deadlock, lock not available.
                    | Some("40001" | "40P01" | "55P03")
                ) || d.message().contains("database is locked")
            }
            _ => false,
        }
    }

    /// Maps a database constraint violation onto a conflict, leaving other errors alone.
    pub fn from_db(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e {
            let msg = d.message().to_string();
            if d.is_unique_violation() {
                return StoreError::conflict(
                    "",
                    format!("与已有记录重复：{msg}"),
                    format!("duplicates an existing record: {msg}"),
                );
            }
            if d.is_foreign_key_violation() {
                return StoreError::conflict(
                    "",
                    format!("仍被其他记录引用或引用了不存在的记录：{msg}"),
                    format!("still referenced by other records, or refers to a missing one: {msg}"),
                );
            }
        }
        StoreError::Db(e)
    }
}

impl From<Vec<FieldError>> for StoreError {
    fn from(fields: Vec<FieldError>) -> Self {
        StoreError::Invalid(fields)
    }
}
