//! The in-memory revocation list (DESIGN.md §5): `jti`s of revoked access tokens, and
//! `client:<clientId>` entries for deleted service accounts, each kept until the tokens it
//! refuses would have expired anyway. Checked on every token verification without touching
//! the store; updated at once by revocations made here and by those another node announces
//! at its commit (`Change::Revoked`), and reloaded from the store every `revision_check_ms`
//! as a safety net.

use std::collections::{HashMap, HashSet};
use std::sync::RwLock;

use chrono::{DateTime, Utc};
use iam_store::RevokedToken;

/// The revocation key that refuses every token of a deleted client.
pub fn client_key(client_id: &str) -> String {
    format!("client:{client_id}")
}

#[derive(Default)]
pub struct Revocations {
    /// What the store held at the last refresh, plus local revocations.
    known: RwLock<HashSet<String>>,
    /// Revocations made on this node or heard of from another, with their expiry: merged
    /// into every refresh, so a refresh that read the store just before the revocation's
    /// commit cannot drop it.
    local: RwLock<HashMap<String, DateTime<Utc>>>,
}

impl Revocations {
    pub fn new() -> Self {
        Self::default()
    }

    fn contains(&self, key: &str) -> bool {
        self.known
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .contains(key)
    }

    /// True when the token `jti` of `client_id` must be refused.
    pub fn is_revoked(&self, jti: &str, client_id: &str) -> bool {
        self.contains(jti) || self.client_revoked(client_id)
    }

    /// True when the revocation `key` (a console session, `console:<sid>`) is known.
    pub fn key_revoked(&self, key: &str) -> bool {
        self.contains(key)
    }

    pub fn client_revoked(&self, client_id: &str) -> bool {
        self.contains(&client_key(client_id))
    }

    /// Records a revocation this node has just written to the store, or heard of. The `local` lock is
    /// held while `known` changes (in `replace` too), so no refresh can drop the entry.
    pub fn insert(&self, key: &str, expires_at: DateTime<Utc>) {
        let mut local = self
            .local
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        local.insert(key.to_owned(), expires_at);
        let mut known = self
            .known
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        known.insert(key.to_owned());
    }

    /// Replaces the list with what the store holds at `now` (plus unexpired local entries).
    pub fn replace(&self, stored: Vec<RevokedToken>, now: DateTime<Utc>) {
        let mut next: HashSet<String> = stored.into_iter().map(|r| r.jti).collect();
        let mut local = self
            .local
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        local.retain(|_, expires_at| *expires_at > now);
        next.extend(local.keys().cloned());
        self.swap(next);
    }

    fn swap(&self, next: HashSet<String>) {
        *self
            .known
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = next;
    }

    pub fn len(&self) -> usize {
        self.known
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn stored(jti: &str, expires_at: DateTime<Utc>) -> RevokedToken {
        RevokedToken {
            jti: jti.into(),
            account: "xx1111-ovh".into(),
            expires_at,
        }
    }

    #[test]
    fn tokens_and_clients_are_refused() {
        let list = Revocations::new();
        let later = Utc::now() + Duration::hours(1);
        assert!(!list.is_revoked("j1", "EU.1"));
        list.insert("j1", later);
        list.insert(&client_key("EU.2"), later);
        assert!(list.is_revoked("j1", "EU.1"));
        assert!(list.is_revoked("other", "EU.2"));
        assert!(list.client_revoked("EU.2") && !list.client_revoked("EU.1"));
    }

    #[test]
    fn a_refresh_keeps_local_entries_until_they_expire() {
        let list = Revocations::new();
        let now = Utc::now();
        list.insert("local", now + Duration::seconds(10));
        list.replace(vec![stored("remote", now + Duration::hours(1))], now);
        assert!(list.is_revoked("local", "c") && list.is_revoked("remote", "c"));
        list.replace(vec![], now + Duration::seconds(11));
        assert!(list.is_empty(), "expired local entries are forgotten");
    }
}
