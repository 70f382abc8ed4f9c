//! The SQLite adapter, the embedded default (DESIGN.md §6): one file, WAL, `synchronous=FULL`
//! so that an acknowledged write survives a crash. Mirrors `postgres/` file for file; the SQL
//! is written with `$n` placeholders in both so that the two trees diff cleanly.

mod accounts;
mod audit;
mod changes;
mod clients;
mod cluster;
mod groups;
mod keys;
mod login_counters;
mod permissions_groups;
mod policies;
mod providers;
mod resource_groups;
mod resources;
mod revocations;
mod tokens;
mod users;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use iam_core::policy::{PermissionsGroup, Policy};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Decode, Row, Sqlite, SqliteConnection, Transaction, Type};
use uuid::Uuid;

use crate::column::sqlite_text;
use crate::error::db;
use crate::record::*;
use crate::{AdmitAttempt, Result, Store, StoreError, migrate};

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

/// A write transaction. `BEGIN IMMEDIATE` takes the write lock up front: a deferred
/// transaction that reads and then writes fails with SQLITE_BUSY instead of waiting.
pub(super) async fn write_tx(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>> {
    pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)
}

/// A read transaction, so that a read spanning several queries (a policy and its child
/// rows) sees one snapshot and never a half-replaced row.
pub(super) async fn read_tx(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>> {
    pool.begin().await.map_err(db)
}

/// The bind form of a timestamp on this backend.
pub(super) fn ts(t: DateTime<Utc>) -> String {
    sqlite_text(t)
}

pub(super) fn ts_opt(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(sqlite_text)
}

/// `NotFound(what)` when a keyed write touched no row (absent, or in another account).
pub(super) fn found(rows: u64, what: &'static str) -> Result<()> {
    if rows == 0 {
        Err(StoreError::NotFound(what))
    } else {
        Ok(())
    }
}

/// One column of a row, with sqlx's error mapped.
pub(super) fn col<'r, T: Decode<'r, Sqlite> + Type<Sqlite>>(
    row: &'r SqliteRow,
    name: &str,
) -> Result<T> {
    row.try_get(name).map_err(db)
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(drop)
    }
    async fn migrate(&self) -> Result<Vec<String>> {
        migrate::apply_sqlite(&self.pool).await
    }

    async fn create_account(&self, new: &NewAccount) -> Result<Account> {
        accounts::create(&self.pool, new).await
    }
    async fn get_account(&self, nic: &str) -> Result<Account> {
        accounts::get(&self.pool, nic).await
    }
    async fn list_accounts(&self) -> Result<Vec<Account>> {
        accounts::list(&self.pool).await
    }
    async fn account_revision(&self, nic: &str) -> Result<i64> {
        accounts::revision(&self.pool, nic).await
    }

    async fn watch_changes(&self) -> Result<Option<crate::ChangeFeed>> {
        changes::watch().await
    }
    async fn set_root_password(&self, nic: &str, password_hash: &str) -> Result<()> {
        accounts::set_root_password(&self.pool, nic, password_hash).await
    }
    async fn account_profile(&self, nic: &str) -> Result<serde_json::Value> {
        accounts::profile(&self.pool, nic).await
    }
    async fn set_account_profile(
        &self,
        nic: &str,
        expected: &serde_json::Value,
        profile: &serde_json::Value,
    ) -> Result<()> {
        accounts::set_profile(&self.pool, nic, expected, profile).await
    }
    async fn rotate_root(
        &self,
        nic: &str,
        password_hash: &str,
        root_token: &AccessTokenRecord,
    ) -> Result<()> {
        accounts::rotate_root(&self.pool, nic, password_hash, root_token).await
    }
    async fn claim_cluster_fact(&self, name: &str, value: &str) -> Result<String> {
        cluster::claim(&self.pool, name, value).await
    }
    async fn set_cluster_fact(&self, name: &str, value: &str) -> Result<()> {
        cluster::set(&self.pool, name, value).await
    }

    async fn create_user(&self, user: &User) -> Result<()> {
        users::create(&self.pool, user).await
    }
    async fn get_user(&self, account: &str, login: &str) -> Result<User> {
        users::get(&self.pool, account, login).await
    }
    async fn list_users(&self, account: &str) -> Result<Vec<User>> {
        users::list(&self.pool, account).await
    }
    async fn update_user(&self, user: &User) -> Result<()> {
        users::update(&self.pool, user).await
    }
    async fn delete_user(&self, account: &str, login: &str) -> Result<()> {
        users::delete(&self.pool, account, login).await
    }

    async fn create_group(&self, group: &Group) -> Result<()> {
        groups::create(&self.pool, group).await
    }
    async fn get_group(&self, account: &str, name: &str) -> Result<Group> {
        groups::get(&self.pool, account, name).await
    }
    async fn list_groups(&self, account: &str) -> Result<Vec<Group>> {
        groups::list(&self.pool, account).await
    }
    async fn update_group(&self, group: &Group) -> Result<()> {
        groups::update(&self.pool, group).await
    }
    async fn delete_group(&self, account: &str, name: &str) -> Result<()> {
        groups::delete(&self.pool, account, name).await
    }

    async fn create_client(&self, client: &OAuthClient) -> Result<()> {
        clients::create(&self.pool, client).await
    }
    async fn find_client(&self, client_id: &str) -> Result<Option<OAuthClient>> {
        clients::find(&self.pool, client_id).await
    }
    async fn get_client(&self, account: &str, client_id: &str) -> Result<OAuthClient> {
        clients::get(&self.pool, account, client_id).await
    }
    async fn list_clients(&self, account: &str) -> Result<Vec<OAuthClient>> {
        clients::list(&self.pool, account).await
    }
    async fn update_client(&self, client: &OAuthClient) -> Result<()> {
        clients::update(&self.pool, client).await
    }
    async fn delete_client(&self, account: &str, client_id: &str) -> Result<()> {
        clients::delete(&self.pool, account, client_id).await
    }

    async fn create_token(&self, token: &AccessTokenRecord) -> Result<()> {
        tokens::create(&self.pool, token).await
    }
    async fn find_token_by_hash(&self, hash: &[u8]) -> Result<Option<AccessTokenRecord>> {
        tokens::find_by_hash(&self.pool, hash).await
    }
    async fn list_tokens(
        &self,
        account: &str,
        user: Option<&str>,
    ) -> Result<Vec<AccessTokenRecord>> {
        tokens::list(&self.pool, account, user).await
    }
    async fn get_token(
        &self,
        account: &str,
        user: Option<&str>,
        name: &str,
    ) -> Result<AccessTokenRecord> {
        tokens::get(&self.pool, account, user, name).await
    }
    async fn update_token(&self, token: &AccessTokenRecord) -> Result<()> {
        tokens::update(&self.pool, token).await
    }
    async fn touch_token(&self, id: Uuid, at: DateTime<Utc>) -> Result<()> {
        tokens::touch(&self.pool, id, at).await
    }
    async fn delete_token(&self, account: &str, user: Option<&str>, name: &str) -> Result<()> {
        tokens::delete(&self.pool, account, user, name).await
    }

    async fn create_policy(&self, policy: &Policy) -> Result<()> {
        policies::create(&self.pool, policy).await
    }
    async fn get_policy(&self, account: &str, id: Uuid) -> Result<Policy> {
        policies::get(&self.pool, account, id).await
    }
    async fn list_policies(&self, account: &str) -> Result<Vec<Policy>> {
        policies::list(&self.pool, account).await
    }
    async fn replace_policy(&self, policy: &Policy) -> Result<()> {
        policies::replace(&self.pool, policy).await
    }
    async fn delete_policy(&self, account: &str, id: Uuid) -> Result<()> {
        policies::delete(&self.pool, account, id).await
    }

    async fn upsert_resource(&self, resource: &Resource) -> Result<Resource> {
        resources::upsert(&self.pool, resource).await
    }
    async fn get_resource(&self, account: &str, urn: &str) -> Result<Resource> {
        resources::get(&self.pool, account, urn).await
    }
    async fn get_resource_by_id(&self, account: &str, id: Uuid) -> Result<Resource> {
        resources::get_by_id(&self.pool, account, id).await
    }
    async fn list_resources(&self, account: &str) -> Result<Vec<Resource>> {
        resources::list(&self.pool, account).await
    }
    async fn list_resource_types(&self, account: &str) -> Result<Vec<String>> {
        resources::types(&self.pool, account).await
    }
    async fn delete_resource(&self, account: &str, urn: &str) -> Result<()> {
        resources::delete(&self.pool, account, urn).await
    }
    async fn resource_group_urns_of(
        &self,
        account: &str,
        resource_id: Uuid,
    ) -> Result<Vec<String>> {
        resources::group_urns_of(&self.pool, account, resource_id).await
    }

    async fn create_resource_group(&self, group: &ResourceGroup) -> Result<()> {
        resource_groups::create(&self.pool, group).await
    }
    async fn get_resource_group(&self, account: &str, id: Uuid) -> Result<ResourceGroup> {
        resource_groups::get(&self.pool, account, id).await
    }
    async fn list_resource_groups(&self, account: &str) -> Result<Vec<ResourceGroup>> {
        resource_groups::list(&self.pool, account).await
    }
    async fn replace_resource_group(&self, group: &ResourceGroup) -> Result<()> {
        resource_groups::replace(&self.pool, group).await
    }
    async fn delete_resource_group(&self, account: &str, id: Uuid) -> Result<()> {
        resource_groups::delete(&self.pool, account, id).await
    }

    async fn create_permissions_group(&self, group: &PermissionsGroup) -> Result<()> {
        permissions_groups::create(&self.pool, group).await
    }
    async fn get_permissions_group(&self, account: &str, urn: &str) -> Result<PermissionsGroup> {
        permissions_groups::get(&self.pool, account, urn).await
    }
    async fn list_permissions_groups(&self, account: &str) -> Result<Vec<PermissionsGroup>> {
        permissions_groups::list(&self.pool, account).await
    }
    async fn replace_permissions_group(&self, group: &PermissionsGroup) -> Result<()> {
        permissions_groups::replace(&self.pool, group).await
    }
    async fn delete_permissions_group(&self, account: &str, urn: &str) -> Result<()> {
        permissions_groups::delete(&self.pool, account, urn).await
    }

    async fn create_provider(&self, provider: &ResourceProvider) -> Result<()> {
        providers::create(&self.pool, provider).await
    }
    async fn find_provider_by_hash(&self, hash: &[u8]) -> Result<Option<ResourceProvider>> {
        providers::find_by_hash(&self.pool, hash).await
    }
    async fn list_providers(&self) -> Result<Vec<ResourceProvider>> {
        providers::list(&self.pool).await
    }
    async fn delete_provider(&self, name: &str) -> Result<()> {
        providers::delete(&self.pool, name).await
    }
    async fn replace_declared_actions(
        &self,
        resource_type: &str,
        actions: &[DeclaredAction],
    ) -> Result<()> {
        providers::replace_actions(&self.pool, resource_type, actions).await
    }
    async fn list_declared_actions(&self) -> Result<Vec<DeclaredAction>> {
        providers::list_actions(&self.pool).await
    }

    async fn insert_signing_key(&self, key: &SigningKey) -> Result<()> {
        keys::insert(&self.pool, key).await
    }
    async fn insert_first_signing_key(&self, key: &SigningKey) -> Result<bool> {
        keys::insert_first(&self.pool, key).await
    }
    async fn rotate_signing_key(
        &self,
        key: &SigningKey,
        at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        keys::rotate(&self.pool, key, at, expires_at).await
    }
    async fn list_signing_keys(&self) -> Result<Vec<SigningKey>> {
        keys::list(&self.pool).await
    }
    async fn purge_signing_keys(&self, now: DateTime<Utc>) -> Result<u64> {
        keys::purge(&self.pool, now).await
    }

    async fn revoke_token(&self, revoked: &RevokedToken) -> Result<()> {
        revocations::revoke(&self.pool, revoked).await
    }
    async fn list_revoked_tokens(&self, now: DateTime<Utc>) -> Result<Vec<RevokedToken>> {
        revocations::list(&self.pool, now).await
    }
    async fn purge_revoked_tokens(&self, now: DateTime<Utc>) -> Result<u64> {
        revocations::purge(&self.pool, now).await
    }

    async fn count_login_attempt(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
        forget_before: DateTime<Utc>,
        admit: &AdmitAttempt,
    ) -> Result<(Vec<LoginCounter>, bool)> {
        login_counters::count(&self.pool, keys, now, forget_before, admit).await
    }
    async fn uncount_login_attempt(&self, key: &str) -> Result<()> {
        login_counters::uncount(&self.pool, key).await
    }
    async fn forget_login_counter(&self, key: &str) -> Result<()> {
        login_counters::forget(&self.pool, key).await
    }
    async fn purge_login_counters(&self, forget_before: DateTime<Utc>) -> Result<u64> {
        login_counters::purge(&self.pool, forget_before).await
    }

    async fn append_audit(&self, entry: &AuditEntry) -> Result<()> {
        audit::append(&self.pool, entry).await
    }
    async fn list_audit(&self, account: &str, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        audit::list(&self.pool, account, query).await
    }
}
