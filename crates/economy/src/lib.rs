//! 集体经济 (issue 21): the village collective economy. The pure rules come first — income
//! distribution exact to the fen ([`rules::distribution`]), depreciation
//! ([`rules::depreciation`]), rent and its schedules ([`rules::rent`]), strong villages
//! ([`rules::strong`]) and the window to challenge a decision ([`rules::challenge`]). Money is
//! integer fen everywhere; no float touches an amount.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod rules;
