//! Change notifications: SQLite serves a single node, which invalidates its own caches as it
//! writes, so there is no feed (see `postgres/changes.rs` for the multi-node one).

use crate::{ChangeFeed, Result};

pub(super) async fn watch() -> Result<Option<ChangeFeed>> {
    Ok(None)
}
