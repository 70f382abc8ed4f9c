//! `/me/identity/user`: users, their fields, enabling and disabling, deletion, bad input.
//! Also the fixtures other surfaces use to act as a user (`create_user`, `user_token`).

use serde_json::{Value, json};

use crate::helpers::{TestApp, backends, expect_error, json};

/// A password that passes the documented strength rule.
pub const PASSWORD: &str = "Correct horse 42";

/// Creates `login` in `group` as the root; asserts the `null` answer.
pub async fn create_user(app: &TestApp, root: &str, login: &str, group: &str) {
    let body = json!({"login": login, "group": group, "password": PASSWORD, "email": format!("{login}@example.com")});
    let (status, answer) = json(app.post("/1.0/me/identity/user", Some(root), &body).await).await;
    assert_eq!((status, &answer), (200, &Value::Null), "creating {login}");
}

/// Creates a personal access token for `login` as the root and returns its value.
pub async fn create_token(app: &TestApp, root: &str, login: &str, name: &str) -> String {
    let path = format!("/1.0/me/identity/user/{login}/token");
    let body = json!({"name": name, "description": format!("token {name}")});
    let (status, answer) = json(app.post(&path, Some(root), &body).await).await;
    assert_eq!(status, 200, "{answer}");
    answer["token"]
        .as_str()
        .expect("the token value")
        .to_owned()
}

/// A new user of `group` and the value of a personal access token acting as it.
pub async fn user_token(app: &TestApp, root: &str, login: &str, group: &str) -> String {
    create_user(app, root, login, group).await;
    create_token(app, root, login, "main").await
}

/// An RFC 3339 field as an instant (their text has a varying number of fractional digits).
pub fn instant(value: &Value) -> chrono::DateTime<chrono::Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("a date-time, not {value}"));
    chrono::DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[tokio::test]
async fn user_lifecycle() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let root = Some(account.token.as_str());
        let body = json!({
            "login": "alice", "email": "alice@example.com", "description": "Alice",
            "group": "UNPRIVILEGED", "password": PASSWORD, "type": "USER",
        });
        let (status, answer) = json(app.post("/1.0/me/identity/user", root, &body).await).await;
        assert_eq!((status, answer), (200, Value::Null));
        expect_error(
            app.post("/1.0/me/identity/user", root, &body).await,
            409,
            "Client::Conflict",
        )
        .await;

        let (status, logins) = json(app.get("/v1/me/identity/user", root).await).await;
        assert_eq!((status, logins), (200, json!(["alice"])));

        let (status, user) = json(app.get("/1.0/me/identity/user/alice", root).await).await;
        assert_eq!(status, 200, "{user}");
        let expected_keys = [
            "creation",
            "description",
            "email",
            "group",
            "lastUpdate",
            "login",
            "passwordLastUpdate",
            "status",
            "type",
            "urn",
        ];
        assert_eq!(
            keys(&user),
            expected_keys,
            "every field of auth.User and nothing else: {user}"
        );
        assert_eq!(user["login"], "alice");
        assert_eq!(user["email"], "alice@example.com");
        assert_eq!(user["description"], "Alice");
        assert_eq!(user["group"], "UNPRIVILEGED");
        assert_eq!(user["status"], "OK");
        assert_eq!(user["type"], "USER");
        assert_eq!(user["urn"], "urn:v1:eu:identity:user:xx1111-ovh/alice");
        assert!(user["passwordLastUpdate"].is_string(), "{user}");
        assert_eq!(user["creation"], user["lastUpdate"]);
        let stored = app
            .state
            .store
            .get_user("xx1111-ovh", "alice")
            .await
            .unwrap();
        assert!(
            stored.password_hash.starts_with("$argon2id$"),
            "Argon2id at rest"
        );
        assert!(
            !user.to_string().contains("argon2"),
            "the hash never leaves: {user}"
        );

        // Terraform's PUT, then a client sending back what it read (read-only fields ignored).
        let edit = json!({"email": "a@corp.example", "description": "Ops", "group": "DEFAULT"});
        let (status, answer) =
            json(app.put("/1.0/me/identity/user/alice", root, &edit).await).await;
        assert_eq!((status, answer), (200, Value::Null));
        let (_, edited) = json(app.get("/1.0/me/identity/user/alice", root).await).await;
        assert_eq!(
            (edited["email"].as_str(), edited["description"].as_str()),
            (Some("a@corp.example"), Some("Ops"))
        );
        assert_eq!(edited["group"], "DEFAULT");
        assert_eq!(edited["creation"], user["creation"]);
        assert!(
            instant(&edited["lastUpdate"]) > instant(&user["lastUpdate"]),
            "{edited}"
        );
        let mut echoed = edited.clone();
        echoed["email"] = Value::Null;
        let (status, _) = json(app.put("/1.0/me/identity/user/alice", root, &echoed).await).await;
        assert_eq!(status, 200);
        let (_, cleared) = json(app.get("/1.0/me/identity/user/alice", root).await).await;
        assert_eq!(
            (cleared["email"].clone(), cleared["group"].as_str()),
            (Value::Null, Some("DEFAULT"))
        );

        let (status, answer) = json(app.delete("/1.0/me/identity/user/alice", root).await).await;
        assert_eq!((status, answer), (200, Value::Null));
        expect_error(
            app.get("/1.0/me/identity/user/alice", root).await,
            404,
            "Client::NotFound",
        )
        .await;
        expect_error(
            app.delete("/1.0/me/identity/user/alice", root).await,
            404,
            "Client::NotFound",
        )
        .await;
        let (_, logins) = json(app.get("/1.0/me/identity/user", root).await).await;
        assert_eq!(logins, json!([]));
    }
}

#[tokio::test]
async fn a_user_needs_only_a_login() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let root = Some(account.token.as_str());
        let (status, _) = json(
            app.post("/1.0/me/identity/user", root, &json!({"login": "bot"}))
                .await,
        )
        .await;
        assert_eq!(status, 200);
        let (_, user) = json(app.get("/1.0/me/identity/user/bot", root).await).await;
        assert_eq!(user["group"], "DEFAULT");
        assert_eq!(user["email"], Value::Null);
        assert_eq!(user["description"], "");
        assert_eq!(
            user["passwordLastUpdate"],
            Value::Null,
            "no password was set"
        );
        assert_eq!(user["status"], "OK");
    }
}

#[tokio::test]
async fn user_input_is_validated_and_nothing_is_half_written() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let root = Some(account.token.as_str());
        let app = &app;
        let post =
            |body: Value| async move { app.post("/1.0/me/identity/user", root, &body).await };
        for login in [
            "",
            ".",
            "..",
            "has space",
            "a/b",
            "a:b",
            "st*r",
            "50%",
            "é",
            &"x".repeat(65),
        ] {
            let body = expect_error(
                post(json!({"login": login})).await,
                400,
                "Client::BadRequest::INVALID_LOGIN",
            )
            .await;
            assert!(
                body["message"].as_str().unwrap().contains("64"),
                "the message says the rule: {body}"
            );
        }
        // ("" is no password at all: see fidelity.rs.)
        for password in ["Short1!", "alllowercaseletters", "ALLUPPERCASE LETTERS"] {
            let weak = post(json!({"login": "bob", "password": password})).await;
            expect_error(weak, 400, "Client::BadRequest::INVALID_PASSWORD").await;
        }
        let unknown_group =
            post(json!({"login": "bob", "group": "nope", "password": PASSWORD})).await;
        let body = expect_error(unknown_group, 400, "Client::BadRequest::INVALID_GROUP").await;
        assert!(body["message"].as_str().unwrap().contains("nope"), "{body}");
        for kind in ["ROOT", "SERVICE"] {
            let body = expect_error(
                post(json!({"login": "bob", "type": kind})).await,
                400,
                "Client::BadRequest::INVALID_TYPE",
            )
            .await;
            assert!(body["message"].as_str().unwrap().contains("USER"), "{body}");
        }
        expect_error(
            post(json!({"login": "bob", "type": "GOD"})).await,
            400,
            "Client::BadRequest",
        )
        .await;
        expect_error(
            post(json!({"login": "bob", "email": "not-an-address"})).await,
            400,
            "Client::BadRequest::INVALID_EMAIL",
        )
        .await;
        expect_error(
            post(json!({"login": "bob", "description": "d".repeat(1025)})).await,
            400,
            "Client::BadRequest",
        )
        .await;
        let unknown_field = expect_error(
            post(json!({"login": "bob", "pasword": PASSWORD})).await,
            400,
            "Client::BadRequest",
        )
        .await;
        assert!(
            unknown_field["message"]
                .as_str()
                .unwrap()
                .contains("pasword"),
            "{unknown_field}"
        );
        expect_error(
            post(json!({"email": "bob@example.com"})).await,
            400,
            "Client::BadRequest",
        )
        .await;

        let (_, logins) = json(app.get("/1.0/me/identity/user", root).await).await;
        assert_eq!(logins, json!([]), "nothing was half-written");
        let audit = app
            .state
            .store
            .list_audit("xx1111-ovh", &Default::default())
            .await
            .unwrap();
        assert!(
            audit.iter().all(|e| e.outcome != "success"),
            "no change was recorded: {audit:?}"
        );
    }
}

#[tokio::test]
async fn user_edits_are_validated() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let root = Some(account.token.as_str());
        create_user(&app, &account.token, "carol", "UNPRIVILEGED").await;
        let path = "/1.0/me/identity/user/carol";
        let app = &app;
        let put = |body: Value| async move { app.put(path, root, &body).await };
        expect_error(
            put(json!({"group": "nope"})).await,
            400,
            "Client::BadRequest::INVALID_GROUP",
        )
        .await;
        let password = expect_error(
            put(json!({"password": PASSWORD})).await,
            400,
            "Client::BadRequest",
        )
        .await;
        assert!(
            password["message"].as_str().unwrap().contains("password"),
            "{password}"
        );
        expect_error(
            put(json!({"login": "dave"})).await,
            400,
            "Client::BadRequest::INVALID_LOGIN",
        )
        .await;
        expect_error(
            put(json!({"email": "nope", "group": "ADMIN"})).await,
            400,
            "Client::BadRequest::INVALID_EMAIL",
        )
        .await;
        let (_, user) = json(app.get(path, root).await).await;
        assert_eq!(
            (user["group"].as_str(), user["email"].as_str()),
            (Some("UNPRIVILEGED"), Some("carol@example.com"))
        );
        expect_error(
            app.put("/1.0/me/identity/user/nobody", root, &json!({}))
                .await,
            404,
            "Client::NotFound",
        )
        .await;
    }
}

#[tokio::test]
async fn unknown_users_are_404_everywhere() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let root = Some(account.token.as_str());
        let base = "/1.0/me/identity/user/ghost";
        expect_error(app.get(base, root).await, 404, "Client::NotFound").await;
        expect_error(
            app.post(&format!("{base}/enable"), root, &json!({})).await,
            404,
            "Client::NotFound",
        )
        .await;
        expect_error(
            app.post(&format!("{base}/disable"), root, &json!({})).await,
            404,
            "Client::NotFound",
        )
        .await;
        expect_error(
            app.get(&format!("{base}/token"), root).await,
            404,
            "Client::NotFound",
        )
        .await;
        let token = json!({"name": "t", "description": "d"});
        expect_error(
            app.post(&format!("{base}/token"), root, &token).await,
            404,
            "Client::NotFound",
        )
        .await;
        expect_error(
            app.get(&format!("{base}/token/t"), root).await,
            404,
            "Client::NotFound",
        )
        .await;
    }
}

#[tokio::test]
async fn disabling_a_user_stops_its_tokens_at_once() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let root = Some(account.token.as_str());
        let pat = user_token(&app, &account.token, "erin", "DEFAULT").await;
        assert_eq!(app.get("/1.0/me", Some(&pat)).await.status(), 200);

        let (status, answer) = json(
            app.post("/1.0/me/identity/user/erin/disable", root, &json!({}))
                .await,
        )
        .await;
        assert_eq!((status, answer), (200, Value::Null));
        let refused = expect_error(
            app.get("/1.0/me", Some(&pat)).await,
            401,
            "Client::Unauthorized",
        )
        .await;
        assert_eq!(refused["errorCode"], "INVALID_CREDENTIAL");
        let (_, user) = json(app.get("/1.0/me/identity/user/erin", root).await).await;
        assert_eq!(user["status"], "DISABLED");

        // Enabling needs no body (python-ovh sends none).
        let enable = app
            .request(
                reqwest::Method::POST,
                "/v1/me/identity/user/erin/enable",
                root,
            )
            .send()
            .await
            .unwrap();
        assert_eq!(json(enable).await, (200, Value::Null));
        assert_eq!(app.get("/1.0/me", Some(&pat)).await.status(), 200);
        let (_, user) = json(app.get("/1.0/me/identity/user/erin", root).await).await;
        assert_eq!(user["status"], "OK");
    }
}

#[tokio::test]
async fn deleting_a_user_deletes_its_tokens() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let root = Some(account.token.as_str());
        let first = user_token(&app, &account.token, "frank", "DEFAULT").await;
        let second = create_token(&app, &account.token, "frank", "second").await;
        assert_eq!(app.get("/1.0/me", Some(&second)).await.status(), 200);

        let (status, _) = json(app.delete("/1.0/me/identity/user/frank", root).await).await;
        assert_eq!(status, 200);
        for pat in [&first, &second] {
            expect_error(
                app.get("/1.0/me", Some(pat)).await,
                401,
                "Client::Unauthorized",
            )
            .await;
            let hash = app.state.secrets.hash(pat);
            assert!(
                app.state
                    .store
                    .find_token_by_hash(&hash)
                    .await
                    .unwrap()
                    .is_none(),
                "the row is gone"
            );
        }
        create_user(&app, &account.token, "frank", "DEFAULT").await;
        let (_, names) = json(app.get("/1.0/me/identity/user/frank/token", root).await).await;
        assert_eq!(
            names,
            json!([]),
            "a new user of the same login inherits nothing"
        );
        assert_eq!(
            app.get("/1.0/me", root).await.status(),
            200,
            "the root's own token is untouched"
        );
    }
}
