//! `/me/identity/user/{user}/token`: a user's personal access tokens. The value is in the
//! POST answer only.

use axum::Json;
use axum::extract::State;

use crate::http::body::ApiBody;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, ApiPath, Caller};
use crate::service::personal_tokens::{self, CreateToken, CreatedToken, EditToken, TokenView};
use crate::state::AppState;

impl ApiBody for CreateToken {}

/// The PUT body may be the token as GET answered it (`name` must then be the token's own).
impl ApiBody for EditToken {
    const READ_ONLY: &'static [&'static str] = &["creation", "lastUsed"];
}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(login): ApiPath<String>,
) -> Result<Json<Vec<String>>, ApiError> {
    Ok(Json(personal_tokens::list(&state, &actor, &login).await?))
}

pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(login): ApiPath<String>,
    ApiJson(input): ApiJson<CreateToken>,
) -> Result<Json<CreatedToken>, ApiError> {
    Ok(Json(
        personal_tokens::create(&state, &actor, &login, input).await?,
    ))
}

pub async fn read(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath((login, name)): ApiPath<(String, String)>,
) -> Result<Json<TokenView>, ApiError> {
    Ok(Json(
        personal_tokens::get(&state, &actor, &login, &name).await?,
    ))
}

pub async fn edit(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath((login, name)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<EditToken>,
) -> Result<Json<TokenView>, ApiError> {
    Ok(Json(
        personal_tokens::edit(&state, &actor, &login, &name, input).await?,
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath((login, name)): ApiPath<(String, String)>,
) -> Result<Json<()>, ApiError> {
    personal_tokens::delete(&state, &actor, &login, &name).await?;
    Ok(Json(()))
}
