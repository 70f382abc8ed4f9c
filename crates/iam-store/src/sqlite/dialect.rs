//! What SQLite does differently from PostgreSQL, for `sql/` (compiled here as `sqlite::sql`):
//! its sqlx types, timestamps bound as fixed-width text, `BEGIN IMMEDIATE` writes, no change
//! notifications (one node, which drops its own caches as it writes), and the signing-key
//! statements that rely on the file lock instead of PostgreSQL's locks.

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use super::sql::keys;
use crate::column::sqlite_text;
use crate::error::db;
use crate::{ChangeFeed, Result, RevokedToken, SigningKey, migrate};

pub(super) use super::SqliteStore as Adapter;
pub(super) use sqlx::sqlite::{SqlitePool as Pool, SqliteRow as Row};
pub(super) use sqlx::{Sqlite as Db, SqliteConnection as Conn};

pub(super) type Query<'q> = sqlx::query::Query<'q, Db, sqlx::sqlite::SqliteArguments<'q>>;

/// `Store::backend`.
pub(super) const NAME: &str = "sqlite";

/// Appended to a text column in `ORDER BY`: SQLite's default collation (BINARY) already
/// orders by bytes.
pub(super) const COLLATE: &str = "";

pub(super) async fn migrate(pool: &Pool) -> Result<Vec<String>> {
    migrate::apply_sqlite(pool).await
}

/// A write transaction. `BEGIN IMMEDIATE` takes the write lock up front: a deferred
/// transaction that reads and then writes fails with SQLITE_BUSY instead of waiting.
pub(super) async fn write_tx(pool: &Pool) -> Result<Transaction<'static, Db>> {
    pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)
}

/// A read transaction, so that a read spanning several queries (a policy and its child
/// rows) sees one snapshot and never a half-replaced row.
pub(super) async fn read_tx(pool: &Pool) -> Result<Transaction<'static, Db>> {
    pool.begin().await.map_err(db)
}

/// The bind form of a timestamp on this backend (see `column::sqlite_text`).
pub(super) fn ts(t: DateTime<Utc>) -> String {
    sqlite_text(t)
}

pub(super) fn ts_opt(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(sqlite_text)
}

/// SQLite serves a single node, which invalidates its own caches as it writes: no feed.
pub(super) async fn watch(_pool: &Pool) -> Result<Option<ChangeFeed>> {
    Ok(None)
}

/// Nobody else to tell (see [`watch`]).
pub(super) async fn notify_decisions(_conn: &mut Conn, _nic: &str) -> Result<()> {
    Ok(())
}

pub(super) async fn notify_credentials(_conn: &mut Conn, _nic: &str) -> Result<()> {
    Ok(())
}

pub(super) async fn notify_revoked(_conn: &mut Conn, _revoked: &RevokedToken) -> Result<()> {
    Ok(())
}

/// Nothing to do: the write transaction's `BEGIN IMMEDIATE` already makes concurrent
/// rotations wait for each other rather than fail on the index.
pub(super) async fn lock_signing_keys(_conn: &mut Conn) -> Result<()> {
    Ok(())
}

/// Inserts the active key `k` unless its usage has one; false if it had. The write
/// transaction's `BEGIN IMMEDIATE` holds the lock across the check and the insert, so of two
/// nodes racing, one key wins (and the unique index stays the backstop).
pub(super) async fn insert_first_key(conn: &mut Conn, k: &SigningKey) -> Result<bool> {
    let active: Option<String> =
        sqlx::query_scalar("SELECT kid FROM signing_keys WHERE usage = $1 AND retired_at IS NULL")
            .bind(k.usage.as_str())
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?;
    if active.is_some() {
        return Ok(false);
    }
    keys::insert_row(conn, k, "").await?;
    Ok(true)
}
