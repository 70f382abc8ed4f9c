//! Accounts (tenants): creation with everything an account starts with, listing, and the
//! rotation of the root's credentials.

use chrono::{DateTime, SubsecRound, Utc};
use iam_core::AccountId;
use iam_core::role::Role;
use iam_core::system;
use iam_core::urn::{Plate, Urn};
use iam_store::{AccessTokenRecord, Account, Group, NewAccount, Resource, ResourceGroup, Store};
use serde::Serialize;
use uuid::Uuid;

use crate::service::error::{Result, ServiceError};
use crate::token::password::{self, PasswordHashing};
use crate::token::secret::{self, SecretHasher};

/// What `iamd account create` prints: the only time the password and token are shown.
#[derive(Debug, Serialize)]
pub struct CreatedAccount {
    pub account: String,
    pub urn: String,
    pub password: String,
    pub token: String,
}

/// The default groups of every account and their roles.
pub const DEFAULT_GROUPS: [(&str, Role, &str); 3] = [
    (
        "ADMIN",
        Role::Admin,
        "Administrators: act as the account root",
    ),
    (
        "DEFAULT",
        Role::Regular,
        "Regular users: everything but identity and policy management",
    ),
    ("UNPRIVILEGED", Role::Unprivileged, "Read-only users"),
];

/// Name of the read-only resource group that holds every resource of the account.
pub const DEFAULT_RESOURCE_GROUP_NAME: &str = "ovh-default";

/// A NIC handle (`iam_core::AccountId`'s rule): lower-case letters, digits and hyphens, 3 to
/// 64 characters, starting with a letter (`xx1111-ovh`).
pub fn validate_nic(nic: &str) -> Result<()> {
    AccountId::parse(nic)
        .map(drop)
        .map_err(|e| ServiceError::invalid_code("INVALID_ACCOUNT", e.to_string()))
}

/// An account a request or a command names (a path, `--nic`): a malformed name names no
/// account, so it is answered as an unknown one is.
pub fn named(nic: &str) -> Result<AccountId> {
    AccountId::parse(nic).map_err(|_| ServiceError::NotFound(format!("account {nic}")))
}

pub async fn create(
    store: &dyn Store,
    secrets: &SecretHasher,
    passwords: &PasswordHashing,
    nic: &str,
    plate: Plate,
    now: DateTime<Utc>,
) -> Result<CreatedAccount> {
    validate_nic(nic)?;
    let now = now.trunc_subsecs(6);
    let password = password::generate()?;
    let token = secret::generate()?;
    let new = seed(
        nic,
        plate,
        passwords.hash(&password)?,
        secrets.hash(&token),
        now,
    );
    store.create_account(&new).await.map_err(|e| match e {
        iam_store::StoreError::Conflict(_) => {
            ServiceError::Conflict(format!("account {nic} already exists"))
        }
        other => other.into(),
    })?;
    Ok(CreatedAccount {
        account: nic.to_owned(),
        urn: Urn::account(plate, nic).to_string(),
        password,
        token,
    })
}

/// Replaces the root's password and root token with new ones, shown only in the answer. The
/// store swaps them in one transaction with every other personal token of the root (one
/// minted with a leaked root token goes too) and announces it, so every node refuses the old
/// ones at once; the root's console sessions, bound to its password, end with it.
// An operator command (`iamd provider …`, `iamd account …`), not an identity's change: it
// writes the store directly, outside the write path and its audit lines.
#[allow(clippy::disallowed_methods)]
pub async fn rotate_root(
    store: &dyn Store,
    secrets: &SecretHasher,
    passwords: &PasswordHashing,
    nic: &str,
    now: DateTime<Utc>,
) -> Result<CreatedAccount> {
    validate_nic(nic)?;
    let account = store.get_account(nic).await.map_err(|e| match e {
        iam_store::StoreError::NotFound(_) => {
            ServiceError::NotFound(format!("account {nic} does not exist"))
        }
        other => other.into(),
    })?;
    let plate = Plate::parse(&account.plate)
        .ok_or_else(|| ServiceError::Internal("stored plate".into()))?;
    let password = password::generate()?;
    let token = secret::generate()?;
    let root_token = root_token(
        nic,
        "Root token made when the root's credentials were rotated",
        secrets.hash(&token),
        now.trunc_subsecs(6),
    );
    store
        .rotate_root(nic, &passwords.hash(&password)?, &root_token)
        .await?;
    Ok(CreatedAccount {
        account: nic.to_owned(),
        urn: Urn::account(plate, nic).to_string(),
        password,
        token,
    })
}

/// The root token of `nic`, by its keyed hash.
fn root_token(
    nic: &str,
    description: &str,
    token_hash: Vec<u8>,
    now: DateTime<Utc>,
) -> AccessTokenRecord {
    AccessTokenRecord {
        id: Uuid::new_v4(),
        account: nic.to_owned(),
        user: None,
        name: "root".to_owned(),
        description: description.to_owned(),
        token_hash,
        created_at: now,
        expires_at: None,
        last_used: None,
    }
}

/// Everything a new account starts with (DESIGN.md §3, §8).
fn seed(
    nic: &str,
    plate: Plate,
    password_hash: String,
    token_hash: Vec<u8>,
    now: DateTime<Utc>,
) -> NewAccount {
    let resource = Resource {
        id: Uuid::new_v4(),
        urn: Urn::resource(plate, "account", nic).to_string(),
        account: nic.to_owned(),
        name: nic.to_owned(),
        display_name: nic.to_owned(),
        resource_type: "account".to_owned(),
        tags: Default::default(),
        created_at: now,
        updated_at: now,
    };
    let group_id = Uuid::new_v4();
    let default_resource_group = ResourceGroup {
        id: group_id,
        urn: Urn::resource_group(plate, group_id).to_string(),
        account: nic.to_owned(),
        name: DEFAULT_RESOURCE_GROUP_NAME.to_owned(),
        read_only: true,
        members: vec![resource.id],
        created_at: now,
        // Equal to `created_at` until the first change (seed 004's example).
        updated_at: Some(now),
    };
    let mut default_policy = system::default_policy(plate, nic, group_id, Uuid::new_v4(), now);
    default_policy.description =
        Some("Gives the account root every action on every resource of the account".to_owned());
    NewAccount {
        account: Account {
            nic: nic.to_owned(),
            plate: plate.as_str().to_owned(),
            root_password_hash: password_hash,
            created_at: now,
            revision: 0,
        },
        default_groups: DEFAULT_GROUPS
            .iter()
            .map(|(name, role, description)| Group {
                account: nic.to_owned(),
                name: (*name).to_owned(),
                description: Some((*description).to_owned()),
                role: *role,
                default_group: true,
                created_at: now,
                updated_at: now,
            })
            .collect(),
        account_resource: resource,
        default_resource_group,
        default_policy,
        root_token: root_token(nic, "Root token created with the account", token_hash, now),
    }
}

pub async fn list(store: &dyn Store) -> Result<Vec<Account>> {
    Ok(store.list_accounts().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nic_rules() {
        for ok in ["xx1111-ovh", "abc", "acme-42"] {
            assert!(validate_nic(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "ab",
            "XX1111-OVH",
            "1abc",
            "a/b",
            "a:b",
            "abc-",
            "a*c",
            &"a".repeat(65),
        ] {
            assert!(validate_nic(bad).is_err(), "{bad}");
        }
    }
}
