//! Personal access tokens of users (`/me/identity/user/{user}/token`): bearer secrets that act
//! as their user (its URN and its group's). The value is shown once, at creation; only its
//! keyed hash is kept (DESIGN.md §5). Expiry and `lastUsed` are enforced and recorded by
//! `authenticate`; this module owns the rules for creating and editing them. An edit or a
//! deletion takes effect on the token's next call: it invalidates the account's principals.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use iam_core::urn::Urn;
use iam_store::{AccessTokenRecord, StoreError, Write};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::service::context::ServiceContext;
use crate::service::error::{Result, ServiceError};
use crate::service::principal::Actor;
use crate::service::users::{self, nullable};
use crate::token::secret;

pub const ACTION_GET: &str = "account:apiovh:me/identity/user/token/get";
pub const ACTION_CREATE: &str = "account:apiovh:me/identity/user/token/create";
pub const ACTION_EDIT: &str = "account:apiovh:me/identity/user/token/edit";
pub const ACTION_DELETE: &str = "account:apiovh:me/identity/user/token/delete";

/// Longest token name, in bytes.
pub const MAX_NAME_LEN: usize = 64;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_LEN: usize = 1024;
/// How many tokens one user may hold.
pub const MAX_TOKENS_PER_USER: usize = 100;
/// The farthest expiry accepted: 100 years (of 365.25 days), in seconds.
pub const MAX_LIFETIME_SECS: i64 = 3_155_760_000;

/// `auth.PersonalAccessToken`: what can be read back (never the value).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    pub name: String,
    pub description: String,
    pub creation: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used: Option<DateTime<Utc>>,
}

/// `auth.PersonalAccessTokenResponse`: the only time the value is shown. Not `Debug`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedToken {
    pub name: String,
    pub description: String,
    pub token: String,
    pub creation: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used: Option<DateTime<Utc>>,
}

/// `auth.PersonalAccessTokenRequest`: `expiresAt` or `expiresIn`, not both; neither means
/// the token never expires.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateToken {
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub expires_in: Option<i64>,
}

/// `auth.PersonalAccessTokenModifyRequest`. An absent field keeps its value; sending
/// `expiresAt` and/or `expiresIn` sets the expiry anew (both `null`: never expires).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EditToken {
    /// Sent back as GET answered it; a token cannot be renamed.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub expires_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "nullable")]
    pub expires_in: Option<Option<i64>>,
}

/// Token names appear in URL paths: 1 to 64 letters, digits and `._@+-`, not only dots.
pub fn validate_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._@+-".contains(&b))
        && !name.bytes().all(|b| b == b'.');
    if ok {
        return Ok(());
    }
    Err(ServiceError::invalid_code(
        "INVALID_NAME",
        format!(
            "token name {:?} is malformed: expected 1 to {MAX_NAME_LEN} letters, digits or ._@+- characters, not only dots",
            name.chars().take(100).collect::<String>()
        ),
    ))
}

fn validate_description(description: &str) -> Result<()> {
    if description.chars().count() > MAX_DESCRIPTION_LEN {
        return Err(ServiceError::invalid(format!(
            "description is longer than {MAX_DESCRIPTION_LEN} characters"
        )));
    }
    Ok(())
}

fn bad_expiry(message: impl Into<String>) -> ServiceError {
    ServiceError::invalid_code("INVALID_EXPIRATION", message)
}

/// The expiry that `expiresAt` / `expiresIn` ask for: in the future, at most
/// [`MAX_LIFETIME_SECS`] away, and not both at once.
pub fn expiry(
    at: Option<DateTime<Utc>>,
    after: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let latest = now + Duration::seconds(MAX_LIFETIME_SECS);
    let at = match (at, after) {
        (Some(_), Some(_)) => return Err(bad_expiry("give expiresAt or expiresIn, not both")),
        (None, None) => return Ok(None),
        (Some(at), None) => at,
        (None, Some(secs)) if (1..=MAX_LIFETIME_SECS).contains(&secs) => {
            now + Duration::seconds(secs)
        }
        (None, Some(_)) => {
            return Err(bad_expiry(format!(
                "expiresIn must be 1 to {MAX_LIFETIME_SECS} seconds"
            )));
        }
    };
    if at <= now {
        return Err(bad_expiry("expiresAt must be in the future"));
    }
    if at > latest {
        return Err(bad_expiry("expiresAt must be at most 100 years away"));
    }
    Ok(Some(at.trunc_subsecs(6)))
}

fn view(record: AccessTokenRecord) -> TokenView {
    TokenView {
        name: record.name,
        description: record.description,
        creation: record.created_at,
        expires_at: record.expires_at,
        last_used: record.last_used,
    }
}

/// The target of a token's audit line: its user.
fn user_urn(actor: &Actor, login: &str) -> String {
    Urn::user(actor.principal.plate, &actor.principal.account, login).to_string()
}

fn not_found(login: &str, name: &str) -> impl FnOnce(StoreError) -> ServiceError {
    let what = format!("token {name} of user {login}");
    move |e| match e {
        StoreError::NotFound(_) => ServiceError::NotFound(what),
        other => other.into(),
    }
}

pub async fn list(ctx: &ServiceContext, actor: &Actor, login: &str) -> Result<Vec<String>> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    users::fetch(ctx, actor, login).await?;
    // Always with a login: `None` would name the root's own tokens.
    let tokens = ctx
        .store
        .list_tokens(&actor.principal.account, Some(login))
        .await?;
    Ok(tokens.into_iter().map(|t| t.name).collect())
}

/// The user's tokens with their details, oldest first (the console's table). Never values.
pub async fn list_views(
    ctx: &ServiceContext,
    actor: &Actor,
    login: &str,
) -> Result<Vec<TokenView>> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    users::fetch(ctx, actor, login).await?;
    let mut tokens = ctx
        .store
        .list_tokens(&actor.principal.account, Some(login))
        .await?;
    tokens.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.name.cmp(&b.name)));
    Ok(tokens.into_iter().map(view).collect())
}

pub async fn get(
    ctx: &ServiceContext,
    actor: &Actor,
    login: &str,
    name: &str,
) -> Result<TokenView> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let record = ctx
        .store
        .get_token(&actor.principal.account, Some(login), name)
        .await
        .map_err(not_found(login, name))?;
    Ok(view(record))
}

pub async fn create(
    ctx: &ServiceContext,
    actor: &Actor,
    login: &str,
    input: CreateToken,
) -> Result<CreatedToken> {
    let permit = ctx.permit(actor, ACTION_CREATE).await?;
    validate_name(&input.name)?;
    validate_description(&input.description)?;
    let now = ctx.clock.now_micros();
    let expires_at = expiry(input.expires_at, input.expires_in, now)?;
    let account = &actor.principal.account;
    users::fetch(ctx, actor, login).await?;
    if ctx.store.list_tokens(account, Some(login)).await?.len() >= MAX_TOKENS_PER_USER {
        let message =
            format!("user {login} already has {MAX_TOKENS_PER_USER} tokens: delete one first");
        return Err(ServiceError::invalid_code("TOO_MANY_TOKENS", message));
    }
    let token = secret::generate()?;
    let record = AccessTokenRecord {
        id: Uuid::new_v4(),
        account: account.to_string(),
        user: Some(login.to_owned()),
        name: input.name,
        description: input.description,
        token_hash: ctx.secrets.hash(&token),
        created_at: now,
        expires_at,
        last_used: None,
    };
    let details = json!({"token": record.name, "expiresAt": record.expires_at});
    permit
        .commit(
            Write::CreateToken(&record),
            &user_urn(actor, login),
            details,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => ServiceError::Conflict(format!(
                "user {login} already has a token named {}",
                record.name
            )),
            StoreError::NotFound(_) => ServiceError::NotFound(format!("user {login}")),
            other => other.into(),
        })?;
    let TokenView {
        name,
        description,
        creation,
        expires_at,
        last_used,
    } = view(record);
    Ok(CreatedToken {
        name,
        description,
        token,
        creation,
        expires_at,
        last_used,
    })
}

pub async fn edit(
    ctx: &ServiceContext,
    actor: &Actor,
    login: &str,
    name: &str,
    input: EditToken,
) -> Result<TokenView> {
    let permit = ctx.permit(actor, ACTION_EDIT).await?;
    if let Some(description) = &input.description {
        validate_description(description)?;
    }
    if input.name.as_deref().is_some_and(|n| n != name) {
        return Err(ServiceError::invalid(
            "name is read-only: a token cannot be renamed",
        ));
    }
    let account = &actor.principal.account;
    let mut record = ctx
        .store
        .get_token(account, Some(login), name)
        .await
        .map_err(not_found(login, name))?;
    if input.expires_at.is_some() || input.expires_in.is_some() {
        let now = ctx.clock.now_micros();
        record.expires_at = expiry(input.expires_at.flatten(), input.expires_in.flatten(), now)?;
    }
    if let Some(description) = input.description {
        record.description = description;
    }
    let details = json!({"token": name, "expiresAt": record.expires_at});
    permit
        .commit(
            Write::UpdateToken(&record),
            &user_urn(actor, login),
            details,
        )
        .await
        .map_err(not_found(login, name))?;
    Ok(view(record))
}

pub async fn delete(ctx: &ServiceContext, actor: &Actor, login: &str, name: &str) -> Result<()> {
    let permit = ctx.permit(actor, ACTION_DELETE).await?;
    let account = &actor.principal.account;
    let details = json!({"token": name});
    let write = Write::DeleteToken {
        account,
        user: Some(login),
        name,
    };
    permit
        .commit(write, &user_urn(actor, login), details)
        .await
        .map_err(not_found(login, name))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap()
    }

    #[test]
    fn expiry_rules() {
        let now = now();
        assert_eq!(expiry(None, None, now).unwrap(), None);
        assert_eq!(
            expiry(None, Some(60), now).unwrap(),
            Some(now + Duration::seconds(60))
        );
        let later = now + Duration::days(1);
        assert_eq!(expiry(Some(later), None, now).unwrap(), Some(later));
        for (at, after) in [
            (Some(later), Some(60)),
            (Some(now), None),
            (Some(now - Duration::seconds(1)), None),
            (None, Some(0)),
            (None, Some(-5)),
            (None, Some(MAX_LIFETIME_SECS + 1)),
            (None, Some(i64::MAX)),
            (Some(now + Duration::days(365 * 101)), None),
        ] {
            assert!(expiry(at, after, now).is_err(), "{at:?} {after:?}");
        }
    }

    #[test]
    fn name_rules() {
        for ok in ["ci", "deploy-2024.01", "a@b+c_d", &"n".repeat(MAX_NAME_LEN)] {
            assert!(validate_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            "a b",
            "a/b",
            "a:b",
            "a?b",
            &"n".repeat(MAX_NAME_LEN + 1),
        ] {
            assert!(validate_name(bad).is_err(), "{bad:?}");
        }
    }
}
