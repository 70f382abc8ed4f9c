//! `/me/identity/group`: user groups and their roles.

use axum::Json;
use axum::extract::State;

use crate::http::body::ApiBody;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, ApiPath, Caller};
use crate::service::groups::{self, CreateGroup, EditGroup, GroupView};
use crate::state::AppState;

impl ApiBody for CreateGroup {}

/// The PUT body may be `auth.Group` as GET answered it (`name` must then be the group's own).
impl ApiBody for EditGroup {
    const READ_ONLY: &'static [&'static str] = &["defaultGroup", "creation", "lastUpdate", "urn"];
}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<String>>, ApiError> {
    Ok(Json(groups::list(&state, &actor).await?))
}

pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<CreateGroup>,
) -> Result<Json<GroupView>, ApiError> {
    Ok(Json(groups::create(&state, &actor, input).await?))
}

pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<GroupView>, ApiError> {
    Ok(Json(groups::get(&state, &actor, &name).await?))
}

pub async fn edit(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(name): ApiPath<String>,
    ApiJson(input): ApiJson<EditGroup>,
) -> Result<Json<()>, ApiError> {
    groups::edit(&state, &actor, &name, input).await?;
    Ok(Json(()))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<()>, ApiError> {
    groups::delete(&state, &actor, &name).await?;
    Ok(Json(()))
}
