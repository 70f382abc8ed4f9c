//! IAM users (`/me/identity/user`): each belongs to one group, whose role acts as a system
//! policy for it (DESIGN.md §3, §4.6). A disabled user is refused at authentication on every
//! call, so disabling takes effect at once for all its personal access tokens.
//! Passwords are checked for strength and stored as Argon2id; neither the password nor its
//! hash ever leaves this module. Request bodies and field rules are in `input.rs`.

mod input;

use chrono::{DateTime, Utc};
use iam_core::AccountId;
use iam_core::urn::Urn;
use iam_store::{StoreError, User, UserStatus, Write};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::service::context::ServiceContext;
use crate::service::error::{Result, ServiceError};
use crate::service::principal::Actor;
use crate::token::password;

pub use input::{
    CreateUser, EditUser, MAX_DESCRIPTION_LEN, MAX_EMAIL_LEN, MAX_LOGIN_LEN, UserType, nullable,
    validate_login,
};
use input::{normalize_email, validate_description, validate_type};

pub const ACTION_GET: &str = "account:apiovh:me/identity/user/get";
pub const ACTION_CREATE: &str = "account:apiovh:me/identity/user/create";
pub const ACTION_EDIT: &str = "account:apiovh:me/identity/user/edit";
pub const ACTION_DELETE: &str = "account:apiovh:me/identity/user/delete";
pub const ACTION_ENABLE: &str = "account:apiovh:me/identity/user/enable";
pub const ACTION_DISABLE: &str = "account:apiovh:me/identity/user/disable";

/// The group of a user created without one (Terraform's default too).
pub const DEFAULT_GROUP: &str = "DEFAULT";

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

/// The group a user is put in must exist: a bad request, not a missing user.
async fn ensure_group(ctx: &ServiceContext, account: &AccountId, group: &str) -> Result<()> {
    ctx.store
        .get_group(account, group)
        .await
        .map(drop)
        .map_err(|e| match e {
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
async fn hash_password(ctx: &ServiceContext, password: String) -> Result<String> {
    password::check_strength(&password)?;
    let password = zeroize::Zeroizing::new(password);
    let hashed = ctx
        .passwords
        .run(move |hashing| hashing.hash(&password))
        .await?;
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
pub async fn fetch(ctx: &ServiceContext, actor: &Actor, login: &str) -> Result<User> {
    ctx.store
        .get_user(&actor.principal.account, login)
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => ServiceError::NotFound(format!("user {login}")),
            other => other.into(),
        })
}

pub async fn list(ctx: &ServiceContext, actor: &Actor) -> Result<Vec<String>> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let users = ctx.store.list_users(&actor.principal.account).await?;
    Ok(users.into_iter().map(|u| u.login).collect())
}

/// Every user of the account with its details, by login (the console's table).
pub async fn list_views(ctx: &ServiceContext, actor: &Actor) -> Result<Vec<UserView>> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let mut users = ctx.store.list_users(&actor.principal.account).await?;
    users.sort_by(|a, b| a.login.cmp(&b.login));
    Ok(users.into_iter().map(|u| view(actor, u)).collect())
}

pub async fn get(ctx: &ServiceContext, actor: &Actor, login: &str) -> Result<UserView> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    Ok(view(actor, fetch(ctx, actor, login).await?))
}

pub async fn create(ctx: &ServiceContext, actor: &Actor, input: CreateUser) -> Result<()> {
    let permit = ctx.permit(actor, ACTION_CREATE).await?;
    validate_login(&input.login)?;
    validate_type(input.user_type)?;
    let email = normalize_email(input.email)?;
    let description = input.description.unwrap_or_default();
    validate_description(&description)?;
    let account = &actor.principal.account;
    let group = input.group.unwrap_or_else(|| DEFAULT_GROUP.to_owned());
    ensure_group(ctx, account, &group).await?;
    let now = ctx.clock.now_micros();
    // A user without a password can still act through personal access tokens. Seed 004's
    // template sends `"password": ""`: empty means none, like an absent field.
    let (password_hash, password_updated_at) = match input.password.filter(|p| !p.is_empty()) {
        Some(p) => (hash_password(ctx, p).await?, Some(now)),
        None => (String::new(), None),
    };
    let user = User {
        id: Uuid::new_v4(),
        account: account.to_string(),
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
    let details = json!({"group": user.group, "type": user.user_type, "password": password_updated_at.is_some()});
    permit
        .commit(
            Write::CreateUser(&user),
            &user_urn(actor, &user.login),
            details,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                ServiceError::Conflict(format!("a user with login {} already exists", user.login))
            }
            StoreError::NotFound(_) => unknown_group(&user.group),
            other => other.into(),
        })?;
    Ok(())
}

pub async fn edit(ctx: &ServiceContext, actor: &Actor, login: &str, input: EditUser) -> Result<()> {
    let permit = ctx.permit(actor, ACTION_EDIT).await?;
    if input.login.as_deref().is_some_and(|l| l != login) {
        return Err(ServiceError::invalid_code(
            "INVALID_LOGIN",
            "login is read-only: a user cannot be renamed",
        ));
    }
    let email = input.email.map(normalize_email).transpose()?;
    if let Some(description) = &input.description {
        validate_description(description)?;
    }
    let mut user = fetch(ctx, actor, login).await?;
    if let Some(group) = input.group.as_deref().filter(|g| *g != user.group) {
        ensure_group(ctx, &actor.principal.account, group).await?;
    }
    let before_group = user.group.clone();
    apply(&mut user, email, input.description, input.group);
    user.updated_at = ctx.clock.now_micros();
    let details =
        json!({"group": user.group, "previousGroup": before_group, "email": user.email.is_some()});
    permit
        .commit(Write::UpdateUser(&user), &user_urn(actor, login), details)
        .await
        .map_err(|e| match e {
            StoreError::NotFound("group") => unknown_group(&user.group),
            StoreError::NotFound(_) => ServiceError::NotFound(format!("user {login}")),
            other => other.into(),
        })?;
    Ok(())
}

fn apply(
    user: &mut User,
    email: Option<Option<String>>,
    description: Option<String>,
    group: Option<String>,
) {
    if let Some(email) = email {
        user.email = email;
    }
    if let Some(description) = description {
        user.description = description;
    }
    if let Some(group) = group {
        user.group = group;
    }
}

/// Deletes the user and, with it, its personal access tokens.
pub async fn delete(ctx: &ServiceContext, actor: &Actor, login: &str) -> Result<()> {
    let permit = ctx.permit(actor, ACTION_DELETE).await?;
    let account = &actor.principal.account;
    let tokens = ctx.store.list_tokens(account, Some(login)).await?;
    let details = json!({"deletedTokens": tokens.into_iter().map(|t| t.name).collect::<Vec<_>>()});
    permit
        .commit(
            Write::DeleteUser { account, login },
            &user_urn(actor, login),
            details,
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => ServiceError::NotFound(format!("user {login}")),
            other => other.into(),
        })?;
    Ok(())
}

pub async fn enable(ctx: &ServiceContext, actor: &Actor, login: &str) -> Result<()> {
    set_status(ctx, actor, login, ACTION_ENABLE, UserStatus::Ok).await
}

/// Disabling takes effect on the user's very next call: it invalidates the account's
/// principals, so authentication reads the status again.
pub async fn disable(ctx: &ServiceContext, actor: &Actor, login: &str) -> Result<()> {
    set_status(ctx, actor, login, ACTION_DISABLE, UserStatus::Disabled).await
}

async fn set_status(
    ctx: &ServiceContext,
    actor: &Actor,
    login: &str,
    action: &str,
    status: UserStatus,
) -> Result<()> {
    let permit = ctx.permit(actor, action).await?;
    let mut user = fetch(ctx, actor, login).await?;
    let previous = user.status;
    user.status = status;
    user.updated_at = ctx.clock.now_micros();
    let details = json!({"status": status.as_str(), "previousStatus": previous.as_str()});
    permit
        .commit(Write::UpdateUser(&user), &user_urn(actor, login), details)
        .await?;
    Ok(())
}
