//! The request bodies of `/me/identity/user` and the rules their fields follow: logins,
//! e-mail addresses, descriptions, the user type. Pure: no store, no HTTP.

use iam_core::urn::is_valid_login;
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};

use crate::service::error::{Result, ServiceError};

/// Longest login, in bytes.
pub const MAX_LOGIN_LEN: usize = 64;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_LEN: usize = 1024;
/// Longest e-mail address, in bytes (RFC 5321's path limit).
pub const MAX_EMAIL_LEN: usize = 254;

/// `auth.UserTypeEnum`. Only `USER` can be created through the API: the root is the account
/// itself and service accounts are OAuth2 clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum UserType {
    Root,
    Service,
    User,
}

/// `auth.UserRequest`. Deliberately not `Debug`: it holds a password.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub login: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default, rename = "type")]
    pub user_type: Option<UserType>,
}

/// The PUT body, `auth.User`: `email`, `description` and `group` are writable; an absent field
/// keeps its value and `"email": null` clears the address. The read-only fields are accepted
/// (a client may send back what it read) and ignored, except a `login` naming another user.
/// The reference's PUT has no `password`, so it is refused like any unknown field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditUser {
    #[serde(default, deserialize_with = "nullable")]
    pub email: Option<Option<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub login: Option<String>,
    #[serde(default, rename = "status")]
    _status: Option<IgnoredAny>,
    #[serde(default, rename = "type")]
    _type: Option<IgnoredAny>,
    #[serde(default, rename = "urn")]
    _urn: Option<IgnoredAny>,
    #[serde(default, rename = "creation")]
    _creation: Option<IgnoredAny>,
    #[serde(default, rename = "lastUpdate")]
    _last_update: Option<IgnoredAny>,
    #[serde(default, rename = "passwordLastUpdate")]
    _password_last_update: Option<IgnoredAny>,
}

impl EditUser {
    /// The writable fields alone (the console's form); `None` keeps a value.
    pub fn new(
        email: Option<Option<String>>,
        description: Option<String>,
        group: Option<String>,
    ) -> EditUser {
        EditUser {
            email,
            description,
            group,
            login: None,
            _status: None,
            _type: None,
            _urn: None,
            _creation: None,
            _last_update: None,
            _password_last_update: None,
        }
    }
}

/// Tells an explicit `null` (`Some(None)`) from an absent field (`None`, via `default`).
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Logins appear in URNs (`identity:user:nic/login`) and in URL paths, so they are limited to
/// 1 to 64 letters, digits and `._@+-` (the group-name alphabet; a subset of what
/// `iam_core::urn::is_valid_login` accepts), and cannot be only dots.
pub fn validate_login(login: &str) -> Result<()> {
    let ok = !login.is_empty()
        && login.len() <= MAX_LOGIN_LEN
        && login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._@+-".contains(&b))
        && !login.bytes().all(|b| b == b'.')
        && is_valid_login(login);
    if ok {
        return Ok(());
    }
    Err(ServiceError::invalid_code(
        "INVALID_LOGIN",
        format!(
            "login {:?} is malformed: expected 1 to {MAX_LOGIN_LEN} letters, digits or ._@+- characters, not only dots",
            login.chars().take(100).collect::<String>()
        ),
    ))
}

/// A light check (something@domain, no spaces or controls): the address is informative and
/// iamd sends no mail. An empty string means no address.
pub(super) fn normalize_email(email: Option<String>) -> Result<Option<String>> {
    let Some(email) = email.filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    let well_formed = email.len() <= MAX_EMAIL_LEN
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
    if well_formed {
        return Ok(Some(email));
    }
    Err(ServiceError::invalid_code(
        "INVALID_EMAIL",
        format!(
            "email is malformed: expected an address such as user@example.com, at most {MAX_EMAIL_LEN} bytes"
        ),
    ))
}

pub(super) fn validate_description(description: &str) -> Result<()> {
    if description.chars().count() > MAX_DESCRIPTION_LEN {
        return Err(ServiceError::invalid(format!(
            "description is longer than {MAX_DESCRIPTION_LEN} characters"
        )));
    }
    Ok(())
}

pub(super) fn validate_type(user_type: Option<UserType>) -> Result<()> {
    match user_type {
        None | Some(UserType::User) => Ok(()),
        Some(UserType::Root | UserType::Service) => Err(ServiceError::invalid_code(
            "INVALID_TYPE",
            "type must be USER: the root is the account itself, and service accounts are OAuth2 clients (/me/api/oauth2/client)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_rules() {
        for ok in [
            "my_user",
            "a",
            "john.doe@example.com",
            "ops+1",
            "A-Z_0.9",
            &"x".repeat(MAX_LOGIN_LEN),
        ] {
            assert!(validate_login(ok).is_ok(), "{ok}");
            assert!(
                is_valid_login(ok),
                "every accepted login is valid in a URN: {ok}"
            );
        }
        for bad in [
            "",
            ".",
            "..",
            "has space",
            "a/b",
            "a:b",
            "st*r",
            "per%cent",
            "q?",
            "h#",
            "é",
            &"x".repeat(65),
        ] {
            assert!(validate_login(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn email_rules() {
        assert_eq!(normalize_email(None).unwrap(), None);
        assert_eq!(normalize_email(Some(String::new())).unwrap(), None);
        assert_eq!(
            normalize_email(Some("a@b".into())).unwrap().as_deref(),
            Some("a@b")
        );
        for bad in ["nobody", "@b", "a@", "a b@c", "a@b\n"] {
            assert!(normalize_email(Some(bad.into())).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn only_user_type_is_created() {
        assert!(validate_type(None).is_ok());
        assert!(validate_type(Some(UserType::User)).is_ok());
        assert!(validate_type(Some(UserType::Root)).is_err());
        assert!(validate_type(Some(UserType::Service)).is_err());
    }
}
