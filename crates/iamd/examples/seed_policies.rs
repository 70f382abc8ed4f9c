//! Benchmark data for `scripts/bench-authz`: fills an existing account with N generated
//! policies (through the store, in one pass: creating them through the API would rebuild
//! the account's snapshot between every two writes), registers the VPS they name, and
//! creates a user `bench` with a personal access token, printed as JSON. The user's group has
//! role `NONE`, so that its answers come from the generated policies alone.
//!
//!   cargo run --release --example seed_policies -- DATA_DIR NIC COUNT

// A seeding tool, not the server: it writes the store directly, without audit lines.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;

use chrono::{SubsecRound, Utc};
use iam_core::policy::{ActionRef, Permissions, Policy, ResourceRef};
use iam_core::role::Role;
use iam_core::urn::{Plate, Urn};
use iam_store::{AccessTokenRecord, Group, Resource, User, UserStatus};
use iamd::config::{Config, ConfigLayer};
use uuid::Uuid;

const USERS: usize = 1000;
const ACTIONS: [&str; 6] = [
    "vps:apiovh:reboot",
    "vps:apiovh:createSnapshot",
    "vps:apiovh:get",
    "vps:apiovh:stop",
    "vps:apiovh:start",
    "vps:apiovh:delete",
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, data_dir, nic, count] = &args[..] else {
        anyhow::bail!("usage: seed_policies DATA_DIR NIC COUNT");
    };
    let count: usize = count.parse()?;
    let config = Config::resolve(ConfigLayer {
        data_dir: Some(data_dir.into()),
        ..ConfigLayer::default()
    })?;
    let state = iamd::startup::open_state(config).await?;
    let store = &*state.store;
    let now = Utc::now().trunc_subsecs(6);
    let plate = Plate::Eu;
    for i in 0..count / 10 {
        let urn = Urn::resource(plate, "vps", &format!("vps-{i}.example.net")).to_string();
        store.upsert_resource(&resource(nic, &urn, now)).await?;
    }
    for i in 0..count {
        store.create_policy(&policy(plate, nic, i, now)).await?;
    }
    let token = bench_user(&state, nic, now).await?;
    println!("{}", serde_json::json!({"policies": count, "token": token}));
    Ok(())
}

/// Policy `i`: user `u{i % USERS}` on one VPS (or, every 7th, on all of them with an
/// except), a few actions; every 13th denies instead.
fn policy(plate: Plate, nic: &str, i: usize, now: chrono::DateTime<Utc>) -> Policy {
    let user = if i.is_multiple_of(USERS) {
        "bench".to_owned()
    } else {
        format!("u{}", i % USERS)
    };
    let resource = if i.is_multiple_of(7) {
        "urn:v1:eu:resource:vps:*".to_owned()
    } else {
        Urn::resource(plate, "vps", &format!("vps-{}.example.net", i / 10)).to_string()
    };
    let actions: Vec<ActionRef> = (0..3)
        .map(|k| ActionRef::new(ACTIONS[(i + k) % ACTIONS.len()]))
        .collect();
    let permissions = if i.is_multiple_of(13) {
        Permissions {
            deny: actions,
            ..Permissions::default()
        }
    } else if i.is_multiple_of(7) {
        Permissions {
            allow: vec![ActionRef::new("vps:apiovh:*")],
            except: actions,
            ..Permissions::default()
        }
    } else {
        Permissions {
            allow: actions,
            ..Permissions::default()
        }
    };
    Policy {
        id: Uuid::new_v4(),
        name: format!("bench-{i}"),
        description: None,
        identities: vec![Urn::user(plate, nic, &user).to_string()],
        resources: vec![ResourceRef { urn: resource }],
        permissions,
        permissions_groups: Vec::new(),
        conditions: None,
        expired_at: None,
        read_only: false,
        owner: nic.to_owned(),
        created_at: now,
        updated_at: None,
    }
}

fn resource(nic: &str, urn: &str, now: chrono::DateTime<Utc>) -> Resource {
    let name = urn.rsplit(':').next().unwrap_or_default().to_owned();
    Resource {
        id: Uuid::new_v4(),
        urn: urn.to_owned(),
        account: nic.to_owned(),
        name: name.clone(),
        display_name: name,
        resource_type: "vps".to_owned(),
        tags: BTreeMap::from([("env".to_owned(), "prod".to_owned())]),
        created_at: now,
        updated_at: now,
    }
}

/// User `bench` (in group `bench`, role `NONE`) and a personal access token acting as it.
async fn bench_user(
    state: &iamd::state::AppState,
    nic: &str,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<String> {
    let group = Group {
        account: nic.to_owned(),
        name: "bench".to_owned(),
        description: None,
        role: Role::None,
        default_group: false,
        created_at: now,
        updated_at: now,
    };
    state.store.create_group(&group).await?;
    let user = User {
        id: uuid::Uuid::new_v4(),
        account: nic.to_owned(),
        login: "bench".to_owned(),
        email: None,
        description: "benchmark user".to_owned(),
        group: "bench".to_owned(),
        status: UserStatus::Ok,
        user_type: "USER".to_owned(),
        password_hash: state.passwords.hash(&iamd::token::secret::generate()?)?,
        created_at: now,
        updated_at: now,
        password_updated_at: None,
    };
    state.store.create_user(&user).await?;
    let token = iamd::token::secret::generate()?;
    let record = AccessTokenRecord {
        id: Uuid::new_v4(),
        account: nic.to_owned(),
        user: Some("bench".to_owned()),
        name: "bench".to_owned(),
        description: "benchmark".to_owned(),
        token_hash: state.secrets.hash(&token),
        created_at: now,
        expires_at: None,
        last_used: None,
    };
    state.store.create_token(&record).await?;
    Ok(token)
}
