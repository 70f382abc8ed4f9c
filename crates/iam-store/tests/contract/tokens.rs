//! Personal access tokens and the root token: owners (NULL user), unique names and
//! hashes, updates, `touch`, deletion, isolation.

use iam_store::AccessTokenRecord;

use crate::fixture::*;
use crate::harness::Ctx;

async fn token_round_trips_by_hash_and_by_owner(ctx: Ctx) {
    let s = &*ctx.store;
    let (new, _) = setup(s, NIC).await;
    s.create_user(&user(NIC, "alice", "ADMIN", t(1)))
        .await
        .unwrap();
    let cli = AccessTokenRecord {
        expires_at: None,
        last_used: Some(t(3)),
        ..token(NIC, Some("alice"), "cli", t(2))
    };
    let ci = token(NIC, Some("alice"), "ci", t(1));
    let root2 = token(NIC, None, "backup", t(4));
    for tok in [&cli, &ci, &root2] {
        s.create_token(tok).await.unwrap();
    }
    assert_eq!(
        s.find_token_by_hash(&cli.token_hash).await.unwrap(),
        Some(cli.clone())
    );
    assert_eq!(s.find_token_by_hash(&random_bytes()).await.unwrap(), None);
    assert_eq!(s.get_token(NIC, Some("alice"), "cli").await.unwrap(), cli);
    assert_eq!(
        s.get_token(NIC, None, "root").await.unwrap(),
        new.root_token
    );
    assert_eq!(
        s.list_tokens(NIC, Some("alice")).await.unwrap(),
        vec![ci, cli]
    );
    // `None` is the root's own tokens, not everyone's.
    assert_eq!(
        s.list_tokens(NIC, None).await.unwrap(),
        vec![new.root_token, root2]
    );
    assert_not_found(s.get_token(NIC, None, "cli").await, "token");
}

async fn token_names_are_unique_per_owner_root_included(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    s.create_user(&user(NIC, "alice", "ADMIN", t(1)))
        .await
        .unwrap();
    s.create_user(&user(NIC, "bob", "ADMIN", t(1)))
        .await
        .unwrap();
    // The root already has "root": NULL owners must still collide.
    assert_conflict(
        s.create_token(&token(NIC, None, "root", t(2))).await,
        "root",
    );
    s.create_token(&token(NIC, Some("alice"), "root", t(2)))
        .await
        .unwrap();
    s.create_token(&token(NIC, Some("bob"), "root", t(2)))
        .await
        .unwrap();
    assert_conflict(
        s.create_token(&token(NIC, Some("bob"), "root", t(3))).await,
        "root",
    );
    assert_eq!(s.list_tokens(NIC, None).await.unwrap().len(), 1);
}

async fn token_hash_and_id_are_unique(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let a = token(NIC, None, "a", t(1));
    s.create_token(&a).await.unwrap();
    let same_hash = AccessTokenRecord {
        token_hash: a.token_hash.clone(),
        ..token(NIC, None, "b", t(1))
    };
    assert_conflict(s.create_token(&same_hash).await, "same value");
    let same_id = AccessTokenRecord {
        id: a.id,
        ..token(NIC, None, "c", t(1))
    };
    assert_conflict(s.create_token(&same_id).await, &a.id.to_string());
}

async fn token_needs_its_owner(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    s.create_user(&user(OTHER, "alice", "ADMIN", t(1)))
        .await
        .unwrap();
    assert_not_found(
        s.create_token(&token(NIC, Some("alice"), "x", t(1))).await,
        "user",
    );
    assert_not_found(
        s.create_token(&token("nobody-ovh", None, "x", t(1))).await,
        "account",
    );
}

async fn update_and_touch_token(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let a = token(NIC, None, "a", t(1));
    s.create_token(&a).await.unwrap();
    let changed = AccessTokenRecord {
        name: "renamed".into(),
        description: "new".into(),
        token_hash: random_bytes(),
        expires_at: None,
        last_used: Some(t(8)),
        ..a.clone()
    };
    s.update_token(&changed).await.unwrap();
    assert_eq!(s.get_token(NIC, None, "renamed").await.unwrap(), changed);
    assert_eq!(s.find_token_by_hash(&a.token_hash).await.unwrap(), None);
    assert_conflict(
        s.update_token(&AccessTokenRecord {
            name: "root".into(),
            ..changed.clone()
        })
        .await,
        "root",
    );
    s.touch_token(a.id, t(20)).await.unwrap();
    assert_eq!(
        s.get_token(NIC, None, "renamed").await.unwrap().last_used,
        Some(t(20))
    );
    assert_not_found(s.touch_token(uuid::Uuid::new_v4(), t(20)).await, "token");
    assert_not_found(
        s.update_token(&token(NIC, None, "ghost", t(1))).await,
        "token",
    );
}

async fn delete_token(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    s.create_user(&user(NIC, "alice", "ADMIN", t(1)))
        .await
        .unwrap();
    let a = token(NIC, Some("alice"), "a", t(1));
    s.create_token(&a).await.unwrap();
    assert_not_found(s.delete_token(NIC, None, "a").await, "token");
    s.delete_token(NIC, Some("alice"), "a").await.unwrap();
    assert_eq!(s.find_token_by_hash(&a.token_hash).await.unwrap(), None);
    assert_not_found(s.delete_token(NIC, Some("alice"), "a").await, "token");
}

async fn tokens_of_another_account_are_not_found(ctx: Ctx) {
    let s = &*ctx.store;
    let (new, _) = setup(s, NIC).await;
    setup(s, OTHER).await;
    assert_not_found(s.get_token(OTHER, None, "backup").await, "token");
    let mut root = s.get_token(OTHER, None, "root").await.unwrap();
    assert_ne!(root, new.root_token);
    root.id = new.root_token.id;
    assert_not_found(s.update_token(&root).await, "token");
    s.create_token(&token(NIC, None, "backup", t(1)))
        .await
        .unwrap();
    assert_not_found(s.delete_token(OTHER, None, "backup").await, "token");
    assert_eq!(s.list_tokens(OTHER, None).await.unwrap().len(), 1);
    assert_eq!(
        s.get_token(NIC, None, "root").await.unwrap(),
        new.root_token
    );
}

contract!(
    token_round_trips_by_hash_and_by_owner,
    token_names_are_unique_per_owner_root_included,
    token_hash_and_id_are_unique,
    token_needs_its_owner,
    update_and_touch_token,
    delete_token,
    tokens_of_another_account_are_not_found,
);
