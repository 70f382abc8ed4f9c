//! Resource providers, the resource types each owns (one owner per type), and the actions
//! declared for those types. Deleting a provider deletes its types and their actions.

use std::collections::HashMap;

use uuid::Uuid;

use super::{Conn, Pool, Query, Row, col, found, read_tx, ts};
use crate::column::{from_json, to_json};
use crate::error::{db, unique_or, violates};
use crate::{DeclaredAction, ResourceProvider, Result, StoreError};

const COLUMNS: &str = "p.id, p.name, p.secret_hash, p.created_at";

pub(super) async fn create(conn: &mut Conn, p: &ResourceProvider) -> Result<()> {
    sqlx::query(
        "INSERT INTO resource_providers (id, name, secret_hash, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(p.id)
    .bind(&p.name)
    .bind(&p.secret_hash)
    .bind(ts(p.created_at))
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        if violates(&e, "name") {
            StoreError::Conflict(format!("a provider named {} already exists", p.name))
        } else {
            unique_or(e, || format!("a provider with id {} already exists", p.id))
        }
    })?;
    for (resource_type, position) in p.resource_types.iter().zip(0i32..) {
        sqlx::query(
            "INSERT INTO resource_provider_types (provider_id, resource_type, position) \
             VALUES ($1, $2, $3)",
        )
        .bind(p.id)
        .bind(resource_type)
        .bind(position)
        .execute(&mut *conn)
        .await
        .map_err(|e| {
            unique_or(e, || {
                format!("resource type {resource_type} already belongs to a provider")
            })
        })?;
    }
    Ok(())
}

pub(super) async fn find_by_hash(pool: &Pool, hash: &[u8]) -> Result<Option<ResourceProvider>> {
    let mut tx = read_tx(pool).await?;
    let mut found = load(&mut tx, Some(hash)).await?;
    tx.commit().await.map_err(db)?;
    Ok(found.pop())
}

pub(super) async fn list(pool: &Pool) -> Result<Vec<ResourceProvider>> {
    let mut tx = read_tx(pool).await?;
    let all = load(&mut tx, None).await?;
    tx.commit().await.map_err(db)?;
    Ok(all)
}

/// Providers (all, or the one with that secret hash) with their types, in creation order.
async fn load(conn: &mut Conn, hash: Option<&[u8]>) -> Result<Vec<ResourceProvider>> {
    let filter = if hash.is_some() {
        "WHERE p.secret_hash = $1"
    } else {
        ""
    };
    let sql =
        format!("SELECT {COLUMNS} FROM resource_providers p {filter} ORDER BY p.created_at, p.id");
    let rows = bound(&sql, hash).fetch_all(&mut *conn).await.map_err(db)?;
    let mut providers = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
    let index: HashMap<Uuid, usize> = providers
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    let sql = format!(
        "SELECT t.provider_id, t.resource_type FROM resource_provider_types t \
         JOIN resource_providers p ON p.id = t.provider_id {filter} \
         ORDER BY t.provider_id, t.position"
    );
    let rows = bound(&sql, hash).fetch_all(&mut *conn).await.map_err(db)?;
    for row in rows {
        if let Some(&i) = index.get(&col::<Uuid>(&row, "provider_id")?) {
            providers[i]
                .resource_types
                .push(col(&row, "resource_type")?);
        }
    }
    Ok(providers)
}

fn bound<'q>(sql: &'q str, hash: Option<&'q [u8]>) -> Query<'q> {
    let query = sqlx::query(sql);
    match hash {
        Some(hash) => query.bind(hash),
        None => query,
    }
}

pub(super) async fn delete(conn: &mut Conn, name: &str) -> Result<()> {
    // Types and their declared actions go with it (ON DELETE CASCADE).
    let done = sqlx::query("DELETE FROM resource_providers WHERE name = $1")
        .bind(name)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    found(done.rows_affected(), "provider")
}

pub(super) async fn replace_actions(
    conn: &mut Conn,
    resource_type: &str,
    actions: &[DeclaredAction],
) -> Result<()> {
    let owned: Option<String> = sqlx::query_scalar(
        "SELECT resource_type FROM resource_provider_types WHERE resource_type = $1",
    )
    .bind(resource_type)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    if owned.is_none() {
        return Err(StoreError::NotFound("resource type"));
    }
    sqlx::query("DELETE FROM declared_actions WHERE resource_type = $1")
        .bind(resource_type)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    for (a, position) in actions.iter().zip(0i32..) {
        sqlx::query(
            "INSERT INTO declared_actions \
             (action, resource_type, position, description, categories) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&a.action)
        .bind(resource_type)
        .bind(position)
        .bind(&a.description)
        .bind(to_json(&a.categories)?)
        .execute(&mut *conn)
        .await
        .map_err(|e| unique_or(e, || format!("action {} is already declared", a.action)))?;
    }
    Ok(())
}

pub(super) async fn list_actions(pool: &Pool) -> Result<Vec<DeclaredAction>> {
    let rows = sqlx::query(
        "SELECT action, resource_type, description, categories FROM declared_actions \
         ORDER BY resource_type, position",
    )
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter()
        .map(|row| {
            Ok(DeclaredAction {
                action: col(row, "action")?,
                resource_type: col(row, "resource_type")?,
                description: col(row, "description")?,
                categories: from_json(&col::<String>(row, "categories")?)?,
            })
        })
        .collect()
}

fn decode(row: &Row) -> Result<ResourceProvider> {
    Ok(ResourceProvider {
        id: col(row, "id")?,
        name: col(row, "name")?,
        resource_types: Vec::new(),
        secret_hash: col(row, "secret_hash")?,
        created_at: col(row, "created_at")?,
    })
}
