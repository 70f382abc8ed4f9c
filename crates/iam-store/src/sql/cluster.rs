//! Facts the whole cluster shares (`cluster_facts`): the first node to claim one writes it,
//! every later claim reads what was written, so two nodes starting together agree.

use super::Pool;
use crate::Result;
use crate::error::db;

/// Writes `value` under `name` unless a value is there; returns the stored value. One
/// statement each way: the primary key decides between two nodes claiming at once.
pub(super) async fn claim(pool: &Pool, name: &str, value: &str) -> Result<String> {
    sqlx::query(
        "INSERT INTO cluster_facts (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(value)
    .execute(pool)
    .await
    .map_err(db)?;
    sqlx::query_scalar("SELECT value FROM cluster_facts WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .map_err(db)
}

/// Replaces the value of `name` (the operator's explicit change).
pub(super) async fn set(pool: &Pool, name: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO cluster_facts (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(name)
    .bind(value)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}
