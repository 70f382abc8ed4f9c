//! `authorization/check`: which of some actions the caller may do on a resource (or on each
//! of several). It decides through the account's cached snapshot, exactly as iamd
//! authorizes its own API, and builds nothing per request. No IAM action guards it: a caller
//! may always ask about itself.

use serde::{Deserialize, Serialize};

use crate::service::context::ServiceContext;
use crate::service::error::{Result, ServiceError};
use crate::service::principal::Actor;

/// At most this many actions, and this many resources, in one check.
pub const MAX_ACTIONS: usize = 1000;
pub const MAX_RESOURCES: usize = 1000;
/// At most this many (action, resource) decisions in one check: each is a line of the answer,
/// and 1,000 × 1,000 would let any identity ask for a 46 MB answer.
pub const MAX_DECISIONS: usize = 10_000;

/// `iam.AuthorizeRequest`.
#[derive(Debug, Deserialize)]
pub struct CheckRequest {
    pub actions: Vec<String>,
}

/// `iam.AuthorizeBatchRequest`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchRequest {
    pub actions: Vec<String>,
    #[serde(rename = "resourceURNs")]
    pub resource_urns: Vec<String>,
}

/// `iam.AuthorizeResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResponse {
    pub authorized_actions: Vec<String>,
    pub unauthorized_actions: Vec<String>,
}

/// `iam.AuthorizeBatchResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchResponse {
    #[serde(rename = "resourceURN")]
    pub resource_urn: String,
    pub authorized_actions: Vec<String>,
    pub unauthorized_actions: Vec<String>,
}

pub async fn check(
    ctx: &ServiceContext,
    actor: &Actor,
    resource_urn: &str,
    actions: &[String],
) -> Result<CheckResponse> {
    limit(actions.len(), MAX_ACTIONS, "actions")?;
    let snapshot = ctx.authorizer.snapshot(&actor.principal.account).await?;
    Ok(decide(ctx, &snapshot, actor, resource_urn, actions))
}

pub async fn check_batch(
    ctx: &ServiceContext,
    actor: &Actor,
    request: &BatchRequest,
) -> Result<Vec<BatchResponse>> {
    limit(request.actions.len(), MAX_ACTIONS, "actions")?;
    limit(request.resource_urns.len(), MAX_RESOURCES, "resourceURNs")?;
    let decisions = request.actions.len() * request.resource_urns.len();
    if decisions > MAX_DECISIONS {
        return Err(ServiceError::invalid_code(
            "TOO_MANY_ITEMS",
            format!(
                "{decisions} action-resource pairs asked (actions × resourceURNs): at most {MAX_DECISIONS} per check"
            ),
        ));
    }
    let snapshot = ctx.authorizer.snapshot(&actor.principal.account).await?;
    Ok(request
        .resource_urns
        .iter()
        .map(|urn| {
            let answer = decide(ctx, &snapshot, actor, urn, &request.actions);
            BatchResponse {
                resource_urn: urn.clone(),
                authorized_actions: answer.authorized_actions,
                unauthorized_actions: answer.unauthorized_actions,
            }
        })
        .collect())
}

fn decide(
    ctx: &ServiceContext,
    snapshot: &crate::service::snapshot::AccountSnapshot,
    actor: &Actor,
    resource_urn: &str,
    actions: &[String],
) -> CheckResponse {
    let decisions = snapshot.decide(
        &actor.principal.identities,
        resource_urn,
        actions,
        ctx.clock.now(),
        actor.ip,
    );
    let mut response = CheckResponse {
        authorized_actions: Vec::new(),
        unauthorized_actions: Vec::new(),
    };
    for (action, decision) in actions.iter().zip(decisions) {
        ctx.metrics.observe_decision(decision.allowed);
        let list = if decision.allowed {
            &mut response.authorized_actions
        } else {
            &mut response.unauthorized_actions
        };
        list.push(action.clone());
    }
    response
}

fn limit(count: usize, max: usize, field: &str) -> Result<()> {
    if count > max {
        return Err(ServiceError::invalid_code(
            "TOO_MANY_ITEMS",
            format!("field \"{field}\": at most {max} per check"),
        ));
    }
    Ok(())
}
