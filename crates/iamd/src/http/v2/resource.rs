//! `/v2/iam/resource`: the account's resources and their tags. URNs arrive percent-encoded
//! in one path segment (`%2F` for a `/` inside the URN); `GET` also takes the resource's UUID
//! (seed 004's `{resourceId}`).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use crate::http::body::ApiBody;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, ApiPath, Caller};
use crate::http::v2::pagination::{Pagination, paged};
use crate::http::v2::query::ListQuery;
use crate::http::v2::tag_filter;
use crate::service::resources::{self, ResourceFilter, ResourceView};
use crate::state::AppState;

/// `PUT` body (`iam.resource.Resource`): only `tags` is writable; the other fields are
/// read-only and ignored (`READ_ONLY` below); anything else is refused.
#[derive(Debug, Deserialize)]
pub struct EditResource {
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
}

/// `iam.resource.AddTag`.
#[derive(Debug, Deserialize)]
pub struct AddTag {
    pub key: String,
    pub value: String,
}

impl ApiBody for EditResource {
    const READ_ONLY: &'static [&'static str] =
        &["id", "urn", "name", "displayName", "owner", "type"];
}

impl ApiBody for AddTag {}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Pagination(page): Pagination,
    query: ListQuery,
) -> Result<Response, ApiError> {
    let filter = ResourceFilter {
        names: query.all("resourceName"),
        types: query.all("resourceType"),
        urns: query.all("resourceURN"),
        tags: tag_filter::parse(query.pairs())?,
    };
    Ok(paged(
        resources::list(&state, &actor, &filter, &page).await?,
    ))
}

pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(urn_or_id): ApiPath<String>,
) -> Result<Json<ResourceView>, ApiError> {
    Ok(Json(resources::get(&state, &actor, &urn_or_id).await?))
}

pub async fn edit(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(urn): ApiPath<String>,
    ApiJson(input): ApiJson<EditResource>,
) -> Result<Json<ResourceView>, ApiError> {
    let tags = input.tags.unwrap_or_default();
    Ok(Json(resources::set_tags(&state, &actor, &urn, tags).await?))
}

pub async fn add_tag(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(urn): ApiPath<String>,
    ApiJson(input): ApiJson<AddTag>,
) -> Result<Json<()>, ApiError> {
    resources::add_tag(&state, &actor, &urn, input.key, input.value).await?;
    Ok(Json(()))
}

pub async fn remove_tag(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath((urn, key)): ApiPath<(String, String)>,
) -> Result<Json<()>, ApiError> {
    resources::remove_tag(&state, &actor, &urn, &key).await?;
    Ok(Json(()))
}
