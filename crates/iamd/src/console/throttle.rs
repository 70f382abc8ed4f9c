//! Slowing down password guessing on the console's login form. Failures are counted per
//! key (the name tried, and separately the client address); after `FREE_FAILURES` a key
//! must wait, twice as long after each further failure (up to `MAX_WAIT`), before its next
//! attempt is even checked. A success clears the name's count. Counts live in memory, per
//! node, and are forgotten after `FORGET_AFTER` of quiet.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before any wait.
pub const FREE_FAILURES: u32 = 5;
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

#[derive(Default)]
pub struct LoginThrottle {
    keys: Mutex<HashMap<String, Failures>>,
}

impl LoginThrottle {
    pub fn new() -> Self {
        Self::default()
    }

    /// How long `key` must still wait before its next attempt is checked, if at all.
    pub fn wait(&self, key: &str, now: Instant) -> Option<Duration> {
        let keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let failures = keys.get(key)?;
        let until = failures.last + wait_after(failures.count);
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

/// The wait after `count` failures: none for the first `FREE_FAILURES`, then 1 s, 2 s, 4 s…
fn wait_after(count: u32) -> Duration {
    match count.checked_sub(FREE_FAILURES) {
        None | Some(0) => Duration::ZERO,
        Some(n) => Duration::from_secs(1u64 << (n - 1).min(16)).min(MAX_WAIT),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_the_free_failures_and_a_success_clears_them() {
        let throttle = LoginThrottle::new();
        let t0 = Instant::now();
        for _ in 0..FREE_FAILURES {
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
        assert_eq!(wait_after(FREE_FAILURES + 40), MAX_WAIT);
    }
}
