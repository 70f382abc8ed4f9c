//! Helpers for the v2 tests: users with personal tokens (inserted through the store, as the
//! users API lives elsewhere), resources registered as an operator would, URN path encoding.

use std::collections::BTreeMap;

use chrono::{SubsecRound, Utc};
use iam_store::{AccessTokenRecord, User, UserStatus};
use iamd::service::registration::{self, Registrar, Registration};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::TestApp;

/// What Go's `url.PathEscape` leaves alone, minus `/`: URNs keep their `:`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b':');

/// One path segment holding `text` (`/` becomes `%2F`).
pub fn enc(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// A user of `nic` in `group`, and a personal access token acting as it.
pub async fn user_token(app: &TestApp, nic: &str, login: &str, group: &str) -> String {
    let now = Utc::now().trunc_subsecs(6);
    let user = User {
        id: uuid::Uuid::new_v4(),
        account: nic.to_owned(),
        login: login.to_owned(),
        email: None,
        description: String::new(),
        group: group.to_owned(),
        status: UserStatus::Ok,
        user_type: "USER".to_owned(),
        password_hash: "$argon2id$v=19$m=256,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".to_owned(),
        created_at: now,
        updated_at: now,
        password_updated_at: None,
    };
    app.state.store.create_user(&user).await.unwrap();
    let token = format!("test-{}", Uuid::new_v4().simple());
    let record = AccessTokenRecord {
        id: Uuid::new_v4(),
        account: nic.to_owned(),
        user: Some(login.to_owned()),
        name: "test".to_owned(),
        description: String::new(),
        token_hash: app.state.secrets.hash(&token),
        created_at: now,
        expires_at: None,
        last_used: None,
    };
    app.state.store.create_token(&record).await.unwrap();
    token
}

/// Registers a resource as an operator would (`iamd resource register`); returns it as JSON.
pub async fn register(app: &TestApp, nic: &str, urn: &str, tags: &[(&str, &str)]) -> Value {
    let tags: BTreeMap<String, String> = tags
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let input = Registration {
        name: None,
        display_name: None,
        tags: (!tags.is_empty()).then_some(tags),
    };
    let view = registration::register(
        &app.state,
        Registrar::Operator,
        &iam_core::AccountId::parse(nic).unwrap(),
        urn,
        input,
    )
    .await
    .unwrap();
    serde_json::to_value(view).unwrap()
}

/// The caller's answer for `actions` on `urn`, as (authorized, unauthorized).
pub async fn check(
    app: &TestApp,
    token: &str,
    urn: &str,
    actions: &[&str],
) -> (Vec<String>, Vec<String>) {
    let path = format!("/v2/iam/resource/{}/authorization/check", enc(urn));
    let body = serde_json::json!({ "actions": actions });
    let response = app.post(&path, Some(token), &body).await;
    let (status, body) = crate::helpers::json(response).await;
    assert_eq!(status, 200, "{body}");
    let list = |k: &str| {
        body[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    (list("authorizedActions"), list("unauthorizedActions"))
}

/// Asserts the OVH error shape with a class that starts with `class` (`Client::BadRequest`
/// also accepts its refinements such as `Client::BadRequest::INVALID_TAG`).
pub async fn expect_error_like(response: reqwest::Response, status: u16, class: &str) -> Value {
    let (got, body) = crate::helpers::json(response).await;
    assert_eq!(got, status, "body: {body}");
    assert!(
        body["class"].as_str().is_some_and(|c| c.starts_with(class)),
        "body: {body}"
    );
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "body: {body}"
    );
    body
}
