//! Nothing fails open on input: every JSON body refuses unknown fields (naming them and the
//! accepted ones) and arrays where an object belongs, accepts back the read-only fields its
//! GET answered, speaks JSON rather than Rust in its errors; every path parameter that does
//! not decode answers the OVH error shape.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, backends, expect_error, json};
use crate::v2_support::{enc, register};

const NIC: &str = "xx1111-ovh";
const ACCOUNT_RESOURCE: &str = "urn:v1:eu:resource:account:xx1111-ovh";
const A_UUID: &str = "6e1f2b7e-3a7d-4b8e-9d3c-1f2e3d4c5b6a";

/// Rust's vocabulary, which no API message may use.
const RUST_WORDS: [&str; 8] = [
    "struct",
    "ActionRef",
    "Failed to deserialize",
    "target type",
    "sequence",
    "i64",
    "u64",
    "Uuid",
];

fn assert_plain(message: &str) {
    for word in RUST_WORDS {
        assert!(!message.contains(word), "{word:?} in {message:?}");
    }
}

fn document() -> Value {
    serde_json::from_str(iamd::http::openapi::DOCUMENT).unwrap()
}

/// Every documented `(method, path template, takes a JSON body)`.
fn operations() -> Vec<(Method, String, bool)> {
    let doc = document();
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let method = match method.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "delete" => Method::DELETE,
                _ => continue,
            };
            let takes_json = operation["requestBody"]["content"]
                .get("application/json")
                .is_some();
            found.push((method, path.clone(), takes_json));
        }
    }
    found
}

/// `template` with every `{parameter}` replaced by `value(parameter)`.
fn concrete(template: &str, value: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}').unwrap();
        out.push_str(&rest[..open]);
        out.push_str(&value(&rest[open + 1..close]));
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A resource provider's secret: `/provider/v1` routes authenticate providers only.
async fn provider_secret(app: &TestApp) -> String {
    iamd::service::providers::create(
        &*app.state.store,
        &app.state.secrets,
        "p",
        vec!["x".to_owned()],
        chrono::Utc::now(),
    )
    .await
    .unwrap()
    .secret
}

#[tokio::test]
async fn a_path_segment_that_is_not_utf8_answers_the_ovh_shape_on_every_route() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let root = app.create_account(NIC).await.token;
        let provider = provider_secret(&app).await;
        let mut walked = Vec::new();
        for (method, template, _) in operations() {
            if !template.contains('{') {
                continue;
            }
            let path = concrete(&template, |_| "%FF".to_owned());
            let token = if template.starts_with("/provider/") {
                &provider
            } else {
                &root
            };
            let response = app
                .request(method.clone(), &path, Some(token))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let (status, body) = json(response).await;
            assert_eq!(status, 400, "{method} {path}: {body}");
            assert_eq!(
                body["class"], "Client::BadRequest",
                "{method} {path}: {body}"
            );
            let message = body["message"].as_str().unwrap();
            assert!(message.contains("UTF-8"), "{method} {path}: {message}");
            assert_plain(message);
            walked.push(template);
        }
        for route in [
            "/1.0/me/identity/user/{user}",
            "/1.0/me/identity/user/{user}/token/{name}",
            "/1.0/me/api/oauth2/client/{client_id}",
            "/role-adapter/{urn}/token",
            "/v2/iam/policy/{policyId}",
        ] {
            assert!(walked.iter().any(|w| w == route), "{route} walked");
        }
    }
}

#[tokio::test]
async fn every_json_body_refuses_an_unknown_field_and_an_array() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let root = app.create_account(NIC).await.token;
        let provider = provider_secret(&app).await;
        let mut walked = 0;
        for (method, template, takes_json) in operations() {
            if !takes_json {
                continue;
            }
            let path = concrete(&template, |name| match name {
                "policyId" | "groupId" => A_UUID.to_owned(),
                "nic" => NIC.to_owned(),
                _ => "x".to_owned(),
            });
            let token = if template.starts_with("/provider/") {
                &provider
            } else {
                &root
            };
            let send = |body: Value| {
                app.request(method.clone(), &path, Some(token))
                    .json(&body)
                    .send()
            };
            let unknown = send(json!({"unknownFieldXyz": 1})).await.unwrap();
            let body = expect_error(unknown, 400, "Client::BadRequest").await;
            let message = body["message"].as_str().unwrap();
            assert!(
                message.contains("unknown field `unknownFieldXyz`, expected"),
                "{method} {path}: {message}"
            );
            assert_plain(message);
            let array = send(json!([])).await.unwrap();
            let body = expect_error(array, 400, "Client::BadRequest").await;
            let message = body["message"].as_str().unwrap();
            assert!(
                message.contains("invalid type: array, expected an object"),
                "{method} {path}: {message}"
            );
            walked += 1;
        }
        assert!(walked >= 20, "the walk found the JSON bodies ({walked})");
    }
}

fn policy() -> Value {
    json!({
        "name": "typo",
        "identities": ["urn:v1:eu:identity:user:xx1111-ovh/alice"],
        "resources": [{"urn": ACCOUNT_RESOURCE}],
        "permissions": {"allow": [{"action": "account:apiovh:me/get"}]}
    })
}

fn with(mut body: Value, path: &[&str], value: Value) -> Value {
    let (last, parents) = path.split_last().unwrap();
    let mut node = &mut body;
    for key in parents {
        node = &mut node[*key];
    }
    node[*last] = value;
    body
}

async fn policy_names(app: &TestApp, token: &str) -> Vec<String> {
    let (status, list) = json(app.get("/v2/iam/policy", Some(token)).await).await;
    assert_eq!(status, 200, "{list}");
    let names = list.as_array().unwrap().iter();
    names
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn policy_typos_are_refused_and_nothing_is_stored() {
    let deny = json!([{"action": "account:apiovh:me/get"}]);
    let cases = [
        (
            vec!["condition"],
            json!({"operator": "MATCH"}),
            "`condition`",
        ),
        (
            vec!["expiresAt"],
            json!("2020-01-01T00:00:00Z"),
            "`expiresAt`",
        ),
        (vec!["permissions", "excpet"], deny.clone(), "`excpet`"),
        (vec!["permissions", "denny"], deny, "`denny`"),
    ];
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let token = app.create_account(NIC).await.token;
        for (path, value, named) in &cases {
            let body = with(policy(), path, value.clone());
            let response = app.post("/v2/iam/policy", Some(&token), &body).await;
            let error = expect_error(response, 400, "Client::BadRequest").await;
            let message = error["message"].as_str().unwrap();
            assert!(message.contains(named), "{message}");
            assert!(message.contains("expected one of"), "{message}");
            assert_plain(message);
        }
        let conditions = json!({"operator": "MATCH", "valuse": {"resource.Tag(env)": "prod"}});
        let body = with(policy(), &["conditions"], conditions);
        let response = app.post("/v2/iam/policy", Some(&token), &body).await;
        let error = expect_error(response, 400, "Client::BadRequest").await;
        let message = error["message"].as_str().unwrap();
        assert!(
            message.starts_with("invalid body: conditions: unknown field `valuse`"),
            "{message}"
        );
        assert!(
            !policy_names(&app, &token)
                .await
                .contains(&"typo".to_owned())
        );
    }
}

#[tokio::test]
async fn errors_speak_json_and_dates_say_rfc_3339() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let token = app.create_account(NIC).await.token;
        let strings = with(
            policy(),
            &["permissions", "allow"],
            json!(["account:apiovh:me/get"]),
        );
        let response = app.post("/v2/iam/policy", Some(&token), &strings).await;
        let error = expect_error(response, 400, "Client::BadRequest").await;
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("permissions.allow[0]"), "{message}");
        assert!(message.contains("expected an object"), "{message}");
        assert_plain(message);

        let dated = with(policy(), &["expiredAt"], json!("tomorrow"));
        let response = app.post("/v2/iam/policy", Some(&token), &dated).await;
        let error = expect_error(response, 400, "Client::BadRequest").await;
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("expiredAt"), "{message}");
        assert!(message.contains("RFC 3339"), "{message}");

        let token_body = json!({"name": "t", "description": "d", "expiresIn": 1.5});
        app.post(
            "/1.0/me/identity/user",
            Some(&token),
            &json!({"login": "alice"}),
        )
        .await;
        let path = "/1.0/me/identity/user/alice/token";
        let response = app.post(path, Some(&token), &token_body).await;
        let error = expect_error(response, 400, "Client::BadRequest").await;
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("expiresIn"), "{message}");
        assert!(message.contains("expected an integer"), "{message}");
        assert_plain(message);
        assert!(
            !policy_names(&app, &token)
                .await
                .contains(&"typo".to_owned())
        );
    }
}

#[tokio::test]
async fn an_array_is_never_taken_for_an_object() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let token = app.create_account(NIC).await.token;
        let token = Some(token.as_str());
        let response = app
            .post("/1.0/me/identity/user", token, &json!(["bob"]))
            .await;
        let error = expect_error(response, 400, "Client::BadRequest").await;
        assert_plain(error["message"].as_str().unwrap());
        let (_, users) = json(app.get("/1.0/me/identity/user", token).await).await;
        assert_eq!(users, json!([]));

        let path = format!("/v2/iam/resource/{}", enc(ACCOUNT_RESOURCE));
        let tag = json!({"key": "env", "value": "prod"});
        let (status, _) = json(app.post(&format!("{path}/tag"), token, &tag).await).await;
        assert_eq!(status, 200);
        let wipe = app.put(&path, token, &json!([])).await;
        expect_error(wipe, 400, "Client::BadRequest").await;
        let wipe = app.put(&path, token, &json!({"tags": []})).await;
        expect_error(wipe, 400, "Client::BadRequest").await;
        let (_, resource) = json(app.get(&path, token).await).await;
        assert_eq!(resource["tags"]["env"], "prod", "{resource}");
    }
}

/// GETs `path`, PUTs exactly what it answered, and expects 200; then the same with an
/// unknown field added, expecting 400.
async fn round_trip(app: &TestApp, token: &str, path: &str) -> Value {
    let (status, read) = json(app.get(path, Some(token)).await).await;
    assert_eq!(status, 200, "{path}: {read}");
    let (status, answer) = json(app.put(path, Some(token), &read).await).await;
    assert_eq!(status, 200, "PUT {path} with its GET body: {answer}");
    let extra = with(read.clone(), &["surplus"], json!(1));
    let response = app.put(path, Some(token), &extra).await;
    let error = expect_error(response, 400, "Client::BadRequest").await;
    assert!(
        error["message"].as_str().unwrap().contains("`surplus`"),
        "{error}"
    );
    read
}

#[tokio::test]
async fn what_a_get_answered_can_be_put_back() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let token = app.create_account(NIC).await.token;
        let t = Some(token.as_str());
        let group = json!({"name": "ops", "description": "Ops", "role": "REGULAR"});
        app.post("/1.0/me/identity/group", t, &group).await;
        round_trip(&app, &token, "/1.0/me/identity/group/ops").await;
        let rename = json!({"name": "other", "role": "NONE"});
        let response = app.put("/1.0/me/identity/group/ops", t, &rename).await;
        expect_error(response, 400, "Client::BadRequest").await;

        app.post("/1.0/me/identity/user", t, &json!({"login": "alice"}))
            .await;
        round_trip(&app, &token, "/1.0/me/identity/user/alice").await;
        let pat = json!({"name": "ci", "description": "CI"});
        app.post("/1.0/me/identity/user/alice/token", t, &pat).await;
        round_trip(&app, &token, "/1.0/me/identity/user/alice/token/ci").await;

        let (_, created) = json(app.post("/v2/iam/policy", t, &policy()).await).await;
        let path = format!("/v2/iam/policy/{}", created["id"].as_str().unwrap());
        let read = round_trip(&app, &token, &path).await;
        assert_eq!(read["name"], "typo");

        register(
            &app,
            NIC,
            "urn:v1:eu:resource:vps:vps-1",
            &[("env", "prod")],
        )
        .await;
        let path = format!("/v2/iam/resource/{}", enc("urn:v1:eu:resource:vps:vps-1"));
        round_trip(&app, &token, &path).await;
        let (_, resource) = json(app.get(&path, t).await).await;
        assert_eq!(resource["tags"]["env"], "prod");

        let rg = json!({"name": "rg", "resources": [{"urn": "urn:v1:eu:resource:vps:vps-1"}]});
        let (_, created) = json(app.post("/v2/iam/resourceGroup", t, &rg).await).await;
        let path = format!("/v2/iam/resourceGroup/{}", created["id"].as_str().unwrap());
        round_trip(&app, &token, &path).await;

        let pg = json!({"name": "pg", "description": "d",
            "permissions": {"allow": [{"action": "account:apiovh:me/get"}]}});
        let (_, created) = json(app.post("/v2/iam/permissionsGroup", t, &pg).await).await;
        let path = format!(
            "/v2/iam/permissionsGroup/{}",
            enc(created["urn"].as_str().unwrap())
        );
        round_trip(&app, &token, &path).await;
    }
}

#[tokio::test]
async fn misspelled_keys_store_nothing() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let token = app.create_account(NIC).await.token;
        let t = Some(token.as_str());
        let cases = [
            (
                "/1.0/me/identity/group",
                json!({"name": "g", "rol": "ADMIN"}),
                "/1.0/me/identity/group/g",
            ),
            (
                "/1.0/me/identity/user",
                json!({"login": "bob", "gruop": "ADMIN"}),
                "/1.0/me/identity/user/bob",
            ),
            (
                "/v2/iam/resourceGroup",
                json!({"name": "rg", "resources": [{"uri": "x"}]}),
                "",
            ),
            (
                "/v2/iam/permissionsGroup",
                json!({"name": "pg", "description": "d",
                "permissions": {"alow": [{"action": "*"}]}}),
                "/v2/iam/permissionsGroup/urn:v1:eu:permissionsGroup:xx1111-ovh:pg",
            ),
        ];
        for (path, body, stored) in cases {
            let response = app.post(path, t, &body).await;
            let error = expect_error(response, 400, "Client::BadRequest").await;
            assert!(
                error["message"].as_str().unwrap().contains("unknown field"),
                "{error}"
            );
            if !stored.is_empty() {
                let (status, _) = json(app.get(stored, t).await).await;
                assert_eq!(status, 404, "{stored} was not created");
            }
        }
        let (_, groups) = json(app.get("/v2/iam/resourceGroup", t).await).await;
        assert!(
            groups.as_array().unwrap().iter().all(|g| g["name"] != "rg"),
            "{groups}"
        );
    }
}

#[tokio::test]
async fn group_names_of_dots_are_refused() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let token = app.create_account(NIC).await.token;
        let t = Some(token.as_str());
        for name in [".", "..", "..."] {
            let body = json!({"name": name, "role": "NONE"});
            let response = app.post("/1.0/me/identity/group", t, &body).await;
            expect_error(response, 400, "Client::BadRequest::INVALID_NAME").await;
        }
        let (_, names) = json(app.get("/1.0/me/identity/group", t).await).await;
        assert_eq!(names, json!(["ADMIN", "DEFAULT", "UNPRIVILEGED"]));
        let ok = app
            .post("/1.0/me/identity/group", t, &json!({"name": "a.b"}))
            .await;
        assert_eq!(ok.status(), 200);
    }
}
