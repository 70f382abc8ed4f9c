//! `authorization/check` (one resource, or several) for the caller, and iamd's policy
//! simulator for administrators.

use axum::Json;
use axum::extract::State;

use crate::http::body::ApiBody;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, ApiPath, Caller};
use crate::service::authorization_check::{
    self, BatchRequest, BatchResponse, CheckRequest, CheckResponse,
};
use crate::service::simulator::{self, Simulation, SimulationResult};
use crate::state::AppState;

impl ApiBody for CheckRequest {}
impl ApiBody for BatchRequest {}
impl ApiBody for Simulation {}

pub async fn check(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(urn): ApiPath<String>,
    ApiJson(input): ApiJson<CheckRequest>,
) -> Result<Json<CheckResponse>, ApiError> {
    Ok(Json(
        authorization_check::check(&state, &actor, &urn, &input.actions).await?,
    ))
}

pub async fn check_batch(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<BatchRequest>,
) -> Result<Json<Vec<BatchResponse>>, ApiError> {
    Ok(Json(
        authorization_check::check_batch(&state, &actor, &input).await?,
    ))
}

pub async fn simulate(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<Simulation>,
) -> Result<Json<SimulationResult>, ApiError> {
    Ok(Json(simulator::simulate(&state, &actor, input).await?))
}
