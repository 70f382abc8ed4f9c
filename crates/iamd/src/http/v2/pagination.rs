//! The pagination headers of v2 lists: `X-Pagination-Cursor` and `X-Pagination-Size` in,
//! `X-Pagination-Cursor-Next` out (absent on the last page).

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::HeaderValue;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::http::error::ApiError;
use crate::service::pagination::{Page, PageRequest};

pub const CURSOR: &str = "x-pagination-cursor";
pub const SIZE: &str = "x-pagination-size";
pub const CURSOR_NEXT: &str = "x-pagination-cursor-next";

/// The page a client asked for.
pub struct Pagination(pub PageRequest);

impl<S: Send + Sync> FromRequestParts<S> for Pagination {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let header = |name: &str| -> Result<Option<&str>, ApiError> {
            parts
                .headers
                .get(name)
                .map(|v| {
                    v.to_str()
                        .map_err(|_| ApiError::bad_request(format!("{name} must be ASCII")))
                })
                .transpose()
        };
        Ok(Pagination(PageRequest::parse(
            header(CURSOR)?,
            header(SIZE)?,
        )?))
    }
}

/// A page as a JSON array, with the next page's cursor in `X-Pagination-Cursor-Next`.
pub fn paged<T: Serialize>(page: Page<T>) -> Response {
    let mut response = Json(page.items).into_response();
    if let Some(value) = page.next.and_then(|next| HeaderValue::from_str(&next).ok()) {
        response.headers_mut().insert(CURSOR_NEXT, value);
    }
    response
}
