//! What PostgreSQL does differently from SQLite, for `sql/` (compiled here as
//! `postgres::sql`): its sqlx types, native timestamps, byte-wise orderings (`COLLATE "C"`),
//! snapshot reads, change notifications sent at commit (`changes.rs`), and the signing-key
//! statements that rely on PostgreSQL's own locks.

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use super::sql::keys;
use crate::column::micros;
use crate::error::db;
use crate::{Result, SigningKey, migrate};

pub(super) use super::PostgresStore as Adapter;
pub(super) use super::changes::{notify_credentials, notify_decisions, notify_revoked, watch};
pub(super) use sqlx::postgres::{PgPool as Pool, PgRow as Row};
pub(super) use sqlx::{PgConnection as Conn, Postgres as Db};

pub(super) type Query<'q> = sqlx::query::Query<'q, Db, sqlx::postgres::PgArguments>;

/// `Store::backend`.
pub(super) const NAME: &str = "postgres";

/// Appended to a text column in `ORDER BY`, so that names sort by bytes as on SQLite rather
/// than by the database's locale.
pub(super) const COLLATE: &str = " COLLATE \"C\"";

pub(super) async fn migrate(pool: &Pool) -> Result<Vec<String>> {
    migrate::apply_postgres(pool).await
}

/// A write transaction. Each decision-changing one bumps the account's revision first,
/// which locks that row: writes to one account are serialised, writes to different
/// accounts are not.
pub(super) async fn write_tx(pool: &Pool) -> Result<Transaction<'static, Db>> {
    pool.begin().await.map_err(db)
}

/// A read transaction on one snapshot (READ COMMITTED would give each query its own), so
/// that a read spanning several queries never sees a half-replaced policy.
pub(super) async fn read_tx(pool: &Pool) -> Result<Transaction<'static, Db>> {
    pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(db)
}

/// The bind form of a timestamp on this backend.
pub(super) fn ts(t: DateTime<Utc>) -> DateTime<Utc> {
    micros(t)
}

pub(super) fn ts_opt(t: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    t.map(micros)
}

/// Concurrent rotations wait for each other rather than fail on the index; readers (every
/// node's key reload) are not blocked by this lock mode.
pub(super) async fn lock_signing_keys(conn: &mut Conn) -> Result<()> {
    sqlx::query("LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

/// Inserts the active key `k` unless its usage has one; false if it had. The check and the
/// insert are one statement on the unique index, so of two nodes racing, one key wins.
pub(super) async fn insert_first_key(conn: &mut Conn, k: &SigningKey) -> Result<bool> {
    let suffix = " ON CONFLICT (usage) WHERE retired_at IS NULL DO NOTHING";
    Ok(keys::insert_row(conn, k, suffix).await? == 1)
}
