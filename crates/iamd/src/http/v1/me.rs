//! `GET /me`: the account's details.

use axum::Json;
use axum::extract::State;

use crate::http::error::ApiError;
use crate::http::extract::Caller;
use crate::service::me::{self, Nichandle};
use crate::state::AppState;

pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Nichandle>, ApiError> {
    Ok(Json(me::details(&state, &actor).await?))
}
