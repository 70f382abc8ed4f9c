//! Personal access tokens are resolved once and then held in memory (the principal cache):
//! every write that changes who a token acts as is still enforced by its very next call.
//! Each test first makes sure the token is held, so that it is the cache being refused.

use serde_json::json;

use crate::helpers::{TestApp, backends, expect_error, json};
use crate::users::{create_token, user_token};

const USER: &str = "/1.0/me/identity/user";

/// Calls `/1.0/auth/details` (which needs no IAM action) with `pat` until the node holds the
/// token. On PostgreSQL the node also hears of its own writes, a moment later, which may drop
/// what the first call resolved: hence a few calls at most.
async fn use_and_hold(app: &TestApp, pat: &str) {
    let hash = app.state.secrets.hash(pat);
    for _ in 0..100 {
        let status = app.get("/1.0/auth/details", Some(pat)).await.status();
        assert_eq!(status, 200);
        if app.state.principals.get(&hash).is_some() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the token is never held");
}

async fn refused(app: &TestApp, pat: &str) {
    expect_error(
        app.get("/1.0/me", Some(pat)).await,
        401,
        "Client::Unauthorized",
    )
    .await;
}

#[tokio::test]
async fn a_held_token_of_a_disabled_user_is_refused_at_once() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let root = Some(account.token.as_str());
        let pat = user_token(&app, &account.token, "erin", "DEFAULT").await;
        use_and_hold(&app, &pat).await;

        let (status, _) = json(
            app.post(&format!("{USER}/erin/disable"), root, &json!({}))
                .await,
        )
        .await;
        assert_eq!(status, 200);
        refused(&app, &pat).await;
        refused(&app, &pat).await;

        let (status, _) = json(
            app.post(&format!("{USER}/erin/enable"), root, &json!({}))
                .await,
        )
        .await;
        assert_eq!(status, 200);
        use_and_hold(&app, &pat).await;
    }
}

#[tokio::test]
async fn a_held_token_is_refused_once_deleted() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let root = Some(account.token.as_str());
        let pat = user_token(&app, &account.token, "gina", "DEFAULT").await;
        let other = create_token(&app, &account.token, "gina", "other").await;
        use_and_hold(&app, &pat).await;
        use_and_hold(&app, &other).await;

        let (status, _) = json(app.delete(&format!("{USER}/gina/token/main"), root).await).await;
        assert_eq!(status, 200);
        refused(&app, &pat).await;
        assert_eq!(
            app.get("/1.0/me", Some(&other)).await.status(),
            200,
            "the user's other token still works"
        );

        let (status, _) = json(app.delete(&format!("{USER}/gina"), root).await).await;
        assert_eq!(status, 200);
        refused(&app, &other).await;
    }
}

#[tokio::test]
async fn a_held_token_acts_as_its_users_new_group_at_once() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let root = Some(account.token.as_str());
        let group = json!({"name": "nobody", "role": "NONE"});
        assert_eq!(
            app.post("/1.0/me/identity/group", root, &group)
                .await
                .status(),
            200
        );
        let pat = user_token(&app, &account.token, "hugo", "nobody").await;
        use_and_hold(&app, &pat).await;
        let listing = app.get(USER, Some(&pat)).await;
        expect_error(listing, 403, "Client::Forbidden").await;

        let promote = json!({"group": "ADMIN"});
        let (status, _) = json(app.put(&format!("{USER}/hugo"), root, &promote).await).await;
        assert_eq!(status, 200);
        assert_eq!(app.get(USER, Some(&pat)).await.status(), 200);
        let (_, me) = json(app.get("/1.0/auth/details", Some(&pat)).await).await;
        assert_eq!(
            me["identities"][1],
            "urn:v1:eu:identity:group:xx1111-ovh/ADMIN"
        );
    }
}

#[tokio::test]
async fn a_held_token_records_its_use() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let root = Some(account.token.as_str());
        let pat = user_token(&app, &account.token, "ines", "DEFAULT").await;
        let path = format!("{USER}/ines/token/main");
        let (_, before) = json(app.get(&path, root).await).await;
        assert!(before["lastUsed"].is_null(), "{before}");
        use_and_hold(&app, &pat).await;
        let (_, after) = json(app.get(&path, root).await).await;
        assert!(after["lastUsed"].is_string(), "{after}");
        // Within the minute of granularity, further calls write nothing.
        use_and_hold(&app, &pat).await;
        let (_, again) = json(app.get(&path, root).await).await;
        assert_eq!(again["lastUsed"], after["lastUsed"]);
    }
}
