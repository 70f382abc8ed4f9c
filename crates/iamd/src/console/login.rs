//! Signing in and out of the console. The login form has no session yet, so its CSRF token
//! is a random value set both in a short-lived cookie and in the form (double submit).
//! Wrong credentials get one answer whatever was wrong; repeated failures for a name, or
//! from an address, must wait longer and longer (`throttle`), and each attempt is counted
//! before its password is verified.

use askama::Template;
use axum::extract::{Query, Request, State};
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use iam_store::RevokedToken;
use serde::Deserialize;

use crate::console::form::{CSRF_FIELD, Fields, SecureForm, constant_time_eq, same_origin};
use crate::console::page::render_status;
use crate::console::session::{self, Session};
use crate::console::throttle::{Admission, AttemptKeys};
use crate::console::viewer::{clear_cookie, cookie, set_cookie};
use crate::http::extract::client_ip;
use crate::service::error::ServiceError;
use crate::service::principal::{Principal, PrincipalKind};
use crate::service::sign_in::{self, SignInName};
use crate::state::AppState;
use crate::token::secret::random_bytes;

/// The login form's double-submit cookie.
const LOGIN_CSRF_COOKIE: &str = "iamd_console_login";
/// How long a login form stays usable.
const LOGIN_FORM_SECS: i64 = 3600;

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    csrf: String,
    name: String,
    next: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

/// Only a console path is a place to go after signing in. It must also be a valid
/// `Location` value: a control character (`\r`, `\n`, NUL…) would otherwise fail the redirect
/// after the password was verified; such a `next` is ignored like any other unsafe one.
fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| n.starts_with("/console/") && !n.starts_with("/console//"))
        .filter(|n| !n.contains('\\') && !n.starts_with("/console/login"))
        .filter(|n| !n.chars().any(char::is_control) && HeaderValue::from_str(n).is_ok())
        .unwrap_or("/console/")
        .to_owned()
}

fn login_page(
    state: &AppState,
    status: StatusCode,
    name: String,
    next: String,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Response {
    let Ok(bytes) = random_bytes::<16>() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "no randomness").into_response();
    };
    let csrf = URL_SAFE_NO_PAD.encode(bytes);
    let mut response = render_status(
        status,
        &LoginPage {
            csrf: csrf.clone(),
            name,
            next,
            error,
            notice,
        },
    );
    if let Ok(value) = set_cookie(state, LOGIN_CSRF_COOKIE, &csrf, LOGIN_FORM_SECS).parse() {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

pub async fn form(State(state): State<AppState>, Query(query): Query<LoginQuery>) -> Response {
    let notice = (query.done.as_deref() == Some("logged-out")).then_some("You are signed out.");
    login_page(
        &state,
        StatusCode::OK,
        String::new(),
        safe_next(query.next.as_deref()),
        None,
        notice,
    )
}

pub async fn submit(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response();
    };
    let fields = Fields::parse(&body);
    let name_text = fields.get("name");
    let next = safe_next(Some(&fields.get("next")));
    let again = |status, error: &str| {
        login_page(
            &state,
            status,
            name_text.clone(),
            next.clone(),
            Some(error.to_owned()),
            None,
        )
    };
    let expected = cookie(&parts, LOGIN_CSRF_COOKIE).unwrap_or("");
    if !same_origin(&parts)
        || expected.is_empty()
        || !constant_time_eq(fields.raw(CSRF_FIELD).as_bytes(), expected.as_bytes())
    {
        return again(
            StatusCode::FORBIDDEN,
            "This form expired. Please sign in again.",
        );
    }
    let Some(name) = SignInName::parse(&name_text) else {
        return again(
            StatusCode::BAD_REQUEST,
            "Enter your account (xx1111-ovh) or account/login (xx1111-ovh/alice).",
        );
    };
    let keys = AttemptKeys {
        name: format!("name:{}", name.throttle_key()),
        address: client_ip(&parts).map(|ip| format!("ip:{ip}")),
    };
    match state.console.login_throttle.admit(&keys).await {
        Ok(Admission::Admitted) => {}
        Ok(Admission::Wait(wait)) => {
            let seconds = wait.as_secs_f64().ceil().max(1.0);
            let message =
                format!("Too many failed attempts. Wait {seconds} seconds before trying again.");
            return retry_after(again(StatusCode::TOO_MANY_REQUESTS, &message), seconds);
        }
        Err(e) => {
            let (status, _, message) = crate::console::page::describe(&e.into());
            return again(status, &message);
        }
    }
    let password = zeroize::Zeroizing::new(fields.raw("password"));
    match sign_in::sign_in(&state, &name, &password).await {
        Ok((principal, binding)) => {
            if let Err(e) = state.console.login_throttle.succeeded(&keys).await {
                tracing::warn!(error = %e, "console: could not clear the login counters");
            }
            signed_in(&state, &principal, &binding, &next).unwrap_or_else(|| {
                again(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Could not start a session.",
                )
            })
        }
        // Already counted before the verification: nothing more to record.
        Err(ServiceError::Unauthenticated(_)) => again(
            StatusCode::UNAUTHORIZED,
            "Wrong account, login or password.",
        ),
        Err(other) => {
            // Never verified (busy, or the store failed): it counts against nobody.
            if let Err(e) = state.console.login_throttle.unchecked(&keys).await {
                tracing::warn!(error = %e, "console: could not take back a login attempt");
            }
            let busy = matches!(other, ServiceError::Busy(_));
            let (status, _, message) = crate::console::page::describe(&other);
            let page = again(status, &message);
            if busy { retry_after(page, 1.0) } else { page }
        }
    }
}

/// The redirect into the console with a new session cookie.
fn signed_in(
    state: &AppState,
    principal: &Principal,
    binding: &str,
    next: &str,
) -> Option<Response> {
    let login = match &principal.kind {
        PrincipalKind::User { login, .. } => Some(login.as_str()),
        _ => None,
    };
    let sealed = Session::new(&principal.account, login, binding, state.clock.now())
        .and_then(|s| state.console.sessions.seal(&s))?;
    tracing::info!(who = %principal.identity(), "console: signed in");
    let mut response = Redirect::to(next).into_response();
    let headers = response.headers_mut();
    for cookie in [
        set_cookie(
            state,
            session::COOKIE,
            &sealed,
            session::LIFETIME.num_seconds(),
        ),
        clear_cookie(state, LOGIN_CSRF_COOKIE),
    ] {
        if let Ok(value) = cookie.parse() {
            headers.append(SET_COOKIE, value);
        }
    }
    Some(response)
}

/// Tells the browser (and scripts) when to try again (RFC 9110 §10.2.3).
fn retry_after(mut response: Response, seconds: f64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&format!("{seconds:.0}")) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

/// Ends the session here and on every node (the revocation list), then forgets the cookie.
/// Without a valid session there is nothing to end: the rejection is the login page.
pub async fn logout(State(state): State<AppState>, form: Result<SecureForm, Response>) -> Response {
    let viewer = match form {
        Ok(SecureForm { viewer, .. }) => viewer,
        Err(response) => return response,
    };
    revoke(&state, &viewer.session).await;
    tracing::info!(who = %viewer.name(), "console: signed out");
    let mut response = Redirect::to("/console/login?done=logged-out").into_response();
    if let Ok(value) = clear_cookie(&state, session::COOKIE).parse() {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

async fn revoke(state: &AppState, session: &Session) {
    let revoked = RevokedToken {
        jti: session.revocation_key(),
        account: session.account.clone(),
        expires_at: session.expires_at(),
    };
    match state.store.revoke_token(&revoked).await {
        Ok(()) => state.revocations.insert(&revoked.jti, revoked.expires_at),
        Err(e) => {
            // This node still refuses the session; other nodes would not: say so.
            tracing::error!(error = %e, "console: could not store the end of a session");
            state.revocations.insert(&revoked.jti, revoked.expires_at);
        }
    }
}
