//! Resource-provider credentials: created by an operator (`iamd provider create`), each
//! owning some resource types; the secret is shown once and kept as a keyed hash, like
//! personal access tokens (DESIGN.md §5). A provider calls the provider API with
//! `Authorization: Bearer <secret>`.

use chrono::{DateTime, SubsecRound, Utc};
use iam_store::{ResourceProvider, Store, StoreError};
use serde::Serialize;
use uuid::Uuid;

use crate::service::error::{Result, ServiceError};
use crate::token::secret::{self, SecretHasher};

/// iamd registers `account` resources itself; no provider may own that type.
pub const RESERVED_TYPE: &str = "account";

/// What `iamd provider create` prints: the only time the secret is shown.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedProvider {
    pub id: Uuid,
    pub name: String,
    pub resource_types: Vec<String>,
    pub secret: String,
}

/// A provider as listed (no secret, no hash).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderView {
    pub id: Uuid,
    pub name: String,
    pub resource_types: Vec<String>,
    pub created_at: DateTime<Utc>,
}

fn validate(name: &str, types: &[String]) -> Result<()> {
    let name_ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !name_ok {
        return Err(ServiceError::invalid_code(
            "INVALID_NAME",
            format!("provider name {name:?} must be 1 to 64 letters, digits, '.', '_' or '-'"),
        ));
    }
    if types.is_empty() {
        return Err(ServiceError::invalid(
            "a provider owns at least one resource type",
        ));
    }
    for (i, t) in types.iter().enumerate() {
        if !iam_core::urn::is_valid_resource_type(t) {
            return Err(ServiceError::invalid_code(
                "INVALID_RESOURCE_TYPE",
                format!(
                    "{t:?} is not a resource type: expected a letter then letters or digits, at most 64"
                ),
            ));
        }
        if t == RESERVED_TYPE {
            return Err(ServiceError::invalid_code(
                "INVALID_RESOURCE_TYPE",
                "the account type is iamd's own: no provider may own it",
            ));
        }
        if types[..i].contains(t) {
            return Err(ServiceError::invalid(format!(
                "resource type {t} is listed twice"
            )));
        }
    }
    Ok(())
}

// An operator command (`iamd provider …`, `iamd account …`), not an identity's change: it
// writes the store directly, outside the write path and its audit lines.
#[allow(clippy::disallowed_methods)]
pub async fn create(
    store: &dyn Store,
    secrets: &SecretHasher,
    name: &str,
    resource_types: Vec<String>,
    now: DateTime<Utc>,
) -> Result<CreatedProvider> {
    validate(name, &resource_types)?;
    let secret = secret::generate()?;
    let provider = ResourceProvider {
        id: Uuid::new_v4(),
        name: name.to_owned(),
        resource_types,
        secret_hash: secrets.hash(&secret),
        created_at: now.trunc_subsecs(6),
    };
    store
        .create_provider(&provider)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(message) => ServiceError::Conflict(message),
            other => other.into(),
        })?;
    Ok(CreatedProvider {
        id: provider.id,
        name: provider.name,
        resource_types: provider.resource_types,
        secret,
    })
}

pub async fn list(store: &dyn Store) -> Result<Vec<ProviderView>> {
    let providers = store.list_providers().await?;
    Ok(providers
        .into_iter()
        .map(|p| ProviderView {
            id: p.id,
            name: p.name,
            resource_types: p.resource_types,
            created_at: p.created_at,
        })
        .collect())
}

// An operator command (`iamd provider …`, `iamd account …`), not an identity's change: it
// writes the store directly, outside the write path and its audit lines.
#[allow(clippy::disallowed_methods)]
pub async fn delete(store: &dyn Store, name: &str) -> Result<()> {
    store.delete_provider(name).await.map_err(|e| match e {
        StoreError::NotFound(_) => ServiceError::NotFound(format!("provider {name}")),
        other => other.into(),
    })
}

/// The provider whose secret is `bearer`, or 401.
pub async fn authenticate(
    store: &dyn Store,
    secrets: &SecretHasher,
    header: Option<&str>,
) -> Result<ResourceProvider> {
    let unauthenticated =
        || ServiceError::Unauthenticated("expected Authorization: Bearer <provider secret>".into());
    let token = header
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(unauthenticated)?;
    let found = store.find_provider_by_hash(&secrets.hash(token)).await?;
    found.ok_or_else(|| ServiceError::Unauthenticated("invalid provider credentials".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn names_and_types_are_checked() {
        assert!(validate("vps-api", &types(&["vps"])).is_ok());
        assert!(validate("", &types(&["vps"])).is_err());
        assert!(validate("has space", &types(&["vps"])).is_err());
        assert!(validate("p", &[]).is_err());
        assert!(validate("p", &types(&["account"])).is_err());
        assert!(validate("p", &types(&["vps", "vps"])).is_err());
        assert!(validate("p", &types(&["1vps"])).is_err());
    }
}
