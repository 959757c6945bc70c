//! Okta's management error envelope (okta-surface.md §10): `errorCode`, `errorSummary`,
//! `errorLink` (= code), `errorId` (= the request id), `errorCauses` (always present). Internal
//! causes are logged, never sent.

use super::request_id;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug, Clone)]
pub struct OktaError {
    pub status: StatusCode,
    pub code: &'static str,
    pub summary: String,
    pub causes: Vec<String>,
}

impl OktaError {
    #[must_use]
    pub fn new(status: StatusCode, code: &'static str, summary: impl Into<String>) -> Self {
        Self { status, code, summary: summary.into(), causes: Vec::new() }
    }

    /// `E0000007 Not found: Resource not found: {id} ({kind})`.
    #[must_use]
    pub fn not_found(id: &str, kind: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "E0000007", format!("Not found: Resource not found: {id} ({kind})"))
    }

    /// An unexpected failure: the cause goes to the log, the client gets a generic 500.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "E0000009", "Internal Server Error")
    }
}

impl IntoResponse for OktaError {
    fn into_response(self) -> Response {
        let body = json!({
            "errorCode": self.code,
            "errorSummary": self.summary,
            "errorLink": self.code,
            "errorId": request_id::current(),
            "errorCauses": self.causes.iter().map(|c| json!({"errorSummary": c})).collect::<Vec<_>>(),
        });
        (self.status, Json(body)).into_response()
    }
}

impl From<crate::store::StoreError> for OktaError {
    fn from(e: crate::store::StoreError) -> Self {
        match e {
            crate::store::StoreError::InvalidText(_) => Self {
                causes: vec![NUL_TEXT.to_owned()],
                ..Self::new(StatusCode::BAD_REQUEST, "E0000001", "Api validation failed: text")
            },
            e => Self::internal(&e),
        }
    }
}

/// Why a value the database refused is bad input (`StoreError::InvalidText`).
pub const NUL_TEXT: &str = "text: must not contain a NUL character";

impl From<crate::oauth::server::NotServed> for OktaError {
    fn from(e: crate::oauth::server::NotServed) -> Self {
        use crate::oauth::server::NotServed;
        match e {
            NotServed::Unknown(id) => Self::new(StatusCode::NOT_FOUND, NotServed::CODE, NotServed::summary(&id)),
            NotServed::Store(e) => e.into(),
        }
    }
}

impl From<crate::jose::JoseError> for OktaError {
    fn from(e: crate::jose::JoseError) -> Self {
        Self::internal(&e)
    }
}

pub async fn not_found(method: Method, uri: Uri) -> OktaError {
    OktaError::not_found(uri.path(), method.as_str())
}

pub async fn method_not_allowed() -> OktaError {
    OktaError::new(StatusCode::METHOD_NOT_ALLOWED, "E0000022", "The endpoint does not support the provided HTTP method")
}
