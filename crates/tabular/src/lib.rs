//! The tabular engine: CSV and Excel (.xlsx) files read as rows of text cells, columns found by
//! their headers (Chinese or English), and row/column errors in Chinese and English.
//!
//! It knows no feature. A feature describes a file layout with [`columns::Col`]s and checks every
//! row into [`columns::Errors`] before writing anything: a file with any bad row writes nothing and
//! reports each bad row with its row number, column and reason. Features list their layouts as
//! [`Layout`]s, which the command line's `import` and `export` find by name.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod columns;
pub mod layout;
pub mod plan;
pub mod table;

pub use columns::{col, col_aka, find_header, Col, Errors, Mapped};

/// Reads a file for a layout: its header found even below a title row (`find_header`).
pub fn read_for(path: &Path, cols: &[Col]) -> Result<table::Table, ExchangeError> {
    let mut t = table::read(path)?;
    find_header(&mut t, cols);
    Ok(t)
}
pub use layout::{find, FileLayout};
pub use plan::{Checked, Offered, Summary, WritePlan};

use std::fmt;
use std::path::Path;
use xiangzhi_storage::StoreError;

/// One rejected cell or row (as import jobs keep it and the API shows it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RowError {
    /// Row number as shown in the file (the header is row 1).
    pub row: usize,
    /// Column letter (spreadsheets) or number (CSV) with its header; empty for a whole-row problem.
    pub column: String,
    pub zh: String,
    pub en: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            write!(
                f,
                "第{}行：{} / row {}: {}",
                self.row, self.zh, self.row, self.en
            )
        } else {
            write!(
                f,
                "第{}行 {}列：{} / row {}, column {}: {}",
                self.row, self.column, self.zh, self.row, self.column, self.en
            )
        }
    }
}

#[derive(Debug)]
pub enum ExchangeError {
    /// The file has bad rows; nothing was written. `total` counts them all, `errors` lists the first.
    Rows {
        errors: Vec<RowError>,
        total: usize,
    },
    /// The file as a whole is unusable (unknown layout, missing column, unreadable).
    Format {
        zh: String,
        en: String,
    },
    Io {
        path: String,
        error: std::io::Error,
    },
    Store(StoreError),
}

impl ExchangeError {
    pub fn io(path: &Path, error: std::io::Error) -> Self {
        ExchangeError::Io {
            path: path.display().to_string(),
            error,
        }
    }
}

impl From<StoreError> for ExchangeError {
    fn from(e: StoreError) -> Self {
        ExchangeError::Store(e)
    }
}

impl fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExchangeError::Rows { errors, total } => {
                writeln!(f, "文件有{total}处错误，未写入任何数据 / the file has {total} errors; nothing was written")?;
                for e in errors {
                    writeln!(f, "  {e}")?;
                }
                if *total > errors.len() {
                    writeln!(
                        f,
                        "  …另有{}处 / …and {} more",
                        total - errors.len(),
                        total - errors.len()
                    )?;
                }
                Ok(())
            }
            ExchangeError::Format { zh, en } => write!(f, "{zh} / {en}"),
            ExchangeError::Io { path, error } => write!(
                f,
                "无法读写文件 {path} / cannot read or write {path}: {error}"
            ),
            ExchangeError::Store(e) => write!(f, "数据库错误 / database error: {e}"),
        }
    }
}

impl std::error::Error for ExchangeError {}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: usize,
    /// Rows inserted or changed.
    pub written: usize,
    /// Rows already present unchanged (divisions only).
    pub unchanged: usize,
    /// Placeholder rows of the official tables that stand for no division of their own (a
    /// sub-unit numbered 000 whose code is its parent's), left out.
    pub skipped: usize,
}

/// Receives progress of long imports (the command line shows a bar).
pub trait Progress: Sync {
    fn phase(&self, _name: &str, _total: u64) {}
    fn advance(&self, _n: u64) {}
}

/// No progress display.
pub struct Quiet;
impl Progress for Quiet {}
