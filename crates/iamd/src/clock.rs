//! The time every rule reads: one `Clock` passed in, never `Utc::now()` in a use case, so that
//! a test can move time forward instead of sleeping. iam-core takes time as an argument and
//! cannot reach a clock at all; this is where iamd's comes from.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, SubsecRound, Utc};

/// Reads the current time. Cheap to clone; every clone reads the same source.
#[derive(Clone)]
pub struct Clock(Source);

#[derive(Clone)]
enum Source {
    System,
    /// Set by hand: tests (and only tests) move it.
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    /// The machine's clock: what a server runs on.
    pub fn system() -> Self {
        Self(Source::System)
    }

    /// A clock that stands still at `at` until `advance` or `set` moves it.
    pub fn manual(at: DateTime<Utc>) -> Self {
        Self(Source::Manual(Arc::new(Mutex::new(at))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            Source::System => Utc::now(),
            Source::Manual(at) => match at.lock() {
                Ok(at) => *at,
                Err(poisoned) => *poisoned.into_inner(),
            },
        }
    }

    /// `now` truncated to the microsecond, as the store keeps it: a value stamped with this
    /// reads back equal.
    pub fn now_micros(&self) -> DateTime<Utc> {
        self.now().trunc_subsecs(6)
    }

    /// Moves a manual clock forward; a system clock cannot be moved and ignores it.
    pub fn advance(&self, by: chrono::Duration) {
        if let Source::Manual(at) = &self.0 {
            let mut at = match at.lock() {
                Ok(at) => at,
                Err(poisoned) => poisoned.into_inner(),
            };
            *at += by;
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Source::System => f.write_str("Clock::system"),
            Source::Manual(_) => write!(f, "Clock::manual({})", self.now()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_every_clone_sees_it() {
        let start = Utc::now();
        let clock = Clock::manual(start);
        let seen_by_another = clock.clone();
        assert_eq!(clock.now(), start);
        clock.advance(chrono::Duration::seconds(90));
        assert_eq!(seen_by_another.now(), start + chrono::Duration::seconds(90));
    }

    #[test]
    fn the_system_clock_ignores_advance() {
        let clock = Clock::system();
        let before = Utc::now();
        clock.advance(chrono::Duration::days(365));
        assert!(clock.now() < before + chrono::Duration::days(1));
    }
}
