//! Policies: exact round trip of every field and list order, name conflicts, full
//! replace (atomic), deletion, isolation, revision bumps.

use chrono::Duration;
use iam_core::policy::{Permissions, Policy};

use crate::fixture::*;
use crate::harness::Ctx;

async fn policy_round_trips_exactly(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let rich = rich_policy(NIC, "rich", t(1));
    let plain = policy(NIC, "plain", t(2));
    s.create_policy(&rich).await.unwrap();
    s.create_policy(&plain).await.unwrap();
    assert_eq!(s.get_policy(NIC, rich.id).await.unwrap(), rich);
    assert_eq!(s.get_policy(NIC, plain.id).await.unwrap(), plain);
    // The JSON the API serves is unchanged too.
    let json = serde_json::to_value(s.get_policy(NIC, rich.id).await.unwrap()).unwrap();
    assert_eq!(json, serde_json::to_value(&rich).unwrap());
}

async fn policy_with_empty_lists_round_trips(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let empty = Policy {
        identities: vec![],
        resources: vec![],
        permissions: Permissions::default(),
        description: Some(String::new()),
        ..policy(NIC, "empty", t(1))
    };
    s.create_policy(&empty).await.unwrap();
    assert_eq!(s.get_policy(NIC, empty.id).await.unwrap(), empty);
}

async fn list_policies_in_creation_order(ctx: Ctx) {
    let s = &*ctx.store;
    let (new, _) = setup(s, NIC).await;
    setup(s, OTHER).await;
    let c = rich_policy(NIC, "c", t(30));
    let a = policy(NIC, "a", t(10));
    let b = rich_policy(NIC, "b", t(20));
    for p in [&c, &a, &b] {
        s.create_policy(p).await.unwrap();
    }
    s.create_policy(&policy(OTHER, "a", t(15))).await.unwrap();
    let listed = s.list_policies(NIC).await.unwrap();
    assert_eq!(listed, vec![new.default_policy, a, b, c]);
}

async fn many_policies_list_with_their_children(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let mut expected = Vec::new();
    for i in 0..40 {
        let p = if i % 2 == 0 {
            rich_policy(NIC, &format!("p{i}"), t(i + 1))
        } else {
            policy(NIC, &format!("p{i}"), t(i + 1))
        };
        s.create_policy(&p).await.unwrap();
        expected.push(p);
    }
    let listed = s.list_policies(NIC).await.unwrap();
    assert_eq!(&listed[1..], &expected[..]);
}

async fn policy_name_conflicts_within_an_account_only(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    s.create_policy(&policy(NIC, "ops", t(1))).await.unwrap();
    assert_conflict(
        s.create_policy(&policy(NIC, "ops", t(2))).await,
        "a policy named ops already exists",
    );
    assert_conflict(
        s.create_policy(&policy(NIC, "ovh-default", t(2))).await,
        "ovh-default",
    );
    s.create_policy(&policy(OTHER, "ops", t(1))).await.unwrap();
    assert_eq!(s.list_policies(NIC).await.unwrap().len(), 2);
    assert_not_found(
        s.create_policy(&policy("nobody-ovh", "ops", t(1))).await,
        "account",
    );
}

async fn replace_policy_replaces_everything_but_creation(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let original = rich_policy(NIC, "p", t(1));
    s.create_policy(&original).await.unwrap();
    let plain = Policy {
        id: original.id,
        updated_at: Some(t(9)),
        ..policy(NIC, "renamed", t(1))
    };
    s.replace_policy(&plain).await.unwrap();
    assert_eq!(s.get_policy(NIC, original.id).await.unwrap(), plain);
    // And back to more children than before.
    let richer = Policy {
        identities: [
            original.identities.clone(),
            vec!["urn:v1:eu:identity:user:aa1111-ovh/x".into()],
        ]
        .concat(),
        expired_at: Some(t(1) + Duration::days(2)),
        ..original.clone()
    };
    s.replace_policy(&richer).await.unwrap();
    assert_eq!(s.get_policy(NIC, original.id).await.unwrap(), richer);
    s.replace_policy(&Policy {
        created_at: t(99),
        ..richer.clone()
    })
    .await
    .unwrap();
    assert_eq!(s.get_policy(NIC, original.id).await.unwrap(), richer);
}

/// A replace that fails (its new name is taken) leaves the stored policy untouched.
async fn replace_policy_is_atomic(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let p = rich_policy(NIC, "p", t(1));
    s.create_policy(&p).await.unwrap();
    let r0 = s.account_revision(NIC).await.unwrap();
    let clash = Policy {
        name: "ovh-default".into(),
        identities: vec![],
        ..p.clone()
    };
    assert_conflict(s.replace_policy(&clash).await, "ovh-default");
    assert_eq!(s.get_policy(NIC, p.id).await.unwrap(), p);
    assert_bumped(s, NIC, r0, 0).await;
}

async fn delete_policy_removes_it_and_its_children(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let p = rich_policy(NIC, "p", t(1));
    s.create_policy(&p).await.unwrap();
    s.delete_policy(NIC, p.id).await.unwrap();
    assert_not_found(s.get_policy(NIC, p.id).await, "policy");
    assert_not_found(s.delete_policy(NIC, p.id).await, "policy");
    // Same id again: no child row survived to collide with.
    s.create_policy(&p).await.unwrap();
    assert_eq!(s.get_policy(NIC, p.id).await.unwrap(), p);
}

async fn policies_of_another_account_are_not_found(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    let p = rich_policy(NIC, "p", t(1));
    s.create_policy(&p).await.unwrap();
    assert_not_found(s.get_policy(OTHER, p.id).await, "policy");
    assert_not_found(
        s.replace_policy(&Policy {
            owner: OTHER.into(),
            ..p.clone()
        })
        .await,
        "policy",
    );
    assert_not_found(s.delete_policy(OTHER, p.id).await, "policy");
    assert_eq!(s.list_policies(OTHER).await.unwrap().len(), 1);
    assert_eq!(s.get_policy(NIC, p.id).await.unwrap(), p);
}

async fn policy_writes_bump_the_revision(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    let other = s.account_revision(OTHER).await.unwrap();
    let r0 = s.account_revision(NIC).await.unwrap();
    let p = policy(NIC, "p", t(1));
    s.create_policy(&p).await.unwrap();
    let r1 = assert_bumped(s, NIC, r0, 1).await;
    s.replace_policy(&Policy {
        name: "q".into(),
        ..p.clone()
    })
    .await
    .unwrap();
    let r2 = assert_bumped(s, NIC, r1, 1).await;
    s.delete_policy(NIC, p.id).await.unwrap();
    let r3 = assert_bumped(s, NIC, r2, 1).await;
    let _ = s.create_policy(&policy(NIC, "ovh-default", t(1))).await;
    assert_bumped(s, NIC, r3, 0).await;
    assert_bumped(s, OTHER, other, 0).await;
}

/// Writers racing on one account all land and none loses a revision bump (SQLite queues
/// them on the file lock, PostgreSQL on the account row).
async fn concurrent_writes_to_one_account_all_land(ctx: Ctx) {
    let s = ctx.store.clone();
    setup(&*s, NIC).await;
    let r0 = s.account_revision(NIC).await.unwrap();
    let writers: Vec<_> = (0..16)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move {
                s.create_policy(&rich_policy(NIC, &format!("p{i}"), t(i + 1)))
                    .await
            })
        })
        .collect();
    for w in writers {
        w.await.unwrap().unwrap();
    }
    assert_eq!(s.list_policies(NIC).await.unwrap().len(), 17);
    assert_bumped(&*s, NIC, r0, 16).await;
}

contract!(
    concurrent_writes_to_one_account_all_land,
    policy_round_trips_exactly,
    policy_with_empty_lists_round_trips,
    list_policies_in_creation_order,
    many_policies_list_with_their_children,
    policy_name_conflicts_within_an_account_only,
    replace_policy_replaces_everything_but_creation,
    replace_policy_is_atomic,
    delete_policy_removes_it_and_its_children,
    policies_of_another_account_are_not_found,
    policy_writes_bump_the_revision,
);
