//! The Control Panel: server-rendered pages at `/console/` (DESIGN.md §9) over the same
//! service functions as the API, so every rule and every authorization is the API's.
//!
//! `session` (the sealed cookie), `viewer` (who is looking), `form` (CSRF-checked posts),
//! `page` (the frame, permissions and failures), `throttle` (slowing login guesses); then
//! one file per section of the console.

pub mod assets;
pub mod form;
pub mod groups;
pub mod home;
pub mod login;
pub mod page;
pub mod personal_tokens;
pub mod policies;
pub mod policy_blame;
pub mod policy_choices;
pub mod policy_draft;
pub mod policy_form;
pub mod policy_json;
pub mod resource_groups;
pub mod resources;
pub mod service_accounts;
pub mod session;
pub mod simulator;
pub mod throttle;
pub mod users;
pub mod viewer;

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        // Nested, "/" is `/console` itself; `/console/` is routed beside the nest.
        .route("/", get(to_console))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", axum::routing::post(login::logout))
        .route("/assets/{file}", get(assets::file))
        .route(
            "/service-accounts",
            get(service_accounts::list).post(service_accounts::create),
        )
        .route("/service-accounts/new", get(service_accounts::new_form))
        .route(
            "/service-accounts/{id}/edit",
            get(service_accounts::edit_form).post(service_accounts::edit),
        )
        .route(
            "/service-accounts/{id}/delete",
            get(service_accounts::delete_form).post(service_accounts::delete),
        )
        .route("/policies", get(policies::list).post(policy_form::create))
        .route("/policies/new", get(policy_form::new_form))
        .route("/policies/{id}", get(policies::view))
        .route(
            "/policies/{id}/edit",
            get(policy_form::edit_form).post(policy_form::edit),
        )
        .route(
            "/policies/{id}/delete",
            get(policies::delete_form).post(policies::delete),
        )
        .merge(identities())
        .merge(inventory())
}

/// Users, their personal access tokens, and groups.
fn identities() -> Router<AppState> {
    Router::new()
        .route("/users", get(users::list).post(users::create))
        .route("/users/new", get(users::new_form))
        .route(
            "/users/{login}/edit",
            get(users::edit_form).post(users::edit),
        )
        .route(
            "/users/{login}/delete",
            get(users::delete_form).post(users::delete),
        )
        .route("/users/{login}/enable", axum::routing::post(users::enable))
        .route(
            "/users/{login}/disable",
            axum::routing::post(users::disable),
        )
        .route(
            "/users/{login}/tokens",
            get(personal_tokens::list).post(personal_tokens::create),
        )
        .route("/users/{login}/tokens/new", get(personal_tokens::new_form))
        .route(
            "/users/{login}/tokens/{name}/delete",
            get(personal_tokens::delete_form).post(personal_tokens::delete),
        )
        .route("/groups", get(groups::list).post(groups::create))
        .route("/groups/new", get(groups::new_form))
        .route(
            "/groups/{name}/edit",
            get(groups::edit_form).post(groups::edit),
        )
        .route(
            "/groups/{name}/delete",
            get(groups::delete_form).post(groups::delete),
        )
}

/// Resources and their tags, resource groups, and the policy simulator.
fn inventory() -> Router<AppState> {
    Router::new()
        .route("/resources", get(resources::list))
        .route("/resources/detail", get(resources::detail))
        .route(
            "/resources/tags/add",
            axum::routing::post(resources::add_tag),
        )
        .route(
            "/resources/tags/remove",
            axum::routing::post(resources::remove_tag),
        )
        .route(
            "/resource-groups",
            get(resource_groups::list).post(resource_groups::create),
        )
        .route("/resource-groups/new", get(resource_groups::new_form))
        .route("/resource-groups/{id}", get(resource_groups::detail))
        .route(
            "/resource-groups/{id}/edit",
            get(resource_groups::edit_form).post(resource_groups::edit),
        )
        .route(
            "/resource-groups/{id}/delete",
            get(resource_groups::delete_form).post(resource_groups::delete),
        )
        .route("/simulator", get(simulator::page))
}

/// `/console` without its slash.
pub async fn to_console() -> Redirect {
    Redirect::permanent("/console/")
}

/// A validation message, and the form field it concerns when it names one.
#[derive(Debug, Default, Clone)]
pub struct FieldError {
    pub field: Option<String>,
    pub message: String,
}

impl FieldError {
    pub fn none() -> FieldError {
        FieldError::default()
    }

    /// Attaches `message` to the first of `fields` it starts with (the service layer names
    /// the field first: "name must be…"), or to the form as a whole.
    pub fn locate(message: &str, fields: &[&str]) -> FieldError {
        let lower = message.to_ascii_lowercase();
        let field = fields
            .iter()
            .find(|f| {
                let f = f.to_ascii_lowercase();
                lower.starts_with(&format!("{f} "))
                    || lower.starts_with(&format!("{f}:"))
                    || lower.starts_with(&format!("{f}["))
                    || lower.starts_with(&format!("{f}."))
            })
            .map(|f| (*f).to_owned());
        FieldError {
            field,
            message: message.to_owned(),
        }
    }

    pub fn at(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    /// The message for `field`, if it is the one in error.
    pub fn on(&self, field: &str) -> Option<&str> {
        (self.field.as_deref() == Some(field)).then_some(self.message.as_str())
    }

    /// The message that concerns no one field.
    pub fn general(&self) -> Option<&str> {
        (self.field.is_none() && !self.message.is_empty()).then_some(self.message.as_str())
    }

    pub fn is_some(&self) -> bool {
        !self.message.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_land_on_the_field_they_name() {
        let e = FieldError::locate("name must be 1 to 128 characters", &["name", "description"]);
        assert_eq!(e.on("name"), Some("name must be 1 to 128 characters"));
        assert_eq!(e.on("description"), None);
        assert_eq!(e.general(), None);
        let e = FieldError::locate("something else broke", &["name"]);
        assert_eq!(e.general(), Some("something else broke"));
    }
}
