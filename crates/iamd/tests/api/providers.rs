//! Resource registration: the provider API (`/provider/v1`), provider credentials, declared
//! actions in the reference, and the `iamd resource` / `iamd provider` commands.

use std::process::Command;

use iamd::service::providers;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, backends, expect_error, json};
use crate::v2_support::enc;

const NIC: &str = "xx1111-ovh";
const VPS: &str = "urn:v1:eu:resource:vps:vps-1.example.net";

async fn provider(app: &TestApp, name: &str, types: &[&str]) -> String {
    let types = types.iter().map(|t| (*t).to_owned()).collect();
    providers::create(
        &*app.state.store,
        &app.state.secrets,
        name,
        types,
        chrono::Utc::now(),
    )
    .await
    .unwrap()
    .secret
}

fn resource_path(nic: &str, urn: &str) -> String {
    format!("/provider/v1/account/{nic}/resource/{}", enc(urn))
}

#[tokio::test]
async fn a_provider_registers_updates_and_removes_resources_of_its_types() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let root = app.create_account(NIC).await.token;
        let secret = provider(&app, "vps-api", &["vps"]).await;
        let path = resource_path(NIC, VPS);
        let body =
            json!({"displayName": "My VPS", "tags": {"ovh:datacenter": "gra1", "env": "prod"}});
        let (status, registered) = json(app.put(&path, Some(&secret), &body).await).await;
        assert_eq!(status, 200, "{registered}");
        assert_eq!(
            (
                registered["name"].as_str(),
                registered["displayName"].as_str()
            ),
            (Some("vps-1.example.net"), Some("My VPS"))
        );

        // The account sees it, in its default group, and can tag it.
        let (_, seen) = json(
            app.get(&format!("/v2/iam/resource/{}", enc(VPS)), Some(&root))
                .await,
        )
        .await;
        assert_eq!(seen, registered);
        let (_, groups) = json(app.get("/v2/iam/resourceGroup", Some(&root)).await).await;
        assert_eq!(
            groups[0]["resources"].as_array().unwrap().len(),
            2,
            "account + vps: {groups}"
        );
        let user_tag = app
            .post(
                &format!("/v2/iam/resource/{}/tag", enc(VPS)),
                Some(&root),
                &json!({"key": "team", "value": "web"}),
            )
            .await;
        assert_eq!(user_tag.status(), 200);

        // A re-registration replaces the computed tags and keeps the account's.
        let again = json!({"name": "vps-1", "tags": {"ovh:datacenter": "sbg1"}});
        let (_, updated) = json(app.put(&path, Some(&secret), &again).await).await;
        assert_eq!(updated["id"], registered["id"]);
        assert_eq!(
            updated["tags"],
            json!({"env": "prod", "ovh:datacenter": "sbg1", "team": "web"})
        );
        assert_eq!(
            updated["displayName"], "vps-1",
            "display name defaults to the name"
        );
        let (_, read) = json(app.get(&path, Some(&secret)).await).await;
        assert_eq!(read, updated);

        let (status, body) = json(app.delete(&path, Some(&secret)).await).await;
        assert_eq!((status, body), (200, Value::Null));
        expect_error(
            app.get(&format!("/v2/iam/resource/{}", enc(VPS)), Some(&root))
                .await,
            404,
            "Client::NotFound",
        )
        .await;
        let (_, groups) = json(app.get("/v2/iam/resourceGroup", Some(&root)).await).await;
        assert_eq!(
            groups[0]["resources"].as_array().unwrap().len(),
            1,
            "the default group follows: {groups}"
        );
        expect_error(
            app.delete(&path, Some(&secret)).await,
            404,
            "Client::NotFound",
        )
        .await;
    }
}

#[tokio::test]
async fn providers_are_confined_to_their_types_and_credentials() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let root = app.create_account(NIC).await.token;
    let secret = provider(&app, "vps-api", &["vps"]).await;
    let dns = resource_path(NIC, "urn:v1:eu:resource:dnsZone:example.com");
    expect_error(
        app.put(&dns, Some(&secret), &json!({})).await,
        403,
        "Client::Forbidden",
    )
    .await;
    let account = resource_path(NIC, "urn:v1:eu:resource:account:xx1111-ovh");
    expect_error(
        app.delete(&account, Some(&secret)).await,
        403,
        "Client::Forbidden",
    )
    .await;
    let path = resource_path(NIC, VPS);
    expect_error(
        app.put(&path, None, &json!({})).await,
        401,
        "Client::Unauthorized",
    )
    .await;
    expect_error(
        app.put(&path, Some("wrong"), &json!({})).await,
        401,
        "Client::Unauthorized",
    )
    .await;
    expect_error(
        app.put(&path, Some(&root), &json!({})).await,
        401,
        "Client::Unauthorized",
    )
    .await;
    let other_plate = resource_path(NIC, "urn:v1:ca:resource:vps:x");
    expect_error(
        app.put(&other_plate, Some(&secret), &json!({})).await,
        400,
        "Client::BadRequest::INVALID_RESOURCE_URN",
    )
    .await;
    let group = resource_path(
        NIC,
        "urn:v1:eu:resourceGroup:aa0713ab-ed13-4f1a-89a5-32aa0cb936d8",
    );
    expect_error(
        app.put(&group, Some(&secret), &json!({})).await,
        400,
        "Client::BadRequest::INVALID_RESOURCE_URN",
    )
    .await;
    expect_error(
        app.put(&resource_path("nobody-ovh", VPS), Some(&secret), &json!({}))
            .await,
        404,
        "Client::NotFound",
    )
    .await;
    let bad_tag = json!({"tags": {"bad key": "x"}});
    expect_error(
        app.put(&path, Some(&secret), &bad_tag).await,
        400,
        "Client::BadRequest::INVALID_TAG",
    )
    .await;
    expect_error(
        app.put(&path, Some(&secret), &json!({"name": ""})).await,
        400,
        "Client::BadRequest::INVALID_NAME",
    )
    .await;
}

#[tokio::test]
async fn declared_actions_join_the_reference_and_the_roles() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let root = app.create_account(NIC).await.token;
        let secret = provider(&app, "kube-api", &["kubeCluster"]).await;
        let declaration = json!({"actions": [
            {"action": "kubeCluster:apiovh:get", "description": "Read a cluster", "categories": ["READ"]},
            {"action": "kubeCluster:apiovh:reset", "description": "Reset a cluster", "categories": ["OPERATE"]}
        ]});
        let (status, declared) = json(
            app.put(
                "/provider/v1/resourceType/kubeCluster",
                Some(&secret),
                &declaration,
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{declared}");
        assert_eq!(declared["actions"].as_array().unwrap().len(), 2);
        let (_, types) = json(
            app.get("/v2/iam/reference/resource/type", Some(&root))
                .await,
        )
        .await;
        assert!(
            types.as_array().unwrap().contains(&json!("kubeCluster")),
            "{types}"
        );
        let (_, actions) = json(
            app.get(
                "/v2/iam/reference/action?resourceType=kubeCluster",
                Some(&root),
            )
            .await,
        )
        .await;
        assert_eq!(
            actions[0],
            json!({"action": "kubeCluster:apiovh:get", "categories": ["READ"], "description": "Read a cluster", "hasQueryParameters": false, "resourceType": "kubeCluster"})
        );

        // UNPRIVILEGED may do the declared READ action, not the OPERATE one.
        let urn = "urn:v1:eu:resource:kubeCluster:k1";
        app.put(&resource_path(NIC, urn), Some(&secret), &json!({}))
            .await;
        let reader = crate::v2_support::user_token(&app, NIC, "reader", "UNPRIVILEGED").await;
        let (allowed, denied) = crate::v2_support::check(
            &app,
            &reader,
            urn,
            &["kubeCluster:apiovh:get", "kubeCluster:apiovh:reset"],
        )
        .await;
        assert_eq!(
            (allowed, denied),
            (
                vec!["kubeCluster:apiovh:get".to_owned()],
                vec!["kubeCluster:apiovh:reset".to_owned()]
            )
        );

        let (_, read) = json(
            app.get("/provider/v1/resourceType/kubeCluster", Some(&secret))
                .await,
        )
        .await;
        assert_eq!(read, declared);
        // A restart loads the declarations from the store.
        let app = app.restart().await;
        let (_, actions) = json(
            app.get(
                "/v2/iam/reference/action?resourceType=kubeCluster",
                Some(&root),
            )
            .await,
        )
        .await;
        assert_eq!(actions.as_array().unwrap().len(), 2);
    }
}

#[tokio::test]
async fn declarations_are_checked() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let secret = provider(&app, "vps-api", &["vps"]).await;
    let declare = |actions: Value| json!({"actions": actions});
    let cases = [
        (
            json!([{"action": "dnsZone:apiovh:get", "categories": ["READ"]}]),
            400,
        ),
        (
            json!([{"action": "vps:apiovh:*", "categories": ["READ"]}]),
            400,
        ),
        (json!([{"action": "vps:apiovh:x", "categories": []}]), 400),
        (
            json!([{"action": "vps:apiovh:x", "categories": ["WRITE"]}]),
            400,
        ),
        (
            json!([{"action": "vps:apiovh:x", "categories": ["READ"]}, {"action": "vps:apiovh:x", "categories": ["READ"]}]),
            400,
        ),
        (
            json!([{"action": "vps:apiovh:reboot", "categories": ["OPERATE"]}]),
            409,
        ),
    ];
    for (actions, status) in cases {
        let response = app
            .put(
                "/provider/v1/resourceType/vps",
                Some(&secret),
                &declare(actions.clone()),
            )
            .await;
        assert_eq!(response.status().as_u16(), status, "{actions}");
    }
    let other = app
        .put(
            "/provider/v1/resourceType/dnsZone",
            Some(&secret),
            &declare(json!([])),
        )
        .await;
    expect_error(other, 403, "Client::Forbidden").await;
    expect_error(
        app.get("/provider/v1/resourceType/dnsZone", Some(&secret))
            .await,
        403,
        "Client::Forbidden",
    )
    .await;
}

fn iamd(data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_iamd"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("IAMD_MASTER_KEY")
        .env_remove("IAMD_DATABASE_URL");
    command
}

fn run(command: &mut Command) -> Value {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(text.lines().next().unwrap()).unwrap()
    }
}

#[test]
fn operators_register_resources_and_create_providers_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    run(iamd(data).args(["account", "create", "--nic", NIC]));
    let resource = run(iamd(data).args([
        "resource",
        "register",
        "--account",
        NIC,
        "--urn",
        VPS,
        "--display-name",
        "Web",
        "--tag",
        "env=prod",
        "--tag",
        "team=web",
    ]));
    assert_eq!(
        (
            resource["urn"].as_str(),
            resource["displayName"].as_str(),
            resource["type"].as_str()
        ),
        (Some(VPS), Some("Web"), Some("vps"))
    );
    assert_eq!(resource["tags"], json!({"env": "prod", "team": "web"}));
    assert_eq!(
        run(iamd(data).args(["resource", "remove", "--account", NIC, "--urn", VPS])),
        Value::Null
    );
    let out = iamd(data)
        .args(["resource", "remove", "--account", NIC, "--urn", VPS])
        .output()
        .unwrap();
    assert!(!out.status.success(), "removing twice fails");
    let out = iamd(data)
        .args([
            "resource",
            "register",
            "--account",
            NIC,
            "--urn",
            "urn:v1:eu:resource:account:xx1111-ovh",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success(), "account resources are iamd's own");

    let created = run(iamd(data).args([
        "provider",
        "create",
        "--name",
        "vps-api",
        "--type",
        "vps",
        "--type",
        "dedicatedServer",
    ]));
    assert_eq!(created["resourceTypes"], json!(["vps", "dedicatedServer"]));
    assert_eq!(created["secret"].as_str().unwrap().len(), 43);
    let listed = run(iamd(data).args(["provider", "list"]));
    assert_eq!(
        (listed["name"].as_str(), listed.get("secret")),
        (Some("vps-api"), None)
    );
    let out = iamd(data)
        .args(["provider", "create", "--name", "other", "--type", "vps"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a type has one owner");
    assert_eq!(
        run(iamd(data).args(["provider", "delete", "--name", "vps-api"])),
        Value::Null
    );
}
