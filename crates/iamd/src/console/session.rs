//! Console sessions: a cookie holding the session sealed with AES-256-GCM under a key derived
//! from the master key, so any node can open it and nobody can forge or read it. Logging out
//! revokes the session id through the revocation list every node already follows (announced
//! to every node at commit). A session is bound to who signed in, not to a name: the user's
//! immutable id, or the root's current password; every request re-reads the holder and
//! compares, so a disabled or deleted user, a login re-created for someone else, or a root
//! whose credentials were rotated, is logged out at once on every node.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::token::sealed::KeySealer;
use crate::token::secret::random_bytes;

/// The cookie's name. `__Host-` would need `Secure`, which plain-HTTP development lacks.
pub const COOKIE: &str = "iamd_console";
/// How long a session lasts, however active: a stolen cookie is worth a working day at most.
pub const LIFETIME: Duration = Duration::hours(8);
/// Associated data of the sealed cookie: a sealed value made for another use does not open.
const AAD: &str = "iamd/v1/console-session";

/// What the cookie carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Random, 128 bits: the key of its revocation and of its CSRF token.
    pub sid: String,
    pub account: String,
    /// `None` for the account root.
    pub login: Option<String>,
    /// Who signed in, as `authenticate::session_holder` names it now: the user's id, or the
    /// root's password as it was. Checked on every request.
    pub binding: String,
    /// Seconds since the epoch.
    pub expires: i64,
}

impl Session {
    pub fn new(
        account: &str,
        login: Option<&str>,
        binding: &str,
        now: DateTime<Utc>,
    ) -> Option<Session> {
        let sid: [u8; 16] = random_bytes().ok()?;
        Some(Session {
            sid: URL_SAFE_NO_PAD.encode(sid),
            account: account.to_owned(),
            login: login.map(str::to_owned),
            binding: binding.to_owned(),
            expires: (now + LIFETIME).timestamp(),
        })
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        Utc.timestamp_opt(self.expires, 0)
            .single()
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// The key under which logging out revokes this session.
    pub fn revocation_key(&self) -> String {
        format!("console:{}", self.sid)
    }
}

/// Seals and opens session cookies. Deliberately not `Debug`.
pub struct SessionSealer(KeySealer);

impl SessionSealer {
    pub fn new(key: [u8; 32]) -> Self {
        Self(KeySealer::new(key))
    }

    pub fn seal(&self, session: &Session) -> Option<String> {
        let json = serde_json::to_vec(session).ok()?;
        let sealed = self.0.seal(AAD, &json).ok()?;
        Some(URL_SAFE_NO_PAD.encode(sealed))
    }

    /// The session in `value`, if it was sealed here and has not expired.
    pub fn open(&self, value: &str, now: DateTime<Utc>) -> Option<Session> {
        let sealed = URL_SAFE_NO_PAD.decode(value).ok()?;
        let json = self.0.open(AAD, &sealed).ok()?;
        let session: Session = serde_json::from_slice(&json).ok()?;
        (session.expires_at() > now).then_some(session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_sessions_open_until_they_expire() {
        let sealer = SessionSealer::new([7; 32]);
        let now = Utc::now();
        let session = Session::new("xx1111-ovh", Some("alice"), "user:1", now).unwrap();
        let cookie = sealer.seal(&session).unwrap();
        assert!(!cookie.contains("alice"), "the cookie is not readable");
        assert_eq!(sealer.open(&cookie, now), Some(session.clone()));
        assert_eq!(sealer.open(&cookie, now + LIFETIME), None);
        assert_eq!(SessionSealer::new([8; 32]).open(&cookie, now), None);
        let mut tampered = cookie.into_bytes();
        tampered[20] ^= 1;
        assert_eq!(
            sealer.open(&String::from_utf8(tampered).unwrap_or_default(), now),
            None
        );
    }
}
