//! `/v2/iam/policy`: lifecycle, validation, read-only policies, filters, pagination, details.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, backends, expect_error, json};
use crate::v2_support::{enc, register};

const NIC: &str = "xx1111-ovh";

/// The seed's example policy.
fn vps_reboot_snapshot() -> Value {
    json!({
        "description": "VPS - reboot and create snapshot",
        "identities": ["urn:v1:eu:identity:user:xx1111-ovh/user1"],
        "name": "vps-reboot-snapshot",
        "permissions": {"allow": [{"action": "vps:apiovh:reboot"}, {"action": "vps:apiovh:createSnapshot"}]},
        "resources": [{"urn": "urn:v1:eu:resource:vps:vps-5b48d78b.vps.ovh.net"}]
    })
}

fn named(name: &str, identity: &str, resource: &str, action: &str) -> Value {
    json!({
        "name": name,
        "identities": [identity],
        "resources": [{"urn": resource}],
        "permissions": {"allow": [{"action": action}]}
    })
}

async fn create(app: &TestApp, token: &str, body: &Value) -> Value {
    let (status, created) = json(app.post("/v2/iam/policy", Some(token), body).await).await;
    assert_eq!(status, 200, "{created}");
    created
}

#[tokio::test]
async fn policy_lifecycle() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let token = app.create_account(NIC).await.token;
        let token = token.as_str();
        let created = create(&app, token, &vps_reboot_snapshot()).await;
        assert_eq!(created["owner"], NIC);
        assert_eq!(created["readOnly"], false);
        assert_eq!(created["permissionsGroups"], json!([]));
        assert!(
            created["createdAt"].is_string() && created["updatedAt"] == created["createdAt"],
            "updatedAt equals createdAt until the first change: {created}"
        );
        let id = created["id"].as_str().unwrap();
        let path = format!("/v2/iam/policy/{id}");

        let (status, got) = json(app.get(&path, Some(token)).await).await;
        assert_eq!((status, &got), (200, &created));

        let mut update = named(
            "vps-reboot-only",
            "urn:v1:eu:identity:user:xx1111-ovh/user1",
            "urn:v1:eu:resource:vps:*",
            "vps:apiovh:reboot",
        );
        update["conditions"] =
            json!({"operator": "MATCH", "values": {"resource.Tag(env)": "prod"}});
        let (status, replaced) = json(app.put(&path, Some(token), &update).await).await;
        assert_eq!(status, 200, "{replaced}");
        assert_eq!(
            (replaced["id"].as_str(), &replaced["createdAt"]),
            (Some(id), &created["createdAt"])
        );
        assert_eq!(replaced["name"], "vps-reboot-only");
        assert!(
            replaced.get("description").is_none(),
            "a full replace drops what is not sent: {replaced}"
        );
        assert!(replaced["updatedAt"].is_string());
        assert_ne!(replaced["updatedAt"], created["updatedAt"], "{replaced}");
        assert_eq!(
            replaced["conditions"]["values"]["resource.Tag(env)"],
            "prod"
        );
        let (_, got) = json(app.get(&path, Some(token)).await).await;
        assert_eq!(got, replaced);

        let (status, body) = json(app.delete(&path, Some(token)).await).await;
        assert_eq!((status, body), (200, Value::Null));
        expect_error(app.get(&path, Some(token)).await, 404, "Client::NotFound").await;
        expect_error(
            app.delete(&path, Some(token)).await,
            404,
            "Client::NotFound",
        )
        .await;
        expect_error(
            app.put(&path, Some(token), &update).await,
            404,
            "Client::NotFound",
        )
        .await;
    }
}

#[tokio::test]
async fn policy_input_is_validated() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.create_account(NIC).await.token;
    let token = Some(token.as_str());
    let cases = [
        (
            "resources",
            json!([{"urn": "*"}]),
            "Client::BadRequest::INVALID_RESOURCE_URN",
        ),
        (
            "resources",
            json!([{"urn": "urn:v1:eu:vps:x"}]),
            "Client::BadRequest::INVALID_RESOURCE_URN",
        ),
        (
            "identities",
            json!(["bob"]),
            "Client::BadRequest::INVALID_IDENTITY_URN",
        ),
        (
            "permissions",
            json!({"allow": [{"action": "not an action"}]}),
            "Client::BadRequest::INVALID_ACTION",
        ),
        (
            "permissions",
            json!({}),
            "Client::BadRequest::INVALID_PERMISSIONS",
        ),
        (
            "conditions",
            json!({"operator": "MATCH", "values": {"resource.Nope": "x"}}),
            "Client::BadRequest::INVALID_CONDITION",
        ),
        (
            "name",
            json!("ovh-mine"),
            "Client::BadRequest::INVALID_NAME",
        ),
        (
            "name",
            json!("has space"),
            "Client::BadRequest::INVALID_NAME",
        ),
        ("identities", json!([]), "Client::BadRequest::MISSING_FIELD"),
        (
            "permissionsGroups",
            json!([{"urn": "urn:v1:eu:permissionsGroup:xx1111-ovh:nope"}]),
            "Client::BadRequest::INVALID_PERMISSIONS_GROUP_URN",
        ),
        (
            "description",
            json!("nul\u{0}inside"),
            "Client::BadRequest::INVALID_DESCRIPTION",
        ),
    ];
    for (field, value, class) in cases {
        let mut body = vps_reboot_snapshot();
        body[field] = value.clone();
        let error = expect_error(app.post("/v2/iam/policy", token, &body).await, 400, class).await;
        assert!(
            error["message"].as_str().unwrap().contains(field)
                || field == "name"
                || field == "conditions",
            "{field}: {error}"
        );
    }
    let mut missing = vps_reboot_snapshot();
    missing.as_object_mut().unwrap().remove("permissions");
    expect_error(
        app.post("/v2/iam/policy", token, &missing).await,
        400,
        "Client::BadRequest",
    )
    .await;
    let (_, list) = json(app.get("/v2/iam/policy", token).await).await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "only ovh-default: {list}"
    );
}

#[tokio::test]
async fn names_are_unique_and_server_fields_are_the_servers() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let token = app.create_account(NIC).await.token;
        let token = token.as_str();
        let mut body = vps_reboot_snapshot();
        body["owner"] = json!("someone-else");
        body["readOnly"] = json!(true);
        body["id"] = json!("00000000-0000-0000-0000-000000000001");
        body["createdAt"] = json!("2000-01-01T00:00:00Z");
        let created = create(&app, token, &body).await;
        assert_eq!(
            (created["owner"].as_str(), created["readOnly"].as_bool()),
            (Some(NIC), Some(false))
        );
        assert_ne!(created["id"], body["id"]);
        assert_ne!(created["createdAt"], body["createdAt"]);
        let duplicate = app
            .post("/v2/iam/policy", Some(token), &vps_reboot_snapshot())
            .await;
        expect_error(duplicate, 409, "Client::Conflict").await;

        let other = create(
            &app,
            token,
            &named(
                "other",
                "urn:v1:eu:identity:account:xx1111-ovh",
                "urn:v1:eu:resource:vps:*",
                "*",
            ),
        )
        .await;
        let path = format!("/v2/iam/policy/{}", other["id"].as_str().unwrap());
        let rename = named(
            "vps-reboot-snapshot",
            "urn:v1:eu:identity:account:xx1111-ovh",
            "urn:v1:eu:resource:vps:*",
            "*",
        );
        expect_error(
            app.put(&path, Some(token), &rename).await,
            409,
            "Client::Conflict",
        )
        .await;
    }
}

#[tokio::test]
async fn read_only_policies_cannot_be_changed() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let token = app.create_account(NIC).await.token;
        let token = Some(token.as_str());
        let (status, list) = json(app.get("/v2/iam/policy?readOnly=true", token).await).await;
        assert_eq!(status, 200);
        let default = &list.as_array().unwrap()[0];
        assert_eq!(
            (default["name"].as_str(), default["readOnly"].as_bool()),
            (Some("ovh-default"), Some(true))
        );
        let path = format!("/v2/iam/policy/{}", default["id"].as_str().unwrap());
        let edit = app
            .put(
                &path,
                token,
                &named(
                    "mine",
                    "urn:v1:eu:identity:account:xx1111-ovh",
                    "urn:v1:eu:resource:vps:*",
                    "*",
                ),
            )
            .await;
        let error = expect_error(edit, 403, "Client::Forbidden").await;
        assert!(
            error["message"].as_str().unwrap().contains("read-only"),
            "{error}"
        );
        let error = expect_error(app.delete(&path, token).await, 403, "Client::Forbidden").await;
        assert!(
            error["message"].as_str().unwrap().contains("read-only"),
            "{error}"
        );
        let (_, still) = json(app.get(&path, token).await).await;
        assert_eq!(&still, default);
    }
}

#[tokio::test]
async fn list_filters() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.create_account(NIC).await.token;
    let root = token.as_str();
    let token = Some(root);
    let alice = "urn:v1:eu:identity:user:xx1111-ovh/alice";
    create(
        &app,
        root,
        &named("a", alice, "urn:v1:eu:resource:vps:v1", "vps:apiovh:reboot"),
    )
    .await;
    create(
        &app,
        root,
        &named(
            "b",
            "urn:v1:eu:identity:user:xx1111-ovh/*",
            "urn:v1:eu:resource:vps:*",
            "vps:apiovh:*",
        ),
    )
    .await;
    create(
        &app,
        root,
        &named(
            "c",
            "urn:v1:eu:identity:group:xx1111-ovh/ops",
            "urn:v1:eu:resource:dnsZone:z",
            "dnsZone:apiovh:get",
        ),
    )
    .await;
    let names = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let cases = [
        (format!("identity={}", enc(alice)), vec!["a", "b"]),
        (
            format!(
                "identity={}&identity={}",
                enc(alice),
                enc("urn:v1:eu:identity:group:xx1111-ovh/ops")
            ),
            vec!["a", "b", "c"],
        ),
        (
            format!("resourceURN={}", enc("urn:v1:eu:resource:vps:v2")),
            vec!["b"],
        ),
        (
            "action=vps:apiovh:reboot".to_owned(),
            vec!["ovh-default", "a", "b"],
        ),
        (
            "action=dnsZone:apiovh:get&readOnly=false".to_owned(),
            vec!["c"],
        ),
        ("readOnly=true".to_owned(), vec!["ovh-default"]),
        (
            format!("identity={}&action=vps:apiovh:stop", enc(alice)),
            vec!["b"],
        ),
        (
            "identity=urn:v1:eu:identity:user:yy2222-ovh/alice".to_owned(),
            vec![],
        ),
    ];
    for (query, expected) in cases {
        let (status, list) = json(app.get(&format!("/v2/iam/policy?{query}"), token).await).await;
        assert_eq!(status, 200, "{query}: {list}");
        assert_eq!(names(&list), expected, "{query}");
    }
    expect_error(
        app.get("/v2/iam/policy?readOnly=maybe", token).await,
        400,
        "Client::BadRequest",
    )
    .await;
    expect_error(
        app.get("/v2/iam/policy?details=1", token).await,
        400,
        "Client::BadRequest",
    )
    .await;
}

#[tokio::test]
async fn lists_paginate_with_a_cursor() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let token = app.create_account(NIC).await.token;
        let token = token.as_str();
        for i in 0..5 {
            create(
                &app,
                token,
                &named(
                    &format!("p{i}"),
                    "urn:v1:eu:identity:account:xx1111-ovh",
                    "urn:v1:eu:resource:vps:*",
                    "*",
                ),
            )
            .await;
        }
        let (_, everything) = json(app.get("/v2/iam/policy", Some(token)).await).await;
        assert_eq!(
            everything.as_array().unwrap().len(),
            6,
            "no size: the whole list"
        );
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut request = app
                .request(reqwest::Method::GET, "/v2/iam/policy", Some(token))
                .header("X-Pagination-Size", "4");
            if let Some(c) = &cursor {
                request = request.header("X-Pagination-Cursor", c);
            }
            let response = request.send().await.unwrap();
            let next = response
                .headers()
                .get("x-pagination-cursor-next")
                .map(|v| v.to_str().unwrap().to_owned());
            let (status, page) = json(response).await;
            assert_eq!(status, 200, "{page}");
            seen.extend(page.as_array().unwrap().iter().cloned());
            pages += 1;
            match next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(pages, 2);
        assert_eq!(
            Value::Array(seen),
            everything,
            "pages cover the list once, in order"
        );
        for (header, value) in [
            ("X-Pagination-Size", "0"),
            ("X-Pagination-Size", "many"),
            ("X-Pagination-Cursor", "!!"),
        ] {
            let response = app
                .request(reqwest::Method::GET, "/v2/iam/policy", Some(token))
                .header(header, value)
                .send()
                .await
                .unwrap();
            expect_error(
                response,
                400,
                if header == "X-Pagination-Size" {
                    "Client::BadRequest::INVALID_PAGE_SIZE"
                } else {
                    "Client::BadRequest::INVALID_CURSOR"
                },
            )
            .await;
        }
    }
}

#[tokio::test]
async fn details_expand_resources_groups_and_permissions_groups() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let token = app.create_account(NIC).await.token;
        let root = token.as_str();
        let token = Some(root);
        let vps = register(
            &app,
            NIC,
            "urn:v1:eu:resource:vps:vps-1.example.net",
            &[("env", "prod")],
        )
        .await;
        let (_, group) = json(
            app.post(
                "/v2/iam/resourceGroup",
                token,
                &json!({"name": "web", "resources": [{"id": vps["id"]}]}),
            )
            .await,
        )
        .await;
        let mut body = named(
            "detailed",
            "urn:v1:eu:identity:account:xx1111-ovh",
            "urn:v1:eu:resource:vps:vps-1.example.net",
            "vps:apiovh:reboot",
        );
        body["resources"]
            .as_array_mut()
            .unwrap()
            .push(json!({"urn": group["urn"]}));
        body["permissionsGroups"] = json!([{"urn": "urn:v1:eu:permissionsGroup:ovh:globalAdmin"}]);
        let created = create(&app, root, &body).await;
        assert_eq!(
            created["resources"],
            json!([{"urn": "urn:v1:eu:resource:vps:vps-1.example.net"}, {"urn": group["urn"]}])
        );
        assert_eq!(
            created["permissionsGroups"],
            json!([{"urn": "urn:v1:eu:permissionsGroup:ovh:globalAdmin"}])
        );
        let path = format!(
            "/v2/iam/policy/{}?details=true",
            created["id"].as_str().unwrap()
        );
        let (status, detailed) = json(app.get(&path, token).await).await;
        assert_eq!(status, 200);
        let resource = &detailed["resources"][0]["resource"];
        assert_eq!(
            (
                resource["id"].clone(),
                resource["type"].as_str(),
                resource["tags"]["env"].as_str()
            ),
            (vps["id"].clone(), Some("vps"), Some("prod"))
        );
        assert_eq!(
            detailed["resources"][1]["group"],
            json!({"id": group["id"], "name": "web", "readOnly": false})
        );
        assert_eq!(detailed["permissionsGroups"][0]["owner"], "ovh");
        assert_eq!(
            detailed["permissionsGroups"][0]["permissions"]["allow"],
            json!([{"action": "*"}])
        );
        let (_, listed) = json(
            app.get("/v2/iam/policy?details=true&readOnly=true", token)
                .await,
        )
        .await;
        assert_eq!(
            listed[0]["resources"][0]["group"]["readOnly"], true,
            "the default group: {listed}"
        );
    }
}

#[tokio::test]
async fn another_account_sees_none_of_it() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mine = app.create_account(NIC).await.token;
    let theirs = app.create_account("yy2222-ovh").await.token;
    let created = create(&app, &mine, &vps_reboot_snapshot()).await;
    register(&app, NIC, "urn:v1:eu:resource:vps:v1", &[]).await;
    let (_, group) = json(
        app.post("/v2/iam/resourceGroup", Some(&mine), &json!({"name": "g"}))
            .await,
    )
    .await;
    let policy = format!("/v2/iam/policy/{}", created["id"].as_str().unwrap());
    expect_error(
        app.get(&policy, Some(&theirs)).await,
        404,
        "Client::NotFound",
    )
    .await;
    expect_error(
        app.delete(&policy, Some(&theirs)).await,
        404,
        "Client::NotFound",
    )
    .await;
    let group = format!("/v2/iam/resourceGroup/{}", group["id"].as_str().unwrap());
    expect_error(
        app.get(&group, Some(&theirs)).await,
        404,
        "Client::NotFound",
    )
    .await;
    let resource = format!("/v2/iam/resource/{}", enc("urn:v1:eu:resource:vps:v1"));
    expect_error(
        app.get(&resource, Some(&theirs)).await,
        404,
        "Client::NotFound",
    )
    .await;
    let (_, list) = json(app.get("/v2/iam/policy", Some(&theirs)).await).await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "only their own ovh-default: {list}"
    );
    let member = json!({"name": "steal", "resources": [{"urn": "urn:v1:eu:resource:vps:v1"}]});
    expect_error(
        app.post("/v2/iam/resourceGroup", Some(&theirs), &member)
            .await,
        400,
        "Client::BadRequest::INVALID_RESOURCE",
    )
    .await;
}
