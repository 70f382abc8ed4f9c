//! A fixture of the OpenStack end-to-end test (`scripts/openstack-e2e`): stores or deletes
//! one IAM policy straight in iamd's store, for a build that has no `POST /v2/iam/policy`.
//! The test prefers the API and falls back to this; a serving node sees the change within
//! `revision_check_ms` (the account revision moves with every policy write).
//!
//!   e2e_policy <data-dir> <database-url> create <nic> <identity> <resource> <action>...
//!   e2e_policy <data-dir> <database-url> delete <nic> <policy-id>
//!
//! Prints the created policy's id.

// A seeding tool, not the server: it writes the store directly, without audit lines.
#![allow(clippy::disallowed_methods)]

use anyhow::{Context, bail};
use chrono::Utc;
use iam_core::policy::{ActionRef, Permissions, Policy, ResourceRef};
use iamd::config::{Config, ConfigLayer};

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [data_dir, database_url, command, nic, rest @ ..] = args.as_slice() else {
        bail!("usage: e2e_policy <data-dir> <database-url> create|delete <nic> …");
    };
    let config = Config::resolve(ConfigLayer {
        data_dir: Some(data_dir.into()),
        database_url: Some(database_url.clone()),
        ..ConfigLayer::default()
    })?;
    let state = iamd::startup::open_state(config).await?;
    match (command.as_str(), rest) {
        ("create", [identity, resource, actions @ ..]) if !actions.is_empty() => {
            let policy = Policy {
                id: uuid::Uuid::new_v4(),
                name: format!("openstack-e2e-{}", Utc::now().timestamp_micros()),
                description: Some("OpenStack end-to-end test".into()),
                identities: vec![identity.clone()],
                resources: vec![ResourceRef {
                    urn: resource.clone(),
                }],
                permissions: Permissions {
                    allow: actions.iter().map(ActionRef::new).collect(),
                    ..Default::default()
                },
                permissions_groups: Vec::new(),
                conditions: None,
                expired_at: None,
                read_only: false,
                owner: nic.clone(),
                created_at: Utc::now(),
                updated_at: None,
            };
            state.store.create_policy(&policy).await?;
            println!("{}", policy.id);
        }
        ("delete", [id]) => {
            let id = uuid::Uuid::parse_str(id).context("policy id")?;
            state.store.delete_policy(nic, id).await?;
        }
        _ => bail!(
            "usage: e2e_policy <data-dir> <database-url> create <nic> <identity> <resource> <action>... | delete <nic> <id>"
        ),
    }
    Ok(())
}
