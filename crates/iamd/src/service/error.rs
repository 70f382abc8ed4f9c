//! The errors of use cases, independent of HTTP. `http/error.rs` alone turns them into
//! statuses and bodies.

use iam_store::StoreError;

use crate::token::password::PasswordError;
use crate::token::secret::RandomError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Bad input. `code` refines the class (`INVALID_RESOURCE_URN` → `Client::BadRequest::INVALID_RESOURCE_URN`).
    #[error("{message}")]
    Invalid {
        code: Option<&'static str>,
        message: String,
    },
    /// No credentials, or credentials that do not identify anyone.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller's policies do not grant these actions.
    #[error("this call has not been granted")]
    NotGranted { actions: Vec<String> },
    /// The rule forbids it whoever asks (a read-only object, a default group).
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} does not exist")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// Something broke inside; the text goes to the log, never to the client.
    #[error("internal error: {0}")]
    Internal(String),
    /// A dependency (the store) cannot be reached; safe to retry.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The server is at its bound for this kind of work (password verifications); refused at
    /// once rather than queued. Safe to retry in a moment.
    #[error("busy: {0}")]
    Busy(String),
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

impl ServiceError {
    pub fn invalid(message: impl Into<String>) -> Self {
        ServiceError::Invalid {
            code: None,
            message: message.into(),
        }
    }

    pub fn invalid_code(code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Invalid {
            code: Some(code),
            message: message.into(),
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ServiceError::NotFound(what.to_owned()),
            StoreError::Conflict(message) => ServiceError::Conflict(message),
            StoreError::Unavailable(message) => ServiceError::Unavailable(message),
            StoreError::Invalid(message) => ServiceError::Internal(message),
        }
    }
}

impl From<RandomError> for ServiceError {
    fn from(e: RandomError) -> Self {
        ServiceError::Internal(e.to_string())
    }
}

impl From<PasswordError> for ServiceError {
    fn from(e: PasswordError) -> Self {
        match e {
            PasswordError::Length | PasswordError::TooSimple => {
                ServiceError::invalid_code("INVALID_PASSWORD", e.to_string())
            }
            PasswordError::Busy => ServiceError::Busy(e.to_string()),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

impl From<crate::token::keyring::KeyRingError> for ServiceError {
    fn from(e: crate::token::keyring::KeyRingError) -> Self {
        match e {
            crate::token::keyring::KeyRingError::Store(e) => e.into(),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

/// A rejected input from iam-core: its code refines the class
/// (`Client::BadRequest::INVALID_RESOURCE_URN`) and its text names the field.
impl From<iam_core::ValidationError> for ServiceError {
    fn from(e: iam_core::ValidationError) -> Self {
        ServiceError::Invalid {
            code: Some(e.code()),
            message: e.to_string(),
        }
    }
}
