//! `/me/api/oauth2/client`: service accounts, their fields, rules and secrets.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, backends, expect_error, json};

/// Creates a client as `token`, named `ci` (or `ci-2`, `ci-3`… once the account has a `ci`:
/// names are unique within an account); returns (clientId, clientSecret).
pub async fn create_client(
    app: &TestApp,
    token: &str,
    flow: &str,
    callback_urls: &[&str],
) -> (String, String) {
    for n in 1.. {
        let name = if n == 1 {
            "ci".to_owned()
        } else {
            format!("ci-{n}")
        };
        let body = json!({"name": name, "description": "CI pipeline", "flow": flow, "callbackUrls": callback_urls});
        let (status, created) = json(
            app.post("/1.0/me/api/oauth2/client", Some(token), &body)
                .await,
        )
        .await;
        if status == 409 {
            continue;
        }
        assert_eq!(status, 200, "{created}");
        return (
            created["clientId"].as_str().unwrap().to_owned(),
            created["clientSecret"].as_str().unwrap().to_owned(),
        );
    }
    unreachable!()
}

#[tokio::test]
async fn service_account_lifecycle_shows_the_secret_once() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let token = Some(account.token.as_str());
        let body = json!({"name": "ci", "description": "CI pipeline", "flow": "CLIENT_CREDENTIALS", "callbackUrls": []});
        let response = app.post("/1.0/me/api/oauth2/client", token, &body).await;
        let (status, created) = json(response).await;
        assert_eq!(status, 200, "{created}");
        let keys: Vec<&str> = created
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["clientId", "clientSecret"]);
        let id = created["clientId"].as_str().unwrap().to_owned();
        let secret = created["clientSecret"].as_str().unwrap().to_owned();
        assert!(id.starts_with("EU.") && id.len() == 19, "{id}");
        assert!(
            id[3..]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{id}"
        );
        assert!(secret.len() >= 43, "a 256-bit secret");

        for prefix in ["/1.0", "/v1"] {
            let list = app
                .get(&format!("{prefix}/me/api/oauth2/client"), token)
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(serde_json::from_str::<Value>(&list).unwrap(), json!([id]));
            assert!(!list.contains(&secret));
            let path = format!("{prefix}/me/api/oauth2/client/{id}");
            let text = app.get(&path, token).await.text().await.unwrap();
            assert!(
                !text.contains(&secret) && !text.contains("ecret"),
                "no secret after creation: {text}"
            );
            let got: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(got["clientId"], id.as_str());
            assert_eq!(
                (got["name"].as_str(), got["description"].as_str()),
                (Some("ci"), Some("CI pipeline"))
            );
            assert_eq!(got["flow"], "CLIENT_CREDENTIALS");
            assert_eq!(got["callbackUrls"], json!([]));
            assert_eq!(
                got["identity"],
                format!("urn:v1:eu:identity:credential:xx1111-ovh/oauth2-{id}")
            );
            assert!(
                got["createdAt"]
                    .as_str()
                    .is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok()),
                "{got}"
            );
        }
        let stored = app.state.store.get_client("xx1111-ovh", &id).await.unwrap();
        assert_ne!(
            stored.secret_hash,
            secret.as_bytes(),
            "only the keyed hash is stored"
        );
        assert!(app.state.secrets.verify(&secret, &stored.secret_hash));

        let path = format!("/1.0/me/api/oauth2/client/{id}");
        let edit = json!({"name": "ci-2", "description": "renamed", "callbackUrls": []});
        assert_eq!(
            json(app.put(&path, token, &edit).await).await,
            (200, Value::Null)
        );
        let (_, got) = json(app.get(&path, token).await).await;
        assert_eq!(
            (got["name"].as_str(), got["description"].as_str()),
            (Some("ci-2"), Some("renamed"))
        );
        // The whole object sent back, as a GET-modify-PUT client would, is fine.
        let mut round_trip = got.clone();
        round_trip["description"] = json!("round trip");
        assert_eq!(
            json(app.put(&path, token, &round_trip).await).await,
            (200, Value::Null)
        );

        assert_eq!(
            json(app.delete(&path, token).await).await,
            (200, Value::Null)
        );
        expect_error(app.get(&path, token).await, 404, "Client::NotFound").await;
        expect_error(app.delete(&path, token).await, 404, "Client::NotFound").await;
        expect_error(app.put(&path, token, &edit).await, 404, "Client::NotFound").await;
        let (_, list) = json(app.get("/1.0/me/api/oauth2/client", token).await).await;
        assert_eq!(list, json!([]));
    }
}

#[tokio::test]
async fn flow_cannot_change() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let token = account.token.as_str();
        let (id, _) = create_client(&app, token, "CLIENT_CREDENTIALS", &[]).await;
        let path = format!("/1.0/me/api/oauth2/client/{id}");
        let change = json!({"name": "x", "description": "y", "flow": "AUTHORIZATION_CODE", "callbackUrls": ["https://a.example/cb"]});
        let body = expect_error(
            app.put(&path, Some(token), &change).await,
            400,
            "Client::BadRequest::FLOW_IS_IMMUTABLE",
        )
        .await;
        assert!(body["message"].as_str().unwrap().contains("flow"), "{body}");
        let same = json!({"description": "same flow", "flow": "CLIENT_CREDENTIALS"});
        assert_eq!(json(app.put(&path, Some(token), &same).await).await.0, 200);
        let other_id = json!({"clientId": "EU.0000000000000000"});
        expect_error(
            app.put(&path, Some(token), &other_id).await,
            400,
            "Client::BadRequest",
        )
        .await;
        let (_, got) = json(app.get(&path, Some(token)).await).await;
        assert_eq!(
            (got["flow"].as_str(), got["description"].as_str()),
            (Some("CLIENT_CREDENTIALS"), Some("same flow"))
        );
    }
}

#[tokio::test]
async fn callback_urls_follow_the_flow() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let account = app.create_account("xx1111-ovh").await;
    let token = Some(account.token.as_str());
    let post = |flow: &str, urls: Value| json!({"name": "n", "description": "d", "flow": flow, "callbackUrls": urls});
    let url = "/1.0/me/api/oauth2/client";

    let absent = json!({"name": "n-absent", "description": "d", "flow": "CLIENT_CREDENTIALS"});
    assert_eq!(
        app.post(url, token, &absent).await.status(),
        200,
        "CLIENT_CREDENTIALS without callbackUrls"
    );
    let mut null = post("CLIENT_CREDENTIALS", Value::Null);
    null["name"] = json!("n-null");
    assert_eq!(
        app.post(url, token, &null).await.status(),
        200,
        "callbackUrls null"
    );
    let with_url = post("CLIENT_CREDENTIALS", json!(["https://a.example/cb"]));
    expect_error(
        app.post(url, token, &with_url).await,
        400,
        "Client::BadRequest::INVALID_CALLBACK_URL",
    )
    .await;

    let none = post("AUTHORIZATION_CODE", json!([]));
    expect_error(
        app.post(url, token, &none).await,
        400,
        "Client::BadRequest::INVALID_CALLBACK_URL",
    )
    .await;
    for bad in [
        "http://app.example/cb",
        "not a url",
        "https://a.example/cb#x",
        "ftp://a.example/cb",
        "https://u:p@a.example/",
    ] {
        let body = post("AUTHORIZATION_CODE", json!([bad]));
        expect_error(
            app.post(url, token, &body).await,
            400,
            "Client::BadRequest::INVALID_CALLBACK_URL",
        )
        .await;
    }
    let ok = post(
        "AUTHORIZATION_CODE",
        json!([
            "https://app.example/cb",
            "http://127.0.0.1:8123/cb",
            "http://localhost/cb"
        ]),
    );
    let (status, created) = json(app.post(url, token, &ok).await).await;
    assert_eq!(status, 200, "{created}");
    let path = format!("{url}/{}", created["clientId"].as_str().unwrap());
    let (_, got) = json(app.get(&path, token).await).await;
    assert_eq!(got["flow"], "AUTHORIZATION_CODE");
    assert_eq!(got["callbackUrls"].as_array().unwrap().len(), 3);
    let emptied = json!({"callbackUrls": []});
    expect_error(
        app.put(&path, token, &emptied).await,
        400,
        "Client::BadRequest::INVALID_CALLBACK_URL",
    )
    .await;
    let insecure = json!({"callbackUrls": ["http://app.example/cb"]});
    expect_error(
        app.put(&path, token, &insecure).await,
        400,
        "Client::BadRequest::INVALID_CALLBACK_URL",
    )
    .await;
}

#[tokio::test]
async fn client_input_is_validated() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let account = app.create_account("xx1111-ovh").await;
    let token = Some(account.token.as_str());
    let url = "/1.0/me/api/oauth2/client";
    let long_name = "n".repeat(iamd::service::clients::MAX_NAME_LEN + 1);
    let long_description = "d".repeat(iamd::service::clients::MAX_DESCRIPTION_LEN + 1);
    for body in [
        json!({"description": "d", "flow": "CLIENT_CREDENTIALS"}),
        json!({"name": "n", "flow": "CLIENT_CREDENTIALS"}),
        json!({"name": "n", "description": "d"}),
        json!({"name": "n", "description": "d", "flow": "IMPLICIT"}),
        json!({"name": "", "description": "d", "flow": "CLIENT_CREDENTIALS"}),
        json!({"name": long_name, "description": "d", "flow": "CLIENT_CREDENTIALS"}),
        json!({"name": "n", "description": long_description, "flow": "CLIENT_CREDENTIALS"}),
        json!({"name": "n", "description": "d", "flow": "CLIENT_CREDENTIALS", "secret": "mine"}),
    ] {
        let response = app.post(url, token, &body).await;
        let error = expect_error(response, 400, "Client::BadRequest").await;
        assert!(!error["message"].as_str().unwrap().is_empty());
    }
    let (_, list) = json(app.get(url, token).await).await;
    assert_eq!(list, json!([]), "nothing was created");
    expect_error(app.get(url, None).await, 401, "Client::Unauthorized").await;
}

#[tokio::test]
async fn clients_of_one_account_are_invisible_to_another() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let first = app.create_account("aa1111-ovh").await;
    let second = app.create_account("bb2222-ovh").await;
    let (id, _) = create_client(&app, &first.token, "CLIENT_CREDENTIALS", &[]).await;
    let path = format!("/1.0/me/api/oauth2/client/{id}");
    expect_error(
        app.get(&path, Some(&second.token)).await,
        404,
        "Client::NotFound",
    )
    .await;
    expect_error(
        app.delete(&path, Some(&second.token)).await,
        404,
        "Client::NotFound",
    )
    .await;
    let edit = json!({"name": "stolen"});
    expect_error(
        app.put(&path, Some(&second.token), &edit).await,
        404,
        "Client::NotFound",
    )
    .await;
    let (_, list) = json(
        app.get("/1.0/me/api/oauth2/client", Some(&second.token))
            .await,
    )
    .await;
    assert_eq!(list, json!([]));
    assert_eq!(app.get(&path, Some(&first.token)).await.status(), 200);
}
