//! The policy simulator, for account administrators: given an identity, a resource, an
//! action and a context (time, client IP), the decision and the policies (and permissions
//! groups) that allowed, denied or excepted it. Same snapshot, same engine as every other
//! decision; nothing is written.
//!
//! It reveals policies, so it needs `account:apiovh:iam/policy/get` on the account.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use iam_core::evaluate::{Explanation, Outcome};
use iam_core::request::ResourceFacts;
use iam_core::urn::{Urn, UrnFamily, UrnKind};
use iam_store::StoreError;
use serde::{Deserialize, Serialize};

use crate::service::context::ServiceContext;
use crate::service::error::{Result, ServiceError};
use crate::service::policies::ACTION_GET;
use crate::service::principal::Actor;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Simulation {
    /// An identity URN of the caller's account: account, user, group or credential.
    pub identity: String,
    #[serde(rename = "resourceURN")]
    pub resource_urn: String,
    pub action: String,
    #[serde(default)]
    pub context: SimulatedContext,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulatedContext {
    /// When the request happens (default: now).
    #[serde(default)]
    pub date: Option<DateTime<Utc>>,
    /// The client's address (default: unknown, which fails `request.IP` conditions closed).
    #[serde(default)]
    pub ip: Option<IpAddr>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimulationResult {
    /// `ALLOW` or `DENY`.
    pub decision: &'static str,
    /// `ALLOWED`, `EXPLICIT_DENY` (a deny matched) or `IMPLICIT_DENY` (nothing allowed it,
    /// or the resource is not registered in the account: `explanation.resourceNotInAccount`).
    pub outcome: &'static str,
    /// Every identity the principal acts as (a user also acts as its group).
    pub identities: Vec<String>,
    pub action: String,
    /// What the engine knew of the resource: its type, name, tags and resource groups (for a
    /// resource outside the account, only what its URN tells; the explanation says so).
    pub resource: ResourceFacts,
    pub date: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    pub explanation: Explanation,
}

pub async fn simulate(
    ctx: &ServiceContext,
    actor: &Actor,
    input: Simulation,
) -> Result<SimulationResult> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let identities = principal_identities(ctx, actor, &input.identity).await?;
    let snapshot = ctx.authorizer.snapshot(&actor.principal.account).await?;
    let date = input.context.date.unwrap_or_else(Utc::now);
    let ip = input.context.ip;
    let decisions = snapshot.decide(
        &identities,
        &input.resource_urn,
        &[input.action.as_str()],
        date,
        ip,
    );
    let decision = decisions
        .into_iter()
        .next()
        .ok_or_else(|| ServiceError::Internal("no decision".into()))?;
    let outcome = match decision.outcome() {
        Outcome::Allowed => "ALLOWED",
        Outcome::ExplicitDeny => "EXPLICIT_DENY",
        Outcome::ImplicitDeny => "IMPLICIT_DENY",
    };
    Ok(SimulationResult {
        decision: if decision.allowed { "ALLOW" } else { "DENY" },
        outcome,
        identities,
        action: input.action,
        resource: snapshot
            .registered(&input.resource_urn)
            .cloned()
            .unwrap_or_else(|| ResourceFacts::from_urn(&input.resource_urn)),
        date,
        ip,
        explanation: decision.explanation,
    })
}

/// The identities a principal named by `identity` acts as: a user acts as itself and its
/// group, as when it calls the API.
async fn principal_identities(
    ctx: &ServiceContext,
    actor: &Actor,
    identity: &str,
) -> Result<Vec<String>> {
    let urn = Urn::parse_as(identity, UrnFamily::Identity).map_err(|e| e.at("identity"))?;
    let account = &actor.principal.account;
    if urn.account_nic() != Some(account.as_str()) || urn.plate != actor.principal.plate {
        return Err(ServiceError::invalid_code(
            "INVALID_IDENTITY_URN",
            format!("field \"identity\": {identity} is not an identity of account {account}"),
        ));
    }
    let mut identities = vec![urn.to_string()];
    if let UrnKind::User { login, .. } = &urn.kind {
        let user = ctx
            .store
            .get_user(account, login)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => ServiceError::NotFound(format!("user {login}")),
                other => other.into(),
            })?;
        identities.push(Urn::group(urn.plate, account, &user.group).to_string());
    }
    Ok(identities)
}
