//! JWT signing keys (server-wide, not per account): the private half arrives encrypted
//! with the master key and stays opaque here; the public JWK is JSON text. At most one key
//! per usage is active: a unique partial index enforces it (0006), so nodes starting or
//! rotating at once cannot end with two.

use chrono::{DateTime, Utc};

use super::{COLLATE, Conn, Pool, Query, Row, col, dialect, ts, ts_opt, write_tx};
use crate::column::{from_json, key_algorithm, key_usage, to_json};
use crate::error::{db, unique_or};
use crate::{Result, SigningKey, StoreError};

const COLUMNS: &str =
    "kid, algorithm, usage, private_key_encrypted, public_jwk, created_at, retired_at, expires_at";

/// `Conflict` if the kid exists (a kid is a thumbprint: it never names two keys) or if the
/// key is active and its usage has an active key already.
pub(super) async fn insert(pool: &Pool, k: &SigningKey) -> Result<()> {
    bind(&insert_sql(""), k)?
        .execute(pool)
        .await
        .map_err(|e| conflict(e, k))?;
    Ok(())
}

/// Inserts the active key `k` unless its usage has one; false if it had. Race-free on each
/// backend its own way (`dialect::insert_first_key`).
pub(super) async fn insert_first(pool: &Pool, k: &SigningKey) -> Result<bool> {
    let mut tx = write_tx(pool).await?;
    let inserted = dialect::insert_first_key(&mut tx, k).await?;
    tx.commit().await.map_err(db)?;
    Ok(inserted)
}

/// In one transaction: retires every active key of `k`'s usage (at `at`, verifying until
/// `expires_at`; retired keys keep their dates) and inserts `k` as the active one.
pub(super) async fn rotate(
    pool: &Pool,
    k: &SigningKey,
    at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    let mut tx = write_tx(pool).await?;
    dialect::lock_signing_keys(&mut tx).await?;
    sqlx::query(
        "UPDATE signing_keys SET retired_at = $2, expires_at = $3 \
         WHERE usage = $1 AND retired_at IS NULL",
    )
    .bind(k.usage.as_str())
    .bind(ts(at))
    .bind(ts(expires_at))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    insert_row(&mut tx, k, "").await?;
    tx.commit().await.map_err(db)
}

/// Inserts `k`, the statement ending with `suffix` (an `ON CONFLICT` clause, or nothing);
/// returns how many rows it inserted.
pub(in super::super) async fn insert_row(
    conn: &mut Conn,
    k: &SigningKey,
    suffix: &str,
) -> Result<u64> {
    let done = bind(&insert_sql(suffix), k)?
        .execute(&mut *conn)
        .await
        .map_err(|e| conflict(e, k))?;
    Ok(done.rows_affected())
}

/// Every key, oldest first.
pub(super) async fn list(pool: &Pool) -> Result<Vec<SigningKey>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM signing_keys ORDER BY created_at, kid{COLLATE}"
    ))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter().map(decode).collect()
}

/// Deletes keys whose `expires_at` is at or before `now`: no token they signed is valid.
pub(super) async fn purge(pool: &Pool, now: DateTime<Utc>) -> Result<u64> {
    let done =
        sqlx::query("DELETE FROM signing_keys WHERE expires_at IS NOT NULL AND expires_at <= $1")
            .bind(ts(now))
            .execute(pool)
            .await
            .map_err(db)?;
    Ok(done.rows_affected())
}

fn insert_sql(suffix: &str) -> String {
    format!("INSERT INTO signing_keys ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8){suffix}")
}

fn bind<'q>(sql: &'q str, k: &'q SigningKey) -> Result<Query<'q>> {
    let jwk = to_json(&k.public_jwk)?;
    Ok(sqlx::query(sql)
        .bind(&k.kid)
        .bind(k.algorithm.as_str())
        .bind(k.usage.as_str())
        .bind(&k.private_key_encrypted)
        .bind(jwk)
        .bind(ts(k.created_at))
        .bind(ts_opt(k.retired_at))
        .bind(ts_opt(k.expires_at)))
}

fn conflict(e: sqlx::Error, k: &SigningKey) -> StoreError {
    unique_or(e, || {
        format!(
            "signing key {}: its kid exists, or its usage {} has an active key",
            k.kid,
            k.usage.as_str()
        )
    })
}

fn decode(row: &Row) -> Result<SigningKey> {
    Ok(SigningKey {
        kid: col(row, "kid")?,
        algorithm: key_algorithm(&col::<String>(row, "algorithm")?)?,
        usage: key_usage(&col::<String>(row, "usage")?)?,
        private_key_encrypted: col(row, "private_key_encrypted")?,
        public_jwk: from_json(&col::<String>(row, "public_jwk")?)?,
        created_at: col(row, "created_at")?,
        retired_at: col(row, "retired_at")?,
        expires_at: col(row, "expires_at")?,
    })
}
