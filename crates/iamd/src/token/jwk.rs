//! Public keys as JWKs (RFC 7517) and their RFC 7638 thumbprints, which are the `kid`s.
//! Only the members that define a key are kept here; `kid`, `alg` and `use` are added when
//! the key is published.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// The members RFC 7638 §3.2 hashes, per key type (lexicographic order; RFC 8037 §2 for OKP).
fn required_members(kty: &str) -> Option<&'static [&'static str]> {
    match kty {
        "EC" => Some(&["crv", "kty", "x", "y"]),
        "OKP" => Some(&["crv", "kty", "x"]),
        "RSA" => Some(&["e", "kty", "n"]),
        _ => None,
    }
}

/// `{"kty":"OKP","crv":"Ed25519","x":…}` (RFC 8037 §2).
pub fn okp_ed25519(public: &[u8]) -> Value {
    json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(public)})
}

/// `{"kty":"EC","crv":"P-256","x":…,"y":…}` (RFC 7518 §6.2.1).
pub fn ec_p256(x: &[u8], y: &[u8]) -> Value {
    json!({"kty": "EC", "crv": "P-256", "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y)})
}

/// `{"kty":"RSA","n":…,"e":…}` (RFC 7518 §6.3.1), big-endian without leading zeros.
pub fn rsa(n: &[u8], e: &[u8]) -> Value {
    json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e)})
}

/// The RFC 7638 thumbprint: base64url(SHA-256(the required members as JSON, in
/// lexicographic order, without whitespace)). `None` for an unknown key type or a missing
/// member.
pub fn thumbprint(jwk: &Value) -> Option<String> {
    let members = required_members(jwk.get("kty")?.as_str()?)?;
    // Members are inserted in lexicographic order (so the output is sorted whether or not
    // serde_json's `preserve_order` is on) and written without whitespace: RFC 7638 §3.3.
    let mut canonical = Map::new();
    for name in members {
        canonical.insert(
            (*name).to_owned(),
            Value::String(jwk.get(*name)?.as_str()?.to_owned()),
        );
    }
    let text = serde_json::to_string(&Value::Object(canonical)).ok()?;
    Some(URL_SAFE_NO_PAD.encode(Sha256::digest(text.as_bytes())))
}

/// The key as published in a JWKS: its members plus `kid`, `alg` and `use`.
pub fn published(jwk: &Value, kid: &str, alg: &str) -> Value {
    let mut out = jwk.as_object().cloned().unwrap_or_default();
    out.insert("kid".into(), Value::String(kid.to_owned()));
    out.insert("alg".into(), Value::String(alg.to_owned()));
    out.insert("use".into(), Value::String("sig".to_owned()));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7638_example_thumbprint() {
        // RFC 7638 §3.1.
        let jwk = json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        assert_eq!(
            thumbprint(&jwk).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn rfc_8037_ed25519_thumbprint() {
        // RFC 8037 Appendix A.3.
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
        assert_eq!(
            thumbprint(&jwk).unwrap(),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }

    #[test]
    fn unknown_or_incomplete_keys_have_no_thumbprint() {
        assert_eq!(thumbprint(&json!({"kty": "oct", "k": "abc"})), None);
        assert_eq!(
            thumbprint(&json!({"kty": "EC", "crv": "P-256", "x": "abc"})),
            None
        );
    }

    #[test]
    fn published_keys_name_their_kid_alg_and_use() {
        let key = published(&okp_ed25519(&[1; 32]), "kid-1", "EdDSA");
        assert_eq!(
            (
                key["kid"].as_str(),
                key["alg"].as_str(),
                key["use"].as_str()
            ),
            (Some("kid-1"), Some("EdDSA"), Some("sig"))
        );
        assert_eq!(key["kty"], "OKP");
    }
}
