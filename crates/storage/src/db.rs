//! Connecting, migrating, and running `Q` queries on a pool or inside a transaction.

use crate::actor::Bookkeeping;
use crate::sql::Q;
use crate::{Result, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{FromRow, PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static PG_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone)]
pub(crate) enum Backend<S, P> {
    Sqlite(S),
    Postgres(P),
}

/// A connection pool on SQLite (embedded default) or PostgreSQL (production).
#[derive(Clone)]
pub struct Db {
    pub(crate) inner: Backend<SqlitePool, PgPool>,
    url_redacted: String,
    /// Writers of this process waiting for SQLite's write lock (in `begin`): a staged import
    /// steps aside between its chunks while any wait.
    waiting: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Ids reserved ahead, by county and kind: the next one to hand out and the end of the block.
    pub(crate) id_blocks: IdBlocks,
}

/// A county and a kind of id.
pub(crate) type IdKind = (i64, &'static str);

/// Ids of a county reserved ahead by this process: `(county, kind)` → (next, end exclusive);
/// one task at a time refills.
#[derive(Default)]
pub(crate) struct IdBlockMap {
    blocks: std::sync::Mutex<std::collections::HashMap<IdKind, (i64, i64)>>,
    pub(crate) refill: tokio::sync::Mutex<()>,
}
pub(crate) type IdBlocks = std::sync::Arc<IdBlockMap>;

impl IdBlockMap {
    pub(crate) fn put(&self, key: IdKind, block: (i64, i64)) {
        self.blocks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, block);
    }

    pub(crate) fn take(&self, key: IdKind) -> Option<i64> {
        let mut blocks = self.blocks.lock().unwrap_or_else(|e| e.into_inner());
        let (next, end) = blocks.get_mut(&key)?;
        (*next < *end).then(|| {
            *next += 1;
            *next - 1
        })
    }
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({})", self.url_redacted)
    }
}

/// One writer waiting for SQLite's write lock, for as long as it lives.
struct Waiting<'a>(&'a std::sync::atomic::AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(n: &'a std::sync::atomic::AtomicUsize) -> Self {
        n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Waiting(n)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A rows type both backends can decode.
pub trait Record:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> Record for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// Writes go through a transaction, which audits them: a pool runs reads only.
fn read_only(q: &Q) -> Result<()> {
    if crate::actor::writes(&q.sql) {
        return Err(StoreError::Query(format!(
            "a write outside a transaction: {}",
            q.sql.chars().take(80).collect::<String>()
        )));
    }
    Ok(())
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..s + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}

impl Db {
    /// Opens `sqlite://path` (created if missing; WAL, foreign keys on, full fsync) or
    /// `postgres://…`, and applies this binary's migrations.
    pub async fn connect(url: &str) -> Result<Db> {
        Db::connect_with_cache(url, 65_536).await
    }

    /// As [`Db::connect`], with SQLite's page cache per connection set to `cache_kib` KiB (the
    /// server keeps 64 MiB; a one-pass command such as an export needs little).
    pub async fn connect_with_cache(url: &str, cache_kib: i64) -> Result<Db> {
        let inner = if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", format!("-{cache_kib}"))
                .pragma("temp_store", "memory")
                .pragma("wal_autocheckpoint", "10000");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(opts)
                .await?;
            SQLITE_MIGRATIONS.run(&pool).await?;
            Backend::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await?;
            PG_MIGRATIONS.run(&pool).await?;
            Backend::Postgres(pool)
        } else {
            return Err(StoreError::invalid(
                "database_url",
                format!(
                    "不支持的数据库地址“{}”，应以 sqlite:// 或 postgres:// 开头",
                    redact(url)
                ),
                format!(
                    "unsupported database URL '{}'; use sqlite:// or postgres://",
                    redact(url)
                ),
            ));
        };
        let db = Db {
            inner,
            url_redacted: redact(url),
            waiting: Default::default(),
            id_blocks: Default::default(),
        };
        db.check_data_key().await?;
        db.seal_audit_keyed_from().await?;
        Ok(db)
    }

    /// Refuses a data key other than the one this database was sealed with (recorded on first
    /// use), and seals any personal data written before encryption at rest existed — once: the
    /// `plaintext_sealed` setting records that the pass ran, so later starts skip the table scans.
    async fn check_data_key(&self) -> Result<()> {
        let ring = crate::crypto::keyring()?;
        let mut tx = self.begin().await?;
        tx.bookkeeping(Bookkeeping::StoreSettings);
        let stored: Option<(String,)> = tx
            .optional(&Q::new(
                "SELECT t.value FROM settings t WHERE t.name = 'data_key_fingerprint'",
            ))
            .await?;
        match stored {
            Some((f,)) if f != ring.fingerprint() => {
                return Err(StoreError::invalid(
                    "data_key",
                    format!("数据密钥与本数据库不符（数据库使用 {f}，配置的是 {}）", ring.fingerprint()),
                    format!(
                        "the data key does not match this database (it was sealed with {f}, the configured key is {})",
                        ring.fingerprint()
                    ),
                ));
            }
            Some(_) => {}
            None => {
                tx.exec(&Q::with(
                    "INSERT INTO settings (name, value) VALUES ('data_key_fingerprint', ?)",
                    vec![ring.fingerprint().to_string().into()],
                ))
                .await?;
            }
        }
        let sealed: Option<(String,)> = tx
            .optional(&Q::new(
                "SELECT t.value FROM settings t WHERE t.name = 'plaintext_sealed'",
            ))
            .await?;
        if sealed.is_some() {
            search_keys(&mut tx, ring).await?;
            return tx.commit().await;
        }
        let plain: Vec<(i64, i64, String, Option<String>)> = tx
            .all(&Q::new(
                "SELECT t.county_id, t.id, t.id_number_hash, t.phone FROM residents t WHERE t.id_number = ''",
            ))
            .await?;
        for (county, id, number, phone) in plain {
            tx.exec(&Q::with(
                "UPDATE residents SET id_number = ?, id_number_hash = ?, phone = ? WHERE county_id = ? AND id = ?",
                vec![
                    ring.seal("id_number", &number).into(),
                    ring.index("id_number", &number).into(),
                    phone.map(|p| ring.seal("phone", &p)).into(),
                    county.into(),
                    id.into(),
                ],
            ))
            .await?;
        }
        let plain: Vec<(i64, i64, String)> = tx
            .all(&Q::new(
                "SELECT t.county_id, t.id, t.phone FROM grid_staff t WHERE t.phone IS NOT NULL AND t.phone NOT LIKE 's4g1:%'",
            ))
            .await?;
        for (county, id, phone) in plain {
            tx.exec(&Q::with(
                "UPDATE grid_staff SET phone = ? WHERE county_id = ? AND id = ?",
                vec![ring.seal("phone", &phone).into(), county.into(), id.into()],
            ))
            .await?;
        }
        tx.exec(&Q::new(
            "INSERT INTO settings (name, value) VALUES ('plaintext_sealed', 'yes')",
        ))
        .await?;
        search_keys(&mut tx, ring).await?;
        tx.commit().await
    }

    pub fn backend_name(&self) -> &'static str {
        match self.inner {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// How many writers of this process are waiting for SQLite's write lock right now (always 0
    /// on PostgreSQL, which locks rows).
    pub fn writers_waiting(&self) -> usize {
        self.waiting.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub async fn close(&self) {
        on_backend!(&self.inner, p => p.close().await)
    }

    pub async fn begin(&self) -> Result<Tx> {
        let inner = match &self.inner {
            // Every transaction here writes: take SQLite's write lock at the start, so concurrent
            // writers queue on the busy timeout instead of failing when a read lock cannot be
            // upgraded ("database is locked").
            Backend::Sqlite(p) => {
                // Counted while waiting, uncounted however the wait ends (a dropped request too).
                let _waiting = Waiting::new(&self.waiting);
                Backend::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?)
            }
            Backend::Postgres(p) => Backend::Postgres(p.begin().await?),
        };
        Ok(Tx {
            inner,
            first_write: None,
            entries: 0,
            bookkeeping: None,
            actors: Vec::new(),
        })
    }

    pub async fn all<T: Record>(&self, q: &Q) -> Result<Vec<T>> {
        q.check()?;
        read_only(q)?;
        Ok(
            on_backend_sql!(&self.inner, q, p, sql => bind_args!(sqlx::query_as::<_, T>(sql), &q.args).fetch_all(p).await?),
        )
    }
    pub async fn optional<T: Record>(&self, q: &Q) -> Result<Option<T>> {
        q.check()?;
        read_only(q)?;
        Ok(
            on_backend_sql!(&self.inner, q, p, sql => bind_args!(sqlx::query_as::<_, T>(sql), &q.args).fetch_optional(p).await?),
        )
    }
    pub async fn one<T: Record>(&self, q: &Q) -> Result<T> {
        self.optional(q).await?.ok_or(StoreError::NotFound)
    }

    /// Whether the database holds any division (a demo is built only in an empty one).
    pub async fn holds_data(&self) -> Result<bool> {
        let (n,): (i64,) = self.one(&Q::new("SELECT COUNT(*) FROM divisions")).await?;
        Ok(n > 0)
    }

    /// Runs a `SELECT COUNT(*) …` written by a test or benchmark (trusted SQL).
    pub async fn count_for_tests(&self, sql: &str) -> Result<i64> {
        let (n,): (i64,) = self.one(&Q::new(sql)).await?;
        Ok(n)
    }

    /// Refreshes the planner's statistics after a large load, so scoped queries pick the right
    /// index; on PostgreSQL also vacuums (`VACUUM ANALYZE`), which sets the visibility map that
    /// index-only scans need (what autovacuum would do a while later).
    pub async fn analyze(&self) -> Result<()> {
        match &self.inner {
            Backend::Sqlite(p) => {
                sqlx::query("ANALYZE").execute(p).await?;
            }
            Backend::Postgres(p) => {
                sqlx::query("VACUUM ANALYZE").execute(p).await?;
            }
        }
        Ok(())
    }

    /// Runs a statement written by a test (trusted SQL), e.g. to tamper with the audit log.
    pub async fn execute_for_tests(&self, sql: &str) -> Result<u64> {
        let mut tx = self.begin().await?;
        tx.bookkeeping(Bookkeeping::BenchmarkOrTest);
        let n = tx.exec(&Q::new(sql)).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Every table's columns with their types as the catalogue names them, sorted, for holding
    /// both backends against [`crate::tables::TABLES`]. A type the catalogue has no name for comes
    /// back as `None`.
    pub async fn schema(&self) -> Result<Vec<(String, String, Option<crate::tables::Kind>)>> {
        use crate::tables::Kind;
        let sql = match self.inner {
            Backend::Sqlite(_) => "SELECT m.name AS t, p.name AS c, UPPER(p.type) AS k FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' ORDER BY 1, 2",
            // Tables only: a Citus coordinator adds views of its own (citus_tables, …).
            Backend::Postgres(_) => "SELECT c.table_name::text AS t, c.column_name::text AS c, c.data_type::text AS k \
                 FROM information_schema.columns c JOIN information_schema.tables t \
                 ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE' \
                 WHERE c.table_schema = current_schema() AND c.table_name NOT LIKE '_sqlx%' ORDER BY 1, 2",
        };
        let rows: Vec<(String, String, String)> = self.all(&Q::new(sql)).await?;
        Ok(rows
            .into_iter()
            .map(|(t, c, k)| {
                let kind = match k.as_str() {
                    "BIGINT" | "bigint" => Some(Kind::Int),
                    "INTEGER" | "boolean" => Some(Kind::Bool),
                    "TEXT" | "text" => Some(Kind::Text),
                    "REAL" | "double precision" => Some(Kind::Real),
                    "DATE" | "date" => Some(Kind::Date),
                    "BLOB" | "bytea" => Some(Kind::Bytes),
                    _ => None,
                };
                (t, c, kind)
            })
            .collect())
    }
}

/// A transaction on either backend. Dropped without `commit`, it rolls back: multi-step writes are
/// all-or-nothing. A transaction that wrote commits only with an audit entry of its own
/// ([`Tx::audit`]) or a stated reason why its writes are bookkeeping ([`Tx::bookkeeping`]).
pub struct Tx {
    inner: Backend<Transaction<'static, Sqlite>, Transaction<'static, Postgres>>,
    /// The first writing statement, if any (named when the commit is refused).
    first_write: Option<String>,
    pub(crate) entries: u32,
    bookkeeping: Option<Bookkeeping>,
    /// The actors whose entries this transaction holds: marked audited once it commits.
    pub(crate) actors: Vec<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

impl Tx {
    /// Commits, unless the transaction wrote without an audit entry or a bookkeeping reason: then
    /// it rolls back and answers [`StoreError::Unaudited`].
    pub async fn commit(self) -> Result<()> {
        if let (Some(sql), 0, None) = (&self.first_write, self.entries, self.bookkeeping) {
            let head: String = sql.chars().take(80).collect();
            return Err(StoreError::Unaudited(head));
        }
        on_backend!(self.inner, t => t.commit().await?);
        for a in self.actors {
            a.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(())
    }

    /// Says that this transaction's writes are bookkeeping, audited elsewhere or not at all, and
    /// why.
    pub fn bookkeeping(&mut self, why: Bookkeeping) {
        self.bookkeeping = Some(why);
    }

    fn saw(&mut self, q: &Q) {
        if self.first_write.is_none() && crate::actor::writes(&q.sql) {
            self.first_write = Some(q.sql.clone());
        }
    }
    pub async fn all<T: Record>(&mut self, q: &Q) -> Result<Vec<T>> {
        q.check()?;
        self.saw(q);
        Ok(
            on_backend_sql!(&mut self.inner, q, t, sql => bind_args!(sqlx::query_as::<_, T>(sql), &q.args).fetch_all(&mut **t).await.map_err(StoreError::from_db)?),
        )
    }
    pub async fn optional<T: Record>(&mut self, q: &Q) -> Result<Option<T>> {
        q.check()?;
        self.saw(q);
        Ok(
            on_backend_sql!(&mut self.inner, q, t, sql => bind_args!(sqlx::query_as::<_, T>(sql), &q.args).fetch_optional(&mut **t).await.map_err(StoreError::from_db)?),
        )
    }
    pub async fn one<T: Record>(&mut self, q: &Q) -> Result<T> {
        self.optional(q).await?.ok_or(StoreError::NotFound)
    }
    pub async fn exec(&mut self, q: &Q) -> Result<u64> {
        q.check()?;
        self.saw(q);
        Ok(
            on_backend_sql!(&mut self.inner, q, t, sql => bind_args!(sqlx::query(sql), &q.args).execute(&mut **t).await.map_err(StoreError::from_db)?.rows_affected()),
        )
    }
    /// Inserts many rows with multi-row `INSERT … VALUES` statements, as many rows per statement as
    /// the parameter limits allow. The caller has validated the rows; constraints still apply.
    /// The statement text is built once per batch size and the values are moved, not copied: this
    /// is the import hot path.
    pub async fn bulk_insert(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<crate::Value>>,
    ) -> Result<()> {
        const MAX_PARAMS: usize = 30_000;
        const MAX_ROWS: usize = 1_000;
        let width = columns.len().max(1);
        let per = (MAX_PARAMS / width).clamp(1, MAX_ROWS);
        let pg = self.is_postgres();
        if rows.iter().any(|r| r.len() != width) {
            return Err(StoreError::invalid(
                table,
                "批量写入的列数不一致",
                "bulk insert row has the wrong number of values",
            ));
        }
        if pg && rows.len() >= COPY_FROM_ROWS {
            return self.copy_in(table, columns, rows).await;
        }
        let head = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let statement = |n: usize| {
            let mut sql = String::with_capacity(head.len() + n * width * 6);
            sql.push_str(&head);
            let mut k = 0;
            for r in 0..n {
                sql.push_str(if r == 0 { "(" } else { ", (" });
                for c in 0..width {
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    k += 1;
                    if pg {
                        sql.push('$');
                        sql.push_str(&k.to_string());
                    } else {
                        sql.push('?');
                    }
                }
                sql.push(')');
            }
            sql
        };
        let full_n = per.min(rows.len());
        let full = statement(full_n);
        // Whole chunks, then the rest in chunks of powers of two: a handful of statement shapes
        // whatever the count, so the connection's statement cache keeps them prepared (a
        // thousand-row statement prepared anew for every odd-sized tail costs milliseconds).
        let mut left = rows.len();
        let mut it = rows.into_iter().peekable();
        while it.peek().is_some() {
            let take = if left >= per {
                per
            } else {
                1 << (usize::BITS - 1 - left.leading_zeros())
            };
            left -= take;
            let mut args = Vec::with_capacity(take * width);
            let mut n = 0;
            for row in it.by_ref().take(take) {
                args.extend(row);
                n += 1;
            }
            let sql = if n == full_n {
                full.clone()
            } else {
                statement(n)
            };
            self.exec(&Q {
                sql,
                args,
                mismatch: None,
            })
            .await?;
        }
        Ok(())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.inner, Backend::Postgres(_))
    }

    /// PostgreSQL's `COPY … FROM STDIN` in text format: the rows streamed in blocks of about a
    /// megabyte, parsed by the server without a statement per row or a parameter per value
    /// (the checks and constraints apply as to an `INSERT`).
    async fn copy_in(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<crate::Value>>,
    ) -> Result<()> {
        let statement = format!("COPY {table} ({}) FROM STDIN", columns.join(", "));
        if self.first_write.is_none() {
            self.first_write = Some(statement.clone());
        }
        let Backend::Postgres(t) = &mut self.inner else {
            return Err(StoreError::Query("COPY is PostgreSQL's".into()));
        };
        let conn: &mut sqlx::PgConnection = t;
        let mut copy = conn
            .copy_in_raw(&statement)
            .await
            .map_err(StoreError::from_db)?;
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
        let mut sent = Ok(());
        for row in rows {
            for (k, v) in row.into_iter().enumerate() {
                if k > 0 {
                    buf.push(b'\t');
                }
                copy_text(&mut buf, v);
            }
            buf.push(b'\n');
            if buf.len() >= 1 << 20 {
                if let Err(e) = copy.send(std::mem::take(&mut buf)).await {
                    sent = Err(e);
                    break;
                }
                buf.reserve(1 << 20);
            }
        }
        if sent.is_ok() && !buf.is_empty() {
            sent = copy.send(buf).await.map(|_| ());
        }
        match sent {
            Ok(()) => {
                copy.finish().await.map_err(StoreError::from_db)?;
                Ok(())
            }
            Err(e) => {
                let _ = copy.abort("xiangzhi: the rows could not be sent").await;
                Err(StoreError::from_db(e))
            }
        }
    }
}

/// From how many rows a bulk insert on PostgreSQL streams them with `COPY`. A copy's end is a
/// small message written apart from its data; with Nagle's algorithm on the connection (sqlx does
/// not turn it off) it waits for the server's delayed acknowledgement, about 40 ms on Linux, so a
/// copy pays off only for many rows (a village's thousand lines went from 7 ms to 40 ms).
const COPY_FROM_ROWS: usize = 20_000;

/// One value in `COPY`'s text format: `\N` for NULL, and a backslash, tab, newline or carriage
/// return in text escaped, so no value can end a column or a row.
fn copy_text(buf: &mut Vec<u8>, v: crate::Value) {
    use crate::Value as V;
    use std::io::Write;
    let text = |buf: &mut Vec<u8>, s: &str| {
        for b in s.bytes() {
            match b {
                b'\\' => buf.extend_from_slice(b"\\\\"),
                b'\t' => buf.extend_from_slice(b"\\t"),
                b'\n' => buf.extend_from_slice(b"\\n"),
                b'\r' => buf.extend_from_slice(b"\\r"),
                _ => buf.push(b),
            }
        }
    };
    match v {
        V::I64(n) | V::OptI64(Some(n)) => {
            let _ = write!(buf, "{n}");
        }
        V::Text(s) | V::OptText(Some(s)) => text(buf, &s),
        V::Date(d) | V::OptDate(Some(d)) => {
            let _ = write!(buf, "{}", d.format("%Y-%m-%d"));
        }
        V::Bool(b) => buf.push(if b { b't' } else { b'f' }),
        V::OptF64(Some(f)) => {
            let _ = write!(buf, "{f:?}");
        }
        V::Bytes(bytes) => {
            buf.extend_from_slice(b"\\\\x");
            for b in bytes {
                let _ = write!(buf, "{b:02x}");
            }
        }
        V::OptI64(None) | V::OptText(None) | V::OptDate(None) | V::OptF64(None) => {
            buf.extend_from_slice(b"\\N")
        }
    }
}

/// Gives residents written before migration 0022 the keyed indexes of their phone and of their
/// ID number's last four characters (once per database; each value is opened with the key here,
/// once, never at search time).
async fn search_keys(tx: &mut Tx, ring: &crate::crypto::Keyring) -> Result<()> {
    let done: Option<(String,)> = tx
        .optional(&Q::new(
            "SELECT t.value FROM settings t WHERE t.name = 'resident_search_keys'",
        ))
        .await?;
    if done.is_some() {
        return Ok(());
    }
    let rows: Vec<(i64, i64, String, Option<String>)> = tx
        .all(&Q::new(
            "SELECT t.county_id, t.id, t.id_number, t.phone FROM residents t WHERE t.id_tail_hash IS NULL",
        ))
        .await?;
    for (county, id, sealed_id, sealed_phone) in rows {
        let number = ring.open("id_number", &sealed_id)?;
        let phone = match sealed_phone {
            Some(p) => Some(ring.open("phone", &p)?),
            None => None,
        };
        tx.exec(&Q::with(
            "UPDATE residents SET phone_hash = ?, id_tail_hash = ? WHERE county_id = ? AND id = ?",
            vec![
                // The same indexes every write path computes (one definition of each).
                crate::crypto::phone_index(phone.as_deref()).into(),
                crate::crypto::id_tail_index(&number).into(),
                county.into(),
                id.into(),
            ],
        ))
        .await?;
    }
    tx.exec(&Q::new(
        "INSERT INTO settings (name, value) VALUES ('resident_search_keys', 'yes')",
    ))
    .await?;
    Ok(())
}
