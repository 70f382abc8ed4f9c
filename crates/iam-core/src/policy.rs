//! The policy model in exactly the OVH JSON shape (camelCase, `permissions.allow/except/deny`
//! as `[{"action": …}]`). These are wire and storage types: validation and compilation into
//! the decision index live beside them, never in the store or the HTTP layer.
//! Unknown keys are refused at every level: a misspelled `except` or `deny` must never
//! leave a policy broader than its author meant.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use crate::condition::Condition;

/// A stored policy, as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    pub id: Uuid,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub identities: Vec<String>,
    pub resources: Vec<ResourceRef>,
    pub permissions: Permissions,
    #[serde(default, deserialize_with = "null_as_default")]
    pub permissions_groups: Vec<PermissionsGroupRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<DateTime<Utc>>,
    pub read_only: bool,
    pub owner: String,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// The body of `POST /iam/policy` and `PUT /iam/policy/{id}` (a full replace).
/// `id`, `owner`, `readOnly` and the dates are the server's, so they are not here (the
/// API accepts them back from a GET and ignores them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyInput {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub identities: Vec<String>,
    pub resources: Vec<ResourceRef>,
    pub permissions: Permissions,
    #[serde(default, deserialize_with = "null_as_default")]
    pub permissions_groups: Vec<PermissionsGroupRef>,
    #[serde(default)]
    pub conditions: Option<Condition>,
    #[serde(default)]
    pub expired_at: Option<DateTime<Utc>>,
}

/// `{"urn": …}` naming a resource, a resource group, or a URN pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceRef {
    pub urn: String,
}

/// `{"urn": …}` naming a permissions group from a policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionsGroupRef {
    pub urn: String,
}

/// The three action lists. Each is nullable on the wire; `null` and absent both mean empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    #[serde(default, deserialize_with = "null_as_default")]
    pub allow: Vec<ActionRef>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub except: Vec<ActionRef>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub deny: Vec<ActionRef>,
}

/// `{"action": "vps:apiovh:reboot"}`: one action or action pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRef {
    pub action: String,
}

impl ActionRef {
    pub fn new(action: impl Into<String>) -> Self {
        Self {
            action: action.into(),
        }
    }
}

/// A named, reusable set of permissions, addressed by its URN
/// (`urn:v1:eu:permissionsGroup:<owner>:<name>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionsGroup {
    pub id: Uuid,
    pub urn: String,
    pub name: String,
    pub description: String,
    pub owner: String,
    pub permissions: Permissions,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// The body of `POST /iam/permissionsGroup` and `PUT /iam/permissionsGroup/{urn}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PermissionsGroupInput {
    pub name: String,
    pub description: String,
    pub permissions: Permissions,
}

/// Treats an explicit JSON `null` like an absent field.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
