//! The audit log: every change (who, what, when, from where) and every refused call
//! (DESIGN.md §10). A failure to write the audit line is logged, never hidden.

use chrono::Utc;
use iam_store::AuditEntry;
use serde_json::Value;
use uuid::Uuid;

use crate::service::principal::Actor;
use crate::state::AppState;

pub const SUCCESS: &str = "success";
pub const DENIED: &str = "denied";

/// Appends one line for `actor` doing `action` on `target`.
pub async fn record(
    state: &AppState,
    actor: &Actor,
    action: &str,
    target: Option<&str>,
    outcome: &str,
    details: Value,
) {
    let entry = AuditEntry {
        id: Uuid::new_v4(),
        account: actor.principal.account.clone(),
        at: Utc::now(),
        actor: Some(actor.principal.identity().to_owned()),
        action: action.to_owned(),
        target: target.map(str::to_owned),
        outcome: outcome.to_owned(),
        ip: actor.ip.map(|ip| ip.to_string()),
        details,
    };
    if let Err(e) = state.store.append_audit(&entry).await {
        tracing::error!(error = %e, action, "could not write the audit log");
    }
}
