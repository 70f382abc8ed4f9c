//! Fidelity to the seeds and the official API: unique service-account names (seed 001), the
//! user template with an empty password and `updatedAt` everywhere (seed 004), every known
//! resource type in the reference, resources read by UUID, and `PUT /me`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, backends, expect_error, json};
use crate::users::{PASSWORD, user_token};
use crate::v2_support::{enc, register};

const NIC: &str = "xx1111-ovh";
const OTHER: &str = "yy2222-ovh";
const CLIENTS: &str = "/1.0/me/api/oauth2/client";

fn service_account(name: &str) -> Value {
    json!({"name": name, "description": "d", "flow": "CLIENT_CREDENTIALS", "callbackUrls": []})
}

/// The names of the account's service accounts.
async fn client_names(app: &TestApp, token: &str) -> Vec<String> {
    let (_, ids) = json(app.get(CLIENTS, Some(token)).await).await;
    let mut names = Vec::new();
    for id in ids.as_array().unwrap() {
        let path = format!("{CLIENTS}/{}", id.as_str().unwrap());
        let (_, client) = json(app.get(&path, Some(token)).await).await;
        names.push(client["name"].as_str().unwrap().to_owned());
    }
    names
}

#[tokio::test]
async fn service_account_names_are_unique_within_an_account() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let root = app.create_account(NIC).await.token;
        let other = app.create_account(OTHER).await.token;
        let token = Some(root.as_str());
        let (status, _) = json(app.post(CLIENTS, token, &service_account("ci")).await).await;
        assert_eq!(status, 200);
        let body = expect_error(
            app.post(CLIENTS, token, &service_account("ci")).await,
            409,
            "Client::Conflict",
        )
        .await;
        assert!(
            body["message"].as_str().unwrap().contains("\"ci\""),
            "{body}"
        );
        // Another account has names of its own.
        let (status, _) = json(
            app.post(CLIENTS, Some(&other), &service_account("ci"))
                .await,
        )
        .await;
        assert_eq!(status, 200);

        // Renaming onto a taken name is refused; keeping one's own name is not a conflict.
        let (_, created) = json(app.post(CLIENTS, token, &service_account("cd")).await).await;
        let path = format!("{CLIENTS}/{}", created["clientId"].as_str().unwrap());
        expect_error(
            app.put(&path, token, &json!({"name": "ci"})).await,
            409,
            "Client::Conflict",
        )
        .await;
        let same = json!({"name": "cd", "description": "kept"});
        assert_eq!(json(app.put(&path, token, &same).await).await.0, 200);
        let mut names = client_names(&app, &root).await;
        names.sort();
        assert_eq!(names, ["cd", "ci"], "nothing was renamed or added");

        // Freed by a rename, the name can be taken again.
        let renamed = json!({"name": "cd-old"});
        assert_eq!(json(app.put(&path, token, &renamed).await).await.0, 200);
        let (status, _) = json(app.post(CLIENTS, token, &service_account("cd")).await).await;
        assert_eq!(status, 200);
    }
}

/// Creations of one name racing each other: the store's unique index lets exactly one in.
#[tokio::test]
async fn racing_creations_of_one_name_make_one_service_account() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let root = app.create_account(NIC).await.token;
        let body = service_account("race");
        let attempts: Vec<_> = (0..8)
            .map(|_| {
                let request = app.request(Method::POST, CLIENTS, Some(&root)).json(&body);
                tokio::spawn(request.send())
            })
            .collect();
        let mut statuses = Vec::new();
        for attempt in attempts {
            statuses.push(attempt.await.unwrap().unwrap().status().as_u16());
        }
        let created = statuses.iter().filter(|s| **s == 200).count();
        let refused = statuses.iter().filter(|s| **s == 409).count();
        assert_eq!((created, refused), (1, 7), "{backend:?}: {statuses:?}");
        assert_eq!(client_names(&app, &root).await, ["race"]);
    }
}

/// Seed 004's user template, `"password": ""` included: a user without a password, who
/// cannot sign in with an empty one.
#[tokio::test]
async fn the_seed_user_template_with_an_empty_password_creates_a_user_without_one() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account(NIC).await;
        let token = Some(account.token.as_str());
        let group = json!({"description": "string", "name": "string", "role": "REGULAR"});
        assert_eq!(
            json(app.post("/1.0/me/identity/group", token, &group).await)
                .await
                .0,
            200
        );
        let template = json!({
            "description": "string",
            "email": "string@example.com",
            "group": "string",
            "login": "string",
            "password": ""
        });
        let (status, answer) =
            json(app.post("/1.0/me/identity/user", token, &template).await).await;
        assert_eq!((status, &answer), (200, &Value::Null), "{backend:?}");
        let (_, user) = json(app.get("/1.0/me/identity/user/string", token).await).await;
        assert_eq!(user["passwordLastUpdate"], Value::Null, "{user}");
        assert_eq!(
            (user["group"].as_str(), user["description"].as_str()),
            (Some("string"), Some("string"))
        );
        let stored = app.state.store.get_user(NIC, "string").await.unwrap();
        assert!(stored.password_hash.is_empty(), "no password was set");

        // Non-empty passwords still follow the rules.
        let weak = json!({"login": "weak", "password": "short"});
        expect_error(
            app.post("/1.0/me/identity/user", token, &weak).await,
            400,
            "Client::BadRequest::INVALID_PASSWORD",
        )
        .await;
        let strong = json!({"login": "strong", "password": PASSWORD});
        assert_eq!(
            json(app.post("/1.0/me/identity/user", token, &strong).await)
                .await
                .0,
            200
        );
        let (_, user) = json(app.get("/1.0/me/identity/user/strong", token).await).await;
        assert!(user["passwordLastUpdate"].is_string(), "{user}");
    }
}

#[tokio::test]
async fn every_policy_and_resource_group_has_updated_at() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let root = app.create_account(NIC).await.token;
        let token = Some(root.as_str());
        let (_, policies) = json(app.get("/v2/iam/policy", token).await).await;
        let default = &policies[0];
        assert_eq!(default["name"], "ovh-default");
        assert_eq!(default["updatedAt"], default["createdAt"], "{default}");
        let (_, groups) = json(app.get("/v2/iam/resourceGroup", token).await).await;
        let default = &groups[0];
        assert_eq!(default["readOnly"], true);
        assert_eq!(default["updatedAt"], default["createdAt"], "{default}");

        let vps = register(&app, NIC, "urn:v1:eu:resource:vps:v1", &[]).await;
        let body = json!({"name": "web", "resources": [{"id": vps["id"]}]});
        let (_, created) = json(app.post("/v2/iam/resourceGroup", token, &body).await).await;
        assert_eq!(created["updatedAt"], created["createdAt"], "{created}");
        let path = format!("/v2/iam/resourceGroup/{}", created["id"].as_str().unwrap());
        let (_, got) = json(app.get(&path, token).await).await;
        assert_eq!(got["updatedAt"], created["createdAt"], "{got}");
        let edit = json!({"name": "web-2", "resources": []});
        let (status, edited) = json(app.put(&path, token, &edit).await).await;
        assert_eq!(status, 200, "{edited}");
        assert_eq!(edited["createdAt"], created["createdAt"]);
        assert_ne!(edited["updatedAt"], created["updatedAt"], "{edited}");
        let (_, got) = json(app.get(&path, token).await).await;
        assert_eq!(got["updatedAt"], edited["updatedAt"]);
    }
}

async fn resource_types(app: &TestApp, token: &str) -> Vec<String> {
    let (status, types) = json(
        app.get("/v2/iam/reference/resource/type", Some(token))
            .await,
    )
    .await;
    assert_eq!(status, 200, "{types}");
    serde_json::from_value(types).unwrap()
}

#[tokio::test]
async fn the_reference_lists_the_types_of_registered_resources_of_the_callers_account() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let root = app.create_account(NIC).await.token;
        let other = app.create_account(OTHER).await.token;
        let before = resource_types(&app, &root).await;
        for known in ["account", "publicCloudProject", "vps"] {
            assert!(before.iter().any(|t| t == known), "{known}: {before:?}");
        }
        assert!(!before.iter().any(|t| t == "emailDomain" || t == "cdn"));
        // Seed 004's inventory: a VPS, an email domain, a CDN.
        register(
            &app,
            NIC,
            "urn:v1:eu:resource:vps:vps-5b48d78b.vps.ovh.net",
            &[],
        )
        .await;
        register(&app, NIC, "urn:v1:eu:resource:emailDomain:acme.com", &[]).await;
        register(
            &app,
            NIC,
            "urn:v1:eu:resource:cdn:cdn-46.105.198.89-12969",
            &[],
        )
        .await;
        let after = resource_types(&app, &root).await;
        let mut expected = before.clone();
        expected.extend(["cdn".to_owned(), "emailDomain".to_owned()]);
        expected.sort();
        assert_eq!(after, expected, "sorted, each type once");
        // Another account's inventory does not show through the reference.
        assert_eq!(resource_types(&app, &other).await, before);
    }
}

#[tokio::test]
async fn a_resource_is_read_by_its_uuid_as_by_its_urn() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let root = app.create_account(NIC).await.token;
        let other = app.create_account(OTHER).await.token;
        let urn = "urn:v1:eu:resource:dnsZone:example.com/records";
        let registered = register(&app, NIC, urn, &[("env", "prod")]).await;
        let id = registered["id"].as_str().unwrap();
        let (status, by_urn) = json(
            app.get(&format!("/v2/iam/resource/{}", enc(urn)), Some(&root))
                .await,
        )
        .await;
        assert_eq!(status, 200);
        let (status, by_id) = json(
            app.get(&format!("/v2/iam/resource/{id}"), Some(&root))
                .await,
        )
        .await;
        assert_eq!((status, &by_id), (200, &by_urn));
        assert_eq!(by_id["urn"], urn);
        // Another account's UUID is as unknown as a UUID nobody has.
        for path in [
            format!("/v2/iam/resource/{id}"),
            format!("/v2/iam/resource/{}", uuid::Uuid::new_v4()),
        ] {
            expect_error(app.get(&path, Some(&other)).await, 404, "Client::NotFound").await;
        }
    }
}

#[tokio::test]
async fn put_me_edits_the_editable_details() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let root = app.create_account(NIC).await.token;
        let other = app.create_account(OTHER).await.token;
        let token = Some(root.as_str());
        let (_, before) = json(app.get("/1.0/me", token).await).await;
        assert_eq!(
            (
                before["city"].clone(),
                before["country"].as_str(),
                before["legalform"].as_str()
            ),
            (Value::Null, Some("FR"), Some("other"))
        );
        let edit = json!({"city": "Roubaix", "zip": "59100", "country": "BE",
            "language": "fr_FR", "legalform": "corporation", "phoneType": "mobile"});
        let (status, answer) = json(app.put("/1.0/me", token, &edit).await).await;
        assert_eq!((status, &answer), (200, &Value::Null), "{backend:?}");
        let (_, after) = json(app.get("/v1/me", token).await).await;
        for (field, value) in edit.as_object().unwrap() {
            assert_eq!(&after[field], value, "{field}: {after}");
        }
        assert_eq!(after["nichandle"], NIC);

        // The whole object read back is accepted (read-only members are ignored); null clears.
        let mut round_trip = after.clone();
        round_trip["zip"] = Value::Null;
        assert_eq!(
            json(app.put("/1.0/me", token, &round_trip).await).await.0,
            200
        );
        let (_, got) = json(app.get("/1.0/me", token).await).await;
        assert_eq!(
            (got["zip"].clone(), got["city"].as_str()),
            (Value::Null, Some("Roubaix"))
        );

        for bad in [
            json!({"country": "ZZ"}),
            json!({"country": null}),
            json!({"language": "klingon"}),
            json!({"city": 59}),
            json!({"favouriteColour": "blue"}),
            json!({"nichandle": OTHER}),
        ] {
            expect_error(
                app.put("/1.0/me", token, &bad).await,
                400,
                "Client::BadRequest",
            )
            .await;
        }
        let (_, unchanged) = json(app.get("/1.0/me", token).await).await;
        assert_eq!(unchanged, got, "a refused edit changes nothing");
        let (_, theirs) = json(app.get("/1.0/me", Some(&other)).await).await;
        assert_eq!(
            theirs["city"],
            Value::Null,
            "another account's details are its own"
        );
    }
}

#[tokio::test]
async fn put_me_needs_me_edit() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let root = app.create_account(NIC).await.token;
    let reader = user_token(&app, &root, "reader", "UNPRIVILEGED").await;
    assert_eq!(app.get("/1.0/me", Some(&reader)).await.status(), 200);
    let body = expect_error(
        app.put("/1.0/me", Some(&reader), &json!({"city": "Lille"}))
            .await,
        403,
        "Client::Forbidden",
    )
    .await;
    assert_eq!(
        body["details"]["unauthorizedActionsByIAM"],
        "account:apiovh:me/edit"
    );
    let (_, me) = json(app.get("/1.0/me", Some(&root)).await).await;
    assert_eq!(me["city"], Value::Null);
}
