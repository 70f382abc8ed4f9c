//! Tenant isolation (DESIGN.md §4 rule 7): account B's policies may name account A's
//! resources (exactly or by wildcard), and still nothing of B reaches them — not the role
//! adapter, not `authorization/check` (single or multi-resource), not the simulator or the
//! console. A resource URN is registered in one account only (provider API and CLI: 409).

use std::process::Command;

use serde_json::{Value, json};

use crate::console::Browser;
use crate::helpers::{Backend, TestApp, backends, expect_error, json};
use crate::role_adapter::{ServiceAccount, adapter_path, verify};
use crate::v2_support::{check, enc, register};

const A: &str = "xx1111-ovh";
const B: &str = "yy2222-ovh";
const A_ACCOUNT: &str = "urn:v1:eu:resource:account:xx1111-ovh";
const A_VPS: &str = "urn:v1:eu:resource:vps:vps-a.example.net";
const B_VPS: &str = "urn:v1:eu:resource:vps:vps-b.example.net";
const A_PROJECT: &str = "aaaa0000aaaa0000aaaa0000aaaa0000";
const B_PROJECT: &str = "bbbb0000bbbb0000bbbb0000bbbb0000";
/// Registered nowhere.
const NOBODYS_PROJECT: &str = "cccc0000cccc0000cccc0000cccc0000";

fn project(id: &str) -> String {
    format!("urn:v1:eu:resource:publicCloudProject:{id}")
}

/// Accounts A and B, each with its own VPS and project; returns (app, A's root, B's root).
async fn two_accounts(backend: Backend) -> (TestApp, String, String) {
    let app = TestApp::spawn(backend).await;
    let a = app.create_account(A).await.token;
    let b = app.create_account(B).await.token;
    register(&app, A, A_VPS, &[]).await;
    register(&app, A, &project(A_PROJECT), &[]).await;
    register(&app, B, B_VPS, &[]).await;
    register(&app, B, &project(B_PROJECT), &[]).await;
    (app, a, b)
}

async fn policy(app: &TestApp, root: &str, identity: &str, resources: &[&str], allow: &str) {
    let resources: Vec<Value> = resources.iter().map(|urn| json!({"urn": urn})).collect();
    let body = json!({
        "name": format!("reach-{}", uuid::Uuid::new_v4().simple()),
        "identities": [identity], "resources": resources,
        "permissions": {"allow": [{"action": allow}]}
    });
    let (status, created) = json(app.post("/v2/iam/policy", Some(root), &body).await).await;
    assert_eq!(status, 200, "{created}");
}

/// A CLIENT_CREDENTIALS service account of B.
async fn b_service_account(app: &TestApp, b_root: &str) -> ServiceAccount {
    let (id, secret) = crate::clients::create_client(app, b_root, "CLIENT_CREDENTIALS", &[]).await;
    let urn = format!("urn:v1:eu:identity:credential:{B}/oauth2-{id}");
    ServiceAccount { id, secret, urn }
}

async fn adapter_token(app: &TestApp, sa: &ServiceAccount, scope: Option<&str>) -> (u16, Value) {
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    let basic = format!("{}:{}", sa.id, sa.secret);
    json(crate::oauth::post_form(app, &adapter_path("/token"), Some(&basic), &form).await).await
}

#[tokio::test]
async fn the_role_adapter_never_speaks_for_another_accounts_project() {
    for backend in backends() {
        let (app, _, b_root) = two_accounts(backend).await;
        let sa = b_service_account(&app, &b_root).await;
        let everything = "publicCloudProject:openstack:*";
        // B's policy names A's project exactly, every project by wildcard, and a project
        // registered nowhere.
        let (a_project, nobodys) = (project(A_PROJECT), project(NOBODYS_PROJECT));
        let wildcard = "urn:v1:eu:resource:publicCloudProject:*";
        policy(
            &app,
            &b_root,
            &sa.urn,
            &[&a_project, &nobodys, wildcard],
            everything,
        )
        .await;

        for named in [A_PROJECT, NOBODYS_PROJECT] {
            let scope = format!("openid publicCloudProject/{named}");
            let (status, body) = adapter_token(&app, &sa, Some(&scope)).await;
            assert_eq!(status, 400, "{named}: {body}");
            assert_eq!(body["error"], "invalid_scope", "{body}");
            let description = body["error_description"].as_str().unwrap();
            assert!(
                description.contains(named) && description.contains("not registered in account"),
                "{description}"
            );
            assert!(body.get("id_token").is_none());
        }
        // Naming B's own project beside A's does not smuggle A's in.
        let scope = format!("publicCloudProject/{B_PROJECT} publicCloudProject/{A_PROJECT}");
        let (status, body) = adapter_token(&app, &sa, Some(&scope)).await;
        assert_eq!((status, &body["error"]), (400, &json!("invalid_scope")));

        // Every project (no project scope, and `publicCloudProject/all`): B's own only.
        for scope in [None, Some("openid publicCloudProject/all")] {
            let (status, body) = adapter_token(&app, &sa, scope).await;
            assert_eq!(status, 200, "{body}");
            let claims = verify(&app, body["id_token"].as_str().unwrap()).await;
            assert_eq!(claims["openstack_project"], B_PROJECT, "{claims}");
            let roles = claims["project_roles"].as_array().unwrap();
            assert!(!roles.is_empty());
            assert!(
                roles
                    .iter()
                    .all(|r| r.as_str().unwrap().starts_with(&format!("{B_PROJECT}/"))),
                "{roles:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_service_account_whose_policies_name_only_another_accounts_project_gets_nothing() {
    for backend in backends() {
        let (app, _, b_root) = two_accounts(backend).await;
        let sa = b_service_account(&app, &b_root).await;
        let a_project = project(A_PROJECT);
        policy(
            &app,
            &b_root,
            &sa.urn,
            &[&a_project],
            "publicCloudProject:openstack:*",
        )
        .await;
        let (status, body) = adapter_token(&app, &sa, None).await;
        assert_eq!(
            (status, &body["error"]),
            (400, &json!("invalid_scope")),
            "{body}"
        );
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("no OpenStack right"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn authorization_checks_never_authorize_another_accounts_resources() {
    for backend in backends() {
        let (app, _, b_root) = two_accounts(backend).await;
        let b_identity = format!("urn:v1:eu:identity:account:{B}");
        let everything = "urn:v1:eu:resource:*";
        policy(
            &app,
            &b_root,
            &b_identity,
            &[A_ACCOUNT, A_VPS, everything],
            "*",
        )
        .await;
        let actions = ["vps:apiovh:reboot", "account:apiovh:iam/policy/create"];
        for urn in [
            A_ACCOUNT,
            A_VPS,
            "urn:v1:eu:resource:vps:registered-nowhere",
        ] {
            let (allowed, denied) = check(&app, &b_root, urn, &actions).await;
            assert!(allowed.is_empty(), "{urn}: {allowed:?}");
            assert_eq!(denied.len(), 2);
        }
        let (allowed, _) = check(&app, &b_root, B_VPS, &actions).await;
        assert_eq!(allowed.len(), 2, "B's own VPS is B's to decide on");

        let body = json!({"actions": actions, "resourceURNs": [A_ACCOUNT, A_VPS, B_VPS]});
        let (status, answer) = json(
            app.post("/v2/iam/authorization/check", Some(&b_root), &body)
                .await,
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        let authorized: Vec<&Value> = answer
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["authorizedActions"])
            .collect();
        assert_eq!(authorized, [&json!([]), &json!([]), &json!(actions)]);
    }
}

#[tokio::test]
async fn the_simulator_explains_a_resource_outside_the_account() {
    for backend in backends() {
        let (app, _, b_root) = two_accounts(backend).await;
        let b_identity = format!("urn:v1:eu:identity:account:{B}");
        policy(&app, &b_root, &b_identity, &[A_VPS], "vps:apiovh:*").await;
        let simulate = |urn: &str| json!({"identity": b_identity, "resourceURN": urn, "action": "vps:apiovh:reboot"});
        let path = "/v2/iam/authorization/simulate";
        let (status, a) = json(app.post(path, Some(&b_root), &simulate(A_VPS)).await).await;
        assert_eq!(status, 200, "{a}");
        assert_eq!(
            (&a["decision"], &a["outcome"]),
            (&json!("DENY"), &json!("IMPLICIT_DENY"))
        );
        assert_eq!(a["explanation"]["resourceNotInAccount"], true, "{a}");
        assert_eq!(
            a["explanation"]["allowedBy"],
            json!([]),
            "no policy was consulted"
        );
        let (_, b) = json(app.post(path, Some(&b_root), &simulate(B_VPS)).await).await;
        assert_eq!(b["decision"], "ALLOW", "{b}");
        assert!(
            b["explanation"].get("resourceNotInAccount").is_none(),
            "{b}"
        );
    }
}

#[tokio::test]
async fn the_console_simulator_says_the_resource_is_not_in_the_account() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        app.create_account(A).await;
        let b = app.create_account(B).await;
        register(&app, A, A_VPS, &[]).await;
        register(&app, B, B_VPS, &[]).await;
        let b_identity = format!("urn:v1:eu:identity:account:{B}");
        policy(&app, &b.token, &b_identity, &[A_VPS], "vps:apiovh:*").await;
        let mut browser = Browser::new(&app);
        let signed_in = browser.sign_in(B, &b.password).await;
        assert_eq!(signed_in.status().as_u16(), 303);
        let ask = |urn: &str| {
            format!(
                "/console/simulator?identity={}&resource={}&action=vps%3Aapiovh%3Areboot",
                enc(&b_identity),
                enc(urn)
            )
        };
        let page = browser.get(&ask(A_VPS)).await.text().await.unwrap();
        assert!(page.contains("data-testid=\"not-in-account\""), "{page}");
        assert!(page.contains("IMPLICIT_DENY"));
        let page = browser.get(&ask(B_VPS)).await.text().await.unwrap();
        assert!(
            page.contains("ALLOWED") && !page.contains("not-in-account"),
            "{page}"
        );
    }
}

#[tokio::test]
async fn a_urn_registered_in_one_account_cannot_be_registered_in_another() {
    for backend in backends() {
        let (app, _, b_root) = two_accounts(backend).await;
        let secret = iamd::service::providers::create(
            &*app.state.store,
            &app.state.secrets,
            "vps-api",
            vec!["vps".to_owned()],
            chrono::Utc::now(),
        )
        .await
        .unwrap()
        .secret;
        let in_b = format!("/provider/v1/account/{B}/resource/{}", enc(A_VPS));
        let body = expect_error(
            app.put(&in_b, Some(&secret), &json!({"name": "mine now"}))
                .await,
            409,
            "Client::Conflict",
        )
        .await;
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("another account"),
            "{body}"
        );
        expect_error(app.get(&in_b, Some(&secret)).await, 404, "Client::NotFound").await;
        let in_a = format!("/provider/v1/account/{A}/resource/{}", enc(A_VPS));
        let (status, kept) = json(app.get(&in_a, Some(&secret)).await).await;
        assert_eq!((status, &kept["name"]), (200, &json!("vps-a.example.net")));

        // The operator's command is the same use case.
        let out = Command::new(env!("CARGO_BIN_EXE_iamd"))
            .arg("--data-dir")
            .arg(&app.data_dir)
            .args([
                "--database",
                app.database_url.as_str(),
                "--log-level",
                "error",
            ])
            .args(["resource", "register", "--account", B, "--urn", A_VPS])
            .env_remove("IAMD_MASTER_KEY")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && stderr.contains("another account"),
            "{stderr}"
        );
        let (allowed, _) = check(&app, &b_root, A_VPS, &["vps:apiovh:reboot"]).await;
        assert!(allowed.is_empty());

        // Removed from A, the URN may move to B.
        let (status, _) = json(app.delete(&in_a, Some(&secret)).await).await;
        assert_eq!(status, 200);
        let (status, moved) = json(app.put(&in_b, Some(&secret), &json!({})).await).await;
        assert_eq!(status, 200, "{moved}");
        let (allowed, _) = check(&app, &b_root, A_VPS, &["vps:apiovh:reboot"]).await;
        assert_eq!(allowed, ["vps:apiovh:reboot"], "now B's, under ovh-default");
    }
}
