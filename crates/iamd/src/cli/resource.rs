//! `iamd resource register|remove`: resource registration for operators and scripts, the
//! same use case as the provider API (any type but `account`).

use std::collections::BTreeMap;

use clap::Subcommand;

use crate::config::Config;
use crate::service::accounts;
use crate::service::registration::{self, Registrar, Registration};
use crate::startup;

#[derive(Debug, Subcommand)]
pub enum ResourceCommand {
    /// Register (or update) a resource of an account; prints it as JSON.
    Register {
        /// NIC handle of the account, e.g. xx1111-ovh.
        #[arg(long)]
        account: String,
        /// urn:v1:<plate>:resource:<type>:<name>
        #[arg(long)]
        urn: String,
        /// Name (default: the name inside the URN).
        #[arg(long)]
        name: Option<String>,
        /// Display name (default: the name).
        #[arg(long)]
        display_name: Option<String>,
        /// A tag, key=value; repeat for several.
        #[arg(long = "tag", value_parser = parse_tag)]
        tags: Vec<(String, String)>,
    },
    /// Remove a resource from an account (and from every resource group).
    Remove {
        #[arg(long)]
        account: String,
        #[arg(long)]
        urn: String,
    },
}

fn parse_tag(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("expected key=value, got {text:?}"))
}

pub async fn run(command: ResourceCommand, config: Config) -> anyhow::Result<()> {
    let state = startup::open_state(config).await?;
    match command {
        ResourceCommand::Register {
            account,
            urn,
            name,
            display_name,
            tags,
        } => {
            let tags = (!tags.is_empty()).then(|| tags.into_iter().collect::<BTreeMap<_, _>>());
            let input = Registration {
                name,
                display_name,
                tags,
            };
            let resource = registration::register(
                &state,
                Registrar::Operator,
                &accounts::named(&account)?,
                &urn,
                input,
            )
            .await?;
            println!("{}", serde_json::to_string(&resource)?);
        }
        ResourceCommand::Remove { account, urn } => {
            registration::remove(
                &state,
                Registrar::Operator,
                &accounts::named(&account)?,
                &urn,
            )
            .await?;
        }
    }
    Ok(())
}
