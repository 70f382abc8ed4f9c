//! The grammar of complete URNs: each kind's parts and their character sets (see the
//! table in `urn.rs`). Returns a plain reason; `urn.rs` wraps it with the expected shape.

use uuid::Uuid;

use super::{MAX_URN_LEN, Plate, Urn, UrnKind};

const MAX_ID_LEN: usize = 64;
const MAX_LOGIN_LEN: usize = 128;

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

pub(super) fn parse_any(s: &str) -> Result<Urn, Reason> {
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
    let allowed = "printable ASCII other than / : * \" \\ ? # %";
    check_chars(what, s, MAX_LOGIN_LEN, ok, allowed)
}

fn check_resource_type(s: &str) -> Result<(), Reason> {
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(format!("the resource type {s:?} must start with a letter"));
    }
    let ok = |c: char| c.is_ascii_alphanumeric();
    check_chars("resource type", s, MAX_ID_LEN, ok, "letters and digits")
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
