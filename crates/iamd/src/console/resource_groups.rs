//! Resource groups: a table (name, member count, the read-only default group marked), a
//! group's page with its members, *Add* and *Edit* (a name and resources picked by type)
//! and *Delete* with its confirmation. Every change goes through
//! `service::resource_groups`, which keeps the default group read-only.

use std::collections::{BTreeMap, HashSet};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use uuid::Uuid;

use crate::console::FieldError;
use crate::console::form::{Fields, SecureForm};
use crate::console::page::Done;
use crate::console::page::{Chrome, PageResult, render, render_status};
use crate::console::resources::Row;
use crate::console::viewer::Viewer;
use crate::service::error::ServiceError;
use crate::service::pagination::PageRequest;
use crate::service::principal::Actor;
use crate::service::resource_groups::{self, GroupInput, GroupView, MemberRef, MemberView};
use crate::service::resources::{self, ResourceFilter};
use crate::state::AppState;

const SECTION: &str = "resource-groups";

#[derive(Template)]
#[template(path = "console/resource_groups.html")]
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
    let groups = resource_groups::list(&state, &viewer.actor, false, &PageRequest::all())
        .await
        .map_err(|e| chrome.failure(e))?
        .items;
    Ok(render(&ListPage { chrome, groups }))
}

/// What a path that holds no group id names.
fn no_group(id: &str) -> ServiceError {
    ServiceError::NotFound(format!("resource group {id}"))
}

#[derive(Template)]
#[template(path = "console/resource_group.html")]
struct DetailPage {
    chrome: Chrome,
    group: GroupView,
    members: Vec<Row>,
    /// Members whose resource is gone (only their id is left).
    unknown: Vec<Uuid>,
}

pub async fn detail(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION)
        .await
        .with_notice(done.done.as_deref());
    let id = Uuid::parse_str(&id).map_err(|_| chrome.failure(no_group(&id)))?;
    let mut group = resource_groups::get(&state, &viewer.actor, id, true)
        .await
        .map_err(|e| chrome.failure(e))?;
    let (mut members, mut unknown) = (Vec::new(), Vec::new());
    for member in std::mem::take(&mut group.resources) {
        match member {
            MemberView::Details(resource) => members.push(Row::from(resource)),
            MemberView::Id { id } => unknown.push(id),
        }
    }
    Ok(render(&DetailPage {
        chrome,
        group,
        members,
        unknown,
    }))
}

/// A resource offered in the form, and whether it is picked.
pub struct Choice {
    pub id: Uuid,
    pub name: String,
    pub urn: String,
    pub picked: bool,
}

#[derive(Template)]
#[template(path = "console/resource_group_form.html")]
struct FormPage {
    chrome: Chrome,
    /// `None` when adding one.
    editing: Option<Uuid>,
    name: String,
    /// The account's resources by type.
    choices: BTreeMap<String, Vec<Choice>>,
    error: FieldError,
}

/// Every resource of the account grouped by type, those in `picked` checked.
async fn choices(
    state: &AppState,
    actor: &Actor,
    picked: &HashSet<String>,
) -> Result<BTreeMap<String, Vec<Choice>>, ServiceError> {
    let all = resources::list(
        state,
        actor,
        &ResourceFilter::default(),
        &PageRequest::all(),
    )
    .await?;
    let mut by_type: BTreeMap<String, Vec<Choice>> = BTreeMap::new();
    for r in all.items {
        by_type.entry(r.resource_type).or_default().push(Choice {
            picked: picked.contains(&r.id.to_string()),
            id: r.id,
            name: r.display_name,
            urn: r.urn,
        });
    }
    Ok(by_type)
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(resource_groups::ACTION_CREATE) {
        return Err(refusal);
    }
    let choices = choices(&state, &viewer.actor, &HashSet::new())
        .await
        .map_err(|e| chrome.failure(e))?;
    Ok(render(&FormPage {
        chrome,
        editing: None,
        name: String::new(),
        choices,
        error: FieldError::none(),
    }))
}

/// The group the form describes: its name and the ids of the checked resources.
fn group_input(fields: &Fields) -> Result<GroupInput, FieldError> {
    let resources = fields
        .all("member")
        .iter()
        .map(|id| {
            Uuid::parse_str(id)
                .map(|id| MemberRef {
                    id: Some(id),
                    urn: None,
                })
                .map_err(|_| FieldError::at("members", format!("{id} is not a resource id")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(GroupInput {
        name: fields.get("name"),
        resources: Some(resources),
    })
}

pub async fn create(State(state): State<AppState>, form: SecureForm) -> PageResult {
    let SecureForm { viewer, fields } = form;
    let result = match group_input(&fields) {
        Ok(input) => resource_groups::create(&state, &viewer.actor, input)
            .await
            .map_err(Refusal::Service),
        Err(error) => Err(Refusal::Field(error)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/console/resource-groups?done=created").into_response()),
        Err(refusal) => refusal.answer(&state, &viewer, &fields, None).await,
    }
}

/// Why a submitted form was not applied.
enum Refusal {
    Field(FieldError),
    Service(ServiceError),
}

impl Refusal {
    /// The form again with the message beside its field, or a failure page.
    async fn answer(
        self,
        state: &AppState,
        viewer: &Viewer,
        fields: &Fields,
        editing: Option<Uuid>,
    ) -> PageResult {
        let chrome = Chrome::load(state, viewer, SECTION).await;
        let error = match self {
            Refusal::Field(error) => error,
            Refusal::Service(ServiceError::Invalid { message, .. }) => locate(&message),
            Refusal::Service(other) => return Err(chrome.failure(other)),
        };
        let picked: HashSet<String> = fields.all("member").into_iter().collect();
        let choices = choices(state, &viewer.actor, &picked)
            .await
            .map_err(|e| chrome.failure(e))?;
        Ok(render_status(
            StatusCode::BAD_REQUEST,
            &FormPage {
                chrome,
                editing,
                name: fields.get("name"),
                choices,
                error,
            },
        ))
    }
}

/// The service names fields as `field "name"` and `field "resources[i]"`.
fn locate(message: &str) -> FieldError {
    if message.starts_with("field \"name\"") {
        FieldError::at("name", message)
    } else if message.starts_with("field \"resources") || message.contains("at most") {
        FieldError::at("members", message)
    } else {
        FieldError::locate(message, &["name"])
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(resource_groups::ACTION_EDIT) {
        return Err(refusal);
    }
    let id = Uuid::parse_str(&id).map_err(|_| chrome.failure(no_group(&id)))?;
    let group = resource_groups::get(&state, &viewer.actor, id, false)
        .await
        .map_err(|e| chrome.failure(e))?;
    if group.read_only {
        return Err(chrome.failure(read_only(&group)));
    }
    let picked: HashSet<String> = group.resources.iter().map(member_id).collect();
    let choices = choices(&state, &viewer.actor, &picked)
        .await
        .map_err(|e| chrome.failure(e))?;
    Ok(render(&FormPage {
        chrome,
        editing: Some(group.id),
        name: group.name,
        choices,
        error: FieldError::none(),
    }))
}

fn member_id(member: &MemberView) -> String {
    match member {
        MemberView::Id { id } => id.to_string(),
        MemberView::Details(r) => r.id.to_string(),
    }
}

fn read_only(group: &GroupView) -> ServiceError {
    ServiceError::Forbidden(format!(
        "resource group {} is read-only: it holds every resource of the account",
        group.name
    ))
}

pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SecureForm,
) -> PageResult {
    let SecureForm { viewer, fields } = form;
    let Ok(id) = Uuid::parse_str(&id) else {
        let chrome = Chrome::load(&state, &viewer, SECTION).await;
        return Err(chrome.failure(no_group(&id)));
    };
    let result = match group_input(&fields) {
        Ok(input) => resource_groups::replace(&state, &viewer.actor, id, input)
            .await
            .map_err(Refusal::Service),
        Err(error) => Err(Refusal::Field(error)),
    };
    match result {
        Ok(_) => {
            Ok(Redirect::to(&format!("/console/resource-groups/{id}?done=saved")).into_response())
        }
        Err(refusal) => refusal.answer(&state, &viewer, &fields, Some(id)).await,
    }
}

#[derive(Template)]
#[template(path = "console/resource_group_delete.html")]
struct DeletePage {
    chrome: Chrome,
    group: GroupView,
}

pub async fn delete_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(resource_groups::ACTION_DELETE) {
        return Err(refusal);
    }
    let id = Uuid::parse_str(&id).map_err(|_| chrome.failure(no_group(&id)))?;
    let group = resource_groups::get(&state, &viewer.actor, id, false)
        .await
        .map_err(|e| chrome.failure(e))?;
    if group.read_only {
        return Err(chrome.failure(read_only(&group)));
    }
    Ok(render(&DeletePage { chrome, group }))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SecureForm,
) -> PageResult {
    let viewer = form.viewer;
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    let id = Uuid::parse_str(&id).map_err(|_| chrome.failure(no_group(&id)))?;
    match resource_groups::delete(&state, &viewer.actor, id).await {
        Ok(()) => Ok(Redirect::to("/console/resource-groups?done=deleted").into_response()),
        Err(e) => Err(chrome.failure(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_messages_land_on_name_or_members() {
        assert!(
            locate("field \"name\": expected 1 to 128")
                .on("name")
                .is_some()
        );
        assert!(
            locate("field \"resources[0]\": resource x does not exist")
                .on("members")
                .is_some()
        );
        assert!(locate("something else").general().is_some());
    }
}
