//! `iamd provider create|list|delete`: the credentials of resource providers. The secret is
//! printed once, by `create`.

use clap::Subcommand;

use crate::config::Config;
use crate::service::providers;
use crate::startup;

#[derive(Debug, Subcommand)]
pub enum ProviderCommand {
    /// Create a provider owning resource types; prints {"id","name","resourceTypes","secret"} once.
    Create {
        #[arg(long)]
        name: String,
        /// A resource type it owns, e.g. vps; repeat for several.
        #[arg(long = "type", required = true)]
        types: Vec<String>,
    },
    /// List providers as JSON lines.
    List,
    /// Delete a provider and the actions it declared (a running server forgets them at its
    /// next restart or declaration).
    Delete {
        #[arg(long)]
        name: String,
    },
}

pub async fn run(command: ProviderCommand, config: Config) -> anyhow::Result<()> {
    let state = startup::open_state(config).await?;
    match command {
        ProviderCommand::Create { name, types } => {
            let created = providers::create(
                &*state.store,
                &state.secrets,
                &name,
                types,
                state.clock.now(),
            )
            .await?;
            println!("{}", serde_json::to_string(&created)?);
        }
        ProviderCommand::List => {
            for provider in providers::list(&*state.store).await? {
                println!("{}", serde_json::to_string(&provider)?);
            }
        }
        ProviderCommand::Delete { name } => providers::delete(&*state.store, &name).await?,
    }
    Ok(())
}
