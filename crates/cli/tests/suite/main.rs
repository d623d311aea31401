//! The one integration test binary. Every storage-touching test runs on SQLite and on PostgreSQL
//! (each run in its own, uniquely named database).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod accounts;
mod api;
mod audit_chains;
mod audit_walk;
mod backup;
mod cases;
mod conformance;
mod console;
mod decisions;
mod defects;
mod demo;
mod economy;
mod exchange;
mod fuzz;
mod helpers;
mod layout;
mod matrix;
mod notify;
mod openapi_snapshot;
mod plans;
mod points;
mod points_boards;
mod rollups;
mod rosters;
mod routing;
mod schema;
mod sealed;
mod security;
mod servers;
mod standing;
