//! What every console page shares: the `Chrome` (who is signed in, the navigation they may
//! use, the CSRF token for forms, the notice of the last change) and the rendering of a
//! template or of a failure into a response.
//!
//! What a viewer may do is decided once per page by iam-core, with the same policies as the
//! API: a link or button whose action is not granted is not offered, and the service
//! function behind it refuses anyway.

use std::collections::HashSet;

use askama::Template;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, X_FRAME_OPTIONS};
use axum::response::{Html, IntoResponse, Response};

use crate::console::viewer::Viewer;
use crate::service::authorizer::account_resource_urn;
use crate::service::error::ServiceError;
use crate::service::{
    clients, groups, personal_tokens, policies, resource_groups, resources, users,
};
use crate::state::AppState;

/// A page handler's answer: a page, or a page explaining why not.
pub type PageResult = Result<Response, Response>;

/// `?done=` after a change: which notice to show (`Chrome::with_notice`).
#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    #[serde(default)]
    pub done: Option<String>,
}

/// Every action a console page may offer, decided in one batch per page.
const CONSOLE_ACTIONS: &[&str] = &[
    clients::ACTION_GET,
    clients::ACTION_CREATE,
    clients::ACTION_EDIT,
    clients::ACTION_DELETE,
    policies::ACTION_GET,
    policies::ACTION_CREATE,
    policies::ACTION_EDIT,
    policies::ACTION_DELETE,
    users::ACTION_GET,
    users::ACTION_CREATE,
    users::ACTION_EDIT,
    users::ACTION_DELETE,
    users::ACTION_ENABLE,
    users::ACTION_DISABLE,
    groups::ACTION_GET,
    groups::ACTION_CREATE,
    groups::ACTION_EDIT,
    groups::ACTION_DELETE,
    personal_tokens::ACTION_GET,
    personal_tokens::ACTION_CREATE,
    personal_tokens::ACTION_DELETE,
    resources::ACTION_EDIT,
    resources::ACTION_TAG_ADD,
    resources::ACTION_TAG_REMOVE,
    resource_groups::ACTION_GET,
    resource_groups::ACTION_CREATE,
    resource_groups::ACTION_EDIT,
    resource_groups::ACTION_DELETE,
];

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub section: &'static str,
}

/// The sections of the console, and the action that makes each worth showing.
const SECTIONS: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "/console/service-accounts",
        "Service accounts",
        "service-accounts",
        Some(clients::ACTION_GET),
    ),
    (
        "/console/policies",
        "Policies",
        "policies",
        Some(policies::ACTION_GET),
    ),
    ("/console/users", "Users", "users", Some(users::ACTION_GET)),
    (
        "/console/groups",
        "Groups",
        "groups",
        Some(groups::ACTION_GET),
    ),
    ("/console/resources", "Resources", "resources", None),
    (
        "/console/resource-groups",
        "Resource groups",
        "resource-groups",
        Some(resource_groups::ACTION_GET),
    ),
    (
        "/console/simulator",
        "Policy simulator",
        "simulator",
        Some(policies::ACTION_GET),
    ),
];

/// The frame of every signed-in page.
pub struct Chrome {
    /// `xx1111-ovh` or `xx1111-ovh/alice`.
    pub who: String,
    pub csrf: String,
    /// The section this page belongs to, highlighted in the navigation.
    pub section: &'static str,
    pub nav: Vec<NavItem>,
    pub notice: Option<&'static str>,
    allowed: HashSet<&'static str>,
}

impl Chrome {
    pub async fn load(state: &AppState, viewer: &Viewer, section: &'static str) -> Chrome {
        let resource = account_resource_urn(viewer.actor.principal.plate, &viewer.session.account);
        // A failure to decide offers nothing; the service functions still decide each call.
        let allowed: HashSet<&'static str> = state
            .authorizer
            .decide(&viewer.actor, &resource, CONSOLE_ACTIONS, state.clock.now())
            .await
            .map(|decisions| {
                CONSOLE_ACTIONS
                    .iter()
                    .zip(decisions)
                    .filter(|(_, d)| d.allowed)
                    .map(|(a, _)| *a)
                    .collect()
            })
            .unwrap_or_default();
        let nav = SECTIONS
            .iter()
            .filter(|(_, _, _, action)| action.is_none_or(|a| allowed.contains(a)))
            .map(|&(href, label, section, _)| NavItem {
                href,
                label,
                section,
            })
            .collect();
        Chrome {
            who: viewer.name(),
            csrf: viewer.csrf.clone(),
            section,
            nav,
            notice: None,
            allowed,
        }
    }

    /// Whether the viewer's policies grant `action` on their account.
    pub fn can(&self, action: &str) -> bool {
        self.allowed.contains(action)
    }

    /// The refusal of a page whose only purpose is `action`, when the viewer lacks it (the
    /// service function behind the page would refuse it anyway).
    pub fn lacking(&self, action: &str) -> Option<Response> {
        (!self.can(action)).then(|| {
            self.failure(ServiceError::NotGranted {
                actions: vec![action.to_owned()],
            })
        })
    }

    /// Shows the notice named by a `?done=` key after a redirect (only known texts: a query
    /// string never puts its own words on the page).
    pub fn with_notice(mut self, key: Option<&str>) -> Chrome {
        self.notice = key.and_then(notice_text);
        self
    }

    /// A page telling why the viewer's request failed.
    pub fn failure(&self, error: ServiceError) -> Response {
        let (status, title, message) = describe(&error);
        render_status(
            status,
            &ErrorPage {
                chrome: self,
                title,
                message,
            },
        )
    }
}

fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "created" => "Created.",
        "saved" => "Your changes were saved.",
        "deleted" => "Deleted.",
        "enabled" => "The user is enabled.",
        "disabled" => "The user is disabled: their sessions and tokens no longer work.",
        _ => return None,
    })
}

/// The status, title and text shown for a failed service call. Internal details stay in
/// the log, as in the API.
pub fn describe(error: &ServiceError) -> (StatusCode, &'static str, String) {
    match error {
        ServiceError::Invalid { message, .. } => {
            (StatusCode::BAD_REQUEST, "Invalid input", message.clone())
        }
        ServiceError::Unauthenticated(_) => (
            StatusCode::UNAUTHORIZED,
            "Signed out",
            "Your session has ended: sign in again.".to_owned(),
        ),
        ServiceError::NotGranted { actions } => (
            StatusCode::FORBIDDEN,
            "Not allowed",
            format!(
                "Your access policies do not allow this. It needs the action {}.",
                actions.join(", ")
            ),
        ),
        ServiceError::Forbidden(message) => (StatusCode::FORBIDDEN, "Not allowed", message.clone()),
        ServiceError::NotFound(what) => (
            StatusCode::NOT_FOUND,
            "Not found",
            format!("{what} does not exist (any more)."),
        ),
        ServiceError::Conflict(message) => (StatusCode::CONFLICT, "Conflict", message.clone()),
        ServiceError::Internal(detail) => {
            tracing::error!(error = %detail, "console: internal error");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The server could not complete this request. It has been logged.".to_owned(),
            )
        }
        ServiceError::Unavailable(detail) => {
            tracing::warn!(error = %detail, "console: store unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Unavailable",
                "The server's storage cannot be reached right now. Try again shortly.".to_owned(),
            )
        }
        ServiceError::Busy(detail) => {
            tracing::warn!(reason = %detail, "console: server busy");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Busy",
                "The server is busy right now. Try again in a moment.".to_owned(),
            )
        }
    }
}

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage<'a> {
    chrome: &'a Chrome,
    title: &'static str,
    message: String,
}

/// Renders a template as a 200 page.
pub fn render(template: &impl Template) -> Response {
    render_status(StatusCode::OK, template)
}

/// Renders a template with `status`, with the headers every console page carries: no
/// caching (pages hold secrets once), no framing, and a policy that allows only this
/// server's own stylesheet and script.
pub fn render_status(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            let headers = response.headers_mut();
            headers.insert(
                CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            headers.insert(
                X_FRAME_OPTIONS,
                axum::http::HeaderValue::from_static("DENY"),
            );
            headers.insert(
                CONTENT_SECURITY_POLICY,
                axum::http::HeaderValue::from_static(
                    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                ),
            );
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "console: template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}
