//! The OAuth2 server: the client credentials grant and its errors, access tokens on API
//! calls (the seed-000 scenario), introspection, revocation, JWKS and metadata.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::Utc;
use iam_core::policy::{ActionRef, Permissions, Policy, ResourceRef};
use iamd::token::jwt::{self, AccessClaims};
use iamd::token::signing_key::Usage;
use reqwest::Response;
use serde_json::{Value, json};

use crate::clients::create_client;
use crate::helpers::{Backend, TestApp, backends, expect_error, json};

pub const TOKEN: &str = "/auth/oauth2/token";

/// `application/x-www-form-urlencoded` of `pairs`.
fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

pub async fn post_form(
    app: &TestApp,
    path: &str,
    basic: Option<&str>,
    pairs: &[(&str, &str)],
) -> Response {
    let mut request = app
        .client
        .post(format!("{}{path}", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(pairs));
    if let Some(raw) = basic {
        request = request.header("authorization", format!("Basic {}", STANDARD.encode(raw)));
    }
    request.send().await.unwrap()
}

/// A token request as python-ovh makes it: Basic with the raw id and secret.
pub async fn request_token(app: &TestApp, id: &str, secret: &str) -> Response {
    post_form(
        app,
        TOKEN,
        Some(&format!("{id}:{secret}")),
        &[("grant_type", "client_credentials"), ("scope", "all")],
    )
    .await
}

pub async fn access_token(app: &TestApp, id: &str, secret: &str) -> String {
    let (status, body) = json(request_token(app, id, secret).await).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

fn part(token: &str, index: usize) -> Value {
    let text = token.split('.').nth(index).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text).unwrap()).unwrap()
}

pub fn kid_of(token: &str) -> String {
    part(token, 0)["kid"].as_str().unwrap().to_owned()
}

/// Every character percent-encoded, a valid (if extreme) RFC 6749 §2.3.1 form encoding.
fn percent_all(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Inserts a policy giving `identity` the actions on the account resource of `nic` (there is
/// no policy API yet), then makes the authorizer see it.
pub async fn grant(app: &TestApp, nic: &str, identity: &str, actions: &[&str]) {
    let policy = Policy {
        id: uuid::Uuid::new_v4(),
        name: format!("grant-{}", uuid::Uuid::new_v4().simple()),
        description: Some("Demo for service account guide".into()),
        identities: vec![identity.to_owned()],
        resources: vec![ResourceRef {
            urn: format!("urn:v1:eu:resource:account:{nic}"),
        }],
        permissions: Permissions {
            allow: actions.iter().map(|a| ActionRef::new(*a)).collect(),
            ..Default::default()
        },
        permissions_groups: Vec::new(),
        conditions: None,
        expired_at: None,
        read_only: false,
        owner: nic.to_owned(),
        created_at: Utc::now(),
        updated_at: None,
    };
    app.state.store.create_policy(&policy).await.unwrap();
    app.state.authorizer.invalidate(nic);
}

fn identity(nic: &str, client_id: &str) -> String {
    format!("urn:v1:eu:identity:credential:{nic}/oauth2-{client_id}")
}

#[tokio::test]
async fn client_credentials_tokens_with_every_client_authentication() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let (id, secret) = create_client(&app, &account.token, "CLIENT_CREDENTIALS", &[]).await;
        let grant = [("grant_type", "client_credentials")];

        let raw = request_token(&app, &id, &secret).await;
        let encoded = post_form(
            &app,
            TOKEN,
            Some(&format!("{}:{}", percent_all(&id), percent_all(&secret))),
            &grant,
        )
        .await;
        let body = post_form(
            &app,
            TOKEN,
            None,
            &[grant[0], ("client_id", &id), ("client_secret", &secret)],
        )
        .await;
        for response in [raw, encoded, body] {
            assert_eq!(response.headers()["cache-control"], "no-store");
            let (status, answer) = json(response).await;
            assert_eq!(status, 200, "{answer}");
            assert_eq!(
                (answer["token_type"].as_str(), answer["scope"].as_str()),
                (Some("Bearer"), Some("all"))
            );
            assert_eq!(answer["expires_in"], 3600);
            let token = answer["access_token"].as_str().unwrap();
            let header = part(token, 0);
            assert_eq!(header["alg"], "EdDSA");
            let jwks = app.state.keys.jwks(Usage::AccessToken);
            assert_eq!(
                jwks["keys"][0]["kid"], header["kid"],
                "signed by the published key"
            );
            let claims = part(token, 1);
            assert_eq!(claims["iss"], app.state.config.public_url.as_str());
            assert_eq!(claims["sub"], identity("xx1111-ovh", &id));
            assert_eq!(
                (claims["account"].as_str(), claims["client_id"].as_str()),
                (Some("xx1111-ovh"), Some(id.as_str()))
            );
            assert_eq!(claims["scope"], "all");
            assert_eq!(
                claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
                3600
            );
            assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));
        }
        let a = access_token(&app, &id, &secret).await;
        let b = access_token(&app, &id, &secret).await;
        assert_ne!(
            part(&a, 1)["jti"],
            part(&b, 1)["jti"],
            "every token has its own jti"
        );
        let no_scope = post_form(&app, TOKEN, Some(&format!("{id}:{secret}")), &grant).await;
        assert_eq!(
            json(no_scope).await.1["scope"],
            "all",
            "scope defaults to all"
        );

        let metrics = app.get("/metrics", None).await.text().await.unwrap();
        assert!(
            metrics
                .contains("iamd_oauth2_tokens_issued_total{grant_type=\"client_credentials\"} 6"),
            "{metrics}"
        );
    }
}

async fn expect_oauth_error(response: Response, status: u16, error: &str) -> Value {
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let (got, body) = json(response).await;
    assert_eq!(
        (got, body["error"].as_str()),
        (status, Some(error)),
        "{body}"
    );
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    if status == 401 {
        assert_eq!(challenge.as_deref(), Some("Basic realm=\"iamd\""));
    }
    body
}

#[tokio::test]
async fn failed_client_authentication_looks_the_same_whatever_the_cause() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let (id, secret) = create_client(&app, &account.token, "CLIENT_CREDENTIALS", &[]).await;
        let (deleted, deleted_secret) =
            create_client(&app, &account.token, "CLIENT_CREDENTIALS", &[]).await;
        // Used once before its deletion, so that this node holds it in its client cache.
        assert_eq!(
            request_token(&app, &deleted, &deleted_secret)
                .await
                .status(),
            200
        );
        let path = format!("/1.0/me/api/oauth2/client/{deleted}");
        assert_eq!(app.delete(&path, Some(&account.token)).await.status(), 200);

        let wrong_secret = request_token(&app, &id, "wrong-secret").await;
        let unknown = request_token(&app, "EU.0123456789abcdef", &secret).await;
        let gone = request_token(&app, &deleted, &deleted_secret).await;
        let in_body = post_form(
            &app,
            TOKEN,
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", "x"),
            ],
        )
        .await;
        let mut bodies = Vec::new();
        for response in [wrong_secret, unknown, gone, in_body] {
            bodies.push(expect_oauth_error(response, 401, "invalid_client").await);
        }
        assert!(
            bodies.windows(2).all(|w| w[0] == w[1]),
            "identical bodies: {bodies:?}"
        );
        let nothing = post_form(&app, TOKEN, None, &[("grant_type", "client_credentials")]).await;
        expect_oauth_error(nothing, 401, "invalid_client").await;
        let only_id = post_form(
            &app,
            TOKEN,
            None,
            &[("grant_type", "client_credentials"), ("client_id", &id)],
        )
        .await;
        expect_oauth_error(only_id, 401, "invalid_client").await;
    }
}

#[tokio::test]
async fn malformed_token_requests_get_rfc_6749_errors() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let account = app.create_account("xx1111-ovh").await;
    let (id, secret) = create_client(&app, &account.token, "CLIENT_CREDENTIALS", &[]).await;
    let basic = format!("{id}:{secret}");
    let basic = Some(basic.as_str());
    let cc = ("grant_type", "client_credentials");

    let both = post_form(
        &app,
        TOKEN,
        basic,
        &[cc, ("client_id", &id), ("client_secret", &secret)],
    )
    .await;
    expect_oauth_error(both, 400, "invalid_request").await;
    let no_grant = post_form(&app, TOKEN, basic, &[("scope", "all")]).await;
    expect_oauth_error(no_grant, 400, "invalid_request").await;
    let password = post_form(
        &app,
        TOKEN,
        basic,
        &[
            ("grant_type", "password"),
            ("username", "u"),
            ("password", "p"),
        ],
    )
    .await;
    expect_oauth_error(password, 400, "unsupported_grant_type").await;
    let code = post_form(
        &app,
        TOKEN,
        basic,
        &[("grant_type", "authorization_code"), ("code", "x")],
    )
    .await;
    expect_oauth_error(code, 400, "unsupported_grant_type").await;
    let scope = post_form(&app, TOKEN, basic, &[cc, ("scope", "openid")]).await;
    expect_oauth_error(scope, 400, "invalid_scope").await;
    let repeated = post_form(&app, TOKEN, basic, &[cc, cc]).await;
    expect_oauth_error(repeated, 400, "invalid_request").await;
    let json_body = app
        .client
        .post(format!("{}{TOKEN}", app.base))
        .json(&json!({"grant_type": "client_credentials"}));
    expect_oauth_error(json_body.send().await.unwrap(), 400, "invalid_request").await;

    let (code_id, code_secret) = create_client(
        &app,
        &account.token,
        "AUTHORIZATION_CODE",
        &["https://app.example/cb"],
    )
    .await;
    let refused = request_token(&app, &code_id, &code_secret).await;
    expect_oauth_error(refused, 400, "unauthorized_client").await;
    let get = app.get(TOKEN, None).await;
    assert_eq!(get.status(), 405);
}

#[tokio::test]
async fn the_seed_policy_scenario_end_to_end() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx11111-ovh").await;
        let (id, secret) = create_client(&app, &account.token, "CLIENT_CREDENTIALS", &[]).await;
        let bearer = access_token(&app, &id, &secret).await;
        let token = Some(bearer.as_str());

        // Without a policy the service account can do nothing at all.
        for path in [
            "/1.0/me",
            "/1.0/me/api/oauth2/client",
            "/1.0/me/identity/group",
        ] {
            expect_error(app.get(path, token).await, 403, "Client::Forbidden").await;
        }
        let body = json!({"name": "n", "description": "d", "flow": "CLIENT_CREDENTIALS"});
        expect_error(
            app.post("/1.0/me/api/oauth2/client", token, &body).await,
            403,
            "Client::Forbidden",
        )
        .await;

        let actions = ["get", "create", "edit", "delete"]
            .map(|v| format!("account:apiovh:me/api/oauth2/client/{v}"));
        grant(
            &app,
            "xx11111-ovh",
            &identity("xx11111-ovh", &id),
            &actions.each_ref().map(String::as_str),
        )
        .await;

        let (status, created) =
            json(app.post("/1.0/me/api/oauth2/client", token, &body).await).await;
        assert_eq!(status, 200, "{created}");
        let other = created["clientId"].as_str().unwrap();
        let (status, list) = json(app.get("/1.0/me/api/oauth2/client", token).await).await;
        assert_eq!((status, list), (200, json!([id, other])));
        let path = format!("/1.0/me/api/oauth2/client/{other}");
        assert_eq!(json(app.get(&path, token).await).await.0, 200);
        assert_eq!(
            json(
                app.put(&path, token, &json!({"description": "edited"}))
                    .await
            )
            .await,
            (200, Value::Null)
        );
        assert_eq!(
            json(app.delete(&path, token).await).await,
            (200, Value::Null)
        );

        for (path, action) in [
            ("/1.0/me", "account:apiovh:me/get"),
            (
                "/1.0/me/identity/group",
                "account:apiovh:me/identity/group/get",
            ),
        ] {
            let denied = expect_error(app.get(path, token).await, 403, "Client::Forbidden").await;
            assert_eq!(
                denied["details"]["unauthorizedActionsByIAM"], action,
                "{denied}"
            );
        }
    }
}

#[tokio::test]
async fn bad_expired_revoked_and_orphaned_tokens_are_refused_at_once() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let account = app.create_account("xx1111-ovh").await;
        let (id, secret) = create_client(&app, &account.token, "CLIENT_CREDENTIALS", &[]).await;
        grant(
            &app,
            "xx1111-ovh",
            &identity("xx1111-ovh", &id),
            &["account:apiovh:me/get"],
        )
        .await;
        let bearer = access_token(&app, &id, &secret).await;
        assert_eq!(app.get("/1.0/me", Some(&bearer)).await.status(), 200);

        // Minted with the server's own key, expired an hour ago.
        let now = Utc::now().timestamp();
        let mut claims: AccessClaims = serde_json::from_value(part(&bearer, 1)).unwrap();
        claims.iat = now - 7200;
        claims.exp = now - 3600;
        claims.jti = "expired-one".into();
        let expired = jwt::sign(&app.state.keys, Usage::AccessToken, &claims).unwrap();
        let body = expect_error(
            app.get("/1.0/me", Some(&expired)).await,
            401,
            "Client::Unauthorized",
        )
        .await;
        assert_eq!(body["errorCode"], "INVALID_CREDENTIAL");

        let mut parts: Vec<&str> = bearer.split('.').collect();
        let forged_claims = URL_SAFE_NO_PAD.encode(json!({"account": "yy2222-ovh"}).to_string());
        parts[1] = &forged_claims;
        expect_error(
            app.get("/1.0/me", Some(&parts.join("."))).await,
            401,
            "Client::Unauthorized",
        )
        .await;
        let other_issuer = AccessClaims {
            iss: "https://elsewhere.example".into(),
            ..claims.clone()
        };
        let other_issuer = AccessClaims {
            exp: now + 600,
            ..other_issuer
        };
        let foreign = jwt::sign(&app.state.keys, Usage::AccessToken, &other_issuer).unwrap();
        expect_error(
            app.get("/1.0/me", Some(&foreign)).await,
            401,
            "Client::Unauthorized",
        )
        .await;

        // Revoked through RFC 7009: refused by the very next call.
        let revoked = access_token(&app, &id, &secret).await;
        let response = post_form(
            &app,
            "/auth/oauth2/revoke",
            Some(&format!("{id}:{secret}")),
            &[("token", &revoked)],
        )
        .await;
        assert_eq!(response.status(), 200);
        expect_error(
            app.get("/1.0/me", Some(&revoked)).await,
            401,
            "Client::Unauthorized",
        )
        .await;
        assert_eq!(
            app.get("/1.0/me", Some(&bearer)).await.status(),
            200,
            "other tokens are untouched"
        );

        // The client deleted: its unexpired token is refused at once.
        let path = format!("/1.0/me/api/oauth2/client/{id}");
        assert_eq!(app.delete(&path, Some(&account.token)).await.status(), 200);
        expect_error(
            app.get("/1.0/me", Some(&bearer)).await,
            401,
            "Client::Unauthorized",
        )
        .await;
        // ... also after a restart (the revocation is in the store, not only in memory).
        let app = app.restart().await;
        expect_error(
            app.get("/1.0/me", Some(&bearer)).await,
            401,
            "Client::Unauthorized",
        )
        .await;
    }
}

#[tokio::test]
async fn an_access_token_never_reads_another_account() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let a = app.create_account("aa1111-ovh").await;
        let b = app.create_account("bb2222-ovh").await;
        let (id, secret) = create_client(&app, &a.token, "CLIENT_CREDENTIALS", &[]).await;
        let (b_id, _) = create_client(&app, &b.token, "CLIENT_CREDENTIALS", &[]).await;
        // B's policies name A's service account on B's account: they must not count.
        let a_identity = identity("aa1111-ovh", &id);
        grant(&app, "bb2222-ovh", &a_identity, &["*"]).await;
        let bearer = access_token(&app, &id, &secret).await;
        expect_error(
            app.get("/1.0/me", Some(&bearer)).await,
            403,
            "Client::Forbidden",
        )
        .await;

        grant(
            &app,
            "aa1111-ovh",
            &a_identity,
            &[
                "account:apiovh:me/get",
                "account:apiovh:me/api/oauth2/client/get",
            ],
        )
        .await;
        let (status, me) = json(app.get("/1.0/me", Some(&bearer)).await).await;
        assert_eq!(
            (status, me["nichandle"].as_str()),
            (200, Some("aa1111-ovh"))
        );
        let (_, list) = json(app.get("/1.0/me/api/oauth2/client", Some(&bearer)).await).await;
        assert_eq!(list, json!([id]));
        let other = format!("/1.0/me/api/oauth2/client/{b_id}");
        expect_error(
            app.get(&other, Some(&bearer)).await,
            404,
            "Client::NotFound",
        )
        .await;
    }
}

#[tokio::test]
async fn introspection_answers_only_about_live_tokens_of_the_callers_account() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let a = app.create_account("aa1111-ovh").await;
        let b = app.create_account("bb2222-ovh").await;
        let (id, secret) = create_client(&app, &a.token, "CLIENT_CREDENTIALS", &[]).await;
        let (server, server_secret) =
            create_client(&app, &a.token, "CLIENT_CREDENTIALS", &[]).await;
        let (outsider, outsider_secret) =
            create_client(&app, &b.token, "CLIENT_CREDENTIALS", &[]).await;
        let bearer = access_token(&app, &id, &secret).await;
        let as_server = format!("{server}:{server_secret}");
        let introspect = "/auth/oauth2/introspect";

        let response = post_form(&app, introspect, Some(&as_server), &[("token", &bearer)]).await;
        assert_eq!(response.headers()["cache-control"], "no-store");
        let (status, active) = json(response).await;
        assert_eq!(
            (status, active["active"].as_bool()),
            (200, Some(true)),
            "{active}"
        );
        assert_eq!(active["client_id"], id.as_str());
        assert_eq!(active["sub"], identity("aa1111-ovh", &id));
        assert_eq!(
            (active["scope"].as_str(), active["token_type"].as_str()),
            (Some("all"), Some("Bearer"))
        );
        assert!(active["exp"].as_i64().unwrap() > Utc::now().timestamp());
        let body_auth = post_form(
            &app,
            introspect,
            None,
            &[
                ("token", &bearer),
                ("client_id", &server),
                ("client_secret", &server_secret),
            ],
        )
        .await;
        assert_eq!(json(body_auth).await.1["active"], true);

        let inactive = json!({"active": false});
        let as_outsider = format!("{outsider}:{outsider_secret}");
        let foreign = post_form(&app, introspect, Some(&as_outsider), &[("token", &bearer)]).await;
        assert_eq!(
            json(foreign).await,
            (200, inactive.clone()),
            "another account's token is not active for B"
        );
        let garbage = post_form(
            &app,
            introspect,
            Some(&as_server),
            &[("token", "eyJhbGciOiJub25lIn0.e30.")],
        )
        .await;
        assert_eq!(json(garbage).await, (200, inactive.clone()));
        let opaque = post_form(&app, introspect, Some(&as_server), &[("token", &a.token)]).await;
        assert_eq!(json(opaque).await, (200, inactive.clone()));

        let unauthenticated = post_form(&app, introspect, None, &[("token", &bearer)]).await;
        expect_oauth_error(unauthenticated, 401, "invalid_client").await;
        let missing = post_form(&app, introspect, Some(&as_server), &[]).await;
        expect_oauth_error(missing, 400, "invalid_request").await;

        let revoke = post_form(
            &app,
            "/auth/oauth2/revoke",
            Some(&format!("{id}:{secret}")),
            &[("token", &bearer)],
        )
        .await;
        assert_eq!(revoke.status(), 200);
        let after = post_form(&app, introspect, Some(&as_server), &[("token", &bearer)]).await;
        assert_eq!(json(after).await, (200, inactive));
    }
}

#[tokio::test]
async fn clients_revoke_only_their_own_tokens() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let account = app.create_account("xx1111-ovh").await;
    let (id, secret) = create_client(&app, &account.token, "CLIENT_CREDENTIALS", &[]).await;
    let (other, other_secret) =
        create_client(&app, &account.token, "CLIENT_CREDENTIALS", &[]).await;
    grant(
        &app,
        "xx1111-ovh",
        &identity("xx1111-ovh", &id),
        &["account:apiovh:me/get"],
    )
    .await;
    let bearer = access_token(&app, &id, &secret).await;
    let revoke = "/auth/oauth2/revoke";

    let stranger = post_form(
        &app,
        revoke,
        Some(&format!("{other}:{other_secret}")),
        &[("token", &bearer)],
    )
    .await;
    expect_oauth_error(stranger, 400, "unauthorized_client").await;
    assert_eq!(
        app.get("/1.0/me", Some(&bearer)).await.status(),
        200,
        "still valid"
    );

    let own = format!("{id}:{secret}");
    for token in ["not-a-token", "eyJhbGciOiJFZERTQSJ9.e30.AAAA"] {
        let response = post_form(
            &app,
            revoke,
            Some(&own),
            &[("token", token), ("token_type_hint", "access_token")],
        )
        .await;
        assert_eq!(
            response.status(),
            200,
            "RFC 7009 §2.2: unknown tokens are not an error"
        );
    }
    expect_oauth_error(
        post_form(&app, revoke, Some(&own), &[]).await,
        400,
        "invalid_request",
    )
    .await;
    expect_oauth_error(
        post_form(
            &app,
            revoke,
            Some(&format!("{id}:bad")),
            &[("token", &bearer)],
        )
        .await,
        401,
        "invalid_client",
    )
    .await;
    assert_eq!(
        post_form(&app, revoke, Some(&own), &[("token", &bearer)])
            .await
            .status(),
        200
    );
    assert_eq!(
        post_form(&app, revoke, Some(&own), &[("token", &bearer)])
            .await
            .status(),
        200,
        "twice is fine"
    );
    expect_error(
        app.get("/1.0/me", Some(&bearer)).await,
        401,
        "Client::Unauthorized",
    )
    .await;
}

#[tokio::test]
async fn jwks_and_metadata_publish_the_verification_keys() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (status, jwks) = json(app.get("/auth/oauth2/jwks", None).await).await;
    assert_eq!(status, 200);
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{jwks}");
    let key = &keys[0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["crv"].as_str(),
            key["alg"].as_str()
        ),
        (Some("OKP"), Some("Ed25519"), Some("EdDSA"))
    );
    assert_eq!(key["use"], "sig");
    assert!(key.get("d").is_none(), "no private member");
    let mut members = key.clone();
    for extra in ["kid", "alg", "use"] {
        members.as_object_mut().unwrap().remove(extra);
    }
    assert_eq!(
        key["kid"].as_str(),
        iamd::token::jwk::thumbprint(&members).as_deref(),
        "kid is the RFC 7638 thumbprint"
    );

    let (status, metadata) = json(
        app.get("/.well-known/oauth-authorization-server", None)
            .await,
    )
    .await;
    assert_eq!(status, 200);
    let base = app.state.config.public_url.clone();
    assert_eq!(metadata["issuer"], base.as_str());
    assert_eq!(
        metadata["token_endpoint"],
        format!("{base}/auth/oauth2/token")
    );
    assert_eq!(metadata["jwks_uri"], format!("{base}/auth/oauth2/jwks"));
    assert_eq!(
        metadata["introspection_endpoint"],
        format!("{base}/auth/oauth2/introspect")
    );
    assert_eq!(
        metadata["revocation_endpoint"],
        format!("{base}/auth/oauth2/revoke")
    );
    assert_eq!(
        metadata["grant_types_supported"],
        json!(["client_credentials"])
    );
    assert_eq!(
        metadata["token_endpoint_auth_methods_supported"],
        json!(["client_secret_basic", "client_secret_post"])
    );
}
