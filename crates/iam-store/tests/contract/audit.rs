//! The audit log: round trip, newest first, filters, limit, isolation.

use iam_store::{AuditEntry, AuditQuery};

use crate::fixture::*;
use crate::harness::Ctx;

async fn audit_round_trips_newest_first(ctx: Ctx) {
    let s = &*ctx.store;
    let old = audit(NIC, t(1), "success");
    let bare = AuditEntry {
        actor: None,
        target: None,
        ip: None,
        details: serde_json::Value::Null,
        ..audit(NIC, t(3), "denied")
    };
    let mid = audit(NIC, t(2), "success");
    for e in [&old, &bare, &mid] {
        s.append_audit(e).await.unwrap();
    }
    s.append_audit(&audit(OTHER, t(2), "success"))
        .await
        .unwrap();
    let all = s.list_audit(NIC, &AuditQuery::default()).await.unwrap();
    assert_eq!(all, vec![bare, mid, old]);
}

async fn audit_accepts_unknown_accounts(ctx: Ctx) {
    let s = &*ctx.store;
    let e = audit("nobody-ovh", t(1), "denied");
    s.append_audit(&e).await.unwrap();
    assert_eq!(
        s.list_audit("nobody-ovh", &AuditQuery::default())
            .await
            .unwrap(),
        vec![e.clone()]
    );
    assert_conflict(s.append_audit(&e).await, &e.id.to_string());
}

async fn audit_filters_and_limit(ctx: Ctx) {
    let s = &*ctx.store;
    let entries: Vec<AuditEntry> = (0..6)
        .map(|i| audit(NIC, t(i), if i % 2 == 0 { "success" } else { "denied" }))
        .collect();
    for e in &entries {
        s.append_audit(e).await.unwrap();
    }
    let q = |before: Option<i64>, outcome: Option<&str>, limit: u32| AuditQuery {
        before: before.map(t),
        outcome: outcome.map(str::to_owned),
        limit,
    };
    let at = |list: Vec<AuditEntry>| list.into_iter().map(|e| e.at).collect::<Vec<_>>();
    assert_eq!(
        at(s.list_audit(NIC, &q(None, None, 2)).await.unwrap()),
        [t(5), t(4)]
    );
    assert_eq!(
        at(s.list_audit(NIC, &q(Some(4), None, 0)).await.unwrap()),
        [t(3), t(2), t(1), t(0)]
    );
    assert_eq!(
        at(s.list_audit(NIC, &q(None, Some("denied"), 0))
            .await
            .unwrap()),
        [t(5), t(3), t(1)]
    );
    assert_eq!(
        at(s.list_audit(NIC, &q(Some(5), Some("success"), 1))
            .await
            .unwrap()),
        [t(4)]
    );
    assert!(
        s.list_audit(OTHER, &q(None, None, 0))
            .await
            .unwrap()
            .is_empty()
    );
}

contract!(
    audit_round_trips_newest_first,
    audit_accepts_unknown_accounts,
    audit_filters_and_limit
);
