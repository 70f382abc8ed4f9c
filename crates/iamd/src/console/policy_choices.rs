//! What the policy form offers to pick: the account's identities, resources and permissions
//! groups, and the catalog's actions of one resource type, each read through the same
//! service function as the API (a list the viewer may not read is simply not offered). Then
//! the form's sections: each choice ticked when the draft names it, and whatever else the
//! draft names left in free-text rows.

use iam_core::urn::Urn;

use crate::console::policy_draft::PolicyDraft;
use crate::service::authorizer::account_resource_urn;
use crate::service::pagination::PageRequest;
use crate::service::principal::Actor;
use crate::service::resources::ResourceFilter;
use crate::service::{
    clients, groups, permissions_groups, reference, resource_groups, resources, users,
};
use crate::state::AppState;

/// The resource type whose actions the form shows first: iamd's own actions are there.
pub const DEFAULT_TYPE: &str = "account";

pub struct Choice {
    pub value: String,
    pub label: String,
}

pub struct ChoiceGroup {
    pub title: &'static str,
    pub choices: Vec<Choice>,
}

pub struct Choices {
    pub identities: Vec<ChoiceGroup>,
    pub resources: Vec<ChoiceGroup>,
    pub permissions_groups: Vec<ChoiceGroup>,
    pub resource_types: Vec<String>,
}

impl Choices {
    pub async fn load(state: &AppState, actor: &Actor) -> Choices {
        Choices {
            identities: identities(state, actor).await,
            resources: resource_choices(state, actor).await,
            permissions_groups: vec![ChoiceGroup {
                title: "Permissions groups",
                choices: permissions_groups::list(state, actor, &PageRequest::all())
                    .await
                    .map(|p| p.items)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|g| Choice {
                        label: format!("{} ({})", g.name, g.owner),
                        value: g.urn,
                    })
                    .collect(),
            }],
            resource_types: reference::resource_types(state, actor, &PageRequest::all())
                .await
                .map(|p| p.items)
                .unwrap_or_default(),
        }
    }
}

async fn identities(state: &AppState, actor: &Actor) -> Vec<ChoiceGroup> {
    let (plate, nic) = (actor.principal.plate, actor.principal.account.as_str());
    let account = Choice {
        value: Urn::account(plate, nic).to_string(),
        label: format!("{nic} (the account's root)"),
    };
    let users = users::list(state, actor).await.unwrap_or_default();
    let groups = groups::list(state, actor).await.unwrap_or_default();
    let clients = clients::list_views(state, actor).await.unwrap_or_default();
    vec![
        ChoiceGroup {
            title: "Account",
            choices: vec![account],
        },
        ChoiceGroup {
            title: "Users",
            choices: users
                .into_iter()
                .map(|login| Choice {
                    value: Urn::user(plate, nic, &login).to_string(),
                    label: login,
                })
                .collect(),
        },
        ChoiceGroup {
            title: "User groups",
            choices: groups
                .into_iter()
                .map(|name| Choice {
                    value: Urn::group(plate, nic, &name).to_string(),
                    label: name,
                })
                .collect(),
        },
        ChoiceGroup {
            title: "Service accounts",
            choices: clients
                .into_iter()
                .map(|c| Choice {
                    label: format!("{} ({})", c.name, c.client_id),
                    value: c.identity,
                })
                .collect(),
        },
    ]
}

async fn resource_choices(state: &AppState, actor: &Actor) -> Vec<ChoiceGroup> {
    let (plate, nic) = (actor.principal.plate, actor.principal.account.as_str());
    let all = PageRequest::all();
    let listed = resources::list(state, actor, &ResourceFilter::default(), &all)
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    let groups = resource_groups::list(state, actor, false, &all)
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    let account = account_resource_urn(plate, nic);
    let mut resources = vec![Choice {
        label: format!("{nic} (the account)"),
        value: account.clone(),
    }];
    resources.extend(
        listed
            .into_iter()
            .filter(|r| r.urn != account)
            .map(|r| Choice {
                label: format!("{} ({})", r.display_name, r.resource_type),
                value: r.urn,
            }),
    );
    vec![
        ChoiceGroup {
            title: "Resources",
            choices: resources,
        },
        ChoiceGroup {
            title: "Resource groups",
            choices: groups
                .into_iter()
                .map(|g| Choice {
                    label: g.name,
                    value: g.urn,
                })
                .collect(),
        },
    ]
}

/// One choice as the form shows it.
pub struct Pick {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct PickGroup {
    pub title: &'static str,
    pub picks: Vec<Pick>,
}

/// A typed value in a free-text row, and whether the error on the page is about it.
pub struct Entry {
    pub value: String,
    pub invalid: bool,
}

/// A list section of the form: choices to tick, then free-text rows (always one empty row
/// more, so the form works without the script that adds rows).
pub struct PickSection {
    pub groups: Vec<PickGroup>,
    pub others: Vec<Entry>,
}

impl PickSection {
    pub fn new(groups: &[ChoiceGroup], chosen: &[String], invalid: Option<&str>) -> PickSection {
        let offered = |v: &str| groups.iter().flat_map(|g| &g.choices).any(|c| c.value == v);
        PickSection {
            groups: groups
                .iter()
                .filter(|g| !g.choices.is_empty())
                .map(|g| PickGroup {
                    title: g.title,
                    picks: g
                        .choices
                        .iter()
                        .map(|c| Pick {
                            value: c.value.clone(),
                            label: c.label.clone(),
                            checked: chosen.contains(&c.value),
                        })
                        .collect(),
                })
                .collect(),
            others: rows(chosen.iter().filter(|v| !offered(v.as_str())), invalid),
        }
    }
}

fn rows<'a>(values: impl Iterator<Item = &'a String>, invalid: Option<&str>) -> Vec<Entry> {
    values
        .map(|v| Entry {
            invalid: invalid == Some(v.as_str()),
            value: v.clone(),
        })
        .chain(std::iter::once(Entry {
            value: String::new(),
            invalid: false,
        }))
        .collect()
}

/// One catalog action, and the lists the draft puts it in.
pub struct CatalogRow {
    pub action: String,
    pub description: String,
    pub allow: bool,
    pub except: bool,
    pub deny: bool,
}

/// The actions section: the catalog of one resource type to tick in allow, except or deny,
/// and the draft's other actions and patterns in free-text rows.
pub struct ActionPicker {
    pub resource_type: String,
    pub resource_types: Vec<String>,
    pub rows: Vec<CatalogRow>,
    pub allow: Vec<Entry>,
    pub except: Vec<Entry>,
    pub deny: Vec<Entry>,
}

impl ActionPicker {
    pub fn new(
        state: &AppState,
        choices: &Choices,
        resource_type: &str,
        draft: &PolicyDraft,
        invalid: Option<(&str, &str)>,
    ) -> ActionPicker {
        let invalid_in = |list: &str| invalid.filter(|(s, _)| *s == list).map(|(_, v)| v);
        let resource_type = if choices.resource_types.iter().any(|t| t == resource_type) {
            resource_type
        } else {
            DEFAULT_TYPE
        };
        let types = [resource_type.to_owned()];
        let catalog = reference::actions(state, &types, &PageRequest::all()).items;
        let shown = |a: &str| catalog.iter().any(|c| c.action == a);
        ActionPicker {
            rows: catalog
                .iter()
                .map(|c| CatalogRow {
                    allow: draft.allow.contains(&c.action),
                    except: draft.except.contains(&c.action),
                    deny: draft.deny.contains(&c.action),
                    action: c.action.clone(),
                    description: c.description.clone(),
                })
                .collect(),
            allow: rows(
                draft.allow.iter().filter(|a| !shown(a.as_str())),
                invalid_in("allow"),
            ),
            except: rows(
                draft.except.iter().filter(|a| !shown(a.as_str())),
                invalid_in("except"),
            ),
            deny: rows(
                draft.deny.iter().filter(|a| !shown(a.as_str())),
                invalid_in("deny"),
            ),
            resource_type: resource_type.to_owned(),
            resource_types: choices.resource_types.clone(),
        }
    }
}
