//! The PostgreSQL adapter, for production and for several `iamd` nodes on one database
//! (DESIGN.md §6). Holds what only PostgreSQL has (opening, pool settings, `LISTEN` in
//! `changes.rs`); its queries are `sql/`'s, compiled against `dialect.rs`.

mod changes;
mod dialect;
// Compiled once per backend on purpose (see `sql/mod.rs`): the same queries, two dialects.
#[allow(clippy::duplicate_mod)]
#[path = "../sql/mod.rs"]
mod sql;

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::error::db;
use crate::{Result, migrate};

/// Per node. The server keeps PostgreSQL's default `max_connections` (100) in mind: a few
/// nodes with this many each still leave room for operators.
const POOL_SIZE: u32 = 16;
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `postgres://…` and applies pending migrations. Safe to call from several
    /// nodes at once: migrations run under an advisory lock.
    pub async fn open(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await
            .map_err(db)?;
        let store = Self { pool };
        let applied = migrate::apply_postgres(&store.pool).await?;
        if !applied.is_empty() {
            tracing::info!(?applied, "applied PostgreSQL migrations");
        }
        Ok(store)
    }
}
