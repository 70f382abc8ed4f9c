//! Forms posted to the console. `SecureForm` is the only way a handler reads one: it needs a
//! session (`Viewer`), refuses a request from another origin, and refuses a body without
//! the session's CSRF token. `Fields` keeps repeated keys, which the policy form uses for
//! its lists.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::{HOST, ORIGIN};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::console::viewer::Viewer;
use crate::state::AppState;

/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";

/// A form's fields in the order they came, repeated keys included.
#[derive(Debug, Default, Clone)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Fields {
        Fields(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of `name`, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// The first value of `name` untrimmed (passwords, JSON).
    pub fn raw(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every non-empty value of `name`, trimmed, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// A posted form from a signed-in viewer, with its CSRF token checked.
pub struct SecureForm {
    pub viewer: Viewer,
    pub fields: Fields,
}

impl FromRequest<AppState> for SecureForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        if !same_origin(&parts) {
            return Err(refused("This form was sent from another site."));
        }
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let fields = Fields::parse(&body);
        if !constant_time_eq(fields.raw(CSRF_FIELD).as_bytes(), viewer.csrf.as_bytes()) {
            return Err(refused(
                "This form has expired or did not come from this console. Go back, reload the page and try again.",
            ));
        }
        Ok(SecureForm { viewer, fields })
    }
}

/// A browser names the page's origin on every POST; when it does, it must be this server.
/// (SameSite=Strict already keeps the cookie off cross-site requests; this and the token
/// are the second and third locks.)
pub fn same_origin(parts: &Parts) -> bool {
    let Some(origin) = parts.headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some(host) = parts.headers.get(HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn refused(message: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        axum::response::Html(format!(
            "<!doctype html><meta charset=utf-8><title>Refused</title><link rel=stylesheet href=/console/assets/console.css><main class=narrow><h1>Refused</h1><p class=error>{message}</p><p><a href=/console/>Back to the console</a></p></main>"
        )),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_repeated_keys_and_trim() {
        let f = Fields::parse(b"a=+1+&b=x&b=&b=y&p=+secret+");
        assert_eq!(f.get("a"), "1");
        assert_eq!(f.all("b"), vec!["x", "y"]);
        assert_eq!(f.raw("p"), " secret ");
        assert_eq!(f.get("missing"), "");
        assert!(f.has("b") && !f.has("c"));
    }

    #[test]
    fn equal_bytes_compare_equal() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
