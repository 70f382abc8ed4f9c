//! The compiled policy index of one account (DESIGN.md §4, performance model): a decision
//! looks up only the policies that can apply, by identity then by resource, instead of
//! scanning them all.
//!
//! Layout: identity pattern → `Bucket` (exact identities in a sharded copy-on-write map,
//! prefix/suffix/contains identity patterns in a small wild table), and in each bucket
//! resource pattern → policies (exact URNs hashed, prefix and suffix patterns hashed per
//! distinct length, contains-patterns listed). A policy sits in every (identity, resource)
//! pair it names. Resource groups need no table of their own: the request carries the URNs
//! of the groups holding the resource and each is looked up like the resource URN.
//! Permissions groups are resolved by URN at decision time, so changing a group touches no
//! policy. Group roles are synthetic policies in the same tables (see `system.rs`).
//!
//! Costs (n policies, k = identity keys, I×R = identity × resource patterns of one policy):
//!
//! | operation | cost |
//! |---|---|
//! | `build` | compile each policy + I×R hash inserts each: O(Σ I×R) |
//! | `clone` | 2 × 64 shard `Arc`s + 2 `Arc`s: O(1), no policy copied |
//! | `upsert`, `remove`, `set_role` | compile + I×R updates; on an index shared with a clone, copy-on-write of the touched shards (≈ n/64 policy slots, ≈ k/64 identity keys), of each touched bucket, and of the wild identity table if a wildcard identity changed |
//! | `upsert_permissions_group` | compile + copy of the account's group map (a few entries) |
//! | decision | per principal identity: 1 exact look-up + 1 per distinct wildcard-identity prefix/suffix length + the contains list; per bucket found: (1 + groups of the resource) × (1 exact + 1 per distinct prefix/suffix length + the contains list); then condition and action checks of the applicable policies only |
//!
//! The index is immutable once shared: the server clones it (cheap), applies a change to
//! the clone and swaps it in atomically; readers of the old version are never blocked.
//! [`PolicyIndex::heap_size`] accounts the bytes it owns (see its doc).

use std::sync::Arc;

use uuid::Uuid;

use crate::compiled::{CompiledGroup, CompiledPolicy};
use crate::error::{ErrorCode, ValidationError};
use crate::evaluate::{Applicable, applicable_of};
use crate::pattern::UrnPattern;
use crate::policy::{PermissionsGroup, Policy};
use crate::request::RequestFacts;
use crate::system::{Builtins, RoleBinding, role_policy_id};
use crate::urn::{Urn, UrnFamily};

mod cow;
mod table;
mod trie;

use cow::{CowMap, FastMap, table_size};
use table::{Bucket, Entry, WildTable};

/// An account's compiled policies, permissions groups and group roles.
#[derive(Debug, Clone)]
pub struct PolicyIndex {
    builtins: Arc<Builtins>,
    policies: CowMap<Uuid, Arc<CompiledPolicy>>,
    exact_identities: CowMap<Arc<str>, Arc<Bucket>>,
    wild_identities: Arc<WildTable<Arc<Bucket>>>,
    groups: Arc<FastMap<Arc<str>, Arc<CompiledGroup>>>,
}

/// What [`PolicyIndex::build`] had to leave out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skipped {
    Policy {
        id: Uuid,
        name: String,
        error: ValidationError,
    },
    PermissionsGroup {
        urn: String,
        error: ValidationError,
    },
    Role {
        group: String,
        error: ValidationError,
    },
}

/// A built index and what was skipped because it did not validate.
#[derive(Debug, Clone)]
pub struct BuildOutcome {
    pub index: PolicyIndex,
    pub skipped: Vec<Skipped>,
}

impl PolicyIndex {
    /// An empty index (the built-in permissions groups only).
    pub fn new(builtins: Arc<Builtins>) -> PolicyIndex {
        PolicyIndex {
            builtins,
            policies: CowMap::default(),
            exact_identities: CowMap::default(),
            wild_identities: Arc::default(),
            groups: Arc::default(),
        }
    }

    /// Compiles an account's policies, permissions groups and group roles. Anything that
    /// does not validate is skipped and reported, never fatal (like cedar's authorizer).
    pub fn build<'a>(
        builtins: &Arc<Builtins>,
        policies: impl IntoIterator<Item = &'a Policy>,
        permissions_groups: impl IntoIterator<Item = &'a PermissionsGroup>,
        roles: &[RoleBinding],
    ) -> BuildOutcome {
        let mut index = PolicyIndex::new(builtins.clone());
        let mut skipped = Vec::new();
        for group in permissions_groups {
            if let Err(error) = index.upsert_permissions_group(group) {
                skipped.push(Skipped::PermissionsGroup {
                    urn: group.urn.clone(),
                    error,
                });
            }
        }
        for policy in policies {
            if let Err(error) = index.upsert(policy) {
                skipped.push(Skipped::Policy {
                    id: policy.id,
                    name: policy.name.clone(),
                    error,
                });
            }
        }
        for role in roles {
            if let Err(error) = index.set_role(role) {
                skipped.push(Skipped::Role {
                    group: role.group.clone(),
                    error,
                });
            }
        }
        BuildOutcome { index, skipped }
    }

    /// Inserts or replaces a policy by id.
    pub fn upsert(&mut self, policy: &Policy) -> Result<(), ValidationError> {
        let compiled = policy.compile()?;
        self.insert_compiled(Arc::new(compiled));
        Ok(())
    }

    /// Removes a policy by id; false if it was not there.
    pub fn remove(&mut self, id: Uuid) -> bool {
        match self.policies.remove(&id) {
            Some(old) => {
                self.unlink(&old);
                true
            }
            None => false,
        }
    }

    /// Inserts or replaces a permissions group by URN (built-in ones are read-only).
    pub fn upsert_permissions_group(
        &mut self,
        group: &PermissionsGroup,
    ) -> Result<(), ValidationError> {
        let set = group.compile()?;
        let urn = canonical_group_urn(&group.urn)?;
        if self.builtins.is_builtin_group(&urn) {
            let message = format!("{urn} is a built-in permissions group and cannot be changed");
            return Err(ValidationError::new(
                "urn",
                ErrorCode::InvalidPermissionsGroupUrn,
                message,
            ));
        }
        let compiled = Arc::new(CompiledGroup::new(&urn, set));
        Arc::make_mut(&mut self.groups).insert(compiled.urn.clone(), compiled);
        Ok(())
    }

    /// Removes an account permissions group by URN; false if it was not there.
    pub fn remove_permissions_group(&mut self, urn: &str) -> bool {
        let Ok(urn) = canonical_group_urn(urn) else {
            return false;
        };
        self.groups.contains_key(urn.as_str())
            && Arc::make_mut(&mut self.groups)
                .remove(urn.as_str())
                .is_some()
    }

    /// Sets (or replaces) the role of a group; `NONE` removes its role policy.
    pub fn set_role(&mut self, binding: &RoleBinding) -> Result<(), ValidationError> {
        match self.builtins.role_policy(binding)? {
            Some(policy) => self.insert_compiled(Arc::new(policy)),
            None => {
                self.remove_role(&binding.group);
            }
        }
        Ok(())
    }

    /// Removes a group's role policy (the group was deleted); false if it had none.
    pub fn remove_role(&mut self, group_urn: &str) -> bool {
        let canonical = Urn::parse(group_urn)
            .map(|u| u.to_string())
            .unwrap_or_else(|_| group_urn.to_owned());
        self.remove(role_policy_id(&canonical))
    }

    /// Policies, role policies included.
    pub fn len(&self) -> usize {
        self.policies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn policy(&self, id: Uuid) -> Option<&CompiledPolicy> {
        self.policies.get(&id).map(|p| &**p)
    }

    /// Every policy, in no particular order.
    pub fn policies(&self) -> impl Iterator<Item = &CompiledPolicy> {
        self.policies.values().map(|p| &**p)
    }

    /// A permissions group by canonical URN: the account's, then the built-in ones.
    pub fn permissions_group(&self, urn: &str) -> Option<&CompiledGroup> {
        self.groups
            .get(urn)
            .or_else(|| self.builtins.group(urn))
            .map(|g| &**g)
    }

    /// The policies that apply to the facts, sorted by id (see `evaluate.rs`).
    pub fn applicable(&self, facts: &RequestFacts) -> Vec<Applicable<'_>> {
        let mut candidates: Vec<&CompiledPolicy> = Vec::new();
        let resource = &facts.resource;
        for identity in &facts.identities {
            if let Some(bucket) = self.exact_identities.get(identity.as_str()) {
                bucket.collect(resource, &mut candidates);
            }
            self.wild_identities
                .for_each_match(identity, &mut |b: &Arc<Bucket>| {
                    b.collect(resource, &mut candidates)
                });
        }
        applicable_of(candidates, facts)
    }

    /// Bytes the index owns on the heap, by deterministic accounting rather than by
    /// measuring the allocator: hash tables at their real capacity (hashbrown's layout: a
    /// power-of-two bucket count, one entry and one control byte per bucket), every key and
    /// name string, `Arc` headers, slots, compiled actions, patterns and conditions.
    /// Allocator rounding and the shared [`Builtins`] are not included.
    pub fn heap_size(&self) -> usize {
        let policy_size = std::mem::size_of::<CompiledPolicy>() + 16;
        let policies: usize = self
            .policies
            .values()
            .map(|p| policy_size + p.heap_size())
            .sum();
        let identities: usize = self
            .exact_identities
            .iter()
            .map(|(_, b)| b.heap_size())
            .sum();
        let groups: usize = self.groups.values().map(|g| 16 + g.heap_size()).sum();
        self.policies.table_size()
            + policies
            + self.exact_identities.table_size()
            + identities
            + self.wild_identities.heap_size()
            + table_size(&self.groups)
            + groups
    }

    fn insert_compiled(&mut self, policy: Arc<CompiledPolicy>) {
        if let Some(old) = self.policies.insert(policy.id, policy.clone()) {
            self.unlink(&old);
        }
        for identity in policy.identities.iter() {
            self.update_identity(identity, |bucket| {
                for resource in policy.resources.iter() {
                    bucket.add(resource, &policy);
                }
            });
        }
    }

    fn unlink(&mut self, policy: &CompiledPolicy) {
        for identity in policy.identities.iter() {
            self.update_identity(identity, |bucket| {
                for resource in policy.resources.iter() {
                    bucket.remove(resource, policy.id);
                }
            });
        }
    }

    fn update_identity(&mut self, pattern: &UrnPattern, f: impl FnOnce(&mut Bucket)) {
        let UrnPattern::Exact(urn) = pattern else {
            let wild = Arc::make_mut(&mut self.wild_identities);
            wild.update(pattern, |bucket| f(Arc::make_mut(bucket)));
            return;
        };
        let shard = self.exact_identities.shard_mut(&**urn);
        let bucket = shard.entry(urn.clone()).or_default();
        f(Arc::make_mut(bucket));
        if bucket.is_empty() {
            shard.remove(&**urn);
        }
    }
}

fn canonical_group_urn(urn: &str) -> Result<String, ValidationError> {
    Urn::parse_as(urn, UrnFamily::PermissionsGroup)
        .map(|u| u.to_string())
        .map_err(|e| e.at("urn"))
}

#[cfg(test)]
mod tests;
