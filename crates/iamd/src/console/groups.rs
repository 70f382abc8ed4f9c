//! User groups: a table (name, description, role, creation; the default groups marked
//! read-only), *Add a group*, *Edit* (description and role) and *Delete* with its
//! confirmation. Every change goes through `service::groups`, which refuses to change a
//! default group or delete one with members.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use iam_core::role::Role;

use crate::console::FieldError;
use crate::console::form::{Fields, SecureForm};
use crate::console::page::Done;
use crate::console::page::{Chrome, PageResult, render, render_status};
use crate::console::viewer::Viewer;
use crate::service::error::ServiceError;
use crate::service::groups::{self, CreateGroup, EditGroup, GroupView};
use crate::state::AppState;

const SECTION: &str = "groups";

#[derive(Template)]
#[template(path = "console/groups.html")]
struct ListPage {
    chrome: Chrome,
    groups: Vec<GroupView>,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(done): Query<Done>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION)
        .await
        .with_notice(done.done.as_deref());
    let groups = groups::list_views(&state, &viewer.actor)
        .await
        .map_err(|e| chrome.failure(e))?;
    Ok(render(&ListPage { chrome, groups }))
}

/// The roles a group may have, with what each lets its members do (the select's options).
const ROLES: [(&str, &str); 4] = [
    ("ADMIN", "ADMIN: acts as the account root"),
    (
        "REGULAR",
        "REGULAR: everything except identity and policy management",
    ),
    ("UNPRIVILEGED", "UNPRIVILEGED: read-only"),
    ("NONE", "NONE: only what access policies grant"),
];

#[derive(Template)]
#[template(path = "console/group_form.html")]
struct FormPage {
    chrome: Chrome,
    /// `None` when adding one.
    editing: Option<String>,
    name: String,
    description: String,
    role: String,
    roles: [(&'static str, &'static str); 4],
    error: FieldError,
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(groups::ACTION_CREATE) {
        return Err(refusal);
    }
    Ok(render(&FormPage {
        chrome,
        editing: None,
        name: String::new(),
        description: String::new(),
        role: Role::None.as_str().to_owned(),
        roles: ROLES,
        error: FieldError::none(),
    }))
}

/// The role the form names; an unknown one is an error beside the select.
fn parse_role(fields: &Fields) -> Result<Role, FieldError> {
    let role = fields.get("role");
    Role::parse(&role).ok_or_else(|| FieldError::at("role", format!("role {role:?} is unknown")))
}

pub async fn create(State(state): State<AppState>, form: SecureForm) -> PageResult {
    let SecureForm { viewer, fields } = form;
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    let role = match parse_role(&fields) {
        Ok(role) => role,
        Err(error) => return Ok(form_again(chrome, &fields, None, error)),
    };
    let description = fields.get("description");
    let input = CreateGroup {
        name: fields.get("name"),
        description: (!description.is_empty()).then_some(description),
        role: Some(role),
    };
    match groups::create(&state, &viewer.actor, input).await {
        Ok(_) => Ok(Redirect::to("/console/groups?done=created").into_response()),
        Err(e) => Ok(invalid_or_failure(chrome, &fields, None, e)),
    }
}

fn invalid_or_failure(
    chrome: Chrome,
    fields: &Fields,
    editing: Option<String>,
    error: ServiceError,
) -> Response {
    let error = match error {
        // "group name … is malformed", "description is longer…"
        ServiceError::Invalid { message, .. } if message.starts_with("group name") => {
            FieldError::at("name", message)
        }
        ServiceError::Invalid { message, .. } => {
            FieldError::locate(&message, &["name", "description", "role"])
        }
        ServiceError::Conflict(message) if editing.is_none() => FieldError::at("name", message),
        other => return chrome.failure(other),
    };
    form_again(chrome, fields, editing, error)
}

fn form_again(
    chrome: Chrome,
    fields: &Fields,
    editing: Option<String>,
    error: FieldError,
) -> Response {
    render_status(
        StatusCode::BAD_REQUEST,
        &FormPage {
            chrome,
            name: editing.clone().unwrap_or_else(|| fields.get("name")),
            editing,
            description: fields.get("description"),
            role: fields.get("role"),
            roles: ROLES,
            error,
        },
    )
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(groups::ACTION_EDIT) {
        return Err(refusal);
    }
    let group = groups::get(&state, &viewer.actor, &name)
        .await
        .map_err(|e| chrome.failure(e))?;
    if group.default_group {
        return Err(chrome.failure(ServiceError::Forbidden(format!(
            "{name} is a default group: it cannot be edited"
        ))));
    }
    Ok(render(&FormPage {
        chrome,
        editing: Some(group.name.clone()),
        name: group.name,
        description: group.description.unwrap_or_default(),
        role: group.role.as_str().to_owned(),
        roles: ROLES,
        error: FieldError::none(),
    }))
}

pub async fn edit(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: SecureForm,
) -> PageResult {
    let SecureForm { viewer, fields } = form;
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    let role = match parse_role(&fields) {
        Ok(role) => role,
        Err(error) => return Ok(form_again(chrome, &fields, Some(name), error)),
    };
    let input = EditGroup {
        name: None,
        description: Some(fields.get("description")),
        role: Some(role),
    };
    match groups::edit(&state, &viewer.actor, &name, input).await {
        Ok(_) => Ok(Redirect::to("/console/groups?done=saved").into_response()),
        Err(e) => Ok(invalid_or_failure(chrome, &fields, Some(name), e)),
    }
}

#[derive(Template)]
#[template(path = "console/group_delete.html")]
struct DeletePage {
    chrome: Chrome,
    group: GroupView,
}

pub async fn delete_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(groups::ACTION_DELETE) {
        return Err(refusal);
    }
    let group = groups::get(&state, &viewer.actor, &name)
        .await
        .map_err(|e| chrome.failure(e))?;
    if group.default_group {
        return Err(chrome.failure(ServiceError::Forbidden(format!(
            "{name} is a default group: it cannot be deleted"
        ))));
    }
    Ok(render(&DeletePage { chrome, group }))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: SecureForm,
) -> PageResult {
    let viewer = form.viewer;
    match groups::delete(&state, &viewer.actor, &name).await {
        Ok(()) => Ok(Redirect::to("/console/groups?done=deleted").into_response()),
        Err(e) => Err(Chrome::load(&state, &viewer, SECTION).await.failure(e)),
    }
}
