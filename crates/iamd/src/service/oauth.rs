//! The OAuth2 authorization server: the client credentials grant (RFC 6749 §4.4), token
//! introspection (RFC 7662) and revocation (RFC 7009), client authentication for all three
//! (RFC 6749 §2.3.1), and local verification of the access tokens it issues. Errors are the
//! RFC 6749 §5.2 codes; `http/error.rs` turns them into statuses.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SubsecRound, TimeZone, Utc};
use iam_core::AccountId;
use iam_core::urn::{Plate, Urn, UrnKind};
use iam_store::{OAuthClient, RevokedToken};
use serde::Serialize;

use crate::service::clients::{Flow, MAX_CLIENT_ID_LEN, plate_of};
use crate::service::context::ServiceContext;
use crate::service::error::ServiceError;
use crate::service::key_lifecycle::UNKNOWN_KID_RELOAD_INTERVAL;
use crate::service::principal::{Principal, PrincipalKind};
use crate::token::jwt::{self, AccessClaims, JwtError};
use crate::token::secret::random_bytes;
use crate::token::signing_key::Usage;

pub const GRANT_CLIENT_CREDENTIALS: &str = "client_credentials";
/// The only scope: everything the service account's policies allow (as on OVHcloud).
pub const SCOPE_ALL: &str = "all";
pub const TOKEN_TYPE: &str = "Bearer";

/// Compared with when the client id is unknown, so that an unknown client costs the same
/// HMAC as a known one and answers the same error (no client enumeration).
const DUMMY_SECRET_HASH: [u8; 32] = [0; 32];

/// How the client authenticated (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// `Authorization: Basic` (`client_secret_basic`).
    Basic,
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    Post,
}

/// Credentials as presented, already decoded. Deliberately not `Debug`.
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: String,
    pub method: AuthMethod,
}

/// RFC 6749 §5.2 errors (RFC 7009 and RFC 7662 reuse them).
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("{0}")]
    InvalidRequest(String),
    /// Unknown client, wrong secret, deleted client or no credentials: one answer for all.
    /// `basic` says whether the client tried `Authorization: Basic`.
    #[error("client authentication failed")]
    InvalidClient { basic: bool },
    #[error("{0}")]
    UnauthorizedClient(String),
    #[error("{0}")]
    UnsupportedGrantType(String),
    #[error("{0}")]
    InvalidScope(String),
    #[error(transparent)]
    Server(#[from] ServiceError),
}

impl OAuthError {
    /// The `error` code of the response body.
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_) => "invalid_request",
            OAuthError::InvalidClient { .. } => "invalid_client",
            OAuthError::UnauthorizedClient(_) => "unauthorized_client",
            OAuthError::UnsupportedGrantType(_) => "unsupported_grant_type",
            OAuthError::InvalidScope(_) => "invalid_scope",
            OAuthError::Server(ServiceError::Unavailable(_)) => "temporarily_unavailable",
            OAuthError::Server(_) => "server_error",
        }
    }
}

impl From<iam_store::StoreError> for OAuthError {
    fn from(e: iam_store::StoreError) -> Self {
        OAuthError::Server(e.into())
    }
}

type Result<T, E = OAuthError> = std::result::Result<T, E>;

/// RFC 6749 §5.1 successful response.
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub scope: String,
}

/// RFC 6749 §2.3.1: the client is known, its secret matches, and it was not deleted (the
/// revocation list says so on every node as soon as it hears the commit, whatever this node
/// has cached).
pub async fn authenticate_client(
    ctx: &ServiceContext,
    credentials: Option<ClientCredentials>,
) -> Result<Arc<OAuthClient>> {
    let credentials = credentials.ok_or(OAuthError::InvalidClient { basic: false })?;
    let refused = OAuthError::InvalidClient {
        basic: credentials.method == AuthMethod::Basic,
    };
    let client = find_client(ctx, &credentials.client_id).await?;
    let stored: &[u8] = client
        .as_ref()
        .map_or(&DUMMY_SECRET_HASH, |c| &c.secret_hash);
    let secret_matches = ctx.secrets.verify(&credentials.client_secret, stored);
    match client {
        Some(client) if secret_matches && !ctx.revocations.client_revoked(&client.client_id) => {
            Ok(client)
        }
        _ => {
            // The id is not a secret; it tells an operator which client is misconfigured.
            let client_id: String = credentials
                .client_id
                .chars()
                .take(MAX_CLIENT_ID_LEN)
                .collect();
            tracing::info!(%client_id, "OAuth2 client authentication failed");
            Err(refused)
        }
    }
}

/// The client of that id, from the cache or the store (which then fills the cache, with the
/// client or with its absence). An id too long to exist is not looked up at all.
async fn find_client(ctx: &ServiceContext, client_id: &str) -> Result<Option<Arc<OAuthClient>>> {
    if client_id.len() > MAX_CLIENT_ID_LEN {
        return Ok(None);
    }
    if let Some(cached) = ctx.client_cache.get(client_id) {
        return Ok(cached);
    }
    let client = ctx.store.find_client(client_id).await?.map(Arc::new);
    ctx.client_cache.put(client_id, client.clone());
    Ok(client)
}

/// RFC 6749 §3.3: `scope` is optional here and means `all`; `all` is the only scope.
fn granted_scope(requested: Option<&str>) -> Result<String> {
    match requested {
        None => Ok(SCOPE_ALL.to_owned()),
        Some(scope) if scope.split(' ').all(|s| s == SCOPE_ALL) => Ok(SCOPE_ALL.to_owned()),
        Some(scope) => Err(OAuthError::InvalidScope(format!(
            "unknown scope {:?}: the only scope is \"all\"",
            scope.chars().take(64).collect::<String>()
        ))),
    }
}

/// RFC 6749 §4.4.2–§4.4.3: a `client_credentials` token request.
pub async fn token(
    ctx: &ServiceContext,
    credentials: Option<ClientCredentials>,
    grant_type: Option<&str>,
    scope: Option<&str>,
    now: DateTime<Utc>,
) -> Result<TokenResponse> {
    let grant_type =
        grant_type.ok_or_else(|| OAuthError::InvalidRequest("grant_type is required".into()))?;
    if grant_type != GRANT_CLIENT_CREDENTIALS {
        return Err(OAuthError::UnsupportedGrantType(format!(
            "grant_type {:?} is not supported: use client_credentials",
            grant_type.chars().take(64).collect::<String>()
        )));
    }
    let client = authenticate_client(ctx, credentials).await?;
    if client.flow != Flow::ClientCredentials {
        return Err(OAuthError::UnauthorizedClient(format!(
            "this client's flow is {}: it may not use the client_credentials grant",
            client.flow.as_str()
        )));
    }
    let scope = granted_scope(scope)?;
    let response = issue(ctx, &client, scope, now).await?;
    ctx.metrics.observe_token_issued(GRANT_CLIENT_CREDENTIALS);
    Ok(response)
}

/// Signs an access token for `client` with the active access-token key.
async fn issue(
    ctx: &ServiceContext,
    client: &OAuthClient,
    scope: String,
    now: DateTime<Utc>,
) -> Result<TokenResponse> {
    let plate = client_plate(ctx, client).await?;
    let ttl = ctx.settings.access_token_ttl.as_secs();
    let jti: [u8; 16] = random_bytes().map_err(ServiceError::from)?;
    let claims = AccessClaims {
        iss: ctx.settings.public_url.clone(),
        sub: Urn::credential(plate, &client.account, &client.client_id).to_string(),
        account: client.account.clone(),
        client_id: client.client_id.clone(),
        scope: scope.clone(),
        iat: now.timestamp(),
        exp: now.timestamp() + ttl as i64,
        nbf: None,
        jti: URL_SAFE_NO_PAD.encode(jti),
    };
    let access_token = jwt::sign(&ctx.keys, Usage::AccessToken, &claims)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(TokenResponse {
        access_token,
        token_type: TOKEN_TYPE,
        expires_in: ttl,
        scope,
    })
}

/// The plate is in the client id (`EU.…`); the account is asked only if it is not.
pub async fn client_plate(ctx: &ServiceContext, client: &OAuthClient) -> Result<Plate> {
    if let Some(plate) = plate_of(&client.client_id) {
        return Ok(plate);
    }
    let account = ctx.store.get_account(&client.account).await?;
    Plate::parse(&account.plate)
        .ok_or_else(|| OAuthError::Server(ServiceError::Internal("stored plate".into())))
}

/// Verifies an access token without the store: signature by `kid` (an unknown `kid` reloads
/// the key ring, at most once per `UNKNOWN_KID_RELOAD_INTERVAL`), issuer, expiry, and the
/// revocation list (its own `jti`, and its client's deletion).
pub async fn verify_access_token(
    ctx: &ServiceContext,
    token: &str,
    now: DateTime<Utc>,
) -> Result<AccessClaims, JwtError> {
    let key = match jwt::key_of(&ctx.keys, token) {
        Err(JwtError::UnknownKid) if ctx.keys.reload_due(UNKNOWN_KID_RELOAD_INTERVAL) => {
            if let Err(e) = ctx.keys.reload(&*ctx.store, now).await {
                tracing::warn!(error = %e, "could not reload signing keys for an unknown kid");
            }
            jwt::key_of(&ctx.keys, token)?
        }
        other => other?,
    };
    let claims = jwt::verify_with(&key, token, &ctx.settings.public_url, now)?;
    if ctx.revocations.is_revoked(&claims.jti, &claims.client_id) {
        return Err(JwtError::Revoked);
    }
    Ok(claims)
}

/// The principal a verified access token acts as: its service account's credential URN.
pub fn principal_of(claims: &AccessClaims) -> Option<Principal> {
    let urn = Urn::parse(&claims.sub).ok()?;
    match &urn.kind {
        UrnKind::Credential { nic, client_id }
            if *nic == claims.account && *client_id == claims.client_id =>
        {
            Some(Principal {
                account: AccountId::parse(&claims.account).ok()?,
                plate: urn.plate,
                identities: vec![claims.sub.clone()],
                kind: PrincipalKind::ServiceAccount {
                    client_id: client_id.clone(),
                },
            })
        }
        _ => None,
    }
}

/// RFC 7662 §2.2 response: `{"active": false}` alone, or the token's facts.
#[derive(Debug, Serialize)]
pub struct Introspection {
    pub active: bool,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub token: Option<ActiveToken>,
}

#[derive(Debug, Serialize)]
pub struct ActiveToken {
    pub scope: String,
    pub client_id: String,
    pub token_type: &'static str,
    pub exp: i64,
    pub iat: i64,
    pub sub: String,
    pub iss: String,
    pub jti: String,
    pub account: String,
}

/// RFC 7662 §2.1: a resource server (any client of the account) asks about a token. Tokens
/// of another account are as inactive as forged ones: nothing leaks across accounts.
pub async fn introspect(
    ctx: &ServiceContext,
    credentials: Option<ClientCredentials>,
    token: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Introspection> {
    let caller = authenticate_client(ctx, credentials).await?;
    let token = token.ok_or_else(|| OAuthError::InvalidRequest("token is required".into()))?;
    let claims = match verify_access_token(ctx, token, now).await {
        Ok(claims) if claims.account == caller.account => claims,
        _ => {
            return Ok(Introspection {
                active: false,
                token: None,
            });
        }
    };
    let token = ActiveToken {
        scope: claims.scope,
        client_id: claims.client_id,
        token_type: TOKEN_TYPE,
        exp: claims.exp,
        iat: claims.iat,
        sub: claims.sub,
        iss: claims.iss,
        jti: claims.jti,
        account: claims.account,
    };
    Ok(Introspection {
        active: true,
        token: Some(token),
    })
}

/// RFC 7009 §2.1: a client revokes one of its own access tokens. Invalid, expired or already
/// revoked tokens are not an error (§2.2); a valid token issued to another client is refused
/// (§2.1: the server verifies the token was issued to the client asking).
pub async fn revoke(
    ctx: &ServiceContext,
    credentials: Option<ClientCredentials>,
    token: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let caller = authenticate_client(ctx, credentials).await?;
    let token = token.ok_or_else(|| OAuthError::InvalidRequest("token is required".into()))?;
    let Ok(claims) = verify_access_token(ctx, token, now).await else {
        return Ok(());
    };
    if claims.client_id != caller.client_id {
        return Err(OAuthError::UnauthorizedClient(
            "this token was not issued to the authenticated client".into(),
        ));
    }
    let expires_at = Utc
        .timestamp_opt(claims.exp, 0)
        .single()
        .unwrap_or(now)
        .trunc_subsecs(6);
    let revoked = RevokedToken {
        jti: claims.jti,
        account: claims.account,
        expires_at,
    };
    ctx.store.revoke_token(&revoked).await?;
    ctx.revocations.insert(&revoked.jti, revoked.expires_at);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_all_is_the_default_and_the_only_scope() {
        assert_eq!(granted_scope(None).unwrap(), "all");
        assert_eq!(granted_scope(Some("all")).unwrap(), "all");
        assert_eq!(granted_scope(Some("all all")).unwrap(), "all");
        assert!(matches!(
            granted_scope(Some("read")),
            Err(OAuthError::InvalidScope(_))
        ));
        assert!(matches!(
            granted_scope(Some("all read")),
            Err(OAuthError::InvalidScope(_))
        ));
    }

    #[test]
    fn principals_come_only_from_consistent_claims() {
        let claims = AccessClaims {
            iss: "i".into(),
            sub: "urn:v1:ca:identity:credential:xx1111-ovh/oauth2-CA.0123456789abcdef".into(),
            account: "xx1111-ovh".into(),
            client_id: "CA.0123456789abcdef".into(),
            scope: "all".into(),
            iat: 0,
            exp: 1,
            nbf: None,
            jti: "j".into(),
        };
        let principal = principal_of(&claims).unwrap();
        assert_eq!(principal.plate, Plate::Ca);
        assert_eq!(principal.identities, vec![claims.sub.clone()]);
        assert_eq!(
            principal.kind,
            PrincipalKind::ServiceAccount {
                client_id: claims.client_id.clone()
            }
        );
        let other_account = AccessClaims {
            account: "yy2222-ovh".into(),
            ..claims.clone()
        };
        assert!(principal_of(&other_account).is_none());
        let other_client = AccessClaims {
            client_id: "CA.ffffffffffffffff".into(),
            ..claims.clone()
        };
        assert!(principal_of(&other_client).is_none());
        let user = AccessClaims {
            sub: "urn:v1:eu:identity:user:xx1111-ovh/bob".into(),
            ..claims
        };
        assert!(principal_of(&user).is_none());
    }

    #[test]
    fn error_codes_are_the_rfc_ones() {
        assert_eq!(
            OAuthError::InvalidClient { basic: true }.code(),
            "invalid_client"
        );
        assert_eq!(
            OAuthError::Server(ServiceError::Unavailable("x".into())).code(),
            "temporarily_unavailable"
        );
        assert_eq!(
            OAuthError::Server(ServiceError::Internal("x".into())).code(),
            "server_error"
        );
    }
}
