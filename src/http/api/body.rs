//! Request bodies, query strings and validation errors of the Management API. A body that is
//! not JSON (or not the expected shape) is 400 `E0000003`; a well-formed body whose values are
//! wrong is 400 `E0000001` with one `errorCauses` entry per field.

use crate::http::error::OktaError;
use crate::store::StoreError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use std::convert::Infallible;

/// A JSON body. An empty body reads as `{}`-shaped only if `T` accepts it; otherwise it is
/// `E0000003` like any malformed body.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

/// 400 `E0000003 The request body was not well-formed.`
#[must_use]
pub fn malformed() -> OktaError {
    OktaError::new(StatusCode::BAD_REQUEST, "E0000003", "The request body was not well-formed.")
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = OktaError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|_| malformed())?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &bytes };
        serde_json::from_slice(bytes).map(Self).map_err(|e| {
            tracing::debug!(error = %e, "malformed management API body");
            malformed()
        })
    }
}

/// The query string, first value of each name; never rejects.
#[derive(Debug, Clone, Default)]
pub struct ApiQuery(pub Vec<(String, String)>);

impl ApiQuery {
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A boolean flag such as `activate=false`; absent → `default`; anything but
    /// `true`/`false` → `E0000001`.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, OktaError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(_) => Err(Validation::one(name, "must be true or false")),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ApiQuery {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let pairs = url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Ok(Self(pairs))
    }
}

/// Collects field errors, then fails with one `E0000001` naming them all:
/// `Api validation failed: login, email` with causes `login: …`, `email: …`.
#[derive(Debug, Default)]
pub struct Validation {
    fields: Vec<String>,
    causes: Vec<String>,
}

impl Validation {
    /// Records `field: message`.
    pub fn error(&mut self, field: &str, message: &str) {
        if !self.fields.iter().any(|f| f == field) {
            self.fields.push(field.to_owned());
        }
        self.causes.push(format!("{field}: {message}"));
    }

    /// Records `field: message` unless `ok`.
    pub fn check(&mut self, ok: bool, field: &str, message: &str) {
        if !ok {
            self.error(field, message);
        }
    }

    /// Records a missing required value.
    pub fn require<T>(&mut self, value: Option<&T>, field: &str) {
        self.check(value.is_some(), field, "The field cannot be left blank");
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.causes.is_empty()
    }

    /// `Ok(())` when nothing was recorded, else the `E0000001` error.
    pub fn finish(self) -> Result<(), OktaError> {
        if self.causes.is_empty() {
            return Ok(());
        }
        let mut e = OktaError::new(
            StatusCode::BAD_REQUEST,
            "E0000001",
            format!("Api validation failed: {}", self.fields.join(", ")),
        );
        e.causes = self.causes;
        Err(e)
    }

    /// One failed field as an error.
    #[must_use]
    pub fn one(field: &str, message: &str) -> OktaError {
        let mut v = Self::default();
        v.error(field, message);
        v.finish().err().unwrap_or_else(malformed)
    }
}

/// Okta's answer to a uniqueness violation: `E0000001` naming the field.
#[must_use]
pub fn conflict(field: &str) -> OktaError {
    Validation::one(field, "An object with this field already exists in the current organization")
}

/// Maps a store error, turning a unique violation into `conflict(field)` and a missing
/// reference into `E0000001` on that reference; anything else is a 500.
#[must_use]
pub fn store_error(e: StoreError, field: &str) -> OktaError {
    match e {
        StoreError::Conflict(_) => conflict(field),
        StoreError::MissingReference(what) => Validation::one(&what, "The referenced object does not exist"),
        other => OktaError::from(other),
    }
}

/// 403 `E0000038`: the operation is not allowed in the object's current status.
#[must_use]
pub fn wrong_status() -> OktaError {
    OktaError::new(StatusCode::FORBIDDEN, "E0000038", "This operation is not allowed in the user's current status.")
}
