//! The account's resources, browsed by type and name, and one resource's page with its
//! tags: the account's own can be added and removed there, the computed `ovh:` ones only
//! read. Reading goes through `service::resources::list`/`get` (any identity of the
//! account may read the inventory), tag changes through `add_tag`/`remove_tag`.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::console::FieldError;
use crate::console::form::SecureForm;
use crate::console::page::{Chrome, PageResult, render, render_status};
use crate::console::viewer::Viewer;
use crate::service::error::ServiceError;
use crate::service::pagination::PageRequest;
use crate::service::principal::Actor;
use crate::service::resources::{self, ResourceFilter, ResourceView};
use crate::service::tags;
use crate::state::AppState;

const SECTION: &str = "resources";
/// Resources per page of the table.
const PAGE_SIZE: &str = "50";

#[derive(Deserialize, Default)]
pub struct Browse {
    #[serde(default, rename = "type")]
    resource_type: String,
    #[serde(default)]
    name: String,
    /// The cursor of the page, from the previous page's *Next* link.
    #[serde(default)]
    after: String,
}

#[derive(Template)]
#[template(path = "console/resources.html")]
struct ListPage {
    chrome: Chrome,
    types: Vec<String>,
    resource_type: String,
    name: String,
    resources: Vec<Row>,
    /// The query string of the next page, when there is one.
    next: Option<String>,
}

/// The resource types present in the account, sorted: the type selector's choices.
pub async fn present_types(state: &AppState, actor: &Actor) -> Result<Vec<String>, ServiceError> {
    let all = resources::list(
        state,
        actor,
        &ResourceFilter::default(),
        &PageRequest::all(),
    )
    .await?;
    let types: BTreeSet<String> = all.items.into_iter().map(|r| r.resource_type).collect();
    Ok(types.into_iter().collect())
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(browse): Query<Browse>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    let types = present_types(&state, &viewer.actor)
        .await
        .map_err(|e| chrome.failure(e))?;
    let filter = ResourceFilter {
        names: non_empty(&browse.name),
        types: non_empty(&browse.resource_type),
        ..ResourceFilter::default()
    };
    let page = PageRequest::parse(Some(browse.after.as_str()), Some(PAGE_SIZE))
        .map_err(|e| chrome.failure(e))?;
    let found = resources::list(&state, &viewer.actor, &filter, &page)
        .await
        .map_err(|e| chrome.failure(e))?;
    let next = found.next.map(|cursor| {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("type", &browse.resource_type)
            .append_pair("name", &browse.name)
            .append_pair("after", &cursor)
            .finish()
    });
    Ok(render(&ListPage {
        chrome,
        types,
        resource_type: browse.resource_type,
        name: browse.name,
        resources: found.items.into_iter().map(Row::from).collect(),
        next,
    }))
}

/// A resource and the link to its page.
pub struct Row {
    pub resource: ResourceView,
    pub href: String,
}

impl From<ResourceView> for Row {
    fn from(resource: ResourceView) -> Row {
        Row {
            href: detail_href(&resource.urn),
            resource,
        }
    }
}

/// The console page of the resource `urn` (a URN may hold `/`, so it travels as a query).
pub fn detail_href(urn: &str) -> String {
    let urn: String = form_urlencoded::byte_serialize(urn.as_bytes()).collect();
    format!("/console/resources/detail?urn={urn}")
}

fn non_empty(value: &str) -> Vec<String> {
    let value = value.trim();
    if value.is_empty() {
        Vec::new()
    } else {
        vec![value.to_owned()]
    }
}

#[derive(Deserialize)]
pub struct Named {
    urn: String,
    #[serde(default)]
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "console/resource.html")]
struct DetailPage {
    chrome: Chrome,
    resource: ResourceView,
    /// Key, value, and whether it is computed (`ovh:`, never removable).
    tags: Vec<(String, String, bool)>,
    /// The tag being added, kept when refused.
    key: String,
    value: String,
    error: FieldError,
}

fn tag_rows(resource: &ResourceView) -> Vec<(String, String, bool)> {
    resource
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), v.clone(), tags::is_computed(k)))
        .collect()
}

pub async fn detail(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(named): Query<Named>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION)
        .await
        .with_notice(named.done.as_deref());
    let resource = resources::get(&state, &viewer.actor, &named.urn)
        .await
        .map_err(|e| chrome.failure(e))?;
    Ok(render(&DetailPage {
        chrome,
        tags: tag_rows(&resource),
        resource,
        key: String::new(),
        value: String::new(),
        error: FieldError::none(),
    }))
}

/// Back to the resource's page, with a notice.
fn to_resource(urn: &str) -> Response {
    Redirect::to(&format!("{}&done=saved", detail_href(urn))).into_response()
}

pub async fn add_tag(State(state): State<AppState>, form: SecureForm) -> PageResult {
    let SecureForm { viewer, fields } = form;
    let urn = fields.get("urn");
    let (key, value) = (fields.get("key"), fields.get("value"));
    match resources::add_tag(&state, &viewer.actor, &urn, key.clone(), value.clone()).await {
        Ok(()) => Ok(to_resource(&urn)),
        Err(ServiceError::Invalid { message, .. }) => {
            let chrome = Chrome::load(&state, &viewer, SECTION).await;
            let resource = resources::get(&state, &viewer.actor, &urn)
                .await
                .map_err(|e| chrome.failure(e))?;
            let page = DetailPage {
                chrome,
                tags: tag_rows(&resource),
                resource,
                key,
                value,
                error: locate_tag_error(&message),
            };
            Ok(render_status(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(Chrome::load(&state, &viewer, SECTION).await.failure(e)),
    }
}

/// `service::tags` names the key or the value first; a count limit concerns the form.
fn locate_tag_error(message: &str) -> FieldError {
    if message.starts_with("tag key") || message.contains("is computed") {
        FieldError::at("key", message)
    } else if message.starts_with("the value of tag") {
        FieldError::at("value", message)
    } else {
        FieldError::locate(message, &[])
    }
}

pub async fn remove_tag(State(state): State<AppState>, form: SecureForm) -> PageResult {
    let SecureForm { viewer, fields } = form;
    let urn = fields.get("urn");
    match resources::remove_tag(&state, &viewer.actor, &urn, &fields.get("key")).await {
        Ok(()) => Ok(to_resource(&urn)),
        Err(e) => Err(Chrome::load(&state, &viewer, SECTION).await.failure(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_messages_land_on_key_or_value() {
        assert!(
            locate_tag_error("tag key \"a b\" must be 1 to 128")
                .on("key")
                .is_some()
        );
        assert!(
            locate_tag_error("tag \"ovh:x\" is computed (ovh: prefix)")
                .on("key")
                .is_some()
        );
        assert!(
            locate_tag_error("the value of tag \"k\" must be")
                .on("value")
                .is_some()
        );
        assert!(
            locate_tag_error("a resource holds at most 100 tags")
                .general()
                .is_some()
        );
    }
}
