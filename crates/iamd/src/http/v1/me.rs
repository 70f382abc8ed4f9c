//! `/me`: the account's details, and their editable fields.

use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value};

use crate::http::body::ApiBody;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, Caller};
use crate::service::me::{self, Nichandle};
use crate::state::AppState;

/// The members of a `PUT /me` body, read as a JSON object: which of them are editable,
/// read-only (ignored) or unknown (refused) is `service::me`'s rule, against the official
/// `nichandle.Nichandle`.
#[derive(serde::Deserialize)]
#[serde(transparent)]
pub struct NichandleMembers(Map<String, Value>);

impl ApiBody for NichandleMembers {}

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
    ApiJson(NichandleMembers(body)): ApiJson<NichandleMembers>,
) -> Result<Json<()>, ApiError> {
    me::edit(&state, &actor, body).await?;
    Ok(Json(()))
}
