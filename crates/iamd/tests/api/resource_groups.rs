//! `/v2/iam/resourceGroup` and `/v2/iam/permissionsGroup`: CRUD, members by id or URN,
//! details, the read-only default group and the built-in permissions groups.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, backends, expect_error, json};
use crate::v2_support::{enc, register};

const NIC: &str = "xx1111-ovh";

#[tokio::test]
async fn resource_group_lifecycle() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let token = app.create_account(NIC).await.token;
        let token = Some(token.as_str());
        let v1 = register(&app, NIC, "urn:v1:eu:resource:vps:v1", &[("env", "prod")]).await;
        let v2 = register(&app, NIC, "urn:v1:eu:resource:vps:v2", &[]).await;
        let body = json!({"name": "web", "resources": [{"id": v1["id"]}, {"urn": v2["urn"]}, {"id": v1["id"]}]});
        let (status, created) = json(app.post("/v2/iam/resourceGroup", token, &body).await).await;
        assert_eq!(status, 200, "{created}");
        let id = created["id"].as_str().unwrap();
        assert_eq!(created["urn"], format!("urn:v1:eu:resourceGroup:{id}"));
        assert_eq!(
            (created["owner"].as_str(), created["readOnly"].as_bool()),
            (Some(NIC), Some(false))
        );
        assert_eq!(
            created["resources"],
            json!([{"id": v1["id"]}, {"id": v2["id"]}]),
            "members in order, once"
        );

        let path = format!("/v2/iam/resourceGroup/{id}");
        let (_, detailed) = json(app.get(&format!("{path}?details=true"), token).await).await;
        assert_eq!(
            detailed["resources"][0], v1,
            "details expand members to the resource"
        );
        let (_, plain) = json(app.get(&path, token).await).await;
        assert_eq!(plain, created);

        let (status, replaced) = json(
            app.put(
                &path,
                token,
                &json!({"name": "web2", "resources": [{"urn": "urn:v1:eu:resource:vps:v2"}]}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{replaced}");
        assert_eq!(
            (replaced["name"].as_str(), &replaced["resources"]),
            (Some("web2"), &json!([{"id": v2["id"]}]))
        );
        assert!(replaced["updatedAt"].is_string());

        let (_, list) = json(app.get("/v2/iam/resourceGroup?details=true", token).await).await;
        assert_eq!(list.as_array().unwrap().len(), 2);
        assert_eq!(list[1]["resources"][0]["urn"], "urn:v1:eu:resource:vps:v2");

        let (status, body) = json(app.delete(&path, token).await).await;
        assert_eq!((status, body), (200, Value::Null));
        expect_error(app.get(&path, token).await, 404, "Client::NotFound").await;
    }
}

#[tokio::test]
async fn the_default_group_holds_everything_and_is_read_only() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.create_account(NIC).await.token;
    let token = Some(token.as_str());
    let v1 = register(&app, NIC, "urn:v1:eu:resource:vps:v1", &[]).await;
    let (_, list) = json(app.get("/v2/iam/resourceGroup", token).await).await;
    let default = &list[0];
    assert_eq!(
        (default["readOnly"].as_bool(), default["name"].as_str()),
        (Some(true), Some("ovh-default"))
    );
    assert_eq!(default["resources"].as_array().unwrap().len(), 2);
    assert_eq!(default["resources"][1]["id"], v1["id"]);
    let path = format!("/v2/iam/resourceGroup/{}", default["id"].as_str().unwrap());
    let error = expect_error(
        app.put(&path, token, &json!({"name": "x", "resources": []}))
            .await,
        403,
        "Client::Forbidden",
    )
    .await;
    assert!(error["message"].as_str().unwrap().contains("read-only"));
    expect_error(app.delete(&path, token).await, 403, "Client::Forbidden").await;
}

#[tokio::test]
async fn resource_group_input_is_validated() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.create_account(NIC).await.token;
    let token = Some(token.as_str());
    let cases = [
        (json!({"name": ""}), "Client::BadRequest::INVALID_NAME"),
        (
            json!({"name": "x", "resources": [{"id": "6e1f2b7e-3a7d-4b8e-9d3c-1f2e3d4c5b6a"}]}),
            "Client::BadRequest::INVALID_RESOURCE",
        ),
        (
            json!({"name": "x", "resources": [{"urn": "urn:v1:eu:resource:vps:nope"}]}),
            "Client::BadRequest::INVALID_RESOURCE",
        ),
        (
            json!({"name": "x", "resources": [{}]}),
            "Client::BadRequest",
        ),
        (json!({"resources": []}), "Client::BadRequest"),
    ];
    for (body, class) in cases {
        expect_error(
            app.post("/v2/iam/resourceGroup", token, &body).await,
            400,
            class,
        )
        .await;
    }
    let (_, created) = json(
        app.post("/v2/iam/resourceGroup", token, &json!({"name": "empty"}))
            .await,
    )
    .await;
    assert_eq!(created["resources"], json!([]));
    let path = format!("/v2/iam/resourceGroup/{}", created["id"].as_str().unwrap());
    expect_error(
        app.put(&path, token, &json!({"name": "x"})).await,
        400,
        "Client::BadRequest::MISSING_FIELD",
    )
    .await;
    expect_error(
        app.get("/v2/iam/resourceGroup/not-a-uuid", token).await,
        400,
        "Client::BadRequest",
    )
    .await;
}

#[tokio::test]
async fn permissions_group_lifecycle_by_urn() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let token = app.create_account(NIC).await.token;
        let token = Some(token.as_str());
        let (_, list) = json(app.get("/v2/iam/permissionsGroup", token).await).await;
        assert_eq!(list[0]["urn"], "urn:v1:eu:permissionsGroup:ovh:globalAdmin");
        assert_eq!(
            (list[0]["id"].as_str(), list[0]["owner"].as_str()),
            (Some("00000000-0000-0000-0001-000000000001"), Some("ovh"))
        );

        let body = json!({"name": "myPermissions", "description": "Mine", "permissions": {"allow": [{"action": "*:apiovh:*"}], "except": [{"action": "vps:apiovh:delete"}]}});
        let (status, created) =
            json(app.post("/v2/iam/permissionsGroup", token, &body).await).await;
        assert_eq!(status, 200, "{created}");
        assert_eq!(
            (created["urn"].as_str(), created["owner"].as_str()),
            (
                Some("urn:v1:eu:permissionsGroup:xx1111-ovh:myPermissions"),
                Some(NIC)
            )
        );
        expect_error(
            app.post("/v2/iam/permissionsGroup", token, &body).await,
            409,
            "Client::Conflict",
        )
        .await;

        let path = format!(
            "/v2/iam/permissionsGroup/{}",
            enc("urn:v1:eu:permissionsGroup:xx1111-ovh:myPermissions")
        );
        let (_, got) = json(app.get(&path, token).await).await;
        assert_eq!(got, created);
        let edit = json!({"name": "myPermissions", "description": "Changed", "permissions": {"allow": [{"action": "vps:apiovh:*"}]}});
        let (status, edited) = json(app.put(&path, token, &edit).await).await;
        assert_eq!(status, 200, "{edited}");
        assert_eq!(
            (
                edited["description"].as_str(),
                edited["permissions"]["allow"][0]["action"].as_str()
            ),
            (Some("Changed"), Some("vps:apiovh:*"))
        );
        let rename = json!({"name": "other", "description": "x", "permissions": {"allow": [{"action": "*"}]}});
        expect_error(
            app.put(&path, token, &rename).await,
            400,
            "Client::BadRequest::INVALID_NAME",
        )
        .await;

        let (_, list) = json(app.get("/v2/iam/permissionsGroup", token).await).await;
        assert_eq!(list.as_array().unwrap().len(), 2);
        let (status, body) = json(app.delete(&path, token).await).await;
        assert_eq!((status, body), (200, Value::Null));
        expect_error(app.get(&path, token).await, 404, "Client::NotFound").await;
    }
}

#[tokio::test]
async fn built_in_permissions_groups_are_read_only() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.create_account(NIC).await.token;
    let token = Some(token.as_str());
    let path = "/v2/iam/permissionsGroup/urn:v1:eu:permissionsGroup:ovh:globalAdmin";
    let (status, admin) = json(app.get(path, token).await).await;
    assert_eq!(
        (status, admin["permissions"]["allow"][0]["action"].as_str()),
        (200, Some("*"))
    );
    let body = json!({"name": "globalAdmin", "description": "x", "permissions": {"allow": [{"action": "*"}]}});
    expect_error(app.put(path, token, &body).await, 403, "Client::Forbidden").await;
    expect_error(app.delete(path, token).await, 403, "Client::Forbidden").await;
    for bad in [
        json!({"name": "bad name", "description": "x", "permissions": {"allow": [{"action": "*"}]}}),
        json!({"name": "g", "description": "x", "permissions": {}}),
        json!({"name": "g", "permissions": {"allow": [{"action": "*"}]}}),
    ] {
        crate::v2_support::expect_error_like(
            app.post("/v2/iam/permissionsGroup", token, &bad).await,
            400,
            "Client::BadRequest",
        )
        .await;
    }
    expect_error(
        app.get(
            "/v2/iam/permissionsGroup/urn:v1:eu:permissionsGroup:xx1111-ovh:nope",
            token,
        )
        .await,
        404,
        "Client::NotFound",
    )
    .await;
}
