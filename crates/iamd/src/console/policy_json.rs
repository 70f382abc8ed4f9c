//! The raw JSON editor: the `PolicyInput` body the API takes, in a textarea (prefilled when
//! editing), read as strictly as the API reads it (`http::strict`). A text that is not JSON
//! is refused with the line and column serde_json names;
//! a policy iam-core refuses is refused with iam-core's message; either way the text stays.

use askama::Template;
use axum::http::StatusCode;
use iam_core::policy::{PermissionsGroupRef, PolicyInput, ResourceRef};
use serde_json::json;
use uuid::Uuid;

use crate::console::form::SecureForm;
use crate::console::page::{Chrome, PageResult, render, render_status};
use crate::console::policy_draft::json_problem;
use crate::console::policy_form::{SECTION, editable, to_view};
use crate::console::viewer::Viewer;
use crate::http::strict;
use crate::service::authorizer::account_resource_urn;
use crate::service::error::ServiceError;
use crate::service::policies;
use crate::service::policy_view::PolicyView;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "console/policy_json.html")]
struct JsonPage {
    chrome: Chrome,
    /// `None` when creating one.
    policy_id: Option<Uuid>,
    json: String,
    error: Option<String>,
}

pub async fn new_form(state: AppState, viewer: Viewer) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(policies::ACTION_CREATE) {
        return Err(refusal);
    }
    let principal = &viewer.actor.principal;
    let skeleton = json!({
        "name": "",
        "description": "",
        "identities": [],
        "resources": [{"urn": account_resource_urn(principal.plate, &principal.account)}],
        "permissions": {"allow": [], "except": [], "deny": []},
    });
    Ok(render(&JsonPage {
        chrome,
        policy_id: None,
        json: serde_json::to_string_pretty(&skeleton).unwrap_or_default(),
        error: None,
    }))
}

pub async fn edit_form(state: AppState, viewer: Viewer, id: Uuid) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(policies::ACTION_EDIT) {
        return Err(refusal);
    }
    let view = editable(&state, &viewer, &chrome, id).await?;
    Ok(render(&JsonPage {
        chrome,
        policy_id: Some(id),
        json: serde_json::to_string_pretty(&input_of(view)).unwrap_or_default(),
        error: None,
    }))
}

/// Creates (`id` none) or replaces a policy from the posted `json` field.
pub async fn save(state: AppState, form: SecureForm, id: Option<Uuid>) -> PageResult {
    let SecureForm { viewer, fields } = form;
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    let json = fields.raw("json");
    let again = |chrome: Chrome, status: StatusCode, error: String| {
        render_status(
            status,
            &JsonPage {
                chrome,
                policy_id: id,
                json: json.clone(),
                error: Some(error),
            },
        )
    };
    let input: PolicyInput = match strict::from_str(&json) {
        Ok(input) => input,
        Err(e) => {
            let message = format!("This is not a policy in JSON: {}", json_problem(&e));
            return Ok(again(chrome, StatusCode::BAD_REQUEST, message));
        }
    };
    let saved = match id {
        None => policies::create(&state, &viewer.actor, input).await,
        Some(id) => policies::replace(&state, &viewer.actor, id, input).await,
    };
    match saved {
        Ok(view) => Ok(to_view(view.id, id.is_some())),
        Err(ServiceError::Invalid { message, .. }) => {
            Ok(again(chrome, StatusCode::BAD_REQUEST, message))
        }
        Err(ServiceError::Conflict(message)) => Ok(again(chrome, StatusCode::CONFLICT, message)),
        Err(other) => Err(chrome.failure(other)),
    }
}

/// The body that would recreate `view`: what the API accepts, without the server's fields.
pub fn input_of(view: PolicyView) -> PolicyInput {
    PolicyInput {
        name: view.name,
        description: view.description,
        identities: view.identities,
        resources: view
            .resources
            .into_iter()
            .map(|r| ResourceRef { urn: r.urn })
            .collect(),
        permissions: view.permissions,
        permissions_groups: view
            .permissions_groups
            .into_iter()
            .map(|g| PermissionsGroupRef { urn: g.urn })
            .collect(),
        conditions: view.conditions,
        expired_at: view.expired_at,
    }
}
