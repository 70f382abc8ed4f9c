//! The policy simulator: a GET form (identity, resource, action, optional date and IP) whose
//! answer is `service::simulator::simulate`'s decision and the policies that made it, each
//! linked to its page. The choices offered are what the viewer may list; free text covers
//! the rest. Nothing is written.

use std::net::IpAddr;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use iam_core::evaluate::Attribution;
use iam_core::urn::Urn;
use serde::Deserialize;

use crate::console::FieldError;
use crate::console::page::{Chrome, PageResult, render_status};
use crate::console::personal_tokens::parse_utc;
use crate::console::viewer::Viewer;
use crate::service::error::ServiceError;
use crate::service::pagination::PageRequest;
use crate::service::principal::Actor;
use crate::service::resources::{self, ResourceFilter};
use crate::service::simulator::{self, SimulatedContext, Simulation, SimulationResult};
use crate::service::{clients, groups, policies, reference, users};
use crate::state::AppState;

const SECTION: &str = "simulator";

/// The form's fields, kept as typed so the answer shows them again.
#[derive(Deserialize, Default)]
pub struct Question {
    #[serde(default)]
    identity: String,
    #[serde(default)]
    identity_other: String,
    #[serde(default)]
    resource: String,
    #[serde(default)]
    resource_other: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    ip: String,
}

impl Question {
    fn is_asked(&self) -> bool {
        !self.action.trim().is_empty()
    }

    /// Free text wins over the list.
    fn identity(&self) -> String {
        pick(&self.identity_other, &self.identity)
    }

    fn resource(&self) -> String {
        pick(&self.resource_other, &self.resource)
    }

    fn simulation(&self) -> Result<Simulation, FieldError> {
        let date = match self.date.trim() {
            "" => None,
            text => Some(parse_utc(text).ok_or_else(|| {
                FieldError::at(
                    "date",
                    "date must be a date and time, such as 2030-01-31T18:00",
                )
            })?),
        };
        let ip = match self.ip.trim() {
            "" => None,
            text => Some(text.parse::<IpAddr>().map_err(|_| {
                FieldError::at("ip", format!("ip {text:?} is not an IPv4 or IPv6 address"))
            })?),
        };
        Ok(Simulation {
            identity: self.identity(),
            resource_urn: self.resource(),
            action: self.action.trim().to_owned(),
            context: SimulatedContext { date, ip },
        })
    }
}

fn pick(free_text: &str, chosen: &str) -> String {
    let free_text = free_text.trim();
    if free_text.is_empty() {
        chosen.trim().to_owned()
    } else {
        free_text.to_owned()
    }
}

/// A choice of a select: the URN sent, and what the viewer reads.
pub struct Choice {
    pub urn: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "console/simulator.html")]
struct SimulatorPage {
    chrome: Chrome,
    question: Question,
    identities: Vec<Choice>,
    resources: Vec<Choice>,
    actions: Vec<String>,
    result: Option<SimulationResult>,
    error: FieldError,
}

impl SimulatorPage {
    /// The sections of the explanation that name at least one policy.
    fn explained(&self) -> Vec<(&'static str, &'static str, &[Attribution])> {
        let Some(result) = &self.result else {
            return Vec::new();
        };
        let e = &result.explanation;
        [
            ("Allowed by", "allow", &e.allowed_by[..]),
            ("Denied by", "deny", &e.denied_by[..]),
            (
                "Allow cancelled by an exception in",
                "except",
                &e.excepted_by[..],
            ),
        ]
        .into_iter()
        .filter(|(_, _, policies)| !policies.is_empty())
        .collect()
    }
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(question): Query<Question>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(policies::ACTION_GET) {
        return Err(refusal);
    }
    let (result, error) = if question.is_asked() {
        ask(&state, &viewer.actor, &question).await
    } else {
        (None, FieldError::none())
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let page = SimulatorPage {
        identities: identity_choices(&state, &viewer.actor).await,
        resources: resource_choices(&state, &viewer.actor).await,
        actions: reference::actions(&state, &[], &PageRequest::all())
            .items
            .into_iter()
            .map(|a| a.action)
            .collect(),
        chrome,
        question,
        result,
        error,
    };
    Ok(render_status(status, &page))
}

/// The decision, or the message to show beside the field it concerns.
async fn ask(
    state: &AppState,
    actor: &Actor,
    question: &Question,
) -> (Option<SimulationResult>, FieldError) {
    let simulation = match question.simulation() {
        Ok(simulation) => simulation,
        Err(error) => return (None, error),
    };
    match simulator::simulate(state, actor, simulation).await {
        Ok(result) => (Some(result), FieldError::none()),
        Err(ServiceError::Invalid { message, .. }) => (None, locate(&message)),
        Err(other) => {
            let (_, _, message) = crate::console::page::describe(&other);
            (None, FieldError::locate(&message, &[]))
        }
    }
}

/// The service names its fields `identity` and `resourceURN`.
fn locate(message: &str) -> FieldError {
    if message.starts_with("field \"identity\"") {
        FieldError::at("identity", message)
    } else if message.starts_with("field \"resourceURN\"") {
        FieldError::at("resource", message)
    } else if message.starts_with("field \"action\"") {
        FieldError::at("action", message)
    } else {
        FieldError::locate(message, &["identity", "action"])
    }
}

/// The account's root, then its users, groups and service accounts, as far as the viewer
/// may list them.
async fn identity_choices(state: &AppState, actor: &Actor) -> Vec<Choice> {
    let principal = &actor.principal;
    let mut choices = vec![Choice {
        urn: Urn::account(principal.plate, &principal.account).to_string(),
        label: format!("Account root ({})", principal.account),
    }];
    if let Ok(found) = users::list_views(state, actor).await {
        choices.extend(found.into_iter().map(|u| Choice {
            label: format!("User {}", u.login),
            urn: u.urn,
        }));
    }
    if let Ok(found) = groups::list_views(state, actor).await {
        choices.extend(found.into_iter().map(|g| Choice {
            label: format!("Group {}", g.name),
            urn: g.urn,
        }));
    }
    if let Ok(found) = clients::list_views(state, actor).await {
        choices.extend(found.into_iter().map(|c| Choice {
            label: format!("Service account {}", c.name),
            urn: c.identity,
        }));
    }
    choices
}

/// The account itself, then its resources.
async fn resource_choices(state: &AppState, actor: &Actor) -> Vec<Choice> {
    let principal = &actor.principal;
    let mut choices = vec![Choice {
        urn: crate::service::authorizer::account_resource_urn(principal.plate, &principal.account),
        label: format!("Account {}", principal.account),
    }];
    let all = resources::list(
        state,
        actor,
        &ResourceFilter::default(),
        &PageRequest::all(),
    )
    .await;
    if let Ok(all) = all {
        choices.extend(all.items.into_iter().map(|r| Choice {
            label: format!("{} ({})", r.display_name, r.resource_type),
            urn: r.urn,
        }));
    }
    choices
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_ip_or_date_is_refused_beside_its_field() {
        let question = Question {
            action: "vps:apiovh:reboot".into(),
            ip: "300.1.1.1".into(),
            ..Question::default()
        };
        assert!(question.simulation().err().unwrap().on("ip").is_some());
        let question = Question {
            action: "vps:apiovh:reboot".into(),
            date: "soon".into(),
            ..Question::default()
        };
        assert!(question.simulation().err().unwrap().on("date").is_some());
    }

    #[test]
    fn free_text_wins_over_the_list() {
        let question = Question {
            identity: "urn:a".into(),
            identity_other: " urn:b ".into(),
            resource: "urn:r".into(),
            ..Question::default()
        };
        assert_eq!(question.identity(), "urn:b");
        assert_eq!(question.resource(), "urn:r");
    }
}
