//! User groups: a role for their members. Default groups are rows like any other; the
//! service refuses to edit them, not the store.

use super::accounts::bump_revision;
use super::{COLLATE, Conn, Pool, Row, col, found, ts};
use crate::column::role;
use crate::error::{db, unique_or};
use crate::{Group, Result, StoreError};

const COLUMNS: &str = "account, name, description, role, default_group, created_at, updated_at";

pub(super) async fn insert(conn: &mut Conn, g: &Group) -> Result<()> {
    sqlx::query(
        "INSERT INTO user_groups \
         (account, name, description, role, default_group, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&g.account)
    .bind(&g.name)
    .bind(&g.description)
    .bind(g.role.as_str())
    .bind(g.default_group)
    .bind(ts(g.created_at))
    .bind(ts(g.updated_at))
    .execute(&mut *conn)
    .await
    .map_err(|e| unique_or(e, || format!("a group named {} already exists", g.name)))?;
    Ok(())
}

pub(super) async fn create(conn: &mut Conn, g: &Group) -> Result<()> {
    bump_revision(conn, &g.account).await?;
    insert(conn, g).await
}

pub(super) async fn get(pool: &Pool, account: &str, name: &str) -> Result<Group> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM user_groups WHERE account = $1 AND name = $2"
    ))
    .bind(account)
    .bind(name)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.as_ref()
        .map(decode)
        .ok_or(StoreError::NotFound("group"))?
}

pub(super) async fn list(pool: &Pool, account: &str) -> Result<Vec<Group>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM user_groups WHERE account = $1 \
         ORDER BY created_at, name{COLLATE}"
    ))
    .bind(account)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter().map(decode).collect()
}

/// Replaces description, role, default flag and `updated_at`; name and `created_at` stay.
pub(super) async fn update(conn: &mut Conn, g: &Group) -> Result<()> {
    bump_revision(conn, &g.account).await?;
    let done = sqlx::query(
        "UPDATE user_groups SET description = $3, role = $4, default_group = $5, updated_at = $6 \
         WHERE account = $1 AND name = $2",
    )
    .bind(&g.account)
    .bind(&g.name)
    .bind(&g.description)
    .bind(g.role.as_str())
    .bind(g.default_group)
    .bind(ts(g.updated_at))
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    found(done.rows_affected(), "group")
}

/// `Conflict` while users belong to the group (the schema would refuse too, less clearly).
pub(super) async fn delete(conn: &mut Conn, account: &str, name: &str) -> Result<()> {
    bump_revision(conn, account).await?;
    let members: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE account = $1 AND group_name = $2")
            .bind(account)
            .bind(name)
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
    if members > 0 {
        return Err(StoreError::Conflict(format!(
            "group {name} still has {members} user(s)"
        )));
    }
    let done = sqlx::query("DELETE FROM user_groups WHERE account = $1 AND name = $2")
        .bind(account)
        .bind(name)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    found(done.rows_affected(), "group")
}

fn decode(row: &Row) -> Result<Group> {
    Ok(Group {
        account: col(row, "account")?,
        name: col(row, "name")?,
        description: col(row, "description")?,
        role: role(&col::<String>(row, "role")?)?,
        default_group: col(row, "default_group")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}
