//! Policies in the iam-core `Policy` shape: one row each, plus child rows for identities,
//! resources, permissions-group references and actions, each list ordered by `position` so
//! that a policy reads back exactly as written. Conditions are JSON text.

use std::collections::HashMap;

use iam_core::policy::{PermissionsGroupRef, Policy, ResourceRef};
use uuid::Uuid;

use super::accounts::bump_revision;
use super::{Conn, Pool, Query, Row, col, found, read_tx, ts, ts_opt};
use crate::column::{from_json, permission_rows, push_permission, to_json};
use crate::error::{db, unique_or, violates};
use crate::{Result, StoreError};

const COLUMNS: &str = "p.id, p.account, p.name, p.description, p.conditions, p.expired_at, \
                       p.read_only, p.created_at, p.updated_at";
/// The child tables holding an ordered list of URNs.
const URN_LISTS: [&str; 3] = [
    "policy_identities",
    "policy_resources",
    "policy_permissions_groups",
];

pub(super) async fn insert(conn: &mut Conn, p: &Policy) -> Result<()> {
    sqlx::query(
        "INSERT INTO policies \
         (id, account, name, description, conditions, expired_at, read_only, \
          created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(p.id)
    .bind(&p.owner)
    .bind(&p.name)
    .bind(&p.description)
    .bind(p.conditions.as_ref().map(to_json).transpose()?)
    .bind(ts_opt(p.expired_at))
    .bind(p.read_only)
    .bind(ts(p.created_at))
    .bind(ts_opt(p.updated_at))
    .execute(&mut *conn)
    .await
    .map_err(|e| conflict(e, p))?;
    insert_children(conn, p).await
}

fn conflict(e: sqlx::Error, p: &Policy) -> StoreError {
    if violates(&e, "name") {
        StoreError::Conflict(format!("a policy named {} already exists", p.name))
    } else {
        unique_or(e, || format!("a policy with id {} already exists", p.id))
    }
}

fn urn_list<'p>(p: &'p Policy, table: &str) -> Vec<&'p str> {
    match table {
        "policy_identities" => p.identities.iter().map(String::as_str).collect(),
        "policy_resources" => p.resources.iter().map(|r| r.urn.as_str()).collect(),
        _ => p
            .permissions_groups
            .iter()
            .map(|g| g.urn.as_str())
            .collect(),
    }
}

fn push_urn(p: &mut Policy, table: &str, urn: String) {
    match table {
        "policy_identities" => p.identities.push(urn),
        "policy_resources" => p.resources.push(ResourceRef { urn }),
        _ => p.permissions_groups.push(PermissionsGroupRef { urn }),
    }
}

async fn insert_children(conn: &mut Conn, p: &Policy) -> Result<()> {
    for table in URN_LISTS {
        let sql = format!("INSERT INTO {table} (policy_id, position, urn) VALUES ($1, $2, $3)");
        for (urn, position) in urn_list(p, table).into_iter().zip(0i32..) {
            sqlx::query(&sql)
                .bind(p.id)
                .bind(position)
                .bind(urn)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
        }
    }
    for (kind, position, action) in permission_rows(&p.permissions) {
        sqlx::query(
            "INSERT INTO policy_actions (policy_id, kind, position, action) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(p.id)
        .bind(kind)
        .bind(position)
        .bind(action)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}

pub(super) async fn create(conn: &mut Conn, p: &Policy) -> Result<()> {
    bump_revision(conn, &p.owner).await?;
    insert(conn, p).await
}

pub(super) async fn get(pool: &Pool, account: &str, id: Uuid) -> Result<Policy> {
    let mut tx = read_tx(pool).await?;
    let one = load(&mut tx, account, Some(id)).await?;
    tx.commit().await.map_err(db)?;
    one.into_iter().next().ok_or(StoreError::NotFound("policy"))
}

pub(super) async fn list(pool: &Pool, account: &str) -> Result<Vec<Policy>> {
    let mut tx = read_tx(pool).await?;
    let all = load(&mut tx, account, None).await?;
    tx.commit().await.map_err(db)?;
    Ok(all)
}

/// The account's policies (or the one with id `one`), in creation order, in five queries
/// whatever their number: no query per policy.
async fn load(conn: &mut Conn, account: &str, one: Option<Uuid>) -> Result<Vec<Policy>> {
    let filter = if one.is_some() {
        "p.account = $1 AND p.id = $2"
    } else {
        "p.account = $1"
    };
    let sql =
        format!("SELECT {COLUMNS} FROM policies p WHERE {filter} ORDER BY p.created_at, p.id");
    let rows = bound(&sql, account, one)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    let mut policies = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
    let index: HashMap<Uuid, usize> = policies
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    for table in URN_LISTS {
        let sql = format!(
            "SELECT c.policy_id, c.urn FROM {table} c JOIN policies p ON p.id = c.policy_id \
             WHERE {filter} ORDER BY c.policy_id, c.position"
        );
        for row in bound(&sql, account, one)
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?
        {
            if let Some(&i) = index.get(&col::<Uuid>(&row, "policy_id")?) {
                push_urn(&mut policies[i], table, col(&row, "urn")?);
            }
        }
    }
    let sql = format!(
        "SELECT c.policy_id, c.kind, c.action FROM policy_actions c \
         JOIN policies p ON p.id = c.policy_id \
         WHERE {filter} ORDER BY c.policy_id, c.kind, c.position"
    );
    for row in bound(&sql, account, one)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?
    {
        if let Some(&i) = index.get(&col::<Uuid>(&row, "policy_id")?) {
            push_permission(
                &mut policies[i].permissions,
                &col::<String>(&row, "kind")?,
                col(&row, "action")?,
            )?;
        }
    }
    Ok(policies)
}

fn bound<'q>(sql: &'q str, account: &'q str, one: Option<Uuid>) -> Query<'q> {
    let query = sqlx::query(sql).bind(account);
    match one {
        Some(id) => query.bind(id),
        None => query,
    }
}

/// Full replace keyed by id within the owner; `created_at` stays.
pub(super) async fn replace(conn: &mut Conn, p: &Policy) -> Result<()> {
    bump_revision(conn, &p.owner).await?;
    let done = sqlx::query(
        "UPDATE policies \
         SET name = $3, description = $4, conditions = $5, expired_at = $6, read_only = $7, \
         updated_at = $8 WHERE id = $1 AND account = $2",
    )
    .bind(p.id)
    .bind(&p.owner)
    .bind(&p.name)
    .bind(&p.description)
    .bind(p.conditions.as_ref().map(to_json).transpose()?)
    .bind(ts_opt(p.expired_at))
    .bind(p.read_only)
    .bind(ts_opt(p.updated_at))
    .execute(&mut *conn)
    .await
    .map_err(|e| conflict(e, p))?;
    found(done.rows_affected(), "policy")?;
    for table in URN_LISTS.into_iter().chain(["policy_actions"]) {
        sqlx::query(&format!("DELETE FROM {table} WHERE policy_id = $1"))
            .bind(p.id)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    insert_children(conn, p).await
}

pub(super) async fn delete(conn: &mut Conn, account: &str, id: Uuid) -> Result<()> {
    bump_revision(conn, account).await?;
    let done = sqlx::query("DELETE FROM policies WHERE id = $1 AND account = $2")
        .bind(id)
        .bind(account)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    found(done.rows_affected(), "policy")
}

/// The policy row, with its lists still empty.
fn decode(row: &Row) -> Result<Policy> {
    let conditions: Option<String> = col(row, "conditions")?;
    Ok(Policy {
        id: col(row, "id")?,
        name: col(row, "name")?,
        description: col(row, "description")?,
        identities: Vec::new(),
        resources: Vec::new(),
        permissions: Default::default(),
        permissions_groups: Vec::new(),
        conditions: conditions.as_deref().map(from_json).transpose()?,
        expired_at: col(row, "expired_at")?,
        read_only: col(row, "read_only")?,
        owner: col(row, "account")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}
