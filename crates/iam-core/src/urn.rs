//! URNs of the OVH IAM model: parsing, printing and constructors for every kind
//! (`urn:v1:{eu|ca|us}:{identity|resource|resourceGroup|permissionsGroup}:…`).
//! Patterns with `*` live in `pattern.rs`; this module knows only complete URNs.
//!
//! | kind | shape |
//! |---|---|
//! | account | `urn:v1:eu:identity:account:xx1111-ovh` |
//! | user | `urn:v1:eu:identity:user:xx1111-ovh/login` |
//! | group | `urn:v1:eu:identity:group:xx1111-ovh/name` |
//! | credential | `urn:v1:eu:identity:credential:xx1111-ovh/oauth2-<clientId>` |
//! | resource | `urn:v1:eu:resource:<type>:<name>` (the name may contain `:` and `/`) |
//! | resource group | `urn:v1:eu:resourceGroup:<uuid>` |
//! | permissions group | `urn:v1:eu:permissionsGroup:<owner>:<name>` |
//!
//! Character sets: NIC handles, owners and client ids `[A-Za-z0-9._-]{1,64}`; logins and
//! group names 1–128 printable ASCII characters other than `/ : * " \ ? # %`; resource types
//! `[A-Za-z][A-Za-z0-9]{0,63}`; resource names printable ASCII without `*`; permissions-group
//! names `[A-Za-z0-9._-]{1,64}`; a whole URN at most [`MAX_URN_LEN`] bytes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use crate::error::{ErrorCode, ValidationError};

mod parse;

use parse::parse_any;
pub use parse::{is_valid_login, is_valid_permissions_group_name, is_valid_resource_type};

/// The longest URN (or URN pattern) accepted, in bytes.
pub const MAX_URN_LEN: usize = 512;

/// The region an account lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Plate {
    Eu,
    Ca,
    Us,
}

impl Plate {
    pub const ALL: [Plate; 3] = [Plate::Eu, Plate::Ca, Plate::Us];

    pub fn as_str(self) -> &'static str {
        match self {
            Plate::Eu => "eu",
            Plate::Ca => "ca",
            Plate::Us => "us",
        }
    }

    pub fn parse(s: &str) -> Option<Plate> {
        Plate::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl fmt::Display for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Plate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Plate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Plate::parse(&s).ok_or_else(|| serde::de::Error::custom("expected eu, ca or us"))
    }
}

/// Which kinds of URN a field accepts; it picks the error code and the expected shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrnFamily {
    Any,
    Identity,
    /// Resources and resource groups.
    Resource,
    PermissionsGroup,
}

impl UrnFamily {
    pub fn code(self) -> ErrorCode {
        match self {
            UrnFamily::Any => ErrorCode::InvalidUrn,
            UrnFamily::Identity => ErrorCode::InvalidIdentityUrn,
            UrnFamily::Resource => ErrorCode::InvalidResourceUrn,
            UrnFamily::PermissionsGroup => ErrorCode::InvalidPermissionsGroupUrn,
        }
    }

    pub(crate) fn expected(self) -> &'static str {
        match self {
            UrnFamily::Any => {
                "urn:v1:(eu|ca|us):(identity|resource|resourceGroup|permissionsGroup):…"
            }
            UrnFamily::Identity => {
                "urn:v1:(eu|ca|us):identity:(account:<nic>|user:<nic>/<login>|group:<nic>/<group>|credential:<nic>/oauth2-<clientId>)"
            }
            UrnFamily::Resource => {
                "urn:v1:(eu|ca|us):(resource:<resourceType>:<resourceName>|resourceGroup:<uuid>)"
            }
            UrnFamily::PermissionsGroup => "urn:v1:(eu|ca|us):permissionsGroup:<owner>:<name>",
        }
    }
}

/// A malformed URN or URN pattern. Its message quotes the input, says what is wrong and the
/// expected shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is malformed ({reason}); expected {expected}{}", if *.patterns { ", optionally with * at its start and/or end" } else { "" })]
pub struct UrnError {
    family: UrnFamily,
    input: String,
    reason: String,
    expected: &'static str,
    patterns: bool,
}

impl UrnError {
    pub(crate) fn new(family: UrnFamily, input: &str, reason: impl Into<String>) -> Self {
        Self {
            family,
            input: input.chars().take(100).collect(),
            reason: reason.into(),
            expected: family.expected(),
            patterns: false,
        }
    }

    pub(crate) fn for_patterns(mut self) -> Self {
        self.patterns = true;
        self
    }

    pub fn code(&self) -> &'static str {
        self.family.code().as_str()
    }

    /// Attaches the field the URN came from.
    pub fn at(&self, field: impl Into<String>) -> ValidationError {
        ValidationError::new(field, self.family.code(), self.to_string())
    }
}

/// What a URN names, with its parts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UrnKind {
    Account { nic: String },
    User { nic: String, login: String },
    Group { nic: String, name: String },
    Credential { nic: String, client_id: String },
    Resource { resource_type: String, name: String },
    ResourceGroup { id: Uuid },
    PermissionsGroup { owner: String, name: String },
}

/// A complete, well-formed URN. Prints in canonical form (lowercase UUIDs).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Urn {
    pub plate: Plate,
    pub kind: UrnKind,
}

impl Urn {
    /// The caller vouches for the parts (they come from validated records); untrusted text
    /// goes through [`Urn::parse`].
    pub fn account(plate: Plate, nic: &str) -> Urn {
        Urn::of(plate, UrnKind::Account { nic: nic.into() })
    }

    pub fn user(plate: Plate, nic: &str, login: &str) -> Urn {
        let kind = UrnKind::User {
            nic: nic.into(),
            login: login.into(),
        };
        Urn::of(plate, kind)
    }

    pub fn group(plate: Plate, nic: &str, name: &str) -> Urn {
        Urn::of(
            plate,
            UrnKind::Group {
                nic: nic.into(),
                name: name.into(),
            },
        )
    }

    /// `…:identity:credential:<nic>/oauth2-<client_id>`.
    pub fn credential(plate: Plate, nic: &str, client_id: &str) -> Urn {
        let kind = UrnKind::Credential {
            nic: nic.into(),
            client_id: client_id.into(),
        };
        Urn::of(plate, kind)
    }

    pub fn resource(plate: Plate, resource_type: &str, name: &str) -> Urn {
        let kind = UrnKind::Resource {
            resource_type: resource_type.into(),
            name: name.into(),
        };
        Urn::of(plate, kind)
    }

    pub fn resource_group(plate: Plate, id: Uuid) -> Urn {
        Urn::of(plate, UrnKind::ResourceGroup { id })
    }

    pub fn permissions_group(plate: Plate, owner: &str, name: &str) -> Urn {
        let kind = UrnKind::PermissionsGroup {
            owner: owner.into(),
            name: name.into(),
        };
        Urn::of(plate, kind)
    }

    fn of(plate: Plate, kind: UrnKind) -> Urn {
        Urn { plate, kind }
    }

    /// Parses any kind of URN.
    pub fn parse(s: &str) -> Result<Urn, UrnError> {
        Urn::parse_as(s, UrnFamily::Any)
    }

    /// Parses a URN that must belong to `family` (the error code follows the family).
    pub fn parse_as(s: &str, family: UrnFamily) -> Result<Urn, UrnError> {
        let err = |reason: String| UrnError::new(family, s, reason);
        let urn = parse_any(s).map_err(err)?;
        if family != UrnFamily::Any && urn.family() != family {
            return Err(err(format!(
                "{} URNs are not allowed here",
                urn.kind_name()
            )));
        }
        Ok(urn)
    }

    /// The family this URN belongs to.
    pub fn family(&self) -> UrnFamily {
        match self.kind {
            UrnKind::Account { .. }
            | UrnKind::User { .. }
            | UrnKind::Group { .. }
            | UrnKind::Credential { .. } => UrnFamily::Identity,
            UrnKind::Resource { .. } | UrnKind::ResourceGroup { .. } => UrnFamily::Resource,
            UrnKind::PermissionsGroup { .. } => UrnFamily::PermissionsGroup,
        }
    }

    /// `account`, `user`, `group`, `credential`, `resource`, `resourceGroup`, `permissionsGroup`.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            UrnKind::Account { .. } => "account",
            UrnKind::User { .. } => "user",
            UrnKind::Group { .. } => "group",
            UrnKind::Credential { .. } => "credential",
            UrnKind::Resource { .. } => "resource",
            UrnKind::ResourceGroup { .. } => "resourceGroup",
            UrnKind::PermissionsGroup { .. } => "permissionsGroup",
        }
    }

    /// The NIC handle of the account an identity URN belongs to.
    pub fn account_nic(&self) -> Option<&str> {
        match &self.kind {
            UrnKind::Account { nic }
            | UrnKind::User { nic, .. }
            | UrnKind::Group { nic, .. }
            | UrnKind::Credential { nic, .. } => Some(nic),
            _ => None,
        }
    }
}

impl fmt::Display for Urn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "urn:v1:{}:", self.plate)?;
        match &self.kind {
            UrnKind::Account { nic } => write!(f, "identity:account:{nic}"),
            UrnKind::User { nic, login } => write!(f, "identity:user:{nic}/{login}"),
            UrnKind::Group { nic, name } => write!(f, "identity:group:{nic}/{name}"),
            UrnKind::Credential { nic, client_id } => {
                write!(f, "identity:credential:{nic}/oauth2-{client_id}")
            }
            UrnKind::Resource {
                resource_type,
                name,
            } => write!(f, "resource:{resource_type}:{name}"),
            UrnKind::ResourceGroup { id } => write!(f, "resourceGroup:{}", id.hyphenated()),
            UrnKind::PermissionsGroup { owner, name } => {
                write!(f, "permissionsGroup:{owner}:{name}")
            }
        }
    }
}

impl FromStr for Urn {
    type Err = UrnError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Urn::parse(s)
    }
}

impl Serialize for Urn {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Urn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Urn::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(s: &str) -> Urn {
        let urn = Urn::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(urn.to_string(), s);
        urn
    }

    #[test]
    fn every_kind_round_trips() {
        round_trip("urn:v1:eu:identity:account:xx1111-ovh");
        round_trip("urn:v1:ca:identity:user:xx1111-ovh/user1");
        round_trip("urn:v1:eu:identity:group:xx1111-ovh/admin@mycompany.com");
        round_trip("urn:v1:eu:identity:credential:xx11111-ovh/oauth2-0f0f0f0f0f0f0f0f");
        round_trip("urn:v1:us:resource:vps:vps-5b48d78b.vps.ovh.net");
        round_trip("urn:v1:eu:resource:cdn:cdn-46.105.198.89-12969");
        round_trip("urn:v1:eu:resourceGroup:aa0713ab-ed13-4f1a-89a5-32aa0cb936d8");
        round_trip("urn:v1:eu:permissionsGroup:ovh:globalAdmin");
    }

    #[test]
    fn resource_names_may_contain_colons_and_slashes() {
        let urn = round_trip("urn:v1:eu:resource:dnsZone:a:b/c:d");
        let UrnKind::Resource {
            resource_type,
            name,
        } = urn.kind
        else {
            panic!()
        };
        assert_eq!(
            (resource_type.as_str(), name.as_str()),
            ("dnsZone", "a:b/c:d")
        );
    }

    #[test]
    fn constructors_print_the_documented_shapes() {
        let id = Uuid::parse_str("aa0713ab-ed13-4f1a-89a5-32aa0cb936d8").unwrap_or_default();
        let cases = [
            (
                Urn::account(Plate::Eu, "xx1-ovh"),
                "urn:v1:eu:identity:account:xx1-ovh",
            ),
            (
                Urn::user(Plate::Ca, "xx1-ovh", "bob"),
                "urn:v1:ca:identity:user:xx1-ovh/bob",
            ),
            (
                Urn::group(Plate::Us, "xx1-ovh", "ops"),
                "urn:v1:us:identity:group:xx1-ovh/ops",
            ),
            (
                Urn::credential(Plate::Eu, "xx1-ovh", "EU.590d00c34ddd55c3"),
                "urn:v1:eu:identity:credential:xx1-ovh/oauth2-EU.590d00c34ddd55c3",
            ),
            (
                Urn::resource(Plate::Eu, "vps", "v.ovh.net"),
                "urn:v1:eu:resource:vps:v.ovh.net",
            ),
            (
                Urn::resource_group(Plate::Eu, id),
                "urn:v1:eu:resourceGroup:aa0713ab-ed13-4f1a-89a5-32aa0cb936d8",
            ),
            (
                Urn::permissions_group(Plate::Eu, "ovh", "x"),
                "urn:v1:eu:permissionsGroup:ovh:x",
            ),
        ];
        for (urn, text) in cases {
            assert_eq!(urn.to_string(), text);
            assert_eq!(Urn::parse(text).ok(), Some(urn));
        }
    }

    #[test]
    fn uuids_print_lowercase() {
        let urn = Urn::parse("urn:v1:eu:resourceGroup:AA0713AB-ED13-4F1A-89A5-32AA0CB936D8");
        let text = urn.map(|u| u.to_string()).unwrap_or_default();
        assert_eq!(
            text,
            "urn:v1:eu:resourceGroup:aa0713ab-ed13-4f1a-89a5-32aa0cb936d8"
        );
    }

    #[test]
    fn malformed_urns_say_what_is_wrong() {
        let cases = [
            ("", "start with"),
            ("urn:v2:eu:identity:account:x", "version"),
            ("urn:v1:fr:identity:account:x", "unknown plate \"fr\""),
            ("urn:v1:eu:thing:x", "unknown kind \"thing\""),
            ("urn:v1:eu:identity:robot:x", "unknown identity type"),
            ("urn:v1:eu:identity:account:", "nic is empty"),
            ("urn:v1:eu:identity:user:xx1-ovh", "nic is missing"),
            ("urn:v1:eu:identity:user:xx1-ovh/", "login is empty"),
            ("urn:v1:eu:identity:credential:xx1-ovh/abc", "oauth2-"),
            ("urn:v1:eu:resource:vps", "resource type is missing"),
            ("urn:v1:eu:resource:vps:", "resource name is empty"),
            ("urn:v1:eu:resource:9ps:x", "must start with a letter"),
            ("urn:v1:eu:resource:vps:a*b", "'*'"),
            ("urn:v1:eu:resourceGroup:1234", "not a hyphenated UUID"),
            ("urn:v1:eu:permissionsGroup:ovh", "owner is missing"),
            ("urn:v1:eu:resource:vps:a b", "character ' '"),
        ];
        for (input, needle) in cases {
            let err = Urn::parse(input)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(needle), "{input:?}: {err}");
        }
    }

    #[test]
    fn family_mismatch_uses_the_family_code() {
        let err = Urn::parse_as("urn:v1:eu:identity:account:x", UrnFamily::Resource);
        let err = err.err().map(|e| e.at("resources[0].urn"));
        let err = err.unwrap_or_else(|| panic!("accepted"));
        assert_eq!(err.code(), "INVALID_RESOURCE_URN");
        assert_eq!(err.field(), "resources[0].urn");
        assert!(
            err.message().contains("account URNs are not allowed"),
            "{err}"
        );
    }

    #[test]
    fn plates_parse_and_print() {
        for p in Plate::ALL {
            assert_eq!(Plate::parse(p.as_str()), Some(p));
        }
        assert_eq!(Plate::parse("EU"), None);
    }

    #[test]
    fn serde_uses_the_text_form() {
        let urn = Urn::account(Plate::Eu, "xx1-ovh");
        let json = serde_json::to_string(&urn).unwrap_or_default();
        assert_eq!(json, "\"urn:v1:eu:identity:account:xx1-ovh\"");
        assert_eq!(serde_json::from_str::<Urn>(&json).ok(), Some(urn));
        assert!(serde_json::from_str::<Urn>("\"urn:x\"").is_err());
    }
}
