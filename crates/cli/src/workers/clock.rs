//! The case clock: escalates overdue cases and confirms unanswered resolutions, once a minute.
//! Deadlines are stored, so whatever fell due while the server was down happens on the first
//! sweep, exactly once.

use xiangzhi_cases::prelude::*;
use xiangzhi_storage::Db;

pub fn spawn(db: Db) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            match db.run_due_cases(xiangzhi_storage::now_ms()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    steps = n,
                    "case clock: overdue cases escalated or confirmed"
                ),
                Err(e) => tracing::error!(error = %e, "case clock failed"),
            }
        }
    });
}
