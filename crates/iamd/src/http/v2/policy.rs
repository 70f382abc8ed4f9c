//! `/v2/iam/policy`: access policies.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use iam_core::policy::PolicyInput;
use uuid::Uuid;

use crate::http::body::ApiBody;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, ApiPath, Caller};
use crate::http::v2::pagination::{Pagination, paged};
use crate::http::v2::query::ListQuery;
use crate::service::policies::{self, PolicyFilter};
use crate::service::policy_view::PolicyView;
use crate::state::AppState;

/// `iam.policy.Response` may be sent back: its server-owned members are ignored.
impl ApiBody for PolicyInput {
    const READ_ONLY: &'static [&'static str] =
        &["id", "owner", "readOnly", "createdAt", "updatedAt"];
}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Pagination(page): Pagination,
    query: ListQuery,
) -> Result<Response, ApiError> {
    let filter = PolicyFilter {
        identities: query.all("identity"),
        resources: query.all("resourceURN"),
        actions: query.all("action"),
        read_only: query.flag("readOnly")?,
    };
    let details = query.flag("details")?.unwrap_or(false);
    Ok(paged(
        policies::list(&state, &actor, &filter, details, &page).await?,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<PolicyInput>,
) -> Result<Json<PolicyView>, ApiError> {
    Ok(Json(policies::create(&state, &actor, input).await?))
}

pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    query: ListQuery,
) -> Result<Json<PolicyView>, ApiError> {
    let details = query.flag("details")?.unwrap_or(false);
    Ok(Json(policies::get(&state, &actor, id, details).await?))
}

pub async fn replace(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<PolicyInput>,
) -> Result<Json<PolicyView>, ApiError> {
    Ok(Json(policies::replace(&state, &actor, id, input).await?))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<()>, ApiError> {
    policies::delete(&state, &actor, id).await?;
    Ok(Json(()))
}
