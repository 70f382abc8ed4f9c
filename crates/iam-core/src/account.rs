//! `AccountId`: an account's NIC handle (`xx1111-ovh`), checked once where it enters — a
//! request path, a command line, a sign-in form, a stored row — and passed as such after, so
//! that no rule further in ever handles an unchecked account name. It appears inside URNs, so
//! it never holds `:`, `/` or `*`.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Lower-case letters, digits and hyphens, 3 to 64 characters, starting with a letter and not
/// ending with a hyphen.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(String);

/// Why a text is not a NIC handle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "account {0:?} is malformed: expected 3 to 64 lower-case letters, digits or hyphens, starting with a letter (e.g. xx1111-ovh)"
)]
pub struct InvalidAccountId(pub String);

impl AccountId {
    pub fn parse(text: &str) -> Result<AccountId, InvalidAccountId> {
        let valid = (3..=64).contains(&text.len())
            && text.starts_with(|c: char| c.is_ascii_lowercase())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !text.ends_with('-');
        if valid {
            Ok(AccountId(text.to_owned()))
        } else {
            Err(InvalidAccountId(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for AccountId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for AccountId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for AccountId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for AccountId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for AccountId {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl Serialize for AccountId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Deserializing parses: a malformed account in a body is refused like any other field.
impl<'de> Deserialize<'de> for AccountId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        AccountId::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nic_handles_parse_and_everything_else_is_refused() {
        for ok in ["xx1111-ovh", "abc", "a-b-c", "ab1"] {
            assert_eq!(
                AccountId::parse(ok).map(|a| a.to_string()),
                Ok(ok.to_owned())
            );
        }
        let long = "a".repeat(65);
        for bad in [
            "",
            "ab",
            "1xx-ovh",
            "XX1111-ovh",
            "xx1111-",
            "xx:1",
            "xx/1",
            "xx*",
            "xx 1",
            &long,
        ] {
            assert!(AccountId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn it_reads_as_the_text_it_was_parsed_from() {
        let id = AccountId::parse("xx1111-ovh").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(id, "xx1111-ovh");
        assert_eq!(&*id, "xx1111-ovh");
        assert_eq!(
            serde_json::to_string(&id).ok(),
            Some("\"xx1111-ovh\"".into())
        );
        let back: Result<AccountId, _> = serde_json::from_str("\"XX\"");
        assert!(back.is_err());
    }
}
