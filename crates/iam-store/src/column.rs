//! How values without a native column type are written, the same way by both adapters:
//! timestamps (truncated to the microsecond), JSON text, wire enums (an unknown stored text
//! is `Invalid`), and a policy's
//! permission lists as `(kind, position, action)` rows.

use chrono::{DateTime, SubsecRound, Utc};
use iam_core::policy::{ActionRef, Permissions};
use iam_core::role::Role;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{ClientFlow, KeyAlgorithm, KeyUsage, Result, StoreError, UserStatus};

/// PostgreSQL keeps microseconds, so both backends truncate to them: a value reads back
/// exactly as written only if it had no finer part. Callers that compare round-trips
/// (the services) truncate `now` the same way.
pub(crate) fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// SQLite's form: RFC 3339 with exactly six fractional digits and `Z`. Fixed width, so that
/// `ORDER BY` and `<` on the text follow time (sqlx's own encoding drops trailing zeros).
pub(crate) fn sqlite_text(t: DateTime<Utc>) -> String {
    micros(t).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Invalid(format!("cannot encode JSON: {e}")))
}

pub(crate) fn from_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Invalid(format!("stored JSON cannot be read: {e}")))
}

pub(crate) fn role(text: &str) -> Result<Role> {
    Role::parse(text).ok_or_else(|| StoreError::Invalid(format!("stored role {text:?}")))
}

pub(crate) fn user_status(text: &str) -> Result<UserStatus> {
    UserStatus::parse(text)
        .ok_or_else(|| StoreError::Invalid(format!("stored user status {text:?}")))
}

pub(crate) fn client_flow(text: &str) -> Result<ClientFlow> {
    ClientFlow::parse(text).ok_or_else(|| StoreError::Invalid(format!("stored flow {text:?}")))
}

pub(crate) fn key_usage(text: &str) -> Result<KeyUsage> {
    KeyUsage::parse(text).ok_or_else(|| StoreError::Invalid(format!("stored key usage {text:?}")))
}

pub(crate) fn key_algorithm(text: &str) -> Result<KeyAlgorithm> {
    KeyAlgorithm::parse(text)
        .ok_or_else(|| StoreError::Invalid(format!("stored key algorithm {text:?}")))
}

/// The rows of a permissions block, each list keeping its order through `position`.
pub(crate) fn permission_rows(p: &Permissions) -> impl Iterator<Item = (&'static str, i32, &str)> {
    let kinds = [
        ("allow", &p.allow),
        ("except", &p.except),
        ("deny", &p.deny),
    ];
    kinds.into_iter().flat_map(|(kind, list)| {
        list.iter()
            .zip(0..)
            .map(move |(a, i)| (kind, i, a.action.as_str()))
    })
}

/// Appends one stored row; rows arrive ordered by position.
pub(crate) fn push_permission(p: &mut Permissions, kind: &str, action: String) -> Result<()> {
    let list = match kind {
        "allow" => &mut p.allow,
        "except" => &mut p.except,
        "deny" => &mut p.deny,
        other => {
            return Err(StoreError::Invalid(format!(
                "stored permission kind {other:?}"
            )));
        }
    };
    list.push(ActionRef { action });
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sqlite_text_is_fixed_width_and_truncated() {
        let t = Utc.timestamp_opt(1_700_000_000, 123_456_789).unwrap();
        assert_eq!(sqlite_text(t), "2023-11-14T22:13:20.123456Z");
        let whole = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        assert_eq!(sqlite_text(whole), "2023-11-14T22:13:20.000000Z");
    }

    #[test]
    fn permissions_round_trip_through_rows() {
        let p = Permissions {
            allow: vec![ActionRef::new("a"), ActionRef::new("b")],
            except: vec![ActionRef::new("c")],
            deny: vec![ActionRef::new("d")],
        };
        let mut back = Permissions::default();
        for (kind, _, action) in permission_rows(&p) {
            push_permission(&mut back, kind, action.to_owned()).unwrap();
        }
        assert_eq!(back, p);
    }
}
