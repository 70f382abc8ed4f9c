//! URN patterns as policies write them: an exact URN, or text with `*` at its start and/or
//! end (prefix, suffix, contains). Owns their validation per family and their matching,
//! which is plain, case-sensitive string comparison.
//!
//! Validation: an exact pattern must parse as a URN of the family (and is stored in canonical
//! form). A prefix pattern must be a plausible beginning of such a URN: its complete
//! `:`-separated head components are checked (`urn`, `v1`, the plate, the kind, the identity
//! type, the resource type) and a trailing partial component must be able to grow into a
//! valid one. Suffix and contains patterns can only be checked for their characters. A bare
//! `*` (or `**`) is refused: it would name everything.

use std::fmt;
use std::sync::Arc;

use crate::urn::{MAX_URN_LEN, Plate, Urn, UrnError, UrnFamily};

/// One compiled `identities[i]` or `resources[i].urn` entry. The text is shared (`Arc`) with
/// the index tables that key on it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UrnPattern {
    Exact(Arc<str>),
    /// `text*`
    Prefix(Arc<str>),
    /// `*text`
    Suffix(Arc<str>),
    /// `*text*`
    Contains(Arc<str>),
}

impl UrnPattern {
    /// Parses and validates a pattern of `family`.
    pub fn parse(s: &str, family: UrnFamily) -> Result<UrnPattern, UrnError> {
        let err = |reason: String| UrnError::new(family, s, reason).for_patterns();
        if s.is_empty() {
            return Err(err("the URN is empty".into()));
        }
        if s.len() > MAX_URN_LEN {
            return Err(err(format!("longer than {MAX_URN_LEN} bytes")));
        }
        let (lead, trail) = (s.starts_with('*'), s.len() > 1 && s.ends_with('*'));
        let core = &s[usize::from(lead)..s.len() - usize::from(trail)];
        if core.is_empty() {
            return Err(err(
                "a bare * would name everything and is not allowed".into()
            ));
        }
        match (lead, trail) {
            (false, false) => {
                let urn = Urn::parse_as(s, family).map_err(UrnError::for_patterns)?;
                Ok(UrnPattern::Exact(urn.to_string().into()))
            }
            (false, true) => {
                check_prefix(core, family).map_err(err)?;
                Ok(UrnPattern::Prefix(core.into()))
            }
            (true, false) => {
                check_chars(core).map_err(err)?;
                Ok(UrnPattern::Suffix(core.into()))
            }
            (true, true) => {
                check_chars(core).map_err(err)?;
                Ok(UrnPattern::Contains(core.into()))
            }
        }
    }

    /// Whether `urn` is named by this pattern (case-sensitive).
    pub fn matches(&self, urn: &str) -> bool {
        match self {
            UrnPattern::Exact(e) => urn == &**e,
            UrnPattern::Prefix(p) => urn.starts_with(&**p),
            UrnPattern::Suffix(p) => urn.ends_with(&**p),
            UrnPattern::Contains(p) => urn.contains(&**p),
        }
    }

    /// The text without its `*`.
    pub fn literal(&self) -> &str {
        match self {
            UrnPattern::Exact(t)
            | UrnPattern::Prefix(t)
            | UrnPattern::Suffix(t)
            | UrnPattern::Contains(t) => t,
        }
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, UrnPattern::Exact(_))
    }
}

impl fmt::Display for UrnPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrnPattern::Exact(t) => f.write_str(t),
            UrnPattern::Prefix(t) => write!(f, "{t}*"),
            UrnPattern::Suffix(t) => write!(f, "*{t}"),
            UrnPattern::Contains(t) => write!(f, "*{t}*"),
        }
    }
}

fn check_chars(s: &str) -> Result<(), String> {
    match s.chars().find(|c| !c.is_ascii_graphic() || *c == '*') {
        Some('*') => Err("'*' is only allowed at the start or end".into()),
        Some(c) => Err(format!("contains the character {c:?}")),
        None => Ok(()),
    }
}

const KINDS: [&str; 4] = ["identity", "resource", "resourceGroup", "permissionsGroup"];
const IDENTITY_TYPES: [&str; 4] = ["account", "user", "group", "credential"];

/// Checks that `head` can begin a URN of `family` (see the module doc).
fn check_prefix(head: &str, family: UrnFamily) -> Result<(), String> {
    check_chars(head)?;
    let parts: Vec<&str> = head.split(':').collect();
    let last = parts.len() - 1;
    for (i, part) in parts.iter().enumerate() {
        let partial = i == last;
        match i {
            0 => one_of("prefix", part, &["urn"], partial)?,
            1 => one_of("version", part, &["v1"], partial)?,
            2 => one_of("plate", part, &Plate::ALL.map(Plate::as_str), partial)?,
            3 => one_of("kind", part, &kinds_of(family), partial)?,
            _ => check_tail(parts[3], i, part, partial)?,
        }
    }
    Ok(())
}

fn kinds_of(family: UrnFamily) -> Vec<&'static str> {
    match family {
        UrnFamily::Any => KINDS.to_vec(),
        UrnFamily::Identity => vec!["identity"],
        UrnFamily::Resource => vec!["resource", "resourceGroup"],
        UrnFamily::PermissionsGroup => vec!["permissionsGroup"],
    }
}

/// Components after the kind: the identity type, the resource type, the UUID, the owner.
fn check_tail(kind: &str, i: usize, part: &str, partial: bool) -> Result<(), String> {
    match (kind, i) {
        ("identity", 4) => one_of("identity type", part, &IDENTITY_TYPES, partial),
        ("resource", 4) if part.is_empty() && partial => Ok(()),
        ("resource", 4) if crate::urn::is_valid_resource_type(part) => Ok(()),
        ("resource", 4) => Err(format!("{part:?} is not a resource type")),
        ("resourceGroup", 4) if part.chars().all(|c| c.is_ascii_hexdigit() || c == '-') => Ok(()),
        ("resourceGroup", _) => Err("a resource group is followed by its UUID only".into()),
        ("permissionsGroup", 6..) => Err("a permissions group is <owner>:<name>".into()),
        _ => Ok(()),
    }
}

fn one_of(what: &str, part: &str, allowed: &[&str], partial: bool) -> Result<(), String> {
    let fits = |a: &&str| {
        if partial {
            a.starts_with(part)
        } else {
            *a == part
        }
    };
    if allowed.iter().any(fits) {
        Ok(())
    } else {
        Err(format!(
            "unknown {what} {part:?}; expected one of {}",
            allowed.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(s: &str) -> Result<UrnPattern, String> {
        UrnPattern::parse(s, UrnFamily::Resource).map_err(|e| e.to_string())
    }

    fn id(s: &str) -> Result<UrnPattern, String> {
        UrnPattern::parse(s, UrnFamily::Identity).map_err(|e| e.to_string())
    }

    #[test]
    fn kinds_of_patterns() {
        let p = |s| res(s).ok();
        assert_eq!(
            p("urn:v1:eu:resource:vps:*"),
            Some(UrnPattern::Prefix("urn:v1:eu:resource:vps:".into()))
        );
        assert_eq!(p("*.ovh.net"), Some(UrnPattern::Suffix(".ovh.net".into())));
        assert_eq!(p("*:vps:*"), Some(UrnPattern::Contains(":vps:".into())));
        assert_eq!(
            p("urn:v1:eu:resource:vps:a"),
            Some(UrnPattern::Exact("urn:v1:eu:resource:vps:a".into()))
        );
        assert!(p("urn:v1:eu:resource*").is_some());
        assert!(p("urn:v1:eu:resourceGroup:aa07*").is_some());
        assert!(p("urn:v1:e*").is_some());
    }

    #[test]
    fn matching_is_textual_and_case_sensitive() {
        let urn = "urn:v1:eu:resource:vps:vps-1.ovh.net";
        for (pattern, expected) in [
            ("urn:v1:eu:resource:vps:*", true),
            ("urn:v1:eu:resource:VPS:*", false),
            ("urn:v1:eu:resource:dnsZone:*", false),
            ("*.ovh.net", true),
            ("*.OVH.net", false),
            ("*:vps:*", true),
            ("*:vps-2*", false),
            ("urn:v1:eu:resource:vps:vps-1.ovh.net", true),
        ] {
            let matched = res(pattern).map(|p| p.matches(urn));
            assert_eq!(matched, Ok(expected), "{pattern}");
        }
    }

    #[test]
    fn bare_stars_and_inner_stars_are_refused() {
        for bad in ["*", "**", "urn:v1:eu:resource:v*s:x", "*a*b*"] {
            let err = res(bad).err().unwrap_or_default();
            assert!(
                err.contains("expected urn:v1:(eu|ca|us):(resource:"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn prefix_heads_are_checked() {
        for (bad, needle) in [
            ("urn:v1:fr:*", "unknown plate \"fr\""),
            ("urn:v2:*", "unknown version"),
            ("urn:v1:eu:identity:*", "unknown kind \"identity\""),
            ("urn:v1:eu:resources:*", "unknown kind \"resources\""),
            ("urn:v1:eu:resource:9x:*", "not a resource type"),
            ("urn:v1:eu:resourceGroup:xyz*", "UUID"),
            ("urn:v1:eu:resource:vps:a b*", "character ' '"),
        ] {
            let err = res(bad).err().unwrap_or_default();
            assert!(err.contains(needle), "{bad}: {err}");
        }
        assert!(id("urn:v1:eu:identity:user:xx1-ovh/*").is_ok());
        assert!(id("urn:v1:eu:identity:us*").is_ok());
        assert!(id("urn:v1:eu:identity:robot:*").is_err());
        assert!(id("urn:v1:eu:resource:vps:*").is_err());
    }

    #[test]
    fn exact_patterns_are_canonical() {
        let p = res("urn:v1:eu:resourceGroup:AA0713AB-ED13-4F1A-89A5-32AA0CB936D8").ok();
        let text = p.map(|p| p.to_string()).unwrap_or_default();
        assert_eq!(
            text,
            "urn:v1:eu:resourceGroup:aa0713ab-ed13-4f1a-89a5-32aa0cb936d8"
        );
    }

    #[test]
    fn display_restores_the_stars() {
        for s in [
            "urn:v1:eu:resource:vps:*",
            "*.net",
            "*vps*",
            "urn:v1:eu:resource:vps:a",
        ] {
            assert_eq!(res(s).map(|p| p.to_string()), Ok(s.to_owned()));
        }
    }
}
