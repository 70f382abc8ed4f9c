//! The key ring: every signing key of the store that can still verify, held in memory with
//! its parsed signer (active keys) and verifier, swapped atomically on reload. Keys are
//! created when a usage has none, rotated with overlap (the old key is retired and keeps
//! verifying until the longest-lived token it signed has expired), and purged after that.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SubsecRound, Utc};
use iam_store::{SigningKey, Store, StoreError};
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::{Value, json};

use crate::token::jwk;
use crate::token::sealed::{KeySealer, SealError};
use crate::token::signing_key::{Algorithm, KeyError, PrivateKey, Usage, jwt_algorithm};

#[derive(Debug, thiserror::Error)]
pub enum KeyRingError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("signing key {kid}: {source}")]
    Seal { kid: String, source: SealError },
    #[error("signing key {kid} is malformed: {reason}")]
    Malformed { kid: String, reason: &'static str },
}

type Result<T, E = KeyRingError> = std::result::Result<T, E>;

/// A parsed private key and the JWS header it signs under (constant per key, so encoded once).
pub struct Signer {
    pub key: PrivateKey,
    pub encoded_header: String,
}

/// One key of the ring: its stored facts, its verifier and, while active, its signer.
pub struct LoadedKey {
    pub kid: String,
    pub algorithm: Algorithm,
    pub usage: Usage,
    /// Key members only; see `jwk::published` for the JWKS form.
    pub public_jwk: Value,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    material: Arc<Material>,
}

struct Material {
    decoding: DecodingKey,
    validation: Validation,
    signer: Option<Signer>,
}

impl LoadedKey {
    /// An active key made from `key` (its kid is the thumbprint of its public JWK).
    pub fn active(key: PrivateKey, usage: Usage, created_at: DateTime<Utc>) -> Result<LoadedKey> {
        let public_jwk = key.public_jwk();
        let kid = jwk::thumbprint(&public_jwk).ok_or_else(|| KeyRingError::Malformed {
            kid: String::new(),
            reason: "no thumbprint",
        })?;
        let algorithm = key.algorithm();
        let header = json!({"alg": algorithm.as_str(), "typ": "JWT", "kid": kid});
        let encoded_header = URL_SAFE_NO_PAD.encode(header.to_string());
        let signer = Some(Signer {
            key,
            encoded_header,
        });
        let material = Arc::new(Material::new(&kid, algorithm, &public_jwk, signer)?);
        Ok(LoadedKey {
            kid,
            algorithm,
            usage,
            public_jwk,
            created_at,
            retired_at: None,
            expires_at: None,
            material,
        })
    }

    pub fn signer(&self) -> Option<&Signer> {
        self.material.signer.as_ref()
    }

    pub fn decoding_key(&self) -> &DecodingKey {
        &self.material.decoding
    }

    pub fn validation(&self) -> &Validation {
        &self.material.validation
    }

    pub fn is_active(&self) -> bool {
        self.retired_at.is_none()
    }

    /// The same key material with the dates of a newer copy of its row.
    fn with_dates(&self, record: &SigningKey) -> LoadedKey {
        LoadedKey {
            kid: self.kid.clone(),
            algorithm: self.algorithm,
            usage: self.usage,
            public_jwk: self.public_jwk.clone(),
            created_at: record.created_at,
            retired_at: record.retired_at,
            expires_at: record.expires_at,
            material: self.material.clone(),
        }
    }
}

impl Material {
    fn new(
        kid: &str,
        algorithm: Algorithm,
        public_jwk: &Value,
        signer: Option<Signer>,
    ) -> Result<Material> {
        let malformed = |reason| KeyRingError::Malformed {
            kid: kid.to_owned(),
            reason,
        };
        let member = |name: &str| {
            public_jwk
                .get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| malformed("missing member"))
        };
        let decoding = match algorithm {
            Algorithm::EdDSA => DecodingKey::from_ed_components(member("x")?),
            Algorithm::ES256 => DecodingKey::from_ec_components(member("x")?, member("y")?),
            Algorithm::RS256 => DecodingKey::from_rsa_components(member("n")?, member("e")?),
        }
        .map_err(|_| malformed("public key does not parse"))?;
        let mut validation = Validation::new(jwt_algorithm(algorithm));
        // `exp` is checked against the caller's clock (jwt::verify_with); no audience is issued.
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        Ok(Material {
            decoding,
            validation,
            signer,
        })
    }
}

struct KeySet {
    by_kid: HashMap<String, Arc<LoadedKey>>,
    active: HashMap<Usage, Arc<LoadedKey>>,
}

impl KeySet {
    fn new(keys: Vec<Arc<LoadedKey>>) -> KeySet {
        let mut active: HashMap<Usage, Arc<LoadedKey>> = HashMap::new();
        for key in keys
            .iter()
            .filter(|k| k.is_active() && k.signer().is_some())
        {
            // The store holds one active key per usage; a ring read across another node's
            // rotation may briefly see two: the newest signs, both verify.
            let newer = active
                .get(&key.usage)
                .is_none_or(|a| (a.created_at, &a.kid) < (key.created_at, &key.kid));
            if newer {
                active.insert(key.usage, key.clone());
            }
        }
        let by_kid = keys.into_iter().map(|k| (k.kid.clone(), k)).collect();
        KeySet { by_kid, active }
    }
}

/// The keys this node signs and verifies with. Deliberately not `Debug`.
pub struct KeyRing {
    sealer: KeySealer,
    set: RwLock<Arc<KeySet>>,
    /// When an unknown `kid` last sent this node to the store.
    last_reload: Mutex<Option<Instant>>,
}

impl KeyRing {
    pub fn new(sealer: KeySealer) -> KeyRing {
        let empty = Arc::new(KeySet::new(Vec::new()));
        KeyRing {
            sealer,
            set: RwLock::new(empty),
            last_reload: Mutex::new(None),
        }
    }

    fn current(&self) -> Arc<KeySet> {
        match self.set.read() {
            Ok(set) => set.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the ring with `keys` (what `reload` does after reading the store).
    pub fn install(&self, keys: Vec<Arc<LoadedKey>>) {
        let set = Arc::new(KeySet::new(keys));
        match self.set.write() {
            Ok(mut guard) => *guard = set,
            Err(poisoned) => *poisoned.into_inner() = set,
        }
    }

    /// The key that signs new tokens of `usage`.
    pub fn active(&self, usage: Usage) -> Option<Arc<LoadedKey>> {
        self.current().active.get(&usage).cloned()
    }

    pub fn get(&self, kid: &str) -> Option<Arc<LoadedKey>> {
        self.current().by_kid.get(kid).cloned()
    }

    /// Every key of the ring, oldest first.
    pub fn keys(&self) -> Vec<Arc<LoadedKey>> {
        let mut keys: Vec<_> = self.current().by_kid.values().cloned().collect();
        keys.sort_by(|a, b| (a.created_at, &a.kid).cmp(&(b.created_at, &b.kid)));
        keys
    }

    /// The JWKS (RFC 7517 §5) of `usage`: active keys and retired keys that still verify.
    pub fn jwks(&self, usage: Usage) -> Value {
        let keys: Vec<Value> = self
            .keys()
            .iter()
            .filter(|k| k.usage == usage)
            .map(|k| jwk::published(&k.public_jwk, &k.kid, k.algorithm.as_str()))
            .collect();
        json!({ "keys": keys })
    }

    /// True (and the attempt recorded) when the last reload for an unknown `kid` is at least
    /// `interval` old: an unknown `kid` may trigger a reload (another node rotated), but a
    /// stream of made-up ones must not reach the store more than once per interval.
    pub fn reload_due(&self, interval: Duration) -> bool {
        let Ok(mut last) = self.last_reload.lock() else {
            return false;
        };
        if last.is_some_and(|at| at.elapsed() < interval) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }

    /// Reads every key from the store, reusing the parsed material of keys already held.
    /// Keys past `expires_at` are dropped; an active key that does not decrypt is an error
    /// (a master key that does not match the store).
    pub async fn reload(&self, store: &dyn Store, now: DateTime<Utc>) -> Result<()> {
        let records = store.list_signing_keys().await?;
        let current = self.current();
        let mut keys = Vec::with_capacity(records.len());
        for record in records
            .iter()
            .filter(|r| r.expires_at.is_none_or(|at| at > now))
        {
            let reusable = current
                .by_kid
                .get(&record.kid)
                .filter(|k| k.signer().is_some() || record.retired_at.is_some());
            let key = match reusable {
                Some(held) => held.with_dates(record),
                None => self.load(record)?,
            };
            keys.push(Arc::new(key));
        }
        self.install(keys);
        Ok(())
    }

    /// Parses a stored key; only an active key is decrypted (retired ones only verify).
    fn load(&self, record: &SigningKey) -> Result<LoadedKey> {
        let malformed = |reason| KeyRingError::Malformed {
            kid: record.kid.clone(),
            reason,
        };
        let (algorithm, usage) = (record.algorithm, record.usage);
        if jwk::thumbprint(&record.public_jwk).as_deref() != Some(record.kid.as_str()) {
            return Err(malformed("kid is not the thumbprint of its public key"));
        }
        if record.retired_at.is_none() {
            let key = self.open(record)?;
            if key.public_jwk() != record.public_jwk {
                return Err(malformed("private and public halves differ"));
            }
            return Ok(LoadedKey::active(key, usage, record.created_at)?.with_dates(record));
        }
        let material = Arc::new(Material::new(
            &record.kid,
            algorithm,
            &record.public_jwk,
            None,
        )?);
        Ok(LoadedKey {
            kid: record.kid.clone(),
            algorithm,
            usage,
            public_jwk: record.public_jwk.clone(),
            created_at: record.created_at,
            retired_at: record.retired_at,
            expires_at: record.expires_at,
            material,
        })
    }

    /// Decrypts a stored private key.
    pub fn open(&self, record: &SigningKey) -> Result<PrivateKey> {
        let der = self
            .sealer
            .open(&record.kid, &record.private_key_encrypted)
            .map_err(|source| KeyRingError::Seal {
                kid: record.kid.clone(),
                source,
            })?;
        Ok(PrivateKey::from_pkcs8_der(record.algorithm, &der)?)
    }

    /// The row for a new active key: private half sealed under the key-encryption key.
    fn seal(&self, key: &PrivateKey, usage: Usage, now: DateTime<Utc>) -> Result<SigningKey> {
        let public_jwk = key.public_jwk();
        let kid = jwk::thumbprint(&public_jwk).ok_or_else(|| KeyRingError::Malformed {
            kid: String::new(),
            reason: "no thumbprint",
        })?;
        let der = key.to_pkcs8_der()?;
        let sealed = self
            .sealer
            .seal(&kid, &der)
            .map_err(|source| KeyRingError::Seal {
                kid: kid.clone(),
                source,
            })?;
        Ok(SigningKey {
            kid,
            algorithm: key.algorithm(),
            usage,
            private_key_encrypted: sealed,
            public_jwk,
            created_at: now.trunc_subsecs(6),
            retired_at: None,
            expires_at: None,
        })
    }

    /// Generates a key, off the async threads (an RSA key takes a while), and seals it.
    async fn generate(
        &self,
        usage: Usage,
        algorithm: Algorithm,
        now: DateTime<Utc>,
    ) -> Result<SigningKey> {
        let key = tokio::task::spawn_blocking(move || PrivateKey::generate(algorithm))
            .await
            .map_err(|_| KeyError::Generate(algorithm))??;
        self.seal(&key, usage, now)
    }

    /// Loads the store's keys and creates, for each usage that has none, an active key of
    /// `algorithm_of(usage)`. What a serving node does on start.
    pub async fn ensure_active(
        &self,
        store: &dyn Store,
        now: DateTime<Utc>,
        algorithm_of: impl Fn(Usage) -> Algorithm,
    ) -> Result<()> {
        self.reload(store, now).await?;
        let missing: Vec<Usage> = Usage::ALL
            .into_iter()
            .filter(|u| self.active(*u).is_none())
            .collect();
        for usage in &missing {
            let record = self.generate(*usage, algorithm_of(*usage), now).await?;
            // Other nodes may be starting too: the store lets one key per usage win, and
            // the reload below makes every node sign with the winner.
            if store.insert_first_signing_key(&record).await? {
                let (kid, algorithm) = (&record.kid, &record.algorithm);
                tracing::info!(%kid, %usage, %algorithm, "created a signing key");
            } else {
                tracing::info!(%usage, "another node created the signing key first; using it");
            }
        }
        if !missing.is_empty() {
            self.reload(store, now).await?;
        }
        Ok(())
    }

    /// Makes a new key of `usage` the active one. Older active keys are retired and keep
    /// verifying for `overlap` (the longest token lifetime); keys whose overlap has passed are
    /// purged. Returns the new kid.
    pub async fn rotate(
        &self,
        store: &dyn Store,
        usage: Usage,
        algorithm: Algorithm,
        overlap: Duration,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let record = self.generate(usage, algorithm, now).await?;
        let overlap = chrono::Duration::from_std(overlap).unwrap_or(chrono::Duration::days(1));
        let now = now.trunc_subsecs(6);
        // One transaction: there is never a moment with two active keys, or none.
        store
            .rotate_signing_key(&record, now, now + overlap)
            .await?;
        let purged = store.purge_signing_keys(now).await?;
        tracing::info!(kid = %record.kid, %usage, %algorithm, purged, "rotated signing keys");
        self.reload(store, now).await?;
        Ok(record.kid)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A ring holding one fresh active key per `(usage, algorithm)`, without a store.
    pub(crate) fn ring_with(keys: &[(Usage, Algorithm)]) -> KeyRing {
        let ring = KeyRing::new(KeySealer::new([3; 32]));
        let loaded = keys
            .iter()
            .map(|(usage, algorithm)| {
                Arc::new(
                    LoadedKey::active(
                        PrivateKey::generate(*algorithm).unwrap(),
                        *usage,
                        Utc::now(),
                    )
                    .unwrap(),
                )
            })
            .collect();
        ring.install(loaded);
        ring
    }

    #[test]
    fn sealed_rows_open_to_the_same_key_and_load_back() {
        let ring = KeyRing::new(KeySealer::new([3; 32]));
        let key = PrivateKey::generate(Algorithm::ES256).unwrap();
        let record = ring.seal(&key, Usage::AccessToken, Utc::now()).unwrap();
        assert_eq!(record.kid, jwk::thumbprint(&key.public_jwk()).unwrap());
        let der = key.to_pkcs8_der().unwrap();
        assert!(
            !record
                .private_key_encrypted
                .windows(der.len())
                .any(|w| w == der.as_slice())
        );
        assert_eq!(ring.open(&record).unwrap().public_jwk(), key.public_jwk());
        let loaded = ring.load(&record).unwrap();
        assert!(loaded.signer().is_some() && loaded.is_active());

        let retired = SigningKey {
            retired_at: Some(Utc::now()),
            ..record.clone()
        };
        assert!(
            ring.load(&retired).unwrap().signer().is_none(),
            "retired keys only verify"
        );
        let wrong_kid = SigningKey {
            kid: "x".into(),
            ..record.clone()
        };
        assert!(ring.load(&wrong_kid).is_err());
        let other_master = KeyRing::new(KeySealer::new([4; 32]));
        assert!(
            other_master.load(&record).is_err(),
            "a wrong master key is an error, not a silent skip"
        );
    }

    #[test]
    fn newest_active_key_signs_and_jwks_lists_one_usage() {
        let ring = ring_with(&[
            (Usage::AccessToken, Algorithm::EdDSA),
            (Usage::IdToken, Algorithm::ES256),
        ]);
        let first = ring.active(Usage::AccessToken).unwrap();
        let later = LoadedKey::active(
            PrivateKey::generate(Algorithm::EdDSA).unwrap(),
            Usage::AccessToken,
            Utc::now(),
        )
        .unwrap();
        let later_kid = later.kid.clone();
        let mut keys = ring.keys();
        keys.push(Arc::new(later));
        ring.install(keys);
        assert_eq!(ring.active(Usage::AccessToken).unwrap().kid, later_kid);
        let jwks = ring.jwks(Usage::AccessToken);
        let kids: Vec<&str> = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap())
            .collect();
        assert_eq!(kids, [first.kid.as_str(), later_kid.as_str()]);
        assert!(
            jwks["keys"][0].get("d").is_none(),
            "no private member is published"
        );
    }

    #[test]
    fn reloads_are_rate_limited() {
        let ring = ring_with(&[]);
        assert!(ring.reload_due(Duration::from_secs(60)));
        assert!(!ring.reload_due(Duration::from_secs(60)));
        assert!(ring.reload_due(Duration::ZERO));
    }
}
