//! Private keys at rest: AES-256-GCM under the key derived from the master key
//! (`KEY_ENCRYPTION_LABEL`). Stored form: `nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`,
//! the nonce random per encryption; the key's `kid` is the associated data, so a sealed key
//! copied onto another row does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use zeroize::Zeroizing;

use crate::token::secret::random_bytes;

const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the system random source failed")]
    Random,
    #[error("encryption failed")]
    Encrypt,
    /// Wrong master key, a tampered row, or a row moved to another kid.
    #[error("cannot decrypt: wrong master key or tampered key material")]
    Open,
}

/// Seals and opens private keys. Deliberately not `Debug`.
pub struct KeySealer {
    cipher: Aes256Gcm,
}

impl KeySealer {
    pub fn new(key: [u8; 32]) -> Self {
        let key = Zeroizing::new(key);
        Self {
            cipher: Aes256Gcm::new(&(*key).into()),
        }
    }

    pub fn seal(&self, kid: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let nonce: [u8; NONCE_LEN] = random_bytes().map_err(|_| SealError::Random)?;
        let ciphertext = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: kid.as_bytes(),
                },
            )
            .map_err(|_| SealError::Encrypt)?;
        let mut out = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        Ok(out)
    }

    pub fn open(&self, kid: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        if sealed.len() < NONCE_LEN {
            return Err(SealError::Open);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: kid.as_bytes(),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SealError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_fresh_nonces() {
        let sealer = KeySealer::new([9; 32]);
        let a = sealer.seal("kid", b"private key bytes").unwrap();
        let b = sealer.seal("kid", b"private key bytes").unwrap();
        assert_ne!(a, b, "a fresh nonce per encryption");
        assert_eq!(
            sealer.open("kid", &a).unwrap().as_slice(),
            b"private key bytes"
        );
        assert!(
            !a.windows(7).any(|w| w == b"private"),
            "ciphertext holds no plaintext"
        );
    }

    #[test]
    fn wrong_key_kid_or_tampering_do_not_open() {
        let sealer = KeySealer::new([9; 32]);
        let sealed = sealer.seal("kid", b"secret").unwrap();
        assert!(KeySealer::new([8; 32]).open("kid", &sealed).is_err());
        assert!(sealer.open("other-kid", &sealed).is_err());
        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(sealer.open("kid", &flipped).is_err());
        assert!(sealer.open("kid", &sealed[..5]).is_err());
    }
}
