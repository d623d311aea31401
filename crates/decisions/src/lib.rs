//! 议事与公开 (issue 20): village decisions as the law defines them. The pure rules come first:
//! each kind of meeting's quorum and threshold with the article it comes from
//! ([`rules::meetings`]), which matters must go through 四议两公开 and which meeting may decide
//! them ([`rules::matters`]), and the order of the procedure's steps ([`rules::procedure`]). The
//! store, the pages, the API and village affairs publicity build on them.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod rules;
