//! Access tokens as JWTs (RFC 9068-like claims): compact serialisation with a key of the
//! key ring, and local verification (signature by `kid`, algorithm pinned to the key, `iss`,
//! `exp` and `nbf` against a `now` the caller supplies). Revocation is the caller's business.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::token::keyring::{KeyRing, LoadedKey};
use crate::token::signing_key::Usage;

/// The claims of an access token (DESIGN.md §5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    /// The identity URN the token acts as (a service account's credential URN).
    pub sub: String,
    pub account: String,
    pub client_id: String,
    pub scope: String,
    pub iat: i64,
    pub exp: i64,
    /// RFC 7519 §4.1.5: not valid before. iamd issues none; a token that has one is refused
    /// until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub jti: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("no active {0} signing key")]
    NoSigningKey(Usage),
    #[error("cannot sign: {0}")]
    Sign(String),
    #[error("not a JWT")]
    Malformed,
    /// No key of that `kid` is known here: maybe another node just rotated.
    #[error("unknown key id")]
    UnknownKid,
    #[error("invalid token")]
    Invalid,
    #[error("expired token")]
    Expired,
    /// RFC 7519 §4.1.5: `nbf` is still in the future.
    #[error("token not yet valid")]
    NotYetValid,
    #[error("revoked token")]
    Revoked,
}

/// The three-part compact serialisation (RFC 7515 §7.1), signed with the active key of `usage`.
pub fn sign<T: Serialize>(keys: &KeyRing, usage: Usage, claims: &T) -> Result<String, JwtError> {
    let key = keys.active(usage).ok_or(JwtError::NoSigningKey(usage))?;
    let signer = key.signer().ok_or(JwtError::NoSigningKey(usage))?;
    let payload = serde_json::to_vec(claims).map_err(|e| JwtError::Sign(e.to_string()))?;
    let mut token =
        String::with_capacity(signer.encoded_header.len() + payload.len() * 4 / 3 + 100);
    token.push_str(&signer.encoded_header);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
    let signature = signer
        .key
        .sign(token.as_bytes())
        .map_err(|e| JwtError::Sign(e.to_string()))?;
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    Ok(token)
}

/// True when `value` has the shape of a compact JWS (three base64url parts), as opposed to an
/// opaque personal access token.
pub fn looks_like_jwt(value: &str) -> bool {
    value.starts_with("eyJ") && value.bytes().filter(|b| *b == b'.').count() == 2
}

/// The key that signed `token`, by its header's `kid`.
pub fn key_of(keys: &KeyRing, token: &str) -> Result<std::sync::Arc<LoadedKey>, JwtError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| JwtError::Malformed)?;
    let kid = header.kid.ok_or(JwtError::Malformed)?;
    keys.get(&kid).ok_or(JwtError::UnknownKid)
}

/// Verifies an access token signed by `key`: signature with the algorithm the key was made
/// for (never the header's choice), a key made for access tokens, the issuer, `exp` and
/// `nbf` (no leeway on either: every node's clock is the same NTP time).
pub fn verify_with(
    key: &LoadedKey,
    token: &str,
    issuer: &str,
    now: DateTime<Utc>,
) -> Result<AccessClaims, JwtError> {
    if key.usage != Usage::AccessToken {
        return Err(JwtError::Invalid);
    }
    let data = jsonwebtoken::decode::<AccessClaims>(token, key.decoding_key(), key.validation())
        .map_err(|_| JwtError::Invalid)?;
    let claims = data.claims;
    if claims.iss != issuer {
        return Err(JwtError::Invalid);
    }
    if claims.exp <= now.timestamp() {
        return Err(JwtError::Expired);
    }
    if claims.nbf.is_some_and(|nbf| nbf > now.timestamp()) {
        return Err(JwtError::NotYetValid);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::token::keyring::tests::ring_with;
    use crate::token::signing_key::{Algorithm, PrivateKey, jwt_algorithm};

    fn claims(now: DateTime<Utc>, ttl: i64) -> AccessClaims {
        AccessClaims {
            iss: "https://iam.example".into(),
            sub: "urn:v1:eu:identity:credential:xx1111-ovh/oauth2-EU.0123456789abcdef".into(),
            account: "xx1111-ovh".into(),
            client_id: "EU.0123456789abcdef".into(),
            scope: "all".into(),
            iat: now.timestamp(),
            exp: now.timestamp() + ttl,
            nbf: None,
            jti: "j1".into(),
        }
    }

    fn verify(keys: &KeyRing, token: &str, now: DateTime<Utc>) -> Result<AccessClaims, JwtError> {
        let key = key_of(keys, token)?;
        verify_with(&key, token, "https://iam.example", now)
    }

    #[test]
    fn every_algorithm_signs_tokens_that_jsonwebtoken_verifies() {
        for algorithm in Algorithm::ALL {
            let keys = ring_with(&[(Usage::AccessToken, algorithm)]);
            let now = Utc::now();
            let token = sign(&keys, Usage::AccessToken, &claims(now, 3600)).unwrap();
            assert!(looks_like_jwt(&token), "{token}");
            let header = jsonwebtoken::decode_header(&token).unwrap();
            assert_eq!(header.alg, jwt_algorithm(algorithm));
            assert_eq!(
                header.kid.as_deref(),
                keys.active(Usage::AccessToken)
                    .map(|k| k.kid.clone())
                    .as_deref()
            );
            assert_eq!(
                verify(&keys, &token, now).unwrap(),
                claims(now, 3600),
                "{algorithm}"
            );
        }
    }

    #[test]
    fn expiry_issuer_tampering_and_foreign_keys_are_refused() {
        let keys = ring_with(&[(Usage::AccessToken, Algorithm::EdDSA)]);
        let now = Utc::now();
        let token = sign(&keys, Usage::AccessToken, &claims(now, 60)).unwrap();
        assert_eq!(
            verify(&keys, &token, now + Duration::seconds(60)),
            Err(JwtError::Expired)
        );
        let key = key_of(&keys, &token).unwrap();
        assert_eq!(
            verify_with(&key, &token, "https://other", now),
            Err(JwtError::Invalid)
        );

        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut forged = claims(now, 60);
        forged.account = "yy2222-ovh".into();
        parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        assert_eq!(verify(&keys, &parts.join("."), now), Err(JwtError::Invalid));

        let other = ring_with(&[(Usage::AccessToken, Algorithm::EdDSA)]);
        let foreign = sign(&other, Usage::AccessToken, &claims(now, 60)).unwrap();
        assert_eq!(
            verify(&keys, &foreign, now).unwrap_err(),
            JwtError::UnknownKid
        );
        assert_eq!(
            verify(&keys, "eyJ.not.jwt", now).unwrap_err(),
            JwtError::Malformed
        );
    }

    #[test]
    fn a_future_nbf_is_refused_until_it_passes() {
        let keys = ring_with(&[(Usage::AccessToken, Algorithm::EdDSA)]);
        let now = Utc::now();
        let early = AccessClaims {
            nbf: Some(now.timestamp() + 30),
            ..claims(now, 600)
        };
        let token = sign(&keys, Usage::AccessToken, &early).unwrap();
        assert_eq!(verify(&keys, &token, now), Err(JwtError::NotYetValid));
        let at_nbf = now + Duration::seconds(30);
        assert_eq!(verify(&keys, &token, at_nbf), Ok(early));
    }

    /// Keys and tokens of a data directory made before the move to aws-lc-rs (RustCrypto's
    /// `ed25519-dalek`, `p256` and `rsa` wrote them): the stored PKCS#8 still parses, keeps
    /// its public key and kid, the tokens it signed then still verify, and it signs new ones.
    #[test]
    fn keys_and_tokens_of_the_earlier_format_still_work() {
        use super::fixtures::{EARLIER, ISSUER, VALID_AT};
        let at = DateTime::from_timestamp(VALID_AT, 0).unwrap();
        for (algorithm, kid, der, jwk, token) in EARLIER {
            let der = URL_SAFE_NO_PAD.decode(der).unwrap();
            let key = PrivateKey::from_pkcs8_der(algorithm, &der).unwrap();
            let expected: serde_json::Value = serde_json::from_str(jwk).unwrap();
            assert_eq!(key.public_jwk(), expected, "{algorithm}");
            let loaded = LoadedKey::active(key, Usage::AccessToken, Utc::now()).unwrap();
            assert_eq!(loaded.kid, kid, "{algorithm}");
            let keys = KeyRing::new(crate::token::sealed::KeySealer::new([3; 32]));
            keys.install(vec![std::sync::Arc::new(loaded)]);
            let key = key_of(&keys, token).unwrap();
            let old = verify_with(&key, token, ISSUER, at).unwrap();
            assert_eq!(old.account, "xx1111-ovh", "{algorithm}");
            let fresh = sign(&keys, Usage::AccessToken, &old).unwrap();
            assert_eq!(
                verify_with(&key, &fresh, ISSUER, at),
                Ok(old),
                "{algorithm}"
            );
        }
    }

    #[test]
    fn id_token_keys_do_not_verify_access_tokens() {
        let keys = ring_with(&[
            (Usage::AccessToken, Algorithm::EdDSA),
            (Usage::IdToken, Algorithm::ES256),
        ]);
        let now = Utc::now();
        let token = sign(&keys, Usage::IdToken, &claims(now, 60)).unwrap();
        assert_eq!(verify(&keys, &token, now), Err(JwtError::Invalid));
    }

    #[test]
    fn opaque_tokens_are_not_jwts() {
        assert!(!looks_like_jwt(
            "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6"
        ));
        assert!(!looks_like_jwt("eyJhbGciOiJIUzI1NiJ9.e30"));
    }
}

#[cfg(test)]
#[path = "jwt_fixtures.rs"]
mod fixtures;
