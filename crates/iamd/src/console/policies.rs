//! Access policies: the list (with filters by identity, resource, action and read-only),
//! one policy's page (everything it says, its resources expanded, its JSON) and the
//! deletion with its confirmation. Creating and editing are `policy_form` and
//! `policy_json`. Every read and change goes through `service::policies`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use uuid::Uuid;

use crate::console::form::SecureForm;
use crate::console::page::{Chrome, Done, PageResult, render};
use crate::console::policy_form::{SECTION, editable};
use crate::console::policy_json::input_of;
use crate::console::viewer::Viewer;
use crate::service::pagination::PageRequest;
use crate::service::policies::{self, PolicyFilter};
use crate::service::policy_view::PolicyView;
use crate::state::AppState;

/// The list's filters, as the query string carries them (empty: no filter).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    done: Option<String>,
    identity: String,
    resource: String,
    action: String,
    /// `yes`, `no`, or empty for both.
    readonly: String,
}

impl ListQuery {
    fn filter(&self) -> PolicyFilter {
        let one = |v: &str| {
            let v = v.trim();
            if v.is_empty() {
                vec![]
            } else {
                vec![v.to_owned()]
            }
        };
        PolicyFilter {
            identities: one(&self.identity),
            resources: one(&self.resource),
            actions: one(&self.action),
            read_only: match self.readonly.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
        }
    }

    fn filtered(&self) -> bool {
        [&self.identity, &self.resource, &self.action, &self.readonly]
            .iter()
            .any(|v| !v.trim().is_empty())
    }
}

#[derive(Template)]
#[template(path = "console/policies.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<PolicyView>,
    query: ListQuery,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION)
        .await
        .with_notice(query.done.as_deref());
    let page = policies::list(
        &state,
        &viewer.actor,
        &query.filter(),
        false,
        &PageRequest::all(),
    )
    .await
    .map_err(|e| chrome.failure(e))?;
    Ok(render(&ListPage {
        chrome,
        rows: page.items,
        query,
    }))
}

#[derive(Template)]
#[template(path = "console/policy.html")]
struct ViewPage {
    chrome: Chrome,
    policy: PolicyView,
    /// The policy as the API would take it back, pretty-printed.
    json: String,
    /// The conditions, pretty-printed.
    conditions: Option<String>,
}

pub async fn view(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    Query(done): Query<Done>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION)
        .await
        .with_notice(done.done.as_deref());
    let policy = policies::get(&state, &viewer.actor, id, true)
        .await
        .map_err(|e| chrome.failure(e))?;
    let json = serde_json::to_string_pretty(&policy).unwrap_or_default();
    let conditions = policy
        .conditions
        .as_ref()
        .and_then(|c| serde_json::to_string_pretty(c).ok());
    Ok(render(&ViewPage {
        chrome,
        policy,
        json,
        conditions,
    }))
}

#[derive(Template)]
#[template(path = "console/policy_delete.html")]
struct DeletePage {
    chrome: Chrome,
    policy: PolicyView,
    json: String,
}

pub async fn delete_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(policies::ACTION_DELETE) {
        return Err(refusal);
    }
    let policy = editable(&state, &viewer, &chrome, id).await?;
    let json = serde_json::to_string_pretty(&input_of(policy.clone())).unwrap_or_default();
    Ok(render(&DeletePage {
        chrome,
        policy,
        json,
    }))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    form: SecureForm,
) -> PageResult {
    let SecureForm { viewer, .. } = form;
    match policies::delete(&state, &viewer.actor, id).await {
        Ok(()) => Ok(Redirect::to("/console/policies?done=deleted").into_response()),
        Err(e) => Err(Chrome::load(&state, &viewer, SECTION).await.failure(e)),
    }
}
