//! Accounts: the creation bundle (all or nothing), reads, the revision, the root password.

use iam_store::StoreError;

use crate::fixture::*;
use crate::harness::Ctx;

async fn create_account_writes_the_whole_bundle(ctx: Ctx) {
    let s = &*ctx.store;
    let (new, created) = setup(s, NIC).await;
    assert_eq!(created, new.account);
    assert_eq!(s.get_account(NIC).await.unwrap(), new.account);
    assert_eq!(s.list_groups(NIC).await.unwrap(), new.default_groups);
    assert_eq!(
        s.list_resources(NIC).await.unwrap(),
        vec![new.account_resource.clone()]
    );
    assert_eq!(
        s.list_resource_groups(NIC).await.unwrap(),
        vec![new.default_resource_group.clone()]
    );
    assert_eq!(
        s.list_policies(NIC).await.unwrap(),
        vec![new.default_policy.clone()]
    );
    let root = s
        .find_token_by_hash(&new.root_token.token_hash)
        .await
        .unwrap();
    assert_eq!(root, Some(new.root_token.clone()));
    let urns = s
        .resource_group_urns_of(NIC, new.account_resource.id)
        .await
        .unwrap();
    assert_eq!(urns, vec![new.default_resource_group.urn.clone()]);
}

async fn create_account_adds_the_account_resource_to_the_default_group(ctx: Ctx) {
    let s = &*ctx.store;
    let mut new = account(NIC);
    new.default_resource_group.members.clear();
    s.create_account(&new).await.unwrap();
    let group = s
        .get_resource_group(NIC, new.default_resource_group.id)
        .await
        .unwrap();
    assert_eq!(group.members, vec![new.account_resource.id]);
}

async fn create_account_conflicts_on_an_existing_nic(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let again = account(NIC);
    assert_conflict(s.create_account(&again).await, NIC);
    assert_eq!(s.list_accounts().await.unwrap().len(), 1);
    assert_eq!(
        s.find_token_by_hash(&again.root_token.token_hash)
            .await
            .unwrap(),
        None
    );
}

/// A duplicate inside the bundle fails the whole transaction: no account, no group, no token.
async fn create_account_is_all_or_nothing(ctx: Ctx) {
    let s = &*ctx.store;
    let mut new = account(NIC);
    new.default_groups.push(new.default_groups[0].clone());
    assert_conflict(s.create_account(&new).await, "ADMIN");
    assert_not_found(s.get_account(NIC).await, "account");
    assert!(s.list_accounts().await.unwrap().is_empty());
    assert!(s.list_groups(NIC).await.unwrap().is_empty());
    assert!(s.list_resources(NIC).await.unwrap().is_empty());
    assert!(s.list_policies(NIC).await.unwrap().is_empty());
    assert_eq!(
        s.find_token_by_hash(&new.root_token.token_hash)
            .await
            .unwrap(),
        None
    );
    // Nothing half-written blocks a correct retry.
    new.default_groups.pop();
    s.create_account(&new).await.unwrap();
}

/// The last row of the bundle (the root token) colliding with another account's token
/// still rolls back everything written before it.
async fn create_account_rolls_back_on_a_late_failure(ctx: Ctx) {
    let s = &*ctx.store;
    let (first, _) = setup(s, NIC).await;
    let mut second = account(OTHER);
    second.root_token.token_hash = first.root_token.token_hash.clone();
    assert_conflict(s.create_account(&second).await, "same value");
    assert_not_found(s.get_account(OTHER).await, "account");
    assert!(s.list_policies(OTHER).await.unwrap().is_empty());
    assert!(s.list_resource_groups(OTHER).await.unwrap().is_empty());
    assert_not_found(
        s.get_resource(OTHER, &second.account_resource.urn).await,
        "resource",
    );
}

async fn list_accounts_in_creation_order(ctx: Ctx) {
    let s = &*ctx.store;
    let mut later = account("zz0000-ovh");
    later.account.created_at = t(-10);
    s.create_account(&later).await.unwrap();
    setup(s, OTHER).await;
    setup(s, NIC).await;
    let nics: Vec<String> = s
        .list_accounts()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.nic)
        .collect();
    // Same instant for the last two: the NIC breaks the tie.
    assert_eq!(nics, ["zz0000-ovh", NIC, OTHER]);
}

async fn missing_account_is_not_found(ctx: Ctx) {
    let s = &*ctx.store;
    assert_not_found(s.get_account(NIC).await, "account");
    assert_not_found(s.account_revision(NIC).await, "account");
    assert_not_found(s.set_root_password(NIC, "x").await, "account");
}

async fn set_root_password_changes_only_the_hash(ctx: Ctx) {
    let s = &*ctx.store;
    let (new, _) = setup(s, NIC).await;
    setup(s, OTHER).await;
    let before = s.account_revision(NIC).await.unwrap();
    s.set_root_password(NIC, "$argon2id$new").await.unwrap();
    let got = s.get_account(NIC).await.unwrap();
    assert_eq!(got.root_password_hash, "$argon2id$new");
    assert_eq!(got.created_at, new.account.created_at);
    assert_bumped(s, NIC, before, 0).await;
    assert_ne!(
        s.get_account(OTHER).await.unwrap().root_password_hash,
        "$argon2id$new"
    );
}

async fn revision_starts_where_the_bundle_says(ctx: Ctx) {
    let s = &*ctx.store;
    let mut new = account(NIC);
    new.account.revision = 41;
    let created = s.create_account(&new).await.unwrap();
    assert_eq!(created.revision, 41);
    assert_eq!(s.account_revision(NIC).await.unwrap(), 41);
    assert!(matches!(
        s.account_revision(OTHER).await,
        Err(StoreError::NotFound(_))
    ));
}

contract!(
    create_account_writes_the_whole_bundle,
    create_account_adds_the_account_resource_to_the_default_group,
    create_account_conflicts_on_an_existing_nic,
    create_account_is_all_or_nothing,
    create_account_rolls_back_on_a_late_failure,
    list_accounts_in_creation_order,
    missing_account_is_not_found,
    set_root_password_changes_only_the_hash,
    revision_starts_where_the_bundle_says,
);
