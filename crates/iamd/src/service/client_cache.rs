//! Service-account records as client authentication needs them, kept in memory for
//! `CLIENT_CACHE_TTL` so that issuing a token costs no store round trip (the store read was
//! more than the signature itself: BENCHMARKS.md, "Token endpoint").
//!
//! What authentication reads never changes while a client exists: its account, its flow and
//! its secret hash (there is no secret regeneration; one that is added must `forget` the id and
//! publish a revocation like `delete` does). A deleted client is refused through the
//! revocation list, which every node checks on every authentication, so the cache never
//! extends a client's life. Unknown ids are cached too ("no such client"), so that whether an
//! id exists does not show in how long the answer takes: any id costs one store read per
//! TTL, known or not.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use iam_store::OAuthClient;

/// How long a looked-up client (or its absence) is trusted.
pub const CLIENT_CACHE_TTL: Duration = Duration::from_secs(60);
/// Entries held at most; past that the cache starts over (made-up ids cannot grow it forever).
pub const CLIENT_CACHE_CAPACITY: usize = 100_000;

struct Entry {
    client: Option<Arc<OAuthClient>>,
    fetched: Instant,
}

#[derive(Default)]
pub struct ClientCache {
    entries: RwLock<HashMap<String, Entry>>,
}

impl ClientCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// `Some(lookup)` when a fresh answer is held: `Some(None)` means "no such client".
    pub fn get(&self, client_id: &str) -> Option<Option<Arc<OAuthClient>>> {
        let entries = self
            .entries
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = entries.get(client_id)?;
        (entry.fetched.elapsed() < CLIENT_CACHE_TTL).then(|| entry.client.clone())
    }

    pub fn put(&self, client_id: &str, client: Option<Arc<OAuthClient>>) {
        let mut entries = self
            .entries
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= CLIENT_CACHE_CAPACITY {
            entries.clear();
        }
        entries.insert(
            client_id.to_owned(),
            Entry {
                client,
                fetched: Instant::now(),
            },
        );
    }

    /// Drops what is held about `client_id` (after a change made on this node).
    pub fn forget(&self, client_id: &str) {
        let mut entries = self
            .entries
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.remove(client_id);
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn client(id: &str) -> Arc<OAuthClient> {
        Arc::new(OAuthClient {
            client_id: id.into(),
            account: "xx1111-ovh".into(),
            name: "n".into(),
            description: "d".into(),
            flow: iam_store::ClientFlow::ClientCredentials,
            callback_urls: vec![],
            secret_hash: vec![1; 32],
            created_at: Utc::now(),
            updated_at: Utc::now(),
        })
    }

    #[test]
    fn holds_clients_and_absences_until_forgotten() {
        let cache = ClientCache::new();
        assert!(cache.get("EU.1").is_none(), "nothing held yet");
        cache.put("EU.1", Some(client("EU.1")));
        cache.put("EU.2", None);
        assert_eq!(
            cache
                .get("EU.1")
                .flatten()
                .map(|c| c.client_id.clone())
                .as_deref(),
            Some("EU.1")
        );
        assert!(
            matches!(cache.get("EU.2"), Some(None)),
            "an absence is an answer too"
        );
        cache.forget("EU.1");
        assert!(cache.get("EU.1").is_none());
    }
}
