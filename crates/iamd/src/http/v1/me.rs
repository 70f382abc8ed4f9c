//! `/me`: the account's details, and their editable fields.

use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value};

use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, Caller};
use crate::service::me::{self, Nichandle};
use crate::state::AppState;

pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Nichandle>, ApiError> {
    Ok(Json(me::details(&state, &actor).await?))
}

/// `PUT /me`: a `nichandle.Nichandle`, of which the editable members are applied (absent
/// ones are kept, `null` clears) and the read-only ones ignored; unknown members are refused.
pub async fn edit(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<Json<()>, ApiError> {
    me::edit(&state, &actor, body).await?;
    Ok(Json(()))
}
