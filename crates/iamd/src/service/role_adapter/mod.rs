//! The OpenStack role adapter (DESIGN.md §1, §5; seed `003`): an OpenID provider per resource
//! type URN (`/role-adapter/urn:v1:eu:resource:publicCloudProject:pci`) whose token endpoint
//! takes a service account's client credentials (RFC 6749 §4.4, as keystoneauth1's
//! `v3oidcclientcredentials` sends them) and answers an id_token holding the OpenStack roles
//! the account's policies grant the caller on its Public Cloud projects. Keystone, behind
//! Apache mod_auth_openidc, trusts that id_token through its federation mapping.
//!
//! Client authentication and its errors are the OAuth2 server's (`service::oauth`); the roles
//! come from `roles`, the scopes from `scope`. No HTTP types here.

pub mod roles;
pub mod scope;

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use iam_core::openstack::RESOURCE_TYPE;
use iam_core::urn::{Plate, Urn, UrnKind};
use iam_store::OAuthClient;
use serde::Serialize;
use serde_json::json;

use crate::service::clients::Flow;
use crate::service::context::ServiceContext;
use crate::service::error::ServiceError;
use crate::service::oauth::{self, ClientCredentials, GRANT_CLIENT_CREDENTIALS, OAuthError};
use crate::service::role_adapter::roles::ProjectRoles;
use crate::service::role_adapter::scope::{Projects, Scope};
use crate::token::id_token::{self, IdTokenClaims};
use crate::token::secret::random_bytes;

/// Where role adapters live, under the public URL.
pub const PATH_PREFIX: &str = "/role-adapter/";
/// The grant label of issued id_tokens in the metrics.
pub const METRICS_GRANT: &str = "openstack_id_token";

/// A role adapter: the resource type URN it is named by, and its plate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adapter {
    pub urn: String,
    pub plate: Plate,
}

impl Adapter {
    /// Only `publicCloudProject` has OpenStack rights: any other type has no adapter (404).
    pub fn parse(urn: &str) -> Result<Adapter, ServiceError> {
        let not_found = || {
            ServiceError::NotFound(format!(
                "role adapter {:?} (role adapters are named by a {RESOURCE_TYPE} URN, such as urn:v1:eu:resource:{RESOURCE_TYPE}:pci)",
                urn.chars().take(120).collect::<String>()
            ))
        };
        let parsed = Urn::parse(urn).map_err(|_| not_found())?;
        match &parsed.kind {
            UrnKind::Resource { resource_type, .. } if resource_type == RESOURCE_TYPE => {
                Ok(Adapter {
                    urn: parsed.to_string(),
                    plate: parsed.plate,
                })
            }
            _ => Err(not_found()),
        }
    }

    /// The issuer: the discovery URL without `/.well-known/openid-configuration` (OIDC
    /// Discovery §4.3), which Keystone's identity provider lists as its remote id.
    pub fn issuer(&self, public_url: &str) -> String {
        format!("{public_url}{PATH_PREFIX}{}", self.urn)
    }
}

/// RFC 6749 §5.1 with OIDC Core §3.1.3.3's `id_token`. keystoneauth1 reads only the member
/// `OS_ACCESS_TOKEN_TYPE` names; `access_token` is the same JWT so that forgetting to set
/// it to `id_token` still works (iamd's own API refuses it: it is not signed by an
/// access-token key).
#[derive(Debug, Serialize)]
pub struct IdTokenResponse {
    pub access_token: String,
    pub id_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub scope: String,
}

/// A token request to the role adapter, as read off the wire.
pub struct TokenRequest<'a> {
    pub credentials: Option<ClientCredentials>,
    pub grant_type: Option<&'a str>,
    pub scope: Option<&'a str>,
    pub ip: Option<IpAddr>,
}

/// RFC 6749 §4.4.2–§4.4.3: the client credentials grant, answered with an id_token.
pub async fn token(
    ctx: &ServiceContext,
    adapter: &Adapter,
    request: TokenRequest<'_>,
    now: DateTime<Utc>,
) -> Result<IdTokenResponse, OAuthError> {
    check_grant_type(request.grant_type)?;
    let client = oauth::authenticate_client(ctx, request.credentials).await?;
    if client.flow != Flow::ClientCredentials {
        return Err(OAuthError::UnauthorizedClient(format!(
            "this client's flow is {}: it may not use the client_credentials grant",
            client.flow.as_str()
        )));
    }
    let plate = oauth::client_plate(ctx, &client).await?;
    if plate != adapter.plate {
        return Err(OAuthError::UnauthorizedClient(format!(
            "this service account lives on plate {plate}: use the role adapter of urn:v1:{plate}:resource:{RESOURCE_TYPE}:…"
        )));
    }
    let scope = scope::parse(request.scope)?;
    // A service account acts as its credential URN alone (DESIGN.md §3).
    let identity = Urn::credential(plate, &client.account, &client.client_id).to_string();
    let snapshot = ctx.authorizer.snapshot(&client.account).await?;
    if let Projects::Named(ids) = &scope.projects {
        let outside = roles::outside_account(&snapshot, plate, ids);
        if !outside.is_empty() {
            return Err(not_in_account(&outside, &client.account));
        }
    }
    let projects = roles::compute(
        &snapshot,
        plate,
        std::slice::from_ref(&identity),
        &scope.projects,
        now,
        request.ip,
    );
    if projects.is_empty() {
        return Err(no_rights(&scope, &identity));
    }
    let response = issue(ctx, adapter, &client, identity, &scope, &projects, now)?;
    ctx.metrics.observe_token_issued(METRICS_GRANT);
    Ok(response)
}

fn check_grant_type(grant_type: Option<&str>) -> Result<(), OAuthError> {
    match grant_type {
        None => Err(OAuthError::InvalidRequest("grant_type is required".into())),
        Some(GRANT_CLIENT_CREDENTIALS) => Ok(()),
        Some(other) => Err(OAuthError::UnsupportedGrantType(format!(
            "grant_type {:?} is not supported: use client_credentials",
            other.chars().take(64).collect::<String>()
        ))),
    }
}

/// RFC 6749 §5.2 `invalid_scope`: the scope exceeds what the policies grant. An empty token
/// would log in to Keystone with no role at all, which helps nobody find the missing policy.
fn no_rights(scope: &Scope, identity: &str) -> OAuthError {
    let which = match &scope.projects {
        Projects::All => format!("any {RESOURCE_TYPE}"),
        Projects::Named(ids) => format!(
            "{RESOURCE_TYPE} {}",
            ids.iter().cloned().collect::<Vec<_>>().join(", ")
        ),
    };
    OAuthError::InvalidScope(format!(
        "{identity} has no OpenStack right (publicCloudProject:openstack:* or publicCloudProject:ai:*) on {which}: grant one with an IAM policy on urn:v1:<plate>:resource:{RESOURCE_TYPE}:<projectId>"
    ))
}

/// RFC 6749 §5.2 `invalid_scope`: a named project is not registered in the caller's
/// account, and a token never speaks for another account's project (DESIGN.md §4 rule 7).
fn not_in_account(ids: &[&str], account: &str) -> OAuthError {
    OAuthError::InvalidScope(format!(
        "{RESOURCE_TYPE} {} is not registered in account {account}: a token only speaks for the account's own projects",
        ids.join(", ")
    ))
}

/// Builds and signs the id_token (OIDC Core §2) of `projects`.
fn issue(
    ctx: &ServiceContext,
    adapter: &Adapter,
    client: &OAuthClient,
    identity: String,
    scope: &Scope,
    projects: &[ProjectRoles],
    now: DateTime<Utc>,
) -> Result<IdTokenResponse, OAuthError> {
    let ttl = ctx.settings.access_token_ttl.as_secs();
    let jti: [u8; 16] = random_bytes().map_err(ServiceError::from)?;
    let single = match projects {
        [only] => Some(only),
        _ => None,
    };
    let claims = IdTokenClaims {
        iss: adapter.issuer(&ctx.settings.public_url),
        sub: identity,
        aud: client.client_id.clone(),
        azp: client.client_id.clone(),
        iat: now.timestamp(),
        nbf: now.timestamp(),
        exp: now.timestamp() + ttl as i64,
        jti: URL_SAFE_NO_PAD.encode(jti),
        preferred_username: client.name.clone(),
        account: client.account.clone(),
        roles: single.map(|p| p.roles.iter().map(|r| r.to_string()).collect()),
        openstack_project: single.map(|p| p.project_id.clone()),
        project_roles: project_roles(projects),
        projects_json: projects_json(projects),
    };
    let id_token =
        id_token::sign(&ctx.keys, &claims).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(IdTokenResponse {
        access_token: id_token.clone(),
        id_token,
        token_type: oauth::TOKEN_TYPE,
        expires_in: ttl,
        scope: scope.granted.clone(),
    })
}

/// `<projectId>/<role>` for every role of every project.
pub fn project_roles(projects: &[ProjectRoles]) -> Vec<String> {
    projects
        .iter()
        .flat_map(|p| p.roles.iter().map(|r| format!("{}/{r}", p.project_id)))
        .collect()
}

/// Keystone mapping schema 3.0's `projects_json` value, as a JSON string.
pub fn projects_json(projects: &[ProjectRoles]) -> String {
    let list: Vec<_> = projects
        .iter()
        .map(|p| {
            let roles: Vec<_> = p.roles.iter().map(|r| json!({"name": r})).collect();
            json!({"name": p.project_id, "roles": roles})
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn adapters_are_public_cloud_project_urns() {
        let adapter = Adapter::parse("urn:v1:ca:resource:publicCloudProject:pci").unwrap();
        assert_eq!(adapter.plate, Plate::Ca);
        assert_eq!(
            adapter.issuer("https://iam.example"),
            "https://iam.example/role-adapter/urn:v1:ca:resource:publicCloudProject:pci"
        );
        for urn in [
            "urn:v1:eu:resource:vps:pci",
            "urn:v1:eu:identity:account:xx1111-ovh",
            "publicCloudProject",
            "urn:v1:mars:resource:publicCloudProject:pci",
        ] {
            assert!(
                matches!(Adapter::parse(urn), Err(ServiceError::NotFound(_))),
                "{urn}"
            );
        }
    }

    #[test]
    fn role_claims_per_project() {
        let projects = [
            ProjectRoles {
                project_id: "p1".into(),
                roles: BTreeSet::from(["image_read", "compute_read"]),
            },
            ProjectRoles {
                project_id: "p2".into(),
                roles: BTreeSet::from(["objectstore_all"]),
            },
        ];
        assert_eq!(
            project_roles(&projects),
            ["p1/compute_read", "p1/image_read", "p2/objectstore_all"]
        );
        let parsed: serde_json::Value = serde_json::from_str(&projects_json(&projects)).unwrap();
        assert_eq!(
            parsed,
            json!([
                {"name": "p1", "roles": [{"name": "compute_read"}, {"name": "image_read"}]},
                {"name": "p2", "roles": [{"name": "objectstore_all"}]}
            ])
        );
    }
}
