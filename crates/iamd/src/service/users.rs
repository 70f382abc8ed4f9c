//! IAM users (`/me/identity/user`): each belongs to one group, whose role acts as a system
//! policy for it (DESIGN.md §3, §4.6). A disabled user is refused at authentication on every
//! call, so disabling takes effect at once for all its personal access tokens.
//! Passwords are checked for strength and stored as Argon2id; neither the password nor its
//! hash ever leaves this module.

use chrono::{DateTime, SubsecRound, Utc};
use iam_core::urn::{Urn, is_valid_login};
use iam_store::{StoreError, User, UserStatus};
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use crate::service::audit;
use crate::service::error::{Result, ServiceError};
use crate::service::principal::Actor;
use crate::state::AppState;
use crate::token::password;

pub const ACTION_GET: &str = "account:apiovh:me/identity/user/get";
pub const ACTION_CREATE: &str = "account:apiovh:me/identity/user/create";
pub const ACTION_EDIT: &str = "account:apiovh:me/identity/user/edit";
pub const ACTION_DELETE: &str = "account:apiovh:me/identity/user/delete";
pub const ACTION_ENABLE: &str = "account:apiovh:me/identity/user/enable";
pub const ACTION_DISABLE: &str = "account:apiovh:me/identity/user/disable";

/// Longest login, in bytes.
pub const MAX_LOGIN_LEN: usize = 64;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_LEN: usize = 1024;
/// Longest e-mail address, in bytes (RFC 5321's path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// The group of a user created without one (Terraform's default too).
pub const DEFAULT_GROUP: &str = "DEFAULT";

/// `auth.UserTypeEnum`. Only `USER` can be created through the API: the root is the account
/// itself and service accounts are OAuth2 clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum UserType {
    Root,
    Service,
    User,
}

/// `auth.User` of the reference.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub login: String,
    pub email: Option<String>,
    pub description: String,
    pub group: String,
    pub status: &'static str,
    #[serde(rename = "type")]
    pub user_type: String,
    pub creation: DateTime<Utc>,
    pub last_update: DateTime<Utc>,
    pub password_last_update: Option<DateTime<Utc>>,
    pub urn: String,
}

/// `auth.UserRequest`. Deliberately not `Debug`: it holds a password.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub login: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default, rename = "type")]
    pub user_type: Option<UserType>,
}

/// The PUT body, `auth.User`: `email`, `description` and `group` are writable; an absent field
/// keeps its value and `"email": null` clears the address. The read-only fields are accepted
/// (a client may send back what it read) and ignored, except a `login` naming another user.
/// The reference's PUT has no `password`, so it is refused like any unknown field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditUser {
    #[serde(default, deserialize_with = "nullable")]
    pub email: Option<Option<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub login: Option<String>,
    #[serde(default, rename = "status")]
    _status: Option<IgnoredAny>,
    #[serde(default, rename = "type")]
    _type: Option<IgnoredAny>,
    #[serde(default, rename = "urn")]
    _urn: Option<IgnoredAny>,
    #[serde(default, rename = "creation")]
    _creation: Option<IgnoredAny>,
    #[serde(default, rename = "lastUpdate")]
    _last_update: Option<IgnoredAny>,
    #[serde(default, rename = "passwordLastUpdate")]
    _password_last_update: Option<IgnoredAny>,
}

/// Tells an explicit `null` (`Some(None)`) from an absent field (`None`, via `default`).
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Logins appear in URNs (`identity:user:nic/login`) and in URL paths, so they are limited to
/// 1 to 64 letters, digits and `._@+-` (the group-name alphabet; a subset of what
/// `iam_core::urn::is_valid_login` accepts), and cannot be only dots.
pub fn validate_login(login: &str) -> Result<()> {
    let ok = !login.is_empty()
        && login.len() <= MAX_LOGIN_LEN
        && login.bytes().all(|b| b.is_ascii_alphanumeric() || b"._@+-".contains(&b))
        && !login.bytes().all(|b| b == b'.')
        && is_valid_login(login);
    if ok {
        return Ok(());
    }
    Err(ServiceError::invalid_code(
        "INVALID_LOGIN",
        format!(
            "login {:?} is malformed: expected 1 to {MAX_LOGIN_LEN} letters, digits or ._@+- characters, not only dots",
            login.chars().take(100).collect::<String>()
        ),
    ))
}

/// A light check (something@domain, no spaces or controls): the address is informative and
/// iamd sends no mail. An empty string means no address.
fn normalize_email(email: Option<String>) -> Result<Option<String>> {
    let Some(email) = email.filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    let well_formed = email.len() <= MAX_EMAIL_LEN
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
    if well_formed {
        return Ok(Some(email));
    }
    Err(ServiceError::invalid_code(
        "INVALID_EMAIL",
        format!("email is malformed: expected an address such as user@example.com, at most {MAX_EMAIL_LEN} bytes"),
    ))
}

fn validate_description(description: &str) -> Result<()> {
    if description.chars().count() > MAX_DESCRIPTION_LEN {
        return Err(ServiceError::invalid(format!("description is longer than {MAX_DESCRIPTION_LEN} characters")));
    }
    Ok(())
}

fn validate_type(user_type: Option<UserType>) -> Result<()> {
    match user_type {
        None | Some(UserType::User) => Ok(()),
        Some(UserType::Root | UserType::Service) => Err(ServiceError::invalid_code(
            "INVALID_TYPE",
            "type must be USER: the root is the account itself, and service accounts are OAuth2 clients (/me/api/oauth2/client)",
        )),
    }
}

/// The group a user is put in must exist: a bad request, not a missing user.
async fn ensure_group(state: &AppState, account: &str, group: &str) -> Result<()> {
    state.store.get_group(account, group).await.map(drop).map_err(|e| match e {
        StoreError::NotFound(_) => unknown_group(group),
        other => other.into(),
    })
}

fn unknown_group(group: &str) -> ServiceError {
    ServiceError::invalid_code(
        "INVALID_GROUP",
        format!(
            "group {group:?} does not exist: create it first (/me/identity/group) or use ADMIN, DEFAULT or UNPRIVILEGED"
        ),
    )
}

/// Hashes off the async workers: Argon2id is deliberately slow.
async fn hash_password(state: &AppState, password: String) -> Result<String> {
    password::check_strength(&password)?;
    let hashing = state.passwords.clone();
    let hashed = tokio::task::spawn_blocking(move || hashing.hash(&password))
        .await
        .map_err(|e| ServiceError::Internal(format!("password hashing task: {e}")))?;
    Ok(hashed?)
}

fn user_urn(actor: &Actor, login: &str) -> String {
    Urn::user(actor.principal.plate, &actor.principal.account, login).to_string()
}

fn view(actor: &Actor, user: User) -> UserView {
    UserView {
        urn: user_urn(actor, &user.login),
        login: user.login,
        email: user.email,
        description: user.description,
        group: user.group,
        status: user.status.as_str(),
        user_type: user.user_type,
        creation: user.created_at,
        last_update: user.updated_at,
        password_last_update: user.password_updated_at,
    }
}

/// A user of the caller's account, or 404.
pub async fn fetch(state: &AppState, actor: &Actor, login: &str) -> Result<User> {
    state.store.get_user(&actor.principal.account, login).await.map_err(|e| match e {
        StoreError::NotFound(_) => ServiceError::NotFound(format!("user {login}")),
        other => other.into(),
    })
}

pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<String>> {
    state.authorizer.require_on_account(state, actor, ACTION_GET).await?;
    let users = state.store.list_users(&actor.principal.account).await?;
    Ok(users.into_iter().map(|u| u.login).collect())
}

pub async fn get(state: &AppState, actor: &Actor, login: &str) -> Result<UserView> {
    state.authorizer.require_on_account(state, actor, ACTION_GET).await?;
    Ok(view(actor, fetch(state, actor, login).await?))
}

pub async fn create(state: &AppState, actor: &Actor, input: CreateUser) -> Result<()> {
    state.authorizer.require_on_account(state, actor, ACTION_CREATE).await?;
    validate_login(&input.login)?;
    validate_type(input.user_type)?;
    let email = normalize_email(input.email)?;
    let description = input.description.unwrap_or_default();
    validate_description(&description)?;
    let account = &actor.principal.account;
    let group = input.group.unwrap_or_else(|| DEFAULT_GROUP.to_owned());
    ensure_group(state, account, &group).await?;
    let now = Utc::now().trunc_subsecs(6);
    // A user without a password can still act through personal access tokens.
    let (password_hash, password_updated_at) = match input.password {
        Some(p) => (hash_password(state, p).await?, Some(now)),
        None => (String::new(), None),
    };
    let user = User {
        account: account.clone(),
        login: input.login,
        email,
        description,
        group,
        status: UserStatus::Ok,
        user_type: "USER".to_owned(),
        password_hash,
        created_at: now,
        updated_at: now,
        password_updated_at,
    };
    state.store.create_user(&user).await.map_err(|e| match e {
        StoreError::Conflict(_) => ServiceError::Conflict(format!("a user with login {} already exists", user.login)),
        StoreError::NotFound(_) => unknown_group(&user.group),
        other => other.into(),
    })?;
    state.authorizer.invalidate(account);
    let details = json!({"group": user.group, "type": user.user_type, "password": password_updated_at.is_some()});
    audit::record(state, actor, ACTION_CREATE, Some(&user_urn(actor, &user.login)), audit::SUCCESS, details).await;
    Ok(())
}

pub async fn edit(state: &AppState, actor: &Actor, login: &str, input: EditUser) -> Result<()> {
    state.authorizer.require_on_account(state, actor, ACTION_EDIT).await?;
    if input.login.as_deref().is_some_and(|l| l != login) {
        return Err(ServiceError::invalid_code("INVALID_LOGIN", "login is read-only: a user cannot be renamed"));
    }
    let email = input.email.map(normalize_email).transpose()?;
    if let Some(description) = &input.description {
        validate_description(description)?;
    }
    let mut user = fetch(state, actor, login).await?;
    if let Some(group) = input.group.as_deref().filter(|g| *g != user.group) {
        ensure_group(state, &user.account, group).await?;
    }
    let before_group = user.group.clone();
    apply(&mut user, email, input.description, input.group);
    state.store.update_user(&user).await.map_err(|e| match e {
        StoreError::NotFound("group") => unknown_group(&user.group),
        StoreError::NotFound(_) => ServiceError::NotFound(format!("user {login}")),
        other => other.into(),
    })?;
    state.authorizer.invalidate(&user.account);
    let details = json!({"group": user.group, "previousGroup": before_group, "email": user.email.is_some()});
    audit::record(state, actor, ACTION_EDIT, Some(&user_urn(actor, login)), audit::SUCCESS, details).await;
    Ok(())
}

fn apply(user: &mut User, email: Option<Option<String>>, description: Option<String>, group: Option<String>) {
    if let Some(email) = email {
        user.email = email;
    }
    if let Some(description) = description {
        user.description = description;
    }
    if let Some(group) = group {
        user.group = group;
    }
    user.updated_at = Utc::now().trunc_subsecs(6);
}

/// Deletes the user and, with it, its personal access tokens.
pub async fn delete(state: &AppState, actor: &Actor, login: &str) -> Result<()> {
    state.authorizer.require_on_account(state, actor, ACTION_DELETE).await?;
    let account = &actor.principal.account;
    let tokens = state.store.list_tokens(account, Some(login)).await?;
    state.store.delete_user(account, login).await.map_err(|e| match e {
        StoreError::NotFound(_) => ServiceError::NotFound(format!("user {login}")),
        other => other.into(),
    })?;
    state.authorizer.invalidate(account);
    let details = json!({"deletedTokens": tokens.into_iter().map(|t| t.name).collect::<Vec<_>>()});
    audit::record(state, actor, ACTION_DELETE, Some(&user_urn(actor, login)), audit::SUCCESS, details).await;
    Ok(())
}

pub async fn enable(state: &AppState, actor: &Actor, login: &str) -> Result<()> {
    set_status(state, actor, login, ACTION_ENABLE, UserStatus::Ok).await
}

/// Disabling takes effect on the user's very next call: authentication reads the status.
pub async fn disable(state: &AppState, actor: &Actor, login: &str) -> Result<()> {
    set_status(state, actor, login, ACTION_DISABLE, UserStatus::Disabled).await
}

async fn set_status(state: &AppState, actor: &Actor, login: &str, action: &str, status: UserStatus) -> Result<()> {
    state.authorizer.require_on_account(state, actor, action).await?;
    let mut user = fetch(state, actor, login).await?;
    let previous = user.status;
    user.status = status;
    user.updated_at = Utc::now().trunc_subsecs(6);
    state.store.update_user(&user).await?;
    state.authorizer.invalidate(&user.account);
    let details = json!({"status": status.as_str(), "previousStatus": previous.as_str()});
    audit::record(state, actor, action, Some(&user_urn(actor, login)), audit::SUCCESS, details).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_rules() {
        for ok in ["my_user", "a", "john.doe@example.com", "ops+1", "A-Z_0.9", &"x".repeat(MAX_LOGIN_LEN)] {
            assert!(validate_login(ok).is_ok(), "{ok}");
            assert!(is_valid_login(ok), "every accepted login is valid in a URN: {ok}");
        }
        for bad in ["", ".", "..", "has space", "a/b", "a:b", "st*r", "per%cent", "q?", "h#", "é", &"x".repeat(65)] {
            assert!(validate_login(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn email_rules() {
        assert_eq!(normalize_email(None).unwrap(), None);
        assert_eq!(normalize_email(Some(String::new())).unwrap(), None);
        assert_eq!(normalize_email(Some("a@b".into())).unwrap().as_deref(), Some("a@b"));
        for bad in ["nobody", "@b", "a@", "a b@c", "a@b\n"] {
            assert!(normalize_email(Some(bad.into())).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn only_user_type_is_created() {
        assert!(validate_type(None).is_ok());
        assert!(validate_type(Some(UserType::User)).is_ok());
        assert!(validate_type(Some(UserType::Root)).is_err());
        assert!(validate_type(Some(UserType::Service)).is_err());
    }
}
