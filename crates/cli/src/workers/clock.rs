//! The case clock: escalates overdue cases and confirms unanswered resolutions, once a minute.
//! Deadlines are stored, so whatever fell due while the server was down happens on the first
//! sweep, exactly once (each step is a compare-and-set on the case's version, whichever server
//! takes it).

use xiangzhi_cases::prelude::*;
use xiangzhi_storage::Db;

pub fn spawn(db: Db) {
    super::spawn_leased(
        db,
        "case clock",
        std::time::Duration::from_secs(60),
        |db| async move {
            match db.run_due_cases(xiangzhi_storage::now_ms()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    steps = n,
                    "case clock: overdue cases escalated or confirmed"
                ),
                Err(e) => tracing::error!(error = %e, "case clock failed"),
            }
        },
    );
}
