//! Credentials that end everywhere and facts the cluster shares: a root rotation replaces
//! every root credential in one transaction, revocations and rotations are announced to
//! every node, a user keeps one immutable id, and the first claim of a cluster fact wins.

use std::time::Duration;

use iam_store::{Change, RevokedToken, User};

use crate::fixture::*;
use crate::harness::Ctx;

async fn rotating_the_root_replaces_its_password_and_every_root_token(ctx: Ctx) {
    let s = &*ctx.store;
    let (new, _) = setup(s, NIC).await;
    setup(s, OTHER).await;
    s.create_user(&user(NIC, "alice", "DEFAULT", t(1)))
        .await
        .unwrap();
    let extra = token(NIC, None, "ci", t(2));
    let alice = token(NIC, Some("alice"), "cli", t(2));
    for record in [&extra, &alice] {
        s.create_token(record).await.unwrap();
    }
    let replacement = token(NIC, None, "root", t(3));
    s.rotate_root(NIC, "new-hash", &replacement).await.unwrap();

    assert_eq!(s.list_tokens(NIC, None).await.unwrap(), vec![replacement]);
    assert_eq!(
        s.get_account(NIC).await.unwrap().root_password_hash,
        "new-hash"
    );
    for gone in [&new.root_token, &extra] {
        assert_eq!(s.find_token_by_hash(&gone.token_hash).await.unwrap(), None);
    }
    // Users' tokens and other accounts are untouched.
    let found = s.find_token_by_hash(&alice.token_hash).await.unwrap();
    assert_eq!(found.map(|t| t.id), Some(alice.id));
    assert_eq!(s.list_tokens(OTHER, None).await.unwrap().len(), 1);

    // A missing account: nothing is written.
    let stray = token("zz9999-ovh", None, "root", t(4));
    assert_not_found(s.rotate_root("zz9999-ovh", "h", &stray).await, "account");
    assert_eq!(s.find_token_by_hash(&stray.token_hash).await.unwrap(), None);
}

async fn revocations_and_root_rotations_are_announced(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let Some(mut feed) = s.watch_changes().await.unwrap() else {
        assert_eq!(
            s.backend(),
            "sqlite",
            "only the single-node backend has no feed"
        );
        return;
    };
    let revoked = RevokedToken {
        jti: "client:EU.0123 with spaces".into(),
        account: NIC.into(),
        expires_at: t(60),
    };
    s.revoke_token(&revoked).await.unwrap();
    assert_eq!(next(&mut feed).await, Some(Change::Revoked(revoked)));
    s.rotate_root(NIC, "new-hash", &token(NIC, None, "root", t(3)))
        .await
        .unwrap();
    assert_eq!(next(&mut feed).await, Some(Change::Credentials(NIC.into())));
}

async fn a_user_keeps_its_id_and_a_new_user_of_the_same_login_gets_another(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let first = user(NIC, "alice", "DEFAULT", t(1));
    s.create_user(&first).await.unwrap();
    let edited = User {
        id: uuid::Uuid::new_v4(),
        description: "edited".into(),
        ..first.clone()
    };
    s.update_user(&edited).await.unwrap();
    assert_eq!(
        s.get_user(NIC, "alice").await.unwrap().id,
        first.id,
        "id is immutable"
    );
    s.delete_user(NIC, "alice").await.unwrap();
    let second = user(NIC, "alice", "DEFAULT", t(2));
    s.create_user(&second).await.unwrap();
    assert_eq!(s.get_user(NIC, "alice").await.unwrap().id, second.id);
    assert_ne!(first.id, second.id);
}

async fn the_first_claim_of_a_cluster_fact_wins(ctx: Ctx) {
    let s = &*ctx.store;
    let (a, b) = tokio::join!(
        s.claim_cluster_fact("issuer", "https://a.example"),
        s.claim_cluster_fact("issuer", "https://b.example"),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b, "two nodes starting together agree");
    assert_eq!(
        s.claim_cluster_fact("issuer", "https://c.example")
            .await
            .unwrap(),
        a
    );
    s.set_cluster_fact("issuer", "https://d.example")
        .await
        .unwrap();
    assert_eq!(
        s.claim_cluster_fact("issuer", "https://e.example")
            .await
            .unwrap(),
        "https://d.example"
    );
}

async fn next(feed: &mut iam_store::ChangeFeed) -> Option<Change> {
    tokio::time::timeout(Duration::from_secs(30), feed.recv())
        .await
        .ok()
        .flatten()
}

contract!(
    rotating_the_root_replaces_its_password_and_every_root_token,
    revocations_and_root_rotations_are_announced,
    a_user_keeps_its_id_and_a_new_user_of_the_same_login_gets_another,
    the_first_claim_of_a_cluster_fact_wins,
);
