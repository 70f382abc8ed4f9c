//! Resources: upsert (insert, then update keeping id and creation), tags, the default
//! resource group kept complete, deletion from every group, isolation, revision bumps.

use std::collections::BTreeMap;

use iam_store::Resource;
use uuid::Uuid;

use crate::fixture::*;
use crate::harness::Ctx;

const VPS: &str = "urn:v1:eu:resource:vps:vps-1.ovh.net";

async fn upsert_inserts_and_joins_the_default_group(ctx: Ctx) {
    let s = &*ctx.store;
    let (new, _) = setup(s, NIC).await;
    let r = resource(NIC, VPS, t(1));
    assert_eq!(s.upsert_resource(&r).await.unwrap(), r);
    assert_eq!(s.get_resource(NIC, VPS).await.unwrap(), r);
    assert_eq!(s.get_resource_by_id(NIC, r.id).await.unwrap(), r);
    let default = s
        .get_resource_group(NIC, new.default_resource_group.id)
        .await
        .unwrap();
    assert_eq!(default.members, vec![new.account_resource.id, r.id]);
    assert_eq!(
        s.resource_group_urns_of(NIC, r.id).await.unwrap(),
        vec![default.urn]
    );
    assert_eq!(
        s.list_resources(NIC).await.unwrap(),
        vec![new.account_resource, r]
    );
}

async fn upsert_updates_by_urn_keeping_id_and_creation(ctx: Ctx) {
    let s = &*ctx.store;
    let (new, _) = setup(s, NIC).await;
    let r = resource(NIC, VPS, t(1));
    s.upsert_resource(&r).await.unwrap();
    let again = Resource {
        id: Uuid::new_v4(),
        name: "renamed".into(),
        display_name: "Renamed".into(),
        resource_type: "dedicatedServer".into(),
        tags: BTreeMap::from([("env".into(), "dev".into()), ("new".into(), "".into())]),
        created_at: t(50),
        updated_at: t(60),
        ..r.clone()
    };
    let stored = s.upsert_resource(&again).await.unwrap();
    let expected = Resource {
        id: r.id,
        created_at: r.created_at,
        ..again
    };
    assert_eq!(stored, expected);
    assert_eq!(s.get_resource(NIC, VPS).await.unwrap(), expected);
    let default = s
        .get_resource_group(NIC, new.default_resource_group.id)
        .await
        .unwrap();
    assert_eq!(
        default.members,
        vec![new.account_resource.id, r.id],
        "no second membership"
    );
    s.upsert_resource(&Resource {
        tags: BTreeMap::new(),
        ..expected.clone()
    })
    .await
    .unwrap();
    assert!(s.get_resource(NIC, VPS).await.unwrap().tags.is_empty());
}

/// Whose resource a URN is must be defined (DESIGN.md §4 rule 7): one account at a time.
async fn a_urn_is_registered_in_one_account_only(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    let mine = resource(NIC, VPS, t(1));
    let theirs = resource(OTHER, VPS, t(2));
    s.upsert_resource(&mine).await.unwrap();
    let revision = s.account_revision(OTHER).await.unwrap();
    assert_conflict(s.upsert_resource(&theirs).await, "another account");
    assert_not_found(s.get_resource(OTHER, VPS).await, "resource");
    assert_eq!(
        s.list_resources(OTHER).await.unwrap().len(),
        1,
        "its account resource only"
    );
    assert_eq!(
        s.account_revision(OTHER).await.unwrap(),
        revision,
        "nothing written"
    );
    assert_eq!(s.get_resource(NIC, VPS).await.unwrap(), mine);
    // Another account's own `account` resource is taken as well.
    let squat = resource(NIC, &format!("urn:v1:eu:resource:account:{OTHER}"), t(2));
    assert_conflict(s.upsert_resource(&squat).await, "another account");
    // Reusing an id across URNs is a conflict, not a silent overwrite.
    let clash = Resource {
        id: mine.id,
        ..resource(NIC, "urn:v1:eu:resource:vps:vps-9", t(3))
    };
    assert_conflict(s.upsert_resource(&clash).await, &mine.id.to_string());
    assert_not_found(
        s.upsert_resource(&resource("nobody-ovh", VPS, t(1))).await,
        "account",
    );
    // Once removed from its account, the URN may be registered in another.
    s.delete_resource(NIC, VPS).await.unwrap();
    s.upsert_resource(&theirs).await.unwrap();
    assert_eq!(s.get_resource(OTHER, VPS).await.unwrap(), theirs);
}

async fn delete_resource_removes_it_from_every_group(ctx: Ctx) {
    let s = &*ctx.store;
    let (new, _) = setup(s, NIC).await;
    let r = resource(NIC, VPS, t(1));
    let keep = resource(NIC, "urn:v1:eu:resource:vps:vps-2", t(2));
    s.upsert_resource(&r).await.unwrap();
    s.upsert_resource(&keep).await.unwrap();
    let g = resource_group(NIC, "mine", vec![r.id, keep.id], t(3));
    s.create_resource_group(&g).await.unwrap();
    let urns = s.resource_group_urns_of(NIC, r.id).await.unwrap();
    assert_eq!(
        urns,
        vec![new.default_resource_group.urn.clone(), g.urn.clone()]
    );
    s.delete_resource(NIC, VPS).await.unwrap();
    assert_not_found(s.get_resource(NIC, VPS).await, "resource");
    assert_not_found(s.get_resource_by_id(NIC, r.id).await, "resource");
    assert_not_found(s.resource_group_urns_of(NIC, r.id).await, "resource");
    assert_eq!(
        s.get_resource_group(NIC, g.id).await.unwrap().members,
        vec![keep.id]
    );
    let default = s
        .get_resource_group(NIC, new.default_resource_group.id)
        .await
        .unwrap();
    assert_eq!(default.members, vec![new.account_resource.id, keep.id]);
    assert_not_found(s.delete_resource(NIC, VPS).await, "resource");
    // Back again: a fresh member of the default group, tags and all.
    s.upsert_resource(&r).await.unwrap();
    assert_eq!(s.get_resource(NIC, VPS).await.unwrap(), r);
}

async fn resource_in_no_group_has_no_group_urns(ctx: Ctx) {
    let s = &*ctx.store;
    let (new, _) = setup(s, NIC).await;
    let r = resource(NIC, VPS, t(1));
    s.upsert_resource(&r).await.unwrap();
    s.replace_resource_group(&new.default_resource_group)
        .await
        .unwrap();
    assert_eq!(
        s.resource_group_urns_of(NIC, r.id).await.unwrap(),
        Vec::<String>::new()
    );
}

async fn resources_of_another_account_are_not_found(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    let r = resource(NIC, VPS, t(1));
    s.upsert_resource(&r).await.unwrap();
    assert_not_found(s.get_resource(OTHER, VPS).await, "resource");
    assert_not_found(s.get_resource_by_id(OTHER, r.id).await, "resource");
    assert_not_found(s.delete_resource(OTHER, VPS).await, "resource");
    assert_not_found(s.resource_group_urns_of(OTHER, r.id).await, "resource");
    assert_eq!(s.list_resources(OTHER).await.unwrap().len(), 1);
    assert_eq!(s.get_resource(NIC, VPS).await.unwrap(), r);
}

async fn resource_writes_bump_the_revision(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let r0 = s.account_revision(NIC).await.unwrap();
    let r = resource(NIC, VPS, t(1));
    s.upsert_resource(&r).await.unwrap();
    let r1 = assert_bumped(s, NIC, r0, 1).await;
    s.upsert_resource(&Resource {
        name: "x".into(),
        ..r
    })
    .await
    .unwrap();
    let r2 = assert_bumped(s, NIC, r1, 1).await;
    s.delete_resource(NIC, VPS).await.unwrap();
    let r3 = assert_bumped(s, NIC, r2, 1).await;
    let _ = s.delete_resource(NIC, VPS).await;
    assert_bumped(s, NIC, r3, 0).await;
}

contract!(
    upsert_inserts_and_joins_the_default_group,
    upsert_updates_by_urn_keeping_id_and_creation,
    a_urn_is_registered_in_one_account_only,
    delete_resource_removes_it_from_every_group,
    resource_in_no_group_has_no_group_urns,
    resources_of_another_account_are_not_found,
    resource_writes_bump_the_revision,
);
