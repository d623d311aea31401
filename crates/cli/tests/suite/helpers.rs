//! Test databases: a fresh SQLite file, a fresh PostgreSQL database, or a fresh database on a
//! Citus cluster (its tables distributed by county) per test.

use std::sync::atomic::{AtomicU32, Ordering};
use xiangzhi_storage::Db;

static COUNTER: AtomicU32 = AtomicU32::new(0);

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Backend {
    Sqlite,
    Postgres,
    /// A Citus coordinator with its workers (`XIANGZHI_TEST_CITUS`; `scripts/citus-setup`).
    Citus,
}

pub struct TestDb {
    pub db: Db,
    backend: Backend,
    name: String,
    dir: Option<std::path::PathBuf>,
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        nanos
    )
}

pub fn pg_admin_url() -> String {
    std::env::var("XIANGZHI_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The Citus coordinator's `postgres` database, if the run has a cluster.
pub fn citus_admin_url() -> Option<String> {
    std::env::var("XIANGZHI_TEST_CITUS")
        .ok()
        .filter(|u| !u.is_empty())
}

fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true") || std::env::var("XIANGZHI_REQUIRE_PG").is_ok()
}

/// A fresh database on the Citus cluster at `admin`: created on the coordinator and, by Citus's
/// propagation, on the workers; the extension in each; the workers known to it.
async fn citus_database(admin: &str, name: &str) -> String {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .unwrap_or_else(|e| panic!("Citus at {admin} is unreachable: {e}"));
    let workers: Vec<(String, i32)> = sqlx::query_as(
        "SELECT node_name::text, node_port::int FROM citus_get_active_worker_nodes() ORDER BY 2",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(
        !workers.is_empty(),
        "the Citus cluster at {admin} has no workers"
    );
    sqlx::query("SET citus.enable_create_database_propagation TO on")
        .execute(&mut conn)
        .await
        .unwrap();
    // The name is the test's own (letters, digits, underscores), never input.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
    let host = |url: &str| {
        url.rsplit_once('@')
            .map(|(_, h)| {
                h.split([':', '/'])
                    .next()
                    .unwrap_or("127.0.0.1")
                    .to_string()
            })
            .unwrap_or_else(|| "127.0.0.1".into())
    };
    for (node, port) in &workers {
        let mut w =
            sqlx::PgConnection::connect(&format!("postgres://postgres@{node}:{port}/{name}"))
                .await
                .unwrap();
        sqlx::query("CREATE EXTENSION IF NOT EXISTS citus")
            .execute(&mut w)
            .await
            .unwrap();
    }
    let url = format!("{base}/{name}");
    let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query("CREATE EXTENSION IF NOT EXISTS citus")
        .execute(&mut db)
        .await
        .unwrap();
    let port: i32 = base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(5432);
    sqlx::query("SELECT citus_set_coordinator_host($1, $2)")
        .bind(host(admin))
        .bind(port)
        .execute(&mut db)
        .await
        .unwrap();
    for (node, port) in &workers {
        sqlx::query("SELECT citus_add_node($1, $2)")
            .bind(node)
            .bind(port)
            .execute(&mut db)
            .await
            .unwrap();
    }
    url
}

impl TestDb {
    /// The database's URL, to open a second pool on it (as a restarted server would).
    pub fn url(&self) -> String {
        match self.backend {
            Backend::Sqlite => format!(
                "sqlite://{}",
                self.dir.as_ref().unwrap().join("test.db").display()
            ),
            Backend::Postgres | Backend::Citus => {
                let admin = if self.backend == Backend::Citus {
                    citus_admin_url().unwrap()
                } else {
                    pg_admin_url()
                };
                let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
                format!("{base}/{}", self.name)
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The backend's name for paths and messages: `sqlite`, `postgres` or `citus` (a Citus test
    /// runs beside its PostgreSQL twin in the same process, so files must not share a name).
    pub fn tag(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Citus => "citus",
        }
    }

    /// A fresh, migrated database; `None` only when PostgreSQL is unreachable outside CI.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        install_test_key();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(unique("xiangzhi_test"));
                std::fs::create_dir_all(&dir).unwrap();
                let path = dir.join("test.db");
                let db = Db::connect(&format!("sqlite://{}", path.display()))
                    .await
                    .unwrap();
                Some(TestDb {
                    db,
                    backend,
                    name: String::new(),
                    dir: Some(dir),
                })
            }
            Backend::Postgres => {
                use sqlx::Connection;
                let admin = pg_admin_url();
                let mut conn = match sqlx::PgConnection::connect(&admin).await {
                    Ok(c) => c,
                    Err(e) => {
                        if required() {
                            panic!(
                                "PostgreSQL is required under CI but {admin} is unreachable: {e}"
                            );
                        }
                        eprintln!("skipping PostgreSQL test: {admin} unreachable ({e})");
                        return None;
                    }
                };
                let name = unique("xz_test");
                // The name is the test's own (letters, digits, underscores), never input.
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
                let db = Db::connect(&format!("{base}/{name}")).await.unwrap();
                Some(TestDb {
                    db,
                    backend,
                    name,
                    dir: None,
                })
            }
            Backend::Citus => {
                let Some(admin) = citus_admin_url() else {
                    if std::env::var("XIANGZHI_REQUIRE_CITUS").is_ok() {
                        panic!("a Citus cluster is required: set XIANGZHI_TEST_CITUS (scripts/citus-setup starts one)");
                    }
                    eprintln!("skipping Citus test: XIANGZHI_TEST_CITUS is not set");
                    return None;
                };
                let name = unique("xz_citus");
                let url = citus_database(&admin, &name).await;
                let db = Db::connect(&url).await.unwrap();
                db.distribute(&xiangzhi::tables()).await.unwrap();
                Some(TestDb {
                    db,
                    backend,
                    name,
                    dir: None,
                })
            }
        }
    }

    /// Closes the pool and removes the database.
    pub async fn finish(self) {
        self.db.close().await;
        match self.backend {
            Backend::Sqlite => {
                if let Some(d) = self.dir {
                    let _ = std::fs::remove_dir_all(d);
                }
            }
            Backend::Postgres | Backend::Citus => {
                use sqlx::Connection;
                let admin = if self.backend == Backend::Citus {
                    citus_admin_url().unwrap_or_default()
                } else {
                    pg_admin_url()
                };
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    if self.backend == Backend::Citus {
                        let _ = sqlx::query("SET citus.enable_create_database_propagation TO on")
                            .execute(&mut conn)
                            .await;
                    }
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                        self.name
                    )))
                    .execute(&mut conn)
                    .await;
                }
            }
        }
    }
}

/// Declares `<name>::sqlite`, `<name>::postgres` and `<name>::citus` tests that run `$body(TestDb)`.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:path) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::helpers::TestDb::new($crate::helpers::Backend::Sqlite)
                    .await
                    .unwrap();
                $body(&t).await;
                t.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(t) =
                    $crate::helpers::TestDb::new($crate::helpers::Backend::Postgres).await
                {
                    $body(&t).await;
                    t.finish().await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn citus() {
                if let Some(t) = $crate::helpers::TestDb::new($crate::helpers::Backend::Citus).await
                {
                    $body(&t).await;
                    t.finish().await;
                }
            }
        }
    };
}

/// The data key every test database is sealed with (a test process has one key, as a server has).
pub const TEST_DATA_KEY: &str = "7a69616e677a6869207465737420646174612d6b6579202d206e6f7420726561";

pub fn install_test_key() {
    let key = xiangzhi_storage::crypto::DataKey::from_hex(TEST_DATA_KEY).unwrap();
    xiangzhi_storage::crypto::install(&key).unwrap();
}

/// Serves the whole application (API, Open311, console) on a free local port, runs `program` from
/// the workspace root with `XZ_BASE` set to the server's address and `envs`, and returns its
/// output; a failing program fails the test with its output.
pub async fn run_against_server(
    t: &TestDb,
    what: &str,
    program: &std::path::Path,
    script: &str,
    envs: &[(&str, String)],
) -> String {
    run_with_args(t, what, program, &[script.to_string()], envs).await
}

/// As [`run_against_server`], with any arguments; `{base}` in an argument becomes the server's
/// address.
pub async fn run_with_args(
    t: &TestDb,
    what: &str,
    program: &std::path::Path,
    args: &[String],
    envs: &[(&str, String)],
) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = xiangzhi::app(xiangzhi_web::AppState::new(t.db.clone()));
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let base = format!("http://{addr}");
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args.iter().map(|a| a.replace("{base}", &base)))
        .current_dir(&root)
        .env("XZ_BASE", &base)
        .stdin(std::process::Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().await.unwrap();
    server.abort();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{what} failed:\n{stdout}\n{stderr}");
    stdout
}

/// The workspace root (where tests/, scripts/ and .venv/ are).
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The actor of a test's own writes through the store.
pub fn tester() -> xiangzhi_storage::Actor {
    xiangzhi_storage::Actor::system("test")
}
