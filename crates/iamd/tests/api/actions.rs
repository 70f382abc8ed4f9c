//! Every route iamd implements is authorized by exactly the IAM action that the official API
//! description names (`x-iam-actions`): a user whose group role grants nothing calls each
//! route and must be refused with 403 naming that action, and nothing else. Routes the
//! description guards with no action (v2's inventory, reference and authorization checks)
//! must answer that user without a 403.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, json};
use crate::users::user_token;
use crate::v2_support::enc;

/// Routes of the official description that iamd does not serve (yet): they must answer 404
/// (or 405 where the path exists for other methods), so that implementing one makes this
/// test check its action.
const NOT_IMPLEMENTED_V1: &[(&str, &str)] = &[
    ("GET", "/me/api/oauth2/token"),
    ("GET", "/me/api/oauth2/token/{id}"),
    ("DELETE", "/me/api/oauth2/token/{id}"),
    ("GET", "/me/identity/provider"),
    ("POST", "/me/identity/provider"),
    ("PUT", "/me/identity/provider"),
    ("DELETE", "/me/identity/provider"),
];

/// The v2 counterpart of `NOT_IMPLEMENTED_V1`: log forwarding is not iamd's.
const NOT_IMPLEMENTED_V2: &[(&str, &str)] = &[
    ("GET", "/iam/log/kind"),
    ("GET", "/iam/log/kind/{name}"),
    ("GET", "/iam/log/subscription"),
    ("POST", "/iam/log/subscription"),
    ("GET", "/iam/log/subscription/{subscriptionId}"),
    ("DELETE", "/iam/log/subscription/{subscriptionId}"),
    ("POST", "/iam/log/url"),
];

/// An official route: method, path template, and the actions it names (none for some).
struct Route {
    method: String,
    template: String,
    actions: Vec<String>,
}

/// Each operation of an official description.
fn official_routes(spec: &str) -> Vec<Route> {
    let spec: Value = serde_json::from_str(spec).unwrap();
    let mut routes = Vec::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let actions = operation["x-iam-actions"]
                .as_array()
                .map_or(&[][..], Vec::as_slice);
            routes.push(Route {
                method: method.to_uppercase(),
                template: path.clone(),
                actions: actions
                    .iter()
                    .map(|a| a["name"].as_str().unwrap().to_owned())
                    .collect(),
            });
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
    let routes: Vec<Route> = routes
        .into_iter()
        .filter(|r| !r.actions.is_empty())
        .collect();
    assert!(
        routes.len() >= 30,
        "the official description lists the v1 routes"
    );
    for Route {
        method,
        template,
        actions,
    } in routes
    {
        assert_eq!(
            actions.len(),
            1,
            "{method} {template} names several actions"
        );
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
                answer["details"]["unauthorizedActionsByIAM"], actions[0],
                "{method} {prefix}{template} must be authorized by {}: {answer}",
                actions[0]
            );
        }
    }
}

/// The v2 counterpart of `request_for`: path parameters that parse (ids are UUIDs, URNs of
/// the caller's account) and bodies that deserialize.
fn v2_request_for(method: &str, template: &str) -> (String, Option<Value>) {
    let resource = "urn:v1:eu:resource:vps:vps-1.example.net";
    let path = template
        .replace("{policyId}", "5b7f5d0c-0bd5-4bd9-8d4c-7d2fa4f3b0d1")
        .replace("{groupId}", "0d2b9a9e-3c4b-4f8e-9a57-0f2f6c1d9e21")
        .replace(
            "{permissionsGroupURN}",
            &enc("urn:v1:eu:permissionsGroup:xx1111-ovh/somegroup"),
        )
        .replace("{resourceURN}", &enc(resource))
        .replace("{key}", "sometag")
        .replace("{subscriptionId}", "0d2b9a9e-3c4b-4f8e-9a57-0f2f6c1d9e22")
        .replace("{name}", "somekind");
    let permissions = json!({"allow": [{"action": "vps:apiovh:reboot"}]});
    let body = match (method, template) {
        ("POST", "/iam/policy") | ("PUT", "/iam/policy/{policyId}") => json!({
            "name": "p", "identities": [], "resources": [{"urn": resource}],
            "permissions": permissions,
        }),
        ("POST", "/iam/permissionsGroup")
        | ("PUT", "/iam/permissionsGroup/{permissionsGroupURN}") => {
            json!({"name": "somegroup", "description": "d", "permissions": permissions})
        }
        ("POST", "/iam/resourceGroup") | ("PUT", "/iam/resourceGroup/{groupId}") => {
            json!({"name": "g", "resources": []})
        }
        ("PUT", "/iam/resource/{resourceURN}") => json!({"tags": {}}),
        ("POST", "/iam/resource/{resourceURN}/tag") => json!({"key": "k", "value": "v"}),
        ("POST", "/iam/resource/{resourceURN}/authorization/check") => {
            json!({"actions": ["vps:apiovh:reboot"]})
        }
        ("POST", "/iam/authorization/check") => {
            json!({"actions": ["vps:apiovh:reboot"], "resourceURNs": [resource]})
        }
        ("POST" | "PUT", _) => json!({}),
        _ => return (path, None),
    };
    (path, Some(body))
}

#[tokio::test]
async fn every_v2_route_is_authorized_by_its_official_action() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = powerless_user(&app).await;
    let routes = official_routes(include_str!("official/iam-v2.json"));
    let guarded = routes.iter().filter(|r| !r.actions.is_empty()).count();
    assert!(
        guarded >= 20,
        "the official description lists the v2 routes"
    );
    for Route {
        method,
        template,
        actions,
    } in routes
    {
        let (path, body) = v2_request_for(&method, &template);
        let (status, answer) =
            call(&app, &method, &format!("/v2{path}"), body.as_ref(), &token).await;
        if NOT_IMPLEMENTED_V2.contains(&(method.as_str(), template.as_str())) {
            let missing = status == 404 || status == 405;
            assert!(
                missing,
                "{method} {template} is listed as not implemented: {answer}"
            );
            continue;
        }
        let [action] = actions.as_slice() else {
            // No action guards it: anyone of the account may call it.
            assert!(
                actions.is_empty(),
                "{method} {template} names several actions"
            );
            assert!(
                status != 401 && status != 403,
                "{method} {template} names no action, yet: {status} {answer}"
            );
            continue;
        };
        assert_eq!(status, 403, "{method} /v2{template}: {answer}");
        assert_eq!(
            answer["details"]["unauthorizedActionsByIAM"], *action,
            "{method} /v2{template} must be authorized by {action}: {answer}"
        );
    }
}
