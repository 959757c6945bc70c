//! OAuth error responses (RFC 6749 §5.2; okta-surface.md §8; xaa.md §0): a JSON body with
//! Okta's `error` and exact `error_description`, `Cache-Control: no-store`, and the Okta
//! internal name (`reason`) kept for the System Log only, never sent.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};

#[derive(Debug, Clone)]
pub struct OAuthError {
    pub status: StatusCode,
    /// The OAuth `error` code sent to the client.
    pub error: &'static str,
    /// Okta's internal name (`debugData.error` in the System Log).
    pub reason: &'static str,
    pub description: String,
    /// Adds `WWW-Authenticate: Basic realm="baton"` (a failed Basic authentication).
    pub basic_challenge: bool,
    /// Extra response members (e.g. `consent_uri`).
    pub extra: Vec<(String, Value)>,
}

impl OAuthError {
    #[must_use]
    pub fn new(status: StatusCode, error: &'static str, reason: &'static str, description: impl Into<String>) -> Self {
        Self { status, error, reason, description: description.into(), basic_challenge: false, extra: Vec::new() }
    }

    /// 400 with `error` and `reason` equal.
    #[must_use]
    pub fn bad(error: &'static str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, error, description)
    }

    #[must_use]
    pub fn invalid_request(reason: &'static str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", reason, description)
    }

    #[must_use]
    pub fn invalid_grant(reason: &'static str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", reason, description)
    }

    /// 401 `invalid_client`.
    #[must_use]
    pub fn invalid_client(reason: &'static str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", reason, description)
    }

    /// A required parameter is absent (or empty, which counts as absent).
    #[must_use]
    pub fn missing(name: &str) -> Self {
        Self::invalid_request("missing_parameter", format!("The request is missing a required parameter: '{name}'."))
    }

    /// A parameter was sent more than once.
    #[must_use]
    pub fn repeated(name: &str) -> Self {
        Self::invalid_request("repeated_parameter", format!("The '{name}' parameter was repeated."))
    }

    #[must_use]
    pub fn invalid_scope() -> Self {
        Self::bad(
            "invalid_scope",
            "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.",
        )
    }

    #[must_use]
    pub fn server_error(reason: &'static str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", reason, description)
    }

    #[must_use]
    pub fn with_basic_challenge(mut self) -> Self {
        self.basic_challenge = true;
        self
    }

    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.push((key.into(), value.into()));
        self
    }
}

/// Adds the headers every token-endpoint response carries (RFC 6749 §5.1).
pub fn no_store(response: &mut Response) {
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert("error".into(), Value::String(self.error.into()));
        body.insert("error_description".into(), Value::String(self.description));
        body.extend(self.extra);
        let mut response = (self.status, Json(Value::Object(body))).into_response();
        no_store(&mut response);
        if self.basic_challenge {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"baton\""));
        }
        response
    }
}

impl OAuthError {
    /// A request value the database cannot store (a NUL character): `invalid_request`.
    #[must_use]
    pub fn nul_text() -> Self {
        Self::invalid_request("invalid_text", "A request parameter contains a NUL character.")
    }
}

impl From<crate::store::StoreError> for OAuthError {
    fn from(e: crate::store::StoreError) -> Self {
        if let crate::store::StoreError::InvalidText(_) = e {
            return Self::nul_text();
        }
        tracing::error!(error = %e, "store failure in an OAuth request");
        Self::server_error("server_error", "The server encountered an internal error.")
    }
}

impl From<crate::jose::JoseError> for OAuthError {
    fn from(e: crate::jose::JoseError) -> Self {
        tracing::error!(error = %e, "signing failure in an OAuth request");
        Self::server_error("server_error", "The server encountered an internal error.")
    }
}
