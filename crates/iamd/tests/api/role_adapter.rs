//! The OpenStack role adapter (seed 003): discovery document, JWKS, token endpoint (client
//! authentication as keystoneauth1 sends it, and its errors), id_token claims, algorithms
//! and key rotation; and the helpers `openstack_roles.rs` uses for the roles themselves.

use std::collections::BTreeSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use iam_core::policy::{ActionRef, Permissions, Policy, ResourceRef};
use iamd::config::ConfigLayer;
use iamd::token::signing_key::Usage;
use reqwest::Response;
use serde_json::Value;

use crate::clients::create_client;
use crate::helpers::{Backend, TestApp, backends, expect_error, json};
use crate::oauth::{kid_of, post_form};
use crate::openstack_roles::SEED_TABLE;

pub const ADAPTER: &str = "urn:v1:eu:resource:publicCloudProject:pci";
pub const NIC: &str = "xx1111-ovh";
pub const PROJECT: &str = "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f";

pub fn adapter_path(suffix: &str) -> String {
    format!("/role-adapter/{ADAPTER}{suffix}")
}

pub fn project_urn(id: &str) -> String {
    format!("urn:v1:eu:resource:publicCloudProject:{id}")
}

pub fn sorted(roles: &[&str]) -> Vec<String> {
    let set: BTreeSet<String> = roles.iter().map(|r| r.to_string()).collect();
    set.into_iter().collect()
}

/// A service account of `nic` and its identity URN.
pub struct ServiceAccount {
    pub id: String,
    pub secret: String,
    pub urn: String,
}

pub async fn service_account(app: &TestApp, root_token: &str) -> ServiceAccount {
    let (id, secret) = create_client(app, root_token, "CLIENT_CREDENTIALS", &[]).await;
    let urn = format!("urn:v1:eu:identity:credential:{NIC}/oauth2-{id}");
    ServiceAccount { id, secret, urn }
}

/// Stores a policy (there is no policy API on this branch yet) and makes the authorizer see
/// it. Returns its id.
pub async fn policy(
    app: &TestApp,
    identity: &str,
    resources: &[String],
    permissions: Permissions,
) -> uuid::Uuid {
    let policy = Policy {
        id: uuid::Uuid::new_v4(),
        name: format!("openstack-{}", uuid::Uuid::new_v4().simple()),
        description: Some("Demo for service account guide with openstack".into()),
        identities: vec![identity.to_owned()],
        resources: resources
            .iter()
            .map(|urn| ResourceRef { urn: urn.clone() })
            .collect(),
        permissions,
        permissions_groups: Vec::new(),
        conditions: None,
        expired_at: None,
        read_only: false,
        owner: NIC.to_owned(),
        created_at: Utc::now(),
        updated_at: None,
    };
    app.state.store.create_policy(&policy).await.unwrap();
    app.state.authorizer.invalidate(NIC);
    policy.id
}

pub fn actions(list: &[&str]) -> Vec<ActionRef> {
    list.iter().map(|a| ActionRef::new(*a)).collect()
}

pub fn allow(list: &[&str]) -> Permissions {
    Permissions {
        allow: actions(list),
        ..Default::default()
    }
}

/// A token request as keystoneauth1 5.0 sends it: raw Basic, `scope` as given.
pub async fn request(app: &TestApp, sa: &ServiceAccount, scope: Option<&str>) -> Response {
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    let basic = format!("{}:{}", sa.id, sa.secret);
    post_form(app, &adapter_path("/token"), Some(&basic), &form).await
}

/// The id_token's payload, after checking its signature against the adapter's JWKS.
pub async fn id_token(app: &TestApp, sa: &ServiceAccount, scope: Option<&str>) -> Value {
    let (status, body) = json(request(app, sa, scope).await).await;
    assert_eq!(status, 200, "{body}");
    verify(app, body["id_token"].as_str().unwrap()).await
}

pub async fn verify(app: &TestApp, token: &str) -> Value {
    let (_, jwks) = json(app.get(&adapter_path("/jwks"), None).await).await;
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks).unwrap();
    let kid = kid_of(token);
    let jwk = set.find(&kid).expect("the JWKS publishes the token's kid");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .unwrap()
        .claims
}

pub fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// An account with its project `PROJECT` registered (a token only speaks for the account's
/// registered projects).
pub async fn setup(backend: Backend) -> (TestApp, String) {
    let app = TestApp::spawn(backend).await;
    let account = app.create_account(NIC).await;
    crate::v2_support::register(&app, NIC, &project_urn(PROJECT), &[]).await;
    (app, account.token)
}

#[tokio::test]
async fn discovery_document_names_the_adapter_endpoints() {
    for backend in backends() {
        let (app, _) = setup(backend).await;
        let path = adapter_path("/.well-known/openid-configuration");
        let (status, doc) = json(app.get(&path, None).await).await;
        assert_eq!(status, 200, "{doc}");
        let issuer = format!("{}/role-adapter/{ADAPTER}", app.state.config.public_url);
        assert_eq!(doc["issuer"], issuer.as_str(), "the URL without the suffix");
        assert_eq!(doc["token_endpoint"], format!("{issuer}/token").as_str());
        assert_eq!(doc["jwks_uri"], format!("{issuer}/jwks").as_str());
        assert!(strings(&doc["grant_types_supported"]).contains(&"client_credentials".into()));
        assert_eq!(
            strings(&doc["id_token_signing_alg_values_supported"]),
            ["RS256"]
        );
        for member in ["response_types_supported", "subject_types_supported"] {
            assert!(!strings(&doc[member]).is_empty(), "{member}");
        }
        let scopes = strings(&doc["scopes_supported"]);
        for scope in ["openid", "profile", "publicCloudProject/all"] {
            assert!(scopes.contains(&scope.to_owned()), "{scope}");
        }
        // The URN may arrive percent-encoded.
        let encoded = path.replace(':', "%3A");
        let (status, again) = json(app.get(&encoded, None).await).await;
        assert_eq!((status, &again["issuer"]), (200, &doc["issuer"]));
    }
}

#[tokio::test]
async fn other_resource_types_have_no_adapter() {
    for backend in backends() {
        let (app, _) = setup(backend).await;
        for urn in ["urn:v1:eu:resource:vps:pci", "not-a-urn"] {
            for suffix in ["/.well-known/openid-configuration", "/jwks"] {
                let path = format!("/role-adapter/{urn}{suffix}");
                expect_error(app.get(&path, None).await, 404, "Client::NotFound").await;
            }
            let token = format!("/role-adapter/{urn}/token");
            let form = [("grant_type", "client_credentials")];
            let response = post_form(&app, &token, Some("a:b"), &form).await;
            expect_error(response, 404, "Client::NotFound").await;
        }
    }
}

#[tokio::test]
async fn jwks_publishes_the_id_token_keys_only() {
    for backend in backends() {
        let (app, _) = setup(backend).await;
        let (status, jwks) = json(app.get(&adapter_path("/jwks"), None).await).await;
        assert_eq!(status, 200);
        let keys = jwks["keys"].as_array().unwrap();
        let id_key = app.state.keys.active(Usage::IdToken).unwrap();
        let access_key = app.state.keys.active(Usage::AccessToken).unwrap();
        let kids: Vec<&str> = keys.iter().map(|k| k["kid"].as_str().unwrap()).collect();
        assert_eq!(kids, [id_key.kid.as_str()]);
        assert!(!kids.contains(&access_key.kid.as_str()));
        assert_eq!(
            (keys[0]["kty"].as_str(), keys[0]["alg"].as_str()),
            (Some("RSA"), Some("RS256"))
        );
        assert!(keys[0].get("d").is_none(), "no private member");
    }
}

#[tokio::test]
async fn both_client_authentication_styles_get_an_id_token() {
    for backend in backends() {
        let (app, root) = setup(backend).await;
        let sa = service_account(&app, &root).await;
        let right = ["publicCloudProject:openstack:infrastructureSupervisor"];
        policy(&app, &sa.urn, &[project_urn(PROJECT)], allow(&right)).await;

        // keystoneauth1 5.0: Basic with the raw id and secret, scope "openid profile".
        let (status, basic) = json(request(&app, &sa, Some("openid profile")).await).await;
        assert_eq!(status, 200, "{basic}");
        // client_secret_post.
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", sa.id.as_str()),
            ("client_secret", sa.secret.as_str()),
            ("scope", "openid profile email publicCloudProject/all"),
        ];
        let (status, post) =
            json(post_form(&app, &adapter_path("/token"), None, &form).await).await;
        assert_eq!(status, 200, "{post}");
        for body in [&basic, &post] {
            assert_eq!(body["token_type"], "Bearer");
            assert_eq!(body["expires_in"], 3600);
            assert_eq!(body["access_token"], body["id_token"]);
            let claims = verify(&app, body["id_token"].as_str().unwrap()).await;
            assert_eq!(claims["sub"], sa.urn.as_str());
        }
        assert_eq!(post["scope"], "openid profile email publicCloudProject/all");
    }
}

#[tokio::test]
async fn bad_secret_unknown_client_and_wrong_grant_are_refused() {
    for backend in backends() {
        let (app, root) = setup(backend).await;
        let sa = service_account(&app, &root).await;
        let right = ["publicCloudProject:openstack:infrastructureSupervisor"];
        policy(&app, &sa.urn, &[project_urn(PROJECT)], allow(&right)).await;
        let token = adapter_path("/token");
        let grant = [("grant_type", "client_credentials")];

        for basic in [
            format!("{}:wrong", sa.id),
            format!("EU.ffffffffffffffff:{}", sa.secret),
        ] {
            let response = post_form(&app, &token, Some(&basic), &grant).await;
            assert!(response.headers().contains_key("www-authenticate"));
            let (status, body) = json(response).await;
            assert_eq!(
                (status, body["error"].as_str()),
                (401, Some("invalid_client"))
            );
        }
        let only_id = [
            ("grant_type", "client_credentials"),
            ("client_id", sa.id.as_str()),
        ];
        let (status, body) = json(post_form(&app, &token, None, &only_id).await).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client"))
        );

        let basic = format!("{}:{}", sa.id, sa.secret);
        let cases = [
            (vec![("grant_type", "password")], "unsupported_grant_type"),
            (
                vec![("grant_type", "authorization_code")],
                "unsupported_grant_type",
            ),
            (vec![("scope", "openid")], "invalid_request"),
        ];
        for (form, error) in cases {
            let (status, body) = json(post_form(&app, &token, Some(&basic), &form).await).await;
            assert_eq!(
                (status, body["error"].as_str()),
                (400, Some(error)),
                "{body}"
            );
        }

        let (code_id, code_secret) = create_client(
            &app,
            &root,
            "AUTHORIZATION_CODE",
            &["https://app.example/cb"],
        )
        .await;
        let basic = format!("{code_id}:{code_secret}");
        let (status, body) = json(post_form(&app, &token, Some(&basic), &grant).await).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("unauthorized_client"))
        );

        // An EU service account on the CA adapter.
        let ca = "/role-adapter/urn:v1:ca:resource:publicCloudProject:pci/token";
        let basic = format!("{}:{}", sa.id, sa.secret);
        let (status, body) = json(post_form(&app, ca, Some(&basic), &grant).await).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("unauthorized_client"))
        );
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("plate eu")
        );
    }
}

#[tokio::test]
async fn id_token_claims() {
    for backend in backends() {
        let (app, root) = setup(backend).await;
        let sa = service_account(&app, &root).await;
        let right = ["publicCloudProject:openstack:infrastructureSupervisor"];
        policy(&app, &sa.urn, &[project_urn(PROJECT)], allow(&right)).await;
        let before = Utc::now().timestamp();
        let (status, body) = json(request(&app, &sa, None).await).await;
        assert_eq!(status, 200, "{body}");
        let token = body["id_token"].as_str().unwrap();
        let header: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(token.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["alg"], "RS256");
        assert_eq!(
            header["kid"],
            app.state.keys.active(Usage::IdToken).unwrap().kid.as_str()
        );
        let claims = verify(&app, token).await;
        let issuer = format!("{}/role-adapter/{ADAPTER}", app.state.config.public_url);
        assert_eq!(claims["iss"], issuer.as_str());
        assert_eq!(claims["sub"], sa.urn.as_str());
        assert_eq!(claims["aud"], sa.id.as_str());
        assert_eq!(claims["azp"], sa.id.as_str());
        assert_eq!(claims["preferred_username"], "ci");
        assert_eq!(claims["account"], NIC);
        let iat = claims["iat"].as_i64().unwrap();
        assert!(iat >= before && iat <= Utc::now().timestamp());
        assert_eq!(claims["exp"].as_i64().unwrap() - iat, 3600);
        assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));
        let roles = sorted(SEED_TABLE[4].1);
        assert_eq!(strings(&claims["roles"]), roles);
        assert_eq!(claims["openstack_project"], PROJECT);
        let qualified: Vec<String> = roles.iter().map(|r| format!("{PROJECT}/{r}")).collect();
        assert_eq!(strings(&claims["project_roles"]), qualified);
        let projects: Value =
            serde_json::from_str(claims["projects_json"].as_str().unwrap()).unwrap();
        assert_eq!(projects[0]["name"], PROJECT);
        let names: Vec<&str> = projects[0]["roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, roles);
        // A second token is another token.
        let again = id_token(&app, &sa, None).await;
        assert_ne!(again["jti"], claims["jti"]);
    }
}

#[tokio::test]
async fn id_tokens_are_not_api_access_tokens() {
    for backend in backends() {
        let (app, root) = setup(backend).await;
        let sa = service_account(&app, &root).await;
        policy(
            &app,
            &sa.urn,
            &[project_urn(PROJECT)],
            allow(&["publicCloudProject:*"]),
        )
        .await;
        let (_, body) = json(request(&app, &sa, None).await).await;
        let token = body["id_token"].as_str().unwrap();
        let response = app.get("/1.0/me", Some(token)).await;
        assert_eq!(response.status().as_u16(), 401);
    }
}

#[tokio::test]
async fn rotation_keeps_old_id_token_keys_published_until_their_tokens_expire() {
    for backend in backends() {
        let (app, root) = setup(backend).await;
        let sa = service_account(&app, &root).await;
        policy(
            &app,
            &sa.urn,
            &[project_urn(PROJECT)],
            allow(&["publicCloudProject:*"]),
        )
        .await;
        let (_, before) = json(request(&app, &sa, None).await).await;
        let old = before["id_token"].as_str().unwrap().to_owned();
        let new_kid = iamd::service::key_lifecycle::rotate(&app.state, Usage::IdToken, None)
            .await
            .unwrap();
        let (_, after) = json(request(&app, &sa, None).await).await;
        let new = after["id_token"].as_str().unwrap();
        assert_eq!(kid_of(new), new_kid);
        assert_ne!(kid_of(&old), new_kid);
        verify(&app, &old).await;
        verify(&app, new).await;
        let keys = app.state.store.list_signing_keys().await.unwrap();
        let retired = keys.iter().find(|k| k.kid == kid_of(&old)).unwrap();
        let overlap = retired.expires_at.unwrap() - retired.retired_at.unwrap();
        assert_eq!(
            overlap,
            Duration::seconds(3600),
            "until every token it signed has expired"
        );
        assert_eq!(retired.algorithm.as_str(), "RS256");
    }
}

#[tokio::test]
async fn es256_is_selectable_and_a_changed_algorithm_rotates_on_start() {
    for backend in backends() {
        let (app, root) = setup(backend).await;
        let sa = service_account(&app, &root).await;
        policy(
            &app,
            &sa.urn,
            &[project_urn(PROJECT)],
            allow(&["publicCloudProject:*"]),
        )
        .await;
        let (_, body) = json(request(&app, &sa, None).await).await;
        let rs256 = body["id_token"].as_str().unwrap().to_owned();

        let es = ConfigLayer {
            id_token_algorithm: Some("ES256".into()),
            ..Default::default()
        };
        let node = app.another_node(es).await;
        let (_, body) = json(request(&node, &sa, None).await).await;
        let es256 = body["id_token"].as_str().unwrap();
        let header = jsonwebtoken::decode_header(es256).unwrap();
        assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
        verify(&node, es256).await;
        verify(&node, &rs256).await;
        let path = adapter_path("/.well-known/openid-configuration");
        let (_, doc) = json(node.get(&path, None).await).await;
        assert_eq!(
            strings(&doc["id_token_signing_alg_values_supported"]),
            ["ES256", "RS256"]
        );
    }
}

#[tokio::test]
async fn iamd_keys_rotate_id_token_is_picked_up_by_the_running_server() {
    for backend in backends() {
        let (app, root) = setup(backend).await;
        let sa = service_account(&app, &root).await;
        policy(
            &app,
            &sa.urn,
            &[project_urn(PROJECT)],
            allow(&["publicCloudProject:*"]),
        )
        .await;
        let (_, before) = json(request(&app, &sa, None).await).await;
        let old_kid = kid_of(before["id_token"].as_str().unwrap());
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_iamd"))
            .arg("--data-dir")
            .arg(&app.data_dir)
            .arg("--database")
            .arg(&app.database_url)
            .args(["keys", "rotate", "--usage", "id_token"])
            .env_remove("IAMD_MASTER_KEY")
            .env("IAMD_LOG_LEVEL", "warn")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rotated: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            rotated["algorithm"], "RS256",
            "id_token_algorithm by default"
        );
        let new_kid = rotated["kid"].as_str().unwrap().to_owned();
        // The server reloads its keys every second.
        let mut published = Vec::new();
        for _ in 0..100 {
            let (_, jwks) = json(app.get(&adapter_path("/jwks"), None).await).await;
            published = jwks["keys"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["kid"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>();
            if published.contains(&new_kid) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(
            published,
            [old_kid, new_kid.clone()],
            "old and new, oldest first"
        );
        let (_, after) = json(request(&app, &sa, None).await).await;
        assert_eq!(kid_of(after["id_token"].as_str().unwrap()), new_kid);
    }
}
