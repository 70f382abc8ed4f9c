//! `/me/identity/group`: user groups, default groups, roles.

use serde_json::json;

use crate::helpers::{TestApp, backends, expect_error, json};

#[tokio::test]
async fn default_groups_exist_and_cannot_be_changed() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let token = Some(account.token.as_str());
        let (status, names) = json(app.get("/1.0/me/identity/group", token).await).await;
        assert_eq!(status, 200);
        assert_eq!(names, json!(["ADMIN", "DEFAULT", "UNPRIVILEGED"]));

        let (_, admin) = json(app.get("/1.0/me/identity/group/ADMIN", token).await).await;
        assert_eq!(admin["role"], "ADMIN");
        assert_eq!(admin["defaultGroup"], true);
        assert_eq!(admin["urn"], "urn:v1:eu:identity:group:xx1111-ovh/ADMIN");

        let edit = app
            .put(
                "/1.0/me/identity/group/ADMIN",
                token,
                &json!({"role": "NONE"}),
            )
            .await;
        expect_error(edit, 403, "Client::Forbidden").await;
        expect_error(
            app.delete("/1.0/me/identity/group/DEFAULT", token).await,
            403,
            "Client::Forbidden",
        )
        .await;
    }
}

#[tokio::test]
async fn group_lifecycle() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let token = Some(account.token.as_str());
        let body =
            json!({"name": "admin@mycompany.com", "description": "Admins", "role": "REGULAR"});
        let (status, created) = json(app.post("/1.0/me/identity/group", token, &body).await).await;
        assert_eq!(status, 200, "{created}");
        assert_eq!(
            created["urn"],
            "urn:v1:eu:identity:group:xx1111-ovh/admin@mycompany.com"
        );
        assert_eq!(created["defaultGroup"], false);

        let duplicate = app.post("/1.0/me/identity/group", token, &body).await;
        expect_error(duplicate, 409, "Client::Conflict").await;

        let path = "/1.0/me/identity/group/admin@mycompany.com";
        let (status, edited) = json(
            app.put(path, token, &json!({"description": "Ops", "role": "NONE"}))
                .await,
        )
        .await;
        assert_eq!((status, edited), (200, serde_json::Value::Null));
        let (_, got) = json(app.get(path, token).await).await;
        assert_eq!(
            (got["description"].as_str(), got["role"].as_str()),
            (Some("Ops"), Some("NONE"))
        );

        let (status, body) = json(app.delete(path, token).await).await;
        assert_eq!((status, body), (200, serde_json::Value::Null));
        expect_error(app.get(path, token).await, 404, "Client::NotFound").await;
    }
}

#[tokio::test]
async fn group_input_is_validated() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let account = app.create_account("xx1111-ovh").await;
    let token = Some(account.token.as_str());
    for name in ["", "has space", "a/b", "a:b", "star*"] {
        let response = app
            .post("/1.0/me/identity/group", token, &json!({"name": name}))
            .await;
        expect_error(response, 400, "Client::BadRequest::INVALID_NAME").await;
    }
    let bad_role = app
        .post(
            "/1.0/me/identity/group",
            token,
            &json!({"name": "x", "role": "GOD"}),
        )
        .await;
    let body = expect_error(bad_role, 400, "Client::BadRequest").await;
    assert!(body["message"].as_str().unwrap().contains("role"), "{body}");
    let unknown_field = app
        .post(
            "/1.0/me/identity/group",
            token,
            &json!({"name": "x", "rolle": "NONE"}),
        )
        .await;
    expect_error(unknown_field, 400, "Client::BadRequest").await;
    let (_, names) = json(app.get("/1.0/me/identity/group", token).await).await;
    assert_eq!(
        names.as_array().unwrap().len(),
        3,
        "nothing was half-written: {names}"
    );
}
