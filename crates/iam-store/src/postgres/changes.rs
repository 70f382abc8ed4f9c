//! Change notifications (the PostgreSQL half of `dialect.rs`): every decision-changing
//! transaction sends `pg_notify` with the
//! account's NIC on `DECISIONS`, and every write that can change who a personal access token
//! acts as sends it on `CREDENTIALS`; every revocation is sent, whole, on `REVOCATIONS` (all
//! delivered at commit, dropped on rollback). `watch`
//! forwards what a dedicated `LISTEN` connection receives, so every node learns of a change
//! at once, and says `Change::Missed` when that connection was lost and is back.

use std::time::Duration;

use sqlx::PgConnection;
use sqlx::postgres::{PgListener, PgNotification, PgPool};
use tokio::sync::mpsc;

use crate::error::db;
use chrono::{DateTime, Utc};

use crate::{Change, ChangeFeed, Result, RevokedToken};

/// The channel of `Change::Decisions` (the account's revision moved).
pub const DECISIONS: &str = "iamd_account_changes";
/// The channel of `Change::Credentials`.
pub const CREDENTIALS: &str = "iamd_credential_changes";
/// The channel of `Change::Revoked`: `<expiry in µs since the epoch> <account> <key>`.
pub const REVOCATIONS: &str = "iamd_revocations";
/// Buffered notifications; a slow consumer past this makes the listener wait, not drop.
const FEED_CAPACITY: usize = 1024;
/// Pause before listening again after a failed reconnection.
const RETRY: Duration = Duration::from_secs(1);

/// Queues a `Change::Decisions` for `nic`; PostgreSQL sends it when the transaction commits.
pub(super) async fn notify_decisions(conn: &mut PgConnection, nic: &str) -> Result<()> {
    send(conn, DECISIONS, nic).await
}

/// Queues a `Change::Credentials` for `nic`, sent at commit.
pub(super) async fn notify_credentials(conn: &mut PgConnection, nic: &str) -> Result<()> {
    send(conn, CREDENTIALS, nic).await
}

/// Queues a `Change::Revoked`, sent at commit: other nodes refuse the key without reading
/// the store (an account and a NIC hold no space; the key, last, may).
pub(super) async fn notify_revoked(conn: &mut PgConnection, r: &RevokedToken) -> Result<()> {
    let payload = format!(
        "{} {} {}",
        r.expires_at.timestamp_micros(),
        r.account,
        r.jti
    );
    send(conn, REVOCATIONS, &payload).await
}

async fn send(conn: &mut PgConnection, channel: &str, nic: &str) -> Result<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(channel)
        .bind(nic)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

pub(super) async fn watch(pool: &PgPool) -> Result<Option<ChangeFeed>> {
    let mut listener = PgListener::connect_with(pool).await.map_err(db)?;
    listener
        .listen_all([DECISIONS, CREDENTIALS, REVOCATIONS])
        .await
        .map_err(db)?;
    let (tx, rx) = mpsc::channel(FEED_CAPACITY);
    tokio::spawn(forward(listener, tx));
    Ok(Some(rx))
}

/// Until nobody listens any more, or the pool is closed.
async fn forward(mut listener: PgListener, tx: mpsc::Sender<Change>) {
    loop {
        let received = tokio::select! {
            received = listener.try_recv() => received,
            () = tx.closed() => return,
        };
        let change = match received {
            Ok(Some(notification)) => match change_of(&notification) {
                Some(change) => change,
                None => continue,
            },
            // The listener reconnects before answering `None`: it listens again, and what
            // was sent while it could not is lost.
            Ok(None) => Change::Missed,
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => {
                tracing::warn!(error = %e, "change listener lost its connection; reconnecting");
                tokio::time::sleep(RETRY).await;
                match listen_again(&mut listener).await {
                    Ok(()) => Change::Missed,
                    Err(_) => continue,
                }
            }
        };
        if tx.send(change).await.is_err() {
            return;
        }
    }
}

/// Any statement through the listener reconnects it and re-issues its `LISTEN`s first: once
/// this returns, no later notification can be missed.
async fn listen_again(listener: &mut PgListener) -> std::result::Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(listener).await.map(drop)
}

fn change_of(notification: &PgNotification) -> Option<Change> {
    let nic = notification.payload().to_owned();
    match notification.channel() {
        DECISIONS => Some(Change::Decisions(nic)),
        CREDENTIALS => Some(Change::Credentials(nic)),
        REVOCATIONS => revoked_of(&nic).map(Change::Revoked),
        _ => None,
    }
}

fn revoked_of(payload: &str) -> Option<RevokedToken> {
    let mut parts = payload.splitn(3, ' ');
    let micros = parts.next()?.parse().ok()?;
    let account = parts.next()?.to_owned();
    let jti = parts.next()?.to_owned();
    Some(RevokedToken {
        jti,
        account,
        expires_at: DateTime::<Utc>::from_timestamp_micros(micros)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revocation_payload_reads_back_whole() {
        let at = DateTime::<Utc>::from_timestamp_micros(1_700_000_000_123_456).unwrap();
        assert_eq!(
            revoked_of("1700000000123456 xx1111-ovh client:EU.a b"),
            Some(RevokedToken {
                jti: "client:EU.a b".into(),
                account: "xx1111-ovh".into(),
                expires_at: at,
            })
        );
        assert_eq!(revoked_of("soon xx1111-ovh j"), None);
        assert_eq!(revoked_of("1700000000123456 xx1111-ovh"), None);
    }
}
