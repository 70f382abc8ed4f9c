//! The OpenStack role adapter's routes (OIDC Discovery 1.0, RFC 7517, RFC 6749 §4.4), one
//! set per resource type URN:
//! `GET /role-adapter/{urn}/.well-known/openid-configuration`, `GET /role-adapter/{urn}/jwks`
//! and `POST /role-adapter/{urn}/token`. An URN that names no adapter is a 404 in the OVH
//! shape. Forms and client credentials are read as the OAuth2 server reads them; the rules
//! live in `service::role_adapter`.

use std::net::SocketAddr;

use axum::Json;
use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{Extensions, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::http::error::ApiError;
use crate::http::extract::ApiPath;
use crate::http::oauth::{OAuthForm, client_credentials, no_store};
use crate::service::oauth::{GRANT_CLIENT_CREDENTIALS, OAuthError};
use crate::service::role_adapter::scope::{ALL_PROJECTS, OIDC_SCOPES};
use crate::service::role_adapter::{self, Adapter, TokenRequest};
use crate::state::AppState;
use crate::token::signing_key::Usage;

pub const DISCOVERY_SUFFIX: &str = "/.well-known/openid-configuration";
pub const JWKS_SUFFIX: &str = "/jwks";
pub const TOKEN_SUFFIX: &str = "/token";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/role-adapter/{urn}/.well-known/openid-configuration",
            get(discovery),
        )
        .route("/role-adapter/{urn}/jwks", get(jwks))
        .route("/role-adapter/{urn}/token", post(token))
}

/// The path segment is percent-decoded by `ApiPath`; both `:` and `%3A` work.
fn adapter(urn: &str) -> Result<Adapter, ApiError> {
    Ok(Adapter::parse(urn)?)
}

/// OIDC Discovery 1.0 §3. keystoneauth1 reads `token_endpoint` and refuses a
/// `grant_types_supported` without `client_credentials`; the rest is for people and tools.
pub async fn discovery(
    State(state): State<AppState>,
    ApiPath(urn): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let adapter = adapter(&urn)?;
    let issuer = adapter.issuer(&state.config.public_url);
    let mut algorithms: Vec<&str> = Vec::new();
    let active = state.keys.active(Usage::IdToken);
    for key in active.iter().chain(state.keys.keys().iter()) {
        if key.usage == Usage::IdToken && !algorithms.contains(&key.algorithm.as_str()) {
            algorithms.push(key.algorithm.as_str());
        }
    }
    let scopes: Vec<&str> = OIDC_SCOPES.into_iter().chain([ALL_PROJECTS]).collect();
    Ok(Json(json!({
        "issuer": issuer,
        "token_endpoint": format!("{issuer}{TOKEN_SUFFIX}"),
        "jwks_uri": format!("{issuer}{JWKS_SUFFIX}"),
        "grant_types_supported": [GRANT_CLIENT_CREDENTIALS],
        // Required by §3 although there is no authorization endpoint: id_tokens are the only
        // thing this provider issues.
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algorithms,
        "scopes_supported": scopes,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "claims_supported": [
            "iss", "sub", "aud", "azp", "iat", "nbf", "exp", "jti", "preferred_username",
            "account", "roles", "openstack_project", "project_roles", "projects_json"
        ],
    })))
}

/// RFC 7517 §5: the id_token keys that verify (active, and retired until every token they
/// signed has expired).
pub async fn jwks(
    State(state): State<AppState>,
    ApiPath(urn): ApiPath<String>,
) -> Result<Response, ApiError> {
    adapter(&urn)?;
    let mut response = Json(state.keys.jwks(Usage::IdToken)).into_response();
    // mod_auth_openidc refetches on an unknown kid anyway (DESIGN.md §5).
    response.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}

/// RFC 6749 §4.4.2, answered with an id_token (see `service::role_adapter`).
pub async fn token(
    State(state): State<AppState>,
    ApiPath(urn): ApiPath<String>,
    headers: HeaderMap,
    extensions: Extensions,
    OAuthForm(mut form): OAuthForm,
) -> Result<Response, Response> {
    let adapter = adapter(&urn).map_err(IntoResponse::into_response)?;
    let reply = async {
        let credentials = client_credentials(&headers, &mut form)?;
        let request = TokenRequest {
            credentials,
            grant_type: form.get("grant_type").map(String::as_str),
            scope: form.get("scope").map(String::as_str),
            ip: extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        };
        role_adapter::token(&state, &adapter, request, state.clock.now()).await
    };
    match reply.await {
        Ok(response) => Ok(no_store(Json(response))),
        Err(e) => Err(OAuthError::into_response(e)),
    }
}
