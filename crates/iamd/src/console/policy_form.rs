//! Creating and editing a policy with a form that helps: identities, resources and
//! permissions groups to tick (plus free-text rows for patterns), the catalog's actions of
//! a chosen resource type to tick into allow, except or deny (plus free-text rows), the
//! conditions as JSON and the expiry. Choosing another resource type posts the form back
//! (`intent=pick`) and shows it again with everything typed kept: no script needed.
//! Saving goes through `service::policies`; an error lands beside the field it names.
//! `?mode=json` (and a posted `mode=json`) hands over to the raw JSON editor.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use crate::console::FieldError;
use crate::console::form::SecureForm;
use crate::console::page::{Chrome, PageResult, render, render_status};
use crate::console::policy_blame::{Blame, blame};
use crate::console::policy_choices::{ActionPicker, Choices, DEFAULT_TYPE, PickSection};
use crate::console::policy_draft::PolicyDraft;
use crate::console::policy_json;
use crate::console::viewer::Viewer;
use crate::service::error::ServiceError;
use crate::service::policies;
use crate::service::policy_view::PolicyView;
use crate::state::AppState;

pub const SECTION: &str = "policies";

#[derive(Deserialize, Default)]
pub struct FormQuery {
    #[serde(default)]
    mode: Option<String>,
    #[serde(default, rename = "type")]
    resource_type: Option<String>,
}

impl FormQuery {
    fn json(&self) -> bool {
        self.mode.as_deref() == Some("json")
    }
}

#[derive(Template)]
#[template(path = "console/policy_form.html")]
struct FormPage {
    chrome: Chrome,
    /// `None` when creating one.
    policy_id: Option<Uuid>,
    draft: PolicyDraft,
    identities: PickSection,
    resources: PickSection,
    permissions_groups: PickSection,
    actions: ActionPicker,
    error: FieldError,
}

pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<FormQuery>,
) -> PageResult {
    if query.json() {
        return policy_json::new_form(state, viewer).await;
    }
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(policies::ACTION_CREATE) {
        return Err(refusal);
    }
    let shown = query
        .resource_type
        .unwrap_or_else(|| DEFAULT_TYPE.to_owned());
    let page = form_page(
        &state,
        &viewer,
        chrome,
        None,
        PolicyDraft::default(),
        &shown,
    )
    .await;
    Ok(render(&page.with(Blame::default())))
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
    Query(query): Query<FormQuery>,
) -> PageResult {
    if query.json() {
        return policy_json::edit_form(state, viewer, id).await;
    }
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    if let Some(refusal) = chrome.lacking(policies::ACTION_EDIT) {
        return Err(refusal);
    }
    let view = editable(&state, &viewer, &chrome, id).await?;
    let draft = PolicyDraft::from_view(&view);
    // Open the catalog where the policy's first action belongs.
    let shown = query.resource_type.unwrap_or_else(|| {
        draft
            .allow
            .iter()
            .chain(&draft.deny)
            .find_map(|a| a.split_once(':').map(|(t, _)| t.to_owned()))
            .unwrap_or_else(|| DEFAULT_TYPE.to_owned())
    });
    let page = form_page(&state, &viewer, chrome, Some(id), draft, &shown).await;
    Ok(render(&page.with(Blame::default())))
}

/// The policy to edit or delete, unless the viewer may not read it or it is read-only.
pub async fn editable(
    state: &AppState,
    viewer: &Viewer,
    chrome: &Chrome,
    id: Uuid,
) -> Result<PolicyView, Response> {
    let view = policies::get(state, &viewer.actor, id, false)
        .await
        .map_err(|e| chrome.failure(e))?;
    if view.read_only {
        return Err(chrome.failure(ServiceError::Forbidden(format!(
            "The policy {} is read-only: it is managed by the system and cannot be changed or deleted.",
            view.name
        ))));
    }
    Ok(view)
}

/// `POST /console/policies`.
pub async fn create(State(state): State<AppState>, form: SecureForm) -> PageResult {
    if form.fields.get("mode") == "json" {
        return policy_json::save(state, form, None).await;
    }
    save(state, form, None).await
}

/// `POST /console/policies/{id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    form: SecureForm,
) -> PageResult {
    if form.fields.get("mode") == "json" {
        return policy_json::save(state, form, Some(id)).await;
    }
    save(state, form, Some(id)).await
}

async fn save(state: AppState, form: SecureForm, id: Option<Uuid>) -> PageResult {
    let SecureForm { viewer, fields } = form;
    let chrome = Chrome::load(&state, &viewer, SECTION).await;
    let draft = PolicyDraft::from_fields(&fields);
    let shown = fields.get("type");
    let again =
        |chrome: Chrome, draft: PolicyDraft| form_page(&state, &viewer, chrome, id, draft, &shown);
    if fields.get("intent") == "pick" {
        return Ok(render(&again(chrome, draft).await.with(Blame::default())));
    }
    let input = match draft.to_input() {
        Ok(input) => input,
        Err(error) => {
            let page = again(chrome, draft)
                .await
                .with(Blame { error, entry: None });
            return Ok(render_status(StatusCode::BAD_REQUEST, &page));
        }
    };
    let saved = match id {
        None => policies::create(&state, &viewer.actor, input).await,
        Some(id) => policies::replace(&state, &viewer.actor, id, input).await,
    };
    let (status, blamed) = match saved {
        Ok(view) => return Ok(to_view(view.id, id.is_some())),
        Err(ServiceError::Invalid { message, .. }) => (StatusCode::BAD_REQUEST, blame(&message)),
        Err(ServiceError::Conflict(message)) => (
            StatusCode::CONFLICT,
            Blame {
                error: FieldError::locate(&message, &["name"]),
                entry: None,
            },
        ),
        Err(other) => return Err(chrome.failure(other)),
    };
    let page = again(chrome, draft).await.with(blamed);
    Ok(render_status(status, &page))
}

/// After a save: the policy's page, with the notice.
pub fn to_view(id: Uuid, edited: bool) -> Response {
    let done = if edited { "saved" } else { "created" };
    Redirect::to(&format!("/console/policies/{id}?done={done}")).into_response()
}

/// The form before any error is placed on it (`with` places one).
struct Unblamed {
    chrome: Chrome,
    policy_id: Option<Uuid>,
    draft: PolicyDraft,
    choices: Choices,
    shown: String,
    state: AppState,
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    chrome: Chrome,
    policy_id: Option<Uuid>,
    draft: PolicyDraft,
    shown: &str,
) -> Unblamed {
    Unblamed {
        choices: Choices::load(state, &viewer.actor).await,
        chrome,
        policy_id,
        draft,
        shown: shown.to_owned(),
        state: state.clone(),
    }
}

impl Unblamed {
    fn with(self, blame: Blame) -> FormPage {
        let section = blame.error.field.clone().unwrap_or_default();
        let invalid = blame
            .entry
            .and_then(|i| self.draft.entry(&section, i))
            .map(str::to_owned);
        let invalid_in = |s: &str| invalid.as_deref().filter(|_| section == s);
        let c = &self.choices;
        FormPage {
            identities: PickSection::new(
                &c.identities,
                &self.draft.identities,
                invalid_in("identities"),
            ),
            resources: PickSection::new(
                &c.resources,
                &self.draft.resources,
                invalid_in("resources"),
            ),
            permissions_groups: PickSection::new(
                &c.permissions_groups,
                &self.draft.permissions_groups,
                invalid_in("permissionsGroups"),
            ),
            actions: ActionPicker::new(
                &self.state,
                c,
                &self.shown,
                &self.draft,
                invalid.as_deref().map(|v| (section.as_str(), v)),
            ),
            chrome: self.chrome,
            policy_id: self.policy_id,
            draft: self.draft,
            error: blame.error,
        }
    }
}
