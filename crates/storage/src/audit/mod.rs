//! 审计日志: an append-only log of every write and every unmasked read, one chain per county
//! (county 0: the system's own). A write appends its entry unchained, in its own transaction and
//! on its county's shard, so concurrent writes share nothing and commit together; one linker
//! ([`Db::audit_link`]) moments later gives each county's new entries their place in its chain:
//! each carries the hash of the entry before it, so `verify` finds any altered, removed or
//! inserted entry and says which. An entry is protected from the moment it is linked.
//!
//! The hash is keyed (HMAC-SM3 under a key derived from the data key, which the database does not
//! hold), so someone who can write the database but lacks the key cannot rewrite an entry and
//! recompute the chain after it. Entries written before keying (an upgraded database) keep their
//! plain SHA-256 links; where keying starts is itself recorded with a MAC. Signed checkpoints
//! (SM2 over the sequence number and keyed hash of the newest entry) can be kept apart from the
//! database by an auditor: a chain rewritten even with the key, or cut short, no longer matches
//! them.

mod checkpoints;

use crate::sql::Q;
use crate::{now_ms, Actor, Db, Result, Tx};
pub use checkpoints::{Checkpoint, CheckpointProblem};
use sha2::{Digest, Sha256};

impl Actor {
    /// This actor's entry for `action` on `object`, succeeded.
    pub fn entry(&self, action: &str, object: impl Into<String>) -> AuditEntry {
        AuditEntry {
            user_id: self.user_id,
            login: self.login.clone(),
            action: action.to_string(),
            object: object.into(),
            outcome: "ok".into(),
            source: self.source.clone(),
            detail: self.via.clone(),
            county_id: self.county_id,
        }
    }
}

impl Tx {
    /// Appends `by`'s entry for `action` on `object` in this transaction.
    pub async fn audit(
        &mut self,
        by: &Actor,
        action: &str,
        object: impl Into<String>,
    ) -> Result<()> {
        self.audit_entry(by, &by.entry(action, object)).await
    }

    /// Appends an entry written out in full (another outcome, a detail of its own) for `by`.
    pub async fn audit_entry(&mut self, by: &Actor, e: &AuditEntry) -> Result<()> {
        append(self, e).await?;
        self.actors.push(by.flag());
        Ok(())
    }
}

/// Audit entries are kept at least this long (six months; 网络安全法 第二十一条).
pub const MIN_RETENTION_DAYS: i64 = 183;

/// What happened, by whom, to what.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub user_id: Option<i64>,
    pub login: String,
    /// e.g. `POST /api/v1/residents`, `unmask resident`, `login`
    pub action: String,
    /// The object acted on, e.g. `resident 141029:17`.
    pub object: String,
    /// `ok`, `denied`, `failed`, or an HTTP status.
    pub outcome: String,
    /// Source address.
    pub source: String,
    /// Purpose of an unmasked view, or other detail.
    pub detail: String,
    /// The county whose chain the entry joins (`None`: the system's own, county 0).
    pub county_id: Option<i64>,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditRecord {
    /// The order entries were appended in, across every county.
    pub id: i64,
    /// The county whose chain holds the entry (0: the system's own).
    pub county_id: i64,
    /// Its place in that chain; `None` until the linker has linked it (moments after it was
    /// written), and then `prev_hash` and `hash` are empty.
    pub seq: Option<i64>,
    pub at: i64,
    pub user_id: Option<i64>,
    pub login: String,
    pub action: String,
    pub object: String,
    pub outcome: String,
    pub source: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The columns of an [`AuditRecord`], in its order.
const RECORD_COLS: &str =
    "id, county_id, seq, at, user_id, login, action, object, outcome, source, detail, prev_hash, hash";

impl AuditRecord {
    /// What was recorded, as it was appended (the chain's fields aside): what its hash covers.
    pub fn entry(&self) -> AuditEntry {
        AuditEntry {
            user_id: self.user_id,
            login: self.login.clone(),
            action: self.action.clone(),
            object: self.object.clone(),
            outcome: self.outcome.clone(),
            source: self.source.clone(),
            detail: self.detail.clone(),
            county_id: Some(self.county_id),
        }
    }
}

fn serialise(prev: &str, seq: i64, at: i64, e: &AuditEntry) -> Vec<u8> {
    let user = e.user_id.map(|u| u.to_string()).unwrap_or_default();
    let mut out = Vec::new();
    // A county's entries name their county (an entry moved to another chain no longer verifies);
    // the system's chain serialises as the single chain before it did.
    if let Some(c) = e.county_id.filter(|c| *c != 0) {
        out.extend_from_slice(b"county:");
        out.extend_from_slice(c.to_string().as_bytes());
    }
    for part in [
        prev,
        &seq.to_string(),
        &at.to_string(),
        &user,
        &e.login,
        &e.action,
        &e.object,
        &e.outcome,
        &e.source,
        &e.detail,
    ] {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part.as_bytes());
    }
    out
}

/// The keyed hash of an entry: HMAC-SM3 over the previous hash and every field, length-prefixed
/// so that no two different entries serialise alike. Needs the data key.
pub fn entry_hash(prev: &str, seq: i64, at: i64, e: &AuditEntry) -> Result<String> {
    Ok(crate::crypto::keyring()?.audit_mac(&serialise(prev, seq, at, e)))
}

/// The unkeyed hash entries were chained with before keying (SHA-256 over the same bytes).
pub fn legacy_entry_hash(prev: &str, seq: i64, at: i64, e: &AuditEntry) -> String {
    crate::crypto::hex(&Sha256::digest(serialise(prev, seq, at, e)))
}

fn keyed_from_mac(ring: &crate::crypto::Keyring, n: i64) -> String {
    ring.audit_mac(format!("audit_keyed_from:{n}").as_bytes())
}

/// The hash a chain starts from.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The first entry of a county's chain found wrong, and why (Chinese / English).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ChainProblem {
    pub county_id: i64,
    pub seq: i64,
    pub problem: String,
}

impl std::fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}第{}条 / {} entry {}: {}",
            chain_name_zh(self.county_id),
            self.seq,
            chain_name_en(self.county_id),
            self.seq,
            self.problem
        )
    }
}

fn chain_name_zh(county: i64) -> String {
    if county == 0 {
        "系统审计链".into()
    } else {
        format!("县{county}审计链")
    }
}

fn chain_name_en(county: i64) -> String {
    if county == 0 {
        "the system's chain,".into()
    } else {
        format!("county {county}'s chain,")
    }
}

/// One county's chain as `verify` found it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ChainReport {
    /// 0: the system's own chain.
    pub county_id: i64,
    /// Linked entries checked.
    pub entries: i64,
    /// The last linked entry: its place in the chain, its id and when it was written.
    pub last_seq: i64,
    pub last_id: Option<i64>,
    pub last_at: Option<i64>,
    /// Entries written and not linked yet (the linker takes them moments after they are written).
    pub unlinked: i64,
}

/// The result of checking every chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Linked entries checked, over every chain.
    pub entries: i64,
    /// Entries not linked yet, over every chain.
    pub unlinked: i64,
    pub chains: Vec<ChainReport>,
    /// The first entry found wrong, or `None` if every chain is intact.
    pub problem: Option<ChainProblem>,
}

/// Entries one linking transaction takes from a county at most.
const LINK_BATCH: i64 = 2_000;

impl Db {
    /// Appends one entry in its own transaction; returns its id.
    pub async fn audit(&self, e: &AuditEntry) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = append(&mut tx, e).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Links every county's unlinked entries into its chain, oldest first; returns how many. Safe
    /// to run from several servers at once: a county's head row is locked while it is linked.
    pub async fn audit_link(&self) -> Result<u64> {
        let counties: Vec<(i64,)> = self
            .all(&Q::new(
                "SELECT DISTINCT county_id FROM audit_log WHERE seq IS NULL",
            ))
            .await?;
        let mut n = 0;
        for (county,) in counties {
            loop {
                let k = self.audit_link_county(county).await?;
                n += k;
                if k < LINK_BATCH as u64 {
                    break;
                }
            }
        }
        Ok(n)
    }

    async fn audit_link_county(&self, county: i64) -> Result<u64> {
        let mut tx = self.begin().await?;
        tx.bookkeeping(crate::Bookkeeping::AuditLog);
        tx.exec(&Q::with(
            "INSERT INTO audit_heads (county_id, seq, hash) VALUES (?, 0, ?) ON CONFLICT (county_id) DO NOTHING",
            vec![county.into(), GENESIS.into()],
        ))
        .await?;
        // Taking the head row's lock first: a second linker of this county waits here, then finds
        // the entries already linked.
        let (mut seq, mut prev): (i64, String) = tx
            .one(&Q::with(
                "UPDATE audit_heads SET seq = seq WHERE county_id = ? RETURNING seq, hash",
                vec![county.into()],
            ))
            .await?;
        let rows: Vec<AuditRecord> = tx
            .all(&Q::with(
                &format!("SELECT {RECORD_COLS} FROM audit_log WHERE county_id = ? AND seq IS NULL ORDER BY id LIMIT ?"),
                vec![county.into(), LINK_BATCH.into()],
            ))
            .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut links = Vec::with_capacity(rows.len());
        for r in &rows {
            seq += 1;
            let hash = entry_hash(&prev, seq, r.at, &r.entry())?;
            links.push((r.id, seq, std::mem::replace(&mut prev, hash.clone()), hash));
        }
        if tx.is_postgres() {
            // One statement per few hundred entries: on a cluster each is one round trip.
            for chunk in links.chunks(500) {
                let mut q = Q::new("UPDATE audit_log AS a SET seq = v.seq, prev_hash = v.prev, hash = v.hash FROM (VALUES ");
                for (i, (id, seq, p, h)) in chunk.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    q.push_args(
                        &format!("{sep}(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT))"),
                        vec![(*id).into(), (*seq).into(), p.clone().into(), h.clone().into()],
                    );
                }
                let c = q.arg(county);
                q.push(&format!(
                    ") AS v (id, seq, prev, hash) WHERE a.county_id = {c} AND a.id = v.id"
                ));
                tx.exec(&q).await?;
            }
        } else {
            for (id, seq, p, h) in &links {
                tx.exec(&Q::with(
                    "UPDATE audit_log SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?",
                    vec![
                        (*seq).into(),
                        p.clone().into(),
                        h.clone().into(),
                        (*id).into(),
                    ],
                ))
                .await?;
            }
        }
        tx.exec(&Q::with(
            "UPDATE audit_heads SET seq = ?, hash = ? WHERE county_id = ?",
            vec![seq.into(), prev.into(), county.into()],
        ))
        .await?;
        tx.commit().await?;
        Ok(links.len() as u64)
    }

    /// Deletes every chain's linked entries older than `retention_days` (at least
    /// [`MIN_RETENTION_DAYS`]) and moves each chain's anchor past them, with an entry of its own
    /// by `by`. Returns how many were deleted.
    pub async fn audit_prune(
        &self,
        by: &crate::Actor,
        retention_days: i64,
        now: i64,
    ) -> Result<u64> {
        if retention_days < MIN_RETENTION_DAYS {
            return Err(crate::StoreError::invalid(
                "audit_retention_days",
                format!("审计日志至少保留{MIN_RETENTION_DAYS}天（六个月）"),
                format!("audit entries are kept at least {MIN_RETENTION_DAYS} days (six months)"),
            ));
        }
        let cutoff = now - retention_days * 24 * 3_600_000;
        let mut tx = self.begin().await?;
        let last: Vec<(i64, i64)> = tx
            .all(&Q::with(
                "SELECT county_id, MAX(seq) FROM audit_log WHERE at < ? AND seq IS NOT NULL GROUP BY county_id ORDER BY county_id",
                vec![cutoff.into()],
            ))
            .await?;
        if last.is_empty() {
            return Ok(0);
        }
        let mut n = 0;
        let mut upto = Vec::new();
        for (county, seq) in last {
            let (hash,): (String,) = tx
                .one(&Q::with(
                    "SELECT hash FROM audit_log WHERE county_id = ? AND seq = ?",
                    vec![county.into(), seq.into()],
                ))
                .await?;
            n += tx
                .exec(&Q::with(
                    "DELETE FROM audit_log WHERE county_id = ? AND seq <= ?",
                    vec![county.into(), seq.into()],
                ))
                .await?;
            tx.exec(&Q::with(
                "INSERT INTO audit_anchors (county_id, seq, hash) VALUES (?, ?, ?) \
                 ON CONFLICT (county_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                vec![county.into(), seq.into(), hash.into()],
            ))
            .await?;
            upto.push(format!("{county}:{seq}"));
        }
        tx.audit(
            by,
            "prune audit log",
            format!(
                "{n} entries older than {retention_days} days, up to (county:entry) {}",
                upto.join(" ")
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Where keyed hashing starts in the system's chain, if the record of it is intact.
    async fn audit_keyed_from(&self) -> Result<Option<i64>> {
        let ring = crate::crypto::keyring()?;
        let v: Option<(String,)> = self
            .optional(&Q::new(
                "SELECT t.value FROM settings t WHERE t.name = 'audit_keyed_from'",
            ))
            .await?;
        Ok(v.and_then(|(v,)| {
            let (n, mac) = v.split_once(':')?;
            let n: i64 = n.parse().ok()?;
            (keyed_from_mac(ring, n) == mac).then_some(n)
        }))
    }

    /// Signs the migration's record of where keyed hashing starts, the first time this database
    /// opens with a key (called by `Db::connect`).
    pub(crate) async fn seal_audit_keyed_from(&self) -> Result<()> {
        let ring = crate::crypto::keyring()?;
        let v: Option<(String,)> = self
            .optional(&Q::new(
                "SELECT t.value FROM settings t WHERE t.name = 'audit_keyed_from'",
            ))
            .await?;
        if let Some((v,)) = v {
            if let Ok(n) = v.parse::<i64>() {
                let mut tx = self.begin().await?;
                tx.bookkeeping(crate::Bookkeeping::AuditLog);
                tx.exec(&Q::with(
                    "UPDATE settings SET value = ? WHERE name = 'audit_keyed_from' AND value = ?",
                    vec![format!("{n}:{}", keyed_from_mac(ring, n)).into(), v.into()],
                ))
                .await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// Every chain's head (or anchor): its sequence number and hash, by county.
    pub(crate) async fn chain_marks(
        &self,
        table: &str,
    ) -> Result<std::collections::BTreeMap<i64, (i64, String)>> {
        // `table` is one of two names written above, never input.
        let rows: Vec<(i64, i64, String)> = self
            .all(&Q::new(&format!(
                "SELECT county_id, seq, hash FROM {table}"
            )))
            .await?;
        Ok(rows.into_iter().map(|(c, s, h)| (c, (s, h))).collect())
    }

    /// Entries newest first, optionally before the entry with id `before` (for paging) — for
    /// auditors only.
    pub async fn audit_entries(&self, before: Option<i64>, limit: u32) -> Result<Vec<AuditRecord>> {
        let mut q = Q::new(&format!("SELECT {RECORD_COLS} FROM audit_log t WHERE 1=1"));
        if let Some(b) = before {
            let p = q.arg(b);
            q.push(&format!(" AND t.id < {p}"));
        }
        let limit = crate::list::check_limit(Some(limit), 100)?;
        q.push(&format!(" ORDER BY t.id DESC LIMIT {limit}"));
        self.all(&q).await
    }

    /// Walks every county's chain in order and reports, for each, how far it is linked; and the
    /// first entry that was altered, removed or inserted.
    pub async fn audit_verify(&self) -> Result<Verification> {
        let keyed_from = match self.audit_keyed_from().await? {
            Some(n) => n,
            None => {
                return Ok(Verification {
                    entries: 0,
                    unlinked: 0,
                    chains: Vec::new(),
                    problem: Some(ChainProblem { county_id: 0, seq: 0, problem: "记录“从第几条起使用密钥哈希”的设置缺失或被改动 / the record of where keyed hashing starts is missing or was altered".into() }),
                })
            }
        };
        let heads = self.chain_marks("audit_heads").await?;
        let anchors = self.chain_marks("audit_anchors").await?;
        let unlinked: Vec<(i64, i64)> = self
            .all(&Q::new(
                "SELECT county_id, COUNT(*) FROM audit_log WHERE seq IS NULL GROUP BY county_id",
            ))
            .await?;
        let unlinked: std::collections::BTreeMap<i64, i64> = unlinked.into_iter().collect();
        let mut counties: std::collections::BTreeSet<i64> = heads.keys().copied().collect();
        counties.extend(unlinked.keys().copied());
        // Linked entries of a chain with no head: its head row was removed.
        let orphans: Vec<(i64,)> = self
            .all(&Q::new(
                "SELECT DISTINCT county_id FROM audit_log WHERE seq IS NOT NULL",
            ))
            .await?;
        counties.extend(orphans.into_iter().map(|(c,)| c));
        let mut v = Verification {
            entries: 0,
            unlinked: 0,
            chains: Vec::new(),
            problem: None,
        };
        let genesis = (0, GENESIS.to_string());
        for county in counties {
            let head = heads.get(&county).unwrap_or(&genesis);
            let anchor = anchors.get(&county).unwrap_or(&genesis);
            let (report, problem) = self
                .verify_chain(
                    county,
                    head,
                    anchor,
                    if county == 0 { keyed_from } else { 1 },
                )
                .await?;
            v.entries += report.entries;
            let report = ChainReport {
                unlinked: unlinked.get(&county).copied().unwrap_or(0),
                ..report
            };
            v.unlinked += report.unlinked;
            v.chains.push(report);
            if v.problem.is_none() {
                v.problem = problem;
            }
        }
        Ok(v)
    }

    async fn verify_chain(
        &self,
        county: i64,
        (head_seq, head_hash): &(i64, String),
        (anchor_seq, anchor_hash): &(i64, String),
        keyed_from: i64,
    ) -> Result<(ChainReport, Option<ChainProblem>)> {
        let mut report = ChainReport {
            county_id: county,
            entries: 0,
            last_seq: *anchor_seq,
            last_id: None,
            last_at: None,
            unlinked: 0,
        };
        let problem = |seq: i64, why: String| {
            Some(ChainProblem {
                county_id: county,
                seq,
                problem: why,
            })
        };
        let mut expected_seq = anchor_seq + 1;
        let mut prev = anchor_hash.clone();
        loop {
            let page: Vec<AuditRecord> = self
                .all(&Q::with(
                    &format!("SELECT {RECORD_COLS} FROM audit_log WHERE county_id = ? AND seq >= ? ORDER BY seq LIMIT 5000"),
                    vec![county.into(), expected_seq.into()],
                ))
                .await?;
            if page.is_empty() {
                break;
            }
            for r in page {
                let seq = r.seq.unwrap_or_default();
                if seq != expected_seq {
                    return Ok((report, problem(expected_seq, format!("第{expected_seq}条记录缺失（已被删除）/ entry {expected_seq} is missing (removed)"))));
                }
                report.entries += 1;
                if r.prev_hash != prev {
                    return Ok((report, problem(seq, "前一条的哈希不符：其前有记录被删除、插入或改动 / previous hash does not match: an entry before it was removed, inserted or altered".into())));
                }
                let e = r.entry();
                let expected = if seq >= keyed_from {
                    entry_hash(&r.prev_hash, seq, r.at, &e)?
                } else {
                    legacy_entry_hash(&r.prev_hash, seq, r.at, &e)
                };
                if expected != r.hash {
                    return Ok((report, problem(seq, "内容与哈希不符：该记录被改动 / content does not match its hash: this entry was altered".into())));
                }
                prev = r.hash;
                report.last_seq = seq;
                report.last_id = Some(r.id);
                report.last_at = Some(r.at);
                expected_seq += 1;
            }
        }
        let last = expected_seq - 1;
        if last != *head_seq || (prev != *head_hash && *head_seq > 0) {
            return Ok((report, problem(
                last + 1,
                format!("末尾记录缺失或被改动（应有{head_seq}条）/ entries at the end were removed or altered (expected {head_seq})"),
            )));
        }
        Ok((report, None))
    }
}

/// Appends `e`, unchained, inside `tx` (a write that audits itself in its own transaction: one
/// commit for both); the linker chains it moments later. Returns its id.
pub async fn append(tx: &mut Tx, e: &AuditEntry) -> Result<i64> {
    let at = now_ms();
    // PostgreSQL draws the id from a sequence (no lock); SQLite writers take turns anyway.
    let id = if tx.is_postgres() {
        ""
    } else {
        "(SELECT COALESCE(MAX(id), 0) + 1 FROM audit_log), "
    };
    let cols = if tx.is_postgres() { "" } else { "id, " };
    let (id,): (i64,) = tx
        .one(&Q::with(
            &format!(
                "INSERT INTO audit_log (county_id, {cols}at, user_id, login, action, object, outcome, source, detail) \
                 VALUES (?, {id}?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
            ),
            vec![
                e.county_id.unwrap_or(0).into(),
                at.into(),
                e.user_id.into(),
                e.login.clone().into(),
                e.action.clone().into(),
                e.object.clone().into(),
                e.outcome.clone().into(),
                e.source.clone().into(),
                e.detail.clone().into(),
            ],
        ))
        .await?;
    tx.entries += 1;
    Ok(id)
}
