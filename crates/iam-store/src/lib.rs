//! iam-store: the `Store` trait and its SQLite and PostgreSQL adapters. Holds SQL and
//! nothing else: no HTTP (never imports axum), no rules beyond the integrity the schema
//! enforces. `sqlx::Error` is mapped to `StoreError` here.
//!
//! Each query is written once, in `sql/` (one file per entity, and the one `impl Store`),
//! which `sqlite/` and `postgres/` each compile against their own `dialect.rs`: the few
//! names and statements that differ. The backend folders keep only what truly differs:
//! opening, pool settings, pragmas (SQLite), `LISTEN` (PostgreSQL), the migration entry.

mod column;
mod error;
pub mod migrate;
pub mod postgres;
pub mod record;
pub mod sqlite;
mod write;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use iam_core::policy::{PermissionsGroup, Policy};
use uuid::Uuid;

pub use error::{Result, StoreError};
pub use write::{Write, Written};

/// What the store announces to every node (see `Store::watch_changes`).
pub type ChangeFeed = tokio::sync::mpsc::Receiver<Change>;

/// One change notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The account's revision moved: its decision data (policies, groups and their roles,
    /// users, resources, resource groups, permissions groups) changed.
    Decisions(String),
    /// Who one of the account's personal access tokens acts as may have changed: a token was
    /// edited or deleted, a user edited, disabled or deleted. Says nothing of the revision.
    Credentials(String),
    /// A credential was revoked on some node (an access token, every token of a deleted
    /// client, a console session): refuse its key until it expires.
    Revoked(RevokedToken),
    /// The feed lost its connection and has it back: notifications sent meanwhile are lost,
    /// so anything held from before may be stale.
    Missed,
}
pub use record::*;

/// The rule `Store::count_login_attempt` applies to the counters it locked.
pub type AdmitAttempt = dyn for<'c> Fn(&'c [LoginCounter]) -> bool + Send + Sync;

/// Opens the store that `url` names: `sqlite:…` (the embedded default) or `postgres://…`.
/// Applies pending migrations before returning.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PostgresStore::open(url).await?))
    } else {
        Err(StoreError::Invalid(format!(
            "database URL must start with sqlite: or postgres:// (got scheme {:?})",
            url.split(':').next().unwrap_or_default()
        )))
    }
}

/// Everything iamd keeps. Every method that writes several rows does so in one transaction;
/// every method scoped to an account takes the account's NIC handle first, and a row of
/// another account is reported as `NotFound`.
///
/// Timestamps are kept to the microsecond (PostgreSQL's precision, applied on SQLite too):
/// finer parts are truncated on write, so a value reads back equal only if it was already
/// truncated (`chrono::SubsecRound::trunc_subsecs(6)`). Updates and replaces are keyed by the
/// row's id (login for users, name for groups, client id for clients) and never change that
/// key nor `created_at`.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgres`, for logs and metrics.
    fn backend(&self) -> &'static str;
    /// Cheap round trip, for `/readyz`.
    async fn ping(&self) -> Result<()>;
    /// Applies pending migrations; returns the names of those applied now.
    async fn migrate(&self) -> Result<Vec<String>>;

    /// Applies `write` and appends `audit` in one transaction: committed together or not at all.
    /// Errors exactly as the matching single-purpose method (`create_user`, …) does, which
    /// goes the same way with no audit line; announces what that method announces.
    async fn write(&self, write: Write<'_>, audit: &AuditEntry) -> Result<Written>;

    // Accounts
    /// Creates the account and everything it starts with. `Conflict` if the NIC exists.
    async fn create_account(&self, new: &NewAccount) -> Result<Account>;
    async fn get_account(&self, nic: &str) -> Result<Account>;
    async fn list_accounts(&self) -> Result<Vec<Account>>;
    /// The account's revision (see `Account::revision`), for cache invalidation.
    async fn account_revision(&self, nic: &str) -> Result<i64>;
    /// A feed of the changes committed on any node, as they happen (PostgreSQL
    /// `LISTEN/NOTIFY`), so caches elsewhere can drop what they make stale at once. `None`
    /// where the backend has no such channel (SQLite serves one node). Notifications sent
    /// while the listener reconnects are lost; the feed then says `Change::Missed`, once it
    /// listens again. Callers keep a periodic check as a safety net all the same.
    async fn watch_changes(&self) -> Result<Option<ChangeFeed>>;
    async fn set_root_password(&self, nic: &str, password_hash: &str) -> Result<()>;
    /// The account's profile: the editable details of `/me`, a JSON object (`{}` until set).
    async fn account_profile(&self, nic: &str) -> Result<serde_json::Value>;
    /// Replaces the profile if it still is `expected` (compare-and-set); `Conflict` if another
    /// write changed it since it was read, `NotFound` if there is no such account.
    async fn set_account_profile(
        &self,
        nic: &str,
        expected: &serde_json::Value,
        profile: &serde_json::Value,
    ) -> Result<()>;
    /// Replaces the root's password and every personal access token of the root (the root
    /// token and any other) by `root_token`, in one transaction; announces
    /// `Change::Credentials`. `NotFound` if there is no such account.
    async fn rotate_root(
        &self,
        nic: &str,
        password_hash: &str,
        root_token: &AccessTokenRecord,
    ) -> Result<()>;

    // Cluster facts
    /// The value stored under `name`, writing `value` first if there is none: the first
    /// claim wins, atomically, whichever node makes it.
    async fn claim_cluster_fact(&self, name: &str, value: &str) -> Result<String>;
    /// Replaces the value stored under `name`.
    async fn set_cluster_fact(&self, name: &str, value: &str) -> Result<()>;

    // Users
    /// `Conflict` if the login exists; `NotFound` if the group does not.
    async fn create_user(&self, user: &User) -> Result<()>;
    async fn get_user(&self, account: &str, login: &str) -> Result<User>;
    async fn list_users(&self, account: &str) -> Result<Vec<User>>;
    /// Replaces the mutable fields (email, description, group, status, password, dates).
    /// Announces `Change::Decisions` and `Change::Credentials`, as `delete_user` does.
    async fn update_user(&self, user: &User) -> Result<()>;
    /// Deletes the user and its personal access tokens.
    async fn delete_user(&self, account: &str, login: &str) -> Result<()>;

    // Groups
    async fn create_group(&self, group: &Group) -> Result<()>;
    async fn get_group(&self, account: &str, name: &str) -> Result<Group>;
    async fn list_groups(&self, account: &str) -> Result<Vec<Group>>;
    async fn update_group(&self, group: &Group) -> Result<()>;
    /// `Conflict` while users still belong to it.
    async fn delete_group(&self, account: &str, name: &str) -> Result<()>;

    // OAuth2 clients (service accounts)
    async fn create_client(&self, client: &OAuthClient) -> Result<()>;
    /// Looks a client up by id alone, for the token endpoint.
    async fn find_client(&self, client_id: &str) -> Result<Option<OAuthClient>>;
    async fn get_client(&self, account: &str, client_id: &str) -> Result<OAuthClient>;
    async fn list_clients(&self, account: &str) -> Result<Vec<OAuthClient>>;
    async fn update_client(&self, client: &OAuthClient) -> Result<()>;
    async fn delete_client(&self, account: &str, client_id: &str) -> Result<()>;

    // Personal access tokens (and the root token)
    /// `Conflict` if the owner already has a token of that name.
    async fn create_token(&self, token: &AccessTokenRecord) -> Result<()>;
    async fn find_token_by_hash(&self, hash: &[u8]) -> Result<Option<AccessTokenRecord>>;
    /// The tokens of one owner: the user's, or the root's own when `user` is `None`.
    async fn list_tokens(
        &self,
        account: &str,
        user: Option<&str>,
    ) -> Result<Vec<AccessTokenRecord>>;
    async fn get_token(
        &self,
        account: &str,
        user: Option<&str>,
        name: &str,
    ) -> Result<AccessTokenRecord>;
    /// Announces `Change::Credentials`, as `delete_token` does.
    async fn update_token(&self, token: &AccessTokenRecord) -> Result<()>;
    /// Records a use; announces nothing (it runs once a minute per token in use).
    async fn touch_token(&self, id: Uuid, at: DateTime<Utc>) -> Result<()>;
    async fn delete_token(&self, account: &str, user: Option<&str>, name: &str) -> Result<()>;

    // Policies
    /// `Conflict` if the account has a policy of that name.
    async fn create_policy(&self, policy: &Policy) -> Result<()>;
    async fn get_policy(&self, account: &str, id: Uuid) -> Result<Policy>;
    /// Every policy of the account, in creation order.
    async fn list_policies(&self, account: &str) -> Result<Vec<Policy>>;
    /// Full replace, keyed by `policy.id` within `policy.owner`.
    async fn replace_policy(&self, policy: &Policy) -> Result<()>;
    async fn delete_policy(&self, account: &str, id: Uuid) -> Result<()>;

    // Resources
    /// Inserts or updates (by URN) and keeps the account's default resource group complete.
    async fn upsert_resource(&self, resource: &Resource) -> Result<Resource>;
    async fn get_resource(&self, account: &str, urn: &str) -> Result<Resource>;
    async fn get_resource_by_id(&self, account: &str, id: Uuid) -> Result<Resource>;
    async fn list_resources(&self, account: &str) -> Result<Vec<Resource>>;
    /// The distinct types of the account's resources, sorted.
    async fn list_resource_types(&self, account: &str) -> Result<Vec<String>>;
    /// Removes the resource from every group it was in, then the resource.
    async fn delete_resource(&self, account: &str, urn: &str) -> Result<()>;
    /// URNs of the resource groups that contain the resource (the default group included).
    async fn resource_group_urns_of(&self, account: &str, resource_id: Uuid)
    -> Result<Vec<String>>;

    // Resource groups
    async fn create_resource_group(&self, group: &ResourceGroup) -> Result<()>;
    async fn get_resource_group(&self, account: &str, id: Uuid) -> Result<ResourceGroup>;
    async fn list_resource_groups(&self, account: &str) -> Result<Vec<ResourceGroup>>;
    async fn replace_resource_group(&self, group: &ResourceGroup) -> Result<()>;
    async fn delete_resource_group(&self, account: &str, id: Uuid) -> Result<()>;

    // Permissions groups (account-owned; built-in ones live in code)
    async fn create_permissions_group(&self, group: &PermissionsGroup) -> Result<()>;
    async fn get_permissions_group(&self, account: &str, urn: &str) -> Result<PermissionsGroup>;
    async fn list_permissions_groups(&self, account: &str) -> Result<Vec<PermissionsGroup>>;
    async fn replace_permissions_group(&self, group: &PermissionsGroup) -> Result<()>;
    async fn delete_permissions_group(&self, account: &str, urn: &str) -> Result<()>;

    // Resource providers and the actions they declare
    /// `Conflict` if the name, or one of the resource types, belongs to another provider.
    async fn create_provider(&self, provider: &ResourceProvider) -> Result<()>;
    async fn find_provider_by_hash(&self, hash: &[u8]) -> Result<Option<ResourceProvider>>;
    /// Every provider, in creation order.
    async fn list_providers(&self) -> Result<Vec<ResourceProvider>>;
    /// Deletes the provider and the actions declared for its types.
    async fn delete_provider(&self, name: &str) -> Result<()>;
    /// Replaces every action declared for `resource_type`, which some provider must own
    /// (`NotFound("resource type")` otherwise). `Conflict` if an action is declared for
    /// another type already, or listed twice.
    async fn replace_declared_actions(
        &self,
        resource_type: &str,
        actions: &[DeclaredAction],
    ) -> Result<()>;
    /// Every declared action, by resource type then in declaration order.
    async fn list_declared_actions(&self) -> Result<Vec<DeclaredAction>>;

    // Signing keys
    /// `Conflict` if the kid exists, or if `key` is active and its usage has an active key:
    /// a usage never has two active keys.
    async fn insert_signing_key(&self, key: &SigningKey) -> Result<()>;
    /// Inserts the active `key` unless its usage has an active key already; false if it had.
    /// Race-free: of nodes starting together on an empty database, exactly one key wins.
    async fn insert_first_signing_key(&self, key: &SigningKey) -> Result<bool>;
    /// In one transaction: every active key of `key.usage` is retired at `at` (verifying
    /// until `expires_at`) and the active `key` inserted. Concurrent rotations serialise.
    async fn rotate_signing_key(
        &self,
        key: &SigningKey,
        at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;
    async fn list_signing_keys(&self) -> Result<Vec<SigningKey>>;
    /// Deletes keys whose `expires_at` has passed.
    async fn purge_signing_keys(&self, now: DateTime<Utc>) -> Result<u64>;

    // Revoked access tokens
    async fn revoke_token(&self, revoked: &RevokedToken) -> Result<()>;
    /// Revocations still relevant at `now` (their tokens have not expired).
    async fn list_revoked_tokens(&self, now: DateTime<Utc>) -> Result<Vec<RevokedToken>>;
    async fn purge_revoked_tokens(&self, now: DateTime<Utc>) -> Result<u64>;

    // Login throttle
    /// Counts one attempt under each of `keys` if `admit`, shown their counters as they stand
    /// (a key unseen, or quiet since `forget_before`, has 0 attempts), lets it through. The
    /// counters stay locked from reading to counting, so attempts on every node sharing the
    /// store are admitted one at a time. Returns the counters as seen and whether it counted.
    async fn count_login_attempt(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
        forget_before: DateTime<Utc>,
        admit: &AdmitAttempt,
    ) -> Result<(Vec<LoginCounter>, bool)>;
    /// Takes one attempt back from `key` (it succeeded, or was never checked).
    async fn uncount_login_attempt(&self, key: &str) -> Result<()>;
    /// Forgets `key` altogether (a name that signed in).
    async fn forget_login_counter(&self, key: &str) -> Result<()>;
    /// Deletes the counters quiet since `forget_before`.
    async fn purge_login_counters(&self, forget_before: DateTime<Utc>) -> Result<u64>;

    // Audit log
    async fn append_audit(&self, entry: &AuditEntry) -> Result<()>;
    /// Newest first; `query.limit == 0` means no limit.
    async fn list_audit(&self, account: &str, query: &AuditQuery) -> Result<Vec<AuditEntry>>;
}
