//! Import recovery: once a minute, an import cut off while writing (its heartbeat stale: the
//! server that wrote it stopped) is undone and marked failed, and one queued by a server that
//! stopped before it began goes back to waiting for its confirmation. So an import is never left
//! half-written, and never blocks the next one of its county.

use xiangzhi_storage::Db;

pub fn spawn(db: Db) {
    super::spawn_leased(
        db,
        "import recovery",
        std::time::Duration::from_secs(60),
        |db| async move {
            match db.recover_imports().await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(jobs = n, "imports cut off while writing were undone"),
                Err(e) => tracing::error!(error = %e, "import recovery failed"),
            }
        },
    );
}
