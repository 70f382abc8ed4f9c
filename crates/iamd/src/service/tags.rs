//! Resource tags: the key and value rules of the reference, the `ovh:` prefix of computed
//! tags (set by resource providers, never by the account), and the tag filters of
//! `GET /v2/iam/resource` with their operators.

use std::collections::BTreeMap;

use crate::service::error::{Result, ServiceError};

/// Tags with this prefix are computed by the products (resource providers), not settable
/// through the IAM API.
pub const COMPUTED_PREFIX: &str = "ovh:";
pub const MAX_KEY_LEN: usize = 128;
pub const MAX_VALUE_LEN: usize = 256;
/// A resource holds at most this many tags (the reference names no limit; this bounds rows).
pub const MAX_TAGS: usize = 100;

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_.:/=+@-".contains(c)
}

pub fn is_computed(key: &str) -> bool {
    key.get(..COMPUTED_PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(COMPUTED_PREFIX))
}

/// `^[a-zA-Z0-9_.:/=+@-]{1,128}$`
pub fn validate_key(key: &str) -> Result<()> {
    if (1..=MAX_KEY_LEN).contains(&key.len()) && key.chars().all(allowed) {
        return Ok(());
    }
    Err(invalid(format!(
        "tag key {key:?} must be 1 to {MAX_KEY_LEN} of the characters a-z A-Z 0-9 _ . : / = + @ -"
    )))
}

/// `^[a-zA-Z0-9_.:/=+@-]{0,256}$`
pub fn validate_value(key: &str, value: &str) -> Result<()> {
    if value.len() <= MAX_VALUE_LEN && value.chars().all(allowed) {
        return Ok(());
    }
    Err(invalid(format!(
        "the value of tag {key:?} must be at most {MAX_VALUE_LEN} of the characters a-z A-Z 0-9 _ . : / = + @ -"
    )))
}

/// Tags a client of the IAM API sets: valid, and none computed.
pub fn validate_settable(tags: &BTreeMap<String, String>) -> Result<()> {
    for (key, value) in tags {
        validate_key(key)?;
        if is_computed(key) {
            return Err(computed(key));
        }
        validate_value(key, value)?;
    }
    validate_count(tags.len())
}

pub fn validate_count(count: usize) -> Result<()> {
    if count > MAX_TAGS {
        return Err(invalid(format!("a resource holds at most {MAX_TAGS} tags")));
    }
    Ok(())
}

pub fn computed(key: &str) -> ServiceError {
    invalid(format!(
        "tag {key:?} is computed ({COMPUTED_PREFIX} prefix): it cannot be set or removed"
    ))
}

fn invalid(message: String) -> ServiceError {
    ServiceError::invalid_code("INVALID_TAG", message)
}

/// The operators of `iam.resource.TagFilter.OperatorEnum`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagOperator {
    Eq,
    Neq,
    Exists,
    Nexists,
    /// SQL `LIKE`: `%` any run of characters, `_` one character; case-sensitive.
    Like,
    /// `LIKE`, ignoring ASCII case.
    Ilike,
}

impl TagOperator {
    pub fn parse(text: &str) -> Option<TagOperator> {
        Some(match text.to_ascii_uppercase().as_str() {
            "EQ" => TagOperator::Eq,
            "NEQ" => TagOperator::Neq,
            "EXISTS" => TagOperator::Exists,
            "NEXISTS" => TagOperator::Nexists,
            "LIKE" => TagOperator::Like,
            "ILIKE" => TagOperator::Ilike,
            _ => return None,
        })
    }
}

/// One filter on one tag key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFilter {
    pub key: String,
    pub operator: TagOperator,
    pub value: String,
}

impl TagFilter {
    fn accepts(&self, tags: &BTreeMap<String, String>) -> bool {
        let value = tags.get(&self.key);
        match self.operator {
            TagOperator::Eq => value.is_some_and(|v| *v == self.value),
            // An absent tag differs from any value.
            TagOperator::Neq => value.is_none_or(|v| *v != self.value),
            TagOperator::Exists => value.is_some(),
            TagOperator::Nexists => value.is_none(),
            TagOperator::Like => value.is_some_and(|v| like(self.value.as_bytes(), v.as_bytes())),
            TagOperator::Ilike => value.is_some_and(|v| {
                like(
                    self.value.to_ascii_lowercase().as_bytes(),
                    v.to_ascii_lowercase().as_bytes(),
                )
            }),
        }
    }
}

/// Whether `tags` pass every key's filters: filters on one key are alternatives (any may
/// match), different keys must all match.
pub fn matches(filters: &[TagFilter], tags: &BTreeMap<String, String>) -> bool {
    let mut keys: Vec<&str> = filters.iter().map(|f| f.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter().all(|key| {
        filters
            .iter()
            .filter(|f| f.key == key)
            .any(|f| f.accepts(tags))
    })
}

/// SQL `LIKE` on bytes (tags are ASCII by their rules). Greedy with one backtrack point,
/// so a pattern full of `%` costs O(pattern × text), never exponential time.
fn like(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len()
            && (pattern[p] == b'_' || (pattern[p] != b'%' && pattern[p] == text[t]))
        {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'%' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == b'%')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn filter(key: &str, operator: TagOperator, value: &str) -> TagFilter {
        TagFilter {
            key: key.into(),
            operator,
            value: value.into(),
        }
    }

    #[test]
    fn keys_and_values_follow_the_reference() {
        assert!(validate_key("env").is_ok() && validate_key("a.b:c/d=e+f@g-h_i").is_ok());
        for bad in ["", "has space", "é", &"k".repeat(129)] {
            assert!(validate_key(bad).is_err(), "{bad}");
        }
        assert!(validate_value("k", "").is_ok());
        assert!(validate_value("k", "a b").is_err());
        assert!(validate_value("k", &"v".repeat(257)).is_err());
        assert!(validate_settable(&tags(&[("ovh:region", "gra")])).is_err());
        assert!(validate_settable(&tags(&[("OVH:x", "y")])).is_err());
    }

    #[test]
    fn operators() {
        let t = tags(&[("env", "Production"), ("team", "web")]);
        assert!(matches(&[filter("env", TagOperator::Eq, "Production")], &t));
        assert!(!matches(
            &[filter("env", TagOperator::Neq, "Production")],
            &t
        ));
        assert!(matches(&[filter("owner", TagOperator::Neq, "x")], &t));
        assert!(matches(&[filter("team", TagOperator::Exists, "")], &t));
        assert!(matches(&[filter("owner", TagOperator::Nexists, "")], &t));
        assert!(matches(&[filter("env", TagOperator::Like, "Prod%")], &t));
        assert!(!matches(&[filter("env", TagOperator::Like, "prod%")], &t));
        assert!(matches(
            &[filter("env", TagOperator::Ilike, "prod_ction")],
            &t
        ));
        assert!(matches(&[filter("env", TagOperator::Like, "%")], &t));
        assert!(!matches(&[filter("env", TagOperator::Like, "P%x")], &t));
        assert!(!like(b"%a%a%a%a%a%a%a%a%a%a%a%a%b", &[b'a'; 200]));
    }

    #[test]
    fn same_key_is_or_different_keys_are_and() {
        let t = tags(&[("env", "dev"), ("team", "web")]);
        let either = [
            filter("env", TagOperator::Eq, "prod"),
            filter("env", TagOperator::Eq, "dev"),
        ];
        assert!(matches(&either, &t));
        let both = [
            filter("env", TagOperator::Eq, "dev"),
            filter("team", TagOperator::Eq, "db"),
        ];
        assert!(!matches(&both, &t));
    }
}
