//! The audit log: append-only, read newest first. No foreign key to `accounts`, so a
//! refused call naming an unknown account is still recorded. A change's line is appended in
//! the change's own transaction (`apply.rs`).

use super::{Conn, Pool, Row, col, ts, ts_opt};
use crate::column::{from_json, to_json};
use crate::error::{db, unique_or};
use crate::{AuditEntry, AuditQuery, Result};

const COLUMNS: &str = "id, account, at, actor, action, target, outcome, ip, details";

pub(super) async fn append(conn: &mut Conn, e: &AuditEntry) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    ))
    .bind(e.id)
    .bind(&e.account)
    .bind(ts(e.at))
    .bind(&e.actor)
    .bind(&e.action)
    .bind(&e.target)
    .bind(&e.outcome)
    .bind(&e.ip)
    .bind(to_json(&e.details)?)
    .execute(&mut *conn)
    .await
    .map_err(|err| {
        unique_or(err, || {
            format!("an audit entry with id {} already exists", e.id)
        })
    })?;
    Ok(())
}

/// Newest first, strictly before `query.before` when set. A `limit` of 0 means no limit.
pub(super) async fn list(
    pool: &Pool,
    account: &str,
    query: &AuditQuery,
) -> Result<Vec<AuditEntry>> {
    let limit = if query.limit == 0 {
        i64::MAX
    } else {
        i64::from(query.limit)
    };
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE account = $1 AND ($2 IS NULL OR at < $2) \
         AND ($3 IS NULL OR outcome = $3) ORDER BY at DESC, id DESC LIMIT $4"
    ))
    .bind(account)
    .bind(ts_opt(query.before))
    .bind(&query.outcome)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter().map(decode).collect()
}

fn decode(row: &Row) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: col(row, "id")?,
        account: col(row, "account")?,
        at: col(row, "at")?,
        actor: col(row, "actor")?,
        action: col(row, "action")?,
        target: col(row, "target")?,
        outcome: col(row, "outcome")?,
        ip: col(row, "ip")?,
        details: from_json(&col::<String>(row, "details")?)?,
    })
}
