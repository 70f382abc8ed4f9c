//! `/auth/details`: who the caller is, in the shape Terraform decodes at start-up
//! (`{account, allowedRoutes, description, identities, method, roles, user}`). The reference
//! names no IAM action for it, so any authenticated caller may read its own details.

use serde::Serialize;

use crate::service::context::ServiceContext;
use crate::service::error::Result;
use crate::service::principal::{Actor, PrincipalKind};

/// A route the credential may call. iamd's credentials are not restricted by route (IAM
/// policies decide), so every method is allowed on `/*`.
#[derive(Debug, Clone, Serialize)]
pub struct AllowedRoute {
    pub method: &'static str,
    pub path: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthDetails {
    pub account: String,
    pub allowed_routes: Vec<AllowedRoute>,
    /// Free text about the credential; iamd has none to give.
    pub description: String,
    /// Every identity URN the caller acts as, its own first.
    pub identities: Vec<String>,
    /// `account` (the root), `user` or `oauth2_client_credentials` (a service account).
    pub method: &'static str,
    /// The role the caller holds on the account: `ADMIN` for the root, its group's role for a
    /// user, none for a service account (its rights come from policies only).
    pub roles: Vec<String>,
    /// The user's login; empty for the root and for service accounts.
    pub user: String,
}

const ALL_ROUTES: [AllowedRoute; 4] = [
    AllowedRoute {
        method: "GET",
        path: "/*",
    },
    AllowedRoute {
        method: "POST",
        path: "/*",
    },
    AllowedRoute {
        method: "PUT",
        path: "/*",
    },
    AllowedRoute {
        method: "DELETE",
        path: "/*",
    },
];

pub async fn details(ctx: &ServiceContext, actor: &Actor) -> Result<AuthDetails> {
    let principal = &actor.principal;
    let (method, roles, user) = match &principal.kind {
        PrincipalKind::Root => ("account", vec!["ADMIN".to_owned()], String::new()),
        PrincipalKind::User { login, group } => {
            let group = ctx.store.get_group(&principal.account, group).await?;
            ("user", vec![group.role.as_str().to_owned()], login.clone())
        }
        PrincipalKind::ServiceAccount { .. } => {
            ("oauth2_client_credentials", Vec::new(), String::new())
        }
    };
    Ok(AuthDetails {
        account: principal.account.to_string(),
        allowed_routes: ALL_ROUTES.to_vec(),
        description: String::new(),
        identities: principal.identities.clone(),
        method,
        roles,
        user,
    })
}
