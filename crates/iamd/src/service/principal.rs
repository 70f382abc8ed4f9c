//! The principal: who a caller is, as the set of identity URNs it acts as (DESIGN.md §3).

use std::net::IpAddr;

use iam_core::AccountId;

use crate::service::error::ServiceError;
use iam_core::urn::{Plate, Urn};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalKind {
    /// The account root (its root password, root token, or a personal token of no user).
    Root,
    /// A user of the account, acting also as its group.
    User { login: String, group: String },
    /// A service account (OAuth2 client).
    ServiceAccount { client_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account: AccountId,
    pub plate: Plate,
    /// Every identity URN the caller acts as, the most specific first.
    pub identities: Vec<String>,
    pub kind: PrincipalKind,
}

/// An account name read back from the store or from a token iamd signed: it was checked
/// when it was written, so a malformed one is iamd's own fault, never the caller's.
pub fn stored_account(text: &str) -> Result<AccountId, ServiceError> {
    AccountId::parse(text).map_err(|e| ServiceError::Internal(format!("stored {e}")))
}

impl Principal {
    /// The root of account `nic`: it acts as the account identity alone.
    pub fn root(plate: Plate, nic: &AccountId) -> Principal {
        Principal {
            account: nic.clone(),
            plate,
            identities: vec![Urn::account(plate, nic).to_string()],
            kind: PrincipalKind::Root,
        }
    }

    /// The caller's own identity URN (for audit lines and `/auth/details`).
    pub fn identity(&self) -> &str {
        self.identities.first().map_or("", String::as_str)
    }
}

/// A principal making a call now, from an address: what every use case that changes
/// something, or can be refused, needs to know for its audit line.
#[derive(Debug, Clone)]
pub struct Actor {
    pub principal: Principal,
    pub ip: Option<IpAddr>,
}
