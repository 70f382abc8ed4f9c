//! `/auth/time` (unauthenticated: the SDKs' clock reference for request signing, a bare
//! integer of epoch seconds) and `/auth/details` (who the caller is).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::http::error::ApiError;
use crate::http::extract::Caller;
use crate::service::auth_details::{self, AuthDetails};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/time", get(time))
        .route("/auth/details", get(details))
}

pub async fn time(State(state): State<AppState>) -> Json<i64> {
    Json(state.clock.now().timestamp())
}

pub async fn details(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<AuthDetails>, ApiError> {
    Ok(Json(auth_details::details(&state, &actor).await?))
}
