//! `ServiceContext`: everything a use case may reach — the store, the decision path, the
//! caches, the catalog, the key ring, the clock and the few settings the rules read. Built
//! once at start-up (`startup.rs`) and shared by the API, the console and the CLI. It knows
//! nothing of HTTP: the HTTP layer's `AppState` holds it beside what only HTTP needs.

use std::sync::Arc;
use std::time::Duration;

use iam_store::Store;

use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::service::audit::AuditLog;
use crate::service::authorizer::Authorizer;
use crate::service::catalog::LiveCatalog;
use crate::service::client_cache::ClientCache;
use crate::service::principal_cache::PrincipalCache;
use crate::token::keyring::KeyRing;
use crate::token::password::PasswordHashing;
use crate::token::revocations::Revocations;
use crate::token::secret::SecretHasher;
use crate::token::signing_key::Algorithm;

pub struct ServiceContext {
    pub settings: ServiceSettings,
    /// The only source of the current time for rules (expiry, `lastUsed`, audit times).
    pub clock: Clock,
    pub store: Arc<dyn Store>,
    pub secrets: SecretHasher,
    pub passwords: PasswordHashing,
    pub metrics: Arc<Metrics>,
    pub audit: AuditLog,
    pub authorizer: Authorizer,
    /// The action catalog: built-in, plus what resource providers declare.
    pub catalog: LiveCatalog,
    /// JWT signing keys: parsed signers of the active keys, verifiers of every unexpired key.
    pub keys: KeyRing,
    /// Revoked access tokens and deleted clients, checked without the store.
    pub revocations: Revocations,
    /// Service accounts as the token endpoint reads them, briefly held in memory.
    pub client_cache: ClientCache,
    /// Who each personal access token acts as, held until a write changes it.
    pub principals: PrincipalCache,
}

/// The part of the configuration the rules read; the rest (listening, TLS, body limits,
/// logs) belongs to the layers around them.
#[derive(Debug, Clone)]
pub struct ServiceSettings {
    /// The issuer of every token, and the base of every URL iamd gives out.
    pub public_url: String,
    /// Lifetime of an OAuth2 access token and of an OpenStack id_token.
    pub access_token_ttl: Duration,
    /// Signature algorithm of new OpenStack id_token keys.
    pub id_token_algorithm: Algorithm,
    /// How stale cached decision data, key rings and revocation lists may grow before they
    /// are checked against the store.
    pub revision_check: Duration,
}
