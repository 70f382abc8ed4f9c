//! Start-up: open the store, build the state and the router, bind, serve until told to stop.
//! Tests use `Application::build` with port 0 and drive the real server over HTTP.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use iam_core::system::Builtins;
use iam_store::{Change, Store};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::clock::Clock;
use crate::config::Config;
use crate::console::session::SessionSealer;
use crate::console::throttle::LoginThrottle;
use crate::metrics::Metrics;
use crate::serve::Limits;
use crate::service::audit::AuditLog;
use crate::service::authorizer::Authorizer;
use crate::service::catalog::LiveCatalog;
use crate::service::client_cache::ClientCache;
use crate::service::context::{ServiceContext, ServiceSettings};
use crate::service::principal_cache::PrincipalCache;
use crate::state::{AppState, ConsoleState};
use crate::token::keyring::KeyRing;
use crate::token::master_key::{
    CONSOLE_SESSION_LABEL, KEY_ENCRYPTION_LABEL, MasterKey, PEPPER_LABEL,
};
use crate::token::password::PasswordHashing;
use crate::token::revocations::Revocations;
use crate::token::sealed::KeySealer;
use crate::token::secret::SecretHasher;

pub struct Application {
    listener: TcpListener,
    state: AppState,
    /// Set when `tls_cert`/`tls_key` are: the server speaks HTTPS.
    tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
}

/// Opens the configured store (migrating it), derives the credentials' keys and loads the
/// signing keys the store holds (creating none: see `Application::build`), on the machine's
/// clock.
pub async fn open_state(config: Config) -> anyhow::Result<AppState> {
    open_state_with(config, Clock::system()).await
}

/// As `open_state`, reading time from `clock`.
pub async fn open_state_with(config: Config, clock: Clock) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data directory {}", config.data_dir.display()))?;
    let master = MasterKey::load(config.master_key.as_deref(), &config.data_dir)?;
    let store: Arc<dyn Store> = iam_store::open(&config.database_url)
        .await
        .with_context(|| {
            format!(
                "cannot open the store at {}",
                crate::config::redact_url(&config.database_url)
            )
        })?;
    let services = Arc::new(open_services(&config, &master, store.clone(), clock).await?);
    Ok(AppState {
        console: Arc::new(ConsoleState {
            sessions: SessionSealer::new(master.derive(CONSOLE_SESSION_LABEL)),
            login_throttle: LoginThrottle::new(store, services.clock.clone()),
        }),
        services,
        config: Arc::new(config),
    })
}

async fn open_services(
    config: &Config,
    master: &MasterKey,
    store: Arc<dyn Store>,
    clock: Clock,
) -> anyhow::Result<ServiceContext> {
    let passwords = PasswordHashing::new(config.argon2)?;
    let catalog = LiveCatalog::builtin()?;
    let declared = catalog.rebuild(
        &store.list_providers().await?,
        &store.list_declared_actions().await?,
    );
    let keys = KeyRing::new(KeySealer::new(master.derive(KEY_ENCRYPTION_LABEL)));
    keys.reload(&*store, clock.now())
        .await
        .context("cannot load the signing keys")?;
    let metrics = Arc::new(Metrics::new());
    let audit = AuditLog::new(store.clone(), clock.clone());
    let authorizer = Authorizer::new(
        Builtins::new(&declared.actions),
        config.revision_check,
        store.clone(),
        metrics.clone(),
        audit.clone(),
        clock.clone(),
    );
    Ok(ServiceContext {
        settings: ServiceSettings {
            public_url: config.public_url.clone(),
            access_token_ttl: config.access_token_ttl,
            id_token_algorithm: config.id_token_algorithm,
            revision_check: config.revision_check,
        },
        secrets: SecretHasher::new(master.derive(PEPPER_LABEL)),
        passwords,
        metrics,
        audit,
        authorizer,
        catalog,
        keys,
        revocations: Revocations::new(),
        client_cache: ClientCache::new(),
        principals: PrincipalCache::new(),
        store,
        clock,
    })
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        Self::build_with(config, Clock::system()).await
    }

    /// As `build`, on `clock`: tests pass a manual clock to move time instead of sleeping.
    pub async fn build_with(config: Config, clock: Clock) -> anyhow::Result<Application> {
        let listen = config.listen;
        // Read the certificate first: a bad file should stop the start before anything else.
        let tls = match &config.tls {
            Some(files) => Some(crate::tls::server_config(files)?),
            None => None,
        };
        let state = open_state_with(config, clock).await?;
        crate::service::issuer::claim(&state).await?;
        follow_changes(&state.services).await?;
        crate::service::key_lifecycle::prepare(&state)
            .await
            .context("cannot prepare signing keys and revocations")?;
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        Ok(Application {
            listener,
            state,
            tls,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        // Keeps this node's key ring and revocation list in step with the store.
        let refresher = tokio::spawn(crate::service::key_lifecycle::refresh_forever(
            self.state.services.clone(),
        ));
        let router = crate::http::router(self.state.clone());
        let limits = Limits {
            header_read_timeout: self.state.config.header_read_timeout,
            max_connections: self.state.config.max_connections,
        };
        let tls = self.tls.map(TlsAcceptor::from);
        crate::serve::serve(self.listener, tls, router, limits, shutdown).await;
        refresher.abort();
        Ok(())
    }
}

/// Drops cached account snapshots and token principals, and refuses revoked credentials, as
/// other nodes change them (PostgreSQL LISTEN/NOTIFY, delivered at their commit). The task
/// ends with the store's feed; the periodic checks (`revision_check_ms`: revisions,
/// revocations, keys) and the principals' time to live remain the safety nets.
async fn follow_changes(state: &Arc<ServiceContext>) -> anyhow::Result<()> {
    let Some(mut feed) = state.store.watch_changes().await? else {
        return Ok(());
    };
    let state = state.clone();
    tokio::spawn(async move {
        while let Some(change) = feed.recv().await {
            match change {
                Change::Decisions(account) => {
                    state.authorizer.on_change_notified(&account).await;
                }
                Change::Credentials(account) => state.principals.invalidate(&account),
                Change::Revoked(revoked) => {
                    state.revocations.insert(&revoked.jti, revoked.expires_at);
                }
                Change::Missed => {
                    state.principals.clear();
                    state.authorizer.recheck_all().await;
                    crate::service::key_lifecycle::refresh_revocations_now(&state).await;
                }
            }
        }
    });
    Ok(())
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
