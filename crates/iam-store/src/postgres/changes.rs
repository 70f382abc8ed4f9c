//! Change notifications: every decision-changing transaction sends `pg_notify` with the
//! account's NIC (delivered at commit, dropped on rollback), and `watch` forwards what a
//! dedicated `LISTEN` connection receives, so every node learns of a change at once.

use std::time::Duration;

use sqlx::PgConnection;
use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::mpsc;

use crate::error::db;
use crate::{ChangeFeed, Result};

/// The channel iamd nodes listen on.
pub const CHANNEL: &str = "iamd_account_changes";
/// Buffered notifications; a slow consumer past this makes the listener wait, not drop.
const FEED_CAPACITY: usize = 1024;

/// Queues a notification for `nic`; PostgreSQL sends it when the transaction commits.
pub(super) async fn notify(conn: &mut PgConnection, nic: &str) -> Result<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(nic)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

pub(super) async fn watch(pool: &PgPool) -> Result<Option<ChangeFeed>> {
    let mut listener = PgListener::connect_with(pool).await.map_err(db)?;
    listener.listen(CHANNEL).await.map_err(db)?;
    let (tx, rx) = mpsc::channel(FEED_CAPACITY);
    tokio::spawn(async move {
        loop {
            match listener.recv().await {
                Ok(notification) => {
                    if tx.send(notification.payload().to_owned()).await.is_err() {
                        return; // nobody listens any more
                    }
                }
                Err(e) => {
                    // The next recv reconnects; what was sent meanwhile is lost, which the
                    // caller's periodic revision check covers.
                    tracing::warn!(error = %e, "change listener lost its connection; reconnecting");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
    Ok(Some(rx))
}
