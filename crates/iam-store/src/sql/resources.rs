//! Resources and their tags. A new resource joins the account's default resource group in
//! the same transaction; deleting one removes it from every group (foreign keys cascade).

use std::collections::HashMap;

use uuid::Uuid;

use super::accounts::bump_revision;
use super::{COLLATE, Conn, Pool, Query, Row, col, found, read_tx, resource_groups, ts};
use crate::error::{db, unique_or, violates};
use crate::{Resource, Result, StoreError};

const COLUMNS: &str =
    "r.id, r.account, r.urn, r.name, r.display_name, r.resource_type, r.created_at, r.updated_at";

/// Which of the account's resources to load.
#[derive(Clone, Copy)]
enum Key<'a> {
    All,
    Urn(&'a str),
    Id(Uuid),
}

impl Key<'_> {
    fn filter(self) -> &'static str {
        match self {
            Key::All => "r.account = $1",
            Key::Urn(_) => "r.account = $1 AND r.urn = $2",
            Key::Id(_) => "r.account = $1 AND r.id = $2",
        }
    }
}

pub(super) async fn insert(conn: &mut Conn, r: &Resource) -> Result<()> {
    sqlx::query(
        "INSERT INTO resources \
         (id, account, urn, name, display_name, resource_type, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(r.id)
    .bind(&r.account)
    .bind(&r.urn)
    .bind(&r.name)
    .bind(&r.display_name)
    .bind(&r.resource_type)
    .bind(ts(r.created_at))
    .bind(ts(r.updated_at))
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        if violates(&e, "urn") {
            StoreError::Conflict(format!(
                "resource {} is registered in another account",
                r.urn
            ))
        } else {
            unique_or(e, || format!("a resource with id {} already exists", r.id))
        }
    })?;
    insert_tags(conn, r.id, r).await
}

async fn insert_tags(conn: &mut Conn, id: Uuid, r: &Resource) -> Result<()> {
    for (key, value) in &r.tags {
        sqlx::query(
            "INSERT INTO resource_tags (resource_id, tag_key, tag_value) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(key)
        .bind(value)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}

/// Inserts, or updates by (account, URN) keeping the stored id and `created_at`; returns
/// the resource as stored.
pub(super) async fn upsert(conn: &mut Conn, r: &Resource) -> Result<Resource> {
    bump_revision(conn, &r.account).await?;
    let existing: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM resources WHERE account = $1 AND urn = $2")
            .bind(&r.account)
            .bind(&r.urn)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?;
    let id = match existing {
        Some(id) => {
            update(conn, id, r).await?;
            id
        }
        None => {
            insert(conn, r).await?;
            resource_groups::add_to_default(conn, &r.account, r.id).await?;
            r.id
        }
    };
    let stored = load(conn, &r.account, Key::Id(id))
        .await?
        .pop()
        .ok_or(StoreError::NotFound("resource"))?;
    Ok(stored)
}

async fn update(conn: &mut Conn, id: Uuid, r: &Resource) -> Result<()> {
    sqlx::query(
        "UPDATE resources \
         SET name = $2, display_name = $3, resource_type = $4, updated_at = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(&r.name)
    .bind(&r.display_name)
    .bind(&r.resource_type)
    .bind(ts(r.updated_at))
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    sqlx::query("DELETE FROM resource_tags WHERE resource_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    insert_tags(conn, id, r).await
}

pub(super) async fn get(pool: &Pool, account: &str, urn: &str) -> Result<Resource> {
    one(pool, account, Key::Urn(urn)).await
}

pub(super) async fn get_by_id(pool: &Pool, account: &str, id: Uuid) -> Result<Resource> {
    one(pool, account, Key::Id(id)).await
}

async fn one(pool: &Pool, account: &str, key: Key<'_>) -> Result<Resource> {
    let mut tx = read_tx(pool).await?;
    let mut rows = load(&mut tx, account, key).await?;
    tx.commit().await.map_err(db)?;
    rows.pop().ok_or(StoreError::NotFound("resource"))
}

pub(super) async fn list(pool: &Pool, account: &str) -> Result<Vec<Resource>> {
    let mut tx = read_tx(pool).await?;
    let all = load(&mut tx, account, Key::All).await?;
    tx.commit().await.map_err(db)?;
    Ok(all)
}

/// The distinct types of the account's resources, sorted.
pub(super) async fn types(pool: &Pool, account: &str) -> Result<Vec<String>> {
    sqlx::query_scalar(&format!(
        "SELECT DISTINCT resource_type{COLLATE} AS resource_type FROM resources \
             WHERE account = $1 ORDER BY 1"
    ))
    .bind(account)
    .fetch_all(pool)
    .await
    .map_err(db)
}

/// Resources with their tags, in creation order, in two queries.
async fn load(conn: &mut Conn, account: &str, key: Key<'_>) -> Result<Vec<Resource>> {
    let filter = key.filter();
    let sql =
        format!("SELECT {COLUMNS} FROM resources r WHERE {filter} ORDER BY r.created_at, r.id");
    let rows = bound(&sql, account, key)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    let mut resources = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
    let index: HashMap<Uuid, usize> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id, i))
        .collect();
    let sql = format!(
        "SELECT t.resource_id, t.tag_key, t.tag_value FROM resource_tags t \
         JOIN resources r ON r.id = t.resource_id WHERE {filter}"
    );
    for row in bound(&sql, account, key)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?
    {
        if let Some(&i) = index.get(&col::<Uuid>(&row, "resource_id")?) {
            resources[i]
                .tags
                .insert(col(&row, "tag_key")?, col(&row, "tag_value")?);
        }
    }
    Ok(resources)
}

fn bound<'q>(sql: &'q str, account: &'q str, key: Key<'q>) -> Query<'q> {
    let query = sqlx::query(sql).bind(account);
    match key {
        Key::All => query,
        Key::Urn(urn) => query.bind(urn),
        Key::Id(id) => query.bind(id),
    }
}

pub(super) async fn delete(conn: &mut Conn, account: &str, urn: &str) -> Result<()> {
    bump_revision(conn, account).await?;
    // Tags and group memberships go with it (ON DELETE CASCADE, foreign keys are on).
    let done = sqlx::query("DELETE FROM resources WHERE account = $1 AND urn = $2")
        .bind(account)
        .bind(urn)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    found(done.rows_affected(), "resource")
}

/// URNs of the groups holding the resource, oldest group first; `NotFound` if the account
/// has no such resource. The outer join tells "in no group" from "no resource".
pub(super) async fn group_urns_of(
    pool: &Pool,
    account: &str,
    resource_id: Uuid,
) -> Result<Vec<String>> {
    let rows: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT g.urn FROM resources r \
         LEFT JOIN resource_group_members m ON m.resource_id = r.id \
         LEFT JOIN resource_groups g ON g.id = m.group_id \
         WHERE r.account = $1 AND r.id = $2 ORDER BY g.created_at, g.id",
    )
    .bind(account)
    .bind(resource_id)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    if rows.is_empty() {
        return Err(StoreError::NotFound("resource"));
    }
    Ok(rows.into_iter().flatten().collect())
}

fn decode(row: &Row) -> Result<Resource> {
    Ok(Resource {
        id: col(row, "id")?,
        urn: col(row, "urn")?,
        account: col(row, "account")?,
        name: col(row, "name")?,
        display_name: col(row, "display_name")?,
        resource_type: col(row, "resource_type")?,
        tags: Default::default(),
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}
