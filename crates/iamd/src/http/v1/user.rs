//! `/me/identity/user`: IAM users, their enabling and disabling, and (with `user_token.rs`)
//! their personal access tokens. Writes answer `null`: the reference returns nothing and
//! Terraform reads the user back with a GET.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};

use crate::http::body::ApiBody;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, ApiPath, Caller};
use crate::http::v1::user_token;
use crate::service::users::{self, CreateUser, EditUser, UserView};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me/identity/user", get(list).post(create))
        .route(
            "/me/identity/user/{user}",
            get(read).put(edit).delete(delete),
        )
        .route("/me/identity/user/{user}/enable", post(enable))
        .route("/me/identity/user/{user}/disable", post(disable))
        .route(
            "/me/identity/user/{user}/token",
            get(user_token::list).post(user_token::create),
        )
        .route(
            "/me/identity/user/{user}/token/{name}",
            get(user_token::read)
                .put(user_token::edit)
                .delete(user_token::delete),
        )
}

impl ApiBody for CreateUser {}

/// The read-only members of `auth.User` are fields of `EditUser` itself (a different
/// `login` is refused).
impl ApiBody for EditUser {}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<String>>, ApiError> {
    Ok(Json(users::list(&state, &actor).await?))
}

pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<CreateUser>,
) -> Result<Json<()>, ApiError> {
    users::create(&state, &actor, input).await?;
    Ok(Json(()))
}

pub async fn read(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(login): ApiPath<String>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(users::get(&state, &actor, &login).await?))
}

pub async fn edit(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(login): ApiPath<String>,
    ApiJson(input): ApiJson<EditUser>,
) -> Result<Json<()>, ApiError> {
    users::edit(&state, &actor, &login, input).await?;
    Ok(Json(()))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(login): ApiPath<String>,
) -> Result<Json<()>, ApiError> {
    users::delete(&state, &actor, &login).await?;
    Ok(Json(()))
}

pub async fn enable(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(login): ApiPath<String>,
) -> Result<Json<()>, ApiError> {
    users::enable(&state, &actor, &login).await?;
    Ok(Json(()))
}

pub async fn disable(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiPath(login): ApiPath<String>,
) -> Result<Json<()>, ApiError> {
    users::disable(&state, &actor, &login).await?;
    Ok(Json(()))
}
