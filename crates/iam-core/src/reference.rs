//! A naive reference evaluator: every policy scanned, every pattern matched by hand. Kept
//! to check the index (property tests and the corpus compare both); not for production.
//! It shares only the final judging step (`evaluate::decide`) with the indexed path.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use uuid::Uuid;

use crate::compiled::{CompiledGroup, CompiledPolicy};
use crate::evaluate::{Decision, applicable_of, decide};
use crate::policy::{PermissionsGroup, Policy};
use crate::request::RequestFacts;
use crate::system::{Builtins, RoleBinding};
use crate::urn::Urn;

/// Policies and groups in plain collections.
#[derive(Debug, Clone)]
pub struct NaiveEvaluator {
    builtins: Arc<Builtins>,
    policies: BTreeMap<Uuid, CompiledPolicy>,
    groups: HashMap<String, CompiledGroup>,
}

impl NaiveEvaluator {
    /// Same inputs and skipping rules as `PolicyIndex::build`.
    pub fn build<'a>(
        builtins: &Arc<Builtins>,
        policies: impl IntoIterator<Item = &'a Policy>,
        permissions_groups: impl IntoIterator<Item = &'a PermissionsGroup>,
        roles: &[RoleBinding],
    ) -> NaiveEvaluator {
        let mut groups = HashMap::new();
        for g in permissions_groups {
            let urn = Urn::parse(&g.urn).map(|u| u.to_string());
            let usable = g.compile().ok().zip(urn.ok());
            if let Some((set, urn)) = usable.filter(|(_, urn)| builtins.group(urn).is_none()) {
                groups.insert(urn.clone(), CompiledGroup::new(&urn, set));
            }
        }
        let mut compiled = BTreeMap::new();
        for p in policies.into_iter().filter_map(|p| p.compile().ok()) {
            compiled.insert(p.id, p);
        }
        for role in roles {
            match builtins.role_policy(role) {
                Ok(Some(p)) => {
                    compiled.insert(p.id, p);
                }
                Ok(None) => {
                    let id = crate::system::role_policy_id(&role.group);
                    compiled.remove(&id);
                }
                Err(_) => {}
            }
        }
        NaiveEvaluator {
            builtins: builtins.clone(),
            policies: compiled,
            groups,
        }
    }

    /// Scans every policy.
    pub fn evaluate(&self, facts: &RequestFacts, action: &str) -> Decision {
        let candidates = self
            .policies
            .values()
            .filter(|p| p.names_identity(&facts.identities) && p.names_resource(&facts.resource))
            .collect();
        let applicable = applicable_of(candidates, facts);
        decide(&applicable, action, |urn| {
            self.groups
                .get(urn)
                .or_else(|| self.builtins.group(urn).map(|g| &**g))
        })
    }

    pub fn len(&self) -> usize {
        self.policies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }
}

#[cfg(test)]
mod tests;
