//! The HTTP surface: one router for every API, with the layers every route shares.

pub mod body;
pub mod error;
pub mod extract;
pub mod iamd;
pub mod middleware;
pub mod oauth;
pub mod openapi;
pub mod ops;
pub mod provider;
pub mod role_adapter;
pub mod strict;
pub mod v1;
pub mod v2;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;

use crate::http::error::ApiError;
use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/1.0", v1::router())
        .nest("/v1", v1::router())
        .merge(iamd::router())
        .merge(oauth::router())
        .nest("/v2", v2::router())
        .nest("/provider/v1", provider::router())
        .merge(role_adapter::router())
        .nest("/console", crate::console::router())
        .route("/console/", get(crate::console::home::page))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(openapi::document))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::timeout,
        ))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "Client::MethodNotAllowed",
        "this method is not allowed on this route",
    )
}
