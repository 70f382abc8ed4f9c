//! JWT signing key material: generation with the OS random source, PKCS#8 encoding for
//! storage, the public JWK, and signing. A `PrivateKey` is parsed once and kept: signing
//! never re-parses key bytes (DESIGN.md §5). Every private-key operation is aws-lc-rs's
//! (AWS-LC: constant-time, with RSA blinding), the same backend `jsonwebtoken` verifies with,
//! so no key passes through a non-constant-time implementation (RUSTSEC-2023-0071).

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RSA_PKCS1_SHA256,
    RsaKeyPair,
};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::token::jwk;

/// RSA modulus size of generated keys.
pub const RSA_BITS: aws_lc_rs::rsa::KeySize = aws_lc_rs::rsa::KeySize::Rsa2048;

/// Signature algorithms of signing keys, and what a key signs: the store's record types,
/// used as they are, so that a key's algorithm is one type from its row to the JWT header.
pub use iam_store::{KeyAlgorithm as Algorithm, KeyUsage as Usage};

/// The `jsonwebtoken` name of `algorithm`.
pub fn jwt_algorithm(algorithm: Algorithm) -> jsonwebtoken::Algorithm {
    match algorithm {
        Algorithm::EdDSA => jsonwebtoken::Algorithm::EdDSA,
        Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
        Algorithm::RS256 => jsonwebtoken::Algorithm::RS256,
    }
}

/// The algorithm of a new key of `usage` unless configured otherwise. Access tokens default
/// to EdDSA; OpenStack id_tokens to RS256, the algorithm Keystone's validators accept most
/// widely.
pub fn default_algorithm(usage: Usage) -> Algorithm {
    match usage {
        Usage::AccessToken => Algorithm::EdDSA,
        Usage::IdToken => Algorithm::RS256,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot generate a {0} key")]
    Generate(Algorithm),
    #[error("cannot encode the private key")]
    Encode,
    #[error("stored {0} private key does not parse")]
    Decode(Algorithm),
    #[error("signing failed")]
    Sign,
}

/// A parsed private key, ready to sign. Deliberately not `Debug`.
pub enum PrivateKey {
    Ed25519(Ed25519KeyPair),
    P256(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

impl PrivateKey {
    /// A new key from the operating system's random source.
    pub fn generate(algorithm: Algorithm) -> Result<PrivateKey, KeyError> {
        let failed = |_| KeyError::Generate(algorithm);
        Ok(match algorithm {
            Algorithm::EdDSA => PrivateKey::Ed25519(Ed25519KeyPair::generate().map_err(failed)?),
            Algorithm::ES256 => PrivateKey::P256(
                EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).map_err(failed)?,
            ),
            Algorithm::RS256 => PrivateKey::Rsa(RsaKeyPair::generate(RSA_BITS).map_err(failed)?),
        })
    }

    pub fn algorithm(&self) -> Algorithm {
        match self {
            PrivateKey::Ed25519(_) => Algorithm::EdDSA,
            PrivateKey::P256(_) => Algorithm::ES256,
            PrivateKey::Rsa(_) => Algorithm::RS256,
        }
    }

    /// PKCS#8 DER (RFC 5958), the form that is encrypted and stored: v2 (with the public
    /// key) for Ed25519, v1 otherwise, as the RustCrypto crates wrote them before.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let bytes = match self {
            PrivateKey::Ed25519(key) => key.to_pkcs8().map(|d| d.as_ref().to_vec()),
            PrivateKey::P256(key) => key.to_pkcs8v1().map(|d| d.as_ref().to_vec()),
            PrivateKey::Rsa(key) => AsDer::<Pkcs8V1Der>::as_der(key).map(|d| d.as_ref().to_vec()),
        }
        .map_err(|_| KeyError::Encode)?;
        Ok(Zeroizing::new(bytes))
    }

    /// Parses PKCS#8 DER; keys written by earlier versions (RustCrypto's encoders) load too.
    pub fn from_pkcs8_der(algorithm: Algorithm, der: &[u8]) -> Result<PrivateKey, KeyError> {
        let decode = |_| KeyError::Decode(algorithm);
        Ok(match algorithm {
            Algorithm::EdDSA => {
                PrivateKey::Ed25519(Ed25519KeyPair::from_pkcs8(der).map_err(decode)?)
            }
            Algorithm::ES256 => PrivateKey::P256(
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der).map_err(decode)?,
            ),
            Algorithm::RS256 => PrivateKey::Rsa(RsaKeyPair::from_pkcs8(der).map_err(decode)?),
        })
    }

    /// The public half as a JWK (key members only).
    pub fn public_jwk(&self) -> Value {
        match self {
            PrivateKey::Ed25519(key) => jwk::okp_ed25519(key.public_key().as_ref()),
            PrivateKey::P256(key) => {
                // SEC 1 §2.3.3 uncompressed point: 0x04 ‖ x ‖ y, 32 bytes each.
                let coordinates = key.public_key().as_ref().get(1..).unwrap_or_default();
                let (x, y) = coordinates.split_at(coordinates.len() / 2);
                jwk::ec_p256(x, y)
            }
            PrivateKey::Rsa(key) => {
                let public = key.public_key();
                jwk::rsa(
                    public.modulus().big_endian_without_leading_zero(),
                    public.exponent().big_endian_without_leading_zero(),
                )
            }
        }
    }

    /// The JWS signature of `message` (RFC 7515 §5.1 step 5): raw Ed25519 (RFC 8037 §3.1),
    /// `r ‖ s` for ES256 (RFC 7518 §3.4), PKCS#1 v1.5 with SHA-256 for RS256 (RFC 7518 §3.3).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = SystemRandom::new();
        Ok(match self {
            PrivateKey::Ed25519(key) => key.sign(message).as_ref().to_vec(),
            PrivateKey::P256(key) => key
                .sign(&rng, message)
                .map_err(|_| KeyError::Sign)?
                .as_ref()
                .to_vec(),
            PrivateKey::Rsa(key) => {
                let mut signature = vec![0; key.public_modulus_len()];
                key.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
                    .map_err(|_| KeyError::Sign)?;
                signature
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_round_trips_through_pkcs8_and_keeps_its_public_key() {
        for algorithm in Algorithm::ALL {
            let key = PrivateKey::generate(algorithm).unwrap();
            let der = key.to_pkcs8_der().unwrap();
            let again = PrivateKey::from_pkcs8_der(algorithm, &der).unwrap();
            assert_eq!(again.algorithm(), algorithm);
            assert_eq!(again.public_jwk(), key.public_jwk(), "{algorithm}");
            assert!(jwk::thumbprint(&key.public_jwk()).is_some(), "{algorithm}");
            assert!(PrivateKey::from_pkcs8_der(algorithm, &der[1..]).is_err());
        }
    }

    #[test]
    fn generated_keys_differ() {
        let a = PrivateKey::generate(Algorithm::EdDSA).unwrap().public_jwk();
        let b = PrivateKey::generate(Algorithm::EdDSA).unwrap().public_jwk();
        assert_ne!(a, b);
    }

    #[test]
    fn names_parse_back() {
        for algorithm in Algorithm::ALL {
            assert_eq!(Algorithm::parse(algorithm.as_str()), Some(algorithm));
        }
        for usage in Usage::ALL {
            assert_eq!(Usage::parse(usage.as_str()), Some(usage));
        }
        assert_eq!(Algorithm::parse("HS256"), None);
        assert_eq!(default_algorithm(Usage::IdToken), Algorithm::RS256);
    }
}
