//! `AppState`: what the HTTP layer (API and console) shares. It holds the service layer's
//! context, which every use case takes, beside what only HTTP needs: the full configuration
//! and the console's session sealer and login throttle. Cheap to clone.
//!
//! It dereferences to `ServiceContext`, so a handler passes `&state` where a use case wants
//! `&ServiceContext`.

use std::ops::Deref;
use std::sync::Arc;

use crate::config::Config;
use crate::console::session::SessionSealer;
use crate::console::throttle::LoginThrottle;
use crate::service::context::ServiceContext;

#[derive(Clone)]
pub struct AppState {
    pub services: Arc<ServiceContext>,
    pub config: Arc<Config>,
    pub console: Arc<ConsoleState>,
}

/// What only the console needs.
pub struct ConsoleState {
    /// Seals and opens console session cookies.
    pub sessions: SessionSealer,
    /// Failed console logins, per name and per address.
    pub login_throttle: LoginThrottle,
}

impl Deref for AppState {
    type Target = ServiceContext;
    fn deref(&self) -> &ServiceContext {
        &self.services
    }
}
