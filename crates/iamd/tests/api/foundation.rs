//! The server's foundation: start-up, health, metrics, the error shape, `/me`, restarts.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestApp, backends, expect_error, json};

#[tokio::test]
async fn health_and_readiness_answer_on_a_fresh_directory() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let (status, body) = json(app.get("/healthz", None).await).await;
        assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
        let (status, body) = json(app.get("/readyz", None).await).await;
        assert_eq!(status, 200);
        let expected = if backend == crate::helpers::Backend::Sqlite {
            "sqlite"
        } else {
            "postgres"
        };
        assert_eq!(body["store"], expected);
    }
}

#[tokio::test]
async fn me_requires_a_token_and_answers_the_account() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        assert_eq!(account.urn, "urn:v1:eu:identity:account:xx1111-ovh");

        let body = expect_error(app.get("/1.0/me", None).await, 401, "Client::Unauthorized").await;
        assert_eq!(body["errorCode"], "INVALID_CREDENTIAL");
        expect_error(
            app.get("/1.0/me", Some("not-a-token")).await,
            401,
            "Client::Unauthorized",
        )
        .await;
        let wrong_scheme = app
            .request(Method::GET, "/1.0/me", None)
            .header("authorization", "Basic abc");
        expect_error(
            wrong_scheme.send().await.unwrap(),
            401,
            "Client::Unauthorized",
        )
        .await;

        for prefix in ["/1.0", "/v1"] {
            let (status, body) =
                json(app.get(&format!("{prefix}/me"), Some(&account.token)).await).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["nichandle"], "xx1111-ovh");
            assert_eq!(body["state"], "complete");
            assert_eq!(body["currency"]["code"], "EUR");
            assert!(
                body.as_object().unwrap().contains_key("vat"),
                "nullable fields are present: {body}"
            );
        }
    }
}

#[tokio::test]
async fn one_account_never_reads_another() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let first = app.create_account("aa1111-ovh").await;
    let second = app.create_account("bb2222-ovh").await;
    let (_, body) = json(app.get("/1.0/me", Some(&first.token)).await).await;
    assert_eq!(body["nichandle"], "aa1111-ovh");
    let (_, body) = json(app.get("/1.0/me", Some(&second.token)).await).await;
    assert_eq!(body["nichandle"], "bb2222-ovh");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_error_shape() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    expect_error(app.get("/1.0/nope", None).await, 404, "Client::NotFound").await;
    expect_error(app.get("/", None).await, 404, "Client::NotFound").await;
    let response = app
        .request(Method::PATCH, "/1.0/me", None)
        .send()
        .await
        .unwrap();
    expect_error(response, 405, "Client::MethodNotAllowed").await;
}

#[tokio::test]
async fn malformed_bodies_say_what_is_wrong() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let account = app.create_account("xx1111-ovh").await;
    let token = Some(account.token.as_str());
    let syntax = app
        .request(Method::POST, "/1.0/me/identity/group", token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    let body = expect_error(syntax, 400, "Client::BadRequest").await;
    assert!(
        body["message"].as_str().unwrap().contains("malformed JSON"),
        "{body}"
    );

    let wrong_type = app
        .post("/1.0/me/identity/group", token, &json!({"name": 42}))
        .await;
    let body = expect_error(wrong_type, 400, "Client::BadRequest").await;
    assert!(body["message"].as_str().unwrap().contains("name"), "{body}");

    let not_json = app
        .request(Method::POST, "/1.0/me/identity/group", token)
        .body("name=x")
        .send()
        .await
        .unwrap();
    expect_error(not_json, 400, "Client::BadRequest").await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let account = app.create_account("xx1111-ovh").await;
    let huge = json!({"name": "big", "description": "x".repeat(2 * 1024 * 1024)});
    let response = app
        .post("/1.0/me/identity/group", Some(&account.token), &huge)
        .await;
    expect_error(response, 413, "Client::PayloadTooLarge").await;
}

#[tokio::test]
async fn every_response_echoes_a_query_id() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let first = app.get("/healthz", None).await;
    let second = app.get("/healthz", None).await;
    let id = |r: &reqwest::Response| {
        r.headers()
            .get("x-ovh-queryid")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert!(id(&first).starts_with("IAMD-"));
    assert_ne!(id(&first), id(&second));
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    app.get("/healthz", None).await;
    app.get("/1.0/me", None).await;
    let text = app.get("/metrics", None).await.text().await.unwrap();
    assert!(
        text.contains(
            "iamd_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains("route=\"/1.0/me\",status=\"401\""), "{text}");
    assert!(
        text.contains("iamd_http_request_duration_seconds_bucket"),
        "{text}"
    );
}

#[tokio::test]
async fn a_restart_keeps_the_data() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let created = app
            .post(
                "/1.0/me/identity/group",
                Some(&account.token),
                &json!({"name": "ops"}),
            )
            .await;
        assert_eq!(created.status(), 200);
        let app = app.restart().await;
        let (status, body) = json(
            app.get("/1.0/me/identity/group/ops", Some(&account.token))
                .await,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["name"], "ops");
        let (status, _) = json(app.get("/1.0/me", Some(&account.token)).await).await;
        assert_eq!(status, 200);
    }
}
