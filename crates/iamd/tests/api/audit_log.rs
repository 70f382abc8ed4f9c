//! `GET /v2/iamd/audit`: the account's audit log, newest first, for its administrators.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, backends, expect_error, json};
use crate::roles::{expect_denied, grant};
use crate::users::{PASSWORD, instant, user_token};

const AUDIT_ACTION: &str = "account:iamd:audit/get";

async fn audit(app: &TestApp, token: &str, query: &[(&str, &str)]) -> Vec<Value> {
    let response = app
        .request(Method::GET, "/v2/iamd/audit", Some(token))
        .query(query)
        .send()
        .await
        .unwrap();
    let (status, body) = json(response).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

#[tokio::test]
async fn the_audit_log_records_changes_and_denials() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let root = account.token.as_str();
        let pat = user_token(&app, root, "lena", "UNPRIVILEGED").await;
        let refused = app
            .post(
                "/1.0/me/identity/user",
                Some(&pat),
                &json!({"login": "x", "password": PASSWORD}),
            )
            .await;
        expect_denied(refused, "account:apiovh:me/identity/user/create").await;
        let edit = json!({"description": "edited"});
        assert_eq!(
            app.put("/1.0/me/identity/user/lena", Some(root), &edit)
                .await
                .status(),
            200
        );

        let entries = audit(&app, root, &[]).await;
        let fields = [
            "action", "actor", "at", "details", "id", "ip", "outcome", "target",
        ];
        for entry in &entries {
            let mut keys: Vec<&String> = entry.as_object().unwrap().keys().collect();
            keys.sort();
            assert_eq!(keys, fields, "{entry}");
            assert_eq!(entry["ip"], "127.0.0.1", "{entry}");
            let text = entry.to_string();
            assert!(
                !text.contains(PASSWORD) && !text.contains(&pat),
                "no secret in the log: {text}"
            );
        }
        let ats: Vec<_> = entries.iter().map(|e| instant(&e["at"])).collect();
        assert!(
            ats.windows(2).all(|w| w[0] >= w[1]),
            "newest first: {ats:?}"
        );
        let actions: Vec<&str> = entries
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "account:apiovh:me/identity/user/edit",
                "account:apiovh:me/identity/user/create",
                "account:apiovh:me/identity/user/token/create",
                "account:apiovh:me/identity/user/create",
            ]
        );

        let created = &entries[3];
        assert_eq!(created["actor"], "urn:v1:eu:identity:account:xx1111-ovh");
        assert_eq!(created["target"], "urn:v1:eu:identity:user:xx1111-ovh/lena");
        assert_eq!(created["outcome"], "success");
        assert_eq!(created["details"]["group"], "UNPRIVILEGED");
        assert_eq!(entries[2]["details"]["token"], "main");
        let denied = &entries[1];
        assert_eq!(denied["actor"], "urn:v1:eu:identity:user:xx1111-ovh/lena");
        assert_eq!(denied["outcome"], "denied");
        assert_eq!(denied["target"], "urn:v1:eu:resource:account:xx1111-ovh");

        let only_denied = audit(&app, root, &[("outcome", "denied")]).await;
        assert_eq!(only_denied.len(), 1);
        assert_eq!(only_denied[0]["id"], denied["id"]);
        let newest = audit(&app, root, &[("limit", "1")]).await;
        assert_eq!(newest, entries[..1]);
        let before = entries[1]["at"].as_str().unwrap().to_owned();
        let older = audit(&app, root, &[("before", &before)]).await;
        assert_eq!(older, entries[2..], "strictly before");
    }
}

#[tokio::test]
async fn the_audit_log_is_for_administrators() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let root = Some(account.token.as_str());
        for (login, group) in [("una", "UNPRIVILEGED"), ("reg", "DEFAULT")] {
            let pat = user_token(&app, &account.token, login, group).await;
            expect_denied(app.get("/v2/iamd/audit", Some(&pat)).await, AUDIT_ACTION).await;
        }
        let admin = user_token(&app, &account.token, "adm", "ADMIN").await;
        assert_eq!(app.get("/v2/iamd/audit", Some(&admin)).await.status(), 200);

        // An explicit policy grants it, to a NONE member and to a REGULAR one alike.
        let (status, _) = json(
            app.post(
                "/1.0/me/identity/group",
                root,
                &json!({"name": "auditors", "role": "NONE"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
        let auditor = user_token(&app, &account.token, "aud", "auditors").await;
        expect_denied(
            app.get("/v2/iamd/audit", Some(&auditor)).await,
            AUDIT_ACTION,
        )
        .await;
        grant(
            &app,
            "urn:v1:eu:identity:group:xx1111-ovh/auditors",
            &[AUDIT_ACTION],
        )
        .await;
        assert_eq!(
            app.get("/v2/iamd/audit", Some(&auditor)).await.status(),
            200
        );

        let denials = app
            .state
            .store
            .list_audit("xx1111-ovh", &Default::default())
            .await
            .unwrap();
        let refused: Vec<_> = denials
            .iter()
            .filter(|e| e.outcome == "denied" && e.action == AUDIT_ACTION)
            .collect();
        assert_eq!(refused.len(), 3, "each refusal is recorded: {refused:?}");
    }
}

#[tokio::test]
async fn an_explicit_policy_lets_a_regular_member_read_the_log() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let pat = user_token(&app, &account.token, "reg", "DEFAULT").await;
        expect_denied(app.get("/v2/iamd/audit", Some(&pat)).await, AUDIT_ACTION).await;
        grant(
            &app,
            "urn:v1:eu:identity:user:xx1111-ovh/reg",
            &["account:iamd:*"],
        )
        .await;
        assert_eq!(app.get("/v2/iamd/audit", Some(&pat)).await.status(), 200);
    }
}

#[tokio::test]
async fn audit_queries_are_validated() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let account = app.create_account("xx1111-ovh").await;
    expect_error(
        app.get("/v2/iamd/audit", None).await,
        401,
        "Client::Unauthorized",
    )
    .await;
    for query in [
        "limit=0",
        "limit=1001",
        "limit=many",
        "outcome=maybe",
        "before=yesterday",
        "actor=me",
    ] {
        let response = app
            .get(&format!("/v2/iamd/audit?{query}"), Some(&account.token))
            .await;
        expect_error(response, 400, "Client::BadRequest").await;
    }
    let response = app
        .get(
            "/v2/iamd/audit?limit=1000&outcome=success",
            Some(&account.token),
        )
        .await;
    assert_eq!(response.status(), 200);
}

/// One write path: the change and its line are committed together, so a write the store
/// or a rule refuses leaves no line, and each acknowledged one leaves exactly one.
#[tokio::test]
async fn a_refused_write_leaves_no_line_and_an_acknowledged_one_exactly_one() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let root = account.token.as_str();
        let before = audit(&app, root, &[]).await.len();
        let group = json!({"name": "ops", "role": "REGULAR"});
        let created = app.post("/1.0/me/identity/group", Some(root), &group).await;
        assert_eq!(created.status(), 200);
        let again = app.post("/1.0/me/identity/group", Some(root), &group).await;
        assert_eq!(again.status(), 409, "the store refuses a second ops");
        let missing = app
            .request(Method::DELETE, "/1.0/me/identity/group/nobody", Some(root))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
        let default = app
            .put(
                "/1.0/me/identity/group/ADMIN",
                Some(root),
                &json!({"role": "NONE"}),
            )
            .await;
        assert_eq!(default.status(), 403, "a rule refuses it");

        let entries = audit(&app, root, &[]).await;
        assert_eq!(entries.len(), before + 1, "{entries:#?}");
        assert_eq!(
            entries[0]["action"],
            "account:apiovh:me/identity/group/create"
        );
        assert_eq!(entries[0]["target"], "ops");
        assert_eq!(entries[0]["outcome"], "success");
    }
}
