//! The one place where an error becomes an HTTP status and an OVH-shaped body:
//! `{"class": "Client::BadRequest", "message": "...", "details": {...}}`.
//! Internal error text is logged here and never sent.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::header::{CACHE_CONTROL, PRAGMA, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::http::body::BodyError;
use crate::service::error::ServiceError;
use crate::service::oauth::OAuthError;

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub class: String,
    pub message: String,
    pub details: BTreeMap<String, String>,
    /// The legacy `errorCode` field that python-ovh reads on 401/403 to pick its exception class.
    pub error_code: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    class: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    details: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, class: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            class: class.into(),
            message: message.into(),
            details: BTreeMap::new(),
            error_code: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Client::BadRequest", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "Client::NotFound", message)
    }

    pub fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Client::PayloadTooLarge",
            "the request body is too large",
        )
    }

    pub fn timeout() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Server::Timeout",
            "the request took too long and was abandoned",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Server::InternalServerError",
            "internal server error",
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Server::ServiceUnavailable",
            "service temporarily unavailable",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            class: &self.class,
            message: &self.message,
            details: &self.details,
            error_code: self.error_code,
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid { code, message } => {
                let class = code.map_or_else(
                    || "Client::BadRequest".to_owned(),
                    |c| format!("Client::BadRequest::{c}"),
                );
                ApiError::new(StatusCode::BAD_REQUEST, class, message)
            }
            ServiceError::Unauthenticated(message) => ApiError {
                error_code: Some("INVALID_CREDENTIAL"),
                ..ApiError::new(StatusCode::UNAUTHORIZED, "Client::Unauthorized", message)
            },
            ServiceError::NotGranted { actions } => not_granted(actions),
            ServiceError::Forbidden(message) => ApiError {
                error_code: Some("FORBIDDEN"),
                ..ApiError::new(StatusCode::FORBIDDEN, "Client::Forbidden", message)
            },
            ServiceError::NotFound(what) => ApiError::not_found(format!("{what} does not exist")),
            ServiceError::Conflict(message) => {
                ApiError::new(StatusCode::CONFLICT, "Client::Conflict", message)
            }
            ServiceError::Internal(message) => {
                tracing::error!(error = %message, "internal error");
                ApiError::internal()
            }
            ServiceError::Unavailable(message) => {
                tracing::warn!(error = %message, "store unavailable");
                ApiError::unavailable()
            }
            ServiceError::Busy(message) => {
                tracing::warn!(reason = %message, "refused: server busy");
                ApiError::unavailable()
            }
        }
    }
}

/// An IAM denial: python-ovh maps `NOT_GRANTED_CALL` to its `NotGrantedCall` exception and
/// go-ovh prints the missing actions from `details`.
fn not_granted(actions: Vec<String>) -> ApiError {
    let joined = actions.join(",");
    let mut error = ApiError::new(
        StatusCode::FORBIDDEN,
        "Client::Forbidden",
        format!("This call has not been granted (missing IAM permissions: {joined})"),
    );
    error
        .details
        .insert("unauthorizedActionsByIAM".into(), joined);
    error
        .details
        .insert("unauthorizedActionsByAuthentication".into(), String::new());
    error.error_code = Some("NOT_GRANTED_CALL");
    error
}

impl From<BodyError> for ApiError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::TooLarge => ApiError::payload_too_large(),
            BodyError::NotJson
            | BodyError::Unreadable
            | BodyError::Syntax(_)
            | BodyError::Invalid(_) => ApiError::bad_request(e.to_string()),
        }
    }
}

/// A path segment that does not decode (not UTF-8 once percent-decoded, not a UUID…), said
/// in the API's words: axum's own texts name Rust types.
impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        let PathRejection::FailedToDeserializePathParams(failed) = rejection else {
            tracing::error!(error = %rejection.body_text(), "route without its path parameters");
            return ApiError::internal();
        };
        let message = match failed.into_kind() {
            ErrorKind::InvalidUtf8InPathParam { key } => {
                format!("path parameter {key}: not valid UTF-8 once percent-decoded")
            }
            ErrorKind::ParseErrorAtKey { key, value, .. }
            | ErrorKind::DeserializeError { key, value, .. } => {
                format!("path parameter {key}: {} is malformed", quoted(&value))
            }
            ErrorKind::ParseErrorAtIndex { value, .. } | ErrorKind::ParseError { value, .. } => {
                format!("path parameter {} is malformed", quoted(&value))
            }
            ErrorKind::Message(message) => format!("path parameter: {message}"),
            other => {
                tracing::error!(error = %other, "path parameters do not fit the handler");
                return ApiError::internal();
            }
        };
        ApiError::bad_request(format!("invalid path: {message}"))
    }
}

/// A client's value echoed back, cut short.
fn quoted(value: &str) -> String {
    format!("{:?}", value.chars().take(100).collect::<String>())
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::bad_request(format!("invalid query string: {}", rejection.body_text()))
    }
}

/// OAuth2 endpoints answer in RFC 6749 §5.2's shape, `{"error", "error_description"}`, never
/// cached. `invalid_client` is 401 with a `WWW-Authenticate` challenge (§5.2 requires it when
/// Basic was tried; HTTP requires a challenge on every 401, so it is always sent).
impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status = match &self {
            OAuthError::InvalidClient { .. } => StatusCode::UNAUTHORIZED,
            OAuthError::Server(ServiceError::Unavailable(message)) => {
                tracing::warn!(error = %message, "store unavailable");
                StatusCode::SERVICE_UNAVAILABLE
            }
            OAuthError::Server(e) => {
                tracing::error!(error = %e, "internal error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::BAD_REQUEST,
        };
        let description = match &self {
            OAuthError::Server(_) => "the server could not complete the request".to_owned(),
            other => other.to_string(),
        };
        let body = serde_json::json!({"error": self.code(), "error_description": description});
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"iamd\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(error: ApiError) -> (StatusCode, serde_json::Value) {
        let response = error.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn each_service_error_has_its_status_and_class() {
        let cases = [
            (ServiceError::invalid("bad"), 400, "Client::BadRequest"),
            (
                ServiceError::invalid_code("INVALID_RESOURCE_URN", "bad urn"),
                400,
                "Client::BadRequest::INVALID_RESOURCE_URN",
            ),
            (
                ServiceError::Unauthenticated("no".into()),
                401,
                "Client::Unauthorized",
            ),
            (
                ServiceError::Forbidden("read-only".into()),
                403,
                "Client::Forbidden",
            ),
            (
                ServiceError::NotFound("policy".into()),
                404,
                "Client::NotFound",
            ),
            (
                ServiceError::Conflict("dup".into()),
                409,
                "Client::Conflict",
            ),
            (
                ServiceError::Unavailable("db down".into()),
                503,
                "Server::ServiceUnavailable",
            ),
            (
                ServiceError::Busy("too many".into()),
                503,
                "Server::ServiceUnavailable",
            ),
        ];
        for (error, status, class) in cases {
            let (got_status, body) = body_of(error.into()).await;
            assert_eq!(got_status.as_u16(), status);
            assert_eq!(body["class"], class);
        }
    }

    #[tokio::test]
    async fn internal_text_never_reaches_the_client() {
        let (status, body) =
            body_of(ServiceError::Internal("password=hunter2 at db.rs:12".into()).into()).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body.to_string().contains("hunter2"));
    }

    #[tokio::test]
    async fn oauth_errors_have_the_rfc_shape() {
        let response = OAuthError::InvalidClient { basic: true }.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[WWW_AUTHENTICATE], "Basic realm=\"iamd\"");
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["error"], "invalid_client");
        let internal =
            OAuthError::Server(ServiceError::Internal("secret detail".into())).into_response();
        assert_eq!(internal.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let bytes = axum::body::to_bytes(internal.into_body(), 1 << 16)
            .await
            .unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("secret detail"));
        let scope = OAuthError::InvalidScope("bad".into()).into_response();
        assert_eq!(scope.status(), StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn denial_names_the_missing_actions() {
        let error = ServiceError::NotGranted {
            actions: vec!["a:b:c".into(), "a:b:d".into()],
        };
        let (status, body) = body_of(error.into()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["details"]["unauthorizedActionsByIAM"], "a:b:c,a:b:d");
        assert_eq!(body["errorCode"], "NOT_GRANTED_CALL");
    }
}
