//! Opaque bearer secrets (client secrets, personal access tokens): 32 random bytes,
//! base64url-encoded, stored only as HMAC-SHA-256 under the server's pepper (DESIGN.md §5).
//! They are high-entropy, so a slow hash would buy nothing and cost the token endpoint.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The random source failed; there is nothing safe to do but refuse the operation.
#[derive(Debug, thiserror::Error)]
#[error("the system random source failed")]
pub struct RandomError;

pub fn random_bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|_| RandomError)?;
    Ok(buf)
}

/// A new secret value, as shown (once) to its owner.
pub fn generate() -> Result<String, RandomError> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

/// Hashes secrets with the pepper. Deliberately not `Debug`.
#[derive(Clone)]
pub struct SecretHasher {
    pepper: [u8; 32],
}

impl SecretHasher {
    pub fn new(pepper: [u8; 32]) -> Self {
        Self { pepper }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length; 32 bytes cannot be refused.
        match HmacSha256::new_from_slice(&self.pepper) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC accepts any key length"),
        }
    }

    /// The keyed hash stored for `secret`, and looked up by.
    pub fn hash(&self, secret: &str) -> Vec<u8> {
        let mut mac = self.mac();
        mac.update(secret.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// Compares `secret` with a stored hash in constant time.
    pub fn verify(&self, secret: &str, stored: &[u8]) -> bool {
        let mut mac = self.mac();
        mac.update(secret.as_bytes());
        mac.verify_slice(stored).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_url_safe() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }

    #[test]
    fn hash_depends_on_pepper_and_verifies() {
        let one = SecretHasher::new([1; 32]);
        let two = SecretHasher::new([2; 32]);
        let secret = generate().unwrap();
        assert_ne!(one.hash(&secret), two.hash(&secret));
        assert!(one.verify(&secret, &one.hash(&secret)));
        assert!(!one.verify("other", &one.hash(&secret)));
        assert!(!two.verify(&secret, &one.hash(&secret)));
    }
}
