//! The rows the store keeps, as plain Rust values. Both adapters read and write exactly
//! these; wire enums are stored by their wire names.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use iam_core::catalog::Category;
use iam_core::policy::Policy;
use iam_core::role::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A tenant, named by its NIC handle (`xx1111-ovh`), living on one plate.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub nic: String,
    pub plate: String,
    /// Argon2id PHC string of the root password.
    pub root_password_hash: String,
    pub created_at: DateTime<Utc>,
    /// Bumped by every change that can alter an authorization decision in the account
    /// (policies, groups, users' groups, resources, resource groups, permissions groups),
    /// in the same transaction as that change.
    pub revision: i64,
}

/// Everything a new account starts with, written in one transaction.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub account: Account,
    /// `ADMIN`, `DEFAULT`, `UNPRIVILEGED`.
    pub default_groups: Vec<Group>,
    /// The account's own `account` resource.
    pub account_resource: Resource,
    /// The read-only group holding every resource of the account.
    pub default_resource_group: ResourceGroup,
    /// The read-only `ovh-default` policy.
    pub default_policy: Policy,
    /// The root personal access token (its hash only).
    pub root_token: AccessTokenRecord,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    Ok,
    Disabled,
    PasswordChangeRequired,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Ok => "OK",
            UserStatus::Disabled => "DISABLED",
            UserStatus::PasswordChangeRequired => "PASSWORD_CHANGE_REQUIRED",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Ok, Self::Disabled, Self::PasswordChangeRequired]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Immutable and never reused: what a console session is bound to (a login can be
    /// deleted and created again; the new user has another id).
    pub id: Uuid,
    pub account: String,
    pub login: String,
    pub email: Option<String>,
    pub description: String,
    pub group: String,
    pub status: UserStatus,
    /// `ROOT`, `SERVICE` or `USER`.
    pub user_type: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub password_updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub account: String,
    pub name: String,
    pub description: Option<String>,
    pub role: Role,
    pub default_group: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An OAuth2 client (service account). The secret is kept only as a keyed hash.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthClient {
    pub client_id: String,
    pub account: String,
    pub name: String,
    pub description: String,
    pub flow: ClientFlow,
    pub callback_urls: Vec<String>,
    pub secret_hash: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How a client obtains tokens (`oauth2.ClientFlowEnum`), fixed at creation. Stored, and
/// sent on the wire, by its name (`CLIENT_CREDENTIALS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ClientFlow {
    AuthorizationCode,
    ClientCredentials,
}

impl ClientFlow {
    pub const ALL: [ClientFlow; 2] = [ClientFlow::AuthorizationCode, ClientFlow::ClientCredentials];

    pub fn as_str(self) -> &'static str {
        match self {
            ClientFlow::AuthorizationCode => "AUTHORIZATION_CODE",
            ClientFlow::ClientCredentials => "CLIENT_CREDENTIALS",
        }
    }

    pub fn parse(s: &str) -> Option<ClientFlow> {
        ClientFlow::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// A personal access token of a user, or the account root's token when `user` is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessTokenRecord {
    pub id: Uuid,
    pub account: String,
    pub user: Option<String>,
    pub name: String,
    pub description: String,
    /// HMAC-SHA-256 of the token value with the server's pepper.
    pub token_hash: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub id: Uuid,
    pub urn: String,
    pub account: String,
    pub name: String,
    pub display_name: String,
    pub resource_type: String,
    pub tags: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceGroup {
    pub id: Uuid,
    pub urn: String,
    pub account: String,
    pub name: String,
    pub read_only: bool,
    /// Member resource ids.
    pub members: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A resource provider: a product that registers the resources of the types it owns (in
/// any account) and declares those types' actions. Its secret is kept only as a keyed hash.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceProvider {
    pub id: Uuid,
    pub name: String,
    /// The resource types it owns, in the order given; a type has one owner at most.
    pub resource_types: Vec<String>,
    pub secret_hash: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

/// An action a provider declared for one of its resource types.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredAction {
    pub action: String,
    pub resource_type: String,
    pub description: String,
    pub categories: Vec<Category>,
}

/// A JWT signing key, its private half encrypted with the master key.
#[derive(Debug, Clone, PartialEq)]
pub struct SigningKey {
    /// RFC 7638 JWK thumbprint.
    pub kid: String,
    pub algorithm: KeyAlgorithm,
    pub usage: KeyUsage,
    pub private_key_encrypted: Vec<u8>,
    /// The public JWK as JSON.
    pub public_jwk: serde_json::Value,
    pub created_at: DateTime<Utc>,
    /// Set when a newer key took over; the key still verifies until `expires_at`.
    pub retired_at: Option<DateTime<Utc>>,
    /// After this instant no token it signed can still be valid: it may be purged.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Signature algorithms of signing keys (RFC 7518 §3.1 names; RFC 8037 for EdDSA),
/// stored by those names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    EdDSA,
    ES256,
    RS256,
}

impl KeyAlgorithm {
    pub const ALL: [KeyAlgorithm; 3] = [
        KeyAlgorithm::EdDSA,
        KeyAlgorithm::ES256,
        KeyAlgorithm::RS256,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlgorithm::EdDSA => "EdDSA",
            KeyAlgorithm::ES256 => "ES256",
            KeyAlgorithm::RS256 => "RS256",
        }
    }

    pub fn parse(s: &str) -> Option<KeyAlgorithm> {
        KeyAlgorithm::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a signing key signs, stored as `access_token` or `id_token`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyUsage {
    AccessToken,
    IdToken,
}

impl KeyUsage {
    pub const ALL: [KeyUsage; 2] = [KeyUsage::AccessToken, KeyUsage::IdToken];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyUsage::AccessToken => "access_token",
            KeyUsage::IdToken => "id_token",
        }
    }

    pub fn parse(s: &str) -> Option<KeyUsage> {
        KeyUsage::ALL.into_iter().find(|u| u.as_str() == s)
    }
}

impl fmt::Display for KeyUsage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedToken {
    pub jti: String,
    pub account: String,
    pub expires_at: DateTime<Utc>,
}

/// A login-throttle counter: the attempts under one key (a name tried, a client address)
/// that have not succeeded, and when the last of them began.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginCounter {
    pub key: String,
    pub attempts: i64,
    pub last_at: DateTime<Utc>,
}

/// One line of the audit log: a change, or a refused call.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: Uuid,
    pub account: String,
    pub at: DateTime<Utc>,
    /// The identity URN of the caller (`None` when the caller could not be identified).
    pub actor: Option<String>,
    /// The IAM action or event name.
    pub action: String,
    /// What it acted on (a URN, an id, a name).
    pub target: Option<String>,
    /// `success` or `denied`.
    pub outcome: String,
    pub ip: Option<String>,
    pub details: serde_json::Value,
}

/// Which audit entries to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub before: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
    pub limit: u32,
}
