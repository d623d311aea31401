//! Registry operations (DOMAIN.md §1-2): divisions, grids, staff, households, residents, party
//! organisations and members, member contacts and contact duties. Every function takes a `Scope`
//! and applies it; a row outside the scope is `NotFound`, exactly like a missing one.

use crate::crypto;
use crate::model::*;
use crate::scope::prefix_upper;
use crate::sql::{Arg, Q};
use crate::{now_ms, Db, Result, Scope, StoreError, Tx};
use xiangzhi_domain::*;

pub use crate::list::*;

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

mod divisions;
mod duties;
mod grids;
mod party;
mod people;
mod staff;
pub use divisions::*;
pub use grids::*;
pub use party::*;
pub use people::*;
pub use staff::*;
