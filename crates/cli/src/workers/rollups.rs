//! The statistics' roll-ups folder: every few seconds each county's roll-ups catch up with the
//! cases changed since (a county's statistics also fold before they read; this keeps the
//! prefecture's and the province's figures, read across counties, as fresh).

use xiangzhi_cases::store::CaseRollups;
use xiangzhi_storage::Db;

pub fn spawn(db: Db) {
    super::spawn_leased(
        db,
        "statistics roll-ups",
        std::time::Duration::from_secs(5),
        |db| async move {
            if let Err(e) = db.fold_all_case_rollups(0).await {
                tracing::error!(error = %e, "folding the statistics' roll-ups failed");
            }
        },
    );
}
