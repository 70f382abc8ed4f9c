//! `/v2/iam/resource`: the inventory, its filters, URNs in paths, and tags.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, backends, expect_error, json};
use crate::v2_support::{enc, register, user_token};

const NIC: &str = "xx1111-ovh";
const VPS: &str = "urn:v1:eu:resource:vps:vps-1.example.net";

fn urns(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["urn"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn resources_are_listed_and_read_by_urn() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let token = app.create_account(NIC).await.token;
        let token = Some(token.as_str());
        let slashed = "urn:v1:eu:resource:dnsZone:example.com/records";
        register(&app, NIC, VPS, &[("env", "prod")]).await;
        register(&app, NIC, slashed, &[]).await;
        let (status, list) = json(app.get("/v2/iam/resource", token).await).await;
        assert_eq!(status, 200);
        assert_eq!(
            urns(&list),
            ["urn:v1:eu:resource:account:xx1111-ovh", VPS, slashed]
        );
        let account = &list[0];
        assert_eq!(
            (
                account["type"].as_str(),
                account["owner"].as_str(),
                account["name"].as_str()
            ),
            (Some("account"), Some(NIC), Some(NIC))
        );

        let (status, vps) = json(
            app.get(&format!("/v2/iam/resource/{}", enc(VPS)), token)
                .await,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            vps,
            json!({"id": vps["id"], "urn": VPS, "name": "vps-1.example.net", "displayName": "vps-1.example.net", "owner": NIC, "type": "vps", "tags": {"env": "prod"}})
        );
        let path = format!("/v2/iam/resource/{}", enc(slashed));
        assert!(path.contains("%2F"), "{path}");
        let (status, zone) = json(app.get(&path, token).await).await;
        assert_eq!(
            (status, zone["name"].as_str()),
            (200, Some("example.com/records"))
        );
        let missing = format!("/v2/iam/resource/{}", enc("urn:v1:eu:resource:vps:nope"));
        expect_error(app.get(&missing, token).await, 404, "Client::NotFound").await;
        expect_error(
            app.get("/v2/iam/resource", None).await,
            401,
            "Client::Unauthorized",
        )
        .await;
    }
}

#[tokio::test]
async fn list_filters_by_name_type_urn_and_tags() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.create_account(NIC).await.token;
    let token = Some(token.as_str());
    register(&app, NIC, VPS, &[("env", "prod"), ("team", "web")]).await;
    register(
        &app,
        NIC,
        "urn:v1:eu:resource:vps:vps-2.example.net",
        &[("env", "dev")],
    )
    .await;
    register(
        &app,
        NIC,
        "urn:v1:eu:resource:dnsZone:example.com",
        &[("env", "Production")],
    )
    .await;
    let cases: [(&str, Vec<&str>); 12] = [
        (
            "resourceType=vps",
            vec![VPS, "urn:v1:eu:resource:vps:vps-2.example.net"],
        ),
        (
            "resourceType=dnsZone&resourceType=account",
            vec![
                "urn:v1:eu:resource:account:xx1111-ovh",
                "urn:v1:eu:resource:dnsZone:example.com",
            ],
        ),
        (
            "resourceName=vps-2.example.net",
            vec!["urn:v1:eu:resource:vps:vps-2.example.net"],
        ),
        (
            "resourceURN=urn:v1:eu:resource:vps:*",
            vec![VPS, "urn:v1:eu:resource:vps:vps-2.example.net"],
        ),
        (
            "resourceURN=*example.com",
            vec!["urn:v1:eu:resource:dnsZone:example.com"],
        ),
        ("tags[env]=prod", vec![VPS]),
        (
            "tags[env][NEQ]=prod&resourceType=vps",
            vec!["urn:v1:eu:resource:vps:vps-2.example.net"],
        ),
        ("tags[team][EXISTS]", vec![VPS]),
        (
            "tags[env][NEXISTS]",
            vec!["urn:v1:eu:resource:account:xx1111-ovh"],
        ),
        (
            "tags[env][ILIKE]=prod%25",
            vec![VPS, "urn:v1:eu:resource:dnsZone:example.com"],
        ),
        (
            "tags[env][LIKE]=Prod%25",
            vec!["urn:v1:eu:resource:dnsZone:example.com"],
        ),
        (
            "tags[env]=prod&tags[env]=dev",
            vec![VPS, "urn:v1:eu:resource:vps:vps-2.example.net"],
        ),
    ];
    for (query, expected) in cases {
        let (status, list) = json(app.get(&format!("/v2/iam/resource?{query}"), token).await).await;
        assert_eq!(status, 200, "{query}: {list}");
        assert_eq!(urns(&list), expected, "{query}");
    }
    let as_json =
        enc(r#"{"env":[{"operator":"EQ","value":"dev"}],"team":[{"operator":"NEXISTS"}]}"#);
    let (_, list) = json(
        app.get(&format!("/v2/iam/resource?tags={as_json}"), token)
            .await,
    )
    .await;
    assert_eq!(urns(&list), ["urn:v1:eu:resource:vps:vps-2.example.net"]);
    for bad in [
        "tags[env][GT]=1",
        "tags=notjson",
        "resourceURN=*",
        "tags[env=1",
    ] {
        expect_error(
            app.get(&format!("/v2/iam/resource?{bad}"), token).await,
            400,
            if bad.starts_with("resourceURN") {
                "Client::BadRequest::INVALID_RESOURCE_URN"
            } else {
                "Client::BadRequest"
            },
        )
        .await;
    }
}

#[tokio::test]
async fn tags_are_replaced_added_and_removed() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let token = app.create_account(NIC).await.token;
        let token = Some(token.as_str());
        register(&app, NIC, VPS, &[("ovh:region", "gra"), ("env", "dev")]).await;
        let path = format!("/v2/iam/resource/{}", enc(VPS));

        let (status, edited) = json(
            app.put(
                &path,
                token,
                &json!({"tags": {"env": "prod", "team": "web"}}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{edited}");
        assert_eq!(
            edited["tags"],
            json!({"env": "prod", "ovh:region": "gra", "team": "web"}),
            "computed tags are kept"
        );

        let (status, body) = json(
            app.post(
                &format!("{path}/tag"),
                token,
                &json!({"key": "owner", "value": "alice@example.com"}),
            )
            .await,
        )
        .await;
        assert_eq!((status, body), (200, Value::Null));
        let (status, body) = json(app.delete(&format!("{path}/tag/team"), token).await).await;
        assert_eq!((status, body), (200, Value::Null));
        let (_, got) = json(app.get(&path, token).await).await;
        assert_eq!(
            got["tags"],
            json!({"env": "prod", "ovh:region": "gra", "owner": "alice@example.com"})
        );

        let (_, cleared) = json(app.put(&path, token, &json!({})).await).await;
        assert_eq!(
            cleared["tags"],
            json!({"ovh:region": "gra"}),
            "a PUT without tags clears the account's tags"
        );

        for bad in [
            json!({"key": "ovh:region", "value": "x"}),
            json!({"key": "has space", "value": "x"}),
            json!({"key": "k", "value": "a b"}),
            json!({"key": "k"}),
        ] {
            crate::v2_support::expect_error_like(
                app.post(&format!("{path}/tag"), token, &bad).await,
                400,
                "Client::BadRequest",
            )
            .await;
        }
        expect_error(
            app.put(&path, token, &json!({"tags": {"ovh:x": "y"}}))
                .await,
            400,
            "Client::BadRequest::INVALID_TAG",
        )
        .await;
        expect_error(
            app.delete(&format!("{path}/tag/ovh:region"), token).await,
            400,
            "Client::BadRequest::INVALID_TAG",
        )
        .await;
        expect_error(
            app.delete(&format!("{path}/tag/nope"), token).await,
            404,
            "Client::NotFound",
        )
        .await;
        let missing = format!("/v2/iam/resource/{}", enc("urn:v1:eu:resource:vps:nope"));
        expect_error(
            app.put(&missing, token, &json!({"tags": {}})).await,
            404,
            "Client::NotFound",
        )
        .await;
    }
}

#[tokio::test]
async fn tag_writes_need_their_actions_and_reads_need_none() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let root = app.create_account(NIC).await.token;
    register(&app, NIC, VPS, &[]).await;
    let (status, _) = json(
        app.post(
            "/1.0/me/identity/group",
            Some(&root),
            &json!({"name": "nobody", "role": "NONE"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    let bob = user_token(&app, NIC, "bob", "nobody").await;
    let bob = Some(bob.as_str());
    let path = format!("/v2/iam/resource/{}", enc(VPS));
    let (status, _) = json(app.get(&path, bob).await).await;
    assert_eq!(status, 200, "reading the inventory needs no action");
    let denied = expect_error(
        app.put(&path, bob, &json!({"tags": {"a": "b"}})).await,
        403,
        "Client::Forbidden",
    )
    .await;
    assert_eq!(
        denied["details"]["unauthorizedActionsByIAM"],
        "account:apiovh:iam/resource/edit"
    );
    let denied = expect_error(
        app.post(
            &format!("{path}/tag"),
            bob,
            &json!({"key": "a", "value": "b"}),
        )
        .await,
        403,
        "Client::Forbidden",
    )
    .await;
    assert_eq!(
        denied["details"]["unauthorizedActionsByIAM"],
        "account:apiovh:iam/resource/tag/add"
    );
    let denied = expect_error(
        app.delete(&format!("{path}/tag/a"), bob).await,
        403,
        "Client::Forbidden",
    )
    .await;
    assert_eq!(
        denied["details"]["unauthorizedActionsByIAM"],
        "account:apiovh:iam/resource/tag/remove"
    );
}
