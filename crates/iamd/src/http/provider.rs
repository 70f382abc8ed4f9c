//! The resource-provider API (`/provider/v1`, outside the OVH-compatible surface): the
//! products that own resources register, read and remove them in an account, and declare
//! their resource types' actions. Callers authenticate with a provider secret
//! (`iamd provider create`), never with an account's credentials.

use axum::Json;
use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::routing::get;
use iam_store::ResourceProvider;
use serde::{Deserialize, Serialize};

use crate::http::body::ApiBody;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, ApiPath};
use crate::service::error::ServiceError;
use crate::service::reference::ActionView;
use crate::service::registration::{self, ActionDeclaration, Registrar, Registration};
use crate::service::resources::ResourceView;
use crate::service::{accounts, providers};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/account/{nic}/resource/{resourceURN}",
            get(get_resource).put(register).delete(remove),
        )
        .route("/resourceType/{resourceType}", get(get_type).put(declare))
}

/// The authenticated resource provider.
pub struct Provider(pub ResourceProvider);

impl FromRequestParts<AppState> for Provider {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        Ok(Provider(
            providers::authenticate(&*state.store, &state.secrets, header).await?,
        ))
    }
}

/// A resource type and its actions.
#[derive(Debug, Deserialize)]
pub struct TypeDeclaration {
    pub actions: Vec<ActionDeclaration>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TypeView {
    pub resource_type: String,
    pub actions: Vec<ActionView>,
}

/// The resource as GET answered it may be sent back: its server-owned members are ignored.
impl ApiBody for Registration {
    const READ_ONLY: &'static [&'static str] = &["id", "urn", "owner", "type"];
}

impl ApiBody for TypeDeclaration {
    const READ_ONLY: &'static [&'static str] = &["resourceType"];
}

pub async fn register(
    State(state): State<AppState>,
    Provider(provider): Provider,
    ApiPath((nic, urn)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<Registration>,
) -> Result<Json<ResourceView>, ApiError> {
    let who = Registrar::Provider(&provider);
    Ok(Json(
        registration::register(&state, who, &accounts::named(&nic)?, &urn, input).await?,
    ))
}

pub async fn get_resource(
    State(state): State<AppState>,
    Provider(provider): Provider,
    ApiPath((nic, urn)): ApiPath<(String, String)>,
) -> Result<Json<ResourceView>, ApiError> {
    Ok(Json(
        registration::get(
            &state,
            Registrar::Provider(&provider),
            &accounts::named(&nic)?,
            &urn,
        )
        .await?,
    ))
}

pub async fn remove(
    State(state): State<AppState>,
    Provider(provider): Provider,
    ApiPath((nic, urn)): ApiPath<(String, String)>,
) -> Result<Json<()>, ApiError> {
    registration::remove(
        &state,
        Registrar::Provider(&provider),
        &accounts::named(&nic)?,
        &urn,
    )
    .await?;
    Ok(Json(()))
}

pub async fn declare(
    State(state): State<AppState>,
    Provider(provider): Provider,
    ApiPath(resource_type): ApiPath<String>,
    ApiJson(input): ApiJson<TypeDeclaration>,
) -> Result<Json<TypeView>, ApiError> {
    let declared = registration::declare(&state, &provider, &resource_type, input.actions).await?;
    Ok(Json(TypeView {
        resource_type,
        actions: declared.iter().map(ActionView::from).collect(),
    }))
}

pub async fn get_type(
    State(state): State<AppState>,
    Provider(provider): Provider,
    ApiPath(resource_type): ApiPath<String>,
) -> Result<Json<TypeView>, ApiError> {
    if !provider.resource_types.contains(&resource_type) {
        return Err(
            ServiceError::Forbidden(format!("resource type {resource_type} is not yours")).into(),
        );
    }
    let actions = registration::declared_of(&state, &resource_type);
    Ok(Json(TypeView {
        resource_type,
        actions: actions.iter().map(ActionView::from).collect(),
    }))
}
