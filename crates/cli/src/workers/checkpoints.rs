//! Signed audit checkpoints every `minutes`: into the database, and appended to a file kept apart
//! when one is configured.

use std::path::PathBuf;
use xiangzhi_storage::Db;

pub fn spawn(db: Db, minutes: u64, file: Option<PathBuf>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(minutes.max(1) * 60));
        loop {
            tick.tick().await;
            let written = db
                .audit_checkpoint(xiangzhi_storage::now_ms())
                .await
                .map_err(anyhow::Error::from)
                .and_then(|signed| {
                    for (c, _) in signed.iter().filter(|(_, new)| *new) {
                        if let Some(f) = &file {
                            crate::cmd::audit::append_line(
                                f,
                                &crate::cmd::audit::checkpoint_line(c)?,
                            )?;
                        }
                    }
                    Ok(())
                });
            if let Err(e) = written {
                tracing::error!(error = %e, "audit checkpoint failed");
            }
        }
    });
}
