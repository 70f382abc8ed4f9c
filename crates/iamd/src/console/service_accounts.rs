//! Service accounts, as seed 001 describes the Control Panel's pages: a table (Name,
//! Description, Associated policies, Creation), *Add a service account* then a window with
//! the client id and the secret shown once, *Edit* (name and description) and *Delete*
//! with its confirmation. Every change goes through `service::clients`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::console::FieldError;
use crate::console::form::{Fields, SecureForm};
use crate::console::page::{Chrome, Done, PageResult, render, render_status};
use crate::console::viewer::Viewer;
use crate::service::clients::{self, ClientView, CreateClient, EditClient, Flow};
use crate::service::error::ServiceError;
use crate::service::policies;
use crate::state::AppState;

const SECTION: &str = "service-accounts";

pub struct Row {
    pub client: ClientView,
    /// `None` when the viewer may not read policies.
    pub policies: Option<usize>,
}

#[derive(Template)]
#[template(path = "console/service_accounts.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(done): Query<Done>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION)
        .await
        .with_notice(done.done.as_deref());
    let clients = clients::list_views(&state, &viewer.actor)
        .await
        .map_err(|e| chrome.failure(e))?;
    let identities: Vec<String> = clients.iter().map(|c| c.identity.clone()).collect();
    let counts = if chrome.can(policies::ACTION_GET) {
        policies::count_naming(&state, &viewer.actor, &identities)
            .await
            .ok()
    } else {
        None
    };
    let rows = clients
        .into_iter()
        .enumerate()
        .map(|(i, client)| Row {
            policies: counts.as_ref().and_then(|c| c.get(i).copied()),
            client,
        })
        .collect();
    Ok(render(&ListPage { chrome, rows }))
}

#[derive(Template)]
#[template(path = "console/service_account_form.html")]
struct FormPage {
    chrome: Chrome,
    /// `None` when adding one.
    client_id: Option<String>,
    name: String,
    description: String,
    error: FieldError,
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(clients::ACTION_CREATE) {
        return Err(refusal);
    }
    Ok(render(&FormPage {
        chrome,
        client_id: None,
        name: String::new(),
        description: String::new(),
        error: FieldError::none(),
    }))
}

#[derive(Template)]
#[template(path = "console/service_account_created.html")]
struct CreatedPage {
    chrome: Chrome,
    name: String,
    client_id: String,
    client_secret: String,
}

pub async fn create(State(state): State<AppState>, form: SecureForm) -> PageResult {
    let SecureForm { viewer, fields } = form;
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    let name = fields.get("name");
    let description = fields.get("description");
    let input = CreateClient {
        name: name.clone(),
        description: description.clone(),
        flow: Flow::ClientCredentials,
        callback_urls: None,
    };
    match clients::create(&state, &viewer.actor, input).await {
        // Shown now, in this answer, and never again: nothing of it is kept.
        Ok(created) => Ok(render(&CreatedPage {
            chrome,
            name,
            client_id: created.client_id,
            client_secret: created.client_secret,
        })),
        Err(e) => Ok(invalid_or_failure(chrome, &fields, None, e)),
    }
}

/// An invalid field, or a name another service account of the account already has, shows
/// the form again with the message beside the field; anything else is a failure page.
fn invalid_or_failure(
    chrome: Chrome,
    fields: &Fields,
    client_id: Option<String>,
    error: ServiceError,
) -> Response {
    let (status, error) = match error {
        ServiceError::Invalid { message, .. } => (
            StatusCode::BAD_REQUEST,
            FieldError::locate(&message, &["name", "description"]),
        ),
        ServiceError::Conflict(message) => (StatusCode::CONFLICT, FieldError::at("name", message)),
        other => return chrome.failure(other),
    };
    render_status(
        status,
        &FormPage {
            error,
            chrome,
            client_id,
            name: fields.get("name"),
            description: fields.get("description"),
        },
    )
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(client_id): Path<String>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(clients::ACTION_EDIT) {
        return Err(refusal);
    }
    let client = clients::get(&state, &viewer.actor, &client_id)
        .await
        .map_err(|e| chrome.failure(e))?;
    Ok(render(&FormPage {
        chrome,
        client_id: Some(client.client_id),
        name: client.name,
        description: client.description,
        error: FieldError::none(),
    }))
}

pub async fn edit(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    form: SecureForm,
) -> PageResult {
    let SecureForm { viewer, fields } = form;
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    let input = EditClient {
        name: Some(fields.get("name")),
        description: Some(fields.get("description")),
        callback_urls: None,
        flow: None,
        client_id: None,
        identity: None,
        created_at: None,
    };
    match clients::edit(&state, &viewer.actor, &client_id, input).await {
        Ok(()) => Ok(Redirect::to("/console/service-accounts?done=saved").into_response()),
        Err(e) => Ok(invalid_or_failure(chrome, &fields, Some(client_id), e)),
    }
}

#[derive(Template)]
#[template(path = "console/service_account_delete.html")]
struct DeletePage {
    chrome: Chrome,
    client: ClientView,
    policies: Option<usize>,
}

pub async fn delete_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(client_id): Path<String>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(clients::ACTION_DELETE) {
        return Err(refusal);
    }
    let client = clients::get(&state, &viewer.actor, &client_id)
        .await
        .map_err(|e| chrome.failure(e))?;
    let policies = if chrome.can(policies::ACTION_GET) {
        policies::count_naming(
            &state,
            &viewer.actor,
            std::slice::from_ref(&client.identity),
        )
        .await
        .ok()
        .and_then(|c| c.first().copied())
    } else {
        None
    };
    Ok(render(&DeletePage {
        chrome,
        client,
        policies,
    }))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    form: SecureForm,
) -> PageResult {
    let SecureForm { viewer, .. } = form;
    match clients::delete(&state, &viewer.actor, &client_id).await {
        Ok(()) => Ok(Redirect::to("/console/service-accounts?done=deleted").into_response()),
        Err(e) => Err(Chrome::load(&state, &viewer, SECTION).await.failure(e)),
    }
}
