//! The console's first page: who is signed in, and the sections they may open.

use askama::Template;
use axum::extract::State;

use crate::console::page::{Chrome, PageResult, render};
use crate::console::viewer::Viewer;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "console/home.html")]
struct HomePage {
    chrome: Chrome,
    identity: String,
}

pub async fn page(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let chrome = Chrome::load(&state, &viewer, "home").await;
    Ok(render(&HomePage {
        chrome,
        identity: viewer.actor.principal.identity().to_owned(),
    }))
}
