//! Passwords: Argon2id with parameters from configuration (DESIGN.md §5), and the minimum
//! strength a new password must have. Each Argon2id run costs `memory_kib` of memory and a
//! core for its duration, so the server's own runs (`PasswordHashing::run`) are bounded to
//! one per core: past that, callers are told at once that the server is busy, never queued.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use std::sync::Arc;

use serde::Deserialize;
use tokio::sync::Semaphore;

use crate::token::secret::{RandomError, random_bytes};

/// Minimum length of a password, in characters.
pub const MIN_PASSWORD_LEN: usize = 12;
/// Maximum length, so that hashing cost stays bounded.
pub const MAX_PASSWORD_LEN: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password must be {MIN_PASSWORD_LEN} to {MAX_PASSWORD_LEN} characters long")]
    Length,
    #[error(
        "password must mix at least three of: lower case, upper case, digits, other characters"
    )]
    TooSimple,
    #[error("invalid Argon2 parameters: {0}")]
    Params(String),
    #[error(transparent)]
    Random(#[from] RandomError),
    /// Every core already runs an Argon2id computation.
    #[error("too many password verifications at once")]
    Busy,
    #[error("password hashing task: {0}")]
    Task(String),
}

/// Argon2id cost parameters for passwords (DESIGN.md §5). Defaults follow OWASP's
/// recommendation of 19 MiB, 2 iterations, 1 lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Argon2Params {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Argon2Params {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Argon2id hashing with fixed cost parameters. Deliberately not `Debug`.
#[derive(Clone)]
pub struct PasswordHashing {
    params: Params,
    /// One permit per core, shared by every clone.
    slots: Arc<Semaphore>,
}

impl PasswordHashing {
    pub fn new(config: Argon2Params) -> Result<Self, PasswordError> {
        let params = Params::new(
            config.memory_kib,
            config.iterations,
            config.parallelism,
            None,
        )
        .map_err(|e| PasswordError::Params(e.to_string()))?;
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Ok(Self {
            params,
            slots: Arc::new(Semaphore::new(cores)),
        })
    }

    /// Runs `work` (which hashes or verifies) on a blocking thread, if a core is free for
    /// it; `Busy` at once otherwise.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&PasswordHashing) -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        let permit = self
            .slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| PasswordError::Busy)?;
        let hashing = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work(&hashing)
        })
        .await
        .map_err(|e| PasswordError::Task(e.to_string()))
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// The PHC string to store.
    pub fn hash(&self, password: &str) -> Result<String, PasswordError> {
        let salt_bytes: [u8; 16] = random_bytes()?;
        let salt = SaltString::encode_b64(&salt_bytes)
            .map_err(|e| PasswordError::Params(e.to_string()))?;
        let hash = self
            .argon2()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| PasswordError::Params(e.to_string()))?;
        Ok(hash.to_string())
    }

    /// True when `password` matches the stored PHC string. A malformed stored hash never matches.
    pub fn verify(&self, password: &str, stored: &str) -> bool {
        match PasswordHash::new(stored) {
            Ok(parsed) => self
                .argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    }
}

/// The documented minimum strength: length bounds and three character classes out of four.
pub fn check_strength(password: &str) -> Result<(), PasswordError> {
    let len = password.chars().count();
    if !(MIN_PASSWORD_LEN..=MAX_PASSWORD_LEN).contains(&len) {
        return Err(PasswordError::Length);
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    if classes.iter().filter(|present| **present).count() < 3 {
        return Err(PasswordError::TooSimple);
    }
    Ok(())
}

/// A generated password that always passes `check_strength` (for account roots).
pub fn generate() -> Result<String, RandomError> {
    let body = URL_SAFE_NO_PAD.encode(random_bytes::<18>()?);
    // Fixed classes guarantee the policy whatever the random part holds.
    Ok(format!("{body}aZ7!"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> PasswordHashing {
        PasswordHashing::new(Argon2Params {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap()
    }

    #[tokio::test]
    async fn past_one_run_per_core_the_next_is_refused_at_once() {
        let hashing = cheap();
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let (release, held) = std::sync::mpsc::channel::<()>();
        let held = Arc::new(std::sync::Mutex::new(held));
        let (started_tx, mut started) = tokio::sync::mpsc::unbounded_channel();
        let mut running = Vec::new();
        for _ in 0..cores {
            let (held, started_tx) = (held.clone(), started_tx.clone());
            let hashing = hashing.clone();
            running.push(tokio::spawn(async move {
                hashing
                    .run(move |_| {
                        started_tx.send(()).unwrap();
                        held.lock().unwrap().recv().unwrap();
                    })
                    .await
            }));
        }
        for _ in 0..cores {
            started.recv().await.unwrap();
        }
        // Every core is taken (a clone shares the bound): refused, not queued.
        let refused = hashing.clone().run(|h| h.hash("never hashed")).await;
        assert!(matches!(refused, Err(PasswordError::Busy)));
        for _ in 0..cores {
            release.send(()).unwrap();
        }
        for run in running {
            run.await.unwrap().unwrap();
        }
        let stored = hashing
            .run(|h| h.hash("Correct horse 42"))
            .await
            .unwrap()
            .unwrap();
        assert!(
            hashing
                .run(move |h| h.verify("Correct horse 42", &stored))
                .await
                .unwrap()
        );
    }

    #[test]
    fn hash_is_argon2id_and_verifies() {
        let hashing = cheap();
        let hash = hashing.hash("Correct horse 1").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(hashing.verify("Correct horse 1", &hash));
        assert!(!hashing.verify("Correct horse 2", &hash));
        assert!(!hashing.verify("Correct horse 1", "not a phc string"));
    }

    #[test]
    fn strength_rules() {
        assert!(matches!(
            check_strength("Short1!"),
            Err(PasswordError::Length)
        ));
        assert!(matches!(
            check_strength("alllowercaseletters"),
            Err(PasswordError::TooSimple)
        ));
        assert!(check_strength("lower and UPPER words").is_ok());
        assert!(check_strength("digits 1234 and words").is_ok());
        assert!(check_strength(&generate().unwrap()).is_ok());
    }
}
