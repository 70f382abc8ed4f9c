//! Signing keys: round trip, unique kid, retirement of all but the kept key, purge.

use chrono::Duration;
use iam_store::SigningKey;

use crate::fixture::*;
use crate::harness::Ctx;

async fn signing_keys_round_trip_oldest_first(ctx: Ctx) {
    let s = &*ctx.store;
    let b = signing_key("kid-b", "access_token", t(2));
    let a = SigningKey {
        algorithm: "RS256".into(),
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

async fn retire_keeps_one_key_per_usage_active(ctx: Ctx) {
    let s = &*ctx.store;
    let old = signing_key("old", "access_token", t(1));
    let older_retired = SigningKey {
        retired_at: Some(t(0)),
        expires_at: Some(t(5)),
        ..signing_key("older", "access_token", t(0))
    };
    let new = signing_key("new", "access_token", t(2));
    let id = signing_key("id", "id_token", t(1));
    for k in [&old, &older_retired, &new, &id] {
        s.insert_signing_key(k).await.unwrap();
    }
    let expires = t(10) + Duration::hours(1);
    s.retire_signing_keys("access_token", "new", t(10), expires)
        .await
        .unwrap();
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
    retire_keeps_one_key_per_usage_active,
    purge_deletes_expired_keys_only,
);
