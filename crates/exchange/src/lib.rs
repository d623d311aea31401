//! Import and export of the registry as CSV and Excel (.xlsx), on the tabular engine.
//!
//! Every import reads and checks the whole file first; a file with any bad row writes nothing and
//! reports each bad row with its row number, column and reason in Chinese and English. A good file
//! is written in one transaction. Exports write the same layouts, so an export re-imports unchanged.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod layouts;

pub use layouts::{export, import, Layout};
pub use xiangzhi_tabular::{table, ExchangeError, ImportReport, Progress, Quiet, RowError};
