//! A user's personal access tokens: a table (name, description, expiry, last used,
//! creation), *Add a token* then a window with the value shown once, and *Delete* with its
//! confirmation. Every change goes through `service::personal_tokens`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::console::FieldError;
use crate::console::form::{Fields, SecureForm};
use crate::console::page::Done;
use crate::console::page::{Chrome, PageResult, render, render_status};
use crate::console::viewer::Viewer;
use crate::service::error::ServiceError;
use crate::service::personal_tokens::{self, CreateToken, TokenView};
use crate::state::AppState;

const SECTION: &str = "users";
const SECONDS_PER_DAY: i64 = 86_400;

#[derive(Template)]
#[template(path = "console/tokens.html")]
struct ListPage {
    chrome: Chrome,
    login: String,
    tokens: Vec<TokenView>,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(login): Path<String>,
    Query(done): Query<Done>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION)
        .await
        .with_notice(done.done.as_deref());
    let tokens = personal_tokens::list_views(&state, &viewer.actor, &login)
        .await
        .map_err(|e| chrome.failure(e))?;
    Ok(render(&ListPage {
        chrome,
        login,
        tokens,
    }))
}

#[derive(Template)]
#[template(path = "console/token_form.html")]
struct FormPage {
    chrome: Chrome,
    login: String,
    name: String,
    description: String,
    expires_at: String,
    valid_days: String,
    error: FieldError,
}

pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(login): Path<String>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(personal_tokens::ACTION_CREATE) {
        return Err(refusal);
    }
    Ok(render(&FormPage {
        chrome,
        login,
        name: String::new(),
        description: String::new(),
        expires_at: String::new(),
        valid_days: String::new(),
        error: FieldError::none(),
    }))
}

#[derive(Template)]
#[template(path = "console/token_created.html")]
struct CreatedPage {
    chrome: Chrome,
    login: String,
    name: String,
    token: String,
    expires_at: Option<DateTime<Utc>>,
}

pub async fn create(
    State(state): State<AppState>,
    Path(login): Path<String>,
    form: SecureForm,
) -> PageResult {
    let SecureForm { viewer, fields } = form;
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    let input = match token_input(&fields) {
        Ok(input) => input,
        Err(error) => return Ok(form_again(chrome, login, &fields, error)),
    };
    match personal_tokens::create(&state, &viewer.actor, &login, input).await {
        // Shown now, in this answer, and never again: only its hash is kept.
        Ok(created) => Ok(render(&CreatedPage {
            chrome,
            login,
            name: created.name,
            token: created.token,
            expires_at: created.expires_at,
        })),
        Err(ServiceError::Invalid { message, .. }) => {
            Ok(form_again(chrome, login, &fields, locate(&message)))
        }
        Err(ServiceError::Conflict(message)) => Ok(form_again(
            chrome,
            login,
            &fields,
            FieldError::at("name", message),
        )),
        Err(other) => Err(chrome.failure(other)),
    }
}

/// The request the form describes; the expiry is read as UTC.
fn token_input(fields: &Fields) -> Result<CreateToken, FieldError> {
    let expires_at = match fields.get("expires_at").as_str() {
        "" => None,
        text => Some(parse_utc(text).ok_or_else(|| {
            FieldError::at(
                "expires_at",
                "expiry must be a date and time, such as 2030-01-31T18:00",
            )
        })?),
    };
    let expires_in = match fields.get("valid_days").as_str() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .ok()
                .and_then(|days| days.checked_mul(SECONDS_PER_DAY))
                .ok_or_else(|| FieldError::at("valid_days", "validity must be a number of days"))?,
        ),
    };
    Ok(CreateToken {
        name: fields.get("name"),
        description: fields.get("description"),
        expires_at,
        expires_in,
    })
}

/// A `datetime-local` value (with or without seconds), taken as UTC.
pub fn parse_utc(text: &str) -> Option<DateTime<Utc>> {
    [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .map(|naive| naive.and_utc())
}

/// The service names `expiresAt` and `expiresIn`; the form calls them otherwise.
fn locate(message: &str) -> FieldError {
    if message.starts_with("expiresAt") {
        FieldError::at("expires_at", message)
    } else if message.starts_with("expiresIn") {
        FieldError::at("valid_days", message)
    } else if message.starts_with("token name") {
        FieldError::at("name", message)
    } else {
        FieldError::locate(message, &["name", "description"])
    }
}

fn form_again(chrome: Chrome, login: String, fields: &Fields, error: FieldError) -> Response {
    render_status(
        StatusCode::BAD_REQUEST,
        &FormPage {
            chrome,
            login,
            name: fields.get("name"),
            description: fields.get("description"),
            expires_at: fields.get("expires_at"),
            valid_days: fields.get("valid_days"),
            error,
        },
    )
}

#[derive(Template)]
#[template(path = "console/token_delete.html")]
struct DeletePage {
    chrome: Chrome,
    login: String,
    token: TokenView,
}

pub async fn delete_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((login, name)): Path<(String, String)>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(personal_tokens::ACTION_DELETE) {
        return Err(refusal);
    }
    let token = personal_tokens::get(&state, &viewer.actor, &login, &name)
        .await
        .map_err(|e| chrome.failure(e))?;
    Ok(render(&DeletePage {
        chrome,
        login,
        token,
    }))
}

pub async fn delete(
    State(state): State<AppState>,
    Path((login, name)): Path<(String, String)>,
    form: SecureForm,
) -> PageResult {
    let viewer = form.viewer;
    match personal_tokens::delete(&state, &viewer.actor, &login, &name).await {
        Ok(()) => Ok(
            Redirect::to(&format!("/console/users/{login}/tokens?done=deleted")).into_response(),
        ),
        Err(e) => Err(Chrome::load(&state, &viewer, SECTION).await.failure(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_local_values_are_utc() {
        let at = parse_utc("2030-01-31T18:00").unwrap();
        assert_eq!(at.to_rfc3339(), "2030-01-31T18:00:00+00:00");
        assert!(parse_utc("2030-01-31T18:00:30").is_some());
        assert!(parse_utc("tomorrow").is_none());
    }

    #[test]
    fn expiry_messages_land_on_the_form_fields() {
        assert!(
            locate("expiresAt must be in the future")
                .on("expires_at")
                .is_some()
        );
        assert!(
            locate("expiresIn must be 1 to 5 seconds")
                .on("valid_days")
                .is_some()
        );
        assert!(
            locate("token name \"a b\" is malformed")
                .on("name")
                .is_some()
        );
        assert!(
            locate("give expiresAt or expiresIn, not both")
                .general()
                .is_some()
        );
    }
}
