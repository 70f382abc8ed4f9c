//! Signing keys: round trip, unique kid, at most one active key per usage (whatever the
//! races), rotation, purge, and the migration that brought the rule.

use chrono::Duration;
use iam_store::{KeyAlgorithm, SigningKey};

use crate::fixture::*;
use crate::harness::Ctx;

async fn signing_keys_round_trip_oldest_first(ctx: Ctx) {
    let s = &*ctx.store;
    let b = signing_key("kid-b", "access_token", t(2));
    let a = SigningKey {
        algorithm: KeyAlgorithm::RS256,
        retired_at: Some(t(3)),
        expires_at: Some(t(4)),
        ..signing_key("kid-a", "id_token", t(1))
    };
    s.insert_signing_key(&b).await.unwrap();
    s.insert_signing_key(&a).await.unwrap();
    assert_eq!(s.list_signing_keys().await.unwrap(), vec![a, b]);
}

async fn signing_key_kid_is_unique(ctx: Ctx) {
    let s = &*ctx.store;
    s.insert_signing_key(&signing_key("kid-a", "access_token", t(1)))
        .await
        .unwrap();
    assert_conflict(
        s.insert_signing_key(&signing_key("kid-a", "id_token", t(2)))
            .await,
        "kid-a",
    );
    assert_eq!(s.list_signing_keys().await.unwrap().len(), 1);
}

async fn rotate_retires_the_active_key_of_its_usage_only(ctx: Ctx) {
    let s = &*ctx.store;
    let old = signing_key("old", "access_token", t(1));
    let older_retired = SigningKey {
        retired_at: Some(t(0)),
        expires_at: Some(t(5)),
        ..signing_key("older", "access_token", t(0))
    };
    let id = signing_key("id", "id_token", t(1));
    for k in [&old, &older_retired, &id] {
        s.insert_signing_key(k).await.unwrap();
    }
    let new = signing_key("new", "access_token", t(2));
    let expires = t(10) + Duration::hours(1);
    s.rotate_signing_key(&new, t(10), expires).await.unwrap();
    let keys = s.list_signing_keys().await.unwrap();
    let by_kid = |kid: &str| keys.iter().find(|k| k.kid == kid).unwrap().clone();
    assert_eq!(
        by_kid("old"),
        SigningKey {
            retired_at: Some(t(10)),
            expires_at: Some(expires),
            ..old
        }
    );
    assert_eq!(
        by_kid("older"),
        older_retired,
        "an already retired key keeps its dates"
    );
    assert_eq!(by_kid("new"), new);
    assert_eq!(by_kid("id"), id, "other usages are untouched");
}

fn active_kids(keys: &[SigningKey], usage: &str) -> Vec<String> {
    keys.iter()
        .filter(|k| k.usage.as_str() == usage && k.retired_at.is_none())
        .map(|k| k.kid.clone())
        .collect()
}

async fn a_usage_never_has_two_active_keys(ctx: Ctx) {
    let s = &*ctx.store;
    let first = signing_key("first", "access_token", t(1));
    assert!(s.insert_first_signing_key(&first).await.unwrap());
    let second = signing_key("second", "access_token", t(2));
    assert_conflict(s.insert_signing_key(&second).await, "second");
    assert!(!s.insert_first_signing_key(&second).await.unwrap());
    let retired = SigningKey {
        retired_at: Some(t(3)),
        expires_at: Some(t(4)),
        ..signing_key("retired", "access_token", t(0))
    };
    s.insert_signing_key(&retired).await.unwrap();
    assert!(
        s.insert_first_signing_key(&signing_key("id", "id_token", t(1)))
            .await
            .unwrap(),
        "another usage has its own active key"
    );
    let keys = s.list_signing_keys().await.unwrap();
    assert_eq!(active_kids(&keys, "access_token"), ["first"]);
    assert_eq!(keys.len(), 3);
}

/// Nodes starting together on an empty database each try to create the first key of a
/// usage: exactly one insert wins, whatever the interleaving.
async fn racing_first_keys_leave_exactly_one_active(ctx: Ctx) {
    let racers: Vec<_> = (0..8)
        .map(|n| {
            let store = ctx.store.clone();
            tokio::spawn(async move {
                let key = signing_key(&format!("racer-{n}"), "id_token", t(n));
                store.insert_first_signing_key(&key).await.unwrap()
            })
        })
        .collect();
    let mut won = 0;
    for racer in racers {
        won += usize::from(racer.await.unwrap());
    }
    assert_eq!(won, 1);
    let keys = ctx.store.list_signing_keys().await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(active_kids(&keys, "id_token").len(), 1);
}

/// Concurrent rotations wait for each other: both succeed and one key stays active.
async fn concurrent_rotations_leave_exactly_one_active(ctx: Ctx) {
    ctx.store
        .insert_signing_key(&signing_key("start", "access_token", t(0)))
        .await
        .unwrap();
    let rotations: Vec<_> = (0..4)
        .map(|n| {
            let store = ctx.store.clone();
            tokio::spawn(async move {
                let key = signing_key(&format!("rotated-{n}"), "access_token", t(n + 1));
                store.rotate_signing_key(&key, t(10), t(20)).await
            })
        })
        .collect();
    for rotation in rotations {
        rotation.await.unwrap().unwrap();
    }
    let keys = ctx.store.list_signing_keys().await.unwrap();
    assert_eq!(keys.len(), 5);
    assert_eq!(active_kids(&keys, "access_token").len(), 1);
}

/// A database written before the uniqueness rule, where two nodes raced: the migration keeps
/// the newest active key (the one key rings sign with) and retires the others.
async fn migration_retires_all_but_the_newest_duplicate(ctx: Ctx) {
    let undo = [
        "DROP INDEX signing_keys_one_active_per_usage",
        "DELETE FROM schema_migrations WHERE name = '0006_signing_key_uniqueness.sql'",
    ];
    raw_sql(&ctx.url, &undo).await;
    let s = &*ctx.store;
    let keys = [
        signing_key("a", "access_token", t(1)),
        signing_key("c", "access_token", t(2)),
        signing_key("b", "access_token", t(2)),
        signing_key("id", "id_token", t(1)),
    ];
    for k in &keys {
        s.insert_signing_key(k).await.unwrap();
    }
    assert_eq!(
        s.migrate().await.unwrap(),
        ["0006_signing_key_uniqueness.sql"]
    );
    let after = s.list_signing_keys().await.unwrap();
    assert_eq!(active_kids(&after, "access_token"), ["c"]);
    assert_eq!(active_kids(&after, "id_token"), ["id"]);
    for k in after.iter().filter(|k| k.retired_at.is_some()) {
        let (retired, expires) = (k.retired_at.unwrap(), k.expires_at.unwrap());
        assert_eq!(expires - retired, Duration::days(1), "{}", k.kid);
    }
    assert_conflict(
        s.insert_signing_key(&signing_key("d", "access_token", t(3)))
            .await,
        "d",
    );
}

async fn raw_sql(url: &str, statements: &[&str]) {
    use sqlx::{Connection, Executor};
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        for sql in statements {
            c.execute(*sql).await.unwrap();
        }
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        for sql in statements {
            c.execute(*sql).await.unwrap();
        }
    }
}

async fn purge_deletes_expired_keys_only(ctx: Ctx) {
    let s = &*ctx.store;
    let gone = SigningKey {
        retired_at: Some(t(1)),
        expires_at: Some(t(5)),
        ..signing_key("gone", "access_token", t(0))
    };
    let edge = SigningKey {
        retired_at: Some(t(1)),
        expires_at: Some(t(10)),
        ..signing_key("edge", "access_token", t(0))
    };
    let later = SigningKey {
        retired_at: Some(t(1)),
        expires_at: Some(t(11)),
        ..signing_key("later", "access_token", t(0))
    };
    let active = signing_key("active", "access_token", t(1));
    for k in [&gone, &edge, &later, &active] {
        s.insert_signing_key(k).await.unwrap();
    }
    assert_eq!(s.purge_signing_keys(t(10)).await.unwrap(), 2);
    let kids: Vec<String> = s
        .list_signing_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.kid)
        .collect();
    assert_eq!(kids, ["later", "active"]);
    assert_eq!(s.purge_signing_keys(t(10)).await.unwrap(), 0);
}

contract!(
    signing_keys_round_trip_oldest_first,
    signing_key_kid_is_unique,
    rotate_retires_the_active_key_of_its_usage_only,
    a_usage_never_has_two_active_keys,
    racing_first_keys_leave_exactly_one_active,
    concurrent_rotations_leave_exactly_one_active,
    migration_retires_all_but_the_newest_duplicate,
    purge_deletes_expired_keys_only,
);
