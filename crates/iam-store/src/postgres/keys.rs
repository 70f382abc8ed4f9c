//! JWT signing keys (server-wide, not per account): the private half arrives encrypted
//! with the master key and stays opaque here; the public JWK is JSON text.

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgRow};

use super::{col, ts, ts_opt};
use crate::column::{from_json, to_json};
use crate::error::{db, unique_or};
use crate::{Result, SigningKey};

const COLUMNS: &str =
    "kid, algorithm, usage, private_key_encrypted, public_jwk, created_at, retired_at, expires_at";

/// `Conflict` if the kid exists (a kid is a thumbprint: it never names two keys).
pub(super) async fn insert(pool: &PgPool, k: &SigningKey) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO signing_keys ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(&k.kid)
    .bind(&k.algorithm)
    .bind(&k.usage)
    .bind(&k.private_key_encrypted)
    .bind(to_json(&k.public_jwk)?)
    .bind(ts(k.created_at))
    .bind(ts_opt(k.retired_at))
    .bind(ts_opt(k.expires_at))
    .execute(pool)
    .await
    .map_err(|e| {
        unique_or(e, || {
            format!("a signing key with kid {} already exists", k.kid)
        })
    })?;
    Ok(())
}

/// Every key, oldest first.
pub(super) async fn list(pool: &PgPool) -> Result<Vec<SigningKey>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM signing_keys ORDER BY created_at, kid COLLATE \"C\""
    ))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter().map(decode).collect()
}

/// Retires every still-active key of `usage` but `keep_kid`; retired keys keep their dates.
pub(super) async fn retire(
    pool: &PgPool,
    usage: &str,
    keep_kid: &str,
    at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE signing_keys SET retired_at = $3, expires_at = $4 \
         WHERE usage = $1 AND kid <> $2 AND retired_at IS NULL",
    )
    .bind(usage)
    .bind(keep_kid)
    .bind(ts(at))
    .bind(ts(expires_at))
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}

/// Deletes keys whose `expires_at` is at or before `now`: no token they signed is valid.
pub(super) async fn purge(pool: &PgPool, now: DateTime<Utc>) -> Result<u64> {
    let done =
        sqlx::query("DELETE FROM signing_keys WHERE expires_at IS NOT NULL AND expires_at <= $1")
            .bind(ts(now))
            .execute(pool)
            .await
            .map_err(db)?;
    Ok(done.rows_affected())
}

fn decode(row: &PgRow) -> Result<SigningKey> {
    Ok(SigningKey {
        kid: col(row, "kid")?,
        algorithm: col(row, "algorithm")?,
        usage: col(row, "usage")?,
        private_key_encrypted: col(row, "private_key_encrypted")?,
        public_jwk: from_json(&col::<String>(row, "public_jwk")?)?,
        created_at: col(row, "created_at")?,
        retired_at: col(row, "retired_at")?,
        expires_at: col(row, "expires_at")?,
    })
}
