//! Reading the audit log (`GET /v2/iamd/audit`, iamd's own extension) for the account's
//! administrators. Writing it is `audit.rs`'s.
//!
//! The action `account:iamd:audit/get` is not in the catalog, so `UNPRIVILEGED` (the catalog's
//! `READ` actions) does not grant it, and iam-core's `REGULAR` role excepts `account:iamd:*`;
//! `ADMIN` (`*`), the root (`ovh-default`) and explicit policies do grant it.

use chrono::{DateTime, Utc};
use iam_store::{AuditEntry, AuditQuery};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::service::audit;
use crate::service::context::ServiceContext;
use crate::service::error::{Result, ServiceError};
use crate::service::principal::Actor;

pub const ACTION_GET: &str = "account:iamd:audit/get";
pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;

/// The query string: `before` (RFC 3339; entries strictly older), `outcome`
/// (`success`|`denied`), `limit` (1 to 1000, default 100).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditFilter {
    #[serde(default)]
    pub before: Option<DateTime<Utc>>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditView {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub outcome: String,
    pub ip: Option<String>,
    pub details: Value,
}

fn view(entry: AuditEntry) -> AuditView {
    AuditView {
        id: entry.id,
        at: entry.at,
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        outcome: entry.outcome,
        ip: entry.ip,
        details: entry.details,
    }
}

fn query(filter: AuditFilter) -> Result<AuditQuery> {
    let outcome = match filter.outcome.as_deref() {
        None => None,
        Some(o @ (audit::SUCCESS | audit::DENIED)) => Some(o.to_owned()),
        Some(_) => return Err(ServiceError::invalid("outcome must be success or denied")),
    };
    let limit = filter.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ServiceError::invalid(format!(
            "limit must be 1 to {MAX_LIMIT}"
        )));
    }
    Ok(AuditQuery {
        before: filter.before,
        outcome,
        limit,
    })
}

/// The account's entries, newest first.
pub async fn list(
    ctx: &ServiceContext,
    actor: &Actor,
    filter: AuditFilter,
) -> Result<Vec<AuditView>> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let query = query(filter)?;
    let entries = ctx
        .store
        .list_audit(&actor.principal.account, &query)
        .await?;
    Ok(entries.into_iter().map(view).collect())
}
