//! 审计日志: an append-only log of every write and every unmasked read. Each entry carries the hash
//! of the entry before it, so `verify` finds any altered, removed or inserted entry and says which.
//!
//! The hash is keyed (HMAC-SM3 under a key derived from the data key, which the database does not
//! hold), so someone who can write the database but lacks the key cannot rewrite an entry and
//! recompute the chain after it. Entries written before keying (an upgraded database) keep their
//! plain SHA-256 links; where keying starts is itself recorded with a MAC. Signed checkpoints
//! (SM2 over the sequence number and keyed hash of the newest entry) can be kept apart from the
//! database by an auditor: a chain rewritten even with the key, or cut short, no longer matches
//! them.

use crate::sql::Q;
use crate::{now_ms, Actor, Db, Result, Tx};
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
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditRecord {
    pub seq: i64,
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

fn serialise(prev: &str, seq: i64, at: i64, e: &AuditEntry) -> Vec<u8> {
    let user = e.user_id.map(|u| u.to_string()).unwrap_or_default();
    let mut out = Vec::new();
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

/// A signed checkpoint of the chain: the newest entry's sequence number and keyed hash.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    sqlx::FromRow,
    utoipa::ToSchema,
)]
pub struct Checkpoint {
    pub seq: i64,
    pub at: i64,
    pub hash: String,
    /// SM2 signature (hex) of `xiangzhi-audit-checkpoint|{seq}|{at}|{hash}`.
    pub signature: String,
}

impl Checkpoint {
    fn message(seq: i64, at: i64, hash: &str) -> Vec<u8> {
        format!("xiangzhi-audit-checkpoint|{seq}|{at}|{hash}").into_bytes()
    }
    /// The checkpoint as one JSON line with the public key that checks it: what an auditor keeps
    /// apart and `audit verify --checkpoints` reads back.
    pub fn to_line(&self, public_key: &str) -> Result<String> {
        #[derive(serde::Serialize)]
        struct Kept<'a> {
            #[serde(flatten)]
            checkpoint: &'a Checkpoint,
            public_key: &'a str,
        }
        serde_json::to_string(&Kept {
            checkpoint: self,
            public_key,
        })
        .map_err(|e| crate::StoreError::Query(e.to_string()))
    }

    /// Whether the signature is right for `public_key` (hex, SEC1).
    pub fn signed_by(&self, public_key: &str) -> bool {
        crate::crypto::verify_checkpoint(
            public_key,
            &Checkpoint::message(self.seq, self.at, &self.hash),
            &self.signature,
        )
    }
}

/// What checking kept checkpoints against the log found, one line per checkpoint that fails.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CheckpointProblem {
    pub seq: i64,
    /// Chinese / English.
    pub problem: String,
}

fn keyed_from_mac(ring: &crate::crypto::Keyring, n: i64) -> String {
    ring.audit_mac(format!("audit_keyed_from:{n}").as_bytes())
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub entries: i64,
    /// The first entry found wrong and why (Chinese / English), or `None` if the chain is intact.
    pub problem: Option<(i64, String)>,
}

impl Db {
    /// Appends one entry in its own transaction.
    pub async fn audit(&self, e: &AuditEntry) -> Result<i64> {
        let mut tx = self.begin().await?;
        let seq = append(&mut tx, e).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Deletes entries older than `retention_days` (at least [`MIN_RETENTION_DAYS`]) and moves the
    /// anchor past them, with an entry of its own by `by`. Returns how many were deleted.
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
        let last: Option<(i64, String)> = tx
            .optional(&Q::with(
                "SELECT seq, hash FROM audit_log WHERE at < ? ORDER BY seq DESC LIMIT 1",
                vec![cutoff.into()],
            ))
            .await?;
        let Some((seq, hash)) = last else {
            return Ok(0);
        };
        let n = tx
            .exec(&Q::with(
                "DELETE FROM audit_log WHERE seq <= ?",
                vec![seq.into()],
            ))
            .await?;
        tx.exec(&Q::with(
            "UPDATE audit_anchor SET seq = ?, hash = ? WHERE id = 1",
            vec![seq.into(), hash.into()],
        ))
        .await?;
        tx.audit(
            by,
            "prune audit log",
            format!("{n} entries up to {seq}, older than {retention_days} days"),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Where keyed hashing starts, if the record of it is intact.
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

    /// Writes a signed checkpoint of the chain's newest entry (or returns the newest one when the
    /// chain has not grown since).
    pub async fn audit_checkpoint(&self, now: i64) -> Result<Checkpoint> {
        let ring = crate::crypto::keyring()?;
        let mut tx = self.begin().await?;
        // A checkpoint with an entry of its own would never be the newest: the request that asks
        // for one is audited instead.
        tx.bookkeeping(crate::Bookkeeping::AuditLog);
        let (seq, hash): (i64, String) = tx
            .one(&Q::new("SELECT seq, hash FROM audit_head WHERE id = 1"))
            .await?;
        let last: Option<Checkpoint> = tx
            .optional(&Q::new(
                "SELECT seq, at, hash, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1",
            ))
            .await?;
        if let Some(c) = last.filter(|c| c.seq == seq) {
            return Ok(c);
        }
        let signature = ring.sign_checkpoint(&Checkpoint::message(seq, now, &hash));
        let c = Checkpoint {
            seq,
            at: now,
            hash,
            signature,
        };
        tx.exec(&Q::with(
            "INSERT INTO audit_checkpoints (seq, at, hash, signature) VALUES (?, ?, ?, ?)",
            vec![
                c.seq.into(),
                c.at.into(),
                c.hash.clone().into(),
                c.signature.clone().into(),
            ],
        ))
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// The checkpoints stored in the database, newest first.
    pub async fn audit_checkpoints(&self, limit: u32) -> Result<Vec<Checkpoint>> {
        self.all(&Q::new(&format!(
            "SELECT seq, at, hash, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT {}",
            limit.clamp(1, 1000)
        )))
        .await
    }

    /// Checks checkpoints an auditor kept apart (and, with none given, those in the database)
    /// against the log: each must carry this system's signature, and the entry it names must
    /// still hold the same keyed hash; a checkpoint beyond the newest entry means the log was cut
    /// short. Entries pruned by retention are not compared.
    pub async fn audit_check_checkpoints(
        &self,
        kept: Option<&[Checkpoint]>,
    ) -> Result<Vec<CheckpointProblem>> {
        let ring = crate::crypto::keyring()?;
        let public_key = ring.checkpoint_public_key();
        let stored;
        let list = match kept {
            Some(k) => k,
            None => {
                stored = self.audit_checkpoints(1000).await?;
                &stored[..]
            }
        };
        let (head_seq,): (i64,) = self
            .one(&Q::new("SELECT seq FROM audit_head WHERE id = 1"))
            .await?;
        let (anchor_seq,): (i64,) = self
            .one(&Q::new("SELECT seq FROM audit_anchor WHERE id = 1"))
            .await?;
        let mut out = Vec::new();
        for c in list {
            let bad = |p: String| CheckpointProblem {
                seq: c.seq,
                problem: p,
            };
            if !c.signed_by(&public_key) {
                out.push(bad("检查点的签名不对：不是本系统签发的或被改动 / the checkpoint's signature is wrong: not signed by this system, or altered".into()));
                continue;
            }
            if c.seq > head_seq {
                out.push(bad(format!("日志只到第{head_seq}条，检查点之后的记录被删除 / the log ends at {head_seq}: entries up to the checkpoint were removed")));
                continue;
            }
            if c.seq <= anchor_seq || c.seq == 0 {
                continue;
            }
            let h: Option<(String,)> = self
                .optional(&Q::with(
                    "SELECT hash FROM audit_log WHERE seq = ?",
                    vec![c.seq.into()],
                ))
                .await?;
            match h {
                Some((h,)) if h == c.hash => {}
                Some(_) => out.push(bad(format!("第{0}条及之前的记录被改写（与检查点不符）/ entry {0} or one before it was rewritten (it no longer matches the checkpoint)", c.seq))),
                None => out.push(bad(format!("检查点所指的第{0}条记录缺失 / entry {0} named by the checkpoint is missing", c.seq))),
            }
        }
        Ok(out)
    }

    /// Entries newest first, optionally before `before_seq` (for paging) — for auditors only.
    pub async fn audit_entries(
        &self,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>> {
        let mut q = Q::new("SELECT seq, at, user_id, login, action, object, outcome, source, detail, prev_hash, hash FROM audit_log t WHERE 1=1");
        if let Some(b) = before_seq {
            let p = q.arg(b);
            q.push(&format!(" AND t.seq < {p}"));
        }
        let limit = crate::list::check_limit(Some(limit), 100)?;
        q.push(&format!(" ORDER BY t.seq DESC LIMIT {limit}"));
        self.all(&q).await
    }

    /// Walks the whole chain in order and reports the first entry that was altered, removed or
    /// inserted.
    pub async fn audit_verify(&self) -> Result<Verification> {
        let keyed_from = match self.audit_keyed_from().await? {
            Some(n) => n,
            None => {
                return Ok(Verification {
                    entries: 0,
                    problem: Some((0, "记录“从第几条起使用密钥哈希”的设置缺失或被改动 / the record of where keyed hashing starts is missing or was altered".into())),
                })
            }
        };
        let (head_seq, head_hash): (i64, String) = self
            .one(&Q::new("SELECT seq, hash FROM audit_head WHERE id = 1"))
            .await?;
        let (anchor_seq, anchor_hash): (i64, String) = self
            .one(&Q::new("SELECT seq, hash FROM audit_anchor WHERE id = 1"))
            .await?;
        let mut expected_seq = anchor_seq + 1;
        let mut prev = anchor_hash;
        let mut count = 0i64;
        loop {
            let page: Vec<AuditRecord> = self
                .all(&Q::with(
                    "SELECT seq, at, user_id, login, action, object, outcome, source, detail, prev_hash, hash FROM audit_log \
                     WHERE seq >= ? ORDER BY seq LIMIT 5000",
                    vec![expected_seq.into()],
                ))
                .await?;
            if page.is_empty() {
                break;
            }
            for r in page {
                count += 1;
                let bad = |why: &str| {
                    Ok(Verification {
                        entries: count,
                        problem: Some((r.seq, why.to_string())),
                    })
                };
                if r.seq != expected_seq {
                    return Ok(Verification {
                        entries: count,
                        problem: Some((expected_seq, format!("第{expected_seq}条记录缺失（已被删除）/ entry {expected_seq} is missing (removed)"))),
                    });
                }
                if r.prev_hash != prev {
                    return bad("前一条的哈希不符：其前有记录被删除、插入或改动 / previous hash does not match: an entry before it was removed, inserted or altered");
                }
                let e = AuditEntry {
                    user_id: r.user_id,
                    login: r.login.clone(),
                    action: r.action.clone(),
                    object: r.object.clone(),
                    outcome: r.outcome.clone(),
                    source: r.source.clone(),
                    detail: r.detail.clone(),
                };
                let expected = if r.seq >= keyed_from {
                    entry_hash(&r.prev_hash, r.seq, r.at, &e)?
                } else {
                    legacy_entry_hash(&r.prev_hash, r.seq, r.at, &e)
                };
                if expected != r.hash {
                    return bad("内容与哈希不符：该记录被改动 / content does not match its hash: this entry was altered");
                }
                prev = r.hash;
                expected_seq += 1;
            }
        }
        let last = expected_seq - 1;
        if last != head_seq || prev != head_hash && head_seq > 0 {
            return Ok(Verification {
                entries: count,
                problem: Some((
                    last + 1,
                    format!("末尾记录缺失或被改动（应有{head_seq}条）/ entries at the end were removed or altered (expected {head_seq})"),
                )),
            });
        }
        Ok(Verification {
            entries: count,
            problem: None,
        })
    }
}

/// Appends `e` to the chain inside `tx` (a write that audits itself in its own transaction: one
/// commit for both).
pub async fn append(tx: &mut Tx, e: &AuditEntry) -> Result<i64> {
    // Updating the head first takes its row lock: concurrent appenders queue here.
    let (seq, prev): (i64, String) = tx
        .one(&Q::new(
            "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash",
        ))
        .await?;
    let at = now_ms();
    let hash = entry_hash(&prev, seq, at, e)?;
    tx.exec(&Q::with(
        "INSERT INTO audit_log (seq, at, user_id, login, action, object, outcome, source, detail, prev_hash, hash) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            seq.into(),
            at.into(),
            e.user_id.into(),
            e.login.clone().into(),
            e.action.clone().into(),
            e.object.clone().into(),
            e.outcome.clone().into(),
            e.source.clone().into(),
            e.detail.clone().into(),
            prev.into(),
            hash.clone().into(),
        ],
    ))
    .await?;
    tx.exec(&Q::with(
        "UPDATE audit_head SET hash = ? WHERE id = 1",
        vec![hash.into()],
    ))
    .await?;
    tx.entries += 1;
    Ok(seq)
}
