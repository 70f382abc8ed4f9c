//! Permissions groups (`/v2/iam/permissionsGroup`): named, reusable permissions that a
//! policy references by URN (`urn:v1:<plate>:permissionsGroup:<owner>:<name>`). The built-in
//! ones (owner `ovh`, e.g. `globalAdmin`) are listed beside the account's and are read-only.
//! Each group is judged on its own in a decision: its `except` only cancels its own `allow`.

use iam_core::policy::{PermissionsGroup, PermissionsGroupInput};
use iam_core::system::builtin_permissions_groups;
use iam_core::urn::{Urn, UrnFamily};
use iam_store::{StoreError, Write};
use serde_json::json;
use uuid::Uuid;

use crate::service::context::ServiceContext;
use crate::service::error::{Result, ServiceError};
use crate::service::pagination::{Page, PageRequest, created_key, paginate};
use crate::service::policies::refuse_nul;
use crate::service::principal::Actor;

pub const ACTION_GET: &str = "account:apiovh:iam/permissionsGroup/get";
pub const ACTION_CREATE: &str = "account:apiovh:iam/permissionsGroup/create";
pub const ACTION_EDIT: &str = "account:apiovh:iam/permissionsGroup/edit";
pub const ACTION_DELETE: &str = "account:apiovh:iam/permissionsGroup/delete";

pub async fn list(
    ctx: &ServiceContext,
    actor: &Actor,
    page: &PageRequest,
) -> Result<Page<PermissionsGroup>> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let mut groups = builtin_permissions_groups(actor.principal.plate);
    groups.extend(
        ctx.store
            .list_permissions_groups(&actor.principal.account)
            .await?,
    );
    Ok(paginate(
        groups,
        |g: &PermissionsGroup| created_key(g.created_at, g.id),
        page,
    ))
}

pub async fn get(ctx: &ServiceContext, actor: &Actor, urn: &str) -> Result<PermissionsGroup> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    if let Some(builtin) = builtin(actor, urn) {
        return Ok(builtin);
    }
    load(ctx, actor, urn).await
}

pub async fn create(
    ctx: &ServiceContext,
    actor: &Actor,
    input: PermissionsGroupInput,
) -> Result<PermissionsGroup> {
    let permit = ctx.permit(actor, ACTION_CREATE).await?;
    validate(&input)?;
    let account = &actor.principal.account;
    let group = PermissionsGroup {
        id: Uuid::new_v4(),
        urn: Urn::permissions_group(actor.principal.plate, account, &input.name).to_string(),
        name: input.name,
        description: input.description,
        owner: account.to_string(),
        permissions: input.permissions,
        created_at: ctx.clock.now_micros(),
        updated_at: None,
    };
    permit
        .commit(Write::CreatePermissionsGroup(&group), &group.urn, json!({}))
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => ServiceError::Conflict(format!(
                "a permissions group named {} already exists",
                group.name
            )),
            other => other.into(),
        })?;
    Ok(group)
}

/// Replaces the description and permissions. The name is part of the URN that policies
/// reference, so it cannot change.
pub async fn replace(
    ctx: &ServiceContext,
    actor: &Actor,
    urn: &str,
    input: PermissionsGroupInput,
) -> Result<PermissionsGroup> {
    let permit = ctx.permit(actor, ACTION_EDIT).await?;
    refuse_builtin(actor, urn, "edited")?;
    let mut group = load(ctx, actor, urn).await?;
    validate(&input)?;
    if input.name != group.name {
        return Err(ServiceError::invalid_code(
            "INVALID_NAME",
            format!(
                "field \"name\": the name is part of the URN {} and cannot change (create a new group instead)",
                group.urn
            ),
        ));
    }
    group.description = input.description;
    group.permissions = input.permissions;
    group.updated_at = Some(ctx.clock.now_micros());
    permit
        .commit(
            Write::ReplacePermissionsGroup(&group),
            &group.urn,
            json!({}),
        )
        .await
        .map_err(not_found(urn))?;
    Ok(group)
}

pub async fn delete(ctx: &ServiceContext, actor: &Actor, urn: &str) -> Result<()> {
    let permit = ctx.permit(actor, ACTION_DELETE).await?;
    refuse_builtin(actor, urn, "deleted")?;
    let group = load(ctx, actor, urn).await?;
    let write = Write::DeletePermissionsGroup {
        account: &actor.principal.account,
        urn: &group.urn,
    };
    permit
        .commit(write, &group.urn, json!({}))
        .await
        .map_err(not_found(urn))?;
    Ok(())
}

fn validate(input: &PermissionsGroupInput) -> Result<()> {
    input.validate()?;
    refuse_nul("description", Some(&input.description))
}

/// The built-in group `urn` names, on any plate (its URN is canonicalised first).
fn builtin(actor: &Actor, urn: &str) -> Option<PermissionsGroup> {
    let canonical = Urn::parse_as(urn, UrnFamily::PermissionsGroup)
        .ok()?
        .to_string();
    builtin_permissions_groups(actor.principal.plate)
        .into_iter()
        .find(|g| g.urn == canonical)
}

fn refuse_builtin(actor: &Actor, urn: &str, verb: &str) -> Result<()> {
    match builtin(actor, urn) {
        Some(g) => Err(ServiceError::Forbidden(format!(
            "{} is a built-in permissions group: it cannot be {verb}",
            g.urn
        ))),
        None => Ok(()),
    }
}

async fn load(ctx: &ServiceContext, actor: &Actor, urn: &str) -> Result<PermissionsGroup> {
    let canonical = Urn::parse_as(urn, UrnFamily::PermissionsGroup)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| urn.to_owned());
    ctx.store
        .get_permissions_group(&actor.principal.account, &canonical)
        .await
        .map_err(not_found(urn))
}

fn not_found(urn: &str) -> impl FnOnce(StoreError) -> ServiceError + '_ {
    move |e| match e {
        StoreError::NotFound(_) => ServiceError::NotFound(format!("permissions group {urn}")),
        other => other.into(),
    }
}
