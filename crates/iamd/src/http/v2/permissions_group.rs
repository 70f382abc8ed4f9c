//! `/v2/iam/permissionsGroup`: reusable permissions, addressed by URN.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use iam_core::policy::{PermissionsGroup, PermissionsGroupInput};

use crate::http::body::ApiBody;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, ApiPath, Caller};
use crate::http::v2::pagination::{Pagination, paged};
use crate::service::permissions_groups;
use crate::state::AppState;

/// A permissions group as GET answered it may be sent back: its server-owned members are
/// ignored.
impl ApiBody for PermissionsGroupInput {
    const READ_ONLY: &'static [&'static str] = &["id", "urn", "owner", "createdAt", "updatedAt"];
}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Pagination(page): Pagination,
) -> Result<Response, ApiError> {
    Ok(paged(
        permissions_groups::list(&state, &actor, &page).await?,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<PermissionsGroupInput>,
) -> Result<Json<PermissionsGroup>, ApiError> {
    Ok(Json(
        permissions_groups::create(&state, &actor, input).await?,
    ))
}

pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(urn): ApiPath<String>,
) -> Result<Json<PermissionsGroup>, ApiError> {
    Ok(Json(permissions_groups::get(&state, &actor, &urn).await?))
}

pub async fn replace(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(urn): ApiPath<String>,
    ApiJson(input): ApiJson<PermissionsGroupInput>,
) -> Result<Json<PermissionsGroup>, ApiError> {
    Ok(Json(
        permissions_groups::replace(&state, &actor, &urn, input).await?,
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(urn): ApiPath<String>,
) -> Result<Json<()>, ApiError> {
    permissions_groups::delete(&state, &actor, &urn).await?;
    Ok(Json(()))
}
