//! Party operations: organisations, members and the households they keep in touch with, contact
//! duties and the coverage report. Every function takes a `Scope` and applies it.

use crate::model::*;
use xiangzhi_domain::*;
use xiangzhi_registry::model::*;
use xiangzhi_registry::store::*;
use xiangzhi_storage::sql::Q;
use xiangzhi_storage::{now_ms, Db, Result, Scope, StoreError, Tx};

xiangzhi_storage::keyed_by_id!(PartyOrg, PartyMember, ContactDuty);

pub mod bulk;
mod duties;
mod party;
pub use bulk::{PartyBulkRead, PartyExport};
pub use duties::DutyStore;
pub use party::*;
