//! Tenant isolation (DESIGN.md §4 rule 7): a decision never reaches outside the caller's
//! account. The resources registered in an account are the only ones its policies can allow
//! anything on; any other URN gets an implicit deny explained as `resourceNotInAccount`,
//! and no policy is consulted. Policies may still *name* any URN pattern (`*`, another
//! account's URN): this is what keeps them inside their account.
//!
//! Whose resource a URN is comes from the store, where a URN is registered in at most one
//! account; this module holds one account's side of that fact and the rule built on it.

use std::collections::HashMap;

use crate::evaluate::{Decision, evaluate_batch};
use crate::index::PolicyIndex;
use crate::request::{Context, RequestFacts, ResourceFacts};

#[cfg(test)]
mod tests;

/// The resources registered in one account, by URN, with the facts decisions need.
#[derive(Debug, Clone, Default)]
pub struct AccountResources {
    by_urn: HashMap<String, ResourceFacts>,
}

impl AccountResources {
    pub fn new(resources: impl IntoIterator<Item = ResourceFacts>) -> AccountResources {
        AccountResources {
            by_urn: resources.into_iter().map(|r| (r.urn.clone(), r)).collect(),
        }
    }

    /// The registered resource's facts; `None` for a URN outside the account.
    pub fn get(&self, urn: &str) -> Option<&ResourceFacts> {
        self.by_urn.get(urn)
    }

    /// The registered resources of one type.
    pub fn of_type<'a>(
        &'a self,
        resource_type: &'a str,
    ) -> impl Iterator<Item = &'a ResourceFacts> + 'a {
        self.by_urn
            .values()
            .filter(move |r| r.resource_type == resource_type)
    }

    pub fn len(&self) -> usize {
        self.by_urn.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_urn.is_empty()
    }
}

/// Decides `actions` on `urn` for a principal acting as `identities`, in the account whose
/// policies `index` holds and whose registered resources `resources` lists. Decisions come
/// in the order of `actions`.
pub fn decide_in_account<S: AsRef<str>>(
    index: &PolicyIndex,
    resources: &AccountResources,
    identities: &[String],
    urn: &str,
    actions: &[S],
    context: Context,
) -> Vec<Decision> {
    let Some(resource) = resources.get(urn) else {
        return actions.iter().map(|_| Decision::not_in_account()).collect();
    };
    let facts = RequestFacts {
        identities: identities.to_vec(),
        resource: resource.clone(),
        context,
    };
    evaluate_batch(index, &facts, actions)
}
