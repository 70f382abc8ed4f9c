//! Storage for the index: a fast non-cryptographic hasher and a sharded copy-on-write map.
//!
//! `CowMap` keeps its entries in [`SHARDS`] `Arc`-shared hash maps. Cloning the map clones
//! the `Arc`s only; changing an entry copies just its shard when the shard is shared (so a
//! new index version made from an old one costs one shard, not the world).
//!
//! The hasher is FxHash with a final mix: keys are URNs and UUIDs of one account, which
//! that account controls, so collisions could only slow down that account's own index.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
use std::sync::Arc;

/// Shards per map: at 100,000 entries a write copies about 1,600.
pub(crate) const SHARDS: usize = 64;

/// FxHash (rustc's hasher) plus a final avalanche so low bits are usable by the table.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let h = self.hash;
        (h ^ (h >> 31)).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (h >> 29)
    }
}

pub(crate) type FastBuild = BuildHasherDefault<FxHasher>;
pub(crate) type FastMap<K, V> = HashMap<K, V, FastBuild>;

/// Heap bytes of a hash map's table (not of what its entries own).
pub(crate) fn table_size<K, V>(map: &FastMap<K, V>) -> usize {
    if map.capacity() == 0 {
        return 0;
    }
    // hashbrown: buckets are a power of two holding capacity * 8 / 7, one control byte each.
    let buckets = (map.capacity() * 8 / 7).next_power_of_two();
    buckets * (std::mem::size_of::<(K, V)>() + 1) + 16
}

/// A sharded, copy-on-write hash map.
#[derive(Debug, Clone)]
pub(crate) struct CowMap<K, V> {
    shards: Box<[Arc<FastMap<K, V>>]>,
}

impl<K, V> Default for CowMap<K, V> {
    fn default() -> Self {
        CowMap {
            shards: (0..SHARDS).map(|_| Arc::new(FastMap::default())).collect(),
        }
    }
}

impl<K: Hash + Eq + Clone, V: Clone> CowMap<K, V> {
    fn shard_of<Q: Hash + ?Sized>(key: &Q) -> usize {
        let h = FastBuild::default().hash_one(key);
        (h >> 58) as usize % SHARDS
    }

    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.shards[Self::shard_of(key)].get(key)
    }

    /// The shard holding `key`, unshared first (copied if another index version shares it).
    pub(crate) fn shard_mut<Q: Hash + ?Sized>(&mut self, key: &Q) -> &mut FastMap<K, V> {
        Arc::make_mut(&mut self.shards[Self::shard_of(key)])
    }

    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.shard_mut(&key).insert(key, value)
    }

    pub(crate) fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        // Only an entry that exists is worth unsharing its shard for.
        self.get(key)?;
        self.shard_mut(key).remove(key)
    }

    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.len()).sum()
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.shards.iter().flat_map(|s| s.values())
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.shards.iter().flat_map(|s| s.iter())
    }

    /// Heap bytes of the shards' tables (entries' own heap not included).
    pub(crate) fn table_size(&self) -> usize {
        self.shards.len() * 16
            + self
                .shards
                .iter()
                .map(|s| 16 + table_size(s))
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_until_written() {
        let mut a: CowMap<String, u32> = CowMap::default();
        for i in 0..1000 {
            a.insert(format!("k{i}"), i);
        }
        let mut b = a.clone();
        b.insert("k1".into(), 7);
        assert_eq!(a.get("k1"), Some(&1));
        assert_eq!(b.get("k1"), Some(&7));
        let shared = a
            .shards
            .iter()
            .zip(b.shards.iter())
            .filter(|(x, y)| Arc::ptr_eq(x, y))
            .count();
        assert_eq!(shared, SHARDS - 1);
        assert_eq!(b.remove("k2"), Some(2));
        assert_eq!(b.remove("k2"), None);
        assert_eq!((a.len(), b.len()), (1000, 999));
    }

    #[test]
    fn the_hasher_spreads_similar_keys() {
        let build = FastBuild::default();
        let mut shards = [0usize; SHARDS];
        for i in 0..6400 {
            let key = format!("urn:v1:eu:identity:user:xx1111-ovh/user{i}");
            shards[(build.hash_one(key.as_str()) >> 58) as usize % SHARDS] += 1;
        }
        assert!(shards.iter().all(|n| (50..150).contains(n)), "{shards:?}");
    }
}
