//! Extractors that speak the API's error shape: `Caller` (an authenticated principal) and
//! `ApiJson` (a JSON body whose rejections become 400/413 in the OVH shape) and `ApiPath`.

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::http::body::{self, ApiBody, BodyError};
use crate::http::error::ApiError;
use crate::service::authenticate;
use crate::service::principal::Actor;
use crate::state::AppState;

/// The authenticated caller of an API route, and the address it called from.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let principal =
            authenticate::authorization_header(state, header, state.clock.now()).await?;
        Ok(Caller(Actor {
            principal,
            ip: client_ip(parts),
        }))
    }
}

/// The peer address of the connection (no proxy header is trusted).
pub fn client_ip(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// A JSON body, read by `http::body` (strict, in the API's words); every failure is a 400
/// (413 when too large) in the OVH shape.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: ApiBody,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !body::is_json(request.headers()) {
            return Err(BodyError::NotJson.into());
        }
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => BodyError::TooLarge,
                    _ => BodyError::Unreadable,
                })?;
        Ok(ApiJson(body::parse(&bytes)?))
    }
}

/// `axum::extract::Path`, with rejections (a malformed id, bytes that are not UTF-8 once
/// percent-decoded) in the API's error shape. Every API route reads its path through it.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(ApiPath(value))
    }
}
