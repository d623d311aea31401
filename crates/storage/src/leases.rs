//! Leases: a background job that several servers on one database all run, held by one of them
//! at a time. The holder renews its lease on each round; when it stops (or is cut off), another
//! server takes the job over once the lease has run out. A job's own writes stay safe without
//! it (compare-and-set steps, claimed notices, locked heads); the lease keeps the servers from
//! doing the same work twice and from contending for the same rows.

use crate::sql::Q;
use crate::{Bookkeeping, Db, Result};

/// Who holds leases in this process: the host, the process and a random tag.
pub fn holder_id() -> String {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "host".into());
        let tag: u32 = rand::random();
        format!("{host}:{}:{tag:08x}", std::process::id())
    })
    .clone()
}

impl Db {
    /// Takes the lease `name` for `holder` until `now + ttl_ms`, or renews it if `holder` has it;
    /// true when `holder` holds it now. One statement decides, so two servers never both hold it.
    pub async fn hold_lease(
        &self,
        name: &str,
        holder: &str,
        now: i64,
        ttl_ms: i64,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        tx.bookkeeping(Bookkeeping::WorkerProgress);
        tx.exec(&Q::with(
            "INSERT INTO worker_leases (name, holder, until) VALUES (?, '', 0) ON CONFLICT (name) DO NOTHING",
            vec![name.into()],
        ))
        .await?;
        let n = tx
            .exec(&Q::with(
                "UPDATE worker_leases SET holder = ?, until = ? WHERE name = ? AND (holder = ? OR until < ?)",
                vec![
                    holder.into(),
                    (now + ttl_ms).into(),
                    name.into(),
                    holder.into(),
                    now.into(),
                ],
            ))
            .await?;
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Gives the lease up at once (a server shutting down), so another takes it on its next round.
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.bookkeeping(Bookkeeping::WorkerProgress);
        tx.exec(&Q::with(
            "UPDATE worker_leases SET until = 0 WHERE name = ? AND holder = ?",
            vec![name.into(), holder.into()],
        ))
        .await?;
        tx.commit().await
    }

    /// Who holds the lease `name` and until when, if anyone ever took it.
    pub async fn lease_holder(&self, name: &str) -> Result<Option<(String, i64)>> {
        self.optional(&Q::with(
            "SELECT t.holder, t.until FROM worker_leases t WHERE t.name = ?",
            vec![name.into()],
        ))
        .await
    }
}
