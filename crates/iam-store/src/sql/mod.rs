//! The SQL of every entity, written once, and the one `impl Store` over it.
//!
//! This folder is not a module of the crate root: each backend compiles it as its own child
//! (`#[path = "../sql/mod.rs"] mod sql;` in `sqlite/mod.rs` and `postgres/mod.rs`), against
//! that backend's `dialect.rs`, which names what differs: the sqlx types (`Db`, `Pool`,
//! `Row`, `Conn`, `Query`), the bind form of a timestamp (`ts`), the collation that makes
//! orderings byte-wise (`COLLATE`), how transactions begin (`write_tx`, `read_tx`), the
//! change notifications (PostgreSQL `pg_notify`, a no-op on single-node SQLite), and the
//! few statements that must differ (`insert_first_key`, `lock_signing_keys`). So the code
//! here never asks which backend it runs on, and a query changed here changes on both.
//! The SQL uses `$n` placeholders, which both databases read.
//!
//! Every change a caller makes goes through one path ([`apply`]): one write transaction,
//! the change, its audit line if any, commit.

mod accounts;
mod apply;
mod audit;
mod clients;
mod cluster;
mod groups;
pub(super) mod keys;
mod login_counters;
mod permissions_groups;
mod policies;
mod providers;
mod resource_groups;
mod resources;
mod revocations;
mod tokens;
mod users;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use iam_core::policy::{PermissionsGroup, Policy};
use sqlx::{Decode, Row as _, Type};
use uuid::Uuid;

use super::dialect::{
    self, Adapter, COLLATE, Conn, Db, Pool, Query, Row, read_tx, ts, ts_opt, write_tx,
};
use crate::error::db;
use crate::record::*;
use crate::{AdmitAttempt, ChangeFeed, Result, Store, StoreError, Write, Written};

/// `NotFound(what)` when a keyed write touched no row (absent, or in another account).
fn found(rows: u64, what: &'static str) -> Result<()> {
    if rows == 0 {
        Err(StoreError::NotFound(what))
    } else {
        Ok(())
    }
}

/// One column of a row, with sqlx's error mapped.
fn col<'r, T: Decode<'r, Db> + Type<Db>>(row: &'r Row, name: &str) -> Result<T> {
    row.try_get(name).map_err(db)
}

impl Adapter {
    /// A single-purpose write: the same path as `Store::write`, with no audit line.
    async fn change(&self, write: Write<'_>) -> Result<()> {
        self.apply(write, None).await.map(drop)
    }
}

#[async_trait]
impl Store for Adapter {
    fn backend(&self) -> &'static str {
        dialect::NAME
    }
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(drop)
    }
    async fn migrate(&self) -> Result<Vec<String>> {
        dialect::migrate(&self.pool).await
    }
    async fn write(&self, write: Write<'_>, audit: &AuditEntry) -> Result<Written> {
        self.apply(write, Some(audit)).await
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

    async fn watch_changes(&self) -> Result<Option<ChangeFeed>> {
        dialect::watch(&self.pool).await
    }
    async fn set_root_password(&self, nic: &str, password_hash: &str) -> Result<()> {
        self.change(Write::SetRootPassword { nic, password_hash })
            .await
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
        self.change(Write::SetAccountProfile {
            nic,
            expected,
            profile,
        })
        .await
    }
    async fn rotate_root(
        &self,
        nic: &str,
        password_hash: &str,
        root_token: &AccessTokenRecord,
    ) -> Result<()> {
        self.change(Write::RotateRoot {
            nic,
            password_hash,
            root_token,
        })
        .await
    }
    async fn claim_cluster_fact(&self, name: &str, value: &str) -> Result<String> {
        cluster::claim(&self.pool, name, value).await
    }
    async fn set_cluster_fact(&self, name: &str, value: &str) -> Result<()> {
        cluster::set(&self.pool, name, value).await
    }

    async fn create_user(&self, user: &User) -> Result<()> {
        self.change(Write::CreateUser(user)).await
    }
    async fn get_user(&self, account: &str, login: &str) -> Result<User> {
        users::get(&self.pool, account, login).await
    }
    async fn list_users(&self, account: &str) -> Result<Vec<User>> {
        users::list(&self.pool, account).await
    }
    async fn update_user(&self, user: &User) -> Result<()> {
        self.change(Write::UpdateUser(user)).await
    }
    async fn delete_user(&self, account: &str, login: &str) -> Result<()> {
        self.change(Write::DeleteUser { account, login }).await
    }

    async fn create_group(&self, group: &Group) -> Result<()> {
        self.change(Write::CreateGroup(group)).await
    }
    async fn get_group(&self, account: &str, name: &str) -> Result<Group> {
        groups::get(&self.pool, account, name).await
    }
    async fn list_groups(&self, account: &str) -> Result<Vec<Group>> {
        groups::list(&self.pool, account).await
    }
    async fn update_group(&self, group: &Group) -> Result<()> {
        self.change(Write::UpdateGroup(group)).await
    }
    async fn delete_group(&self, account: &str, name: &str) -> Result<()> {
        self.change(Write::DeleteGroup { account, name }).await
    }

    async fn create_client(&self, client: &OAuthClient) -> Result<()> {
        self.change(Write::CreateClient(client)).await
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
        self.change(Write::UpdateClient(client)).await
    }
    async fn delete_client(&self, account: &str, client_id: &str) -> Result<()> {
        self.change(Write::DeleteClient { account, client_id })
            .await
    }

    async fn create_token(&self, token: &AccessTokenRecord) -> Result<()> {
        self.change(Write::CreateToken(token)).await
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
        self.change(Write::UpdateToken(token)).await
    }
    async fn touch_token(&self, id: Uuid, at: DateTime<Utc>) -> Result<()> {
        tokens::touch(&self.pool, id, at).await
    }
    async fn delete_token(&self, account: &str, user: Option<&str>, name: &str) -> Result<()> {
        self.change(Write::DeleteToken {
            account,
            user,
            name,
        })
        .await
    }

    async fn create_policy(&self, policy: &Policy) -> Result<()> {
        self.change(Write::CreatePolicy(policy)).await
    }
    async fn get_policy(&self, account: &str, id: Uuid) -> Result<Policy> {
        policies::get(&self.pool, account, id).await
    }
    async fn list_policies(&self, account: &str) -> Result<Vec<Policy>> {
        policies::list(&self.pool, account).await
    }
    async fn replace_policy(&self, policy: &Policy) -> Result<()> {
        self.change(Write::ReplacePolicy(policy)).await
    }
    async fn delete_policy(&self, account: &str, id: Uuid) -> Result<()> {
        self.change(Write::DeletePolicy { account, id }).await
    }

    async fn upsert_resource(&self, resource: &Resource) -> Result<Resource> {
        match self.apply(Write::UpsertResource(resource), None).await? {
            Written::Resource(stored) => Ok(stored),
            Written::Done => Err(StoreError::NotFound("resource")),
        }
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
        self.change(Write::DeleteResource { account, urn }).await
    }
    async fn resource_group_urns_of(
        &self,
        account: &str,
        resource_id: Uuid,
    ) -> Result<Vec<String>> {
        resources::group_urns_of(&self.pool, account, resource_id).await
    }

    async fn create_resource_group(&self, group: &ResourceGroup) -> Result<()> {
        self.change(Write::CreateResourceGroup(group)).await
    }
    async fn get_resource_group(&self, account: &str, id: Uuid) -> Result<ResourceGroup> {
        resource_groups::get(&self.pool, account, id).await
    }
    async fn list_resource_groups(&self, account: &str) -> Result<Vec<ResourceGroup>> {
        resource_groups::list(&self.pool, account).await
    }
    async fn replace_resource_group(&self, group: &ResourceGroup) -> Result<()> {
        self.change(Write::ReplaceResourceGroup(group)).await
    }
    async fn delete_resource_group(&self, account: &str, id: Uuid) -> Result<()> {
        self.change(Write::DeleteResourceGroup { account, id })
            .await
    }

    async fn create_permissions_group(&self, group: &PermissionsGroup) -> Result<()> {
        self.change(Write::CreatePermissionsGroup(group)).await
    }
    async fn get_permissions_group(&self, account: &str, urn: &str) -> Result<PermissionsGroup> {
        permissions_groups::get(&self.pool, account, urn).await
    }
    async fn list_permissions_groups(&self, account: &str) -> Result<Vec<PermissionsGroup>> {
        permissions_groups::list(&self.pool, account).await
    }
    async fn replace_permissions_group(&self, group: &PermissionsGroup) -> Result<()> {
        self.change(Write::ReplacePermissionsGroup(group)).await
    }
    async fn delete_permissions_group(&self, account: &str, urn: &str) -> Result<()> {
        self.change(Write::DeletePermissionsGroup { account, urn })
            .await
    }

    async fn create_provider(&self, provider: &ResourceProvider) -> Result<()> {
        self.change(Write::CreateProvider(provider)).await
    }
    async fn find_provider_by_hash(&self, hash: &[u8]) -> Result<Option<ResourceProvider>> {
        providers::find_by_hash(&self.pool, hash).await
    }
    async fn list_providers(&self) -> Result<Vec<ResourceProvider>> {
        providers::list(&self.pool).await
    }
    async fn delete_provider(&self, name: &str) -> Result<()> {
        self.change(Write::DeleteProvider { name }).await
    }
    async fn replace_declared_actions(
        &self,
        resource_type: &str,
        actions: &[DeclaredAction],
    ) -> Result<()> {
        self.change(Write::ReplaceDeclaredActions {
            resource_type,
            actions,
        })
        .await
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
        let mut conn = self.pool.acquire().await.map_err(db)?;
        audit::append(&mut conn, entry).await
    }
    async fn list_audit(&self, account: &str, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        audit::list(&self.pool, account, query).await
    }
}
