//! Large writes that must not stop the service (issue 18): an import is checked in full first,
//! with reads only, and then written in short transactions ("chunks") so that other writers —
//! sign-ins, cases, on SQLite the one write lock — wait milliseconds, not the whole import.
//!
//! Every chunk records in the same transaction how to undo itself ([`IMPORT_UNDO`]): the id range
//! of the rows it inserted, or the earlier values of a row it changed. A job that fails part-way is
//! undone at once, newest chunk first; a job cut off by a crash is found at the next start (its
//! heartbeat stale) and undone the same way. So the job as a whole is all or nothing; while it
//! writes, readers may see the rows of the chunks already written.
//!
//! [`IMPORT_UNDO`]: crate::tables::IMPORT_UNDO

use crate::actor::Bookkeeping;
use crate::audit::AuditEntry;
use crate::sql::{Arg, Q};
use crate::{Actor, Db, Result, StoreError, Tx};
use std::time::Duration;

/// Rows written per chunk: on SQLite about 50–80 ms of writing.
pub const CHUNK_ROWS: usize = 2_000;
/// How a staged writer makes room for other writers between its chunks on SQLite (PostgreSQL locks
/// rows, not the database: it never pauses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pause {
    /// A fixed pause after every chunk, long enough for a waiting writer's busy handler (which
    /// polls every 1–25 ms for its first 128 ms) to take the lock: for a writer that cannot see
    /// the others (the command line, beside a running server).
    Always(Duration),
    /// Only while writers of this process wait for the lock, until they have it (at most
    /// 60 ms a chunk, so the import still moves under a steady load): for the server's own import jobs.
    WhenWaited,
}

impl Default for Pause {
    fn default() -> Self {
        Pause::Always(Duration::from_millis(30))
    }
}
/// A job still `writing` whose heartbeat is older than this was cut off (a crash, a kill).
pub const STALE_MS: i64 = 120_000;

/// A job's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// Checked, with a preview; not written. Waits for someone to apply it.
    Checked,
    /// Checked and refused: the file has bad rows (listed in the job's errors).
    Refused,
    /// Applied: waits for the worker.
    Queued,
    /// Being written, chunk by chunk.
    Writing,
    /// Written in full.
    Done,
    /// Failed while writing; what it had written is undone.
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Checked => "checked",
            JobStatus::Refused => "refused",
            JobStatus::Queued => "queued",
            JobStatus::Writing => "writing",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<JobStatus> {
        Some(match s {
            "checked" => JobStatus::Checked,
            "refused" => JobStatus::Refused,
            "queued" => JobStatus::Queued,
            "writing" => JobStatus::Writing,
            "done" => JobStatus::Done,
            "failed" => JobStatus::Failed,
            _ => return None,
        })
    }
    /// English, as the console shows it.
    pub fn en(self) -> &'static str {
        match self {
            JobStatus::Checked => "checked, waiting for confirmation",
            JobStatus::Refused => "has errors, not imported",
            JobStatus::Queued => "queued",
            JobStatus::Writing => "writing",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed, undone",
        }
    }
    /// 中文, as the console shows it.
    pub fn zh(self) -> &'static str {
        match self {
            JobStatus::Checked => "已校验，待确认",
            JobStatus::Refused => "有错误，未导入",
            JobStatus::Queued => "排队中",
            JobStatus::Writing => "正在写入",
            JobStatus::Done => "已完成",
            JobStatus::Failed => "失败，已撤回",
        }
    }
}

/// One import job as stored (without its file).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ImportJob {
    pub county_id: i64,
    pub id: i64,
    pub layout: String,
    pub file_name: String,
    /// SHA-256 of the file, hex.
    pub digest: String,
    pub account_id: Option<i64>,
    pub login: String,
    /// The area the job acts within (the account's, or the one chosen).
    pub division_code: String,
    pub status: String,
    pub rows_total: i64,
    pub progress: i64,
    /// The preview or the outcome, as JSON (the layout's own shape).
    pub summary: Option<String>,
    /// The rows refused, as JSON (`[{row, column, zh, en}]`), or a failure's reason.
    pub errors: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ImportJob {
    pub fn status(&self) -> Option<JobStatus> {
        JobStatus::parse(&self.status)
    }
}

const JOB_COLS: &str = "t.county_id, t.id, t.layout, t.file_name, t.digest, t.account_id, t.login, \
     t.division_code, t.status, t.rows_total, t.progress, t.summary, t.errors, t.created_at, t.updated_at";

/// What a new job records.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub county_id: i64,
    pub layout: String,
    pub file_name: String,
    pub digest: String,
    pub division_code: String,
    pub status: JobStatus,
    pub rows_total: i64,
    pub summary: Option<String>,
    pub errors: Option<String>,
    /// The file, kept while the job waits to be applied.
    pub file: Option<Vec<u8>>,
}

/// Why a job failed, as its `errors` keep it: `{"zh": …, "en": …}`.
pub fn reason(zh: &str, en: &str) -> String {
    serde_json::json!({ "zh": zh, "en": en }).to_string()
}

/// SHA-256 of a file's bytes, hex: the digest every import and export audits.
pub fn digest(bytes: &[u8]) -> String {
    use sha2::Digest;
    crate::crypto::hex(&sha2::Sha256::digest(bytes))
}

impl Db {
    /// Records a job (checked, refused, or about to be written), audited.
    pub async fn create_import_job(&self, by: &Actor, job: &NewJob) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = crate::list::next_ids(&mut tx, job.county_id, "import_job", 1).await?;
        let now = crate::now_ms();
        tx.exec(&Q::with(
            "INSERT INTO import_jobs (county_id, id, layout, file_name, digest, account_id, login, division_code, \
             status, rows_total, progress, summary, errors, file, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
            vec![
                job.county_id.into(),
                id.into(),
                job.layout.clone().into(),
                job.file_name.clone().into(),
                job.digest.clone().into(),
                by.user_id.into(),
                by.login.clone().into(),
                job.division_code.clone().into(),
                job.status.as_str().into(),
                job.rows_total.into(),
                job.summary.clone().into(),
                job.errors.clone().into(),
                // No file: an empty one (the column is binary on both backends, and an untyped
                // NULL cannot be bound to it on PostgreSQL).
                Arg::Bytes(job.file.clone().unwrap_or_default()),
                now.into(),
                now.into(),
            ],
        ))
        .await
        .map_err(busy_county)?;
        let mut e = by.entry(
            &format!("check import {}", job.layout),
            format!(
                "import job {}:{id}: {} ({} rows, sha256 {})",
                job.county_id, job.file_name, job.rows_total, job.digest
            ),
        );
        e.outcome = job.status.as_str().into();
        tx.audit_entry(by, &e).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One job, found within the area `under` (a division code prefix; empty for everything).
    pub async fn import_job(&self, county_id: i64, id: i64, under: &str) -> Result<ImportJob> {
        self.optional(&Q::with(
            &format!(
                "SELECT {JOB_COLS} FROM import_jobs t WHERE t.county_id = ? AND t.id = ? AND t.division_code LIKE ?"
            ),
            vec![county_id.into(), id.into(), format!("{under}%").into()],
        ))
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// The newest jobs within the area `under` (a division code prefix; empty for everything).
    pub async fn import_jobs(&self, under: &str, limit: i64) -> Result<Vec<ImportJob>> {
        self.all(&Q::with(
            &format!(
                "SELECT {JOB_COLS} FROM import_jobs t WHERE t.division_code LIKE ? ORDER BY t.created_at DESC, t.id DESC LIMIT ?"
            ),
            vec![format!("{under}%").into(), limit.into()],
        ))
        .await
    }

    /// The file a checked job keeps.
    pub async fn import_job_file(&self, county_id: i64, id: i64) -> Result<Option<Vec<u8>>> {
        let row: Option<(Option<Vec<u8>>,)> = self
            .optional(&Q::with(
                "SELECT t.file FROM import_jobs t WHERE t.county_id = ? AND t.id = ?",
                vec![county_id.into(), id.into()],
            ))
            .await?;
        Ok(row.and_then(|r| r.0).filter(|f| !f.is_empty()))
    }

    /// Moves a checked job to the queue, audited; refused when it is not `checked`, or when
    /// another job of the county is queued or writing (one at a time).
    pub async fn queue_import_job(&self, by: &Actor, county_id: i64, id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let n = tx
            .exec(&Q::with(
                "UPDATE import_jobs SET status = 'queued', updated_at = ? WHERE county_id = ? AND id = ? AND status = 'checked'",
                vec![crate::now_ms().into(), county_id.into(), id.into()],
            ))
            .await
            .map_err(busy_county)?;
        if n == 0 {
            return Err(StoreError::conflict(
                "status",
                "该导入已确认过或未通过校验",
                "this import was already applied, or did not pass its checks",
            ));
        }
        tx.audit(by, "apply import", format!("import job {county_id}:{id}"))
            .await?;
        tx.commit().await
    }

    /// The oldest queued job, if any (for the worker).
    pub async fn next_queued_import(&self) -> Result<Option<ImportJob>> {
        self.optional(&Q::new(&format!(
            "SELECT {JOB_COLS} FROM import_jobs t WHERE t.status = 'queued' ORDER BY t.updated_at, t.id LIMIT 1"
        )))
        .await
    }

    /// Records a queued job's end without writing (its file failed the second check), audited.
    pub async fn close_import_job(
        &self,
        by: &Actor,
        county_id: i64,
        id: i64,
        status: JobStatus,
        errors: Option<String>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.exec(&Q::with(
            "UPDATE import_jobs SET status = ?, errors = ?, file = NULL, updated_at = ? WHERE county_id = ? AND id = ?",
            vec![
                status.as_str().into(),
                errors.into(),
                crate::now_ms().into(),
                county_id.into(),
                id.into(),
            ],
        ))
        .await?;
        let mut e = by.entry("import", format!("import job {county_id}:{id}"));
        e.outcome = status.as_str().into();
        tx.audit_entry(by, &e).await?;
        tx.commit().await
    }

    /// Undoes every job cut off while writing (heartbeat older than [`STALE_MS`]): run at start.
    /// Returns how many were undone.
    pub async fn recover_imports(&self) -> Result<usize> {
        let stale: Vec<(i64, i64)> = self
            .all(&Q::with(
                "SELECT t.county_id, t.id FROM import_jobs t WHERE t.status = 'writing' AND t.updated_at < ?",
                vec![(crate::now_ms() - STALE_MS).into()],
            ))
            .await?;
        for (county_id, id) in &stale {
            // One job that cannot be undone (a row it wrote is referenced since) is reported and
            // left for an administrator; it stops no other county's recovery.
            if let Err(e) = undo(self, *county_id, *id).await {
                tracing::error!(county_id, job = id, error = %e, "an interrupted import could not be undone");
                continue;
            }
            let by = Actor::system("import recovery");
            self.close_import_job(
                &by,
                *county_id,
                *id,
                JobStatus::Failed,
                Some(reason(
                    "导入中途中断（服务器停止），已写入的部分已撤回",
                    "the import was cut off (the server stopped); what it had written is undone",
                )),
            )
            .await?;
        }
        // A job queued by a server that stopped before it began goes back to waiting for a click;
        // an upload checked but never applied lets go of its file (full ID numbers, phones)
        // after a day.
        let mut tx = self.begin().await?;
        let expired = tx
            .exec(&Q::with(
                "UPDATE import_jobs SET file = NULL, status = 'failed', errors = ?, updated_at = ? \
                 WHERE status = 'checked' AND file IS NOT NULL AND updated_at < ?",
                vec![
                    reason(
                        "一天内未确认，上传的文件已删除，请重新上传",
                        "not confirmed within a day; the file was deleted, upload it again",
                    )
                    .into(),
                    crate::now_ms().into(),
                    (crate::now_ms() - 86_400_000).into(),
                ],
            ))
            .await?;
        let requeued = tx
            .exec(&Q::with(
                "UPDATE import_jobs SET status = 'checked', updated_at = ? WHERE status = 'queued' AND updated_at < ?",
                vec![crate::now_ms().into(), (crate::now_ms() - STALE_MS).into()],
            ))
            .await?;
        if requeued + expired > 0 {
            let by = Actor::system("import recovery");
            tx.audit(
                &by,
                "recover imports",
                format!("{requeued} back to checked, {expired} unconfirmed uploads deleted"),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(stale.len())
    }
}

/// A job no longer `writing` under its writer (recovery undid it).
fn lost_job() -> StoreError {
    StoreError::conflict(
        "status",
        "该导入已被判定为中断并撤回",
        "this import was taken for interrupted and undone",
    )
}

/// A unique-index refusal on the one-job-per-county guard, said in words.
fn busy_county(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict(_) => StoreError::conflict(
            "status",
            "本县已有一个导入正在进行，请等它完成后再试",
            "another import is running in this county; try again when it has finished",
        ),
        e => e,
    }
}

/// One changed row: the new values, and the values it had (kept to undo the change).
#[derive(Debug, Clone)]
pub struct Change {
    pub id: i64,
    pub set: Vec<(&'static str, Arg)>,
    pub before: Vec<(&'static str, Arg)>,
}

/// A job being written, chunk by chunk.
pub struct Staged<'a> {
    db: &'a Db,
    county_id: i64,
    job: i64,
    seq: i64,
    written: i64,
    pause: Option<Pause>,
}

impl<'a> Staged<'a> {
    /// Starts writing job `job` (created `queued` or `checked` by [`Db::create_import_job`]): marks
    /// it `writing`, audited with its opening entry, which covers every chunk that follows.
    pub async fn begin(
        db: &'a Db,
        by: &Actor,
        county_id: i64,
        job: i64,
        pause: Pause,
    ) -> Result<Staged<'a>> {
        let mut tx = db.begin().await?;
        let n = tx
            .exec(&Q::with(
                "UPDATE import_jobs SET status = 'writing', progress = 0, updated_at = ? \
                 WHERE county_id = ? AND id = ? AND status IN ('checked', 'queued')",
                vec![crate::now_ms().into(), county_id.into(), job.into()],
            ))
            .await
            .map_err(busy_county)?;
        if n == 0 {
            return Err(StoreError::conflict(
                "status",
                "该导入不在待写入状态",
                "this import is not waiting to be written",
            ));
        }
        tx.audit(by, "write import", format!("import job {county_id}:{job}"))
            .await?;
        tx.commit().await?;
        Ok(Staged {
            db,
            county_id,
            job,
            seq: 0,
            written: 0,
            pause: (db.backend_name() == "sqlite").then_some(pause),
        })
    }

    /// Rows written so far.
    pub fn written(&self) -> i64 {
        self.written
    }

    /// Reserves `n` ids of `kind` in a short transaction of its own (a gap if the job fails).
    pub async fn reserve(&mut self, kind: &str, n: i64) -> Result<i64> {
        if n == 0 {
            return Ok(0);
        }
        let mut tx = self.db.begin().await?;
        tx.bookkeeping(Bookkeeping::StagedImport);
        let first = crate::list::next_ids(&mut tx, self.county_id, kind, n).await?;
        tx.commit().await?;
        Ok(first)
    }

    async fn chunk_tx(&mut self) -> Result<Tx> {
        match self.pause {
            Some(Pause::Always(d)) if self.seq > 0 => tokio::time::sleep(d).await,
            Some(Pause::WhenWaited) => {
                let since = std::time::Instant::now();
                while self.db.writers_waiting() > 0 && since.elapsed() < Duration::from_millis(60) {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
            _ => {}
        }
        let mut tx = self.db.begin().await?;
        tx.bookkeeping(Bookkeeping::StagedImport);
        Ok(tx)
    }

    async fn close_chunk(&mut self, mut tx: Tx, rows: usize) -> Result<()> {
        self.written += rows as i64;
        let n = tx
            .exec(&Q::with(
                "UPDATE import_jobs SET progress = ?, updated_at = ? WHERE county_id = ? AND id = ? AND status = 'writing'",
                vec![
                    self.written.into(),
                    crate::now_ms().into(),
                    self.county_id.into(),
                    self.job.into(),
                ],
            ))
            .await?;
        if n == 0 {
            // Recovery took the job for dead and undid it: this writer stops (the chunk rolls back).
            return Err(lost_job());
        }
        tx.commit().await
    }

    async fn journal(
        &mut self,
        tx: &mut Tx,
        table: &str,
        from: i64,
        to: i64,
        before: Option<String>,
    ) -> Result<()> {
        self.seq += 1;
        tx.exec(&Q::with(
            "INSERT INTO import_undo (county_id, job_id, seq, tbl, id_from, id_to, before) VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                self.county_id.into(),
                self.job.into(),
                self.seq.into(),
                table.into(),
                from.into(),
                to.into(),
                before.into(),
            ],
        ))
        .await?;
        Ok(())
    }

    /// Inserts rows whose first two values are the county id and an id reserved for this job, in
    /// chunks; `on_chunk` hears how many rows each chunk wrote.
    pub async fn insert(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Arg>>,
        on_chunk: &(dyn Fn(u64) + Sync),
    ) -> Result<()> {
        if columns.get(..2) != Some(&["county_id", "id"][..]) {
            return Err(StoreError::Query(format!(
                "a staged insert into {table} must lead with county_id, id"
            )));
        }
        self.insert_keyed(table, columns, "id", rows, on_chunk)
            .await
    }

    /// Inserts rows of a table without ids of its own (a link table such as a member's contact
    /// households), each keyed by `key`, a column holding an id reserved for this job (the
    /// member's); undone by that key. Rows in order of the key.
    pub async fn insert_keyed(
        &mut self,
        table: &str,
        columns: &[&str],
        key: &str,
        rows: Vec<Vec<Arg>>,
        on_chunk: &(dyn Fn(u64) + Sync),
    ) -> Result<()> {
        let at = columns.iter().position(|c| *c == key).ok_or_else(|| {
            StoreError::Query(format!("a staged insert into {table} needs its key {key}"))
        })?;
        let undo_as = if key == "id" {
            table.to_string()
        } else {
            format!("{}:{}", ident(table)?, ident(key)?)
        };
        let mut it = rows.into_iter().peekable();
        while it.peek().is_some() {
            let chunk: Vec<Vec<Arg>> = it.by_ref().take(CHUNK_ROWS).collect();
            let ids = chunk.iter().filter_map(|r| match r.get(at) {
                Some(Arg::I64(id)) => Some(*id),
                _ => None,
            });
            let (lo, hi) = ids.fold((i64::MAX, i64::MIN), |(lo, hi), id| {
                (lo.min(id), hi.max(id))
            });
            let n = chunk.len();
            let mut tx = self.chunk_tx().await?;
            self.journal(&mut tx, &undo_as, lo, hi, None).await?;
            tx.bulk_insert(table, columns, chunk).await?;
            self.close_chunk(tx, n).await?;
            on_chunk(n as u64);
        }
        Ok(())
    }

    /// Changes rows of `table` (by county and id), in chunks, keeping each row's earlier values.
    pub async fn update(
        &mut self,
        table: &str,
        changes: Vec<Change>,
        on_chunk: &(dyn Fn(u64) + Sync),
    ) -> Result<()> {
        for chunk in changes.chunks(CHUNK_ROWS / 4) {
            let mut tx = self.chunk_tx().await?;
            for c in chunk {
                // The version the change leaves: an undo restores the row only while it still
                // holds it, so a clerk's later edit is never overwritten by an undo.
                let mut q = set_row(table, self.county_id, c.id, &c.set, None);
                q.push(" RETURNING version");
                let (version,): (i64,) = tx.one(&q).await?;
                self.journal(
                    &mut tx,
                    table,
                    c.id,
                    c.id,
                    Some(before_json(&c.before, version)),
                )
                .await?;
            }
            self.close_chunk(tx, chunk.len()).await?;
            on_chunk(chunk.len() as u64);
        }
        Ok(())
    }

    /// Ends the job: `done`, the undo journal dropped, the file let go, and the closing entry
    /// (what was written, how many rows, the file's digest) in the same transaction.
    pub async fn finish(self, by: &Actor, summary: String, entry: AuditEntry) -> Result<()> {
        let mut tx = self.db.begin().await?;
        tx.exec(&Q::with(
            "DELETE FROM import_undo WHERE county_id = ? AND job_id = ?",
            vec![self.county_id.into(), self.job.into()],
        ))
        .await?;
        let n = tx.exec(&Q::with(
            "UPDATE import_jobs SET status = 'done', summary = ?, file = NULL, progress = ?, updated_at = ? \
             WHERE county_id = ? AND id = ? AND status = 'writing'",
            vec![
                summary.into(),
                self.written.into(),
                crate::now_ms().into(),
                self.county_id.into(),
                self.job.into(),
            ],
        ))
        .await?;
        if n == 0 {
            return Err(lost_job());
        }
        tx.audit_entry(by, &entry).await?;
        tx.commit().await
    }

    /// Undoes what the job wrote and records it `failed` with `reason` (JSON `{zh, en}`).
    pub async fn fail(self, by: &Actor, reason: String) -> Result<()> {
        undo(self.db, self.county_id, self.job).await?;
        self.db
            .close_import_job(
                by,
                self.county_id,
                self.job,
                JobStatus::Failed,
                Some(reason),
            )
            .await
    }
}

mod undo;
use undo::{before_json, ident, set_row, undo};
