//! One module per command of the `xiangzhi` binary.

pub mod audit;
pub mod backup;
pub mod bench;
pub mod demo;
pub mod import;
pub mod plan;
pub mod serve;
pub mod user;
