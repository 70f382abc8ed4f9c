//! Change feed: PostgreSQL tells every listener which account changed once the change
//! commits, and nothing for a refused write; SQLite (one node) has no feed.

use std::time::Duration;

use iam_core::role::Role;

use crate::fixture::*;
use crate::harness::Ctx;

async fn committed_changes_are_announced_and_refused_ones_are_not(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let Some(mut feed) = s.watch_changes().await.unwrap() else {
        assert_eq!(
            s.backend(),
            "sqlite",
            "only the single-node backend may have no feed"
        );
        return;
    };
    // Refused: a duplicate name rolls the transaction back, and its notification with it.
    s.create_group(&group(NIC, "ops", Role::None, t(1)))
        .await
        .unwrap();
    assert_eq!(next(&mut feed).await.as_deref(), Some(NIC));
    assert!(
        s.create_group(&group(NIC, "ops", Role::None, t(2)))
            .await
            .is_err()
    );
    setup(s, OTHER).await;
    s.create_group(&group(OTHER, "devs", Role::None, t(3)))
        .await
        .unwrap();
    // The next announcement is OTHER's group: the refused write announced nothing.
    assert_eq!(next(&mut feed).await.as_deref(), Some(OTHER));
}

/// The next announced account, waiting a bounded time for it to arrive.
async fn next(feed: &mut iam_store::ChangeFeed) -> Option<String> {
    tokio::time::timeout(Duration::from_secs(30), feed.recv())
        .await
        .ok()
        .flatten()
}

contract!(committed_changes_are_announced_and_refused_ones_are_not);
