//! The OAuth2 endpoints: `POST /auth/oauth2/token` (RFC 6749 §4.4), `POST
//! /auth/oauth2/introspect` (RFC 7662), `POST /auth/oauth2/revoke` (RFC 7009), `GET
//! /auth/oauth2/jwks` and the RFC 8414 metadata. This module reads forms and client
//! credentials off the wire; the rules live in `service::oauth`.

use std::collections::HashMap;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, PRAGMA};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use serde_json::json;

use crate::service::oauth::{self, AuthMethod, ClientCredentials, OAuthError};
use crate::state::AppState;
use crate::token::signing_key::Usage;

pub const TOKEN_PATH: &str = "/auth/oauth2/token";
pub const INTROSPECT_PATH: &str = "/auth/oauth2/introspect";
pub const REVOKE_PATH: &str = "/auth/oauth2/revoke";
pub const JWKS_PATH: &str = "/auth/oauth2/jwks";
pub const METADATA_PATH: &str = "/.well-known/oauth-authorization-server";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(TOKEN_PATH, post(token))
        .route(INTROSPECT_PATH, post(introspect))
        .route(REVOKE_PATH, post(revoke))
        .route(JWKS_PATH, get(jwks))
        .route(METADATA_PATH, get(metadata))
}

/// An `application/x-www-form-urlencoded` body as a map (RFC 6749 §3.2: a parameter sent
/// twice is an error; §3.1: a parameter without a value counts as absent).
pub struct OAuthForm(pub HashMap<String, String>);

impl FromRequest<AppState> for OAuthForm {
    type Rejection = OAuthError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let form_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if !form_type {
            return Err(OAuthError::InvalidRequest(
                "expected a body with Content-Type: application/x-www-form-urlencoded".into(),
            ));
        }
        let body = Bytes::from_request(request, state).await.map_err(|_| {
            OAuthError::InvalidRequest("the request body could not be read or is too large".into())
        })?;
        parse_form(&body).map(OAuthForm)
    }
}

pub fn parse_form(body: &[u8]) -> Result<HashMap<String, String>, OAuthError> {
    let mut form = HashMap::new();
    for (name, value) in form_urlencoded::parse(body) {
        if value.is_empty() {
            continue;
        }
        if form.contains_key(name.as_ref()) {
            return Err(OAuthError::InvalidRequest(format!(
                "parameter {name} is repeated"
            )));
        }
        form.insert(name.into_owned(), value.into_owned());
    }
    Ok(form)
}

/// Client credentials from `Authorization: Basic` or from the body, never both (RFC 6749
/// §2.3). `None` when the client sent none (the service answers `invalid_client`).
pub fn client_credentials(
    headers: &HeaderMap,
    form: &mut HashMap<String, String>,
) -> Result<Option<ClientCredentials>, OAuthError> {
    let body_id = form.remove("client_id");
    let body_secret = form.remove("client_secret");
    let Some(header) = headers.get(AUTHORIZATION) else {
        return Ok(match (body_id, body_secret) {
            (Some(client_id), Some(client_secret)) => Some(ClientCredentials {
                client_id,
                client_secret,
                method: AuthMethod::Post,
            }),
            _ => None,
        });
    };
    let (client_id, client_secret) =
        basic(header).ok_or(OAuthError::InvalidClient { basic: true })?;
    if body_secret.is_some() || body_id.is_some_and(|id| id != client_id) {
        return Err(OAuthError::InvalidRequest(
            "use one client authentication method, HTTP Basic or client_id and client_secret in the body, not both"
                .into(),
        ));
    }
    Ok(Some(ClientCredentials {
        client_id,
        client_secret,
        method: AuthMethod::Basic,
    }))
}

/// `Basic base64(id:secret)`. RFC 6749 §2.3.1 form-encodes id and secret before base64, as
/// go's x/oauth2 does; python-ovh sends them raw. Decoding is the identity on raw ids and
/// secrets (their alphabets have no `%` or `+`), so both work.
fn basic(header: &HeaderValue) -> Option<(String, String)> {
    let (scheme, encoded) = header.to_str().ok()?.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let encoded = encoded.trim();
    let decoded = STANDARD
        .decode(encoded)
        .or_else(|_| STANDARD_NO_PAD.decode(encoded))
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((form_decode(id)?, form_decode(secret)?))
}

/// `application/x-www-form-urlencoded` decoding of one value (`+` is a space).
fn form_decode(value: &str) -> Option<String> {
    let spaced = value.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(|v| v.into_owned())
}

/// RFC 6749 §5.1: token responses must not be cached.
pub fn no_store(body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn param<'a>(form: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    form.get(name).map(String::as_str)
}

/// RFC 6749 §4.4.2.
pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    OAuthForm(mut form): OAuthForm,
) -> Result<Response, OAuthError> {
    let credentials = client_credentials(&headers, &mut form)?;
    let grant_type = param(&form, "grant_type");
    let response = oauth::token(
        &state,
        credentials,
        grant_type,
        param(&form, "scope"),
        state.clock.now(),
    )
    .await?;
    Ok(no_store(Json(response)))
}

/// RFC 7662 §2.1 (`token_type_hint` is not needed: there is one kind of token).
pub async fn introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    OAuthForm(mut form): OAuthForm,
) -> Result<Response, OAuthError> {
    let credentials = client_credentials(&headers, &mut form)?;
    let answer = oauth::introspect(
        &state,
        credentials,
        param(&form, "token"),
        state.clock.now(),
    )
    .await?;
    Ok(no_store(Json(answer)))
}

/// RFC 7009 §2.1; §2.2: 200 with nothing to say, whether or not the token was valid.
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    OAuthForm(mut form): OAuthForm,
) -> Result<Response, OAuthError> {
    let credentials = client_credentials(&headers, &mut form)?;
    oauth::revoke(
        &state,
        credentials,
        param(&form, "token"),
        state.clock.now(),
    )
    .await?;
    Ok(no_store(()))
}

/// RFC 7517 §5: the access-token keys that verify (active and retired-but-unexpired).
pub async fn jwks(State(state): State<AppState>) -> Response {
    let mut response = Json(state.keys.jwks(Usage::AccessToken)).into_response();
    // Validators refetch on an unknown kid anyway (DESIGN.md §5).
    response.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

/// RFC 8414 §2 authorization server metadata.
pub async fn metadata(State(state): State<AppState>) -> Json<serde_json::Value> {
    let base = &state.config.public_url;
    let auth_methods = ["client_secret_basic", "client_secret_post"];
    Json(json!({
        "issuer": base,
        "token_endpoint": format!("{base}{TOKEN_PATH}"),
        "jwks_uri": format!("{base}{JWKS_PATH}"),
        "introspection_endpoint": format!("{base}{INTROSPECT_PATH}"),
        "revocation_endpoint": format!("{base}{REVOKE_PATH}"),
        "grant_types_supported": [oauth::GRANT_CLIENT_CREDENTIALS],
        "response_types_supported": [],
        "scopes_supported": [oauth::SCOPE_ALL],
        "token_endpoint_auth_methods_supported": auth_methods,
        "introspection_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic_header(raw: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = format!("Basic {}", STANDARD.encode(raw));
        headers.insert(AUTHORIZATION, HeaderValue::from_str(&value).unwrap());
        headers
    }

    #[test]
    fn forms_refuse_repeats_and_drop_empty_values() {
        let form = parse_form(b"grant_type=client_credentials&scope=&x=a%20b+c").unwrap();
        assert_eq!(
            form.get("grant_type").map(String::as_str),
            Some("client_credentials")
        );
        assert!(!form.contains_key("scope"));
        assert_eq!(form.get("x").map(String::as_str), Some("a b c"));
        assert!(matches!(
            parse_form(b"a=1&a=2"),
            Err(OAuthError::InvalidRequest(_))
        ));
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let mut form = HashMap::new();
        let got = client_credentials(&basic_header("EU.1%2Ea:s%2Bx+y"), &mut form)
            .unwrap()
            .unwrap();
        assert_eq!(
            (got.client_id.as_str(), got.client_secret.as_str()),
            ("EU.1.a", "s+x y")
        );
        assert_eq!(got.method, AuthMethod::Basic);
        let raw = client_credentials(&basic_header("EU.0a:abc-_DEF"), &mut form)
            .unwrap()
            .unwrap();
        assert_eq!(
            (raw.client_id.as_str(), raw.client_secret.as_str()),
            ("EU.0a", "abc-_DEF")
        );
    }

    #[test]
    fn one_method_at_a_time() {
        let mut form = HashMap::from([("client_secret".to_owned(), "s".to_owned())]);
        let both = client_credentials(&basic_header("id:s"), &mut form);
        assert!(matches!(both, Err(OAuthError::InvalidRequest(_))));
        let mut form = HashMap::from([("client_id".to_owned(), "id".to_owned())]);
        assert!(
            client_credentials(&basic_header("id:s"), &mut form).is_ok(),
            "a matching client_id is harmless"
        );

        let mut body = HashMap::from([
            ("client_id".to_owned(), "id".to_owned()),
            ("client_secret".to_owned(), "s".to_owned()),
        ]);
        let post = client_credentials(&HeaderMap::new(), &mut body)
            .unwrap()
            .unwrap();
        assert_eq!(post.method, AuthMethod::Post);
        let mut only_id = HashMap::from([("client_id".to_owned(), "id".to_owned())]);
        assert!(
            client_credentials(&HeaderMap::new(), &mut only_id)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn malformed_basic_is_a_failed_authentication() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic !!!"));
        let result = client_credentials(&headers, &mut HashMap::new());
        assert!(matches!(
            result,
            Err(OAuthError::InvalidClient { basic: true })
        ));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer abc"));
        assert!(client_credentials(&headers, &mut HashMap::new()).is_err());
        assert!(client_credentials(&basic_header("no-colon"), &mut HashMap::new()).is_err());
    }
}
