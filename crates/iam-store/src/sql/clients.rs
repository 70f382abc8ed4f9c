//! OAuth2 clients (service accounts). The secret is kept only as a keyed hash; the flow is
//! fixed at creation. Callback URLs are a JSON array, in order.

use super::{COLLATE, Conn, Pool, Row, col, found, ts};
use crate::column::{client_flow, from_json, to_json};
use crate::error::{db, foreign_or, unique_or, violates};
use crate::{OAuthClient, Result, StoreError};

const COLUMNS: &str = "client_id, account, name, description, flow, callback_urls, secret_hash, \
                       created_at, updated_at";

/// `Conflict` if the id is taken (in any account) or the name is (in this account);
/// `NotFound("account")` if the account is missing.
pub(super) async fn create(conn: &mut Conn, c: &OAuthClient) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO oauth_clients ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    ))
    .bind(&c.client_id)
    .bind(&c.account)
    .bind(&c.name)
    .bind(&c.description)
    .bind(c.flow.as_str())
    .bind(to_json(&c.callback_urls)?)
    .bind(&c.secret_hash)
    .bind(ts(c.created_at))
    .bind(ts(c.updated_at))
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        if violates(&e, "name") {
            name_taken(c)
        } else {
            match e.as_database_error() {
                Some(d) if d.is_unique_violation() => StoreError::Conflict(format!(
                    "an OAuth2 client with id {} already exists",
                    c.client_id
                )),
                _ => foreign_or(e, "account"),
            }
        }
    })?;
    Ok(())
}

/// Names are unique within an account (`oauth_clients_account_name`).
fn name_taken(c: &OAuthClient) -> StoreError {
    StoreError::Conflict(name_taken_text(c))
}

fn name_taken_text(c: &OAuthClient) -> String {
    format!(
        "name {:?} is already taken by another service account of this account",
        c.name
    )
}

/// By id alone, for the token endpoint.
pub(super) async fn find(pool: &Pool, client_id: &str) -> Result<Option<OAuthClient>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM oauth_clients WHERE client_id = $1"
    ))
    .bind(client_id)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.as_ref().map(decode).transpose()
}

pub(super) async fn get(pool: &Pool, account: &str, client_id: &str) -> Result<OAuthClient> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM oauth_clients WHERE client_id = $1 AND account = $2"
    ))
    .bind(client_id)
    .bind(account)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.as_ref()
        .map(decode)
        .ok_or(StoreError::NotFound("client"))?
}

pub(super) async fn list(pool: &Pool, account: &str) -> Result<Vec<OAuthClient>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM oauth_clients WHERE account = $1 \
         ORDER BY created_at, client_id{COLLATE}"
    ))
    .bind(account)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter().map(decode).collect()
}

/// Replaces name, description, callback URLs, secret hash and `updated_at`; `Conflict` if
/// another client of the account has the name.
pub(super) async fn update(conn: &mut Conn, c: &OAuthClient) -> Result<()> {
    let done = sqlx::query(
        "UPDATE oauth_clients \
         SET name = $3, description = $4, callback_urls = $5, secret_hash = $6, \
         updated_at = $7 WHERE client_id = $1 AND account = $2",
    )
    .bind(&c.client_id)
    .bind(&c.account)
    .bind(&c.name)
    .bind(&c.description)
    .bind(to_json(&c.callback_urls)?)
    .bind(&c.secret_hash)
    .bind(ts(c.updated_at))
    .execute(&mut *conn)
    .await
    .map_err(|e| unique_or(e, || name_taken_text(c)))?;
    found(done.rows_affected(), "client")
}

pub(super) async fn delete(conn: &mut Conn, account: &str, client_id: &str) -> Result<()> {
    let done = sqlx::query("DELETE FROM oauth_clients WHERE client_id = $1 AND account = $2")
        .bind(client_id)
        .bind(account)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    found(done.rows_affected(), "client")
}

fn decode(row: &Row) -> Result<OAuthClient> {
    Ok(OAuthClient {
        client_id: col(row, "client_id")?,
        account: col(row, "account")?,
        name: col(row, "name")?,
        description: col(row, "description")?,
        flow: client_flow(&col::<String>(row, "flow")?)?,
        callback_urls: from_json(&col::<String>(row, "callback_urls")?)?,
        secret_hash: col(row, "secret_hash")?,
        created_at: col(row, "created_at")?,
        updated_at: col(row, "updated_at")?,
    })
}
