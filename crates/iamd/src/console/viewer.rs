//! `Viewer`: the person looking at a console page, from their session cookie. Every request
//! re-reads who they are (the user may have been disabled, deleted or re-created a moment
//! ago, the root's credentials rotated: `Session::binding`) and
//! checks the session against the revocation list (they may have logged out on another
//! node). Without a valid session, the answer is the login page.

use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::console::session::{self, Session};
use crate::http::extract::client_ip;
use crate::service::authenticate;
use crate::service::principal::{Actor, Principal};
use crate::state::AppState;

pub struct Viewer {
    pub actor: Actor,
    pub session: Session,
    /// The token every form of this session must send back (`_csrf`).
    pub csrf: String,
}

impl Viewer {
    /// How the viewer is named in the header: `xx1111-ovh` or `xx1111-ovh/alice`.
    pub fn name(&self) -> String {
        match &self.session.login {
            None => self.session.account.clone(),
            Some(login) => format!("{}/{login}", self.session.account),
        }
    }
}

/// The CSRF token of a session: a keyed hash of its id, so it needs no storage and cannot
/// be computed without the server's key.
pub fn csrf_token(state: &AppState, session: &Session) -> String {
    let mac = state.secrets.hash(&format!("console-csrf:{}", session.sid));
    URL_SAFE_NO_PAD.encode(&mac[..24])
}

/// The value of cookie `name` in the request, if any.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// Sends the browser to the login page, dropping whatever session cookie it had, and
/// remembering where it was going (a console path only: never an open redirect).
pub fn to_login(state: &AppState, parts: &Parts) -> Response {
    // Inside the nested router the URI has lost its `/console` prefix; the original has it.
    let path = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| parts.uri.path(), |original| original.0.path());
    let target = if path.starts_with("/console/") && parts.method == axum::http::Method::GET {
        format!(
            "/console/login?next={}",
            form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>()
        )
    } else {
        "/console/login".to_owned()
    };
    let mut response = Redirect::to(&target).into_response();
    if let Ok(value) = clear_cookie(state, session::COOKIE).parse() {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, scoped to the console, Secure when the
/// server is reached over HTTPS.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: i64) -> String {
    let secure = if secure_cookies(state) {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{name}={value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    )
}

pub fn clear_cookie(state: &AppState, name: &str) -> String {
    set_cookie(state, name, "", 0)
}

/// Cookies are `Secure` when iamd serves TLS itself or is published under an https URL (a
/// TLS-terminating proxy in front).
fn secure_cookies(state: &AppState) -> bool {
    state.config.tls.is_some() || state.config.public_url.starts_with("https://")
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let now = state.clock.now();
        let Some(session) = cookie(parts, session::COOKIE)
            .and_then(|value| state.console.sessions.open(value, now))
        else {
            return Err(to_login(state, parts));
        };
        if state.revocations.key_revoked(&session.revocation_key()) {
            return Err(to_login(state, parts));
        }
        let Some(principal) = principal(state, &session).await else {
            return Err(to_login(state, parts));
        };
        Ok(Viewer {
            csrf: csrf_token(state, &session),
            actor: Actor {
                principal,
                ip: client_ip(parts),
            },
            session,
        })
    }
}

/// Who the session's holder is now, or nobody: the account gone, the user disabled or
/// deleted, or no longer the one who signed in (a login re-created, the root's credentials
/// rotated).
async fn principal(state: &AppState, session: &Session) -> Option<Principal> {
    let (principal, binding) =
        authenticate::session_holder(state, &session.account, session.login.as_deref())
            .await
            .ok()?;
    (binding == session.binding).then_some(principal)
}
