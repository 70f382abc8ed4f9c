//! Look-up tables keyed by URN pattern: exact URNs in a hash map; prefixes and suffixes in
//! radix tries walked once per URN; contains-patterns in a short list scanned. [`Bucket`] is the resource-level table holding policies; the identity level
//! reuses [`WildTable`] with buckets as values.

use std::sync::Arc;

use uuid::Uuid;

use super::cow::{FastMap, table_size};
use super::trie::Trie;
use crate::compiled::CompiledPolicy;
use crate::pattern::UrnPattern;
use crate::request::ResourceFacts;

/// Values kept in tables know when they are empty (and then are dropped) and their size.
pub(crate) trait Entry: Clone + Default {
    fn is_empty(&self) -> bool;
    fn heap_size(&self) -> usize;
}

/// The policies stored under one (identity pattern, resource pattern) pair.
pub(crate) type Slots = Box<[Arc<CompiledPolicy>]>;

impl Entry for Slots {
    fn is_empty(&self) -> bool {
        self.as_ref().is_empty()
    }

    fn heap_size(&self) -> usize {
        self.len() * std::mem::size_of::<Arc<CompiledPolicy>>()
    }
}

pub(crate) fn add_slot(slots: &mut Slots, policy: &Arc<CompiledPolicy>) {
    let mut v = std::mem::take(slots).into_vec();
    v.push(policy.clone());
    *slots = v.into();
}

pub(crate) fn remove_slot(slots: &mut Slots, id: Uuid) {
    if slots.iter().any(|p| p.id == id) {
        *slots = slots.iter().filter(|p| p.id != id).cloned().collect();
    }
}

/// Prefix, suffix and contains patterns.
#[derive(Debug, Clone)]
pub(crate) struct WildTable<V> {
    prefix: Trie<V>,
    suffix: Trie<V>,
    contains: Vec<(Arc<str>, V)>,
}

impl<V: Entry> Default for WildTable<V> {
    fn default() -> Self {
        WildTable {
            prefix: Trie::prefixes(),
            suffix: Trie::suffixes(),
            contains: Vec::new(),
        }
    }
}

impl<V: Entry> WildTable<V> {
    /// Changes the entry of a non-exact pattern.
    pub(crate) fn update(&mut self, pattern: &UrnPattern, f: impl FnOnce(&mut V)) {
        match pattern {
            UrnPattern::Prefix(p) => self.prefix.update(p, f),
            UrnPattern::Suffix(s) => self.suffix.update(s, f),
            UrnPattern::Contains(c) | UrnPattern::Exact(c) => {
                let at = self.contains.iter().position(|(k, _)| **k == **c);
                let at = at.unwrap_or_else(|| {
                    self.contains.push((c.clone(), V::default()));
                    self.contains.len() - 1
                });
                f(&mut self.contains[at].1);
                if self.contains[at].1.is_empty() {
                    self.contains.swap_remove(at);
                }
            }
        }
    }

    /// Calls `f` with every entry whose pattern matches `urn`.
    #[inline]
    pub(crate) fn for_each_match<'a>(&'a self, urn: &str, f: &mut impl FnMut(&'a V)) {
        self.prefix.for_each_match(urn, f);
        self.suffix.for_each_match(urn, f);
        for (needle, v) in &self.contains {
            if urn.contains(&**needle) {
                f(v);
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.prefix.is_empty() && self.suffix.is_empty() && self.contains.is_empty()
    }

    pub(crate) fn heap_size(&self) -> usize {
        let contains: usize = self.contains.iter().map(|(_, v)| v.heap_size()).sum();
        self.prefix.heap_size()
            + self.suffix.heap_size()
            + contains
            + self.contains.capacity() * std::mem::size_of::<(Arc<str>, V)>()
    }
}

/// The resource-level table of one identity pattern: which policies name which resources.
#[derive(Debug, Clone, Default)]
pub(crate) struct Bucket {
    exact: FastMap<Arc<str>, Slots>,
    /// How many exact keys are resource-group URNs: none, and groups need no exact probe.
    group_keys: u32,
    wild: Option<Box<WildTable<Slots>>>,
}

fn is_group_urn(urn: &str) -> bool {
    urn.contains(":resourceGroup:")
}

impl Bucket {
    pub(crate) fn add(&mut self, pattern: &UrnPattern, policy: &Arc<CompiledPolicy>) {
        self.update(pattern, |slots| add_slot(slots, policy));
    }

    pub(crate) fn remove(&mut self, pattern: &UrnPattern, id: Uuid) {
        self.update(pattern, |slots| remove_slot(slots, id));
    }

    fn update(&mut self, pattern: &UrnPattern, f: impl FnOnce(&mut Slots)) {
        let UrnPattern::Exact(urn) = pattern else {
            let wild = self.wild.get_or_insert_with(Box::default);
            wild.update(pattern, f);
            if wild.is_empty() {
                self.wild = None;
            }
            return;
        };
        match self.exact.get_mut(&**urn) {
            Some(slots) => {
                f(slots);
                if slots.is_empty() {
                    self.exact.remove(&**urn);
                    self.group_keys -= u32::from(is_group_urn(urn));
                }
            }
            None => {
                let mut slots = Slots::default();
                f(&mut slots);
                if !slots.is_empty() {
                    self.exact.insert(urn.clone(), slots);
                    self.group_keys += u32::from(is_group_urn(urn));
                }
            }
        }
    }

    /// Pushes the policies naming the resource or one of its groups.
    #[inline]
    pub(crate) fn collect<'a>(
        &'a self,
        resource: &ResourceFacts,
        out: &mut Vec<&'a CompiledPolicy>,
    ) {
        let mut push = |slots: &'a Slots| out.extend(slots.iter().map(|p| &**p));
        if let Some(slots) = self.exact.get(resource.urn.as_str()) {
            push(slots);
        }
        if self.group_keys > 0 {
            for urn in &resource.groups {
                if let Some(slots) = self.exact.get(urn.as_str()) {
                    push(slots);
                }
            }
        }
        if let Some(wild) = &self.wild {
            for urn in std::iter::once(&resource.urn).chain(&resource.groups) {
                wild.for_each_match(urn, &mut push);
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.wild.is_none()
    }
}

impl Entry for Bucket {
    fn is_empty(&self) -> bool {
        Bucket::is_empty(self)
    }

    fn heap_size(&self) -> usize {
        let exact: usize = self.exact.values().map(Entry::heap_size).sum();
        let wild = self.wild.as_ref().map_or(0, |w| {
            std::mem::size_of::<WildTable<Slots>>() + w.heap_size()
        });
        table_size(&self.exact) + exact + wild
    }
}

impl Entry for Arc<Bucket> {
    fn is_empty(&self) -> bool {
        Bucket::is_empty(self)
    }

    fn heap_size(&self) -> usize {
        16 + std::mem::size_of::<Bucket>() + Entry::heap_size(&**self)
    }
}
