//! `/auth/time` and `/auth/details`: the calls the SDKs and Terraform make first.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, backends, expect_error, json};
use crate::users::user_token;

#[tokio::test]
async fn auth_time_is_a_bare_integer_of_epoch_seconds() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    for prefix in ["/1.0", "/v1"] {
        // Unauthenticated, but python-ovh sends X-Ovh-Application: it must not matter.
        let request = app
            .request(Method::GET, &format!("{prefix}/auth/time"), None)
            .header("X-Ovh-Application", "ak");
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        let text = response.text().await.unwrap();
        let seconds: i64 = text
            .parse()
            .unwrap_or_else(|_| panic!("a bare integer, not {text:?}"));
        assert!(
            (seconds - chrono::Utc::now().timestamp()).abs() <= 5,
            "{seconds}"
        );
    }
}

fn sorted_keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn auth_details_describe_the_caller() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        expect_error(
            app.get("/1.0/auth/details", None).await,
            401,
            "Client::Unauthorized",
        )
        .await;

        let (status, root) = json(app.get("/v1/auth/details", Some(&account.token)).await).await;
        assert_eq!(status, 200, "{root}");
        let fields = [
            "account",
            "allowedRoutes",
            "description",
            "identities",
            "method",
            "roles",
            "user",
        ];
        assert_eq!(
            sorted_keys(&root),
            fields,
            "Terraform's MeAuthDetails: {root}"
        );
        assert_eq!(root["account"], "xx1111-ovh");
        assert_eq!(root["method"], "account");
        assert_eq!(
            root["identities"],
            json!(["urn:v1:eu:identity:account:xx1111-ovh"])
        );
        assert_eq!(root["roles"], json!(["ADMIN"]));
        assert_eq!(root["user"], "");
        assert!(root["description"].is_string());
        let routes = root["allowedRoutes"].as_array().unwrap();
        assert!(
            routes.contains(&json!({"method": "GET", "path": "/*"})),
            "{root}"
        );
        assert!(
            routes
                .iter()
                .all(|r| r["method"].is_string() && r["path"].is_string())
        );

        let pat = user_token(&app, &account.token, "kate", "UNPRIVILEGED").await;
        let (status, user) = json(app.get("/1.0/auth/details", Some(&pat)).await).await;
        assert_eq!(status, 200, "{user}");
        assert_eq!(sorted_keys(&user), fields);
        assert_eq!(user["account"], "xx1111-ovh");
        assert_eq!(user["method"], "user");
        assert_eq!(user["user"], "kate");
        assert_eq!(user["roles"], json!(["UNPRIVILEGED"]));
        let identities = json!([
            "urn:v1:eu:identity:user:xx1111-ovh/kate",
            "urn:v1:eu:identity:group:xx1111-ovh/UNPRIVILEGED"
        ]);
        assert_eq!(user["identities"], identities);

        // No IAM action guards one's own details: a NONE member, allowed nothing, reads them.
        let body = json!({"name": "nobody", "role": "NONE"});
        assert_eq!(
            app.post("/1.0/me/identity/group", Some(&account.token), &body)
                .await
                .status(),
            200
        );
        let pat = user_token(&app, &account.token, "nemo", "nobody").await;
        assert_eq!(app.get("/1.0/me", Some(&pat)).await.status(), 403);
        let (status, nobody) = json(app.get("/1.0/auth/details", Some(&pat)).await).await;
        assert_eq!((status, nobody["roles"].clone()), (200, json!(["NONE"])));
    }
}
