//! Account-owned permissions groups: round trip, URN conflicts, replace by id, deletion,
//! isolation, revision bumps.

use iam_core::policy::{Permissions, PermissionsGroup};
use uuid::Uuid;

use crate::fixture::*;
use crate::harness::Ctx;

async fn permissions_group_round_trips_and_lists_in_order(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let ops = permissions_group(NIC, "ops", t(5));
    let empty = PermissionsGroup {
        permissions: Permissions::default(),
        updated_at: Some(t(6)),
        ..permissions_group(NIC, "empty", t(1))
    };
    s.create_permissions_group(&ops).await.unwrap();
    s.create_permissions_group(&empty).await.unwrap();
    assert_eq!(s.get_permissions_group(NIC, &ops.urn).await.unwrap(), ops);
    assert_eq!(
        s.get_permissions_group(NIC, &empty.urn).await.unwrap(),
        empty
    );
    assert_eq!(
        s.list_permissions_groups(NIC).await.unwrap(),
        vec![empty, ops]
    );
}

async fn permissions_group_urn_and_id_are_unique(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let ops = permissions_group(NIC, "ops", t(5));
    s.create_permissions_group(&ops).await.unwrap();
    let same_urn = PermissionsGroup {
        id: Uuid::new_v4(),
        ..ops.clone()
    };
    assert_conflict(s.create_permissions_group(&same_urn).await, &ops.urn);
    let same_id = PermissionsGroup {
        id: ops.id,
        ..permissions_group(NIC, "dev", t(5))
    };
    assert_conflict(
        s.create_permissions_group(&same_id).await,
        &ops.id.to_string(),
    );
    assert_not_found(
        s.create_permissions_group(&permissions_group("nobody-ovh", "x", t(1)))
            .await,
        "account",
    );
}

async fn replace_permissions_group_by_id(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let ops = permissions_group(NIC, "ops", t(5));
    let dev = permissions_group(NIC, "dev", t(6));
    s.create_permissions_group(&ops).await.unwrap();
    s.create_permissions_group(&dev).await.unwrap();
    let renamed = PermissionsGroup {
        urn: format!("urn:v1:eu:permissionsGroup:{NIC}:sre"),
        name: "sre".into(),
        description: "renamed".into(),
        permissions: Permissions {
            allow: actions(&["*"]),
            ..Default::default()
        },
        updated_at: Some(t(9)),
        ..ops.clone()
    };
    s.replace_permissions_group(&renamed).await.unwrap();
    assert_eq!(
        s.get_permissions_group(NIC, &renamed.urn).await.unwrap(),
        renamed
    );
    assert_not_found(
        s.get_permissions_group(NIC, &ops.urn).await,
        "permissions group",
    );
    let clash = PermissionsGroup {
        urn: dev.urn.clone(),
        ..renamed.clone()
    };
    assert_conflict(s.replace_permissions_group(&clash).await, &dev.urn);
    assert_eq!(
        s.get_permissions_group(NIC, &renamed.urn).await.unwrap(),
        renamed
    );
    assert_not_found(
        s.replace_permissions_group(&permissions_group(NIC, "ghost", t(1)))
            .await,
        "permissions group",
    );
}

async fn delete_permissions_group(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let ops = permissions_group(NIC, "ops", t(5));
    s.create_permissions_group(&ops).await.unwrap();
    s.delete_permissions_group(NIC, &ops.urn).await.unwrap();
    assert_not_found(
        s.get_permissions_group(NIC, &ops.urn).await,
        "permissions group",
    );
    assert_not_found(
        s.delete_permissions_group(NIC, &ops.urn).await,
        "permissions group",
    );
    s.create_permissions_group(&ops).await.unwrap();
    assert_eq!(s.get_permissions_group(NIC, &ops.urn).await.unwrap(), ops);
}

async fn permissions_groups_of_another_account_are_not_found(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    let ops = permissions_group(NIC, "ops", t(5));
    s.create_permissions_group(&ops).await.unwrap();
    assert_not_found(
        s.get_permissions_group(OTHER, &ops.urn).await,
        "permissions group",
    );
    let theirs = PermissionsGroup {
        owner: OTHER.into(),
        ..ops.clone()
    };
    assert_not_found(
        s.replace_permissions_group(&theirs).await,
        "permissions group",
    );
    assert_not_found(
        s.delete_permissions_group(OTHER, &ops.urn).await,
        "permissions group",
    );
    assert!(s.list_permissions_groups(OTHER).await.unwrap().is_empty());
    assert_eq!(s.get_permissions_group(NIC, &ops.urn).await.unwrap(), ops);
}

async fn permissions_group_writes_bump_the_revision(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let r0 = s.account_revision(NIC).await.unwrap();
    let ops = permissions_group(NIC, "ops", t(5));
    s.create_permissions_group(&ops).await.unwrap();
    let r1 = assert_bumped(s, NIC, r0, 1).await;
    s.replace_permissions_group(&PermissionsGroup {
        description: "x".into(),
        ..ops.clone()
    })
    .await
    .unwrap();
    let r2 = assert_bumped(s, NIC, r1, 1).await;
    s.delete_permissions_group(NIC, &ops.urn).await.unwrap();
    let r3 = assert_bumped(s, NIC, r2, 1).await;
    let _ = s.delete_permissions_group(NIC, &ops.urn).await;
    assert_bumped(s, NIC, r3, 0).await;
}

contract!(
    permissions_group_round_trips_and_lists_in_order,
    permissions_group_urn_and_id_are_unique,
    replace_permissions_group_by_id,
    delete_permissions_group,
    permissions_groups_of_another_account_are_not_found,
    permissions_group_writes_bump_the_revision,
);
