//! Users: one group each (the schema refuses a group that does not exist); deleting a user
//! deletes its personal access tokens in the same transaction. Editing or deleting one
//! changes who its tokens act as, which other nodes are told (`dialect::notify_credentials`).

use super::accounts::bump_revision;
use super::dialect::notify_credentials;
use super::{COLLATE, Conn, Pool, Row, col, found, ts, ts_opt};
use crate::column::user_status;
use crate::error::{db, foreign_or};
use crate::{Result, StoreError, User};

const COLUMNS: &str = "id, account, login, email, description, group_name, status, user_type, \
                       password_hash, created_at, updated_at, password_updated_at";

/// `Conflict` if the login exists; `NotFound("group")` if the group does not.
pub(super) async fn create(conn: &mut Conn, u: &User) -> Result<()> {
    bump_revision(conn, &u.account).await?;
    sqlx::query(&format!(
        "INSERT INTO users ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .bind(u.id)
    .bind(&u.account)
    .bind(&u.login)
    .bind(&u.email)
    .bind(&u.description)
    .bind(&u.group)
    .bind(u.status.as_str())
    .bind(&u.user_type)
    .bind(&u.password_hash)
    .bind(ts(u.created_at))
    .bind(ts(u.updated_at))
    .bind(ts_opt(u.password_updated_at))
    .execute(&mut *conn)
    .await
    .map_err(|e| match e.as_database_error() {
        Some(d) if d.is_unique_violation() => {
            StoreError::Conflict(format!("a user with login {} already exists", u.login))
        }
        _ => foreign_or(e, "group"),
    })?;
    Ok(())
}

pub(super) async fn get(pool: &Pool, account: &str, login: &str) -> Result<User> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM users WHERE account = $1 AND login = $2"
    ))
    .bind(account)
    .bind(login)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.as_ref()
        .map(decode)
        .ok_or(StoreError::NotFound("user"))?
}

pub(super) async fn list(pool: &Pool, account: &str) -> Result<Vec<User>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM users WHERE account = $1 ORDER BY created_at, login{COLLATE}"
    ))
    .bind(account)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter().map(decode).collect()
}

/// Replaces the mutable fields; login, type and `created_at` stay.
pub(super) async fn update(conn: &mut Conn, u: &User) -> Result<()> {
    bump_revision(conn, &u.account).await?;
    let done = sqlx::query(
        "UPDATE users \
         SET email = $3, description = $4, group_name = $5, status = $6, password_hash = $7, \
         updated_at = $8, password_updated_at = $9 WHERE account = $1 AND login = $2",
    )
    .bind(&u.account)
    .bind(&u.login)
    .bind(&u.email)
    .bind(&u.description)
    .bind(&u.group)
    .bind(u.status.as_str())
    .bind(&u.password_hash)
    .bind(ts(u.updated_at))
    .bind(ts_opt(u.password_updated_at))
    .execute(&mut *conn)
    .await
    .map_err(|e| foreign_or(e, "group"))?;
    found(done.rows_affected(), "user")?;
    notify_credentials(conn, &u.account).await
}

pub(super) async fn delete(conn: &mut Conn, account: &str, login: &str) -> Result<()> {
    bump_revision(conn, account).await?;
    // The foreign key cascades too; deleting explicitly keeps the rule visible here.
    sqlx::query("DELETE FROM access_tokens WHERE account = $1 AND user_login = $2")
        .bind(account)
        .bind(login)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    let done = sqlx::query("DELETE FROM users WHERE account = $1 AND login = $2")
        .bind(account)
        .bind(login)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    found(done.rows_affected(), "user")?;
    notify_credentials(conn, account).await
}

fn decode(row: &Row) -> Result<User> {
    Ok(User {
        id: col(row, "id")?,
        account: col(row, "account")?,
        login: col(row, "login")?,
        email: col(row, "email")?,
        description: col(row, "description")?,
        group: col(row, "group_name")?,
        status: user_status(&col::<String>(row, "status")?)?,
        user_type: col(row, "user_type")?,
        password_hash: col(row, "password_hash")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
        password_updated_at: col(row, "password_updated_at")?,
    })
}
