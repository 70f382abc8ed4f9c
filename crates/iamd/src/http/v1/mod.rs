//! The OVH-compatible v1 API, served under both `/1.0` and `/v1`.

pub mod auth;
pub mod client;
pub mod group;
pub mod me;
pub mod user;
pub mod user_token;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::routes())
        .merge(user::routes())
        .route("/me", get(me::get).put(me::edit))
        .route("/me/identity/group", get(group::list).post(group::create))
        .route(
            "/me/identity/group/{group}",
            get(group::get).put(group::edit).delete(group::delete),
        )
        .route(
            "/me/api/oauth2/client",
            get(client::list).post(client::create),
        )
        .route(
            "/me/api/oauth2/client/{client_id}",
            get(client::get).put(client::edit).delete(client::delete),
        )
}
