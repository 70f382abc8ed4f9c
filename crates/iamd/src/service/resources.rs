//! The account's resources as the IAM API shows them (`/v2/iam/resource`): listed with
//! filters, read by URN, and tagged. Resources themselves are registered by their products
//! (`registration.rs`); the account only edits tags, never the computed `ovh:` ones.
//!
//! Reading the inventory needs no IAM action (the reference lists none): any identity of the
//! account may read it. Tag changes need `account:apiovh:iam/resource/edit`, `…/tag/add` or
//! `…/tag/remove` on the account, and invalidate the account's snapshot (tag conditions).

use std::collections::BTreeMap;

use iam_core::AccountId;
use iam_core::pattern::UrnPattern;
use iam_core::urn::UrnFamily;
use iam_store::{Resource, StoreError, Write, Written};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::service::context::ServiceContext;
use crate::service::error::{Result, ServiceError};
use crate::service::pagination::{Page, PageRequest, created_key, paginate};
use crate::service::principal::Actor;
use crate::service::tags::{self, TagFilter};
use crate::service::write::Permit;

pub const ACTION_EDIT: &str = "account:apiovh:iam/resource/edit";
pub const ACTION_TAG_ADD: &str = "account:apiovh:iam/resource/tag/add";
pub const ACTION_TAG_REMOVE: &str = "account:apiovh:iam/resource/tag/remove";

/// `iam.resource.Resource`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceView {
    pub id: Uuid,
    pub urn: String,
    pub name: String,
    pub display_name: String,
    pub owner: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub tags: BTreeMap<String, String>,
}

impl From<Resource> for ResourceView {
    fn from(r: Resource) -> Self {
        ResourceView {
            id: r.id,
            urn: r.urn,
            name: r.name,
            display_name: r.display_name,
            owner: r.account,
            resource_type: r.resource_type,
            tags: r.tags,
        }
    }
}

/// The list filters. Values of one filter are alternatives; filters combine with AND.
#[derive(Debug, Clone, Default)]
pub struct ResourceFilter {
    pub names: Vec<String>,
    pub types: Vec<String>,
    /// URN patterns: exact, or with `*` at the start and/or end.
    pub urns: Vec<String>,
    pub tags: Vec<TagFilter>,
}

struct CompiledFilter<'a> {
    filter: &'a ResourceFilter,
    urns: Vec<UrnPattern>,
}

impl CompiledFilter<'_> {
    fn accepts(&self, r: &Resource) -> bool {
        let f = self.filter;
        (f.names.is_empty() || f.names.contains(&r.name))
            && (f.types.is_empty() || f.types.contains(&r.resource_type))
            && (self.urns.is_empty() || self.urns.iter().any(|p| p.matches(&r.urn)))
            && tags::matches(&f.tags, &r.tags)
    }
}

pub async fn list(
    ctx: &ServiceContext,
    actor: &Actor,
    filter: &ResourceFilter,
    page: &PageRequest,
) -> Result<Page<ResourceView>> {
    let urns = filter
        .urns
        .iter()
        .enumerate()
        .map(|(i, u)| {
            UrnPattern::parse(u, UrnFamily::Resource).map_err(|e| e.at(format!("resourceURN[{i}]")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let compiled = CompiledFilter { filter, urns };
    let resources = ctx.store.list_resources(&actor.principal.account).await?;
    let kept = resources
        .into_iter()
        .filter(|r| compiled.accepts(r))
        .collect();
    Ok(
        paginate(kept, |r: &Resource| created_key(r.created_at, r.id), page)
            .map(ResourceView::from),
    )
}

/// By URN (the official path parameter) or by UUID (seed 004's `{resourceId}`): an IAM URN
/// (`urn:v1:…`) never parses as a UUID, so the two never overlap. Either way only within the
/// caller's account.
pub async fn get(ctx: &ServiceContext, actor: &Actor, key: &str) -> Result<ResourceView> {
    let account = &actor.principal.account;
    let resource = match Uuid::parse_str(key) {
        Ok(id) => ctx.store.get_resource_by_id(account, id).await,
        Err(_) => ctx.store.get_resource(account, key).await,
    };
    Ok(resource.map_err(missing(key))?.into())
}

pub(crate) async fn load(ctx: &ServiceContext, account: &AccountId, urn: &str) -> Result<Resource> {
    ctx.store
        .get_resource(account, urn)
        .await
        .map_err(missing(urn))
}

fn missing(key: &str) -> impl FnOnce(StoreError) -> ServiceError + '_ {
    move |e| match e {
        StoreError::NotFound(_) => ServiceError::NotFound(format!("resource {key}")),
        other => other.into(),
    }
}

/// Replaces the account's tags of the resource (`null` or absent clears them); the
/// computed `ovh:` tags are kept.
pub async fn set_tags(
    ctx: &ServiceContext,
    actor: &Actor,
    urn: &str,
    wanted: BTreeMap<String, String>,
) -> Result<ResourceView> {
    let permit = ctx.permit(actor, ACTION_EDIT).await?;
    tags::validate_settable(&wanted)?;
    let mut resource = load(ctx, &actor.principal.account, urn).await?;
    resource.tags.retain(|k, _| tags::is_computed(k));
    resource.tags.extend(wanted);
    tags::validate_count(resource.tags.len())?;
    let stored = save(ctx, &permit, resource).await?;
    Ok(stored.into())
}

pub async fn add_tag(
    ctx: &ServiceContext,
    actor: &Actor,
    urn: &str,
    key: String,
    value: String,
) -> Result<()> {
    let permit = ctx.permit(actor, ACTION_TAG_ADD).await?;
    let single = BTreeMap::from([(key, value)]);
    tags::validate_settable(&single)?;
    let mut resource = load(ctx, &actor.principal.account, urn).await?;
    resource.tags.extend(single);
    tags::validate_count(resource.tags.len())?;
    save(ctx, &permit, resource).await.map(drop)
}

pub async fn remove_tag(ctx: &ServiceContext, actor: &Actor, urn: &str, key: &str) -> Result<()> {
    let permit = ctx.permit(actor, ACTION_TAG_REMOVE).await?;
    if tags::is_computed(key) {
        return Err(tags::computed(key));
    }
    let mut resource = load(ctx, &actor.principal.account, urn).await?;
    if resource.tags.remove(key).is_none() {
        return Err(ServiceError::NotFound(format!(
            "tag {key:?} on resource {urn}"
        )));
    }
    save(ctx, &permit, resource).await.map(drop)
}

async fn save(
    ctx: &ServiceContext,
    permit: &Permit<'_>,
    mut resource: Resource,
) -> Result<Resource> {
    resource.updated_at = ctx.clock.now_micros();
    let details = json!({"tags": resource.tags});
    match permit
        .commit(Write::UpsertResource(&resource), &resource.urn, details)
        .await?
    {
        Written::Resource(stored) => Ok(stored),
        Written::Done => Ok(resource),
    }
}
