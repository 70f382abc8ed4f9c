//! Users of the account: a table (login, e-mail, description, group, status, creation),
//! *Add a user*, *Edit* (e-mail, description, group), *Enable* / *Disable* and *Delete* with
//! its confirmation. Every change goes through `service::users`; a disabled user's console
//! session ends on their next page because `Viewer` re-reads them on every request.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::console::FieldError;
use crate::console::form::{Fields, SecureForm};
use crate::console::page::{Chrome, Done, PageResult, render, render_status};
use crate::console::viewer::Viewer;
use crate::service::error::ServiceError;
use crate::service::groups;
use crate::service::principal::Actor;
use crate::service::users::{self, CreateUser, EditUser, UserView};
use crate::state::AppState;

const SECTION: &str = "users";
const FIELDS: &[&str] = &["login", "email", "description", "group", "password"];

#[derive(Template)]
#[template(path = "console/users.html")]
struct ListPage {
    chrome: Chrome,
    users: Vec<UserView>,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(done): Query<Done>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION)
        .await
        .with_notice(done.done.as_deref());
    let users = users::list_views(&state, &viewer.actor)
        .await
        .map_err(|e| chrome.failure(e))?;
    Ok(render(&ListPage { chrome, users }))
}

/// What the user form shows: typed values survive a refused submission.
#[derive(Default)]
pub struct UserFields {
    pub login: String,
    pub email: String,
    pub description: String,
    pub group: String,
}

impl UserFields {
    fn from_form(fields: &Fields) -> UserFields {
        UserFields {
            login: fields.get("login"),
            email: fields.get("email"),
            description: fields.get("description"),
            group: fields.get("group"),
        }
    }
}

#[derive(Template)]
#[template(path = "console/user_form.html")]
struct FormPage {
    chrome: Chrome,
    /// `None` when adding one.
    editing: Option<String>,
    user: UserFields,
    /// The account's groups; empty when the viewer may not read them (a text field then).
    groups: Vec<String>,
    error: FieldError,
}

/// The groups a user may be put in, or none when the viewer may not list them.
async fn group_names(state: &AppState, actor: &Actor) -> Vec<String> {
    groups::list_views(state, actor)
        .await
        .map(|gs| gs.into_iter().map(|g| g.name).collect())
        .unwrap_or_default()
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(users::ACTION_CREATE) {
        return Err(refusal);
    }
    let user = UserFields {
        group: users::DEFAULT_GROUP.to_owned(),
        ..UserFields::default()
    };
    Ok(render(&FormPage {
        groups: group_names(&state, &viewer.actor).await,
        chrome,
        editing: None,
        user,
        error: FieldError::none(),
    }))
}

pub async fn create(State(state): State<AppState>, form: SecureForm) -> PageResult {
    let SecureForm { viewer, fields } = form;
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    let password = fields.raw("password");
    let input = CreateUser {
        login: fields.get("login"),
        email: Some(fields.get("email")),
        description: Some(fields.get("description")),
        group: Some(fields.get("group")).filter(|g| !g.is_empty()),
        password: (!password.is_empty()).then_some(password),
        user_type: None,
    };
    match users::create(&state, &viewer.actor, input).await {
        Ok(()) => Ok(Redirect::to("/console/users?done=created").into_response()),
        Err(e) => Ok(invalid_or_failure(&state, chrome, &viewer, &fields, None, e).await),
    }
}

/// An invalid field (or a login already taken) shows the form again with the message
/// beside the field; anything else is a failure page.
async fn invalid_or_failure(
    state: &AppState,
    chrome: Chrome,
    viewer: &Viewer,
    fields: &Fields,
    editing: Option<String>,
    error: ServiceError,
) -> Response {
    let error = match error {
        ServiceError::Invalid { message, .. } => FieldError::locate(&message, FIELDS),
        ServiceError::Conflict(message) if editing.is_none() => FieldError::at("login", message),
        other => return chrome.failure(other),
    };
    let mut user = UserFields::from_form(fields);
    if let Some(login) = &editing {
        user.login.clone_from(login);
    }
    render_status(
        StatusCode::BAD_REQUEST,
        &FormPage {
            groups: group_names(state, &viewer.actor).await,
            chrome,
            editing,
            user,
            error,
        },
    )
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(login): Path<String>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(users::ACTION_EDIT) {
        return Err(refusal);
    }
    let found = users::get(&state, &viewer.actor, &login)
        .await
        .map_err(|e| chrome.failure(e))?;
    let user = UserFields {
        login: found.login.clone(),
        email: found.email.unwrap_or_default(),
        description: found.description,
        group: found.group,
    };
    Ok(render(&FormPage {
        groups: group_names(&state, &viewer.actor).await,
        chrome,
        editing: Some(found.login),
        user,
        error: FieldError::none(),
    }))
}

pub async fn edit(
    State(state): State<AppState>,
    Path(login): Path<String>,
    form: SecureForm,
) -> PageResult {
    let SecureForm { viewer, fields } = form;
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    let email = fields.get("email");
    // An emptied field clears the address.
    let input = EditUser::new(
        Some((!email.is_empty()).then_some(email)),
        Some(fields.get("description")),
        Some(fields.get("group")).filter(|g| !g.is_empty()),
    );
    match users::edit(&state, &viewer.actor, &login, input).await {
        Ok(()) => Ok(Redirect::to("/console/users?done=saved").into_response()),
        Err(e) => Ok(invalid_or_failure(&state, chrome, &viewer, &fields, Some(login), e).await),
    }
}

pub async fn enable(
    State(state): State<AppState>,
    Path(login): Path<String>,
    form: SecureForm,
) -> PageResult {
    let viewer = form.viewer;
    match users::enable(&state, &viewer.actor, &login).await {
        Ok(()) => Ok(Redirect::to("/console/users?done=enabled").into_response()),
        Err(e) => Err(Chrome::load(&state, &viewer, SECTION).await.failure(e)),
    }
}

pub async fn disable(
    State(state): State<AppState>,
    Path(login): Path<String>,
    form: SecureForm,
) -> PageResult {
    let viewer = form.viewer;
    match users::disable(&state, &viewer.actor, &login).await {
        Ok(()) => Ok(Redirect::to("/console/users?done=disabled").into_response()),
        Err(e) => Err(Chrome::load(&state, &viewer, SECTION).await.failure(e)),
    }
}

#[derive(Template)]
#[template(path = "console/user_delete.html")]
struct DeletePage {
    chrome: Chrome,
    user: UserView,
}

pub async fn delete_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(login): Path<String>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(users::ACTION_DELETE) {
        return Err(refusal);
    }
    let user = users::get(&state, &viewer.actor, &login)
        .await
        .map_err(|e| chrome.failure(e))?;
    Ok(render(&DeletePage { chrome, user }))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(login): Path<String>,
    form: SecureForm,
) -> PageResult {
    let viewer = form.viewer;
    match users::delete(&state, &viewer.actor, &login).await {
        Ok(()) => Ok(Redirect::to("/console/users?done=deleted").into_response()),
        Err(e) => Err(Chrome::load(&state, &viewer, SECTION).await.failure(e)),
    }
}
