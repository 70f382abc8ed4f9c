//! The one write path. Every change a use case makes goes through a `Permit`:
//!
//! 1. `ServiceContext::permit` (or `permit_on`) authorizes the author first — 403 and a
//!    `denied` audit line otherwise — and is the only way to get a permit for an identity;
//! 2. the use case loads what it needs and checks its own rules (read-only policies, default
//!    groups, …) between the two steps;
//! 3. `Permit::commit` hands the store one `Write` and its audit line, which the store applies
//!    in one transaction: an acknowledged change always has its line, a refused one never does;
//! 4. after the commit, and only then, `commit` drops what the change made stale on this node
//!    (decision snapshots, token principals, cached clients). Which caches a write touches is
//!    decided here, once, by an exhaustive match: a new kind of write cannot forget one.
//!
//! Other nodes learn of the change from the store's change feed (see `startup.rs`).

use iam_store::{StoreError, Write, Written};
use serde_json::Value;

use crate::service::audit;
use crate::service::context::ServiceContext;
use crate::service::error::Result;
use crate::service::principal::Actor;

/// The right to make changes: who makes them, in which account, under which action. Only
/// an authorization gives one to an identity; a use case commits its change with it (twice
/// only to retry a write the store refused, such as a client id drawn twice).
#[must_use = "a permit does nothing until it is committed"]
pub struct Permit<'a> {
    ctx: &'a ServiceContext,
    /// The account whose data may change; empty for the catalog (providers' declarations).
    account: String,
    action: &'a str,
    author: Author<'a>,
}

/// Who the audit line names.
enum Author<'a> {
    Identity(&'a Actor),
    /// A resource provider (`provider:<name>`) or the operator on the command line, whose right
    /// the registration rules checked.
    Registrar(String),
}

impl ServiceContext {
    /// `actor` may do `action` on its own account (how iamd authorizes its own API).
    pub async fn permit<'a>(&'a self, actor: &'a Actor, action: &'a str) -> Result<Permit<'a>> {
        self.authorizer.require_on_account(actor, action).await?;
        Ok(Permit::identity(self, actor, action))
    }

    /// `actor` may do `action` on `resource_urn`, a resource of its own account.
    pub async fn permit_on<'a>(
        &'a self,
        actor: &'a Actor,
        resource_urn: &str,
        action: &'a str,
    ) -> Result<Permit<'a>> {
        self.authorizer.require(actor, resource_urn, action).await?;
        Ok(Permit::identity(self, actor, action))
    }

    /// A registrar's write in `account` (empty for the catalog). The caller has checked the
    /// registrar's right: a provider registers only its own types, the operator any type.
    pub fn permit_registrar<'a>(
        &'a self,
        registrar: String,
        account: &str,
        action: &'a str,
    ) -> Permit<'a> {
        Permit {
            ctx: self,
            account: account.to_owned(),
            action,
            author: Author::Registrar(registrar),
        }
    }
}

impl<'a> Permit<'a> {
    fn identity(ctx: &'a ServiceContext, actor: &'a Actor, action: &'a str) -> Self {
        Permit {
            ctx,
            account: actor.principal.account.to_string(),
            action,
            author: Author::Identity(actor),
        }
    }

    /// The store, to read what a retry must check (the permit writes only through `commit`).
    pub fn store(&self) -> &dyn iam_store::Store {
        &*self.ctx.store
    }

    /// Applies `write` with its audit line (`target`, `details`) in one transaction, then
    /// drops what it made stale. Errors are the store's, for the use case to word.
    pub async fn commit(
        &self,
        write: Write<'_>,
        target: &str,
        details: Value,
    ) -> std::result::Result<Written, StoreError> {
        // A permit for one account never writes another's, whatever a use case passes.
        if write.account().unwrap_or_default() != self.account {
            return Err(StoreError::Invalid(
                "a write outside the permit's account".into(),
            ));
        }
        let entry = self.audit_entry(target, details);
        let written = self.ctx.store.write(write, &entry).await?;
        self.ctx.after_commit(&write).await;
        Ok(written)
    }

    fn audit_entry(&self, target: &str, details: Value) -> iam_store::AuditEntry {
        let ctx = self.ctx;
        match &self.author {
            Author::Identity(actor) => {
                ctx.audit
                    .entry(actor, self.action, Some(target), audit::SUCCESS, details)
            }
            Author::Registrar(name) => {
                ctx.audit
                    .entry_for(&self.account, name, self.action, Some(target), details)
            }
        }
    }
}

impl ServiceContext {
    /// What a committed write makes stale on this node. Exhaustive on purpose.
    async fn after_commit(&self, write: &Write<'_>) {
        match write {
            Write::CreatePolicy(policy) | Write::ReplacePolicy(policy) => {
                self.authorizer
                    .apply(&policy.owner, |index| index.upsert(policy).is_ok())
                    .await;
            }
            Write::DeletePolicy { account, id } => {
                self.authorizer
                    .apply(account, |index| index.remove(*id))
                    .await;
            }
            Write::UpdateUser(_) | Write::DeleteUser { .. } | Write::RotateRoot { .. } => {
                self.forget_decisions_of(write);
                self.forget_principals_of(write);
            }
            Write::UpdateToken(_) | Write::DeleteToken { .. } => self.forget_principals_of(write),
            // A "no such client" answer for a new id may be cached: not any more.
            Write::CreateClient(client) | Write::UpdateClient(client) => {
                self.client_cache.forget(&client.client_id);
            }
            Write::DeleteClient { client_id, .. } => {
                self.client_cache.forget(client_id);
                // Policies naming the client's identity stay (as OVH's do); its decisions change.
                self.forget_decisions_of(write);
            }
            Write::CreateUser(_)
            | Write::CreateGroup(_)
            | Write::UpdateGroup(_)
            | Write::DeleteGroup { .. }
            | Write::UpsertResource(_)
            | Write::DeleteResource { .. }
            | Write::CreateResourceGroup(_)
            | Write::ReplaceResourceGroup(_)
            | Write::DeleteResourceGroup { .. }
            | Write::CreatePermissionsGroup(_)
            | Write::ReplacePermissionsGroup(_)
            | Write::DeletePermissionsGroup { .. } => self.forget_decisions_of(write),
            // Nothing cached holds these: a new token is read on first use, and the profile
            // and root password are read from the store each time.
            Write::CreateToken(_)
            | Write::SetAccountProfile { .. }
            | Write::SetRootPassword { .. } => {}
            // The catalog is rebuilt from the store by the registration rules.
            Write::CreateProvider(_)
            | Write::DeleteProvider { .. }
            | Write::ReplaceDeclaredActions { .. } => {}
        }
    }

    fn forget_decisions_of(&self, write: &Write<'_>) {
        if let Some(account) = write.account() {
            self.authorizer.invalidate(account);
        }
    }

    fn forget_principals_of(&self, write: &Write<'_>) {
        if let Some(account) = write.account() {
            self.principals.invalidate(account);
        }
    }
}
