//! `/v2/iam/resourceGroup`: named sets of the account's resources.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use crate::http::body::ApiBody;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, ApiPath, Caller};
use crate::http::v2::pagination::{Pagination, paged};
use crate::http::v2::query::ListQuery;
use crate::service::resource_groups::{self, GroupInput, GroupView};
use crate::state::AppState;

/// `iam.group.Response` may be sent back: its server-owned members are ignored.
impl ApiBody for GroupInput {
    const READ_ONLY: &'static [&'static str] =
        &["id", "urn", "owner", "readOnly", "createdAt", "updatedAt"];
}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Pagination(page): Pagination,
    query: ListQuery,
) -> Result<Response, ApiError> {
    let details = query.flag("details")?.unwrap_or(false);
    Ok(paged(
        resource_groups::list(&state, &actor, details, &page).await?,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<Json<GroupView>, ApiError> {
    Ok(Json(resource_groups::create(&state, &actor, input).await?))
}

pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    query: ListQuery,
) -> Result<Json<GroupView>, ApiError> {
    let details = query.flag("details")?.unwrap_or(false);
    Ok(Json(
        resource_groups::get(&state, &actor, id, details).await?,
    ))
}

pub async fn replace(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<Json<GroupView>, ApiError> {
    Ok(Json(
        resource_groups::replace(&state, &actor, id, input).await?,
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<()>, ApiError> {
    resource_groups::delete(&state, &actor, id).await?;
    Ok(Json(()))
}
