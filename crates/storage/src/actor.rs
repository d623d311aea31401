//! Who writes, and through what. Every scope a request, a command or a job acts under carries an
//! [`Actor`]; every transaction that writes appends its audit entry naming the actor before it may
//! commit ([`crate::Tx::audit`]), or says why the write is bookkeeping that another entry already
//! covers ([`crate::Tx::bookkeeping`]). A transaction that wrote and did neither refuses to commit
//! and rolls back: an unaudited write does not run.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub login: String,
    /// Where the actor came from: a client address, `command line`, or `system`.
    pub source: String,
    /// The request or command behind the writes, e.g. `POST /api/v1/households` or
    /// `xiangzhi import households`; written into each entry's detail.
    pub via: String,
    /// The county whose audit chain this actor's entries join (`None`: the system's own chain,
    /// county 0): the county of the signed-in account, or of the scope the actor acts in.
    pub county_id: Option<i64>,
    /// Set once an entry naming this actor has been written (committed, or appended on its own),
    /// so a request's middleware knows it need not write one for the request.
    audited: Arc<AtomicBool>,
}

impl PartialEq for Actor {
    fn eq(&self, other: &Self) -> bool {
        (self.user_id, &self.login, &self.source, &self.via)
            == (other.user_id, &other.login, &other.source, &other.via)
    }
}
impl Eq for Actor {}

impl Actor {
    pub fn new(
        user_id: Option<i64>,
        login: impl Into<String>,
        source: impl Into<String>,
        via: impl Into<String>,
    ) -> Self {
        Actor {
            user_id,
            login: login.into(),
            source: source.into(),
            via: via.into(),
            county_id: None,
            audited: Arc::default(),
        }
    }

    /// A job of the system itself (the case clock, a planning run, the demo builder).
    pub fn system(job: &str) -> Self {
        Actor::new(None, "system", "system", job)
    }

    /// An operator at the command line, running `command`.
    pub fn command(command: &str) -> Self {
        let login = std::env::var("USER").unwrap_or_else(|_| "operator".into());
        Actor::new(
            None,
            format!("cli:{login}"),
            "command line",
            format!("xiangzhi {command}"),
        )
    }

    /// The same actor, its entries kept in `county`'s chain (sharing the audited flag).
    pub fn in_county(mut self, county: Option<i64>) -> Self {
        self.county_id = county;
        self
    }

    /// Says that an entry naming this actor has been written.
    pub fn mark_audited(&self) {
        self.audited.store(true, Ordering::SeqCst);
    }

    /// Whether an entry naming this actor has been written since it was made.
    pub fn audited(&self) -> bool {
        self.audited.load(Ordering::SeqCst)
    }

    pub(crate) fn flag(&self) -> Arc<AtomicBool> {
        self.audited.clone()
    }
}

/// Why a transaction's writes carry no entry of their own: the only reasons there are, so a reader
/// of the code (and the test that lists them) sees every exemption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bookkeeping {
    /// Sign-in counters, lockouts and sessions: the attempt itself is audited by the caller.
    Session,
    /// The audit log's own chain, keys and checkpoints' head: the log cannot audit itself twice.
    AuditLog,
    /// What the store does to itself at start-up: the data key's fingerprint, and sealing personal
    /// data written before encryption at rest existed (once, recorded as a setting).
    StoreSettings,
    /// A worker's record of its own work, kept in the work's own rows: the delivery attempts of
    /// outgoing notifications (the notice is their log) and a running plan's progress.
    WorkerProgress,
    /// Rows written only by the benchmarks and by tests' own set-up.
    BenchmarkOrTest,
    /// Figures derived from audited rows and rebuilt from them at will (the statistics'
    /// roll-ups): they record nothing of their own.
    Derived,
    /// A block of a county's ids reserved ahead ([`crate::Db::reserve_id`]): only the counter
    /// moves; the rows that take the ids are audited when they are written.
    IdBlock,
    /// A chunk of an import written in short transactions ([`crate::staged`]), its ids reserved,
    /// or its undoing: covered by the job's opening entry (`write import`) and its closing one.
    StagedImport,
}

/// Whether a statement writes rows (by its first keyword; a `WITH` clause counts as writing when it
/// holds a writing keyword).
pub(crate) fn writes(sql: &str) -> bool {
    let first = sql
        .trim_start()
        .split(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    match first.as_str() {
        "INSERT" | "UPDATE" | "DELETE" | "REPLACE" => true,
        "WITH" => {
            let up = sql.to_ascii_uppercase();
            [" INSERT ", " UPDATE ", " DELETE "]
                .iter()
                .any(|k| up.contains(k))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writing_statements_are_told_apart() {
        assert!(writes("INSERT INTO x VALUES (1)"));
        assert!(writes("  update x SET a = 1"));
        assert!(writes("DELETE FROM x"));
        assert!(writes(
            "WITH d AS (SELECT 1) UPDATE x SET a = 1 WHERE id IN (SELECT * FROM d)"
        ));
        assert!(!writes("SELECT * FROM x"));
        assert!(!writes("WITH d AS (SELECT 1) SELECT * FROM d"));
        assert!(!writes("SELECT inserted_at FROM x"));
    }

    #[test]
    fn actors_compare_by_who_not_by_flag() {
        let a = Actor::system("clock");
        let b = a.clone();
        a.mark_audited();
        assert!(b.audited(), "clones share the flag");
        assert_eq!(a, Actor::system("clock"));
        assert_ne!(a, Actor::system("demo"));
    }
}
