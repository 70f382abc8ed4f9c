//! The console login throttle's counters, shared by every node on this database. The rule
//! (how many attempts, how long to wait) is the caller's; this file only reads, locks and
//! counts.

use chrono::{DateTime, Utc};
use sqlx::Transaction;

use super::{Db, Pool, Row, col, ts, write_tx};
use crate::error::db;
use crate::{AdmitAttempt, LoginCounter, Result};

pub(super) async fn count(
    pool: &Pool,
    keys: &[String],
    now: DateTime<Utc>,
    forget_before: DateTime<Utc>,
    admit: &AdmitAttempt,
) -> Result<(Vec<LoginCounter>, bool)> {
    // Sorted, so that two attempts locking the same keys lock them in the same order.
    let mut keys = keys.to_vec();
    keys.sort();
    keys.dedup();
    let mut tx = write_tx(pool).await?;
    let mut counters = Vec::with_capacity(keys.len());
    for key in &keys {
        counters.push(lock(&mut tx, key, now, forget_before).await?);
    }
    if !admit(&counters) {
        // Nothing counted: the rows this attempt created go away with the transaction.
        tx.rollback().await.map_err(db)?;
        return Ok((counters, false));
    }
    for key in &keys {
        sqlx::query(
            "UPDATE login_counters SET attempts = attempts + 1, last_at = $2 WHERE key = $1",
        )
        .bind(key)
        .bind(ts(now))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    }
    tx.commit().await.map_err(db)?;
    Ok((counters, true))
}

/// The counter of `key`, created at 0 if absent and reset to 0 if quiet since
/// `forget_before`, locked until the transaction ends.
async fn lock(
    tx: &mut Transaction<'static, Db>,
    key: &str,
    now: DateTime<Utc>,
    forget_before: DateTime<Utc>,
) -> Result<LoginCounter> {
    let row = sqlx::query(
        "INSERT INTO login_counters (key, attempts, last_at) VALUES ($1, 0, $2) \
         ON CONFLICT (key) DO UPDATE SET attempts = CASE \
           WHEN login_counters.last_at < $3 THEN 0 ELSE login_counters.attempts END \
         RETURNING key, attempts, last_at",
    )
    .bind(key)
    .bind(ts(now))
    .bind(ts(forget_before))
    .fetch_one(&mut **tx)
    .await
    .map_err(db)?;
    decode(&row)
}

pub(super) async fn uncount(pool: &Pool, key: &str) -> Result<()> {
    sqlx::query(
        "UPDATE login_counters SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
    )
    .bind(key)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}

pub(super) async fn forget(pool: &Pool, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_counters WHERE key = $1")
        .bind(key)
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}

pub(super) async fn purge(pool: &Pool, forget_before: DateTime<Utc>) -> Result<u64> {
    let done = sqlx::query("DELETE FROM login_counters WHERE last_at < $1")
        .bind(ts(forget_before))
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(done.rows_affected())
}

fn decode(row: &Row) -> Result<LoginCounter> {
    Ok(LoginCounter {
        key: col(row, "key")?,
        attempts: col(row, "attempts")?,
        last_at: col(row, "last_at")?,
    })
}
