//! `AppState`: what every handler shares. Built once at start-up; cheap to clone.

use std::ops::Deref;
use std::sync::Arc;

use iam_store::Store;

use crate::config::Config;
use crate::console::session::SessionSealer;
use crate::console::throttle::LoginThrottle;
use crate::metrics::Metrics;
use crate::service::authorizer::Authorizer;
use crate::service::catalog::LiveCatalog;
use crate::service::client_cache::ClientCache;
use crate::service::principal_cache::PrincipalCache;
use crate::token::keyring::KeyRing;
use crate::token::password::PasswordHashing;
use crate::token::revocations::Revocations;
use crate::token::secret::SecretHasher;

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub secrets: SecretHasher,
    pub passwords: PasswordHashing,
    pub metrics: Metrics,
    pub authorizer: Authorizer,
    /// The action catalog: built-in, plus what resource providers declare.
    pub catalog: LiveCatalog,
    /// JWT signing keys: parsed signers of the active keys, verifiers of every unexpired key.
    pub keys: KeyRing,
    /// Revoked access tokens and deleted clients, checked without the store.
    pub revocations: Revocations,
    /// Service accounts as the token endpoint reads them, briefly held in memory.
    pub client_cache: ClientCache,
    /// Seals and opens console session cookies.
    pub console_sessions: SessionSealer,
    /// Failed console logins, per name and per address.
    pub login_throttle: LoginThrottle,
    /// Who each personal access token acts as, held until a write changes it.
    pub principals: PrincipalCache,
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}
