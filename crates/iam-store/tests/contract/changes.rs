//! Change feed: PostgreSQL tells every listener which account changed once the change
//! commits, and nothing for a refused write; SQLite (one node) has no feed.

use std::time::Duration;

use iam_core::role::Role;
use iam_store::{AccessTokenRecord, Change, ChangeFeed, Store, User, UserStatus, Write};
use sqlx::{Connection, PgConnection};

use crate::fixture::*;
use crate::harness::Ctx;

async fn committed_changes_are_announced_and_refused_ones_are_not(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let Some(mut feed) = feed(s).await else {
        return;
    };
    // Refused: a duplicate name rolls the transaction back, and its notification with it.
    s.create_group(&group(NIC, "ops", Role::None, t(1)))
        .await
        .unwrap();
    assert_eq!(next(&mut feed).await, Some(decisions(NIC)));
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
    assert_eq!(next(&mut feed).await, Some(decisions(OTHER)));
}

/// Other nodes cache who a personal access token acts as: every write that can change it is
/// announced as a credentials change, and bookkeeping (`touch`) is not.
async fn token_and_user_writes_are_announced_as_credential_changes(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    let Some(mut feed) = feed(s).await else {
        return;
    };
    s.create_user(&user(NIC, "alice", "DEFAULT", t(1)))
        .await
        .unwrap();
    assert_eq!(next(&mut feed).await, Some(decisions(NIC)));
    let cli = token(NIC, Some("alice"), "cli", t(2));
    s.create_token(&cli).await.unwrap();
    s.touch_token(cli.id, t(3)).await.unwrap();
    let edited = AccessTokenRecord {
        expires_at: Some(t(9)),
        ..cli.clone()
    };
    s.update_token(&edited).await.unwrap();
    // Creating and touching announced nothing: the edit comes first.
    assert_eq!(next(&mut feed).await, Some(credentials(NIC)));

    assert!(s.delete_token(NIC, Some("alice"), "nope").await.is_err());
    s.delete_token(NIC, Some("alice"), "cli").await.unwrap();
    assert_eq!(next(&mut feed).await, Some(credentials(NIC)));

    let disabled = User {
        status: UserStatus::Disabled,
        ..s.get_user(NIC, "alice").await.unwrap()
    };
    s.update_user(&disabled).await.unwrap();
    assert_eq!(next(&mut feed).await, Some(decisions(NIC)));
    assert_eq!(next(&mut feed).await, Some(credentials(NIC)));

    s.delete_user(NIC, "alice").await.unwrap();
    assert_eq!(next(&mut feed).await, Some(decisions(NIC)));
    assert_eq!(next(&mut feed).await, Some(credentials(NIC)));

    // A marker: nothing else was announced before it.
    s.create_group(&group(OTHER, "devs", Role::None, t(4)))
        .await
        .unwrap();
    assert_eq!(next(&mut feed).await, Some(decisions(OTHER)));
}

/// A write with its audit line announces what the single-purpose method announces, at
/// commit; a refused one announces nothing.
async fn audited_writes_are_announced_as_their_single_purpose_methods_are(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    setup(s, OTHER).await;
    let Some(mut feed) = feed(s).await else {
        return;
    };
    let ops = group(NIC, "ops", Role::None, t(1));
    s.write(Write::CreateGroup(&ops), &audit(NIC, t(1), "success"))
        .await
        .unwrap();
    assert_eq!(next(&mut feed).await, Some(decisions(NIC)));

    assert!(
        s.write(Write::CreateGroup(&ops), &audit(NIC, t(2), "success"))
            .await
            .is_err()
    );
    let alice = user(NIC, "alice", "DEFAULT", t(3));
    s.create_user(&alice).await.unwrap();
    assert_eq!(next(&mut feed).await, Some(decisions(NIC)));
    let disabled = User {
        status: UserStatus::Disabled,
        ..alice
    };
    s.write(Write::UpdateUser(&disabled), &audit(NIC, t(4), "success"))
        .await
        .unwrap();
    assert_eq!(next(&mut feed).await, Some(decisions(NIC)));
    assert_eq!(next(&mut feed).await, Some(credentials(NIC)));

    // A marker: nothing else was announced before it.
    s.create_group(&group(OTHER, "devs", Role::None, t(5)))
        .await
        .unwrap();
    assert_eq!(next(&mut feed).await, Some(decisions(OTHER)));
}

/// A listener that loses its connection reconnects, says so (what was sent meanwhile is
/// lost), and hears later changes again.
async fn a_listener_that_lost_its_connection_says_so_and_listens_again(ctx: Ctx) {
    let s = &*ctx.store;
    setup(s, NIC).await;
    let Some(mut feed) = feed(s).await else {
        return;
    };
    let mut admin = PgConnection::connect(&ctx.url).await.unwrap();
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid() \
         AND query LIKE 'LISTEN%'",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert_eq!(killed, [true], "one listening connection");
    assert_eq!(next(&mut feed).await, Some(Change::Missed));
    s.create_group(&group(NIC, "ops", Role::None, t(1)))
        .await
        .unwrap();
    assert_eq!(next(&mut feed).await, Some(decisions(NIC)));
}

/// The store's feed, or `None` on the single-node backend.
async fn feed(s: &dyn Store) -> Option<ChangeFeed> {
    let feed = s.watch_changes().await.unwrap();
    if feed.is_none() {
        assert_eq!(
            s.backend(),
            "sqlite",
            "only the single-node backend may have no feed"
        );
    }
    feed
}

fn decisions(nic: &str) -> Change {
    Change::Decisions(nic.to_owned())
}

fn credentials(nic: &str) -> Change {
    Change::Credentials(nic.to_owned())
}

/// The next announcement, waiting a bounded time for it to arrive.
async fn next(feed: &mut ChangeFeed) -> Option<Change> {
    tokio::time::timeout(Duration::from_secs(30), feed.recv())
        .await
        .ok()
        .flatten()
}

contract!(
    committed_changes_are_announced_and_refused_ones_are_not,
    token_and_user_writes_are_announced_as_credential_changes,
    audited_writes_are_announced_as_their_single_purpose_methods_are,
    a_listener_that_lost_its_connection_says_so_and_listens_again,
);
