//! `Store::write`: a change and its audit line are committed together or not at all, and
//! a write answers exactly as the single-purpose method of the same change.

use iam_core::role::Role;
use iam_store::{
    AuditEntry, AuditQuery, ResourceProvider, Store, User, UserStatus, Write, Written,
};
use uuid::Uuid;

use crate::fixture::*;
use crate::harness::Ctx;

async fn audit_lines(s: &dyn Store, nic: &str) -> Vec<AuditEntry> {
    s.list_audit(nic, &AuditQuery::default()).await.unwrap()
}

async fn a_write_leaves_the_change_and_its_audit_line(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let ops = group(NIC, "ops", Role::Regular, t(1));
    let created = audit(NIC, t(1), "success");
    assert_eq!(
        s.write(Write::CreateGroup(&ops), &created).await.unwrap(),
        Written::Done
    );
    assert_eq!(s.get_group(NIC, "ops").await.unwrap(), ops);

    let alice = user(NIC, "alice", "ops", t(2));
    let invited = audit(NIC, t(2), "success");
    s.write(Write::CreateUser(&alice), &invited).await.unwrap();
    let disabled = User {
        status: UserStatus::Disabled,
        ..alice.clone()
    };
    let edited = audit(NIC, t(3), "success");
    s.write(Write::UpdateUser(&disabled), &edited)
        .await
        .unwrap();
    assert_eq!(s.get_user(NIC, "alice").await.unwrap(), disabled);

    let removed = audit(NIC, t(4), "success");
    let delete = Write::DeleteUser {
        account: NIC,
        login: "alice",
    };
    s.write(delete, &removed).await.unwrap();
    assert_not_found(s.get_user(NIC, "alice").await, "user");
    assert_eq!(
        audit_lines(s, NIC).await,
        vec![removed, edited, invited, created]
    );
}

/// A write of no account (a provider) still has its line, in the account the entry names.
async fn a_provider_write_is_audited_too(ctx: Ctx) {
    let s = &*ctx.store;
    let provider = ResourceProvider {
        id: Uuid::new_v4(),
        name: "dns".to_owned(),
        resource_types: vec!["dnsZone".to_owned()],
        secret_hash: random_bytes(),
        created_at: t(1),
    };
    let line = audit(NIC, t(1), "success");
    let write = Write::CreateProvider(&provider);
    assert_eq!(write.account(), None);
    s.write(write, &line).await.unwrap();
    assert_eq!(s.list_providers().await.unwrap(), vec![provider]);
    assert_eq!(audit_lines(s, NIC).await, vec![line]);
}

async fn a_refused_write_leaves_neither_change_nor_audit_line(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let before = audit(NIC, t(0), "success");
    s.append_audit(&before).await.unwrap();
    s.create_group(&group(NIC, "ops", Role::Regular, t(1)))
        .await
        .unwrap();
    let revision = s.account_revision(NIC).await.unwrap();

    let again = group(NIC, "ops", Role::Admin, t(2));
    assert_conflict(
        s.write(Write::CreateGroup(&again), &audit(NIC, t(2), "success"))
            .await,
        "ops",
    );
    let missing = Write::DeleteUser {
        account: NIC,
        login: "nobody",
    };
    assert_not_found(s.write(missing, &audit(NIC, t(3), "success")).await, "user");

    assert_eq!(s.get_group(NIC, "ops").await.unwrap().role, Role::Regular);
    assert_eq!(audit_lines(s, NIC).await, vec![before]);
    // The revision bump that opened each refused transaction went with it.
    assert_eq!(s.account_revision(NIC).await.unwrap(), revision);
}

/// The other way round: a change whose audit line cannot be written is not made either.
async fn a_change_whose_audit_line_is_refused_is_not_made(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let taken = audit(NIC, t(0), "success");
    s.append_audit(&taken).await.unwrap();
    let revision = s.account_revision(NIC).await.unwrap();
    let line = AuditEntry {
        at: t(1),
        ..taken.clone()
    };
    let ops = group(NIC, "ops", Role::Regular, t(1));
    assert_conflict(
        s.write(Write::CreateGroup(&ops), &line).await,
        &taken.id.to_string(),
    );
    assert_not_found(s.get_group(NIC, "ops").await, "group");
    assert_eq!(audit_lines(s, NIC).await, vec![taken]);
    assert_eq!(s.account_revision(NIC).await.unwrap(), revision);
}

async fn upsert_resource_through_write_returns_the_stored_row(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let urn = "urn:v1:eu:resource:vps:vps-1.ovh.net";
    let first = resource(NIC, urn, t(1));
    let created = s
        .write(Write::UpsertResource(&first), &audit(NIC, t(1), "success"))
        .await
        .unwrap();
    assert_eq!(created, Written::Resource(first.clone()));

    // Updated by URN: the stored id and creation date stay, whatever the caller sent.
    let renamed = iam_store::Resource {
        id: Uuid::new_v4(),
        display_name: "renamed".to_owned(),
        created_at: t(5),
        updated_at: t(5),
        ..first.clone()
    };
    let updated = s
        .write(
            Write::UpsertResource(&renamed),
            &audit(NIC, t(5), "success"),
        )
        .await
        .unwrap();
    let stored = s.get_resource(NIC, urn).await.unwrap();
    assert_eq!(updated, Written::Resource(stored.clone()));
    assert_eq!((stored.id, stored.created_at), (first.id, first.created_at));
    assert_eq!(stored.display_name, "renamed");
    assert_eq!(audit_lines(s, NIC).await.len(), 2);
}

contract!(
    a_write_leaves_the_change_and_its_audit_line,
    a_provider_write_is_audited_too,
    a_refused_write_leaves_neither_change_nor_audit_line,
    a_change_whose_audit_line_is_refused_is_not_made,
    upsert_resource_through_write_returns_the_stored_row,
);
