//! Resource groups: round trip with ordered members, members from the same account only,
//! replace (atomic), deletion, isolation, revision bumps.

use iam_store::{ResourceGroup, StoreError};
use uuid::Uuid;

use crate::fixture::*;
use crate::harness::Ctx;

async fn resources(s: &dyn iam_store::Store, nic: &str, n: usize) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for i in 0..n {
        // A URN lives in one account: each account's resources are its own.
        let urn = format!("urn:v1:eu:resource:vps:vps-{i}.{nic}");
        let r = resource(nic, &urn, t(i as i64));
        ids.push(s.upsert_resource(&r).await.unwrap().id);
    }
    ids
}

async fn resource_group_round_trips_with_ordered_members(ctx: Ctx) {
    let s = &*ctx.store;
    let (new, _) = setup(s, NIC).await;
    let ids = resources(s, NIC, 3).await;
    let g = resource_group(NIC, "web", vec![ids[2], ids[0], ids[1]], t(5));
    let empty = ResourceGroup {
        updated_at: None,
        read_only: true,
        ..resource_group(NIC, "empty", vec![], t(4))
    };
    s.create_resource_group(&g).await.unwrap();
    s.create_resource_group(&empty).await.unwrap();
    assert_eq!(s.get_resource_group(NIC, g.id).await.unwrap(), g);
    assert_eq!(s.get_resource_group(NIC, empty.id).await.unwrap(), empty);
    let listed = s.list_resource_groups(NIC).await.unwrap();
    assert_eq!(listed[1..], [empty, g]);
    assert_eq!(listed[0].id, new.default_resource_group.id);
    assert!(listed[0].read_only);
}

async fn members_must_be_resources_of_the_account(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    let mine = resources(s, NIC, 1).await;
    let theirs = resources(s, OTHER, 1).await;
    let g = resource_group(NIC, "web", vec![mine[0], theirs[0]], t(5));
    assert_not_found(s.create_resource_group(&g).await, "resource");
    assert_not_found(s.get_resource_group(NIC, g.id).await, "resource group");
    let unknown = resource_group(NIC, "web", vec![Uuid::new_v4()], t(5));
    assert_not_found(s.create_resource_group(&unknown).await, "resource");
    let twice = resource_group(NIC, "web", vec![mine[0], mine[0]], t(5));
    assert!(matches!(
        s.create_resource_group(&twice).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(s.list_resource_groups(NIC).await.unwrap().len(), 1);
}

async fn resource_group_urn_and_id_are_unique(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    let g = resource_group(NIC, "web", vec![], t(5));
    s.create_resource_group(&g).await.unwrap();
    let same_urn = ResourceGroup {
        id: Uuid::new_v4(),
        ..g.clone()
    };
    assert_conflict(s.create_resource_group(&same_urn).await, &g.urn);
    let same_urn_elsewhere = ResourceGroup {
        account: OTHER.into(),
        ..same_urn
    };
    assert_conflict(s.create_resource_group(&same_urn_elsewhere).await, &g.urn);
    // Names are not unique (the API does not ask for it).
    s.create_resource_group(&resource_group(NIC, "web", vec![], t(6)))
        .await
        .unwrap();
    assert_not_found(
        s.create_resource_group(&resource_group("nobody-ovh", "x", vec![], t(1)))
            .await,
        "account",
    );
}

async fn replace_resource_group_replaces_name_flag_and_members(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let ids = resources(s, NIC, 3).await;
    let g = resource_group(NIC, "web", vec![ids[0], ids[1]], t(5));
    s.create_resource_group(&g).await.unwrap();
    let changed = ResourceGroup {
        name: "db".into(),
        read_only: true,
        members: vec![ids[2], ids[0]],
        updated_at: Some(t(9)),
        ..g.clone()
    };
    s.replace_resource_group(&changed).await.unwrap();
    assert_eq!(s.get_resource_group(NIC, g.id).await.unwrap(), changed);
    // A member that is not there fails the whole replace.
    let bad = ResourceGroup {
        name: "bad".into(),
        members: vec![ids[1], Uuid::new_v4()],
        ..changed.clone()
    };
    assert_not_found(s.replace_resource_group(&bad).await, "resource");
    assert_eq!(s.get_resource_group(NIC, g.id).await.unwrap(), changed);
    // URN and creation are fixed.
    let moved = ResourceGroup {
        urn: "urn:v1:eu:resourceGroup:other".into(),
        created_at: t(90),
        ..changed.clone()
    };
    s.replace_resource_group(&moved).await.unwrap();
    assert_eq!(s.get_resource_group(NIC, g.id).await.unwrap(), changed);
}

async fn the_default_group_stays_the_default_after_replace(ctx: Ctx) {
    let s = &*ctx.store;
    let (new, _) = setup(s, NIC).await;
    let renamed = ResourceGroup {
        name: "renamed".into(),
        ..new.default_resource_group.clone()
    };
    s.replace_resource_group(&renamed).await.unwrap();
    let ids = resources(s, NIC, 1).await;
    let got = s.get_resource_group(NIC, renamed.id).await.unwrap();
    assert_eq!(got.members, vec![new.account_resource.id, ids[0]]);
}

async fn delete_resource_group_keeps_its_resources(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let ids = resources(s, NIC, 1).await;
    let g = resource_group(NIC, "web", ids.clone(), t(5));
    s.create_resource_group(&g).await.unwrap();
    s.delete_resource_group(NIC, g.id).await.unwrap();
    assert_not_found(s.get_resource_group(NIC, g.id).await, "resource group");
    assert_not_found(s.delete_resource_group(NIC, g.id).await, "resource group");
    assert!(s.get_resource_by_id(NIC, ids[0]).await.is_ok());
    assert_eq!(
        s.resource_group_urns_of(NIC, ids[0]).await.unwrap().len(),
        1
    );
}

async fn resource_groups_of_another_account_are_not_found(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    let g = resource_group(NIC, "web", vec![], t(5));
    s.create_resource_group(&g).await.unwrap();
    assert_not_found(s.get_resource_group(OTHER, g.id).await, "resource group");
    let theirs = ResourceGroup {
        account: OTHER.into(),
        ..g.clone()
    };
    assert_not_found(s.replace_resource_group(&theirs).await, "resource group");
    assert_not_found(s.delete_resource_group(OTHER, g.id).await, "resource group");
    assert_eq!(s.list_resource_groups(OTHER).await.unwrap().len(), 1);
    assert_eq!(s.get_resource_group(NIC, g.id).await.unwrap(), g);
}

async fn resource_group_writes_bump_the_revision(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let r0 = s.account_revision(NIC).await.unwrap();
    let g = resource_group(NIC, "web", vec![], t(5));
    s.create_resource_group(&g).await.unwrap();
    let r1 = assert_bumped(s, NIC, r0, 1).await;
    s.replace_resource_group(&ResourceGroup {
        name: "x".into(),
        ..g.clone()
    })
    .await
    .unwrap();
    let r2 = assert_bumped(s, NIC, r1, 1).await;
    s.delete_resource_group(NIC, g.id).await.unwrap();
    let r3 = assert_bumped(s, NIC, r2, 1).await;
    let _ = s.replace_resource_group(&g).await;
    assert_bumped(s, NIC, r3, 0).await;
}

contract!(
    resource_group_round_trips_with_ordered_members,
    members_must_be_resources_of_the_account,
    resource_group_urn_and_id_are_unique,
    replace_resource_group_replaces_name_flag_and_members,
    the_default_group_stays_the_default_after_replace,
    delete_resource_group_keeps_its_resources,
    resource_groups_of_another_account_are_not_found,
    resource_group_writes_bump_the_revision,
);
