//! Service accounts (`/me/api/oauth2/client`): OAuth2 clients of an account. The secret is
//! generated here, shown once, and kept only as its keyed hash; the flow is fixed at
//! creation. Deleting a client refuses its tokens at once on every node (a `client:<id>`
//! revocation that outlives every token it could have been issued). Names are unique within
//! an account (seed 001), enforced by the store's unique index: `409` on create and rename.

use chrono::{DateTime, SubsecRound, Utc};
use iam_core::urn::{Plate, Urn};
use iam_store::{OAuthClient, RevokedToken, StoreError, Write};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::service::context::ServiceContext;
use crate::service::error::{Result, ServiceError};
use crate::service::principal::Actor;
use crate::service::write::Permit;
use crate::token::revocations::client_key;
use crate::token::secret::{self, random_bytes};

pub const ACTION_GET: &str = "account:apiovh:me/api/oauth2/client/get";
pub const ACTION_CREATE: &str = "account:apiovh:me/api/oauth2/client/create";
pub const ACTION_EDIT: &str = "account:apiovh:me/api/oauth2/client/edit";
pub const ACTION_DELETE: &str = "account:apiovh:me/api/oauth2/client/delete";

/// Longest client id: `EU.` and 16 hex digits, within the URN grammar's 64 characters.
pub const MAX_CLIENT_ID_LEN: usize = 64;
/// Longest name, in characters.
pub const MAX_NAME_LEN: usize = 128;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_LEN: usize = 1024;
/// Most callback URLs a client may have.
pub const MAX_CALLBACK_URLS: usize = 32;
/// Longest callback URL, in bytes.
pub const MAX_CALLBACK_URL_LEN: usize = 2048;

/// `oauth2.ClientFlowEnum`: the store's record type, so a client's flow is one type from
/// the request body to its row.
pub use iam_store::ClientFlow as Flow;

/// `oauth2.clientRequest`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateClient {
    pub name: String,
    pub description: String,
    pub flow: Flow,
    #[serde(default)]
    pub callback_urls: Option<Vec<String>>,
}

/// The body of PUT: `oauth2.client`, whose read-only members may be sent back unchanged
/// (`flow` and `clientId` must then equal the client's own; `identity` and `createdAt` are
/// ignored). Absent members are left as they are.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EditClient {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub callback_urls: Option<Vec<String>>,
    #[serde(default)]
    pub flow: Option<Flow>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub identity: Option<serde_json::Value>,
    #[serde(default)]
    pub created_at: Option<serde_json::Value>,
}

/// `oauth2.clientSecret`: the only answer that ever holds the secret.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedClient {
    pub client_id: String,
    pub client_secret: String,
}

/// `oauth2.client`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientView {
    pub client_id: String,
    pub name: String,
    pub description: String,
    pub flow: String,
    pub callback_urls: Vec<String>,
    pub identity: String,
    pub created_at: DateTime<Utc>,
}

/// `EU.` and 16 lowercase hex digits: the plate of the account, then 64 random bits.
pub fn new_client_id(plate: Plate) -> Result<String> {
    let bytes: [u8; 8] = random_bytes()?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{}.{hex}", plate.as_str().to_ascii_uppercase()))
}

/// The plate a client id names (`EU.…` → eu).
pub fn plate_of(client_id: &str) -> Option<Plate> {
    Plate::parse(&client_id.split_once('.')?.0.to_ascii_lowercase())
}

/// Names are 1 to `MAX_NAME_LEN` characters; descriptions may be empty.
fn validate_text(field: &str, value: &str, min: usize, max: usize) -> Result<()> {
    let len = value.chars().count();
    if len < min || len > max || value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ServiceError::invalid(format!(
            "{field} must be {min} to {max} characters, without control characters"
        )));
    }
    Ok(())
}

/// A callback URL: absolute, `https`, with a host, no user info and no fragment (RFC 6749
/// §3.1.2). Plain `http` is allowed only to a loopback host, for native apps that receive
/// the code on a local port (RFC 8252 §7.3, §8.3).
pub fn validate_callback_url(text: &str) -> Result<()> {
    let invalid = |why: &str| {
        ServiceError::invalid_code(
            "INVALID_CALLBACK_URL",
            format!("callback URL {text:?} {why}"),
        )
    };
    if text.len() > MAX_CALLBACK_URL_LEN {
        return Err(invalid(&format!(
            "is longer than {MAX_CALLBACK_URL_LEN} bytes"
        )));
    }
    let url =
        url::Url::parse(text).map_err(|e| invalid(&format!("is not an absolute URL ({e})")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(invalid("has no host")),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(invalid(
                "must use https (http only for localhost, 127.0.0.1 or [::1])",
            ));
        }
        _ => return Err(invalid("must use https")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not hold user information"));
    }
    if url.fragment().is_some() {
        return Err(invalid("must not have a fragment (RFC 6749 §3.1.2)"));
    }
    Ok(())
}

/// `CLIENT_CREDENTIALS` clients have no callback; `AUTHORIZATION_CODE` ones need one at least.
fn validate_callbacks(flow: Flow, urls: &[String]) -> Result<()> {
    match flow {
        Flow::ClientCredentials if !urls.is_empty() => Err(ServiceError::invalid_code(
            "INVALID_CALLBACK_URL",
            "a CLIENT_CREDENTIALS client takes no callback URL: send callbackUrls [] or leave it out",
        )),
        Flow::AuthorizationCode if urls.is_empty() => Err(ServiceError::invalid_code(
            "INVALID_CALLBACK_URL",
            "an AUTHORIZATION_CODE client needs at least one callback URL",
        )),
        _ if urls.len() > MAX_CALLBACK_URLS => Err(ServiceError::invalid(format!(
            "at most {MAX_CALLBACK_URLS} callback URLs"
        ))),
        _ => urls.iter().try_for_each(|u| validate_callback_url(u)),
    }
}

fn view(client: OAuthClient, plate: Plate) -> ClientView {
    ClientView {
        identity: Urn::credential(plate, &client.account, &client.client_id).to_string(),
        client_id: client.client_id,
        name: client.name,
        description: client.description,
        flow: client.flow.as_str().to_owned(),
        callback_urls: client.callback_urls,
        created_at: client.created_at,
    }
}

pub async fn list(ctx: &ServiceContext, actor: &Actor) -> Result<Vec<String>> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let clients = ctx.store.list_clients(&actor.principal.account).await?;
    Ok(clients.into_iter().map(|c| c.client_id).collect())
}

/// Every client of the account with its details, oldest first (the console's table).
pub async fn list_views(ctx: &ServiceContext, actor: &Actor) -> Result<Vec<ClientView>> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let mut clients = ctx.store.list_clients(&actor.principal.account).await?;
    clients.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.name.cmp(&b.name)));
    Ok(clients
        .into_iter()
        .map(|c| view(c, actor.principal.plate))
        .collect())
}

pub async fn get(ctx: &ServiceContext, actor: &Actor, client_id: &str) -> Result<ClientView> {
    ctx.authorizer.require_on_account(actor, ACTION_GET).await?;
    let client = fetch(ctx, actor, client_id).await?;
    Ok(view(client, actor.principal.plate))
}

pub async fn create(
    ctx: &ServiceContext,
    actor: &Actor,
    input: CreateClient,
) -> Result<CreatedClient> {
    let permit = ctx.permit(actor, ACTION_CREATE).await?;
    validate_text("name", &input.name, 1, MAX_NAME_LEN)?;
    validate_text("description", &input.description, 0, MAX_DESCRIPTION_LEN)?;
    let callback_urls = input.callback_urls.unwrap_or_default();
    validate_callbacks(input.flow, &callback_urls)?;
    let secret = secret::generate()?;
    let now = ctx.clock.now_micros();
    let mut client = OAuthClient {
        client_id: String::new(),
        account: actor.principal.account.to_string(),
        name: input.name,
        description: input.description,
        flow: input.flow,
        callback_urls,
        secret_hash: ctx.secrets.hash(&secret),
        created_at: now,
        updated_at: now,
    };
    insert_with_fresh_id(&permit, actor, &mut client).await?;
    Ok(CreatedClient {
        client_id: client.client_id,
        client_secret: secret,
    })
}

/// 64 random bits rarely collide, but a collision must be a retry, not an error. The other
/// conflict, a name the account already uses, is the caller's: the store's unique index
/// decides it, so two concurrent creations of one name cannot both succeed.
async fn insert_with_fresh_id(
    permit: &Permit<'_>,
    actor: &Actor,
    client: &mut OAuthClient,
) -> Result<()> {
    for _ in 0..3 {
        client.client_id = new_client_id(actor.principal.plate)?;
        let details = json!({"name": client.name, "flow": client.flow});
        let write = Write::CreateClient(client);
        match permit.commit(write, &client.client_id, details).await {
            Err(StoreError::Conflict(message)) => {
                if permit
                    .store()
                    .find_client(&client.client_id)
                    .await?
                    .is_none()
                {
                    return Err(ServiceError::Conflict(message));
                }
            }
            other => return Ok(other.map(drop)?),
        }
    }
    Err(ServiceError::Internal(
        "could not draw an unused client id".into(),
    ))
}

pub async fn edit(
    ctx: &ServiceContext,
    actor: &Actor,
    client_id: &str,
    input: EditClient,
) -> Result<()> {
    let permit = ctx.permit(actor, ACTION_EDIT).await?;
    let mut client = fetch(ctx, actor, client_id).await?;
    if input.flow.is_some_and(|f| f != client.flow) {
        return Err(ServiceError::invalid_code(
            "FLOW_IS_IMMUTABLE",
            format!(
                "the flow of a client cannot change (this one is {}): create a new client instead",
                client.flow.as_str()
            ),
        ));
    }
    if input
        .client_id
        .as_deref()
        .is_some_and(|id| id != client.client_id)
    {
        return Err(ServiceError::invalid("clientId cannot change"));
    }
    if let Some(name) = input.name {
        validate_text("name", &name, 1, MAX_NAME_LEN)?;
        client.name = name;
    }
    if let Some(description) = input.description {
        validate_text("description", &description, 0, MAX_DESCRIPTION_LEN)?;
        client.description = description;
    }
    if let Some(urls) = input.callback_urls {
        client.callback_urls = urls;
    }
    validate_callbacks(client.flow, &client.callback_urls)?;
    client.updated_at = ctx.clock.now_micros();
    let details = json!({"name": client.name});
    permit
        .commit(Write::UpdateClient(&client), client_id, details)
        .await
        .map_err(not_found(client_id))?;
    Ok(())
}

/// Revokes the client's tokens first, then deletes it: if the delete fails, the client is
/// refused rather than left able to use tokens it should no longer have.
pub async fn delete(ctx: &ServiceContext, actor: &Actor, client_id: &str) -> Result<()> {
    let permit = ctx.permit(actor, ACTION_DELETE).await?;
    let client = fetch(ctx, actor, client_id).await?;
    let now = ctx.clock.now();
    let lifetime = chrono::Duration::from_std(
        crate::service::key_lifecycle::longest_token_lifetime(&ctx.settings),
    )
    .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let revoked = RevokedToken {
        jti: client_key(&client.client_id),
        account: client.account.clone(),
        expires_at: (now + lifetime).trunc_subsecs(6),
    };
    ctx.store.revoke_token(&revoked).await?;
    ctx.revocations.insert(&revoked.jti, revoked.expires_at);
    let account = &client.account;
    permit
        .commit(
            Write::DeleteClient { account, client_id },
            client_id,
            json!({}),
        )
        .await
        .map_err(not_found(client_id))?;
    Ok(())
}

async fn fetch(ctx: &ServiceContext, actor: &Actor, client_id: &str) -> Result<OAuthClient> {
    ctx.store
        .get_client(&actor.principal.account, client_id)
        .await
        .map_err(not_found(client_id))
}

fn not_found(client_id: &str) -> impl FnOnce(StoreError) -> ServiceError + '_ {
    move |e| match e {
        StoreError::NotFound(_) => ServiceError::NotFound(format!("client {client_id}")),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_name_their_plate() {
        let id = new_client_id(Plate::Eu).unwrap();
        assert_eq!(id.len(), 19, "{id}");
        assert!(id.starts_with("EU."));
        assert!(
            id[3..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{id}"
        );
        assert_ne!(id, new_client_id(Plate::Eu).unwrap());
        assert_eq!(
            plate_of(&new_client_id(Plate::Ca).unwrap()),
            Some(Plate::Ca)
        );
        assert_eq!(plate_of("nodot"), None);
    }

    #[test]
    fn callback_url_rules() {
        for ok in [
            "https://app.example.com/callback",
            "https://app.example.com:8443/cb?x=1",
            "http://localhost:8080/cb",
            "http://127.0.0.1:4000/cb",
            "http://[::1]:4000/cb",
        ] {
            assert!(validate_callback_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/relative",
            "app.example.com/cb",
            "http://app.example.com/cb",
            "ftp://app.example.com/cb",
            "javascript:alert(1)",
            "https://user:pw@app.example.com/cb",
            "https://app.example.com/cb#frag",
            "http://localhost.evil.com/cb",
        ] {
            assert!(validate_callback_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn flows_and_callbacks() {
        let one = vec!["https://a.example/cb".to_owned()];
        assert!(validate_callbacks(Flow::ClientCredentials, &[]).is_ok());
        assert!(validate_callbacks(Flow::ClientCredentials, &one).is_err());
        assert!(validate_callbacks(Flow::AuthorizationCode, &[]).is_err());
        assert!(validate_callbacks(Flow::AuthorizationCode, &one).is_ok());
        assert_eq!(
            Flow::parse("CLIENT_CREDENTIALS"),
            Some(Flow::ClientCredentials)
        );
    }

    #[test]
    fn text_limits() {
        assert!(validate_text("name", "ok", 1, 3).is_ok());
        assert!(validate_text("name", "", 1, 3).is_err());
        assert!(validate_text("description", "", 0, 3).is_ok());
        assert!(validate_text("name", "long", 1, 3).is_err());
        assert!(validate_text("name", "a\u{0}b", 1, 3).is_err());
        assert!(validate_text("description", "a\nb", 0, 3).is_ok());
    }
}
