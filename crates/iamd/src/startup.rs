//! Start-up: open the store, build the state and the router, bind, serve until told to stop.
//! Tests use `Application::build` with port 0 and drive the real server over HTTP.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use iam_core::system::Builtins;
use iam_store::Store;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::service::authorizer::Authorizer;
use crate::service::catalog::LiveCatalog;
use crate::state::{AppState, Shared};
use crate::token::master_key::{MasterKey, PEPPER_LABEL};
use crate::token::password::PasswordHashing;
use crate::token::secret::SecretHasher;

pub struct Application {
    listener: TcpListener,
    state: AppState,
}

/// Opens the configured store (migrating it) and derives the credentials' keys.
pub async fn open_state(config: Config) -> anyhow::Result<AppState> {
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
    let passwords = PasswordHashing::new(config.argon2)?;
    let catalog = LiveCatalog::builtin()?;
    let declared = catalog.rebuild(
        &store.list_providers().await?,
        &store.list_declared_actions().await?,
    );
    Ok(AppState::new(Shared {
        secrets: SecretHasher::new(master.derive(PEPPER_LABEL)),
        passwords,
        metrics: Metrics::new(),
        authorizer: Authorizer::new(Builtins::new(&declared.actions)),
        catalog,
        store,
        config,
    }))
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let listen = config.listen;
        let state = open_state(config).await?;
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        Ok(Application { listener, state })
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
        let app = crate::http::router(self.state.clone());
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await?;
        Ok(())
    }
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
