//! The reference (`/v2/iam/reference/...`): the resource types and actions of the live
//! catalog. Any authenticated identity may read it (the reference names no action).

use std::collections::BTreeSet;

use iam_core::catalog::{ActionInfo, Category};
use serde::Serialize;

use crate::service::context::ServiceContext;
use crate::service::error::Result;
use crate::service::pagination::{Page, PageRequest, paginate};
use crate::service::principal::Actor;

/// `iam.reference.Action`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionView {
    pub action: String,
    pub categories: Vec<Category>,
    pub description: String,
    /// iamd's actions take no parameters.
    pub has_query_parameters: bool,
    pub resource_type: String,
}

impl From<&ActionInfo> for ActionView {
    fn from(a: &ActionInfo) -> Self {
        ActionView {
            action: a.action.clone(),
            categories: a.categories.clone(),
            description: a.description.clone(),
            has_query_parameters: false,
            resource_type: a.resource_type.clone(),
        }
    }
}

/// Every resource type iamd knows, sorted: the catalog's (built in and declared), the
/// providers' own, and the types of the resources registered in the caller's account (seed
/// 004 lists `vps`, `emailDomain`, `cdn`…). Only the caller's own resources count: another
/// account's inventory must not show through a shared reference.
pub async fn resource_types(
    ctx: &ServiceContext,
    actor: &Actor,
    page: &PageRequest,
) -> Result<Page<String>> {
    let mut types: BTreeSet<String> = ctx.catalog.current().resource_types.clone();
    let registered = ctx
        .store
        .list_resource_types(&actor.principal.account)
        .await?;
    types.extend(registered);
    Ok(paginate(types.into_iter().collect(), Clone::clone, page))
}

/// Actions sorted by name, of the given types (every type when none is given).
pub fn actions(ctx: &ServiceContext, types: &[String], page: &PageRequest) -> Page<ActionView> {
    let current = ctx.catalog.current();
    let actions: Vec<ActionView> = if types.is_empty() {
        current
            .actions
            .actions()
            .iter()
            .map(ActionView::from)
            .collect()
    } else {
        types
            .iter()
            .flat_map(|t| current.actions.actions_of_type(t))
            .map(ActionView::from)
            .collect()
    };
    let mut actions = actions;
    actions.dedup_by(|a, b| a.action == b.action);
    paginate(actions, |a: &ActionView| a.action.clone(), page)
}
