//! Every route iamd implements is authorized by exactly the IAM action that the official API
//! description names (`x-iam-actions`): a user whose group role grants nothing calls each
//! route and must be refused with 403 naming that action, and nothing else.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, json};
use crate::users::user_token;

/// Routes of the official description that iamd does not serve (yet): they must answer 404
/// (or 405 where the path exists for other methods), so that implementing one makes this
/// test check its action.
const NOT_IMPLEMENTED_V1: &[(&str, &str)] = &[
    ("PUT", "/me"),
    ("GET", "/me/api/oauth2/token"),
    ("GET", "/me/api/oauth2/token/{id}"),
    ("DELETE", "/me/api/oauth2/token/{id}"),
    ("GET", "/me/identity/provider"),
    ("POST", "/me/identity/provider"),
    ("PUT", "/me/identity/provider"),
    ("DELETE", "/me/identity/provider"),
];

/// Each official route with its method and its one action.
fn official_routes(spec: &str) -> Vec<(String, String, String)> {
    let spec: Value = serde_json::from_str(spec).unwrap();
    let mut routes = Vec::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let Some(actions) = operation["x-iam-actions"].as_array() else {
                continue;
            };
            assert_eq!(actions.len(), 1, "{method} {path} names several actions");
            let action = actions[0]["name"].as_str().unwrap().to_owned();
            routes.push((method.to_uppercase(), path.clone(), action));
        }
    }
    routes
}

/// A concrete path for a template, and a body good enough to pass deserialization, so that
/// the refusal can only come from authorization.
fn request_for(method: &str, template: &str) -> (String, Option<Value>) {
    let path = template
        .replace("{clientId}", "EU.0123456789abcdef")
        .replace("{group}", "somegroup")
        .replace("{user}", "someuser")
        .replace("{name}", "sometoken")
        .replace("{id}", "someid");
    let body = match (method, template) {
        ("POST", "/me/api/oauth2/client") => {
            json!({"name": "n", "description": "d", "flow": "CLIENT_CREDENTIALS", "callbackUrls": []})
        }
        ("PUT", "/me/api/oauth2/client/{clientId}") => {
            json!({"name": "n", "description": "d", "callbackUrls": []})
        }
        ("POST", "/me/identity/group") => json!({"name": "g", "role": "NONE"}),
        ("PUT", "/me/identity/group/{group}") => json!({"description": "d"}),
        ("POST", "/me/identity/user") => json!({"login": "u", "group": "DEFAULT"}),
        ("PUT", "/me/identity/user/{user}") => json!({"description": "d"}),
        ("POST", "/me/identity/user/{user}/token") => json!({"name": "t", "description": "d"}),
        ("PUT", "/me/identity/user/{user}/token/{name}") => json!({"description": "d"}),
        ("POST" | "PUT", _) => json!({}),
        _ => return (path, None),
    };
    (path, Some(body))
}

/// A user in a `NONE` group, with no policy: it may do nothing at all.
async fn powerless_user(app: &TestApp) -> String {
    let account = app.create_account("xx1111-ovh").await;
    let group = json!({"name": "nobody", "role": "NONE"});
    let created = app.post("/1.0/me/identity/group", Some(&account.token), &group);
    assert_eq!(created.await.status(), 200);
    user_token(app, &account.token, "nobody", "nobody").await
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<&Value>,
    token: &str,
) -> (u16, Value) {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = app.request(method, path, Some(token));
    if let Some(body) = body {
        request = request.json(body);
    }
    json(request.send().await.unwrap()).await
}

#[tokio::test]
async fn every_v1_route_is_authorized_by_its_official_action() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = powerless_user(&app).await;
    let routes = official_routes(include_str!("official/me-v1.json"));
    assert!(
        routes.len() >= 30,
        "the official description lists the v1 routes"
    );
    for (method, template, action) in routes {
        let (path, body) = request_for(&method, &template);
        for prefix in ["/1.0", "/v1"] {
            let (status, answer) = call(
                &app,
                &method,
                &format!("{prefix}{path}"),
                body.as_ref(),
                &token,
            )
            .await;
            if NOT_IMPLEMENTED_V1.contains(&(method.as_str(), template.as_str())) {
                let missing = status == 404 || status == 405;
                assert!(
                    missing,
                    "{method} {template} is listed as not implemented: {answer}"
                );
                continue;
            }
            assert_eq!(status, 403, "{method} {prefix}{template}: {answer}");
            assert_eq!(
                answer["details"]["unauthorizedActionsByIAM"], action,
                "{method} {prefix}{template} must be authorized by {action}: {answer}"
            );
        }
    }
}
