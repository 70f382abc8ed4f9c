//! Resource groups and their members (resources of the same account, in order). The
//! account's default group (`is_default`, written by `create_account`) is kept complete by
//! `upsert_resource` through [`add_to_default`].

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::accounts::bump_revision;
use super::{Conn, Pool, Query, Row, col, found, read_tx, ts, ts_opt};
use crate::error::{db, foreign_or, unique_or, violates};
use crate::{ResourceGroup, Result, StoreError};

const COLUMNS: &str = "g.id, g.account, g.urn, g.name, g.read_only, g.created_at, g.updated_at";

pub(super) async fn insert(conn: &mut Conn, g: &ResourceGroup, is_default: bool) -> Result<()> {
    check_members(g)?;
    sqlx::query(
        "INSERT INTO resource_groups \
         (id, account, urn, name, read_only, is_default, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(g.id)
    .bind(&g.account)
    .bind(&g.urn)
    .bind(&g.name)
    .bind(g.read_only)
    .bind(is_default)
    .bind(ts(g.created_at))
    .bind(ts_opt(g.updated_at))
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        if violates(&e, "urn") {
            StoreError::Conflict(format!(
                "a resource group with URN {} already exists",
                g.urn
            ))
        } else {
            unique_or(e, || {
                format!("a resource group with id {} already exists", g.id)
            })
        }
    })?;
    insert_members(conn, g).await
}

/// A resource listed twice is the caller's mistake, not a conflict with stored data.
fn check_members(g: &ResourceGroup) -> Result<()> {
    let mut seen = HashSet::new();
    match g.members.iter().find(|id| !seen.insert(**id)) {
        Some(id) => Err(StoreError::Invalid(format!(
            "resource {id} is listed twice in the group"
        ))),
        None => Ok(()),
    }
}

/// `NotFound("resource")` if a member is not a resource of the group's account: the
/// foreign key is on (account, resource id).
async fn insert_members(conn: &mut Conn, g: &ResourceGroup) -> Result<()> {
    for (resource, position) in g.members.iter().zip(0i32..) {
        sqlx::query(
            "INSERT INTO resource_group_members (group_id, account, resource_id, position) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(g.id)
        .bind(&g.account)
        .bind(resource)
        .bind(position)
        .execute(&mut *conn)
        .await
        .map_err(|e| foreign_or(e, "resource"))?;
    }
    Ok(())
}

/// Appends a resource to the account's default group.
pub(super) async fn add_to_default(conn: &mut Conn, account: &str, resource: Uuid) -> Result<()> {
    let done = sqlx::query(
        "INSERT INTO resource_group_members (group_id, account, resource_id, position) \
         SELECT g.id, g.account, $2, \
                (SELECT COALESCE(MAX(m.position) + 1, 0) \
                 FROM resource_group_members m WHERE m.group_id = g.id) \
         FROM resource_groups g WHERE g.account = $1 AND g.is_default",
    )
    .bind(account)
    .bind(resource)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    if done.rows_affected() == 0 {
        tracing::warn!(
            account,
            "account has no default resource group: resource not added to one"
        );
    }
    Ok(())
}

pub(super) async fn create(conn: &mut Conn, g: &ResourceGroup) -> Result<()> {
    bump_revision(conn, &g.account).await?;
    insert(conn, g, false).await
}

pub(super) async fn get(pool: &Pool, account: &str, id: Uuid) -> Result<ResourceGroup> {
    let mut tx = read_tx(pool).await?;
    let mut rows = load(&mut tx, account, Some(id)).await?;
    tx.commit().await.map_err(db)?;
    rows.pop().ok_or(StoreError::NotFound("resource group"))
}

pub(super) async fn list(pool: &Pool, account: &str) -> Result<Vec<ResourceGroup>> {
    let mut tx = read_tx(pool).await?;
    let all = load(&mut tx, account, None).await?;
    tx.commit().await.map_err(db)?;
    Ok(all)
}

/// Groups with their members, in creation order, in two queries.
async fn load(conn: &mut Conn, account: &str, one: Option<Uuid>) -> Result<Vec<ResourceGroup>> {
    let filter = if one.is_some() {
        "g.account = $1 AND g.id = $2"
    } else {
        "g.account = $1"
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM resource_groups g WHERE {filter} ORDER BY g.created_at, g.id"
    );
    let rows = bound(&sql, account, one)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    let mut groups = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
    let index: HashMap<Uuid, usize> = groups.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
    let sql = format!(
        "SELECT m.group_id, m.resource_id FROM resource_group_members m \
         JOIN resource_groups g ON g.id = m.group_id WHERE {filter} ORDER BY m.group_id, m.position"
    );
    for row in bound(&sql, account, one)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?
    {
        if let Some(&i) = index.get(&col::<Uuid>(&row, "group_id")?) {
            groups[i].members.push(col(&row, "resource_id")?);
        }
    }
    Ok(groups)
}

fn bound<'q>(sql: &'q str, account: &'q str, one: Option<Uuid>) -> Query<'q> {
    let query = sqlx::query(sql).bind(account);
    match one {
        Some(id) => query.bind(id),
        None => query,
    }
}

/// Full replace keyed by id within the account: name, read-only flag, `updated_at` and
/// members. The URN, `created_at` and the default flag stay.
pub(super) async fn replace(conn: &mut Conn, g: &ResourceGroup) -> Result<()> {
    check_members(g)?;
    bump_revision(conn, &g.account).await?;
    let done = sqlx::query(
        "UPDATE resource_groups SET name = $3, read_only = $4, updated_at = $5 \
         WHERE id = $1 AND account = $2",
    )
    .bind(g.id)
    .bind(&g.account)
    .bind(&g.name)
    .bind(g.read_only)
    .bind(ts_opt(g.updated_at))
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    found(done.rows_affected(), "resource group")?;
    sqlx::query("DELETE FROM resource_group_members WHERE group_id = $1")
        .bind(g.id)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    insert_members(conn, g).await
}

pub(super) async fn delete(conn: &mut Conn, account: &str, id: Uuid) -> Result<()> {
    bump_revision(conn, account).await?;
    let done = sqlx::query("DELETE FROM resource_groups WHERE id = $1 AND account = $2")
        .bind(id)
        .bind(account)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    found(done.rows_affected(), "resource group")
}

/// The group row, members still empty.
fn decode(row: &Row) -> Result<ResourceGroup> {
    Ok(ResourceGroup {
        id: col(row, "id")?,
        urn: col(row, "urn")?,
        account: col(row, "account")?,
        name: col(row, "name")?,
        read_only: col(row, "read_only")?,
        members: Vec::new(),
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}
