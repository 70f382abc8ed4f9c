//! OAuth2 clients: round trip, lookup by id alone, conflicts, updates, isolation.

use iam_store::{ClientFlow, OAuthClient};

use crate::fixture::*;
use crate::harness::Ctx;

async fn client_round_trips_and_lists_in_creation_order(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let late = client(NIC, "b-late", t(9));
    let mut early = client(NIC, "z-early", t(1));
    early.flow = ClientFlow::AuthorizationCode;
    early.callback_urls.clear();
    s.create_client(&late).await.unwrap();
    s.create_client(&early).await.unwrap();
    assert_eq!(s.get_client(NIC, "b-late").await.unwrap(), late);
    assert_eq!(s.find_client("z-early").await.unwrap(), Some(early.clone()));
    assert_eq!(s.find_client("nope").await.unwrap(), None);
    assert_eq!(s.list_clients(NIC).await.unwrap(), vec![early, late]);
}

async fn client_id_is_unique_across_accounts(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    s.create_client(&client(NIC, "c1", t(1))).await.unwrap();
    assert_conflict(s.create_client(&client(OTHER, "c1", t(1))).await, "c1");
    assert_not_found(
        s.create_client(&client("nobody-ovh", "c2", t(1))).await,
        "account",
    );
    assert!(s.list_clients(OTHER).await.unwrap().is_empty());
}

async fn update_client_replaces_the_mutable_fields(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let c = client(NIC, "c1", t(1));
    s.create_client(&c).await.unwrap();
    let changed = OAuthClient {
        name: "renamed".into(),
        description: "rotated".into(),
        callback_urls: vec!["https://c.example/cb".into()],
        secret_hash: random_bytes(),
        updated_at: t(5),
        ..c.clone()
    };
    s.update_client(&changed).await.unwrap();
    assert_eq!(s.get_client(NIC, "c1").await.unwrap(), changed);
    // The flow and `created_at` are fixed at creation.
    let sneaky = OAuthClient {
        flow: ClientFlow::AuthorizationCode,
        created_at: t(50),
        ..changed.clone()
    };
    s.update_client(&sneaky).await.unwrap();
    assert_eq!(s.get_client(NIC, "c1").await.unwrap(), changed);
    s.delete_client(NIC, "c1").await.unwrap();
    assert_eq!(s.find_client("c1").await.unwrap(), None);
    assert_not_found(s.delete_client(NIC, "c1").await, "client");
    assert_not_found(s.update_client(&changed).await, "client");
}

async fn clients_of_another_account_are_not_found(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    let c = client(NIC, "c1", t(1));
    s.create_client(&c).await.unwrap();
    assert_not_found(s.get_client(OTHER, "c1").await, "client");
    assert_not_found(
        s.update_client(&OAuthClient {
            account: OTHER.into(),
            ..c.clone()
        })
        .await,
        "client",
    );
    assert_not_found(s.delete_client(OTHER, "c1").await, "client");
    assert_eq!(s.get_client(NIC, "c1").await.unwrap(), c);
}

contract!(
    client_round_trips_and_lists_in_creation_order,
    client_id_is_unique_across_accounts,
    update_client_replaces_the_mutable_fields,
    clients_of_another_account_are_not_found,
);
