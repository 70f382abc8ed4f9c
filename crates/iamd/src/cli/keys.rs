//! `iamd keys rotate|list`: JWT signing keys. A rotation makes a new key active at once on
//! this store; serving nodes pick it up within `revision_check_ms`, and the old key keeps
//! verifying until the tokens it signed have expired.

use clap::Subcommand;

use crate::config::Config;
use crate::service::key_lifecycle;
use crate::startup;
use crate::token::signing_key::{Algorithm, Usage};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a new active signing key; older keys of the usage retire (they still verify
    /// until the longest token lifetime has passed). Prints {"kid","usage","algorithm"}.
    Rotate {
        /// access_token or id_token.
        #[arg(long, default_value = "access_token", value_parser = parse_usage)]
        usage: Usage,
        /// EdDSA, ES256 or RS256 (default: EdDSA for access tokens, `id_token_algorithm`
        /// (RS256 unless configured) for id tokens).
        #[arg(long, value_parser = parse_algorithm)]
        algorithm: Option<Algorithm>,
    },
    /// List signing keys as JSON lines (never any private part).
    List,
}

fn parse_usage(text: &str) -> Result<Usage, String> {
    Usage::parse(text).ok_or_else(|| format!("expected access_token or id_token, got {text:?}"))
}

fn parse_algorithm(text: &str) -> Result<Algorithm, String> {
    Algorithm::parse(text).ok_or_else(|| format!("expected EdDSA, ES256 or RS256, got {text:?}"))
}

pub async fn run(command: KeysCommand, config: Config) -> anyhow::Result<()> {
    let state = startup::open_state(config).await?;
    match command {
        KeysCommand::Rotate { usage, algorithm } => {
            let kid = key_lifecycle::rotate(&state, usage, algorithm).await?;
            let algorithm =
                algorithm.unwrap_or(key_lifecycle::algorithm_for(&state.settings, usage));
            let line = serde_json::json!({"kid": kid, "usage": usage.as_str(), "algorithm": algorithm.as_str()});
            println!("{line}");
        }
        KeysCommand::List => {
            for key in key_lifecycle::list(&state).await? {
                println!("{}", serde_json::to_string(&key)?);
            }
        }
    }
    Ok(())
}
