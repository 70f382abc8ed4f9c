//! How a policy is shown (`iam.policy.Response`): the stored policy, and with `details` its
//! resources expanded (the resource group or the registered resource each URN names) and
//! its permissions groups with their name, owner and permissions.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use iam_core::condition::Condition;
use iam_core::policy::{Permissions, PermissionsGroup, Policy};
use iam_core::system::builtin_permissions_groups;
use iam_store::{Resource, ResourceGroup};
use serde::Serialize;
use uuid::Uuid;

use crate::service::context::ServiceContext;
use crate::service::error::Result;
use crate::service::principal::Actor;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyView {
    pub id: Uuid,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub identities: Vec<String>,
    pub resources: Vec<PolicyResourceView>,
    pub permissions: Permissions,
    pub permissions_groups: Vec<PermissionsGroupRefView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Condition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<DateTime<Utc>>,
    pub read_only: bool,
    pub owner: String,
    pub created_at: DateTime<Utc>,
    /// Always present: `created_at` until the first change (seed 004's `ovh-default`).
    pub updated_at: DateTime<Utc>,
}

/// `iam.policy.Resource`: the URN, and with details what it names. Absent expansions are
/// left out rather than `null` (schema validators disagree on `null` beside `allOf`).
#[derive(Debug, Clone, Serialize)]
pub struct PolicyResourceView {
    pub urn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceSummary>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupSummary {
    pub id: Uuid,
    pub name: String,
    pub read_only: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSummary {
    pub id: Uuid,
    pub name: String,
    pub display_name: String,
    pub owner: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub tags: BTreeMap<String, String>,
}

impl From<&Resource> for ResourceSummary {
    fn from(r: &Resource) -> Self {
        ResourceSummary {
            id: r.id,
            name: r.name.clone(),
            display_name: r.display_name.clone(),
            owner: r.account.clone(),
            resource_type: r.resource_type.clone(),
            tags: r.tags.clone(),
        }
    }
}

/// `iam.policy.PermissionsGroup`: the URN, and with details the group it names.
#[derive(Debug, Clone, Serialize)]
pub struct PermissionsGroupRefView {
    pub urn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Permissions>,
}

/// What `details=true` expands URNs into, loaded once per request.
#[derive(Default)]
pub struct Expansion {
    groups: HashMap<String, GroupSummary>,
    resources: HashMap<String, ResourceSummary>,
    permissions_groups: HashMap<String, PermissionsGroup>,
}

impl Expansion {
    /// Nothing to expand (`details` absent or false).
    pub fn none() -> Expansion {
        Expansion::default()
    }

    pub async fn load(ctx: &ServiceContext, actor: &Actor) -> Result<Expansion> {
        let account = &actor.principal.account;
        let groups = ctx.store.list_resource_groups(account).await?;
        let resources = ctx.store.list_resources(account).await?;
        let mut permissions_groups = ctx.store.list_permissions_groups(account).await?;
        permissions_groups.extend(builtin_permissions_groups(actor.principal.plate));
        Ok(Expansion {
            groups: groups
                .into_iter()
                .map(|g| (g.urn.clone(), summary(g)))
                .collect(),
            resources: resources
                .iter()
                .map(|r| (r.urn.clone(), ResourceSummary::from(r)))
                .collect(),
            permissions_groups: permissions_groups
                .into_iter()
                .map(|g| (g.urn.clone(), g))
                .collect(),
        })
    }

    pub fn view(&self, policy: Policy) -> PolicyView {
        let resources = policy
            .resources
            .into_iter()
            .map(|r| PolicyResourceView {
                group: self.groups.get(&r.urn).cloned(),
                resource: self.resources.get(&r.urn).cloned(),
                urn: r.urn,
            })
            .collect();
        let permissions_groups = policy
            .permissions_groups
            .into_iter()
            .map(|g| {
                let found = self.permissions_groups.get(&g.urn);
                PermissionsGroupRefView {
                    name: found.map(|f| f.name.clone()),
                    owner: found.map(|f| f.owner.clone()),
                    permissions: found.map(|f| f.permissions.clone()),
                    urn: g.urn,
                }
            })
            .collect();
        PolicyView {
            id: policy.id,
            name: policy.name,
            description: policy.description,
            identities: policy.identities,
            resources,
            permissions: policy.permissions,
            permissions_groups,
            conditions: policy.conditions,
            expired_at: policy.expired_at,
            read_only: policy.read_only,
            owner: policy.owner,
            updated_at: policy.updated_at.unwrap_or(policy.created_at),
            created_at: policy.created_at,
        }
    }
}

fn summary(g: ResourceGroup) -> GroupSummary {
    GroupSummary {
        id: g.id,
        name: g.name,
        read_only: g.read_only,
    }
}
