//! `/me/identity/user/{user}/token`: personal access tokens, shown once, acting as their user.

use serde_json::{Value, json};

use iamd::clock::Clock;
use iamd::config::ConfigLayer;

use crate::helpers::{TestApp, backends, expect_error, json};
use crate::users::{create_user, instant};

#[tokio::test]
async fn token_lifecycle() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let root = Some(account.token.as_str());
        create_user(&app, &account.token, "gina", "DEFAULT").await;
        let base = "/1.0/me/identity/user/gina/token";

        let body = json!({"name": "ci", "description": "CI pipeline"});
        let (status, created) = json(app.post(base, root, &body).await).await;
        assert_eq!(status, 200, "{created}");
        let mut fields: Vec<&String> = created.as_object().unwrap().keys().collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                "creation",
                "description",
                "expiresAt",
                "lastUsed",
                "name",
                "token"
            ]
        );
        assert_eq!(
            (created["name"].as_str(), created["description"].as_str()),
            (Some("ci"), Some("CI pipeline"))
        );
        assert_eq!(
            (created["expiresAt"].clone(), created["lastUsed"].clone()),
            (Value::Null, Value::Null)
        );
        let pat = created["token"].as_str().unwrap().to_owned();
        assert!(pat.len() >= 43, "32 random bytes: {pat}");

        // The token acts as its user, with its group's role (REGULAR), not as the root.
        assert_eq!(
            app.get("/1.0/me/identity/user", Some(&pat)).await.status(),
            200
        );
        let escalate = app
            .post(
                base,
                Some(&pat),
                &json!({"name": "mine", "description": "d"}),
            )
            .await;
        expect_error(escalate, 403, "Client::Forbidden").await;

        let (status, names) = json(app.get(base, root).await).await;
        assert_eq!((status, names), (200, json!(["ci"])));
        let (status, read) = json(app.get(&format!("{base}/ci"), root).await).await;
        assert_eq!(status, 200, "{read}");
        assert!(
            read.get("token").is_none(),
            "the value is never shown again: {read}"
        );
        assert_eq!(read["creation"], created["creation"]);
        assert!(
            read["lastUsed"].is_string(),
            "the use above was recorded: {read}"
        );

        expect_error(app.post(base, root, &body).await, 409, "Client::Conflict").await;

        let edit = json!({"description": "CI, renewed", "expiresIn": 3600});
        let (status, edited) = json(app.put(&format!("{base}/ci"), root, &edit).await).await;
        assert_eq!(status, 200, "{edited}");
        assert!(edited.get("token").is_none(), "{edited}");
        assert_eq!(edited["description"], "CI, renewed");
        let expires = instant(&edited["expiresAt"]);
        let in_an_hour = chrono::Utc::now() + chrono::Duration::seconds(3600);
        assert!((expires - in_an_hour).num_seconds().abs() < 30, "{expires}");
        let (_, read) = json(app.get(&format!("{base}/ci"), root).await).await;
        assert_eq!(read["expiresAt"], edited["expiresAt"]);
        let (_, cleared) = json(
            app.put(&format!("{base}/ci"), root, &json!({"expiresAt": null}))
                .await,
        )
        .await;
        assert_eq!(
            (
                cleared["expiresAt"].clone(),
                cleared["description"].as_str()
            ),
            (Value::Null, Some("CI, renewed"))
        );
        assert_eq!(
            app.get("/1.0/me", Some(&pat)).await.status(),
            200,
            "still valid"
        );

        let (status, answer) = json(app.delete(&format!("{base}/ci"), root).await).await;
        assert_eq!((status, answer), (200, Value::Null));
        expect_error(
            app.get("/1.0/me", Some(&pat)).await,
            401,
            "Client::Unauthorized",
        )
        .await;
        expect_error(
            app.get(&format!("{base}/ci"), root).await,
            404,
            "Client::NotFound",
        )
        .await;
        expect_error(
            app.delete(&format!("{base}/ci"), root).await,
            404,
            "Client::NotFound",
        )
        .await;
    }
}

#[tokio::test]
async fn the_value_is_stored_only_as_a_keyed_hash() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        create_user(&app, &account.token, "hank", "DEFAULT").await;
        let body =
            json!({"name": "ci", "description": "d", "expiresAt": "2099-01-01T00:00:00+02:00"});
        let (_, created) = json(
            app.post(
                "/1.0/me/identity/user/hank/token",
                Some(&account.token),
                &body,
            )
            .await,
        )
        .await;
        assert_eq!(
            created["expiresAt"], "2098-12-31T22:00:00Z",
            "normalised to UTC"
        );
        let pat = created["token"].as_str().unwrap();
        let record = app
            .state
            .store
            .get_token("xx1111-ovh", Some("hank"), "ci")
            .await
            .unwrap();
        assert_eq!(record.token_hash, app.state.secrets.hash(pat));
        assert_ne!(record.token_hash, pat.as_bytes());
        let audit = app
            .state
            .store
            .list_audit("xx1111-ovh", &Default::default())
            .await
            .unwrap();
        assert!(
            !format!("{audit:?}").contains(pat),
            "the value is not in the audit log"
        );
    }
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    for backend in backends() {
        let clock = Clock::manual(chrono::Utc::now());
        let app = TestApp::spawn_on(backend, ConfigLayer::default(), clock.clone()).await;
        let account = app.create_account("xx1111-ovh").await;
        create_user(&app, &account.token, "ivan", "DEFAULT").await;
        let body = json!({"name": "short", "description": "one second", "expiresIn": 1});
        let (status, created) = json(
            app.post(
                "/1.0/me/identity/user/ivan/token",
                Some(&account.token),
                &body,
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{created}");
        let pat = created["token"].as_str().unwrap();
        assert_eq!(app.get("/1.0/me", Some(pat)).await.status(), 200);
        clock.advance(chrono::Duration::milliseconds(1200));
        let refused = expect_error(
            app.get("/1.0/me", Some(pat)).await,
            401,
            "Client::Unauthorized",
        )
        .await;
        assert_eq!(refused["errorCode"], "INVALID_CREDENTIAL");
    }
}

#[tokio::test]
async fn token_input_is_validated() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let root = Some(account.token.as_str());
        create_user(&app, &account.token, "judy", "DEFAULT").await;
        let base = "/1.0/me/identity/user/judy/token";
        let app = &app;
        let post = |body: Value| async move { app.post(base, root, &body).await };
        let expiry = "Client::BadRequest::INVALID_EXPIRATION";
        let both = json!({"name": "t", "description": "d", "expiresAt": "2099-01-01T00:00:00Z", "expiresIn": 60});
        expect_error(post(both).await, 400, expiry).await;
        let past = json!({"name": "t", "description": "d", "expiresAt": "2001-01-01T00:00:00Z"});
        expect_error(post(past).await, 400, expiry).await;
        for seconds in [0, -60, 4_000_000_000_i64] {
            expect_error(
                post(json!({"name": "t", "description": "d", "expiresIn": seconds})).await,
                400,
                expiry,
            )
            .await;
        }
        let not_a_date = json!({"name": "t", "description": "d", "expiresAt": "tomorrow"});
        expect_error(post(not_a_date).await, 400, "Client::BadRequest").await;
        for name in ["", "a b", "a/b", "..", &"n".repeat(65)] {
            let bad = post(json!({"name": name, "description": "d"})).await;
            expect_error(bad, 400, "Client::BadRequest::INVALID_NAME").await;
        }
        expect_error(post(json!({"name": "t"})).await, 400, "Client::BadRequest").await;
        expect_error(
            post(json!({"name": "t", "description": "d", "scope": "all"})).await,
            400,
            "Client::BadRequest",
        )
        .await;
        let (_, names) = json(app.get(base, root).await).await;
        assert_eq!(names, json!([]), "nothing was half-written");

        let (status, _) = json(post(json!({"name": "t", "description": "d"})).await).await;
        assert_eq!(status, 200);
        let both = json!({"expiresAt": "2099-01-01T00:00:00Z", "expiresIn": 60});
        expect_error(
            app.put(&format!("{base}/t"), root, &both).await,
            400,
            expiry,
        )
        .await;
        expect_error(
            app.put(&format!("{base}/t"), root, &json!({"name": "u"}))
                .await,
            400,
            "Client::BadRequest",
        )
        .await;
        expect_error(
            app.put(&format!("{base}/nope"), root, &json!({})).await,
            404,
            "Client::NotFound",
        )
        .await;
        let (_, read) = json(app.get(&format!("{base}/t"), root).await).await;
        assert_eq!(
            read["expiresAt"],
            Value::Null,
            "the refused edit changed nothing"
        );
    }
}
