//! `/me/api/oauth2/client`: service accounts (OAuth2 clients).

use axum::Json;
use axum::extract::State;

use crate::http::body::ApiBody;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, ApiPath, Caller};
use crate::service::clients::{self, ClientView, CreateClient, CreatedClient, EditClient};
use crate::state::AppState;

impl ApiBody for CreateClient {}

/// The read-only members of `oauth2.client` are fields of `EditClient` itself (`flow` and
/// `clientId` must be the client's own).
impl ApiBody for EditClient {}

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
    ApiPath(client_id): ApiPath<String>,
) -> Result<Json<ClientView>, ApiError> {
    Ok(Json(clients::get(&state, &actor, &client_id).await?))
}

pub async fn edit(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(client_id): ApiPath<String>,
    ApiJson(input): ApiJson<EditClient>,
) -> Result<Json<()>, ApiError> {
    clients::edit(&state, &actor, &client_id, input).await?;
    Ok(Json(()))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(client_id): ApiPath<String>,
) -> Result<Json<()>, ApiError> {
    clients::delete(&state, &actor, &client_id).await?;
    Ok(Json(()))
}
