//! `/openapi.json`: iamd's own OpenAPI 3 description of every route it serves, written by
//! hand (`crates/iamd/openapi/iamd.json`) and embedded in the binary. A test keeps it true:
//! every route of the router is in it, and every operation in it is routed.

use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

pub const DOCUMENT: &str = include_str!("../../openapi/iamd.json");

pub async fn document() -> Response {
    ([(CONTENT_TYPE, "application/json")], DOCUMENT).into_response()
}
