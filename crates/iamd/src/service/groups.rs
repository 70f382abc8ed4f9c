//! User groups (`/me/identity/group`): a group's role acts as a system policy for its
//! members. Default groups (`ADMIN`, `DEFAULT`, `UNPRIVILEGED`) cannot be edited or deleted;
//! a group with members cannot be deleted.

use chrono::{DateTime, Utc};
use iam_core::role::Role;
use iam_core::urn::Urn;
use iam_store::{Group, StoreError, Write};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::service::context::ServiceContext;
use crate::service::error::{Result, ServiceError};
use crate::service::principal::Actor;

pub const ACTION_GET: &str = "account:apiovh:me/identity/group/get";
pub const ACTION_CREATE: &str = "account:apiovh:me/identity/group/create";
pub const ACTION_EDIT: &str = "account:apiovh:me/identity/group/edit";
pub const ACTION_DELETE: &str = "account:apiovh:me/identity/group/delete";

/// Longest group name, in bytes.
pub const MAX_NAME_LEN: usize = 64;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_LEN: usize = 1024;

/// `auth.Group` of the reference.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupView {
    pub name: String,
    pub description: Option<String>,
    pub role: Role,
    pub default_group: bool,
    pub creation: DateTime<Utc>,
    pub last_update: DateTime<Utc>,
    pub urn: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateGroup {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Terraform's default is `NONE`.
    #[serde(default)]
    pub role: Option<Role>,
}

/// The PUT body. `name` may be sent back as GET answered it, but a group cannot be renamed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditGroup {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
}

/// Group names appear in URNs (`identity:group:nic/name`), so they are limited to letters,
/// digits and `._@+-` (e-mail-like names such as `admin@mycompany.com` are common), and
/// cannot be only dots (`.` and `..` are path segments that clients and proxies rewrite).
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
            "group name {name:?} is malformed: expected 1 to {MAX_NAME_LEN} letters, digits or ._@+- characters, not only dots"
        ),
    ))
}

fn validate_description(description: Option<&str>) -> Result<()> {
    match description {
        Some(d) if d.chars().count() > MAX_DESCRIPTION_LEN => Err(ServiceError::invalid(format!(
            "description is longer than {MAX_DESCRIPTION_LEN} characters"
        ))),
        _ => Ok(()),
    }
}

fn view(actor: &Actor, group: Group) -> GroupView {
    GroupView {
        urn: Urn::group(actor.principal.plate, &group.account, &group.name).to_string(),
        name: group.name,
        description: group.description,
        role: group.role,
        default_group: group.default_group,
        creation: group.created_at,
        last_update: group.updated_at,
    }
}

pub async fn list(ctx: &ServiceContext, actor: &Actor) -> Result<Vec<String>> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let groups = ctx.store.list_groups(&actor.principal.account).await?;
    Ok(groups.into_iter().map(|g| g.name).collect())
}

/// Every group of the account with its details: default groups first, then by name (the
/// console's table and the user form's choices).
pub async fn list_views(ctx: &ServiceContext, actor: &Actor) -> Result<Vec<GroupView>> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let mut groups = ctx.store.list_groups(&actor.principal.account).await?;
    groups.sort_by(|a, b| {
        b.default_group
            .cmp(&a.default_group)
            .then(a.name.cmp(&b.name))
    });
    Ok(groups.into_iter().map(|g| view(actor, g)).collect())
}

pub async fn get(ctx: &ServiceContext, actor: &Actor, name: &str) -> Result<GroupView> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let group = ctx
        .store
        .get_group(&actor.principal.account, name)
        .await
        .map_err(not_found(name))?;
    Ok(view(actor, group))
}

pub async fn create(ctx: &ServiceContext, actor: &Actor, input: CreateGroup) -> Result<GroupView> {
    let permit = ctx.permit(actor, ACTION_CREATE).await?;
    validate_name(&input.name)?;
    validate_description(input.description.as_deref())?;
    let now = ctx.clock.now_micros();
    let group = Group {
        account: actor.principal.account.to_string(),
        name: input.name,
        description: input.description,
        role: input.role.unwrap_or(Role::None),
        default_group: false,
        created_at: now,
        updated_at: now,
    };
    let details = json!({"role": group.role});
    permit
        .commit(Write::CreateGroup(&group), &group.name, details)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                ServiceError::Conflict(format!("a group named {} already exists", group.name))
            }
            other => other.into(),
        })?;
    Ok(view(actor, group))
}

pub async fn edit(
    ctx: &ServiceContext,
    actor: &Actor,
    name: &str,
    input: EditGroup,
) -> Result<GroupView> {
    let permit = ctx.permit(actor, ACTION_EDIT).await?;
    validate_description(input.description.as_deref())?;
    if input.name.as_deref().is_some_and(|n| n != name) {
        return Err(ServiceError::invalid(
            "name is read-only: a group cannot be renamed",
        ));
    }
    let mut group = ctx
        .store
        .get_group(&actor.principal.account, name)
        .await
        .map_err(not_found(name))?;
    if group.default_group {
        return Err(ServiceError::Forbidden(format!(
            "{name} is a default group: it cannot be edited"
        )));
    }
    if input.description.is_some() {
        group.description = input.description;
    }
    if let Some(role) = input.role {
        group.role = role;
    }
    group.updated_at = ctx.clock.now_micros();
    let details = json!({"role": group.role});
    permit
        .commit(Write::UpdateGroup(&group), name, details)
        .await?;
    Ok(view(actor, group))
}

pub async fn delete(ctx: &ServiceContext, actor: &Actor, name: &str) -> Result<()> {
    let permit = ctx.permit(actor, ACTION_DELETE).await?;
    let account = &actor.principal.account;
    let group = ctx
        .store
        .get_group(account, name)
        .await
        .map_err(not_found(name))?;
    if group.default_group {
        return Err(ServiceError::Forbidden(format!(
            "{name} is a default group: it cannot be deleted"
        )));
    }
    permit
        .commit(Write::DeleteGroup { account, name }, name, json!({}))
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => ServiceError::Conflict(format!(
                "group {name} still has users: move or delete them first"
            )),
            other => other.into(),
        })?;
    Ok(())
}

fn not_found(name: &str) -> impl FnOnce(StoreError) -> ServiceError + '_ {
    move |e| match e {
        StoreError::NotFound(_) => ServiceError::NotFound(format!("group {name}")),
        other => other.into(),
    }
}
