//! Slowing down password guessing on the console's login form. Failures are counted per
//! name tried (`NAME_FREE_FAILURES` free) and per client address (`ADDRESS_FREE_FAILURES`
//! free: one address may serve many people behind a NAT, but one address trying many names
//! is a spray). Past its free failures a key must wait, twice as long after each further
//! failure (up to `MAX_WAIT`), before its next attempt is even checked. A success clears the
//! name's count. Counts live in memory, per node, and are forgotten after `FORGET_AFTER` of
//! quiet.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures of one name allowed before any wait.
pub const NAME_FREE_FAILURES: u32 = 5;
/// Failures from one address allowed before any wait.
pub const ADDRESS_FREE_FAILURES: u32 = 20;
/// The longest wait between two attempts.
pub const MAX_WAIT: Duration = Duration::from_secs(300);
/// A key quiet for this long starts again from zero.
const FORGET_AFTER: Duration = Duration::from_secs(3600);
/// Keys tracked at most (an attacker cycling names must not grow memory without bound).
const MAX_KEYS: usize = 100_000;

struct Failures {
    count: u32,
    last: Instant,
}

/// The two counters of the login form.
pub struct LoginThrottle {
    names: FailureCounter,
    addresses: FailureCounter,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new()
    }
}

impl LoginThrottle {
    pub fn new() -> Self {
        Self {
            names: FailureCounter::new(NAME_FREE_FAILURES),
            addresses: FailureCounter::new(ADDRESS_FREE_FAILURES),
        }
    }

    /// How long an attempt for `name` from `address` must still wait, if at all.
    pub fn wait(&self, name: &str, address: Option<&str>, now: Instant) -> Option<Duration> {
        let by_name = self.names.wait(name, now);
        let by_address = address.and_then(|a| self.addresses.wait(a, now));
        by_name.max(by_address)
    }

    pub fn failed(&self, name: &str, address: Option<&str>, now: Instant) {
        self.names.failed(name, now);
        if let Some(address) = address {
            self.addresses.failed(address, now);
        }
    }

    pub fn succeeded(&self, name: &str) {
        self.names.succeeded(name);
    }
}

/// Failures per key, and the wait they impose.
pub struct FailureCounter {
    free: u32,
    keys: Mutex<HashMap<String, Failures>>,
}

impl FailureCounter {
    pub fn new(free: u32) -> Self {
        Self {
            free,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// How long `key` must still wait before its next attempt is checked, if at all.
    pub fn wait(&self, key: &str, now: Instant) -> Option<Duration> {
        let keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let failures = keys.get(key)?;
        let until = failures.last + wait_after(self.free, failures.count);
        (until > now).then(|| until - now)
    }

    pub fn failed(&self, key: &str, now: Instant) {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        if keys.len() >= MAX_KEYS {
            keys.retain(|_, f| now.duration_since(f.last) < FORGET_AFTER);
        }
        let entry = keys.entry(key.to_owned()).or_insert(Failures {
            count: 0,
            last: now,
        });
        if now.duration_since(entry.last) >= FORGET_AFTER {
            entry.count = 0;
        }
        entry.count = entry.count.saturating_add(1);
        entry.last = now;
    }

    pub fn succeeded(&self, key: &str) {
        self.keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

/// The wait after `count` failures: none for the first `free`, then 1 s, 2 s, 4 s…
fn wait_after(free: u32, count: u32) -> Duration {
    match count.checked_sub(free) {
        None | Some(0) => Duration::ZERO,
        Some(n) => Duration::from_secs(1u64 << (n - 1).min(16)).min(MAX_WAIT),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_the_free_failures_and_a_success_clears_them() {
        let throttle = FailureCounter::new(NAME_FREE_FAILURES);
        let t0 = Instant::now();
        for _ in 0..NAME_FREE_FAILURES {
            assert_eq!(throttle.wait("xx1111-ovh", t0), None);
            throttle.failed("xx1111-ovh", t0);
        }
        assert_eq!(throttle.wait("xx1111-ovh", t0), None);
        throttle.failed("xx1111-ovh", t0);
        assert_eq!(
            throttle.wait("xx1111-ovh", t0),
            Some(Duration::from_secs(1))
        );
        throttle.failed("xx1111-ovh", t0);
        assert_eq!(
            throttle.wait("xx1111-ovh", t0),
            Some(Duration::from_secs(2))
        );
        assert_eq!(throttle.wait("other", t0), None, "keys are separate");
        assert_eq!(
            throttle.wait("xx1111-ovh", t0 + Duration::from_secs(2)),
            None
        );
        throttle.succeeded("xx1111-ovh");
        assert_eq!(throttle.wait("xx1111-ovh", t0), None);
    }

    #[test]
    fn the_wait_is_capped() {
        assert_eq!(wait_after(5, 45), MAX_WAIT);
    }

    #[test]
    fn an_address_spraying_names_waits_too() {
        let throttle = LoginThrottle::new();
        let t0 = Instant::now();
        for i in 0..=ADDRESS_FREE_FAILURES {
            throttle.failed(&format!("name-{i}"), Some("ip:192.0.2.1"), t0);
        }
        assert!(
            throttle
                .wait("fresh-name", Some("ip:192.0.2.1"), t0)
                .is_some()
        );
        assert_eq!(throttle.wait("fresh-name", Some("ip:192.0.2.2"), t0), None);
    }
}
