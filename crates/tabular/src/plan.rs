//! What an import will do: checked in full with reads only, then written as a job in short
//! transactions. A feature's layout offers the console and the API a check that answers a
//! [`Checked`], whose [`WritePlan`] the platform writes through `staged`.

use crate::{ExchangeError, Progress};
use std::future::Future;
use std::pin::Pin;
use xiangzhi_domain::Right;
use xiangzhi_storage::staged::Staged;
use xiangzhi_storage::{Db, Scope};

/// What an import will do, as its preview shows it and its job records it.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct Summary {
    /// Data rows read.
    pub rows: usize,
    /// Rows that add a record (a resident, a grid, a member of staff).
    pub added: usize,
    /// Rows that change a record the county holds.
    pub changed: usize,
    /// Residents who move from one household to another.
    pub moved: usize,
    /// Rows the county already holds as they are.
    pub unchanged: usize,
    /// Households added and changed (household files only).
    pub new_households: usize,
    pub changed_households: usize,
    /// Rented houses added (rentals files only).
    #[serde(default)]
    pub new_rentals: usize,
    /// The first changes, row by row, in words.
    pub samples: Vec<Sample>,
}

/// One change of a preview, in words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Sample {
    pub row: usize,
    pub zh: String,
    pub en: String,
}

/// How many changes a preview lists in words (all are counted).
pub const SAMPLES: usize = 100;

impl Summary {
    /// Adds one change in words, while fewer than [`SAMPLES`] are listed.
    pub fn sample(&mut self, row: usize, zh: String, en: String) {
        if self.samples.len() < SAMPLES {
            self.samples.push(Sample { row, zh, en });
        }
    }
    /// Whether the file changes nothing.
    pub fn is_empty(&self) -> bool {
        self.added
            + self.changed
            + self.moved
            + self.new_households
            + self.changed_households
            + self.new_rentals
            == 0
    }
}

/// What a check answers.
pub type CheckFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Checked, ExchangeError>> + Send + 'a>>;
/// What a plan's writing answers: the rows written.
pub type WriteFuture<'a> = Pin<Box<dyn Future<Output = Result<usize, ExchangeError>> + Send + 'a>>;

/// What a checked file will write, in short transactions through `staged`.
pub trait WritePlan: Send {
    fn write<'a>(
        self: Box<Self>,
        staged: &'a mut Staged<'_>,
        county_id: i64,
        progress: &'a dyn Progress,
    ) -> WriteFuture<'a>;
}

/// A file checked in full, and what it will write.
pub struct Checked {
    /// The layout's name (`households`).
    pub layout: &'static str,
    pub county_id: i64,
    pub scope: Scope,
    pub summary: Summary,
    pub plan: Box<dyn WritePlan>,
}

impl Checked {
    /// A checked file of `m`'s rows: the summary counts its data rows (blank rows aside).
    pub fn new(
        layout: &'static str,
        county_id: i64,
        scope: Scope,
        m: &crate::Mapped<'_>,
        mut summary: Summary,
        plan: Box<dyn WritePlan>,
    ) -> Checked {
        summary.rows = (0..m.t.rows.len())
            .filter(|r| !crate::columns::blank_row(m, *r))
            .count();
        Checked {
            layout,
            county_id,
            scope,
            summary,
            plan,
        }
    }
}

/// How a layout is offered in the console and the API: its title, the right an import needs,
/// its blank template's header, and its check.
pub struct Offered {
    pub zh: &'static str,
    pub en: &'static str,
    pub right: Right,
    /// The header of a blank template, as a clerk reads it.
    pub template: fn() -> Vec<String>,
    /// Reads and checks a file (its bytes, `name` giving the kind) with reads only, in the county
    /// given or the caller's own.
    pub check: CheckFn,
}

/// A layout's check: (database, scope, file name, bytes, county, progress).
pub type CheckFn = for<'a> fn(
    &'a Db,
    &'a Scope,
    &'a str,
    Vec<u8>,
    Option<i64>,
    &'a dyn Progress,
) -> CheckFuture<'a>;
