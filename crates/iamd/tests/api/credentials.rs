//! Credentials and sessions across nodes: revocations travel on the change feed (a second
//! node whose safety nets run once an hour refuses them as soon as it hears the commit), the
//! cluster's one issuer, console sessions bound to who signed in, and the rotation of the
//! root's credentials by `iamd account rotate-root`.

use std::time::Duration;

use chrono::SubsecRound;
use iamd::config::ConfigLayer;
use serde_json::{Value, json};

use crate::clients::create_client;
use crate::cluster::{status_becomes, two_nodes};
use crate::console::{Browser, location};
use crate::helpers::{TestApp, backends};
use crate::oauth::{access_token, post_form, request_token};
use crate::users::{PASSWORD, create_user};

const NIC: &str = "xx1111-ovh";

/// Whether a browser holding `cookies` is let into the console of `node` (a session that was
/// ended is sent to the login page instead).
async fn session_works(node: &TestApp, cookies: &[(String, String)]) -> bool {
    let mut browser = Browser::new(node);
    browser.cookies = cookies.to_vec();
    let response = browser.get("/console/").await;
    match response.status().as_u16() {
        200 => true,
        303 if location(&response).starts_with("/console/login") => false,
        other => panic!("unexpected answer {other} to a console page"),
    }
}

/// Polls (bounded: 15 s, far under the hour-long safety nets) until the session held in
/// `cookies` is refused by `node`; true if it was.
async fn session_ends(node: &TestApp, cookies: &[(String, String)]) -> bool {
    for _ in 0..300 {
        if !session_works(node, cookies).await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// The cookies of a browser signed in on `node` as `name`.
async fn signed_in(node: &TestApp, name: &str, password: &str) -> Vec<(String, String)> {
    let mut browser = Browser::new(node);
    assert_eq!(
        browser.sign_in(name, password).await.status(),
        303,
        "{name}"
    );
    browser.cookies.clone()
}

#[tokio::test]
async fn a_revoked_token_and_a_deleted_service_account_are_refused_by_another_node_at_once() {
    let Some((first, second)) = two_nodes().await else {
        return;
    };
    let account = first.create_account(NIC).await;
    let root = Some(account.token.as_str());
    let (id, secret) = create_client(&first, &account.token, "CLIENT_CREDENTIALS", &[]).await;
    // The second node issues both tokens, so it holds the client, and accepts them.
    let revoked = access_token(&second, &id, &secret).await;
    let kept = access_token(&second, &id, &secret).await;
    for token in [&revoked, &kept] {
        assert_ne!(second.get("/1.0/me", Some(token)).await.status(), 401);
    }

    // RFC 7009 through the first node.
    let basic = format!("{id}:{secret}");
    let answer = post_form(
        &first,
        "/auth/oauth2/revoke",
        Some(&basic),
        &[("token", &revoked)],
    )
    .await;
    assert_eq!(answer.status(), 200);
    let status = status_becomes(&second, "/1.0/me", &revoked, 401).await;
    assert_eq!(status, 401, "the second node still accepts a revoked token");
    assert_ne!(second.get("/1.0/me", Some(&kept)).await.status(), 401);

    // The service account deleted through the first node.
    let path = format!("/1.0/me/api/oauth2/client/{id}");
    assert_eq!(first.delete(&path, root).await.status(), 200);
    let status = status_becomes(&second, "/1.0/me", &kept, 401).await;
    assert_eq!(
        status, 401,
        "the second node still accepts a deleted client's token"
    );
    let refused = request_token(&second, &id, &secret).await;
    assert_eq!(
        refused.status(),
        401,
        "the second node issues tokens for a deleted client"
    );
}

#[tokio::test]
async fn a_session_ended_on_one_node_is_refused_by_another_at_once() {
    let Some((first, second)) = two_nodes().await else {
        return;
    };
    let account = first.create_account(NIC).await;
    let root = Some(account.token.as_str());
    create_user(&first, &account.token, "bob", "ADMIN").await;
    create_user(&first, &account.token, "carol", "ADMIN").await;

    // Signed out on the first node: the cookie, copied, is refused by the second.
    let mut browser = Browser::new(&first);
    assert_eq!(browser.sign_in(NIC, &account.password).await.status(), 303);
    let copied = browser.cookies.clone();
    assert!(session_works(&second, &copied).await);
    let csrf = browser.csrf_of("/console/").await;
    assert_eq!(
        browser
            .post("/console/logout", &[("_csrf", &csrf)])
            .await
            .status(),
        303
    );
    assert!(
        session_ends(&second, &copied).await,
        "a signed-out session still works on the second node"
    );

    // A user disabled, another deleted, through the first node.
    let bob = signed_in(&second, "xx1111-ovh/bob", PASSWORD).await;
    let carol = signed_in(&second, "xx1111-ovh/carol", PASSWORD).await;
    let disable = first
        .post("/1.0/me/identity/user/bob/disable", root, &json!({}))
        .await;
    assert_eq!(disable.status(), 200);
    assert!(
        session_ends(&second, &bob).await,
        "a disabled user's session"
    );
    let deleted = first.delete("/1.0/me/identity/user/carol", root).await;
    assert_eq!(deleted.status(), 200);
    assert!(
        session_ends(&second, &carol).await,
        "a deleted user's session"
    );
}

#[tokio::test]
async fn a_session_belongs_to_the_user_not_to_its_login() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account(NIC).await;
        let root = Some(account.token.as_str());
        create_user(&app, &account.token, "alice", "ADMIN").await;
        let old = signed_in(&app, "xx1111-ovh/alice", PASSWORD).await;
        assert!(session_works(&app, &old).await);

        let deleted = app.delete("/1.0/me/identity/user/alice", root).await;
        assert_eq!(deleted.status(), 200);
        create_user(&app, &account.token, "alice", "ADMIN").await;
        assert!(
            !session_works(&app, &old).await,
            "the first alice's cookie works for the second alice"
        );
        let new = signed_in(&app, "xx1111-ovh/alice", PASSWORD).await;
        assert!(session_works(&app, &new).await, "the new alice signs in");
    }
}

#[tokio::test]
async fn a_node_with_another_public_url_refuses_to_start_until_the_issuer_is_moved() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let stored = app.state.config.public_url.clone();
        let elsewhere = ConfigLayer {
            public_url: Some("https://iam.example.com".into()),
            ..ConfigLayer::default()
        };
        let config = crate::helpers::test_config_with(&app.data_dir, &app.database_url, elsewhere);
        let error = iamd::startup::Application::build(config.clone())
            .await
            .err()
            .expect("a node with another public_url starts");
        let message = format!("{error:#}");
        for part in [
            "https://iam.example.com",
            stored.as_str(),
            "public_url",
            "iamd set-issuer",
        ] {
            assert!(message.contains(part), "{part:?} missing from: {message}");
        }

        // The operator's explicit move: then that node starts, and the old URL is refused.
        iamd::service::issuer::set(&*app.state.store, "https://iam.example.com/")
            .await
            .unwrap();
        let moved = iamd::startup::Application::build(config).await;
        assert!(moved.is_ok(), "{:#}", moved.err().unwrap());
        let old = crate::helpers::test_config_with(
            &app.data_dir,
            &app.database_url,
            ConfigLayer::default(),
        );
        assert!(iamd::startup::Application::build(old).await.is_err());
        assert!(
            iamd::service::issuer::set(&*app.state.store, "ftp://nope")
                .await
                .is_err()
        );
    }
}

/// Runs `iamd account rotate-root` over the database and data directory of `node` (a
/// separate process, as an operator would), returning its one line of JSON.
fn rotate_root_cli(node: &TestApp) -> Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_iamd"))
        .arg("--data-dir")
        .arg(&node.data_dir)
        .arg("--database")
        .arg(&node.database_url)
        .env_remove("IAMD_MASTER_KEY")
        .env_remove("IAMD_DATABASE_URL")
        .args(["account", "rotate-root", "--nic", NIC])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object on stdout")
}

#[tokio::test]
async fn rotating_the_root_refuses_its_old_credentials_on_every_node_at_once() {
    let Some((first, second)) = two_nodes().await else {
        return;
    };
    let account = first.create_account(NIC).await;
    // Another token of the root (as a leaked root token could have left behind): it goes too.
    let extra = "another-root-token-of-xx1111-ovh-0123456789";
    let now = chrono::Utc::now().trunc_subsecs(6);
    let record = iam_store::AccessTokenRecord {
        id: uuid::Uuid::new_v4(),
        account: NIC.into(),
        user: None,
        name: "ci".into(),
        description: "another root token".into(),
        token_hash: first.state.secrets.hash(extra),
        created_at: now,
        expires_at: None,
        last_used: None,
    };
    first.state.store.create_token(&record).await.unwrap();
    // Both nodes hold the root token, and a root console session is open on the second.
    for node in [&first, &second] {
        for held in [account.token.as_str(), extra] {
            assert_eq!(node.get("/1.0/me", Some(held)).await.status(), 200);
        }
    }
    let session = signed_in(&second, NIC, &account.password).await;

    let rotated = rotate_root_cli(&first);
    let (password, token) = (
        rotated["password"].as_str().unwrap(),
        rotated["token"].as_str().unwrap(),
    );
    assert_eq!(rotated["account"], NIC);
    assert_ne!(token, account.token);
    assert_ne!(password, account.password);

    for node in [&first, &second] {
        let status = status_becomes(node, "/1.0/me", &account.token, 401).await;
        assert_eq!(status, 401, "the old root token still works");
        let status = status_becomes(node, "/1.0/me", extra, 401).await;
        assert_eq!(status, 401, "another root token outlives the rotation");
        assert_eq!(node.get("/1.0/me", Some(token)).await.status(), 200);
    }
    assert!(
        session_ends(&second, &session).await,
        "the root's console session outlives the rotation"
    );
    let mut browser = Browser::new(&second);
    let old = browser.sign_in(NIC, &account.password).await;
    assert_eq!(old.status(), 401, "the old password still signs in");
    assert_eq!(browser.sign_in(NIC, password).await.status(), 303);
}
