//! Personal access tokens, and the account root's token (`user` = `None`, stored as NULL).
//! Owners are matched as `COALESCE(user_login, '')`, the expression the unique index is on,
//! so that "the root" compares equal to itself and the index serves the lookup.

use uuid::Uuid;

use super::dialect::notify_credentials;
use super::{Conn, Pool, Row, col, found, ts, ts_opt};
use crate::error::{db, foreign_or, violates};
use crate::{AccessTokenRecord, Result, StoreError};

const COLUMNS: &str =
    "id, account, user_login, name, description, token_hash, created_at, expires_at, last_used";
const OWNER: &str = "account = $1 AND COALESCE(user_login, '') = COALESCE($2, '')";

/// `Conflict` on a duplicate name for the owner or a duplicate hash; `NotFound("user")` if the
/// owning user does not exist (`NotFound("account")` for a root token of a missing account).
pub(super) async fn insert(conn: &mut Conn, t: &AccessTokenRecord) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO access_tokens ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    ))
    .bind(t.id)
    .bind(&t.account)
    .bind(&t.user)
    .bind(&t.name)
    .bind(&t.description)
    .bind(&t.token_hash)
    .bind(ts(t.created_at))
    .bind(ts_opt(t.expires_at))
    .bind(ts_opt(t.last_used))
    .execute(&mut *conn)
    .await
    .map_err(|e| conflict(e, t))?;
    Ok(())
}

fn conflict(e: sqlx::Error, t: &AccessTokenRecord) -> StoreError {
    if violates(&e, "token_hash") {
        StoreError::Conflict("a token with the same value already exists".into())
    } else if violates(&e, "owner_name") {
        StoreError::Conflict(format!(
            "a token named {} already exists for this owner",
            t.name
        ))
    } else if e
        .as_database_error()
        .is_some_and(|d| d.is_unique_violation())
    {
        StoreError::Conflict(format!("a token with id {} already exists", t.id))
    } else {
        foreign_or(e, if t.user.is_some() { "user" } else { "account" })
    }
}

pub(super) async fn find_by_hash(pool: &Pool, hash: &[u8]) -> Result<Option<AccessTokenRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM access_tokens WHERE token_hash = $1"
    ))
    .bind(hash)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.as_ref().map(decode).transpose()
}

/// The tokens of one owner: a user's, or the root's when `user` is `None`.
pub(super) async fn list(
    pool: &Pool,
    account: &str,
    user: Option<&str>,
) -> Result<Vec<AccessTokenRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM access_tokens WHERE {OWNER} ORDER BY created_at, id"
    ))
    .bind(account)
    .bind(user)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter().map(decode).collect()
}

pub(super) async fn get(
    pool: &Pool,
    account: &str,
    user: Option<&str>,
    name: &str,
) -> Result<AccessTokenRecord> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM access_tokens WHERE {OWNER} AND name = $3"
    ))
    .bind(account)
    .bind(user)
    .bind(name)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.as_ref()
        .map(decode)
        .ok_or(StoreError::NotFound("token"))?
}

/// Keyed by id within its owner; replaces name, description, hash and the dates but
/// `created_at`. Other nodes may hold what the token was (its expiry): they are told.
pub(super) async fn update(conn: &mut Conn, t: &AccessTokenRecord) -> Result<()> {
    let done = sqlx::query(&format!(
        "UPDATE access_tokens \
         SET name = $4, description = $5, token_hash = $6, expires_at = $7, last_used = $8 \
         WHERE {OWNER} AND id = $3"
    ))
    .bind(&t.account)
    .bind(&t.user)
    .bind(t.id)
    .bind(&t.name)
    .bind(&t.description)
    .bind(&t.token_hash)
    .bind(ts_opt(t.expires_at))
    .bind(ts_opt(t.last_used))
    .execute(&mut *conn)
    .await
    .map_err(|e| conflict(e, t))?;
    found(done.rows_affected(), "token")?;
    notify_credentials(conn, &t.account).await
}

/// Records a use. Cheap on purpose, and announced to nobody: nothing it changes is cached.
pub(super) async fn touch(pool: &Pool, id: Uuid, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let done = sqlx::query("UPDATE access_tokens SET last_used = $2 WHERE id = $1")
        .bind(id)
        .bind(ts(at))
        .execute(pool)
        .await
        .map_err(db)?;
    found(done.rows_affected(), "token")
}

/// Other nodes may hold the token's principal: they are told.
pub(super) async fn delete(
    conn: &mut Conn,
    account: &str,
    user: Option<&str>,
    name: &str,
) -> Result<()> {
    let done = sqlx::query(&format!(
        "DELETE FROM access_tokens WHERE {OWNER} AND name = $3"
    ))
    .bind(account)
    .bind(user)
    .bind(name)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    found(done.rows_affected(), "token")?;
    notify_credentials(conn, account).await
}

fn decode(row: &Row) -> Result<AccessTokenRecord> {
    Ok(AccessTokenRecord {
        id: col(row, "id")?,
        account: col(row, "account")?,
        user: col(row, "user_login")?,
        name: col(row, "name")?,
        description: col(row, "description")?,
        token_hash: col(row, "token_hash")?,
        created_at: col(row, "created_at")?,
        expires_at: col(row, "expires_at")?,
        last_used: col(row, "last_used")?,
    })
}
