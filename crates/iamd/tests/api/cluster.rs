//! Several nodes over one PostgreSQL database: a change made through one node is enforced by
//! the others at once, through `LISTEN/NOTIFY` (DESIGN.md §6).

use std::time::Duration;

use iamd::config::ConfigLayer;
use serde_json::json;

use crate::helpers::{Backend, TestApp, postgres_url};
use crate::users::user_token;

/// The safety-net revision check of the second node: far longer than the test, so that only
/// a change notification can make it see the change.
const AN_HOUR_MS: u64 = 3_600_000;

#[tokio::test]
async fn a_change_through_one_node_is_enforced_by_another_at_once() {
    if postgres_url().is_none() {
        eprintln!("NOTE: IAMD_TEST_POSTGRES_URL is not set: multi-node test skipped");
        return;
    }
    let first = TestApp::spawn(Backend::Postgres).await;
    let overrides = ConfigLayer {
        revision_check_ms: Some(AN_HOUR_MS),
        ..ConfigLayer::default()
    };
    let second = first.another_node(overrides).await;
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
    let mut status = 0;
    for _ in 0..300 {
        status = second
            .get("/1.0/me/identity/group", Some(&bob))
            .await
            .status()
            .as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 200, "the second node never learned of the change");
}
