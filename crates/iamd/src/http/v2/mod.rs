//! The OVH-compatible v2 IAM API, served under `/v2`.

pub mod authorization;
pub mod pagination;
pub mod permissions_group;
pub mod policy;
pub mod query;
pub mod reference;
pub mod resource;
pub mod resource_group;
pub mod tag_filter;

use axum::Router;
use axum::routing::{delete, get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/iam/policy", get(policy::list).post(policy::create))
        .route(
            "/iam/policy/{policyId}",
            get(policy::get).put(policy::replace).delete(policy::delete),
        )
        .route(
            "/iam/resourceGroup",
            get(resource_group::list).post(resource_group::create),
        )
        .route(
            "/iam/resourceGroup/{groupId}",
            get(resource_group::get)
                .put(resource_group::replace)
                .delete(resource_group::delete),
        )
        .route(
            "/iam/permissionsGroup",
            get(permissions_group::list).post(permissions_group::create),
        )
        .route(
            "/iam/permissionsGroup/{permissionsGroupURN}",
            get(permissions_group::get)
                .put(permissions_group::replace)
                .delete(permissions_group::delete),
        )
        .route(
            "/iam/reference/resource/type",
            get(reference::resource_types),
        )
        .route("/iam/reference/action", get(reference::actions))
        .route("/iam/resource", get(resource::list))
        .route(
            "/iam/resource/{resourceURN}",
            get(resource::get).put(resource::edit),
        )
        .route("/iam/resource/{resourceURN}/tag", post(resource::add_tag))
        .route(
            "/iam/resource/{resourceURN}/tag/{key}",
            delete(resource::remove_tag),
        )
        .route(
            "/iam/resource/{resourceURN}/authorization/check",
            post(authorization::check),
        )
        .route("/iam/authorization/check", post(authorization::check_batch))
        .route("/iam/authorization/simulate", post(authorization::simulate))
}
