//! JWT signing key material: generation with the OS random source, PKCS#8 encoding for
//! storage, the public JWK, and signing. A `PrivateKey` is parsed once and kept: signing
//! never re-parses key bytes (DESIGN.md §5), which `jsonwebtoken::encode` would do on every
//! call with its RustCrypto provider. The signatures are those of the same RustCrypto crates
//! `jsonwebtoken` uses, and every token is verified with `jsonwebtoken`.

use std::fmt;

use ed25519_dalek::Signer as _;
use rand_core::OsRng;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::signature::{RandomizedSigner, SignatureEncoding};
use rsa::traits::PublicKeyParts;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::token::jwk;

/// RSA modulus size of generated keys.
pub const RSA_BITS: usize = 2048;

/// Signature algorithms of signing keys (RFC 7518 §3.1 names; RFC 8037 for EdDSA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    EdDSA,
    ES256,
    RS256,
}

impl Algorithm {
    pub const ALL: [Algorithm; 3] = [Algorithm::EdDSA, Algorithm::ES256, Algorithm::RS256];

    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::EdDSA => "EdDSA",
            Algorithm::ES256 => "ES256",
            Algorithm::RS256 => "RS256",
        }
    }

    pub fn parse(s: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn jwt(self) -> jsonwebtoken::Algorithm {
        match self {
            Algorithm::EdDSA => jsonwebtoken::Algorithm::EdDSA,
            Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
            Algorithm::RS256 => jsonwebtoken::Algorithm::RS256,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a key signs. Access tokens default to EdDSA; OpenStack id_tokens to RS256, the
/// algorithm Keystone's validators accept most widely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Usage {
    AccessToken,
    IdToken,
}

impl Usage {
    pub const ALL: [Usage; 2] = [Usage::AccessToken, Usage::IdToken];

    pub fn as_str(self) -> &'static str {
        match self {
            Usage::AccessToken => "access_token",
            Usage::IdToken => "id_token",
        }
    }

    pub fn parse(s: &str) -> Option<Usage> {
        Usage::ALL.into_iter().find(|u| u.as_str() == s)
    }

    pub fn default_algorithm(self) -> Algorithm {
        match self {
            Usage::AccessToken => Algorithm::EdDSA,
            Usage::IdToken => Algorithm::RS256,
        }
    }
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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
#[derive(Clone)]
pub enum PrivateKey {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
    Rsa(Box<rsa::pkcs1v15::SigningKey<rsa::sha2::Sha256>>),
}

impl PrivateKey {
    /// A new key from the operating system's random source.
    pub fn generate(algorithm: Algorithm) -> Result<PrivateKey, KeyError> {
        Ok(match algorithm {
            Algorithm::EdDSA => {
                PrivateKey::Ed25519(ed25519_dalek::SigningKey::generate(&mut OsRng))
            }
            Algorithm::ES256 => PrivateKey::P256(p256::ecdsa::SigningKey::random(&mut OsRng)),
            Algorithm::RS256 => {
                let key = rsa::RsaPrivateKey::new(&mut OsRng, RSA_BITS)
                    .map_err(|_| KeyError::Generate(algorithm))?;
                PrivateKey::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(key)))
            }
        })
    }

    pub fn algorithm(&self) -> Algorithm {
        match self {
            PrivateKey::Ed25519(_) => Algorithm::EdDSA,
            PrivateKey::P256(_) => Algorithm::ES256,
            PrivateKey::Rsa(_) => Algorithm::RS256,
        }
    }

    /// PKCS#8 DER (RFC 5958), the form that is encrypted and stored.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let document = match self {
            PrivateKey::Ed25519(key) => ed25519_dalek::pkcs8::EncodePrivateKey::to_pkcs8_der(key),
            PrivateKey::P256(key) => key.to_pkcs8_der(),
            PrivateKey::Rsa(key) => key.as_ref().as_ref().to_pkcs8_der(),
        }
        .map_err(|_| KeyError::Encode)?;
        Ok(Zeroizing::new(document.as_bytes().to_vec()))
    }

    pub fn from_pkcs8_der(algorithm: Algorithm, der: &[u8]) -> Result<PrivateKey, KeyError> {
        let decode = |_| KeyError::Decode(algorithm);
        Ok(match algorithm {
            Algorithm::EdDSA => PrivateKey::Ed25519(
                ed25519_dalek::pkcs8::DecodePrivateKey::from_pkcs8_der(der).map_err(decode)?,
            ),
            Algorithm::ES256 => {
                PrivateKey::P256(p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(decode)?)
            }
            Algorithm::RS256 => {
                let key = rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(decode)?;
                PrivateKey::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(key)))
            }
        })
    }

    /// The public half as a JWK (key members only).
    pub fn public_jwk(&self) -> Value {
        match self {
            PrivateKey::Ed25519(key) => jwk::okp_ed25519(key.verifying_key().as_bytes()),
            PrivateKey::P256(key) => {
                let point = key.verifying_key().to_encoded_point(false);
                let (x, y) = (point.x().map(|x| x.to_vec()), point.y().map(|y| y.to_vec()));
                jwk::ec_p256(&x.unwrap_or_default(), &y.unwrap_or_default())
            }
            PrivateKey::Rsa(key) => {
                let public = key.as_ref().as_ref().to_public_key();
                jwk::rsa(&public.n().to_bytes_be(), &public.e().to_bytes_be())
            }
        }
    }

    /// The JWS signature of `message` (RFC 7515 §5.1 step 5): raw Ed25519 (RFC 8037 §3.1),
    /// `r ‖ s` for ES256 (RFC 7518 §3.4), PKCS#1 v1.5 with SHA-256 for RS256 (RFC 7518 §3.3,
    /// blinded with fresh randomness).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        Ok(match self {
            PrivateKey::Ed25519(key) => key.sign(message).to_bytes().to_vec(),
            PrivateKey::P256(key) => {
                let signature: p256::ecdsa::Signature =
                    key.try_sign(message).map_err(|_| KeyError::Sign)?;
                signature.to_bytes().to_vec()
            }
            PrivateKey::Rsa(key) => key
                .try_sign_with_rng(&mut OsRng, message)
                .map_err(|_| KeyError::Sign)?
                .to_vec(),
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
        assert_eq!(Usage::IdToken.default_algorithm(), Algorithm::RS256);
    }
}
