//! `iamd account create|list|rotate-root`: create a tenant and print its root credentials
//! once; replace them (printed once too) when they may have leaked.

use clap::Subcommand;
use iam_core::urn::Plate;

use crate::config::Config;
use crate::service::accounts;
use crate::startup;

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account; prints {"account","urn","password","token"} once, on stdout.
    Create {
        /// NIC handle of the account, e.g. xx1111-ovh.
        #[arg(long)]
        nic: String,
        /// Plate of the account: eu, ca or us (default: the server's plate).
        #[arg(long)]
        plate: Option<String>,
    },
    /// List accounts as JSON lines.
    List,
    /// Replace the root's password and root token (every personal token of the root goes);
    /// prints {"account","urn","password","token"} once. The old ones are refused at once,
    /// on every node, and the root's console sessions end.
    RotateRoot {
        /// NIC handle of the account, e.g. xx1111-ovh.
        #[arg(long)]
        nic: String,
    },
}

pub async fn run(command: AccountCommand, config: Config) -> anyhow::Result<()> {
    let default_plate = config.plate;
    let state = startup::open_state(config).await?;
    match command {
        AccountCommand::Create { nic, plate } => {
            let plate = match plate {
                Some(text) => Plate::parse(&text)
                    .ok_or_else(|| anyhow::anyhow!("plate must be eu, ca or us"))?,
                None => default_plate,
            };
            let created = accounts::create(
                &*state.store,
                &state.secrets,
                &state.passwords,
                &nic,
                plate,
                state.clock.now(),
            )
            .await?;
            println!("{}", serde_json::to_string(&created)?);
        }
        AccountCommand::RotateRoot { nic } => {
            let rotated = accounts::rotate_root(
                &*state.store,
                &state.secrets,
                &state.passwords,
                &nic,
                state.clock.now(),
            )
            .await?;
            println!("{}", serde_json::to_string(&rotated)?);
        }
        AccountCommand::List => {
            for account in accounts::list(&*state.store).await? {
                let line = serde_json::json!({
                    "account": account.nic,
                    "plate": account.plate,
                    "createdAt": account.created_at,
                });
                println!("{line}");
            }
        }
    }
    Ok(())
}
