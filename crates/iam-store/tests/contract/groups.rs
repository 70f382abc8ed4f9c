//! User groups: round trip, order, conflicts, deletion refused while in use, isolation.

use iam_core::role::Role;
use iam_store::{Group, User};

use crate::fixture::*;
use crate::harness::Ctx;

async fn group_round_trips_and_lists_in_creation_order(ctx: Ctx) {
    let s = &*ctx.store;
    let (new, _) = setup(s, NIC).await;
    let ops = group(NIC, "ops", Role::None, t(5));
    let mut devs = group(NIC, "devs", Role::Regular, t(3));
    devs.description = None;
    s.create_group(&ops).await.unwrap();
    s.create_group(&devs).await.unwrap();
    assert_eq!(s.get_group(NIC, "ops").await.unwrap(), ops);
    assert_eq!(s.get_group(NIC, "devs").await.unwrap(), devs);
    let mut expected = new.default_groups.clone();
    expected.extend([devs, ops]);
    assert_eq!(s.list_groups(NIC).await.unwrap(), expected);
}

async fn group_name_conflicts_within_an_account_only(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    s.create_group(&group(NIC, "ops", Role::None, t(1)))
        .await
        .unwrap();
    assert_conflict(
        s.create_group(&group(NIC, "ops", Role::Admin, t(2))).await,
        "ops",
    );
    s.create_group(&group(OTHER, "ops", Role::None, t(1)))
        .await
        .unwrap();
    assert_eq!(s.get_group(NIC, "ops").await.unwrap().role, Role::None);
}

async fn update_group_replaces_the_mutable_fields(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let ops = group(NIC, "ops", Role::None, t(1));
    s.create_group(&ops).await.unwrap();
    let changed = Group {
        description: None,
        role: Role::Unprivileged,
        default_group: true,
        updated_at: t(9),
        ..ops.clone()
    };
    s.update_group(&changed).await.unwrap();
    assert_eq!(s.get_group(NIC, "ops").await.unwrap(), changed);
    // `created_at` is fixed at creation.
    s.update_group(&Group {
        created_at: t(100),
        ..changed.clone()
    })
    .await
    .unwrap();
    assert_eq!(s.get_group(NIC, "ops").await.unwrap(), changed);
}

async fn delete_group_is_refused_while_users_belong_to_it(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    s.create_group(&group(NIC, "ops", Role::None, t(1)))
        .await
        .unwrap();
    let alice = user(NIC, "alice", "ops", t(2));
    s.create_user(&alice).await.unwrap();
    assert_conflict(s.delete_group(NIC, "ops").await, "ops");
    assert!(s.get_group(NIC, "ops").await.is_ok());
    s.update_user(&User {
        group: "DEFAULT".into(),
        ..alice
    })
    .await
    .unwrap();
    s.delete_group(NIC, "ops").await.unwrap();
    assert_not_found(s.get_group(NIC, "ops").await, "group");
    assert_not_found(s.delete_group(NIC, "ops").await, "group");
}

async fn groups_of_another_account_are_not_found(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    let ops = group(NIC, "ops", Role::None, t(1));
    s.create_group(&ops).await.unwrap();
    assert_not_found(s.get_group(OTHER, "ops").await, "group");
    assert_not_found(
        s.update_group(&Group {
            account: OTHER.into(),
            ..ops.clone()
        })
        .await,
        "group",
    );
    assert_not_found(s.delete_group(OTHER, "ops").await, "group");
    assert!(
        s.list_groups(OTHER)
            .await
            .unwrap()
            .iter()
            .all(|g| g.name != "ops")
    );
    assert_not_found(
        s.create_group(&group("nobody-ovh", "x", Role::None, t(1)))
            .await,
        "account",
    );
    assert_eq!(s.get_group(NIC, "ops").await.unwrap(), ops);
}

async fn group_writes_bump_the_revision(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    let r0 = s.account_revision(NIC).await.unwrap();
    let other = s.account_revision(OTHER).await.unwrap();
    let ops = group(NIC, "ops", Role::None, t(1));
    s.create_group(&ops).await.unwrap();
    let r1 = assert_bumped(s, NIC, r0, 1).await;
    s.update_group(&Group {
        role: Role::Admin,
        ..ops
    })
    .await
    .unwrap();
    let r2 = assert_bumped(s, NIC, r1, 1).await;
    s.delete_group(NIC, "ops").await.unwrap();
    let r3 = assert_bumped(s, NIC, r2, 1).await;
    // A refused write changes nothing.
    let _ = s.delete_group(NIC, "ops").await;
    let _ = s
        .create_group(&group(NIC, "ADMIN", Role::Admin, t(1)))
        .await;
    assert_bumped(s, NIC, r3, 0).await;
    assert_bumped(s, OTHER, other, 0).await;
}

contract!(
    group_round_trips_and_lists_in_creation_order,
    group_name_conflicts_within_an_account_only,
    update_group_replaces_the_mutable_fields,
    delete_group_is_refused_while_users_belong_to_it,
    groups_of_another_account_are_not_found,
    group_writes_bump_the_revision,
);
