//! Several nodes over one PostgreSQL database: a change made through one node is enforced by
//! the others at once, through `LISTEN/NOTIFY` (DESIGN.md §6).

use std::time::Duration;

use iamd::config::ConfigLayer;
use serde_json::json;

use crate::helpers::{Backend, TestApp, postgres_url};
use crate::users::{create_token, user_token};

/// The safety-net revision check of the second node: far longer than the test, so that only
/// a change notification can make it see the change.
const AN_HOUR_MS: u64 = 3_600_000;

/// Two nodes over one fresh PostgreSQL database, the second with the hour-long safety net;
/// `None` (after a note) where no PostgreSQL is configured.
pub async fn two_nodes() -> Option<(TestApp, TestApp)> {
    if postgres_url().is_none() {
        eprintln!("NOTE: IAMD_TEST_POSTGRES_URL is not set: multi-node test skipped");
        return None;
    }
    let first = TestApp::spawn(Backend::Postgres).await;
    let overrides = ConfigLayer {
        revision_check_ms: Some(AN_HOUR_MS),
        ..ConfigLayer::default()
    };
    let second = first.another_node(overrides).await;
    Some((first, second))
}

/// The status `node` answers to `GET path` with `token`, polled (bounded: 15 s, well under
/// the principal cache's 60 s time to live) until it is `wanted`.
pub async fn status_becomes(node: &TestApp, path: &str, token: &str, wanted: u16) -> u16 {
    let mut status = 0;
    for _ in 0..300 {
        status = node.get(path, Some(token)).await.status().as_u16();
        if status == wanted {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    status
}

#[tokio::test]
async fn a_change_through_one_node_is_enforced_by_another_at_once() {
    let Some((first, second)) = two_nodes().await else {
        return;
    };
    let account = first.create_account("xx1111-ovh").await;
    let root = Some(account.token.as_str());

    let group = json!({"name": "team", "role": "NONE"});
    assert_eq!(
        first
            .post("/1.0/me/identity/group", root, &group)
            .await
            .status(),
        200
    );
    let bob = user_token(&first, &account.token, "bob", "team").await;

    // The second node caches the account while bob's group grants nothing.
    let refused = second.get("/1.0/me/identity/group", Some(&bob)).await;
    assert_eq!(refused.status(), 403);

    let promote = json!({"role": "UNPRIVILEGED"});
    assert_eq!(
        first
            .put("/1.0/me/identity/group/team", root, &promote)
            .await
            .status(),
        200
    );

    // Bounded wait for the notification; without it the second node would refuse for an hour.
    let status = status_becomes(&second, "/1.0/me/identity/group", &bob, 200).await;
    assert_eq!(status, 200, "the second node never learned of the change");
}

#[tokio::test]
async fn a_token_deleted_through_one_node_is_refused_by_another_at_once() {
    let Some((first, second)) = two_nodes().await else {
        return;
    };
    let account = first.create_account("xx1111-ovh").await;
    let root = Some(account.token.as_str());
    let carol = user_token(&first, &account.token, "carol", "DEFAULT").await;
    let dave = user_token(&first, &account.token, "dave", "DEFAULT").await;
    let spare = create_token(&first, &account.token, "dave", "spare").await;
    // The second node resolves and holds all three tokens.
    for token in [&carol, &dave, &spare] {
        assert_eq!(second.get("/1.0/me", Some(token)).await.status(), 200);
        let hash = second.state.secrets.hash(token);
        assert!(second.state.principals.get(&hash).is_some());
    }

    let deleted = first
        .delete("/1.0/me/identity/user/carol/token/main", root)
        .await;
    assert_eq!(deleted.status(), 200);
    let status = status_becomes(&second, "/1.0/me", &carol, 401).await;
    assert_eq!(status, 401, "the second node still accepts a deleted token");

    let disable = json!({});
    let disabled = first
        .post("/1.0/me/identity/user/dave/disable", root, &disable)
        .await;
    assert_eq!(disabled.status(), 200);
    for token in [&dave, &spare] {
        let status = status_becomes(&second, "/1.0/me", token, 401).await;
        assert_eq!(status, 401, "the second node still accepts a disabled user");
    }
}
