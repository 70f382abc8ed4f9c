//! The operator commands of the `iamd` binary: `serve`, `migrate`, `check-config`,
//! `account create|list|rotate-root`, `keys rotate|list`, `set-issuer`. Flags are the last configuration layer (DESIGN.md §10).

mod account;
mod keys;
mod provider;
mod resource;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::config::{Config, ConfigLayer, LogFormat, parse_log_format};
use crate::startup::{self, Application};
use crate::telemetry;

#[derive(Debug, Parser)]
#[command(
    name = "iamd",
    version,
    about = "A self-hostable IAM server with OVHcloud's IAM model and API shape"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalFlags,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command understands; each overrides the file and the environment.
#[derive(Debug, Args)]
pub struct GlobalFlags {
    /// TOML configuration file (also IAMD_CONFIG).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Directory for the embedded database and the master key (default ./data).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// sqlite:PATH or postgres://… (default sqlite:<data-dir>/iamd.db).
    #[arg(long = "database", global = true)]
    pub database_url: Option<String>,
    /// Log format: text or json.
    #[arg(long, global = true, value_parser = parse_log_format)]
    pub log_format: Option<LogFormat>,
    /// Log filter, e.g. info or iamd=debug.
    #[arg(long, global = true)]
    pub log_level: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (migrating the store first).
    Serve(ServeFlags),
    /// Apply pending store migrations and exit.
    Migrate,
    /// Print the resolved configuration (secrets redacted) and check it.
    CheckConfig,
    /// Move the cluster's token issuer to URL (every node must then start with
    /// public_url = URL; tokens issued under the old URL are refused). Stop every node first.
    SetIssuer {
        /// The new public URL of the cluster, e.g. https://iam.example.com.
        url: String,
    },
    /// Manage accounts (tenants).
    #[command(subcommand)]
    Account(account::AccountCommand),
    /// Manage JWT signing keys.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Manage resource providers (the products that register resources).
    #[command(subcommand)]
    Provider(provider::ProviderCommand),
    /// Register or remove resources of an account.
    #[command(subcommand)]
    Resource(resource::ResourceCommand),
}

#[derive(Debug, Args)]
pub struct ServeFlags {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// URL clients reach this server at (default http://<listen>, https:// with TLS).
    #[arg(long)]
    pub public_url: Option<String>,
    /// PEM certificate chain: with --tls-key, serve HTTPS (also IAMD_TLS_CERT, tls_cert).
    #[arg(long)]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1) of --tls-cert (also IAMD_TLS_KEY, tls_key).
    #[arg(long)]
    pub tls_key: Option<PathBuf>,
}

impl Cli {
    /// The configuration layers folded: defaults < file < environment < flags.
    pub fn config(&self) -> anyhow::Result<Config> {
        let (env_layer, unknown) = ConfigLayer::from_env(std::env::vars())?;
        let file = self
            .global
            .config
            .clone()
            .or_else(|| std::env::var_os("IAMD_CONFIG").map(PathBuf::from));
        let file_layer = match file {
            Some(path) => ConfigLayer::from_file(&path)?,
            None => ConfigLayer::default(),
        };
        let mut flags = ConfigLayer {
            data_dir: self.global.data_dir.clone(),
            database_url: self.global.database_url.clone(),
            log_format: self.global.log_format,
            log_level: self.global.log_level.clone(),
            ..ConfigLayer::default()
        };
        if let Command::Serve(serve) = &self.command {
            flags.listen = serve.listen;
            flags.public_url = serve.public_url.clone();
            flags.tls_cert = serve.tls_cert.clone();
            flags.tls_key = serve.tls_key.clone();
        }
        let config = Config::resolve(file_layer.merge(env_layer).merge(flags))?;
        telemetry::init(config.log_format, &config.log_level);
        for name in unknown {
            tracing::warn!(variable = %name, "unknown IAMD_ environment variable ignored");
        }
        Ok(config)
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config()?;
    match cli.command {
        Command::Serve(_) => serve(config).await,
        Command::Migrate => {
            let state = startup::open_state(config).await?;
            // `open_state` migrates; report what the store holds now.
            let applied = state.store.migrate().await?;
            println!(
                "store is up to date ({} migration(s) applied now)",
                applied.len()
            );
            Ok(())
        }
        Command::CheckConfig => {
            println!("{config:#?}");
            println!("configuration is valid");
            Ok(())
        }
        Command::SetIssuer { url } => {
            let state = startup::open_state(config).await?;
            let issuer = crate::service::issuer::set(&*state.store, &url).await?;
            println!(
                "the cluster's issuer is now {issuer}: start every node with public_url = \"{issuer}\""
            );
            Ok(())
        }
        Command::Account(command) => account::run(command, config).await,
        Command::Keys(command) => keys::run(command, config).await,
        Command::Provider(command) => provider::run(command, config).await,
        Command::Resource(command) => resource::run(command, config).await,
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config.clone()).await?;
    let addr = app.local_addr().context("listener has no address")?;
    tracing::info!(%addr, public_url = %config.public_url, store = app.state().store.backend(), "iamd ready");
    app.run_until(startup::shutdown_signal()).await
}
