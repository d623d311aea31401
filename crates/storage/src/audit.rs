//! 审计日志: an append-only log of every write and every unmasked read. Each entry carries the hash
//! of the entry before it, so `verify` finds any altered, removed or inserted entry and says which.

use crate::sql::Q;
use crate::{now_ms, Db, Result, Tx};
use sha2::{Digest, Sha256};

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

/// The hash of an entry: SHA-256 over the previous hash and every field, length-prefixed so that no
/// two different entries serialise alike.
pub fn entry_hash(prev: &str, seq: i64, at: i64, e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    let user = e.user_id.map(|u| u.to_string()).unwrap_or_default();
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
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
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
    /// anchor past them. Returns how many were deleted.
    pub async fn audit_prune(&self, retention_days: i64, now: i64) -> Result<u64> {
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
        tx.commit().await?;
        Ok(n)
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
        q.push(&format!(
            " ORDER BY t.seq DESC LIMIT {}",
            limit.clamp(1, 500)
        ));
        self.all(&q).await
    }

    /// Walks the whole chain in order and reports the first entry that was altered, removed or
    /// inserted.
    pub async fn audit_verify(&self) -> Result<Verification> {
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
                if entry_hash(&r.prev_hash, r.seq, r.at, &e) != r.hash {
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
pub(crate) async fn append(tx: &mut Tx, e: &AuditEntry) -> Result<i64> {
    // Updating the head first takes its row lock: concurrent appenders queue here.
    let (seq, prev): (i64, String) = tx
        .one(&Q::new(
            "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash",
        ))
        .await?;
    let at = now_ms();
    let hash = entry_hash(&prev, seq, at, e);
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
    Ok(seq)
}
