//! The audit linker: every moment, each county's newly appended audit entries are linked into
//! that county's keyed chain. Several servers on one database may all run it: a county's head row
//! is locked while it is linked, so every entry is linked once.

use xiangzhi_storage::Db;

/// How often the linker looks for new entries: an entry is protected by the chain within this.
pub const EVERY: std::time::Duration = std::time::Duration::from_millis(500);

pub fn spawn(db: Db) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = db.audit_link().await {
                tracing::error!(error = %e, "audit linking failed");
            }
        }
    });
}
