//! Group roles as seen through users' tokens: `ADMIN` acts as the root, `REGULAR` does all but
//! identity and IAM management writes, `UNPRIVILEGED` reads, `NONE` gets only what policies
//! grant; and moving a user to another group changes its rights on its next call.

use chrono::{SubsecRound, Utc};
use iam_core::policy::{ActionRef, Permissions, Policy, ResourceRef};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, backends, expect_error, json};
use crate::users::{PASSWORD, user_token};

const NIC: &str = "xx1111-ovh";
const ACCOUNT_RESOURCE: &str = "urn:v1:eu:resource:account:xx1111-ovh";

/// Inserts a policy allowing `actions` to `identity` on the account resource (there is no
/// policy API yet), and makes the authorizer see it.
pub async fn grant(app: &TestApp, identity: &str, actions: &[&str]) {
    let now = Utc::now().trunc_subsecs(6);
    let policy = Policy {
        id: Uuid::new_v4(),
        name: format!("grant-{}", Uuid::new_v4().simple()),
        description: None,
        identities: vec![identity.to_owned()],
        resources: vec![ResourceRef {
            urn: ACCOUNT_RESOURCE.to_owned(),
        }],
        permissions: Permissions {
            allow: actions.iter().map(|a| ActionRef::new(*a)).collect(),
            ..Permissions::default()
        },
        permissions_groups: Vec::new(),
        conditions: None,
        expired_at: None,
        read_only: false,
        owner: NIC.to_owned(),
        created_at: now,
        updated_at: None,
    };
    app.state.store.create_policy(&policy).await.unwrap();
    app.state.authorizer.invalidate(NIC);
}

/// Asserts a 403 IAM denial naming exactly `action`.
pub async fn expect_denied(response: reqwest::Response, action: &str) {
    let body = expect_error(response, 403, "Client::Forbidden").await;
    assert_eq!(
        body["details"]["unauthorizedActionsByIAM"], action,
        "{body}"
    );
    assert_eq!(body["errorCode"], "NOT_GRANTED_CALL", "{body}");
}

fn new_user(login: &str) -> Value {
    json!({"login": login, "password": PASSWORD})
}

#[tokio::test]
async fn unprivileged_users_read_but_cannot_write() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account(NIC).await;
        let pat = user_token(&app, &account.token, "reader", "UNPRIVILEGED").await;
        let me = Some(pat.as_str());
        for path in [
            "/1.0/me",
            "/1.0/me/identity/user",
            "/1.0/me/identity/user/reader",
            "/1.0/me/identity/group",
        ] {
            assert_eq!(app.get(path, me).await.status(), 200, "{path}");
        }
        assert_eq!(
            app.get("/1.0/me/identity/group/ADMIN", me).await.status(),
            200
        );
        assert_eq!(
            app.get("/1.0/me/identity/user/reader/token", me)
                .await
                .status(),
            200
        );

        let create_user = app.post("/1.0/me/identity/user", me, &new_user("x")).await;
        expect_denied(create_user, "account:apiovh:me/identity/user/create").await;
        let create_group = app
            .post("/1.0/me/identity/group", me, &json!({"name": "g"}))
            .await;
        expect_denied(create_group, "account:apiovh:me/identity/group/create").await;
        let edit = app
            .put(
                "/1.0/me/identity/user/reader",
                me,
                &json!({"group": "ADMIN"}),
            )
            .await;
        expect_denied(edit, "account:apiovh:me/identity/user/edit").await;
        let token = app
            .post(
                "/1.0/me/identity/user/reader/token",
                me,
                &json!({"name": "t", "description": "d"}),
            )
            .await;
        expect_denied(token, "account:apiovh:me/identity/user/token/create").await;
        expect_denied(
            app.delete("/1.0/me/identity/user/reader", me).await,
            "account:apiovh:me/identity/user/delete",
        )
        .await;
        let (_, logins) = json(app.get("/1.0/me/identity/user", Some(&account.token)).await).await;
        assert_eq!(logins, json!(["reader"]), "nothing was created");
    }
}

#[tokio::test]
async fn none_gets_only_what_policies_grant() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account(NIC).await;
        let root = Some(account.token.as_str());
        let (status, _) = json(
            app.post(
                "/1.0/me/identity/group",
                root,
                &json!({"name": "nobody", "role": "NONE"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
        let pat = user_token(&app, &account.token, "nemo", "nobody").await;
        let me = Some(pat.as_str());
        expect_denied(app.get("/1.0/me", me).await, "account:apiovh:me/get").await;
        expect_denied(
            app.get("/1.0/me/identity/user", me).await,
            "account:apiovh:me/identity/user/get",
        )
        .await;

        grant(
            &app,
            "urn:v1:eu:identity:user:xx1111-ovh/nemo",
            &["account:apiovh:me/identity/user/get"],
        )
        .await;
        assert_eq!(
            app.get("/1.0/me/identity/user", me).await.status(),
            200,
            "granted to the user"
        );
        expect_denied(
            app.get("/1.0/me/identity/group", me).await,
            "account:apiovh:me/identity/group/get",
        )
        .await;
        grant(
            &app,
            "urn:v1:eu:identity:group:xx1111-ovh/nobody",
            &["account:apiovh:me/identity/group/*"],
        )
        .await;
        assert_eq!(
            app.get("/1.0/me/identity/group", me).await.status(),
            200,
            "granted to its group"
        );
        let created = app
            .post(
                "/1.0/me/identity/group",
                me,
                &json!({"name": "made-by-nemo"}),
            )
            .await;
        assert_eq!(created.status(), 200);
        expect_denied(app.get("/1.0/me", me).await, "account:apiovh:me/get").await;
    }
}

#[tokio::test]
async fn admin_acts_as_root() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account(NIC).await;
        let pat = user_token(&app, &account.token, "boss", "ADMIN").await;
        let me = Some(pat.as_str());
        let (status, _) = json(
            app.post("/1.0/me/identity/user", me, &new_user("minion"))
                .await,
        )
        .await;
        assert_eq!(status, 200);
        let (status, created) = json(
            app.post(
                "/1.0/me/identity/user/minion/token",
                me,
                &json!({"name": "t", "description": "d"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{created}");
        assert_eq!(
            app.post("/1.0/me/identity/group", me, &json!({"name": "ops"}))
                .await
                .status(),
            200
        );
        assert_eq!(
            app.post("/1.0/me/identity/user/minion/disable", me, &json!({}))
                .await
                .status(),
            200
        );
        assert_eq!(
            app.delete("/1.0/me/identity/user/minion", me)
                .await
                .status(),
            200
        );
    }
}

#[tokio::test]
async fn regular_does_everything_but_identity_management() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account(NIC).await;
        let pat = user_token(&app, &account.token, "dev", "DEFAULT").await;
        let me = Some(pat.as_str());
        assert_eq!(app.get("/1.0/me", me).await.status(), 200);
        assert_eq!(
            app.get("/1.0/me/identity/user", me).await.status(),
            200,
            "REGULAR keeps the reads"
        );
        expect_denied(
            app.post("/1.0/me/identity/user", me, &new_user("x")).await,
            "account:apiovh:me/identity/user/create",
        )
        .await;
        let escalate = app
            .put("/1.0/me/identity/user/dev", me, &json!({"group": "ADMIN"}))
            .await;
        expect_denied(escalate, "account:apiovh:me/identity/user/edit").await;
    }
}

#[tokio::test]
async fn moving_a_user_to_another_group_changes_its_rights_at_once() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account(NIC).await;
        let root = Some(account.token.as_str());
        let (status, _) = json(
            app.post(
                "/1.0/me/identity/group",
                root,
                &json!({"name": "nobody", "role": "NONE"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
        let pat = user_token(&app, &account.token, "mover", "UNPRIVILEGED").await;
        let me = Some(pat.as_str());
        let path = "/1.0/me/identity/user/mover";
        let app = &app;
        let create_group = || async move {
            app.post("/1.0/me/identity/group", me, &json!({"name": "g"}))
                .await
        };
        expect_denied(
            create_group().await,
            "account:apiovh:me/identity/group/create",
        )
        .await;

        assert_eq!(
            app.put(path, root, &json!({"group": "ADMIN"}))
                .await
                .status(),
            200
        );
        assert_eq!(
            create_group().await.status(),
            200,
            "ADMIN on the very next call"
        );

        assert_eq!(
            app.put(path, root, &json!({"group": "nobody"}))
                .await
                .status(),
            200
        );
        expect_denied(
            app.get("/1.0/me/identity/user", me).await,
            "account:apiovh:me/identity/user/get",
        )
        .await;

        assert_eq!(
            app.put(path, root, &json!({"group": "DEFAULT"}))
                .await
                .status(),
            200
        );
        assert_eq!(
            app.get("/1.0/me/identity/user", me).await.status(),
            200,
            "REGULAR reads"
        );
        expect_denied(
            app.post("/1.0/me/identity/user", me, &new_user("x")).await,
            "account:apiovh:me/identity/user/create",
        )
        .await;

        // A group's role change reaches its members at once too.
        assert_eq!(
            app.put(path, root, &json!({"group": "nobody"}))
                .await
                .status(),
            200
        );
        assert_eq!(
            app.put(
                "/1.0/me/identity/group/nobody",
                root,
                &json!({"role": "ADMIN"})
            )
            .await
            .status(),
            200
        );
        assert_eq!(
            app.post("/1.0/me/identity/user", me, &new_user("x"))
                .await
                .status(),
            200
        );
    }
}
