//! The login throttle's counters: counted only when admitted, one attempt at a time, taken
//! back, forgotten, reset after a quiet spell, purged.

use std::sync::Arc;

use iam_store::{LoginCounter, Store};

use crate::fixture::*;
use crate::harness::Ctx;

fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|k| (*k).to_owned()).collect()
}

/// The attempts of each key as `count_login_attempt` sees them, without counting one.
async fn seen(s: &dyn Store, list: &[&str], at: i64) -> Vec<(String, i64)> {
    let (counters, counted) = s
        .count_login_attempt(&keys(list), t(at), t(at - 3600), &|_| false)
        .await
        .unwrap();
    assert!(!counted);
    counters.into_iter().map(|c| (c.key, c.attempts)).collect()
}

async fn attempts_count_only_when_admitted(ctx: Ctx) {
    let s = &*ctx.store;
    let both = keys(&["name:b", "ip:a"]);
    for at in 0..3 {
        let (_, counted) = s
            .count_login_attempt(&both, t(at), t(at - 3600), &|_| true)
            .await
            .unwrap();
        assert!(counted);
    }
    let (counters, counted) = s
        .count_login_attempt(&both, t(5), t(-3600), &|c: &[LoginCounter]| {
            c.iter().all(|c| c.attempts < 3)
        })
        .await
        .unwrap();
    assert!(!counted, "the rule saw 3 attempts and refused");
    // Sorted by key, with the time of the last counted attempt.
    assert_eq!(counters[0].key, "ip:a");
    assert_eq!((counters[0].attempts, counters[0].last_at), (3, t(2)));
    assert_eq!(
        seen(s, &["name:b", "ip:a", "new"], 6).await,
        vec![("ip:a".into(), 3), ("name:b".into(), 3), ("new".into(), 0)]
    );
}

async fn counters_are_taken_back_forgotten_reset_and_purged(ctx: Ctx) {
    let s = &*ctx.store;
    for key in ["name:x", "ip:y"] {
        for at in [0, 1] {
            s.count_login_attempt(&keys(&[key]), t(at), t(-3600), &|_| true)
                .await
                .unwrap();
        }
    }
    s.uncount_login_attempt("ip:y").await.unwrap();
    s.forget_login_counter("name:x").await.unwrap();
    assert_eq!(
        seen(s, &["name:x", "ip:y"], 2).await,
        vec![("ip:y".into(), 1), ("name:x".into(), 0)]
    );
    // Quiet for an hour: seen as zero, then purged.
    assert_eq!(seen(s, &["ip:y"], 3602).await, vec![("ip:y".into(), 0)]);
    assert_eq!(s.purge_login_counters(t(3600)).await.unwrap(), 1);
    assert_eq!(s.purge_login_counters(t(3600)).await.unwrap(), 0);
}

async fn attempts_at_once_are_admitted_one_at_a_time(ctx: Ctx) {
    let store: Arc<dyn Store> = ctx.store.clone();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let admit = |c: &[LoginCounter]| c.iter().all(|c| c.attempts < 5);
                store
                    .count_login_attempt(&keys(&["name:z"]), t(0), t(-3600), &admit)
                    .await
                    .unwrap()
                    .1
            })
        })
        .collect();
    let mut admitted = 0;
    for task in tasks {
        admitted += usize::from(task.await.unwrap());
    }
    assert_eq!(
        admitted, 5,
        "exactly the free attempts, however they interleave"
    );
}

contract!(
    attempts_count_only_when_admitted,
    counters_are_taken_back_forgotten_reset_and_purged,
    attempts_at_once_are_admitted_one_at_a_time
);
