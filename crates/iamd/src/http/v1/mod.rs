//! The OVH-compatible v1 API, served under both `/1.0` and `/v1`.

pub mod group;
pub mod me;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me::get))
        .route("/me/identity/group", get(group::list).post(group::create))
        .route(
            "/me/identity/group/{group}",
            get(group::get).put(group::edit).delete(group::delete),
        )
}
