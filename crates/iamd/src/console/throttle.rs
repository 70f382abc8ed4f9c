//! Slowing down password guessing on the console's login form. Attempts are counted per name
//! tried (`NAME_FREE_FAILURES` free) and per client address (`ADDRESS_FREE_FAILURES` free:
//! one address may serve many people behind a NAT, but one address trying many names is a
//! spray). Once a key has used its free failures, its next attempt must wait, twice as long
//! after each further failure (up to `MAX_WAIT`), and is not even checked before then.
//!
//! An attempt is counted *before* its password is verified, under a lock in the store, so
//! attempts sent at once cannot all slip through before the first failure is recorded; a
//! success takes its count back (and clears the name's). The counters live in the store, so
//! every node sharing a PostgreSQL database counts the same failures; a key quiet for
//! `FORGET_AFTER` starts again from zero and is purged.

use std::time::Duration;

use chrono::{DateTime, Utc};
use iam_store::{LoginCounter, Store, StoreError};

use crate::clock::Clock;

/// Failures of one name allowed before any wait.
pub const NAME_FREE_FAILURES: i64 = 5;
/// Failures from one address allowed before any wait.
pub const ADDRESS_FREE_FAILURES: i64 = 20;
/// The longest wait between two attempts.
pub const MAX_WAIT: Duration = Duration::from_secs(300);
/// A key quiet for this long starts again from zero.
const FORGET_AFTER: Duration = Duration::from_secs(3600);

/// The login form's counters.
pub struct LoginThrottle {
    store: std::sync::Arc<dyn Store>,
    clock: Clock,
}

/// What the throttle says of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Counted: go on and verify the password, then report how it went.
    Admitted,
    /// Not counted, not to be checked: wait this long first.
    Wait(Duration),
}

/// The keys of one attempt: the name tried, and the client address where known.
pub struct AttemptKeys {
    pub name: String,
    pub address: Option<String>,
}

impl AttemptKeys {
    fn all(&self) -> Vec<String> {
        std::iter::once(self.name.clone())
            .chain(self.address.clone())
            .collect()
    }
}

impl LoginThrottle {
    pub fn new(store: std::sync::Arc<dyn Store>, clock: Clock) -> Self {
        Self { store, clock }
    }

    /// Counts the attempt if no key of it must still wait.
    pub async fn admit(&self, keys: &AttemptKeys) -> Result<Admission, StoreError> {
        let now = self.clock.now();
        let forget_before = now - delta(FORGET_AFTER);
        let admit = move |counters: &[LoginCounter]| wait(counters, now).is_none();
        let (counters, counted) = self
            .store
            .count_login_attempt(&keys.all(), now, forget_before, &admit)
            .await?;
        if counted {
            // Keeps the table to the keys seen in the last hour. Best effort: a failed purge
            // only leaves rows the next one removes.
            let _ = self.store.purge_login_counters(forget_before).await;
            return Ok(Admission::Admitted);
        }
        Ok(Admission::Wait(
            wait(&counters, now).unwrap_or(Duration::from_secs(1)),
        ))
    }

    /// The password was right: the name starts again from zero, and the address gets its
    /// attempt back (people behind one NAT sign in all day).
    pub async fn succeeded(&self, keys: &AttemptKeys) -> Result<(), StoreError> {
        self.store.forget_login_counter(&keys.name).await?;
        self.uncount_address(keys).await
    }

    /// The attempt was admitted but never checked (the server was busy or failed): it
    /// counts against nobody.
    pub async fn unchecked(&self, keys: &AttemptKeys) -> Result<(), StoreError> {
        self.store.uncount_login_attempt(&keys.name).await?;
        self.uncount_address(keys).await
    }

    async fn uncount_address(&self, keys: &AttemptKeys) -> Result<(), StoreError> {
        match &keys.address {
            Some(address) => self.store.uncount_login_attempt(address).await,
            None => Ok(()),
        }
    }
}

/// The longest wait any of `counters` still imposes at `now`, if any.
fn wait(counters: &[LoginCounter], now: DateTime<Utc>) -> Option<Duration> {
    counters
        .iter()
        .filter_map(|c| {
            let until = c.last_at + delta(wait_after(free_failures(&c.key), c.attempts));
            (until > now).then(|| (until - now).to_std().unwrap_or(Duration::ZERO))
        })
        .max()
}

/// The waits here are at most an hour: they always fit.
fn delta(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::seconds(3600))
}

fn free_failures(key: &str) -> i64 {
    if key.starts_with("ip:") {
        ADDRESS_FREE_FAILURES
    } else {
        NAME_FREE_FAILURES
    }
}

/// The wait after `count` failures: none before the `free`th, then 1 s, 2 s, 4 s… So with 5
/// free failures, a 6th attempt right after the 5th is refused unchecked.
fn wait_after(free: i64, count: i64) -> Duration {
    match count.checked_sub(free) {
        Some(n) if n >= 0 => Duration::from_secs(1u64 << n.min(16)).min(MAX_WAIT),
        _ => Duration::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter(key: &str, attempts: i64, last_at: DateTime<Utc>) -> LoginCounter {
        LoginCounter {
            key: key.to_owned(),
            attempts,
            last_at,
        }
    }

    #[test]
    fn the_free_failures_are_exactly_the_documented_ones() {
        let t0 = Utc::now();
        let name = |n| [counter("name:xx1111-ovh", n, t0)];
        assert_eq!(wait(&name(NAME_FREE_FAILURES - 1), t0), None);
        assert_eq!(
            wait(&name(NAME_FREE_FAILURES), t0),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            wait(&name(NAME_FREE_FAILURES + 1), t0),
            Some(Duration::from_secs(2))
        );
        let address = |n| [counter("ip:192.0.2.1", n, t0)];
        assert_eq!(wait(&address(ADDRESS_FREE_FAILURES - 1), t0), None);
        assert!(wait(&address(ADDRESS_FREE_FAILURES), t0).is_some());
    }

    #[test]
    fn a_wait_passes_and_is_capped() {
        let t0 = Utc::now();
        let name = [counter("name:a", NAME_FREE_FAILURES, t0)];
        assert_eq!(wait(&name, t0 + chrono::Duration::seconds(1)), None);
        assert_eq!(wait_after(5, 45), MAX_WAIT);
    }

    #[test]
    fn the_longest_wait_of_the_keys_applies() {
        let t0 = Utc::now();
        let counters = [
            counter("name:a", 0, t0),
            counter("ip:192.0.2.1", ADDRESS_FREE_FAILURES + 2, t0),
        ];
        assert_eq!(wait(&counters, t0), Some(Duration::from_secs(4)));
    }
}
