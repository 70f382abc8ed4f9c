//! Resource registration (DESIGN.md §8): the products that own resources register, update
//! and remove them in an account, and declare their resource types' actions. A provider may
//! only touch the types it owns; an operator (the `iamd resource` commands) any type but
//! `account`, which iamd registers itself with each account.
//!
//! Tags on registration: the computed `ovh:` tags belong to the product and are replaced by
//! each registration that carries `tags`; other tags belong to the account, so a
//! registration only adds or overwrites them and never removes one a user set.

use std::collections::BTreeMap;

use iam_core::AccountId;
use iam_core::action::ActionPattern;
use iam_core::catalog::{ActionInfo, Category};
use iam_core::system::Builtins;
use iam_core::urn::{Plate, Urn, UrnFamily, UrnKind};
use iam_store::{DeclaredAction, ResourceProvider, StoreError, Write, Written};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::service::context::ServiceContext;
use crate::service::error::{Result, ServiceError};
use crate::service::providers::RESERVED_TYPE;
use crate::service::resources::{self, ResourceView};
use crate::service::tags;

pub const MAX_NAME_LEN: usize = 512;
pub const MAX_DECLARED_ACTIONS: usize = 1000;

/// Who registers: a provider (its types only) or an operator on the command line.
#[derive(Debug, Clone, Copy)]
pub enum Registrar<'a> {
    Provider(&'a ResourceProvider),
    Operator,
}

impl Registrar<'_> {
    fn may_register(&self, resource_type: &str) -> bool {
        match self {
            Registrar::Provider(p) => p.resource_types.iter().any(|t| t == resource_type),
            Registrar::Operator => resource_type != RESERVED_TYPE,
        }
    }

    fn audit_name(&self) -> String {
        match self {
            Registrar::Provider(p) => format!("provider:{}", p.name),
            Registrar::Operator => "operator".to_owned(),
        }
    }
}

/// The body of a registration; the URN comes with it from the path or the command line.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    /// Defaults to the name inside the URN.
    #[serde(default)]
    pub name: Option<String>,
    /// Defaults to the name.
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
}

/// One action a provider declares for a type it owns.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionDeclaration {
    pub action: String,
    #[serde(default)]
    pub description: String,
    pub categories: Vec<Category>,
}

pub async fn register(
    ctx: &ServiceContext,
    who: Registrar<'_>,
    account: &AccountId,
    urn: &str,
    input: Registration,
) -> Result<ResourceView> {
    let (canonical, resource_type, urn_name) = resource_urn(ctx, who, account, urn).await?;
    let name = text("name", input.name.unwrap_or(urn_name))?;
    let display_name = text(
        "displayName",
        input.display_name.unwrap_or_else(|| name.clone()),
    )?;
    let existing = match ctx.store.get_resource(account, &canonical).await {
        Ok(r) => Some(r),
        Err(StoreError::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let now = ctx.clock.now_micros();
    let resource = iam_store::Resource {
        id: existing.as_ref().map_or_else(Uuid::new_v4, |r| r.id),
        urn: canonical,
        account: account.to_string(),
        name,
        display_name,
        resource_type,
        tags: merged_tags(existing.as_ref().map(|r| &r.tags), input.tags)?,
        created_at: existing.as_ref().map_or(now, |r| r.created_at),
        updated_at: now,
    };
    let permit = ctx.permit_registrar(who.audit_name(), account, "resource/register");
    let details = json!({"name": resource.name});
    let written = permit
        .commit(Write::UpsertResource(&resource), &resource.urn, details)
        .await?;
    match written {
        Written::Resource(stored) => Ok(stored.into()),
        Written::Done => Ok(resource.into()),
    }
}

/// A registered resource, as its registrar sees it.
pub async fn get(
    ctx: &ServiceContext,
    who: Registrar<'_>,
    account: &AccountId,
    urn: &str,
) -> Result<ResourceView> {
    let (canonical, _, _) = resource_urn(ctx, who, account, urn).await?;
    Ok(resources::load(ctx, account, &canonical).await?.into())
}

pub async fn remove(
    ctx: &ServiceContext,
    who: Registrar<'_>,
    account: &AccountId,
    urn: &str,
) -> Result<()> {
    let (canonical, _, _) = resource_urn(ctx, who, account, urn).await?;
    resources::load(ctx, account, &canonical).await?;
    let permit = ctx.permit_registrar(who.audit_name(), account, "resource/remove");
    let write = Write::DeleteResource {
        account,
        urn: &canonical,
    };
    permit.commit(write, &canonical, json!({})).await?;
    Ok(())
}

/// Checks the URN against the account and the registrar; returns it in canonical form
/// with its type and name.
async fn resource_urn(
    ctx: &ServiceContext,
    who: Registrar<'_>,
    account: &AccountId,
    urn: &str,
) -> Result<(String, String, String)> {
    let stored = ctx.store.get_account(account).await.map_err(|e| match e {
        StoreError::NotFound(_) => ServiceError::NotFound(format!("account {account}")),
        other => other.into(),
    })?;
    let parsed = Urn::parse_as(urn, UrnFamily::Resource).map_err(|e| e.at("urn"))?;
    let UrnKind::Resource {
        resource_type,
        name,
    } = &parsed.kind
    else {
        return Err(ServiceError::invalid_code(
            "INVALID_RESOURCE_URN",
            "resource groups are not registered: expected urn:v1:<plate>:resource:<type>:<name>",
        ));
    };
    if Plate::parse(&stored.plate) != Some(parsed.plate) {
        return Err(ServiceError::invalid_code(
            "INVALID_RESOURCE_URN",
            format!(
                "account {account} lives on plate {}: the URN must name that plate",
                stored.plate
            ),
        ));
    }
    if !who.may_register(resource_type) {
        return Err(ServiceError::Forbidden(format!(
            "resources of type {resource_type} are not yours to register or remove"
        )));
    }
    Ok((parsed.to_string(), resource_type.clone(), name.clone()))
}

fn text(field: &str, value: String) -> Result<String> {
    let count = value.chars().count();
    if count == 0 || count > MAX_NAME_LEN || value.chars().any(char::is_control) {
        return Err(ServiceError::invalid_code(
            "INVALID_NAME",
            format!(
                "field \"{field}\": expected 1 to {MAX_NAME_LEN} characters, none of them control characters"
            ),
        ));
    }
    Ok(value)
}

fn merged_tags(
    existing: Option<&BTreeMap<String, String>>,
    given: Option<BTreeMap<String, String>>,
) -> Result<BTreeMap<String, String>> {
    let mut merged = existing.cloned().unwrap_or_default();
    let Some(given) = given else {
        return Ok(merged);
    };
    for (key, value) in &given {
        tags::validate_key(key)?;
        tags::validate_value(key, value)?;
    }
    merged.retain(|k, _| !tags::is_computed(k));
    merged.extend(given);
    tags::validate_count(merged.len())?;
    Ok(merged)
}

/// Replaces the actions declared for `resource_type`, which the provider must own.
pub async fn declare(
    ctx: &ServiceContext,
    provider: &ResourceProvider,
    resource_type: &str,
    actions: Vec<ActionDeclaration>,
) -> Result<Vec<ActionInfo>> {
    if !provider.resource_types.iter().any(|t| t == resource_type) {
        return Err(ServiceError::Forbidden(format!(
            "resource type {resource_type} is not yours to declare"
        )));
    }
    let declared = validate_declarations(ctx, resource_type, actions)?;
    // Declarations belong to the catalog, not to an account: the line's account is empty.
    let author = format!("provider:{}", provider.name);
    let permit = ctx.permit_registrar(author, "", "resourceType/declare");
    let write = Write::ReplaceDeclaredActions {
        resource_type,
        actions: &declared,
    };
    let details = json!({"actions": declared.len()});
    permit
        .commit(write, resource_type, details)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(message) => ServiceError::Conflict(message),
            other => other.into(),
        })?;
    refresh_catalog(ctx).await?;
    Ok(declared_of(ctx, resource_type))
}

fn validate_declarations(
    ctx: &ServiceContext,
    resource_type: &str,
    actions: Vec<ActionDeclaration>,
) -> Result<Vec<DeclaredAction>> {
    if actions.len() > MAX_DECLARED_ACTIONS {
        return Err(ServiceError::invalid(format!(
            "at most {MAX_DECLARED_ACTIONS} actions per resource type"
        )));
    }
    let prefix = format!("{resource_type}:");
    let mut declared: Vec<DeclaredAction> = Vec::with_capacity(actions.len());
    for (i, a) in actions.into_iter().enumerate() {
        let bad = |m: String| {
            ServiceError::invalid_code("INVALID_ACTION", format!("field \"actions[{i}]\": {m}"))
        };
        if !matches!(ActionPattern::parse(&a.action), Ok(ActionPattern::Exact(_)))
            || !a.action.starts_with(&prefix)
        {
            return Err(bad(format!(
                "{:?} must be an action (no *) starting with {prefix}",
                a.action
            )));
        }
        if ctx.catalog.is_builtin(&a.action) {
            return Err(ServiceError::Conflict(format!(
                "{} is a built-in action: it cannot be declared",
                a.action
            )));
        }
        if declared.iter().any(|d| d.action == a.action) {
            return Err(bad(format!("{} is listed twice", a.action)));
        }
        if a.categories.is_empty()
            || a.description.chars().count() > 1024
            || a.description.contains('\0')
        {
            return Err(bad(
                "expected at least one category and a description of at most 1024 characters"
                    .into(),
            ));
        }
        declared.push(DeclaredAction {
            action: a.action,
            resource_type: resource_type.to_owned(),
            description: a.description,
            categories: a.categories,
        });
    }
    Ok(declared)
}

/// The actions of a type as the catalog now holds them.
pub fn declared_of(ctx: &ServiceContext, resource_type: &str) -> Vec<ActionInfo> {
    ctx.catalog
        .current()
        .actions
        .actions_of_type(resource_type)
        .cloned()
        .collect()
}

/// Reloads providers' types and declared actions into the catalog and the role sets.
pub async fn refresh_catalog(ctx: &ServiceContext) -> Result<()> {
    let providers = ctx.store.list_providers().await?;
    let declared = ctx.store.list_declared_actions().await?;
    let version = ctx.catalog.rebuild(&providers, &declared);
    ctx.authorizer
        .replace_builtins(Builtins::new(&version.actions));
    Ok(())
}
