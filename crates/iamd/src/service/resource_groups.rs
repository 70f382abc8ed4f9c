//! Resource groups (`/v2/iam/resourceGroup`): named sets of the account's resources that a
//! policy names by the group's URN. Members are given by `id` or `urn`. The account's
//! default group (holding every resource, kept complete by the store as resources come and
//! go) is read-only.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use iam_core::AccountId;
use iam_core::urn::Urn;
use iam_store::{Resource, ResourceGroup, StoreError, Write};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::service::context::ServiceContext;
use crate::service::error::{Result, ServiceError};
use crate::service::pagination::{Page, PageRequest, created_key, paginate};
use crate::service::policies::refuse_nul;
use crate::service::principal::Actor;
use crate::service::resources::ResourceView;

pub const ACTION_GET: &str = "account:apiovh:iam/resourceGroup/get";
pub const ACTION_CREATE: &str = "account:apiovh:iam/resourceGroup/create";
pub const ACTION_EDIT: &str = "account:apiovh:iam/resourceGroup/edit";
pub const ACTION_DELETE: &str = "account:apiovh:iam/resourceGroup/delete";

pub const MAX_NAME_LEN: usize = 128;
pub const MAX_MEMBERS: usize = 10_000;

/// `iam.group.Creation` and `iam.group.Update` (`resources` is optional on creation).
#[derive(Debug, Deserialize)]
pub struct GroupInput {
    pub name: String,
    #[serde(default)]
    pub resources: Option<Vec<MemberRef>>,
}

/// A member named by `id` or by `urn` (Terraform sends URNs).
#[derive(Debug, Deserialize)]
pub struct MemberRef {
    #[serde(default)]
    pub id: Option<Uuid>,
    #[serde(default)]
    pub urn: Option<String>,
}

/// `iam.group.Response`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupView {
    pub id: Uuid,
    pub urn: String,
    pub name: String,
    pub owner: String,
    pub read_only: bool,
    pub resources: Vec<MemberView>,
    pub created_at: DateTime<Utc>,
    /// Always present: `created_at` until the first change.
    pub updated_at: DateTime<Utc>,
}

/// `{"id"}`, or the whole resource with `details`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum MemberView {
    Id { id: Uuid },
    Details(ResourceView),
}

pub async fn list(
    ctx: &ServiceContext,
    actor: &Actor,
    details: bool,
    page: &PageRequest,
) -> Result<Page<GroupView>> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let groups = ctx
        .store
        .list_resource_groups(&actor.principal.account)
        .await?;
    let page = paginate(
        groups,
        |g: &ResourceGroup| created_key(g.created_at, g.id),
        page,
    );
    let resources = if details {
        ctx.store.list_resources(&actor.principal.account).await?
    } else {
        Vec::new()
    };
    Ok(page.map(|g| view(g, details.then_some(&resources[..]))))
}

pub async fn get(
    ctx: &ServiceContext,
    actor: &Actor,
    id: Uuid,
    details: bool,
) -> Result<GroupView> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let group = load(ctx, &actor.principal.account, id).await?;
    let resources = if details {
        ctx.store.list_resources(&actor.principal.account).await?
    } else {
        Vec::new()
    };
    Ok(view(group, details.then_some(&resources[..])))
}

pub async fn create(ctx: &ServiceContext, actor: &Actor, input: GroupInput) -> Result<GroupView> {
    let permit = ctx.permit(actor, ACTION_CREATE).await?;
    validate_name(&input.name)?;
    let account = &actor.principal.account;
    let members = resolve(ctx, account, input.resources.unwrap_or_default()).await?;
    let id = Uuid::new_v4();
    let now = ctx.clock.now_micros();
    let group = ResourceGroup {
        id,
        urn: Urn::resource_group(actor.principal.plate, id).to_string(),
        account: account.to_string(),
        name: input.name,
        read_only: false,
        members,
        created_at: now,
        // Equal to `created_at` until the first change (seed 004's example).
        updated_at: Some(now),
    };
    let details = json!({"name": group.name});
    permit
        .commit(Write::CreateResourceGroup(&group), &group.urn, details)
        .await?;
    Ok(view(group, None))
}

pub async fn replace(
    ctx: &ServiceContext,
    actor: &Actor,
    id: Uuid,
    input: GroupInput,
) -> Result<GroupView> {
    let permit = ctx.permit(actor, ACTION_EDIT).await?;
    let account = &actor.principal.account;
    let mut group = load(ctx, account, id).await?;
    refuse_read_only(&group, "edited")?;
    validate_name(&input.name)?;
    let Some(members) = input.resources else {
        return Err(ServiceError::invalid_code(
            "MISSING_FIELD",
            "field \"resources\": required (send [] for an empty group)",
        ));
    };
    group.members = resolve(ctx, account, members).await?;
    group.name = input.name;
    group.updated_at = Some(ctx.clock.now_micros());
    let details = json!({"name": group.name});
    permit
        .commit(Write::ReplaceResourceGroup(&group), &group.urn, details)
        .await
        .map_err(not_found(id))?;
    Ok(view(group, None))
}

pub async fn delete(ctx: &ServiceContext, actor: &Actor, id: Uuid) -> Result<()> {
    let permit = ctx.permit(actor, ACTION_DELETE).await?;
    let account = &actor.principal.account;
    let group = load(ctx, account, id).await?;
    refuse_read_only(&group, "deleted")?;
    let details = json!({"name": group.name});
    permit
        .commit(
            Write::DeleteResourceGroup { account, id },
            &group.urn,
            details,
        )
        .await
        .map_err(not_found(id))?;
    Ok(())
}

fn validate_name(name: &str) -> Result<()> {
    let count = name.chars().count();
    if count == 0 || count > MAX_NAME_LEN || name.chars().any(char::is_control) {
        return Err(ServiceError::invalid_code(
            "INVALID_NAME",
            format!(
                "field \"name\": expected 1 to {MAX_NAME_LEN} characters, none of them control characters"
            ),
        ));
    }
    refuse_nul("name", Some(name))
}

fn refuse_read_only(group: &ResourceGroup, verb: &str) -> Result<()> {
    if group.read_only {
        return Err(ServiceError::Forbidden(format!(
            "resource group {} ({}) is read-only: it holds every resource of the account and cannot be {verb}",
            group.name, group.id
        )));
    }
    Ok(())
}

/// Member ids, in order, without repeats; every member must be a resource of the account.
async fn resolve(
    ctx: &ServiceContext,
    account: &AccountId,
    refs: Vec<MemberRef>,
) -> Result<Vec<Uuid>> {
    if refs.len() > MAX_MEMBERS {
        return Err(ServiceError::invalid_code(
            "TOO_MANY_ITEMS",
            format!("a group holds at most {MAX_MEMBERS} resources"),
        ));
    }
    let resources = ctx.store.list_resources(account).await?;
    let by_id: HashMap<Uuid, &Resource> = resources.iter().map(|r| (r.id, r)).collect();
    let by_urn: HashMap<&str, &Resource> = resources.iter().map(|r| (r.urn.as_str(), r)).collect();
    let mut ids = Vec::with_capacity(refs.len());
    let mut seen = HashSet::new();
    for (i, member) in refs.into_iter().enumerate() {
        let found = match (&member.id, &member.urn) {
            (Some(id), _) => by_id.get(id),
            (None, Some(urn)) => by_urn.get(urn.as_str()),
            (None, None) => {
                return Err(ServiceError::invalid(format!(
                    "field \"resources[{i}]\": give an id or a urn"
                )));
            }
        };
        let id = found.map(|r| r.id).ok_or_else(|| {
            let named = member
                .id
                .map(|id| id.to_string())
                .or(member.urn)
                .unwrap_or_default();
            ServiceError::invalid_code(
                "INVALID_RESOURCE",
                format!(
                    "field \"resources[{i}]\": resource {named} does not exist in this account"
                ),
            )
        })?;
        if seen.insert(id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

async fn load(ctx: &ServiceContext, account: &AccountId, id: Uuid) -> Result<ResourceGroup> {
    ctx.store
        .get_resource_group(account, id)
        .await
        .map_err(not_found(id))
}

fn view(group: ResourceGroup, details: Option<&[Resource]>) -> GroupView {
    let by_id: HashMap<Uuid, &Resource> = details
        .unwrap_or_default()
        .iter()
        .map(|r| (r.id, r))
        .collect();
    let resources = group
        .members
        .iter()
        .map(|id| match by_id.get(id) {
            Some(r) => MemberView::Details((*r).clone().into()),
            None => MemberView::Id { id: *id },
        })
        .collect();
    GroupView {
        id: group.id,
        urn: group.urn,
        name: group.name,
        owner: group.account,
        read_only: group.read_only,
        resources,
        created_at: group.created_at,
        updated_at: group.updated_at.unwrap_or(group.created_at),
    }
}

fn not_found(id: Uuid) -> impl FnOnce(StoreError) -> ServiceError {
    move |e| match e {
        StoreError::NotFound(_) => ServiceError::NotFound(format!("resource group {id}")),
        other => other.into(),
    }
}
