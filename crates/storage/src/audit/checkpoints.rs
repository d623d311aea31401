//! Signed checkpoints of the audit chains: each county's newest linked entry, its sequence number
//! and keyed hash signed with SM2, for an auditor to keep apart from the database. A chain
//! rewritten even with the key, or cut short, no longer matches them.

use crate::sql::Q;
use crate::{Db, Result};

/// A signed checkpoint of one county's chain: its newest entry's sequence number and keyed hash.
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
    /// The county whose chain it checks (0: the system's own; checkpoints kept before chains
    /// were per county name none).
    #[serde(default)]
    pub county_id: i64,
    pub seq: i64,
    pub at: i64,
    pub hash: String,
    /// SM2 signature (hex) of `xiangzhi-audit-checkpoint|{county_id}|{seq}|{at}|{hash}` (for
    /// county 0: `xiangzhi-audit-checkpoint|{seq}|{at}|{hash}`).
    pub signature: String,
}

impl Checkpoint {
    fn message(county: i64, seq: i64, at: i64, hash: &str) -> Vec<u8> {
        if county == 0 {
            format!("xiangzhi-audit-checkpoint|{seq}|{at}|{hash}").into_bytes()
        } else {
            format!("xiangzhi-audit-checkpoint|{county}|{seq}|{at}|{hash}").into_bytes()
        }
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
            &Checkpoint::message(self.county_id, self.seq, self.at, &self.hash),
            &self.signature,
        )
    }
}

/// What checking kept checkpoints against the log found, one line per checkpoint that fails.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CheckpointProblem {
    pub county_id: i64,
    pub seq: i64,
    /// Chinese / English.
    pub problem: String,
}

impl Db {
    /// Writes a signed checkpoint of every chain whose newest linked entry has none yet, and
    /// returns the newest checkpoint of every chain, each with whether it was signed just now.
    pub async fn audit_checkpoint(&self, now: i64) -> Result<Vec<(Checkpoint, bool)>> {
        let ring = crate::crypto::keyring()?;
        let heads: Vec<(i64, i64, String)> = self
            .all(&Q::new(
                "SELECT county_id, seq, hash FROM audit_heads WHERE seq > 0 ORDER BY county_id",
            ))
            .await?;
        let mut out = Vec::with_capacity(heads.len());
        for (county, seq, hash) in heads {
            let mut tx = self.begin().await?;
            // A checkpoint with an entry of its own would never be the newest: the request that
            // asks for one is audited instead.
            tx.bookkeeping(crate::Bookkeeping::AuditLog);
            let last: Option<Checkpoint> = tx
                .optional(&Q::with(
                    "SELECT county_id, seq, at, hash, signature FROM audit_checkpoints \
                     WHERE county_id = ? ORDER BY seq DESC LIMIT 1",
                    vec![county.into()],
                ))
                .await?;
            if let Some(c) = last.filter(|c| c.seq == seq) {
                out.push((c, false));
                continue;
            }
            let signature = ring.sign_checkpoint(&Checkpoint::message(county, seq, now, &hash));
            let c = Checkpoint {
                county_id: county,
                seq,
                at: now,
                hash,
                signature,
            };
            tx.exec(&Q::with(
                "INSERT INTO audit_checkpoints (county_id, seq, at, hash, signature) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (county_id, seq) DO NOTHING",
                vec![
                    county.into(),
                    c.seq.into(),
                    c.at.into(),
                    c.hash.clone().into(),
                    c.signature.clone().into(),
                ],
            ))
            .await?;
            tx.commit().await?;
            out.push((c, true));
        }
        Ok(out)
    }

    /// The checkpoints stored in the database, newest first.
    pub async fn audit_checkpoints(&self, limit: u32) -> Result<Vec<Checkpoint>> {
        self.all(&Q::new(&format!(
            "SELECT county_id, seq, at, hash, signature FROM audit_checkpoints ORDER BY at DESC, county_id, seq DESC LIMIT {}",
            limit.clamp(1, 10_000)
        )))
        .await
    }

    /// Checks checkpoints an auditor kept apart (and, with none given, those in the database)
    /// against the log: each must carry this system's signature, and the entry it names must
    /// still hold the same keyed hash; a checkpoint beyond its chain's newest entry means the log
    /// was cut short. Entries pruned by retention are not compared.
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
                stored = self.audit_checkpoints(10_000).await?;
                &stored[..]
            }
        };
        let heads = self.chain_marks("audit_heads").await?;
        let anchors = self.chain_marks("audit_anchors").await?;
        let mut out = Vec::new();
        for c in list {
            let bad = |p: String| CheckpointProblem {
                county_id: c.county_id,
                seq: c.seq,
                problem: p,
            };
            if !c.signed_by(&public_key) {
                out.push(bad("检查点的签名不对：不是本系统签发的或被改动 / the checkpoint's signature is wrong: not signed by this system, or altered".into()));
                continue;
            }
            let head_seq = heads.get(&c.county_id).map(|h| h.0).unwrap_or(0);
            let anchor_seq = anchors.get(&c.county_id).map(|h| h.0).unwrap_or(0);
            if c.seq > head_seq {
                out.push(bad(format!("日志只到第{head_seq}条，检查点之后的记录被删除 / the log ends at {head_seq}: entries up to the checkpoint were removed")));
                continue;
            }
            if c.seq <= anchor_seq || c.seq == 0 {
                continue;
            }
            let h: Option<(String,)> = self
                .optional(&Q::with(
                    "SELECT hash FROM audit_log WHERE county_id = ? AND seq = ?",
                    vec![c.county_id.into(), c.seq.into()],
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
}
