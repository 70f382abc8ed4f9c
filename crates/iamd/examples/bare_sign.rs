//! The baseline of the token endpoint benchmark (BENCHMARKS.md, "Token endpoint"): a bare
//! axum route that reads a form body and answers a token response signed with the same kind
//! of key (EdDSA by default, or ES256 / RS256; parsed once, signed by aws-lc-rs like iamd's)
//! and the same claims as `POST /auth/oauth2/token`, with no client lookup, no secret check
//! and none of iamd's layers.
//!
//!   cargo run --release -p iamd --example bare_sign -- 127.0.0.1:8090 [EdDSA|ES256|RS256]

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::response::IntoResponse;
use axum::routing::post;
use chrono::Utc;
use iamd::token::jwt::{self, AccessClaims};
use iamd::token::keyring::{KeyRing, LoadedKey};
use iamd::token::sealed::KeySealer;
use iamd::token::signing_key::{Algorithm, PrivateKey, Usage};
use serde_json::json;

async fn token(State(keys): State<Arc<KeyRing>>, body: Bytes) -> impl IntoResponse {
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let now = Utc::now().timestamp();
    let client_id = "EU.0123456789abcdef";
    let claims = AccessClaims {
        iss: "http://127.0.0.1:8080".into(),
        sub: format!("urn:v1:eu:identity:credential:xx1111-ovh/oauth2-{client_id}"),
        account: "xx1111-ovh".into(),
        client_id: client_id.into(),
        scope: "all".into(),
        iat: now,
        exp: now + 3600,
        nbf: None,
        jti: format!("{:032x}", rand_jti()),
    };
    let token = jwt::sign(&keys, Usage::AccessToken, &claims).unwrap_or_default();
    let body = json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": "all", "n": form.len()});
    ([(CACHE_CONTROL, "no-store")], axum::Json(body))
}

fn rand_jti() -> u128 {
    let bytes: [u8; 16] = iamd::token::secret::random_bytes().unwrap_or_default();
    u128::from_le_bytes(bytes)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8090".into());
    let algorithm = match std::env::args().nth(2) {
        Some(name) => Algorithm::parse(&name)
            .ok_or_else(|| anyhow::anyhow!("expected EdDSA, ES256 or RS256, got {name:?}"))?,
        None => Algorithm::EdDSA,
    };
    let keys = KeyRing::new(KeySealer::new([0; 32]));
    let key = LoadedKey::active(
        PrivateKey::generate(algorithm)?,
        Usage::AccessToken,
        Utc::now(),
    )?;
    keys.install(vec![Arc::new(key)]);
    let app = Router::new()
        .route("/token", post(token))
        .with_state(Arc::new(keys));
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    eprintln!("bare_sign listening on {listen}, signing {algorithm}");
    axum::serve(listener, app).await?;
    Ok(())
}
