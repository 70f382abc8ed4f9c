//! Users: round trip, conflicts, a missing group, updates, deletion with tokens, isolation.

use iam_store::{User, UserStatus};

use crate::fixture::*;
use crate::harness::Ctx;

async fn user_round_trips_and_lists_in_creation_order(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let bob = user(NIC, "bob", "ADMIN", t(5));
    let alice = User {
        email: None,
        status: UserStatus::PasswordChangeRequired,
        password_updated_at: None,
        ..user(NIC, "alice", "DEFAULT", t(5))
    };
    let carol = User {
        status: UserStatus::Disabled,
        ..user(NIC, "carol", "UNPRIVILEGED", t(1))
    };
    for u in [&bob, &alice, &carol] {
        s.create_user(u).await.unwrap();
    }
    assert_eq!(s.get_user(NIC, "alice").await.unwrap(), alice);
    assert_eq!(s.get_user(NIC, "bob").await.unwrap(), bob);
    // Oldest first; alice and bob share an instant, so the login decides.
    assert_eq!(s.list_users(NIC).await.unwrap(), vec![carol, alice, bob]);
}

async fn create_user_conflicts_on_login_and_needs_its_group(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    s.create_user(&user(NIC, "alice", "ADMIN", t(1)))
        .await
        .unwrap();
    assert_conflict(
        s.create_user(&user(NIC, "alice", "DEFAULT", t(2))).await,
        "alice",
    );
    assert_not_found(
        s.create_user(&user(NIC, "bob", "nope", t(2))).await,
        "group",
    );
    assert_not_found(
        s.create_user(&user(NIC, "bob", "nope", t(2))).await,
        "group",
    );
    assert_not_found(
        s.create_user(&user("nobody-ovh", "bob", "ADMIN", t(2)))
            .await,
        "account",
    );
    // Same login in another account is another user.
    s.create_user(&user(OTHER, "alice", "ADMIN", t(1)))
        .await
        .unwrap();
    assert_eq!(s.list_users(NIC).await.unwrap().len(), 1);
}

async fn update_user_replaces_the_mutable_fields(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let alice = user(NIC, "alice", "ADMIN", t(1));
    s.create_user(&alice).await.unwrap();
    let changed = User {
        email: None,
        description: "moved".into(),
        group: "UNPRIVILEGED".into(),
        status: UserStatus::Disabled,
        password_hash: "$argon2id$other".into(),
        updated_at: t(7),
        password_updated_at: Some(t(6)),
        ..alice.clone()
    };
    s.update_user(&changed).await.unwrap();
    assert_eq!(s.get_user(NIC, "alice").await.unwrap(), changed);
    assert_not_found(
        s.update_user(&User {
            group: "nope".into(),
            ..changed.clone()
        })
        .await,
        "group",
    );
    assert_not_found(
        s.update_user(&user(NIC, "ghost", "ADMIN", t(1))).await,
        "user",
    );
    assert_eq!(s.get_user(NIC, "alice").await.unwrap(), changed);
}

async fn delete_user_deletes_its_tokens(ctx: Ctx) {
    let s = &*ctx.store;
    let (new, _) = setup(s, NIC).await;
    s.create_user(&user(NIC, "alice", "ADMIN", t(1)))
        .await
        .unwrap();
    s.create_user(&user(NIC, "bob", "ADMIN", t(1)))
        .await
        .unwrap();
    let alices = token(NIC, Some("alice"), "cli", t(2));
    let bobs = token(NIC, Some("bob"), "cli", t(2));
    s.create_token(&alices).await.unwrap();
    s.create_token(&bobs).await.unwrap();
    s.delete_user(NIC, "alice").await.unwrap();
    assert_not_found(s.get_user(NIC, "alice").await, "user");
    assert_eq!(
        s.find_token_by_hash(&alices.token_hash).await.unwrap(),
        None
    );
    assert_eq!(
        s.find_token_by_hash(&bobs.token_hash).await.unwrap(),
        Some(bobs)
    );
    assert!(
        s.find_token_by_hash(&new.root_token.token_hash)
            .await
            .unwrap()
            .is_some()
    );
    assert_not_found(s.delete_user(NIC, "alice").await, "user");
}

async fn users_of_another_account_are_not_found(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    let alice = user(NIC, "alice", "ADMIN", t(1));
    s.create_user(&alice).await.unwrap();
    assert_not_found(s.get_user(OTHER, "alice").await, "user");
    assert_not_found(
        s.update_user(&User {
            account: OTHER.into(),
            ..alice.clone()
        })
        .await,
        "user",
    );
    assert_not_found(s.delete_user(OTHER, "alice").await, "user");
    assert!(s.list_users(OTHER).await.unwrap().is_empty());
    assert_eq!(s.get_user(NIC, "alice").await.unwrap(), alice);
}

async fn user_writes_bump_the_revision(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let r0 = s.account_revision(NIC).await.unwrap();
    let alice = user(NIC, "alice", "ADMIN", t(1));
    s.create_user(&alice).await.unwrap();
    let r1 = assert_bumped(s, NIC, r0, 1).await;
    s.update_user(&User {
        group: "DEFAULT".into(),
        ..alice
    })
    .await
    .unwrap();
    let r2 = assert_bumped(s, NIC, r1, 1).await;
    s.delete_user(NIC, "alice").await.unwrap();
    let r3 = assert_bumped(s, NIC, r2, 1).await;
    let _ = s.create_user(&user(NIC, "bob", "nope", t(1))).await;
    assert_bumped(s, NIC, r3, 0).await;
}

contract!(
    user_round_trips_and_lists_in_creation_order,
    create_user_conflicts_on_login_and_needs_its_group,
    update_user_replaces_the_mutable_fields,
    delete_user_deletes_its_tokens,
    users_of_another_account_are_not_found,
    user_writes_bump_the_revision,
);
