//! `/me/api/oauth2/client`: service accounts (OAuth2 clients).

use axum::Json;
use axum::extract::{Path, State};

use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, Caller};
use crate::service::clients::{self, ClientView, CreateClient, CreatedClient, EditClient};
use crate::state::AppState;

pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<String>>, ApiError> {
    Ok(Json(clients::list(&state, &actor).await?))
}

pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<CreateClient>,
) -> Result<Json<CreatedClient>, ApiError> {
    Ok(Json(clients::create(&state, &actor, input).await?))
}

pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(client_id): Path<String>,
) -> Result<Json<ClientView>, ApiError> {
    Ok(Json(clients::get(&state, &actor, &client_id).await?))
}

pub async fn edit(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(client_id): Path<String>,
    ApiJson(input): ApiJson<EditClient>,
) -> Result<Json<()>, ApiError> {
    clients::edit(&state, &actor, &client_id, input).await?;
    Ok(Json(()))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(client_id): Path<String>,
) -> Result<Json<()>, ApiError> {
    clients::delete(&state, &actor, &client_id).await?;
    Ok(Json(()))
}
