//! The one decision path (DESIGN.md §4): every API call, `authorization/check` and the
//! simulator go through `Authorizer`, which evaluates with iam-core over a compiled snapshot
//! of the account (its policies, groups' roles, resources and resource groups).
//!
//! Snapshots are cached per account. A write through this node invalidates its account at
//! once (so a change is enforced by the very next request); another node's write arrives as
//! a store change notification (PostgreSQL `LISTEN/NOTIFY`, see `startup.rs`), and, as a
//! safety net, a cached snapshot older than `revision_check` is checked against the store.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use iam_core::index::PolicyIndex;
use iam_core::system::Builtins;
use iam_core::urn::{Plate, Urn};
use serde_json::json;

use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::service::audit;
use crate::service::audit::AuditLog;
use crate::service::error::{Result, ServiceError};
use crate::service::principal::Actor;
use crate::service::snapshot::{AccountSnapshot, Decision};
use iam_store::Store;

struct Cached {
    snapshot: Arc<AccountSnapshot>,
    checked: Instant,
}

pub struct Authorizer {
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    /// Where refusals are recorded.
    audit: AuditLog,
    clock: Clock,
    /// Swapped when resource providers declare actions (role sets follow the catalog).
    builtins: RwLock<Arc<Builtins>>,
    /// How stale a snapshot may be before its revision is checked against the store.
    revision_check: Duration,
    cache: RwLock<HashMap<String, Cached>>,
    /// One rebuild per account at a time: requests arriving while a snapshot of 10,000
    /// policies is being built wait for it instead of each building their own.
    builds: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Authorizer {
    pub fn new(
        builtins: Arc<Builtins>,
        revision_check: Duration,
        store: Arc<dyn Store>,
        metrics: Arc<Metrics>,
        audit: AuditLog,
        clock: Clock,
    ) -> Self {
        Self {
            store,
            metrics,
            audit,
            clock,
            builtins: RwLock::new(builtins),
            revision_check,
            cache: RwLock::default(),
            builds: std::sync::Mutex::default(),
        }
    }

    /// Forgets the account's snapshot: the next decision rebuilds it from the store.
    pub fn invalidate(&self, account: &str) {
        if let Ok(mut cache) = self.cache.write() {
            cache.remove(account);
        }
    }

    /// A change notification for the account (from any node, this one included): forgets the
    /// snapshot unless it already holds the account's current revision, which is the case when
    /// the write came through this node and `apply` updated the snapshot in place.
    pub async fn on_change_notified(&self, account: &str) {
        let Some(cached) = self.cached(account) else {
            return;
        };
        match self.store.account_revision(account).await {
            Ok(revision) if revision <= cached.revision => {}
            _ => self.invalidate(account),
        }
    }

    /// The change feed may have missed notifications: checks every cached snapshot's revision
    /// as if each account had been notified.
    pub async fn recheck_all(&self) {
        let accounts: Vec<String> = match self.cache.read() {
            Ok(cache) => cache.keys().cloned().collect(),
            Err(_) => return,
        };
        for account in accounts {
            self.on_change_notified(&account).await;
        }
    }

    /// After a policy write through this node: changes the cached snapshot with `change`
    /// instead of forgetting it, when the account's revision shows that write was the only
    /// one since the snapshot; otherwise (or when `change` says it did not apply) forgets it
    /// as `invalidate` does. Rebuilding an account of 10,000 policies costs about a third of
    /// a second; an upsert on a copy-on-write clone of the index costs microseconds, so a
    /// run of policy writes (Terraform) does not rebuild between each two.
    pub async fn apply(&self, account: &str, change: impl FnOnce(&mut PolicyIndex) -> bool) {
        let Some(cached) = self.cached(account) else {
            return;
        };
        let revision = self.store.account_revision(account).await;
        let mut index = cached.index.clone();
        if revision.ok() != Some(cached.revision + 1) || !change(&mut index) {
            self.invalidate(account);
            return;
        }
        let next = Arc::new(cached.with_index(index, cached.revision + 1));
        if let Ok(mut cache) = self.cache.write() {
            // Swap only what we started from: a snapshot rebuilt meanwhile may predate the write.
            match cache.get(account) {
                Some(current) if Arc::ptr_eq(&current.snapshot, &cached) => {
                    cache.insert(
                        account.to_owned(),
                        Cached {
                            snapshot: next,
                            checked: Instant::now(),
                        },
                    );
                }
                _ => {
                    cache.remove(account);
                }
            }
        }
    }

    /// Replaces the built-in role sets and groups (the catalog changed) and forgets every
    /// snapshot, since each was compiled with the old ones.
    pub fn replace_builtins(&self, builtins: Arc<Builtins>) {
        match self.builtins.write() {
            Ok(mut current) => *current = builtins,
            Err(poisoned) => *poisoned.into_inner() = builtins,
        }
        if let Ok(mut cache) = self.cache.write() {
            cache.clear();
        }
    }

    fn builtins(&self) -> Arc<Builtins> {
        match self.builtins.read() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The account's current snapshot, rebuilt if a write moved its revision.
    pub async fn snapshot(&self, account: &str) -> Result<Arc<AccountSnapshot>> {
        if let Some(snapshot) = self.fresh(account) {
            return Ok(snapshot);
        }
        let revision = self.store.account_revision(account).await?;
        if let Some(snapshot) = self.cached(account).filter(|s| s.revision == revision) {
            self.remember(account, snapshot.clone());
            return Ok(snapshot);
        }
        let lock = self.build_lock(account);
        let _building = lock.lock().await;
        // Built while we waited? A snapshot read at this revision or later has every change.
        if let Some(snapshot) = self.cached(account).filter(|s| s.revision >= revision) {
            return Ok(snapshot);
        }
        let snapshot =
            Arc::new(AccountSnapshot::load(&*self.store, &self.builtins(), account).await?);
        self.remember(account, snapshot.clone());
        Ok(snapshot)
    }

    fn build_lock(&self, account: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut builds = match self.builds.lock() {
            Ok(builds) => builds,
            Err(poisoned) => poisoned.into_inner(),
        };
        builds.entry(account.to_owned()).or_default().clone()
    }

    fn fresh(&self, account: &str) -> Option<Arc<AccountSnapshot>> {
        let cache = self.cache.read().ok()?;
        let cached = cache.get(account)?;
        (cached.checked.elapsed() < self.revision_check).then(|| cached.snapshot.clone())
    }

    fn cached(&self, account: &str) -> Option<Arc<AccountSnapshot>> {
        self.cache
            .read()
            .ok()?
            .get(account)
            .map(|c| c.snapshot.clone())
    }

    fn remember(&self, account: &str, snapshot: Arc<AccountSnapshot>) {
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(
                account.to_owned(),
                Cached {
                    snapshot,
                    checked: Instant::now(),
                },
            );
        }
    }

    /// Decides `actions` for `actor` on `resource_urn` of the actor's account, at `now`.
    pub async fn decide(
        &self,
        actor: &Actor,
        resource_urn: &str,
        actions: &[&str],
        now: DateTime<Utc>,
    ) -> Result<Vec<Decision>> {
        let snapshot = self.snapshot(&actor.principal.account).await?;
        let decisions = snapshot.decide(
            &actor.principal.identities,
            resource_urn,
            actions,
            now,
            actor.ip,
        );
        for decision in &decisions {
            self.metrics.observe_decision(decision.allowed);
        }
        Ok(decisions)
    }

    /// Refuses with 403 (and an audit line) unless `action` is allowed on the actor's own
    /// account resource: how iamd authorizes its own API (DESIGN.md §4).
    pub async fn require_on_account(&self, actor: &Actor, action: &str) -> Result<()> {
        let resource = account_resource_urn(actor.principal.plate, &actor.principal.account);
        self.require(actor, &resource, action).await
    }

    /// Refuses with 403 (and an audit line) unless `action` is allowed on `resource_urn`.
    pub async fn require(&self, actor: &Actor, resource_urn: &str, action: &str) -> Result<()> {
        let decisions = self
            .decide(actor, resource_urn, &[action], self.clock.now())
            .await?;
        if decisions.first().is_some_and(|d| d.allowed) {
            return Ok(());
        }
        let details = json!({"explanation": decisions.first().map(|d| &d.explanation)});
        self.audit
            .record(actor, action, Some(resource_urn), audit::DENIED, details)
            .await;
        Err(ServiceError::NotGranted {
            actions: vec![action.to_owned()],
        })
    }
}

pub fn account_resource_urn(plate: Plate, nic: &str) -> String {
    Urn::resource(plate, "account", nic).to_string()
}
