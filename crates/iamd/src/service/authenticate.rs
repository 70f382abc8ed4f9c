//! Authentication of API calls: a bearer token becomes a `Principal`, or a 401.
//! Personal access tokens (and the root token) are opaque secrets looked up by keyed hash,
//! and held in memory once resolved (`service::principal_cache`); OAuth2 access tokens are
//! JWTs verified locally, without the store (`service::oauth`).

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use iam_core::urn::{Plate, Urn};
use iam_store::{Account, User, UserStatus};

use crate::service::context::ServiceContext;
use crate::service::error::{Result, ServiceError};
use crate::service::oauth;
use crate::service::principal::{Principal, PrincipalKind, stored_account};
use crate::service::principal_cache::ResolvedToken;
use crate::token::jwt;

/// `lastUsed` is written at most this often per token, so reads stay reads.
const LAST_USED_GRANULARITY: Duration = Duration::seconds(60);

fn unauthenticated() -> ServiceError {
    ServiceError::Unauthenticated("invalid or expired credentials".to_owned())
}

/// Resolves the value of an `Authorization` header.
pub async fn authorization_header(
    ctx: &ServiceContext,
    header: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Principal> {
    let header = header.ok_or_else(|| {
        ServiceError::Unauthenticated(
            "this call requires authentication: send Authorization: Bearer <token>".into(),
        )
    })?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ServiceError::Unauthenticated("expected Authorization: Bearer <token>".into())
        })?;
    if jwt::looks_like_jwt(token) {
        return access_token(ctx, token, now).await;
    }
    personal_access_token(ctx, token, now).await
}

/// An OAuth2 access token: a service account acting as its credential URN.
async fn access_token(ctx: &ServiceContext, token: &str, now: DateTime<Utc>) -> Result<Principal> {
    let claims = oauth::verify_access_token(ctx, token, now)
        .await
        .map_err(|_| unauthenticated())?;
    oauth::principal_of(&claims).ok_or_else(unauthenticated)
}

/// A personal access token of a user, or the root token of an account. Resolved from the
/// store once, then held (`principal_cache.rs`) until a write changes who it acts as; its
/// expiry is checked on every call.
async fn personal_access_token(
    ctx: &ServiceContext,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Principal> {
    let hash = ctx.secrets.hash(token);
    let resolved = match ctx.principals.get(&hash) {
        Some(resolved) => resolved,
        None => {
            let ticket = ctx.principals.ticket();
            let resolved = Arc::new(resolve(ctx, &hash).await?);
            ctx.principals.put(hash, resolved.clone(), ticket);
            resolved
        }
    };
    if resolved.expires_at.is_some_and(|at| at <= now) {
        return Err(unauthenticated());
    }
    touch(ctx, &resolved, now).await;
    Ok(resolved.principal.clone())
}

/// Who the token whose keyed hash is `hash` acts as, from the store.
async fn resolve(ctx: &ServiceContext, hash: &[u8]) -> Result<ResolvedToken> {
    let record = ctx
        .store
        .find_token_by_hash(hash)
        .await?
        .ok_or_else(unauthenticated)?;
    let principal = account_principal(ctx, &record.account, record.user.as_deref()).await?;
    Ok(ResolvedToken::new(
        principal,
        record.id,
        record.expires_at,
        record.last_used,
    ))
}

/// The root of account `nic` (no `login`) or one of its users, as the store holds them now:
/// a missing account, or a missing or disabled user, is nobody.
pub async fn account_principal(
    ctx: &ServiceContext,
    nic: &str,
    login: Option<&str>,
) -> Result<Principal> {
    Ok(session_holder(ctx, nic, login).await?.0)
}

/// As `account_principal`, with what a console session of that holder is bound to
/// (`user_binding`, `root_binding`): a session whose binding differs is someone else's.
pub async fn session_holder(
    ctx: &ServiceContext,
    nic: &str,
    login: Option<&str>,
) -> Result<(Principal, String)> {
    let account = ctx
        .store
        .get_account(nic)
        .await
        .map_err(|_| unauthenticated())?;
    let plate = Plate::parse(&account.plate)
        .ok_or_else(|| ServiceError::Internal("stored plate".into()))?;
    match login {
        None => Ok((
            Principal::root(plate, &stored_account(&account.nic)?),
            root_binding(ctx, &account),
        )),
        Some(login) => {
            let user = active_user(ctx, &account.nic, login).await?;
            Ok((principal_of_user(plate, &user)?, user_binding(&user)))
        }
    }
}

/// A user's console sessions are bound to its immutable id: deleting `alice` and creating
/// another `alice` does not revive the first one's sessions.
pub fn user_binding(user: &User) -> String {
    format!("user:{}", user.id)
}

/// The root's console sessions are bound to its current password (a keyed hash of the
/// stored hash, whose salt is new with every password): rotating the root's credentials
/// ends every session opened before.
pub fn root_binding(ctx: &ServiceContext, account: &Account) -> String {
    let mac = ctx
        .secrets
        .hash(&format!("console-root:{}", account.root_password_hash));
    format!("root:{}", URL_SAFE_NO_PAD.encode(&mac[..16]))
}

/// A user of `account`, unless disabled (a disabled user is nobody).
async fn active_user(ctx: &ServiceContext, account: &str, login: &str) -> Result<User> {
    let user = ctx
        .store
        .get_user(account, login)
        .await
        .map_err(|_| unauthenticated())?;
    if user.status == UserStatus::Disabled {
        return Err(unauthenticated());
    }
    Ok(user)
}

/// Who `user` acts as: itself and its group.
pub fn principal_of_user(plate: Plate, user: &User) -> Result<Principal> {
    Ok(Principal {
        account: stored_account(&user.account)?,
        plate,
        identities: vec![
            Urn::user(plate, &user.account, &user.login).to_string(),
            Urn::group(plate, &user.account, &user.group).to_string(),
        ],
        kind: PrincipalKind::User {
            login: user.login.clone(),
            group: user.group.clone(),
        },
    })
}

async fn touch(ctx: &ServiceContext, token: &ResolvedToken, now: DateTime<Utc>) {
    if !token.claim_use(now, LAST_USED_GRANULARITY) {
        return;
    }
    // A failed bookkeeping write must not fail the call it describes.
    if let Err(e) = ctx.store.touch_token(token.token_id, now).await {
        tracing::warn!(error = %e, "could not record token use");
    }
}
