//! `/v2/iam/reference`: resource types and actions.

use axum::extract::State;
use axum::response::Response;

use crate::http::error::ApiError;
use crate::http::extract::Caller;
use crate::http::v2::pagination::{Pagination, paged};
use crate::http::v2::query::ListQuery;
use crate::service::reference;
use crate::state::AppState;

pub async fn resource_types(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Pagination(page): Pagination,
) -> Result<Response, ApiError> {
    Ok(paged(
        reference::resource_types(&state, &actor, &page).await?,
    ))
}

pub async fn actions(
    State(state): State<AppState>,
    Caller(_): Caller,
    Pagination(page): Pagination,
    query: ListQuery,
) -> Result<Response, ApiError> {
    Ok(paged(reference::actions(
        &state,
        &query.all("resourceType"),
        &page,
    )))
}
