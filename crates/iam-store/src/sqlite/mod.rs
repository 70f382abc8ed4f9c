//! The SQLite adapter, the embedded default (DESIGN.md §6): one file, WAL, `synchronous=FULL`
//! so that an acknowledged write survives a crash. Holds what only SQLite has (opening,
//! pool settings, pragmas); its queries are `sql/`'s, compiled against `dialect.rs`.

mod dialect;
// Compiled once per backend on purpose (see `sql/mod.rs`): the same queries, two dialects.
#[allow(clippy::duplicate_mod)]
#[path = "../sql/mod.rs"]
mod sql;

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Decode, Sqlite, SqliteConnection, Type};

use crate::error::db;
use crate::{Result, StoreError, migrate};

/// Readers run in parallel under WAL while writers queue on the file lock, so a few
/// connections are enough; more would only wait on the busy timeout.
const POOL_SIZE: u32 = 8;
/// How long a writer waits for the file lock before giving up with `Unavailable`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long opening keeps retrying while another process holds a blank file's lock.
const OPEN_RETRY_FOR: Duration = Duration::from_secs(15);

pub struct SqliteStore {
    pool: SqlitePool,
}

/// The settings in effect on a connection, for `iamd check-config` and the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlitePragmas {
    pub journal_mode: String,
    /// 2 is FULL.
    pub synchronous: i64,
    pub foreign_keys: bool,
    pub busy_timeout_ms: i64,
}

impl SqliteStore {
    /// Opens (creating the file and its folder if missing) and migrates `sqlite:<path>`,
    /// or `sqlite::memory:` for tests (one connection, kept open: the database dies with it).
    ///
    /// Several processes opening a blank file at once race to switch it to WAL and to create
    /// the schema; SQLite may answer SQLITE_BUSY without waiting for the lock in that race, so
    /// a busy open is retried for a while. Every step is idempotent, so a retry is safe.
    pub async fn open(url: &str) -> Result<Self> {
        let deadline = std::time::Instant::now() + OPEN_RETRY_FOR;
        let mut pause = Duration::from_millis(20);
        loop {
            match Self::open_once(url).await {
                Err(StoreError::Unavailable(why))
                    if why == crate::error::SQLITE_BUSY
                        && std::time::Instant::now() + pause < deadline =>
                {
                    tracing::debug!("SQLite file busy while opening; trying again");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(500));
                }
                other => return other,
            }
        }
    }

    async fn open_once(url: &str) -> Result<Self> {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Invalid(format!("SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        if !in_memory {
            create_parent(options.get_filename())?;
        }
        let pool_options = if in_memory {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(POOL_SIZE)
        };
        let pool = pool_options
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(db)?;
        let store = Self { pool };
        let applied = migrate::apply_sqlite(&store.pool).await?;
        if !applied.is_empty() {
            tracing::info!(?applied, "applied SQLite migrations");
        }
        Ok(store)
    }

    /// The pragmas in effect on one pooled connection.
    pub async fn pragmas(&self) -> Result<SqlitePragmas> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Ok(SqlitePragmas {
            journal_mode: pragma(&mut conn, "PRAGMA journal_mode").await?,
            synchronous: pragma(&mut conn, "PRAGMA synchronous").await?,
            foreign_keys: pragma::<i64>(&mut conn, "PRAGMA foreign_keys").await? == 1,
            busy_timeout_ms: pragma(&mut conn, "PRAGMA busy_timeout").await?,
        })
    }
}

async fn pragma<T>(conn: &mut SqliteConnection, sql: &'static str) -> Result<T>
where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + Send + Unpin,
{
    sqlx::query_scalar(sql).fetch_one(conn).await.map_err(db)
}

fn create_parent(file: &std::path::Path) -> Result<()> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))),
        _ => Ok(()),
    }
}
