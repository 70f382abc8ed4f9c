//! Account-owned permissions groups (the built-in ones live in code): a row each plus
//! their actions, ordered by `position`. Addressed by URN; replaced by id.

use std::collections::HashMap;

use iam_core::policy::PermissionsGroup;
use uuid::Uuid;

use super::accounts::bump_revision;
use super::{Conn, Pool, Query, Row, col, found, read_tx, ts, ts_opt};
use crate::column::{permission_rows, push_permission};
use crate::error::{db, unique_or, violates};
use crate::{Result, StoreError};

const COLUMNS: &str = "g.id, g.account, g.urn, g.name, g.description, g.created_at, g.updated_at";

async fn insert(conn: &mut Conn, g: &PermissionsGroup) -> Result<()> {
    sqlx::query(
        "INSERT INTO permissions_groups \
         (id, account, urn, name, description, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(g.id)
    .bind(&g.owner)
    .bind(&g.urn)
    .bind(&g.name)
    .bind(&g.description)
    .bind(ts(g.created_at))
    .bind(ts_opt(g.updated_at))
    .execute(&mut *conn)
    .await
    .map_err(|e| conflict(e, g))?;
    insert_actions(conn, g).await
}

fn conflict(e: sqlx::Error, g: &PermissionsGroup) -> StoreError {
    if violates(&e, "urn") {
        StoreError::Conflict(format!("a permissions group {} already exists", g.urn))
    } else {
        unique_or(e, || {
            format!("a permissions group with id {} already exists", g.id)
        })
    }
}

async fn insert_actions(conn: &mut Conn, g: &PermissionsGroup) -> Result<()> {
    for (kind, position, action) in permission_rows(&g.permissions) {
        sqlx::query(
            "INSERT INTO permissions_group_actions (group_id, kind, position, action) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(g.id)
        .bind(kind)
        .bind(position)
        .bind(action)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}

pub(super) async fn create(conn: &mut Conn, g: &PermissionsGroup) -> Result<()> {
    bump_revision(conn, &g.owner).await?;
    insert(conn, g).await
}

pub(super) async fn get(pool: &Pool, account: &str, urn: &str) -> Result<PermissionsGroup> {
    let mut tx = read_tx(pool).await?;
    let mut rows = load(&mut tx, account, Some(urn)).await?;
    tx.commit().await.map_err(db)?;
    rows.pop().ok_or(StoreError::NotFound("permissions group"))
}

pub(super) async fn list(pool: &Pool, account: &str) -> Result<Vec<PermissionsGroup>> {
    let mut tx = read_tx(pool).await?;
    let all = load(&mut tx, account, None).await?;
    tx.commit().await.map_err(db)?;
    Ok(all)
}

/// Groups with their actions, in creation order, in two queries.
async fn load(conn: &mut Conn, account: &str, urn: Option<&str>) -> Result<Vec<PermissionsGroup>> {
    let filter = if urn.is_some() {
        "g.account = $1 AND g.urn = $2"
    } else {
        "g.account = $1"
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM permissions_groups g WHERE {filter} ORDER BY g.created_at, g.id"
    );
    let rows = bound(&sql, account, urn)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    let mut groups = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
    let index: HashMap<Uuid, usize> = groups.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
    let sql = format!(
        "SELECT a.group_id, a.kind, a.action FROM permissions_group_actions a \
         JOIN permissions_groups g ON g.id = a.group_id \
         WHERE {filter} ORDER BY a.group_id, a.kind, a.position"
    );
    for row in bound(&sql, account, urn)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?
    {
        if let Some(&i) = index.get(&col::<Uuid>(&row, "group_id")?) {
            push_permission(
                &mut groups[i].permissions,
                &col::<String>(&row, "kind")?,
                col(&row, "action")?,
            )?;
        }
    }
    Ok(groups)
}

fn bound<'q>(sql: &'q str, account: &'q str, urn: Option<&'q str>) -> Query<'q> {
    let query = sqlx::query(sql).bind(account);
    match urn {
        Some(urn) => query.bind(urn),
        None => query,
    }
}

/// Full replace keyed by id within the owner (the URN may change with the name);
/// `created_at` stays.
pub(super) async fn replace(conn: &mut Conn, g: &PermissionsGroup) -> Result<()> {
    bump_revision(conn, &g.owner).await?;
    let done = sqlx::query(
        "UPDATE permissions_groups SET urn = $3, name = $4, description = $5, updated_at = $6 \
         WHERE id = $1 AND account = $2",
    )
    .bind(g.id)
    .bind(&g.owner)
    .bind(&g.urn)
    .bind(&g.name)
    .bind(&g.description)
    .bind(ts_opt(g.updated_at))
    .execute(&mut *conn)
    .await
    .map_err(|e| conflict(e, g))?;
    found(done.rows_affected(), "permissions group")?;
    sqlx::query("DELETE FROM permissions_group_actions WHERE group_id = $1")
        .bind(g.id)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    insert_actions(conn, g).await
}

pub(super) async fn delete(conn: &mut Conn, account: &str, urn: &str) -> Result<()> {
    bump_revision(conn, account).await?;
    let done = sqlx::query("DELETE FROM permissions_groups WHERE account = $1 AND urn = $2")
        .bind(account)
        .bind(urn)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    found(done.rows_affected(), "permissions group")
}

/// The group row, actions still empty.
fn decode(row: &Row) -> Result<PermissionsGroup> {
    Ok(PermissionsGroup {
        id: col(row, "id")?,
        urn: col(row, "urn")?,
        name: col(row, "name")?,
        description: col(row, "description")?,
        owner: col(row, "account")?,
        permissions: Default::default(),
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}
