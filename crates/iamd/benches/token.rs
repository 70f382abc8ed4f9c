//! The cost of access tokens, per call: signing one (with the key ring's parsed signer, and
//! with `jsonwebtoken::encode`, which re-parses the key on every call), and verifying one as
//! an API call does (kid look-up, signature, issuer, expiry, revocation list of 1,000 entries).
//!
//! Run: `cargo bench -p iamd --bench token -- --warm-up-time 1 --measurement-time 3`

#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;

use chrono::{Duration, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use iamd::token::jwt::{self, AccessClaims};
use iamd::token::keyring::{KeyRing, LoadedKey};
use iamd::token::revocations::Revocations;
use iamd::token::sealed::KeySealer;
use iamd::token::signing_key::{Algorithm, PrivateKey, Usage, jwt_algorithm};

const ISSUER: &str = "http://127.0.0.1:8080";

fn claims() -> AccessClaims {
    let now = Utc::now().timestamp();
    AccessClaims {
        iss: ISSUER.into(),
        sub: "urn:v1:eu:identity:credential:xx1111-ovh/oauth2-EU.0123456789abcdef".into(),
        account: "xx1111-ovh".into(),
        client_id: "EU.0123456789abcdef".into(),
        scope: "all".into(),
        iat: now,
        exp: now + 3600,
        nbf: None,
        jti: "5W2Lmv0vYH1Jk7t6Nq3aQw".into(),
    }
}

fn ring(algorithm: Algorithm) -> (KeyRing, Vec<u8>) {
    let key = PrivateKey::generate(algorithm).unwrap();
    let der = key.to_pkcs8_der().unwrap().to_vec();
    let ring = KeyRing::new(KeySealer::new([0; 32]));
    ring.install(vec![Arc::new(
        LoadedKey::active(key, Usage::AccessToken, Utc::now()).unwrap(),
    )]);
    (ring, der)
}

/// jsonwebtoken's own signer over the same key; `None` for RSA, whose signer wants PKCS#1,
/// which aws-lc-rs does not export.
fn encoding_key(algorithm: Algorithm, der: &[u8]) -> Option<jsonwebtoken::EncodingKey> {
    match algorithm {
        Algorithm::EdDSA => Some(jsonwebtoken::EncodingKey::from_ed_der(der)),
        Algorithm::ES256 => Some(jsonwebtoken::EncodingKey::from_ec_der(der)),
        Algorithm::RS256 => None,
    }
}

fn bench(c: &mut Criterion) {
    let revocations = Revocations::new();
    let later = Utc::now() + Duration::hours(1);
    for n in 0..1000 {
        revocations.insert(&format!("revoked-{n}"), later);
    }
    let mut sign = c.benchmark_group("sign");
    for algorithm in Algorithm::ALL {
        let (ring, der) = ring(algorithm);
        let claims = claims();
        sign.bench_function(BenchmarkId::new("key_ring", algorithm), |b| {
            b.iter(|| jwt::sign(&ring, Usage::AccessToken, black_box(&claims)).unwrap())
        });
        let Some(encoding) = encoding_key(algorithm, &der) else {
            continue;
        };
        let mut header = jsonwebtoken::Header::new(jwt_algorithm(algorithm));
        header.kid = Some(ring.active(Usage::AccessToken).unwrap().kid.clone());
        sign.bench_function(BenchmarkId::new("jsonwebtoken_encode", algorithm), |b| {
            b.iter(|| jsonwebtoken::encode(&header, black_box(&claims), &encoding).unwrap())
        });
    }
    sign.finish();

    let mut verify = c.benchmark_group("verify");
    for algorithm in Algorithm::ALL {
        let (ring, _) = ring(algorithm);
        let token = jwt::sign(&ring, Usage::AccessToken, &claims()).unwrap();
        let now = Utc::now();
        verify.bench_function(BenchmarkId::from_parameter(algorithm), |b| {
            b.iter(|| {
                let key = jwt::key_of(&ring, black_box(&token)).unwrap();
                let claims = jwt::verify_with(&key, &token, ISSUER, now).unwrap();
                assert!(!revocations.is_revoked(&claims.jti, &claims.client_id));
            })
        });
    }
    verify.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
