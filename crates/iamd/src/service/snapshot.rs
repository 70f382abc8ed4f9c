//! An account's compiled authorization ctx: its policy index (policies, permissions
//! groups, group roles) and the facts of its registered resources (name, type, tags, the
//! resource groups holding each). Built from the store in one pass; immutable once built.
//!
//! Every decision of iamd goes through `decide`, which only ever allows an action on a
//! resource registered in this account (DESIGN.md §4 rule 7, `iam_core::tenancy`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use iam_core::index::{PolicyIndex, Skipped};
use iam_core::request::{Context, ResourceFacts};
use iam_core::system::{Builtins, RoleBinding};
use iam_core::tenancy::{AccountResources, decide_in_account};
use iam_core::urn::{Plate, Urn};
use iam_store::{Account, Store};

pub use iam_core::evaluate::Decision;

use crate::service::error::{Result, ServiceError};

pub struct AccountSnapshot {
    pub account: Account,
    pub plate: Plate,
    /// The account revision the snapshot was built from.
    pub revision: i64,
    pub index: PolicyIndex,
    /// Facts of every resource registered in the account, by URN.
    resources: Arc<AccountResources>,
}

impl AccountSnapshot {
    pub async fn load(
        store: &dyn Store,
        builtins: &Arc<Builtins>,
        nic: &str,
    ) -> Result<AccountSnapshot> {
        // Read the revision first: a write racing with the load leaves an older revision
        // beside newer data, which only costs one more rebuild later.
        let account = store.get_account(nic).await?;
        let plate = Plate::parse(&account.plate).ok_or_else(|| {
            ServiceError::Internal(format!("account {nic} has plate {:?}", account.plate))
        })?;
        let policies = store.list_policies(nic).await?;
        let permissions_groups = store.list_permissions_groups(nic).await?;
        let roles = role_bindings(store, nic, plate).await?;
        let outcome = PolicyIndex::build(builtins, &policies, &permissions_groups, &roles);
        report_skipped(nic, &outcome.skipped);
        Ok(AccountSnapshot {
            revision: account.revision,
            resources: Arc::new(resource_facts(store, nic).await?),
            index: outcome.index,
            account,
            plate,
        })
    }

    /// This snapshot with another index, at `revision` (an incremental change: the resources
    /// are shared, not copied).
    pub fn with_index(&self, index: PolicyIndex, revision: i64) -> AccountSnapshot {
        AccountSnapshot {
            account: Account {
                revision,
                ..self.account.clone()
            },
            plate: self.plate,
            revision,
            index,
            resources: self.resources.clone(),
        }
    }

    /// The facts of `urn` if it is registered in the account; `None` otherwise (whatever
    /// its URN says, such a resource is not this account's to decide on).
    pub fn registered(&self, urn: &str) -> Option<&ResourceFacts> {
        self.resources.get(urn)
    }

    /// URNs of the account's registered resources of `resource_type` (the OpenStack role
    /// adapter lists the account's `publicCloudProject`s this way).
    pub fn resource_urns_of_type<'a>(
        &'a self,
        resource_type: &'a str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.resources
            .of_type(resource_type)
            .map(|f| f.urn.as_str())
    }

    /// Decides `actions` on `resource_urn` for a principal acting as `identities`: an
    /// implicit deny, explained as such, for a resource not registered in the account.
    pub fn decide<S: AsRef<str>>(
        &self,
        identities: &[String],
        resource_urn: &str,
        actions: &[S],
        now: DateTime<Utc>,
        ip: Option<IpAddr>,
    ) -> Vec<Decision> {
        decide_in_account(
            &self.index,
            &self.resources,
            identities,
            resource_urn,
            actions,
            Context { now, ip },
        )
    }
}

/// Each group's role, granted on the account's default resource group.
async fn role_bindings(store: &dyn Store, nic: &str, plate: Plate) -> Result<Vec<RoleBinding>> {
    let default_group = store
        .list_resource_groups(nic)
        .await?
        .into_iter()
        .find(|g| g.read_only)
        .ok_or_else(|| {
            ServiceError::Internal(format!("account {nic} has no default resource group"))
        })?;
    let groups = store.list_groups(nic).await?;
    Ok(groups
        .into_iter()
        .map(|g| RoleBinding {
            group: Urn::group(plate, nic, &g.name).to_string(),
            role: g.role,
            default_resource_group: default_group.urn.clone(),
        })
        .collect())
}

/// Every resource's facts, with the URNs of the groups that hold it.
async fn resource_facts(store: &dyn Store, nic: &str) -> Result<AccountResources> {
    let groups = store.list_resource_groups(nic).await?;
    let mut groups_of: HashMap<uuid::Uuid, Vec<String>> = HashMap::new();
    for group in &groups {
        for member in &group.members {
            groups_of
                .entry(*member)
                .or_default()
                .push(group.urn.clone());
        }
    }
    let resources = store.list_resources(nic).await?;
    Ok(AccountResources::new(resources.into_iter().map(|r| {
        ResourceFacts {
            groups: groups_of.remove(&r.id).unwrap_or_default(),
            urn: r.urn,
            name: r.name,
            resource_type: r.resource_type,
            tags: r.tags,
        }
    })))
}

/// A stored object that no longer validates is left out of decisions, loudly.
fn report_skipped(nic: &str, skipped: &[Skipped]) {
    for item in skipped {
        tracing::error!(account = nic, skipped = ?item, "stored policy data does not compile; left out of decisions");
    }
}
