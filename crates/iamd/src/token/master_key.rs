//! The master key: 32 bytes from configuration, or from `<data_dir>/master.key`, created on
//! first start so that the embedded default needs no set-up. Sub-keys are derived with
//! HKDF-SHA-256 (RFC 5869) under distinct labels, so no two uses share a key.

use std::fs;
use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use sha2::Sha256;
use thiserror::Error;

use crate::token::secret::random_bytes;

#[derive(Debug, Error)]
pub enum MasterKeyError {
    #[error("master key must be 32 bytes, base64url or hex encoded")]
    Malformed,
    #[error("cannot read or create {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the system random source failed")]
    Random,
}

/// The decoded master key. Deliberately not `Debug`.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

/// Label for the HMAC pepper of client secrets and personal access tokens.
pub const PEPPER_LABEL: &str = "iamd/v1/secret-pepper";
/// Label for the key that encrypts signing keys at rest.
pub const KEY_ENCRYPTION_LABEL: &str = "iamd/v1/key-encryption";
/// Label for the key that seals console session cookies.
pub const CONSOLE_SESSION_LABEL: &str = "iamd/v1/console-session";

impl MasterKey {
    /// The configured key if any, else the key file in `data_dir` (created if missing).
    pub fn load(configured: Option<&str>, data_dir: &Path) -> Result<MasterKey, MasterKeyError> {
        match configured {
            Some(text) => Self::decode(text),
            None => Self::from_file(&data_dir.join("master.key")),
        }
    }

    pub fn decode(text: &str) -> Result<MasterKey, MasterKeyError> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|_| MasterKeyError::Malformed)?
        } else {
            URL_SAFE_NO_PAD
                .decode(text.trim_end_matches('='))
                .map_err(|_| MasterKeyError::Malformed)?
        };
        let key: [u8; 32] = bytes.try_into().map_err(|_| MasterKeyError::Malformed)?;
        Ok(MasterKey(key))
    }

    fn from_file(path: &Path) -> Result<MasterKey, MasterKeyError> {
        let io = |source| MasterKeyError::Io {
            path: path.display().to_string(),
            source,
        };
        match fs::read_to_string(path) {
            Ok(text) => Self::decode(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent() {
                    fs::create_dir_all(dir).map_err(io)?;
                }
                let key: [u8; 32] = random_bytes().map_err(|_| MasterKeyError::Random)?;
                write_private(path, URL_SAFE_NO_PAD.encode(key).as_bytes()).map_err(io)?;
                tracing::info!(path = %path.display(), "created a new master key");
                Ok(MasterKey(key))
            }
            Err(e) => Err(io(e)),
        }
    }

    /// A 32-byte sub-key for one purpose.
    pub fn derive(&self, label: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        // HKDF-Expand cannot fail for a 32-byte output (the limit is 255 × 32).
        let _ = Hkdf::<Sha256>::new(None, &self.0).expand(label.as_bytes(), &mut out);
        out
    }
}

/// Writes a file readable by its owner only, refusing to replace an existing one.
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = MasterKey::load(None, dir.path()).unwrap();
        let second = MasterKey::load(None, dir.path()).unwrap();
        assert_eq!(first.0, second.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("master.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn hex_and_base64_decode_to_the_same_key() {
        let hex = "00".repeat(31) + "ff";
        let mut raw = [0u8; 32];
        raw[31] = 0xff;
        assert_eq!(MasterKey::decode(&hex).unwrap().0, raw);
        assert_eq!(
            MasterKey::decode(&URL_SAFE_NO_PAD.encode(raw)).unwrap().0,
            raw
        );
        assert!(MasterKey::decode("short").is_err());
    }

    #[test]
    fn labels_derive_distinct_keys() {
        let key = MasterKey([7; 32]);
        assert_ne!(key.derive(PEPPER_LABEL), key.derive(KEY_ENCRYPTION_LABEL));
        assert_eq!(key.derive(PEPPER_LABEL), key.derive(PEPPER_LABEL));
    }
}
