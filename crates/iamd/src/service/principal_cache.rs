//! Who each personal access token (or root token) acts as, kept in memory so that an
//! authenticated call costs no store round trip: resolving a token read the store two or
//! three times, several times the cost of the decision itself (BENCHMARKS.md,
//! "authorization/check over HTTP").
//!
//! Entries are keyed by the token's keyed hash, never by the token. An entry goes stale when
//! a write changes who its token acts as: the token edited (its expiry) or deleted, its user
//! edited (its group), disabled or deleted. Every such write through this node calls
//! `invalidate` for its account before answering; another node's arrives as a
//! `Change::Credentials` notification (`startup.rs`), and a feed that lost its connection
//! clears everything. Invalidating moves the account's generation, in O(1): entries of an
//! older generation are misses. A resolution that raced with an invalidation (it read the
//! store before the write and would store its answer after) is not stored, so a stale entry
//! cannot outlive the write that made it stale. `PRINCIPAL_CACHE_TTL` is only a safety net.
//!
//! Deleting a group needs no invalidation: the store refuses while users belong to it, so no
//! principal names it. Unknown and refused tokens are not cached: each costs a store read, as
//! before. The caller checks a cached token's expiry against the clock on every call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::service::principal::Principal;

/// How long a resolved token is trusted without a notification: a safety net only.
pub const PRINCIPAL_CACHE_TTL: Duration = Duration::from_secs(60);
/// Entries held at most; past that, stale entries are dropped, then everything.
pub const PRINCIPAL_CACHE_CAPACITY: usize = 100_000;

/// A resolved token: who it acts as, and what authentication still checks on every call.
#[derive(Debug)]
pub struct ResolvedToken {
    pub principal: Principal,
    pub token_id: Uuid,
    pub expires_at: Option<DateTime<Utc>>,
    /// The `lastUsed` this node last wrote or read, for the write's granularity.
    last_used: Mutex<Option<DateTime<Utc>>>,
}

impl ResolvedToken {
    pub fn new(
        principal: Principal,
        token_id: Uuid,
        expires_at: Option<DateTime<Utc>>,
        last_used: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            principal,
            token_id,
            expires_at,
            last_used: Mutex::new(last_used),
        }
    }

    /// Whether `lastUsed` should be written now (it was, at most, `granularity` ago): true
    /// for one caller, which then owns the write, until `granularity` has passed again.
    pub fn claim_use(&self, now: DateTime<Utc>, granularity: chrono::Duration) -> bool {
        let mut last = self
            .last_used
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if last.is_some_and(|at| now - at < granularity) {
            return false;
        }
        *last = Some(now);
        true
    }
}

/// Taken before resolving a token from the store; `put` stores the answer only if no
/// invalidation happened since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

struct Entry {
    token: Arc<ResolvedToken>,
    generation: u64,
    fetched: Instant,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Vec<u8>, Entry>,
    /// Per account; an account absent is at generation 0.
    generations: HashMap<String, u64>,
    /// Moves with every invalidation of any account (see `Ticket`).
    epoch: u64,
}

impl Inner {
    fn generation(&self, account: &str) -> u64 {
        self.generations.get(account).copied().unwrap_or_default()
    }

    fn is_current(&self, entry: &Entry) -> bool {
        entry.fetched.elapsed() < PRINCIPAL_CACHE_TTL
            && entry.generation == self.generation(&entry.token.principal.account)
    }

    fn make_room(&mut self) {
        if self.entries.len() < PRINCIPAL_CACHE_CAPACITY {
            return;
        }
        let entries = std::mem::take(&mut self.entries);
        self.entries = entries
            .into_iter()
            .filter(|(_, e)| self.is_current(e))
            .collect();
        if self.entries.len() >= PRINCIPAL_CACHE_CAPACITY {
            self.entries.clear();
        }
    }
}

#[derive(Default)]
pub struct PrincipalCache {
    inner: RwLock<Inner>,
}

impl PrincipalCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The token whose keyed hash is `hash`, if held and current.
    pub fn get(&self, hash: &[u8]) -> Option<Arc<ResolvedToken>> {
        let inner = self.read();
        let entry = inner.entries.get(hash)?;
        inner.is_current(entry).then(|| entry.token.clone())
    }

    /// To take before reading the store for a token that `get` did not have.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.read().epoch)
    }

    /// Holds `token` under `hash`, unless something was invalidated since `ticket`.
    pub fn put(&self, hash: Vec<u8>, token: Arc<ResolvedToken>, ticket: Ticket) {
        let mut inner = self.write();
        if inner.epoch != ticket.0 {
            return;
        }
        inner.make_room();
        let generation = inner.generation(&token.principal.account);
        let entry = Entry {
            token,
            generation,
            fetched: Instant::now(),
        };
        inner.entries.insert(hash, entry);
    }

    /// Forgets every token of `account` (after a write that may change who they act as).
    pub fn invalidate(&self, account: &str) {
        let mut inner = self.write();
        *inner.generations.entry(account.to_owned()).or_default() += 1;
        inner.epoch += 1;
    }

    /// Forgets everything (the change feed may have missed notifications).
    pub fn clear(&self) {
        let mut inner = self.write();
        inner.entries.clear();
        inner.epoch += 1;
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use iam_core::urn::Plate;

    use super::*;
    use crate::service::principal::PrincipalKind;

    fn resolved(account: &str) -> Arc<ResolvedToken> {
        let principal = Principal {
            account: iam_core::AccountId::parse(account).unwrap(),
            plate: Plate::Eu,
            identities: vec![format!("urn:v1:eu:identity:account:{account}")],
            kind: PrincipalKind::Root,
        };
        Arc::new(ResolvedToken::new(principal, Uuid::new_v4(), None, None))
    }

    fn hold(cache: &PrincipalCache, hash: &[u8], account: &str) {
        let ticket = cache.ticket();
        cache.put(hash.to_vec(), resolved(account), ticket);
    }

    #[test]
    fn invalidating_an_account_forgets_its_tokens_only() {
        let cache = PrincipalCache::new();
        hold(&cache, b"a", "aa1111-ovh");
        hold(&cache, b"b", "bb2222-ovh");
        assert!(cache.get(b"a").is_some());
        cache.invalidate("aa1111-ovh");
        assert!(cache.get(b"a").is_none());
        assert!(cache.get(b"b").is_some(), "another account is untouched");
        hold(&cache, b"a", "aa1111-ovh");
        assert!(cache.get(b"a").is_some(), "resolved again after the change");
        cache.clear();
        assert!(cache.get(b"a").is_none() && cache.get(b"b").is_none());
    }

    #[test]
    fn a_resolution_that_raced_with_an_invalidation_is_not_held() {
        let cache = PrincipalCache::new();
        let ticket = cache.ticket();
        // A write commits and invalidates while the store is being read...
        cache.invalidate("bb2222-ovh");
        // ...so what was read may predate it, whichever account it was for.
        cache.put(b"a".to_vec(), resolved("aa1111-ovh"), ticket);
        assert!(cache.get(b"a").is_none());
    }

    #[test]
    fn one_caller_at_a_time_owns_the_last_used_write() {
        let token = resolved("aa1111-ovh");
        let minute = chrono::Duration::seconds(60);
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        assert!(token.claim_use(now, minute), "never used: write it");
        assert!(!token.claim_use(now, minute), "just written");
        assert!(!token.claim_use(now + chrono::Duration::seconds(59), minute));
        assert!(token.claim_use(now + minute, minute));
    }
}
