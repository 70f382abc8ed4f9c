//! Revoked access tokens, by `jti`, kept until the token would have expired anyway; each
//! revocation is announced to every node at commit (where there are several).

use chrono::{DateTime, Utc};

use super::dialect::notify_revoked;
use super::{COLLATE, Pool, Row, col, ts, write_tx};
use crate::error::{db, foreign_or};
use crate::{Result, RevokedToken};

/// Idempotent: revoking a token twice is not an error (RFC 7009 §2.2 answers 200 either way).
pub(super) async fn revoke(pool: &Pool, r: &RevokedToken) -> Result<()> {
    let mut tx = write_tx(pool).await?;
    sqlx::query(
        "INSERT INTO revoked_tokens (jti, account, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (jti) DO NOTHING",
    )
    .bind(&r.jti)
    .bind(&r.account)
    .bind(ts(r.expires_at))
    .execute(&mut *tx)
    .await
    .map_err(|e| foreign_or(e, "account"))?;
    notify_revoked(&mut tx, r).await?;
    tx.commit().await.map_err(db)
}

/// Revocations whose token is still unexpired at `now`, soonest expiry first.
pub(super) async fn list(pool: &Pool, now: DateTime<Utc>) -> Result<Vec<RevokedToken>> {
    let rows = sqlx::query(&format!(
        "SELECT jti, account, expires_at FROM revoked_tokens \
         WHERE expires_at > $1 ORDER BY expires_at, jti{COLLATE}"
    ))
    .bind(ts(now))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter().map(decode).collect()
}

pub(super) async fn purge(pool: &Pool, now: DateTime<Utc>) -> Result<u64> {
    let done = sqlx::query("DELETE FROM revoked_tokens WHERE expires_at <= $1")
        .bind(ts(now))
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(done.rows_affected())
}

fn decode(row: &Row) -> Result<RevokedToken> {
    Ok(RevokedToken {
        jti: col(row, "jti")?,
        account: col(row, "account")?,
        expires_at: col(row, "expires_at")?,
    })
}
