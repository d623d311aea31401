//! Storage for xiangzhi: sqlx on concrete SQLite and PostgreSQL pools.
//!
//! One `Db` value holds either pool; [`on_backend!`] expands a body once per backend so that the SQL
//! written here (portable: `$n` placeholders, `ON CONFLICT`, `RETURNING`) runs on both. Every query
//! that touches county-owned rows takes a [`Scope`]: that is the single place where jurisdiction is
//! enforced.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

#[macro_use]
pub mod sql;
pub mod accounts;
pub mod actor;
pub mod audit;
pub mod backup;
pub mod bulk_accounts;
pub mod citus;
pub mod crypto;
pub mod db;
pub mod duties;
pub mod error;
pub mod leases;
pub mod list;
pub mod scope;
pub mod staged;
pub mod tables;

pub use actor::{Actor, Bookkeeping};
pub use db::{Db, Tx};
pub use error::{Checker, FieldError, StoreError};
pub use list::{ListQuery, Page};
pub use scope::Scope;
pub use sql::Arg as Value;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Milliseconds since the Unix epoch, UTC: how every timestamp is stored.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
