//! Validation of policies and permissions groups as clients send them, with the limits.
//! Every error names its field as a JSON path (`identities[2]`, `resources[0].urn`,
//! `permissions.allow[1].action`, `conditions.conditions[0].values["request.IP"]`).
//!
//! | rule | limit |
//! |---|---|
//! | policy name | 1–[`MAX_NAME_LEN`] characters, no whitespace or control characters; the prefix `ovh-` (any case) is reserved for system policies |
//! | description | at most [`MAX_DESCRIPTION_LEN`] characters |
//! | identities, resources | 1–[`MAX_IDENTITIES`] and 1–[`MAX_RESOURCES`] URNs or URN patterns |
//! | `allow`, `except`, `deny` | at most [`MAX_ACTIONS`] actions each, each at most [`crate::action::MAX_ACTION_LEN`] bytes |
//! | permissions groups | at most [`MAX_PERMISSIONS_GROUPS`] per policy |
//! | URNs | at most [`crate::urn::MAX_URN_LEN`] bytes |
//! | conditions | see `condition.rs` (depth, nodes, values) |
//! | permissions-group name | `[A-Za-z0-9._-]{1,64}` (it is part of the group's URN) |
//!
//! A policy must allow or deny something: a non-empty `allow` or `deny`, or a permissions group.

use uuid::Uuid;

use crate::compiled::{CompiledPolicy, PermissionSet, PolicyParts};
pub use crate::compiled::{MAX_ACTIONS, MAX_IDENTITIES, MAX_PERMISSIONS_GROUPS, MAX_RESOURCES};
use crate::error::{ErrorCode, ValidationError};
use crate::policy::{PermissionsGroup, PermissionsGroupInput, Policy, PolicyInput};
use crate::urn::{Urn, UrnFamily};

/// The longest policy name, in characters.
pub const MAX_NAME_LEN: usize = 128;
/// The longest description, in characters.
pub const MAX_DESCRIPTION_LEN: usize = 1024;
/// Names with this prefix are reserved to the system (`ovh-default`, `ovh-role-ADMIN`).
pub const RESERVED_PREFIX: &str = "ovh-";

/// Who is naming a policy: a client (reserved names refused) or the server itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRules {
    User,
    System,
}

/// Checks a policy name.
pub fn validate_policy_name(name: &str, rules: NameRules) -> Result<(), ValidationError> {
    let err = |m: String| Err(ValidationError::new("name", ErrorCode::InvalidName, m));
    let len = name.chars().count();
    if len == 0 || len > MAX_NAME_LEN {
        return err(format!("the name must have 1 to {MAX_NAME_LEN} characters"));
    }
    if let Some(c) = name.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return err(format!(
            "the name contains {c:?}; spaces and control characters are not allowed"
        ));
    }
    let reserved = name
        .get(..RESERVED_PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(RESERVED_PREFIX));
    if reserved && rules == NameRules::User {
        return err(format!(
            "names starting with {RESERVED_PREFIX:?} are reserved for system policies"
        ));
    }
    Ok(())
}

fn validate_description(description: Option<&str>) -> Result<(), ValidationError> {
    match description {
        Some(d) if d.chars().count() > MAX_DESCRIPTION_LEN => Err(ValidationError::new(
            "description",
            ErrorCode::InvalidDescription,
            format!("the description is longer than {MAX_DESCRIPTION_LEN} characters"),
        )),
        _ => Ok(()),
    }
}

impl PolicyInput {
    /// Validates a client's policy (`ovh-` names refused).
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.compile(NameRules::User).map(drop)
    }

    /// Validates a policy the server itself creates (reserved names allowed).
    pub fn validate_as_system(&self) -> Result<(), ValidationError> {
        self.compile(NameRules::System).map(drop)
    }

    /// Validates and compiles, for a policy that will get `Uuid::nil()` until stored.
    pub fn compile(&self, rules: NameRules) -> Result<CompiledPolicy, ValidationError> {
        validate_policy_name(&self.name, rules)?;
        validate_description(self.description.as_deref())?;
        CompiledPolicy::compile(PolicyParts {
            id: Uuid::nil(),
            name: &self.name,
            identities: &self.identities,
            resources: &self.resources,
            permissions: &self.permissions,
            permissions_groups: &self.permissions_groups,
            conditions: self.conditions.as_ref(),
            expired_at: self.expired_at,
        })
    }

    /// Parses a request body and validates it as a client's policy.
    pub fn from_json(text: &str) -> Result<PolicyInput, ValidationError> {
        let input: PolicyInput = serde_json::from_str(text).map_err(body_error)?;
        input.validate()?;
        Ok(input)
    }
}

impl Policy {
    /// Validates a stored policy (reserved names allowed: it may be a system one).
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.compile().map(drop)
    }

    pub fn compile(&self) -> Result<CompiledPolicy, ValidationError> {
        validate_policy_name(&self.name, NameRules::System)?;
        validate_description(self.description.as_deref())?;
        CompiledPolicy::compile(self.parts())
    }

    pub fn parts(&self) -> PolicyParts<'_> {
        PolicyParts {
            id: self.id,
            name: &self.name,
            identities: &self.identities,
            resources: &self.resources,
            permissions: &self.permissions,
            permissions_groups: &self.permissions_groups,
            conditions: self.conditions.as_ref(),
            expired_at: self.expired_at,
        }
    }
}

fn validate_group_name(name: &str) -> Result<(), ValidationError> {
    if crate::urn::is_valid_permissions_group_name(name) {
        return Ok(());
    }
    let message = format!(
        "{name:?} is not a permissions-group name; expected 1 to 64 of letters, digits, '.', '_' and '-'"
    );
    Err(ValidationError::new(
        "name",
        ErrorCode::InvalidName,
        message,
    ))
}

fn compile_group_permissions(
    p: &crate::policy::Permissions,
) -> Result<PermissionSet, ValidationError> {
    let set = PermissionSet::compile(p, "permissions")?;
    if set.is_empty() {
        let message = "the group neither allows nor denies anything: give permissions.allow or permissions.deny";
        return Err(ValidationError::new(
            "permissions",
            ErrorCode::InvalidPermissions,
            message,
        ));
    }
    Ok(set)
}

impl PermissionsGroupInput {
    pub fn validate(&self) -> Result<(), ValidationError> {
        validate_group_name(&self.name)?;
        validate_description(Some(&self.description))?;
        compile_group_permissions(&self.permissions).map(drop)
    }

    /// Parses a request body and validates it.
    pub fn from_json(text: &str) -> Result<PermissionsGroupInput, ValidationError> {
        let input: PermissionsGroupInput = serde_json::from_str(text).map_err(body_error)?;
        input.validate()?;
        Ok(input)
    }
}

impl PermissionsGroup {
    /// Validates a stored group, its URN included.
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.compile().map(drop)
    }

    pub(crate) fn compile(&self) -> Result<PermissionSet, ValidationError> {
        Urn::parse_as(&self.urn, UrnFamily::PermissionsGroup).map_err(|e| e.at("urn"))?;
        validate_group_name(&self.name)?;
        validate_description(Some(&self.description))?;
        compile_group_permissions(&self.permissions)
    }
}

fn body_error(e: serde_json::Error) -> ValidationError {
    ValidationError::new(
        "",
        ErrorCode::InvalidBody,
        format!("the body is not a valid JSON object of the expected shape: {e}"),
    )
}

#[cfg(test)]
mod tests;
