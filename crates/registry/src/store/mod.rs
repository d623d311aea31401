//! Registry operations (DOMAIN.md §1-2): divisions, grids, staff, households and residents. Every function takes a `Scope`
//! and applies it; a row outside the scope is `NotFound`, exactly like a missing one.

use crate::model::*;
use xiangzhi_domain::*;
use xiangzhi_storage::crypto;
use xiangzhi_storage::scope::prefix_upper;
use xiangzhi_storage::sql::{Arg, Q};
use xiangzhi_storage::{now_ms, Db, Result, Scope, StoreError, Tx};

pub use xiangzhi_storage::list::*;

xiangzhi_storage::keyed_by_id!(Grid, Staff, Rental);
impl Keyed for Household {
    fn key(&self, order: &Order) -> String {
        match order {
            Order::Number => format!("{}|{}|{}", self.county_id, self.number, self.id),
            _ => format!("{}|{}|{}", self.county_id, self.division_code, self.id),
        }
    }
}
impl Keyed for Resident {
    fn key(&self, order: &Order) -> String {
        match order {
            Order::Name => format!("{}|{}|{}", self.county_id, self.name, self.id),
            _ => format!("{}|{}|{}", self.county_id, self.division_code, self.id),
        }
    }
}
impl Keyed for Division {
    fn key(&self, _: &Order) -> String {
        self.code.clone()
    }
}

/// Restricts `column` (a grid id) to the subtree of grid `grid_id`, which must be in scope.
async fn grid_subtree_filter(
    db: &Db,
    scope: &Scope,
    q: &mut Q,
    column: &str,
    grid_id: i64,
) -> Result<()> {
    let g = get_grid_row(db, scope, None, grid_id).await?;
    let path = g.1;
    let lo = q.arg(path.clone());
    let hi = q.arg(prefix_upper(&path));
    let c = q.arg(g.0.county_id);
    q.push(&format!(
        " AND {column} IN (SELECT g.id FROM grids g WHERE g.county_id = {c} AND g.path >= {lo} AND g.path < {hi})"
    ));
    Ok(())
}

pub mod bulk;
mod divisions;
mod grids;
mod people;
mod rentals;
mod staff;
pub use divisions::*;
pub use grids::*;
pub use people::*;
pub use rentals::*;
pub use staff::*;
