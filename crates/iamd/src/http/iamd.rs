//! iamd's own API extensions, under `/v2/iamd`: what OVH's API has no shape for.
//! `GET /v2/iamd/audit` reads the account's audit log.

use axum::Json;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;

use crate::http::error::ApiError;
use crate::http::extract::Caller;
use crate::service::audit_log::{self, AuditFilter, AuditView};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v2/iamd/audit", get(audit))
}

pub async fn audit(
    State(state): State<AppState>,
    Caller(actor): Caller,
    filter: Result<Query<AuditFilter>, QueryRejection>,
) -> Result<Json<Vec<AuditView>>, ApiError> {
    let Query(filter) = filter?;
    Ok(Json(audit_log::list(&state, &actor, filter).await?))
}
