//! The workers `xiangzhi serve` runs beside the HTTP server, each on its own timer. With several
//! servers on one database, each job runs on the one server holding its lease at the time
//! ([`spawn_leased`]); the audit linker runs on every server (linking locks each county's chain
//! head, so it never links an entry twice).

pub mod audit_link;
pub mod checkpoints;
pub mod clock;
pub mod imports;
pub mod rollups;
pub mod webhook;

use std::future::Future;
use std::time::Duration;
use xiangzhi_storage::Db;

/// Runs `job` every `every` while this server holds the lease `name`: the holder renews it each
/// round; another server takes over once it has run out (three rounds, at least 15 s).
pub fn spawn_leased<F, Fut>(db: Db, name: &'static str, every: Duration, job: F)
where
    F: Fn(Db) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let holder = xiangzhi_storage::leases::holder_id();
        let ttl = (every.as_millis() as i64 * 3).max(15_000);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match db
                .hold_lease(name, &holder, xiangzhi_storage::now_ms(), ttl)
                .await
            {
                Ok(true) => job(db.clone()).await,
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, job = name, "taking the job's lease failed"),
            }
        }
    });
}
