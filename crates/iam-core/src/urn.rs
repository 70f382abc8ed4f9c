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

/// The longest URN (or URN pattern) accepted, in bytes.
pub const MAX_URN_LEN: usize = 512;
const MAX_ID_LEN: usize = 64;
const MAX_LOGIN_LEN: usize = 128;

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

/// Whether `s` may be a login or a group name inside an identity URN.
pub fn is_valid_login(s: &str) -> bool {
    check_login("login", s).is_ok()
}

/// Whether `s` may be a permissions-group name (`[A-Za-z0-9._-]{1,64}`).
pub fn is_valid_permissions_group_name(s: &str) -> bool {
    check_id("name", s).is_ok()
}

/// Whether `s` may be a resource type (`[A-Za-z][A-Za-z0-9]{0,63}`).
pub fn is_valid_resource_type(s: &str) -> bool {
    check_resource_type(s).is_ok()
}

type Reason = String;

fn parse_any(s: &str) -> Result<Urn, Reason> {
    if s.len() > MAX_URN_LEN {
        return Err(format!("longer than {MAX_URN_LEN} bytes"));
    }
    if let Some(c) = s.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(format!("contains the character {c:?}"));
    }
    let rest = s
        .strip_prefix("urn:")
        .ok_or("it must start with \"urn:v1:\"")?;
    let rest = rest.strip_prefix("v1:").ok_or("only version v1 is known")?;
    let (plate, rest) = split(rest, ':', "plate")?;
    let plate = Plate::parse(plate).ok_or_else(|| format!("unknown plate {plate:?}"))?;
    let (kind, rest) = rest.split_once(':').unwrap_or((rest, ""));
    let kind = match kind {
        "identity" => parse_identity(rest)?,
        "resource" => parse_resource(rest)?,
        "resourceGroup" => parse_resource_group(rest)?,
        "permissionsGroup" => parse_permissions_group(rest)?,
        other => return Err(format!("unknown kind {other:?}")),
    };
    Ok(Urn { plate, kind })
}

fn split<'a>(s: &'a str, sep: char, what: &str) -> Result<(&'a str, &'a str), Reason> {
    s.split_once(sep)
        .ok_or_else(|| format!("the {what} is missing or not followed by {sep:?}"))
}

fn parse_identity(rest: &str) -> Result<UrnKind, Reason> {
    let (sub, rest) = rest.split_once(':').unwrap_or((rest, ""));
    if sub == "account" {
        check_id("nic", rest)?;
        return Ok(UrnKind::Account { nic: rest.into() });
    }
    if !matches!(sub, "user" | "group" | "credential") {
        return Err(format!("unknown identity type {sub:?}"));
    }
    let (nic, name) = split(rest, '/', "nic")?;
    check_id("nic", nic)?;
    let (nic, name) = (nic.to_owned(), name.to_owned());
    Ok(match sub {
        "user" => {
            check_login("login", &name)?;
            UrnKind::User { nic, login: name }
        }
        "group" => {
            check_login("group name", &name)?;
            UrnKind::Group { nic, name }
        }
        _ => {
            let client_id = name
                .strip_prefix("oauth2-")
                .ok_or("a credential is oauth2-<clientId>")?;
            check_id("clientId", client_id)?;
            UrnKind::Credential {
                nic,
                client_id: client_id.into(),
            }
        }
    })
}

fn parse_resource(rest: &str) -> Result<UrnKind, Reason> {
    let (resource_type, name) = split(rest, ':', "resource type")?;
    check_resource_type(resource_type)?;
    if name.is_empty() {
        return Err("the resource name is empty".into());
    }
    if name.contains('*') {
        return Err("'*' is only allowed at the start or end of a pattern".into());
    }
    Ok(UrnKind::Resource {
        resource_type: resource_type.into(),
        name: name.into(),
    })
}

fn parse_resource_group(rest: &str) -> Result<UrnKind, Reason> {
    let uuid_shape = rest.len() == 36 && rest.bytes().filter(|b| *b == b'-').count() == 4;
    match Uuid::try_parse(rest) {
        Ok(id) if uuid_shape => Ok(UrnKind::ResourceGroup { id }),
        _ => Err(format!("{rest:?} is not a hyphenated UUID")),
    }
}

fn parse_permissions_group(rest: &str) -> Result<UrnKind, Reason> {
    let (owner, name) = split(rest, ':', "owner")?;
    check_id("owner", owner)?;
    check_id("name", name)?;
    Ok(UrnKind::PermissionsGroup {
        owner: owner.into(),
        name: name.into(),
    })
}

fn check_id(what: &str, s: &str) -> Result<(), Reason> {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    check_chars(what, s, MAX_ID_LEN, ok, "letters, digits, '.', '_' and '-'")
}

fn check_login(what: &str, s: &str) -> Result<(), Reason> {
    let ok = |c: char| c.is_ascii_graphic() && !"/:*\"\\?#%".contains(c);
    check_chars(
        what,
        s,
        MAX_LOGIN_LEN,
        ok,
        "printable ASCII other than / : * \" \\ ? # %",
    )
}

fn check_resource_type(s: &str) -> Result<(), Reason> {
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(format!("the resource type {s:?} must start with a letter"));
    }
    check_chars(
        "resource type",
        s,
        MAX_ID_LEN,
        |c| c.is_ascii_alphanumeric(),
        "letters and digits",
    )
}

fn check_chars(
    what: &str,
    s: &str,
    max: usize,
    ok: impl Fn(char) -> bool,
    allowed: &str,
) -> Result<(), Reason> {
    if s.is_empty() {
        return Err(format!("the {what} is empty"));
    }
    if s.len() > max {
        return Err(format!("the {what} is longer than {max} characters"));
    }
    match s.chars().find(|c| !ok(*c)) {
        Some('*') => Err("'*' is only allowed at the start or end of a pattern".into()),
        Some(c) => Err(format!("the {what} contains {c:?}; allowed: {allowed}")),
        None => Ok(()),
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
