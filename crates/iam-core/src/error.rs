//! Validation errors: what was wrong, where in the input (a JSON-path-like field such as
//! `resources[0].urn`), and a stable code the HTTP layer surfaces as the class
//! `Client::BadRequest::<CODE>`. This module owns no parsing and imports nothing of the crate.

use std::fmt;

/// The stable, machine-readable reason of a [`ValidationError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A URN whose family is not known from context (e.g. `Urn::from_str`).
    InvalidUrn,
    InvalidIdentityUrn,
    InvalidResourceUrn,
    InvalidPermissionsGroupUrn,
    InvalidAction,
    InvalidCondition,
    InvalidName,
    InvalidDescription,
    /// The permissions grant or deny nothing at all.
    InvalidPermissions,
    /// A required list is empty.
    MissingField,
    /// A list is longer than its documented limit.
    TooManyItems,
    /// The text is not JSON of the expected shape.
    InvalidBody,
}

impl ErrorCode {
    /// The code as the API spells it, e.g. `INVALID_RESOURCE_URN`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidUrn => "INVALID_URN",
            ErrorCode::InvalidIdentityUrn => "INVALID_IDENTITY_URN",
            ErrorCode::InvalidResourceUrn => "INVALID_RESOURCE_URN",
            ErrorCode::InvalidPermissionsGroupUrn => "INVALID_PERMISSIONS_GROUP_URN",
            ErrorCode::InvalidAction => "INVALID_ACTION",
            ErrorCode::InvalidCondition => "INVALID_CONDITION",
            ErrorCode::InvalidName => "INVALID_NAME",
            ErrorCode::InvalidDescription => "INVALID_DESCRIPTION",
            ErrorCode::InvalidPermissions => "INVALID_PERMISSIONS",
            ErrorCode::MissingField => "MISSING_FIELD",
            ErrorCode::TooManyItems => "TOO_MANY_ITEMS",
            ErrorCode::InvalidBody => "INVALID_BODY",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejected input: the field it concerns, a code and a sentence for people.
///
/// Displayed as `field "resources[0].urn": <message>`; the message names the expected shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field \"{field}\": {message}")]
pub struct ValidationError {
    field: String,
    code: ErrorCode,
    message: String,
}

/// The result of validating or parsing input.
pub type Result<T, E = ValidationError> = std::result::Result<T, E>;

impl ValidationError {
    pub fn new(field: impl Into<String>, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    /// The JSON-path-like location, e.g. `permissions.allow[1].action`.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The stable code, e.g. `INVALID_ACTION`.
    pub fn code(&self) -> &'static str {
        self.code.as_str()
    }

    pub fn error_code(&self) -> ErrorCode {
        self.code
    }

    /// The human sentence, without the field.
    pub fn message(&self) -> &str {
        &self.message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_field_and_message() {
        let e = ValidationError::new("resources[0].urn", ErrorCode::InvalidResourceUrn, "bad");
        assert_eq!(e.to_string(), "field \"resources[0].urn\": bad");
        assert_eq!(e.code(), "INVALID_RESOURCE_URN");
    }
}
