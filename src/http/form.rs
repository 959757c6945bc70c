//! Strict parameters for OAuth endpoints, read from the request: the body must be
//! `application/x-www-form-urlencoded` (else `invalid_request` JSON, never axum's plain text)
//! and is parsed once into `oauth::params::Params`.

use crate::oauth::error::OAuthError;
pub use crate::oauth::params::Params;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;

/// Largest accepted form body: generous for assertions, small enough to refuse abuse.
const MAX_FORM_BYTES: usize = 64 * 1024;

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = OAuthError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
            v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
        });
        if !is_form {
            return Err(OAuthError::invalid_request(
                "invalid_content_type",
                "The request body must be application/x-www-form-urlencoded.",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| OAuthError::invalid_request("invalid_request_body", "The request body could not be read."))?;
        if bytes.len() > MAX_FORM_BYTES {
            return Err(OAuthError::invalid_request("invalid_request_body", "The request body is too large."));
        }
        Ok(Self::parse(&bytes))
    }
}
