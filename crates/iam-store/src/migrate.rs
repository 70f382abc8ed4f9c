//! Schema migrations: plain SQL per dialect under `migrations/{sqlite,postgres}/`, embedded
//! at build time and applied by this small runner (sqlx's `migrate` feature stays off).
//! Both folders hold the same file names; a unit test fails if they drift apart.
//!
//! Each pending file runs in its own transaction together with its `schema_migrations` row,
//! so a failed file leaves no trace and is retried on the next start.

use sqlx::{Executor, PgPool, Postgres, SqlitePool, Transaction};

use crate::column::sqlite_text;
use crate::error::db;
use crate::{Result, StoreError};

/// One migration file, by name, with its SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub name: &'static str,
    pub sql: &'static str,
}

macro_rules! migrations {
    ($dialect:literal: $($name:literal),* $(,)?) => {
        &[$(Migration {
            name: $name,
            sql: include_str!(concat!("../migrations/", $dialect, "/", $name)),
        }),*]
    };
}

/// In the order they apply. Add a file to both folders and to both lists.
pub const SQLITE: &[Migration] = migrations!(
    "sqlite": "0001_initial.sql",
    "0002_resource_providers.sql",
    "0003_resource_owner.sql",
    "0004_cluster_credentials.sql",
    "0005_login_throttle.sql",
    "0006_signing_key_uniqueness.sql",
    "0007_updated_at.sql",
);
pub const POSTGRES: &[Migration] = migrations!(
    "postgres": "0001_initial.sql",
    "0002_resource_providers.sql",
    "0003_resource_owner.sql",
    "0004_cluster_credentials.sql",
    "0005_login_throttle.sql",
    "0006_signing_key_uniqueness.sql",
    "0007_updated_at.sql",
);

/// Serialises concurrent `open()`s of several nodes on one PostgreSQL database
/// (`CREATE TABLE IF NOT EXISTS` itself races there). Any constant works; this spells "iamdmigr".
const POSTGRES_LOCK: i64 = 0x6961_6d64_6d69_6772;

/// Applies pending SQLite migrations; returns the names applied now.
pub(crate) async fn apply_sqlite(pool: &SqlitePool) -> Result<Vec<String>> {
    pool.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations \
         (name TEXT NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
    .await
    .map_err(db)?;
    let mut applied = Vec::new();
    for m in SQLITE {
        // IMMEDIATE takes the write lock before the check, so two processes cannot both
        // find the file pending.
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        let done: Option<String> =
            sqlx::query_scalar("SELECT name FROM schema_migrations WHERE name = $1")
                .bind(m.name)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        if done.is_none() {
            (&mut *tx)
                .execute(m.sql)
                .await
                .map_err(|e| failed(m.name, e))?;
            sqlx::query("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)")
                .bind(m.name)
                .bind(sqlite_text(chrono::Utc::now()))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            applied.push(m.name.to_owned());
        }
        tx.commit().await.map_err(db)?;
    }
    Ok(applied)
}

/// Applies pending PostgreSQL migrations; returns the names applied now.
pub(crate) async fn apply_postgres(pool: &PgPool) -> Result<Vec<String>> {
    let mut tx = locked(pool).await?;
    (&mut *tx)
        .execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations \
             (name TEXT NOT NULL PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    let mut applied = Vec::new();
    for m in POSTGRES {
        let mut tx = locked(pool).await?;
        let done: Option<String> =
            sqlx::query_scalar("SELECT name FROM schema_migrations WHERE name = $1")
                .bind(m.name)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        if done.is_none() {
            (&mut *tx)
                .execute(m.sql)
                .await
                .map_err(|e| failed(m.name, e))?;
            sqlx::query("INSERT INTO schema_migrations (name) VALUES ($1)")
                .bind(m.name)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            applied.push(m.name.to_owned());
        }
        tx.commit().await.map_err(db)?;
    }
    Ok(applied)
}

/// A migration that fails stops `iamd serve` and `iamd migrate`: the operator must read why
/// (a guard such as 0003's says what to do), so the database's own words are kept. They
/// never reach an API client: migrations run before the server listens.
fn failed(name: &str, e: sqlx::Error) -> StoreError {
    match e.as_database_error() {
        Some(d) => StoreError::Invalid(format!("migration {name} failed: {}", d.message())),
        None => db(e),
    }
}

/// A transaction holding the migration lock until it ends.
async fn locked(pool: &PgPool) -> Result<Transaction<'static, Postgres>> {
    let mut tx = pool.begin().await.map_err(db)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(POSTGRES_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    Ok(tx)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn folder(dialect: &str) -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(dialect);
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    fn embedded(list: &[Migration]) -> Vec<String> {
        list.iter().map(|m| m.name.to_owned()).collect()
    }

    #[test]
    fn both_dialects_have_the_same_files() {
        assert_eq!(folder("sqlite"), folder("postgres"));
    }

    #[test]
    fn embedded_lists_match_the_folders_in_order() {
        assert_eq!(embedded(SQLITE), folder("sqlite"));
        assert_eq!(embedded(POSTGRES), folder("postgres"));
    }

    #[test]
    fn embedded_sql_is_the_file_content() {
        for (dialect, list) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            for m in list {
                let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("migrations")
                    .join(dialect)
                    .join(m.name);
                assert_eq!(std::fs::read_to_string(path).unwrap(), m.sql);
            }
        }
    }
}
