//! Accounts: the tenant row, the bundle written when one is created, and the revision
//! counter that every decision-changing write bumps in its own transaction.

use super::dialect::{notify_credentials, notify_decisions};
use super::{
    COLLATE, Conn, Pool, Row, col, found, groups, policies, resource_groups, resources, tokens, ts,
    write_tx,
};
use crate::column::{from_json, to_json};
use crate::error::{db, unique_or};
use crate::{AccessTokenRecord, Account, NewAccount, Result, StoreError};

const COLUMNS: &str = "nic, plate, root_password_hash, created_at, revision";

/// Writes the account and everything it starts with, all or nothing.
pub(super) async fn create(pool: &Pool, new: &NewAccount) -> Result<Account> {
    let mut tx = write_tx(pool).await?;
    insert(&mut tx, &new.account).await?;
    for group in &new.default_groups {
        groups::insert(&mut tx, group).await?;
    }
    resources::insert(&mut tx, &new.account_resource).await?;
    let rg = &new.default_resource_group;
    resource_groups::insert(&mut tx, rg, true).await?;
    if !rg.members.contains(&new.account_resource.id) {
        // The default group holds every resource of the account, its own one first of all.
        resource_groups::add_to_default(&mut tx, &rg.account, new.account_resource.id).await?;
    }
    policies::insert(&mut tx, &new.default_policy).await?;
    tokens::insert(&mut tx, &new.root_token).await?;
    let account = fetch(&mut tx, &new.account.nic).await?;
    tx.commit().await.map_err(db)?;
    Ok(account)
}

async fn insert(conn: &mut Conn, a: &Account) -> Result<()> {
    sqlx::query(
        "INSERT INTO accounts (nic, plate, root_password_hash, created_at, revision) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&a.nic)
    .bind(&a.plate)
    .bind(&a.root_password_hash)
    .bind(ts(a.created_at))
    .bind(a.revision)
    .execute(&mut *conn)
    .await
    .map_err(|e| unique_or(e, || format!("account {} already exists", a.nic)))?;
    Ok(())
}

async fn fetch(conn: &mut Conn, nic: &str) -> Result<Account> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM accounts WHERE nic = $1"))
        .bind(nic)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    row.as_ref()
        .map(decode)
        .ok_or(StoreError::NotFound("account"))?
}

pub(super) async fn get(pool: &Pool, nic: &str) -> Result<Account> {
    let mut conn = pool.acquire().await.map_err(db)?;
    fetch(&mut conn, nic).await
}

pub(super) async fn list(pool: &Pool) -> Result<Vec<Account>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM accounts ORDER BY created_at, nic{COLLATE}"
    ))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter().map(decode).collect()
}

pub(super) async fn revision(pool: &Pool, nic: &str) -> Result<i64> {
    let mut conn = pool.acquire().await.map_err(db)?;
    revision_of(&mut conn, nic).await
}

async fn revision_of(conn: &mut Conn, nic: &str) -> Result<i64> {
    sqlx::query_scalar("SELECT revision FROM accounts WHERE nic = $1")
        .bind(nic)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?
        .ok_or(StoreError::NotFound("account"))
}

/// Not a decision change: the revision stays.
pub(super) async fn set_root_password(conn: &mut Conn, nic: &str, hash: &str) -> Result<()> {
    let done = sqlx::query("UPDATE accounts SET root_password_hash = $2 WHERE nic = $1")
        .bind(nic)
        .bind(hash)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    found(done.rows_affected(), "account")
}

/// The account's profile (the editable details of `/me`): a JSON object, `{}` until set.
pub(super) async fn profile(pool: &Pool, nic: &str) -> Result<serde_json::Value> {
    let text: String = sqlx::query_scalar("SELECT profile FROM accounts WHERE nic = $1")
        .bind(nic)
        .fetch_optional(pool)
        .await
        .map_err(db)?
        .ok_or(StoreError::NotFound("account"))?;
    from_json(&text)
}

/// Compare-and-set: writes `profile` only if the stored one is still `expected` (as read by
/// [`profile`]), so that two concurrent edits cannot lose each other's fields. Not a
/// decision change: the revision stays.
pub(super) async fn set_profile(
    conn: &mut Conn,
    nic: &str,
    expected: &serde_json::Value,
    profile: &serde_json::Value,
) -> Result<()> {
    let done = sqlx::query("UPDATE accounts SET profile = $3 WHERE nic = $1 AND profile = $2")
        .bind(nic)
        .bind(to_json(expected)?)
        .bind(to_json(profile)?)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    revision_of(conn, nic).await?;
    Err(StoreError::Conflict(
        "the account's details changed meanwhile: read them again and retry".into(),
    ))
}

/// Replaces every credential of the account's root at once: its password, and all its
/// personal access tokens (the root token and any other it made) by `root_token` alone.
/// All in the caller's one transaction, so a crash leaves the old credentials or the new ones, never a mix.
/// Not a decision change: the revision stays; other nodes drop the tokens they hold.
pub(super) async fn rotate_root(
    conn: &mut Conn,
    nic: &str,
    password_hash: &str,
    root_token: &AccessTokenRecord,
) -> Result<()> {
    let done = sqlx::query("UPDATE accounts SET root_password_hash = $2 WHERE nic = $1")
        .bind(nic)
        .bind(password_hash)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    found(done.rows_affected(), "account")?;
    sqlx::query("DELETE FROM access_tokens WHERE account = $1 AND user_login IS NULL")
        .bind(nic)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    tokens::insert(conn, root_token).await?;
    notify_credentials(conn, nic).await
}

/// Bumps the account's revision; `NotFound` if there is no such account. Called first in
/// every decision-changing transaction, which also makes it the account's existence check.
pub(super) async fn bump_revision(conn: &mut Conn, nic: &str) -> Result<()> {
    let done = sqlx::query("UPDATE accounts SET revision = revision + 1 WHERE nic = $1")
        .bind(nic)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    found(done.rows_affected(), "account")?;
    notify_decisions(conn, nic).await
}

fn decode(row: &Row) -> Result<Account> {
    Ok(Account {
        nic: col(row, "nic")?,
        plate: col(row, "plate")?,
        root_password_hash: col(row, "root_password_hash")?,
        created_at: col(row, "created_at")?,
        revision: col(row, "revision")?,
    })
}
