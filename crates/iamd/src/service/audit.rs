//! The audit log: every change (who, what, when, from where) and every refused call
//! (DESIGN.md §10). Changes write their line inside the change's own transaction
//! (`service/write.rs`); refusals are written here on their own. A failure to write a
//! refusal's line is logged, never hidden.

use std::sync::Arc;

use iam_store::{AuditEntry, Store};
use serde_json::Value;
use uuid::Uuid;

use crate::clock::Clock;
use crate::service::principal::Actor;

pub const SUCCESS: &str = "success";
pub const DENIED: &str = "denied";

/// Writes audit lines to the store, stamped by the service clock.
#[derive(Clone)]
pub struct AuditLog {
    store: Arc<dyn Store>,
    clock: Clock,
}

impl AuditLog {
    pub fn new(store: Arc<dyn Store>, clock: Clock) -> Self {
        Self { store, clock }
    }

    /// The line for `actor` doing `action` on `target`, not yet written.
    pub fn entry(
        &self,
        actor: &Actor,
        action: &str,
        target: Option<&str>,
        outcome: &str,
        details: Value,
    ) -> AuditEntry {
        AuditEntry {
            id: Uuid::new_v4(),
            account: actor.principal.account.to_string(),
            at: self.clock.now(),
            actor: Some(actor.principal.identity().to_owned()),
            action: action.to_owned(),
            target: target.map(str::to_owned),
            outcome: outcome.to_owned(),
            ip: actor.ip.map(|ip| ip.to_string()),
            details,
        }
    }

    /// The line for an author that is not an identity (a resource provider, the operator),
    /// in `account` (empty for what belongs to no account), not yet written.
    pub fn entry_for(
        &self,
        account: &str,
        author: &str,
        action: &str,
        target: Option<&str>,
        details: Value,
    ) -> AuditEntry {
        AuditEntry {
            id: Uuid::new_v4(),
            account: account.to_owned(),
            at: self.clock.now(),
            actor: Some(author.to_owned()),
            action: action.to_owned(),
            target: target.map(str::to_owned),
            outcome: SUCCESS.to_owned(),
            ip: None,
            details,
        }
    }

    /// Appends one line on its own (a refusal, which changes nothing).
    pub async fn record(
        &self,
        actor: &Actor,
        action: &str,
        target: Option<&str>,
        outcome: &str,
        details: Value,
    ) {
        let entry = self.entry(actor, action, target, outcome, details);
        if let Err(e) = self.store.append_audit(&entry).await {
            tracing::error!(error = %e, action, "could not write the audit log");
        }
    }
}
