//! Cross-cutting layers: the request id echoed as `X-Ovh-QueryID`, metrics, the request
//! timeout, and turning a panic into a 500 in the API's error shape.

use std::any::Any;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::http::error::ApiError;
use crate::state::AppState;
use crate::token::secret::random_bytes;

pub const QUERY_ID_HEADER: &str = "x-ovh-queryid";

/// A request id: `IAMD-` and 16 hex digits, like the ids OVH echoes.
fn new_query_id() -> String {
    let bytes: [u8; 8] = random_bytes().unwrap_or_default();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("IAMD-{hex}")
}

/// Tags the request with an id, times it, records metrics and logs one line.
pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let query_id = new_query_id();
    let method = request.method().as_str().to_owned();
    // The route template, never the raw path: raw paths would hold URNs and ids.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let span =
        tracing::info_span!("request", query_id = %query_id, method = %method, route = %route);
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    state
        .metrics
        .observe_request(&method, &route, status, elapsed.as_secs_f64());
    span.in_scope(|| tracing::info!(status, micros = elapsed.as_micros() as u64, "served"));
    if let Ok(value) = HeaderValue::from_str(&query_id) {
        response.headers_mut().insert(QUERY_ID_HEADER, value);
    }
    response
}

/// Abandons a request that runs past the configured timeout, answering 503 in the error shape.
pub async fn timeout(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(state.config.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::timeout().into_response(),
    }
}

/// For `CatchPanicLayer`: the panic is logged, the client sees a plain 500.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let text = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("non-string panic");
    tracing::error!(panic = text, "handler panicked");
    ApiError::internal().into_response()
}
