//! Signing in with a password (the console's login form): the account root with its NIC
//! handle, or a user with `nic/login`. A wrong handle, an unknown user, a user without a
//! password, a disabled user and a wrong password all give the same answer, so the form
//! tells nobody which part was wrong. Argon2id runs off the async workers, one run per core at
//! most (`PasswordHashing::run`): beyond that the attempt is refused as `Busy`, unverified.

use iam_core::urn::Plate;
use iam_store::{StoreError, User, UserStatus};

use crate::service::authenticate;
use crate::service::context::ServiceContext;
use crate::service::error::{Result, ServiceError};
use crate::service::principal::{Principal, stored_account};

/// Who is signing in, parsed from what they typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInName {
    Root { account: String },
    User { account: String, login: String },
}

impl SignInName {
    /// `xx1111-ovh` is a root, `xx1111-ovh/alice` a user. Case is kept for the login and
    /// lowered for the NIC handle, which the store keeps in lower case.
    pub fn parse(text: &str) -> Option<SignInName> {
        let text = text.trim();
        match text.split_once('/') {
            None if !text.is_empty() => Some(SignInName::Root {
                account: text.to_ascii_lowercase(),
            }),
            Some((account, login)) if !account.is_empty() && !login.is_empty() => {
                Some(SignInName::User {
                    account: account.to_ascii_lowercase(),
                    login: login.to_owned(),
                })
            }
            _ => None,
        }
    }

    /// The key the login throttle counts failures under.
    pub fn throttle_key(&self) -> String {
        match self {
            SignInName::Root { account } => account.clone(),
            SignInName::User { account, login } => format!("{account}/{login}"),
        }
    }
}

pub fn wrong_credentials() -> ServiceError {
    ServiceError::Unauthenticated("wrong account, login or password".into())
}

/// The principal `name` acts as when `password` is theirs, with what its console session is
/// bound to (`authenticate::user_binding`, `authenticate::root_binding`). The user whose
/// password was checked is the one signed in: it is read once.
pub async fn sign_in(
    ctx: &ServiceContext,
    name: &SignInName,
    password: &str,
) -> Result<(Principal, String)> {
    let (account_nic, login) = match name {
        SignInName::Root { account } => (account, None),
        SignInName::User { account, login } => (account, Some(login)),
    };
    let account = match ctx.store.get_account(account_nic).await {
        Ok(account) => Some(account),
        Err(StoreError::NotFound(_)) => None,
        Err(other) => return Err(other.into()),
    };
    let user = match (&account, login) {
        (Some(account), Some(login)) => active_user(ctx, &account.nic, login).await?,
        _ => None,
    };
    let stored_hash = match (&account, &user) {
        (None, _) => None,
        (Some(account), None) if login.is_none() => Some(account.root_password_hash.clone()),
        (Some(_), None) => None,
        (Some(_), Some(user)) => Some(user.password_hash.clone()),
    };
    // An unknown name still pays for one Argon2id verification, so timing does not tell
    // which names exist.
    let matches = verify(ctx, password, stored_hash.clone()).await?;
    let Some(account) = account.filter(|_| matches && stored_hash.is_some()) else {
        return Err(wrong_credentials());
    };
    let plate = Plate::parse(&account.plate)
        .ok_or_else(|| ServiceError::Internal("stored plate".into()))?;
    match (login, user) {
        (None, _) => Ok((
            Principal::root(plate, &stored_account(&account.nic)?),
            authenticate::root_binding(ctx, &account),
        )),
        (Some(_), Some(user)) => Ok((
            authenticate::principal_of_user(plate, &user)?,
            authenticate::user_binding(&user),
        )),
        // Not reached (no user, no stored hash), but never the root by default.
        (Some(_), None) => Err(wrong_credentials()),
    }
}

/// A user who may sign in with a password: it exists, is enabled and has one.
async fn active_user(ctx: &ServiceContext, account: &str, login: &str) -> Result<Option<User>> {
    match ctx.store.get_user(account, login).await {
        Ok(user) if user.status != UserStatus::Disabled && !user.password_hash.is_empty() => {
            Ok(Some(user))
        }
        Ok(_) | Err(StoreError::NotFound(_)) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// A hash of a random password nobody knows, made once with the server's own Argon2id
/// parameters: verified when there is no real hash to compare with.
static DECOY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

async fn verify(ctx: &ServiceContext, password: &str, stored: Option<String>) -> Result<bool> {
    let password = zeroize::Zeroizing::new(password.to_owned());
    ctx.passwords
        .run(move |hashing| -> Result<bool> {
            let stored = match stored {
                Some(stored) => stored,
                None => match DECOY_HASH.get() {
                    Some(decoy) => decoy.clone(),
                    None => {
                        let decoy = hashing.hash(&crate::token::secret::generate()?)?;
                        DECOY_HASH.get_or_init(|| decoy).clone()
                    }
                },
            };
            Ok(hashing.verify(&password, &stored))
        })
        .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_as_root_or_user() {
        assert_eq!(
            SignInName::parse(" XX1111-ovh "),
            Some(SignInName::Root {
                account: "xx1111-ovh".into()
            })
        );
        assert_eq!(
            SignInName::parse("xx1111-ovh/Alice"),
            Some(SignInName::User {
                account: "xx1111-ovh".into(),
                login: "Alice".into()
            })
        );
        assert_eq!(SignInName::parse(""), None);
        assert_eq!(SignInName::parse("/alice"), None);
        assert_eq!(SignInName::parse("xx1111-ovh/"), None);
    }
}
