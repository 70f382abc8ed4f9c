//! IAM action patterns (`vps:apiovh:reboot`, `vps:apiovh:*`, `*:apiovh:*`, `*`): validation
//! and glob matching, where `*` matches any run of characters, case-sensitively; and
//! [`ActionSet`], one compiled `allow`/`except`/`deny` list with exact actions in a hash set.
//!
//! Allowed characters: ASCII letters and digits, `:` `/` `_` `.` `-`, and `*`; at most
//! [`MAX_ACTION_LEN`] bytes. Consecutive stars are collapsed.

use std::collections::HashSet;
use std::fmt;

use crate::error::{ErrorCode, ValidationError};

/// The longest action (or action pattern) accepted, in bytes.
pub const MAX_ACTION_LEN: usize = 256;

/// Past this many exact actions a set switches from a linear scan to a hash set.
const SMALL_SET: usize = 8;

/// A malformed action: what is wrong, and the expected shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "action {input:?} is malformed ({reason}); expected <resourceType>:<namespace>:<operation> \
     made of letters, digits, ':', '/', '_', '.', '-', with '*' matching any run of characters"
)]
pub struct ActionError {
    input: String,
    reason: String,
}

impl ActionError {
    pub fn code(&self) -> &'static str {
        ErrorCode::InvalidAction.as_str()
    }

    pub fn at(&self, field: impl Into<String>) -> ValidationError {
        ValidationError::new(field, ErrorCode::InvalidAction, self.to_string())
    }
}

/// One compiled action pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ActionPattern {
    /// `*`
    Any,
    Exact(Box<str>),
    /// `text*`
    Prefix(Box<str>),
    /// `*text`
    Suffix(Box<str>),
    /// Any other glob: the literal runs between stars (at least two of them).
    Glob(Box<[Box<str>]>),
}

impl ActionPattern {
    pub fn parse(s: &str) -> Result<ActionPattern, ActionError> {
        let err = |reason: &str| ActionError {
            input: s.chars().take(100).collect(),
            reason: reason.into(),
        };
        if s.is_empty() {
            return Err(err("it is empty"));
        }
        if s.len() > MAX_ACTION_LEN {
            return Err(err("it is too long"));
        }
        if let Some(c) = s.chars().find(|c| !is_action_char(*c) && *c != '*') {
            return Err(err(&format!("the character {c:?} is not allowed")));
        }
        Ok(Self::compile(s))
    }

    fn compile(s: &str) -> ActionPattern {
        let mut parts: Vec<&str> = s.split('*').collect();
        // `a**b` splits into an empty middle run: stars collapse.
        let last = parts.len() - 1;
        let mut i = 0;
        parts.retain(|p| {
            i += 1;
            i == 1 || i == last + 1 || !p.is_empty()
        });
        match parts.as_slice() {
            [exact] => ActionPattern::Exact((*exact).into()),
            ["", ""] => ActionPattern::Any,
            [prefix, ""] => ActionPattern::Prefix((*prefix).into()),
            ["", suffix] => ActionPattern::Suffix((*suffix).into()),
            runs => ActionPattern::Glob(runs.iter().map(|r| Box::from(*r)).collect()),
        }
    }

    pub fn matches(&self, action: &str) -> bool {
        match self {
            ActionPattern::Any => true,
            ActionPattern::Exact(e) => action == &**e,
            ActionPattern::Prefix(p) => action.starts_with(&**p),
            ActionPattern::Suffix(s) => action.ends_with(&**s),
            ActionPattern::Glob(runs) => glob_matches(runs, action),
        }
    }
}

impl fmt::Display for ActionPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionPattern::Any => f.write_str("*"),
            ActionPattern::Exact(e) => f.write_str(e),
            ActionPattern::Prefix(p) => write!(f, "{p}*"),
            ActionPattern::Suffix(s) => write!(f, "*{s}"),
            ActionPattern::Glob(runs) => f.write_str(&runs.join("*")),
        }
    }
}

fn is_action_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '_' | '.' | '-')
}

/// Leftmost-first matching is exact for `*`-only globs: each run is taken as early as it can be.
fn glob_matches(runs: &[Box<str>], s: &str) -> bool {
    let (Some(first), Some(last)) = (runs.first(), runs.last()) else {
        return false;
    };
    if s.len() < first.len() + last.len() || !s.starts_with(&**first) || !s.ends_with(&**last) {
        return false;
    }
    let mut rest = &s[first.len()..s.len() - last.len()];
    for run in &runs[1..runs.len() - 1] {
        match rest.find(&**run) {
            Some(at) => rest = &rest[at + run.len()..],
            None => return false,
        }
    }
    true
}

/// A compiled list of action patterns: exact actions looked up in a set, patterns scanned.
#[derive(Debug, Clone, Default)]
pub struct ActionSet {
    any: bool,
    exact: ExactActions,
    patterns: Box<[ActionPattern]>,
}

#[derive(Debug, Clone)]
enum ExactActions {
    Small(Box<[Box<str>]>),
    // Boxed so that the common small sets stay two words: every policy has three sets.
    #[allow(clippy::box_collection)]
    Large(Box<HashSet<Box<str>>>),
}

impl Default for ExactActions {
    fn default() -> Self {
        ExactActions::Small(Box::default())
    }
}

impl ActionSet {
    /// Builds a set from already-parsed patterns (duplicates are dropped).
    pub fn new(patterns: impl IntoIterator<Item = ActionPattern>) -> ActionSet {
        let mut any = false;
        let mut exact: Vec<Box<str>> = Vec::new();
        let mut globs: Vec<ActionPattern> = Vec::new();
        for p in patterns {
            match p {
                ActionPattern::Any => any = true,
                ActionPattern::Exact(e) => exact.push(e),
                other if !globs.contains(&other) => globs.push(other),
                _ => {}
            }
        }
        exact.sort_unstable();
        exact.dedup();
        let exact = if exact.len() > SMALL_SET {
            ExactActions::Large(Box::new(exact.into_iter().collect()))
        } else {
            ExactActions::Small(exact.into())
        };
        ActionSet {
            any,
            exact,
            patterns: globs.into(),
        }
    }

    /// Parses every entry; the error names the first bad one's index.
    pub fn parse<'a>(
        actions: impl IntoIterator<Item = &'a str>,
    ) -> Result<ActionSet, (usize, ActionError)> {
        let parsed: Result<Vec<_>, _> = actions
            .into_iter()
            .enumerate()
            .map(|(i, a)| ActionPattern::parse(a).map_err(|e| (i, e)))
            .collect();
        Ok(ActionSet::new(parsed?))
    }

    pub fn matches(&self, action: &str) -> bool {
        self.any || self.matches_exact(action) || self.patterns.iter().any(|p| p.matches(action))
    }

    fn matches_exact(&self, action: &str) -> bool {
        match &self.exact {
            ExactActions::Small(list) => list.iter().any(|e| &**e == action),
            ExactActions::Large(set) => set.contains(action),
        }
    }

    pub fn is_empty(&self) -> bool {
        !self.any && self.patterns.is_empty() && self.exact_len() == 0
    }

    fn exact_len(&self) -> usize {
        match &self.exact {
            ExactActions::Small(list) => list.len(),
            ExactActions::Large(set) => set.len(),
        }
    }

    /// Bytes owned on the heap, for the index's memory accounting.
    pub(crate) fn heap_size(&self) -> usize {
        let exact = match &self.exact {
            ExactActions::Small(list) => list.iter().map(|e| 16 + e.len()).sum(),
            ExactActions::Large(set) => {
                std::mem::size_of::<HashSet<Box<str>>>()
                    + set.iter().map(|e| 16 + 1 + e.len()).sum::<usize>() * 8 / 7
            }
        };
        let patterns: usize = self.patterns.iter().map(pattern_heap_size).sum();
        exact + patterns
    }
}

fn pattern_heap_size(p: &ActionPattern) -> usize {
    let inner = match p {
        ActionPattern::Any => 0,
        ActionPattern::Exact(t) | ActionPattern::Prefix(t) | ActionPattern::Suffix(t) => t.len(),
        ActionPattern::Glob(runs) => runs.iter().map(|r| 16 + r.len()).sum(),
    };
    std::mem::size_of::<ActionPattern>() + inner
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, action: &str) -> bool {
        ActionPattern::parse(pattern)
            .map(|p| p.matches(action))
            .unwrap_or(false)
    }

    #[test]
    fn globs_match_any_run() {
        assert!(m("*", "vps:apiovh:reboot"));
        assert!(m("vps:apiovh:*", "vps:apiovh:reboot"));
        assert!(!m("vps:apiovh:*", "dnsZone:apiovh:get"));
        assert!(m("*:apiovh:*", "vps:apiovh:reboot"));
        assert!(!m(
            "*:apiovh:*",
            "publicCloudProject:openstack:administrator"
        ));
        assert!(m("dnsZone:apiovh:record/*", "dnsZone:apiovh:record/create"));
        assert!(!m("dnsZone:apiovh:record/*", "dnsZone:apiovh:get"));
        assert!(m("*/get", "account:apiovh:me/get"));
        assert!(m(
            "account:*/oauth2/*/get",
            "account:apiovh:me/api/oauth2/client/get"
        ));
        assert!(!m(
            "account:*/oauth2/*/get",
            "account:apiovh:me/api/oauth2/client/edit"
        ));
        assert!(m("a*a", "aa"));
        assert!(!m("a*a", "a"));
        assert!(m("vps:apiovh:reboot", "vps:apiovh:reboot"));
        assert!(!m("vps:apiovh:reboot", "vps:apiovh:Reboot"));
        assert!(m("vps:**:reboot", "vps:apiovh:reboot"));
    }

    #[test]
    fn compiled_shapes() {
        let p = |s| ActionPattern::parse(s).ok();
        assert_eq!(p("*"), Some(ActionPattern::Any));
        assert_eq!(p("***"), Some(ActionPattern::Any));
        assert_eq!(p("vps:*"), Some(ActionPattern::Prefix("vps:".into())));
        assert_eq!(p("*:get"), Some(ActionPattern::Suffix(":get".into())));
        assert_eq!(p("a**b").map(|p| p.to_string()), Some("a*b".into()));
    }

    #[test]
    fn bad_actions_are_refused_with_the_expected_shape() {
        for bad in [
            "",
            "vps apiovh",
            "vps:apiovh:reboot?",
            "é",
            &"a".repeat(300),
        ] {
            let err = ActionPattern::parse(bad)
                .err()
                .map(|e| e.at("permissions.allow[0].action"));
            let err = err.unwrap_or_else(|| panic!("accepted {bad:?}"));
            assert_eq!(err.code(), "INVALID_ACTION");
            assert!(err.message().contains("expected <resourceType>"), "{err}");
        }
    }

    #[test]
    fn sets_mix_exact_and_patterns() {
        let set = ActionSet::parse(["vps:apiovh:reboot", "dnsZone:apiovh:record/*"]);
        let set = set.unwrap_or_default();
        assert!(set.matches("vps:apiovh:reboot"));
        assert!(set.matches("dnsZone:apiovh:record/get"));
        assert!(!set.matches("vps:apiovh:get"));
        assert!(!set.is_empty());
        assert!(ActionSet::default().is_empty());
        let many: Vec<String> = (0..20).map(|i| format!("vps:apiovh:a{i}")).collect();
        let big = ActionSet::parse(many.iter().map(String::as_str)).unwrap_or_default();
        assert!(big.matches("vps:apiovh:a19") && !big.matches("vps:apiovh:a20"));
        assert_eq!(
            ActionSet::parse(["ok", "bad one"]).err().map(|e| e.0),
            Some(1)
        );
    }
}
