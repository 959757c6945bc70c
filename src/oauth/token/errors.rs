//! The token-endpoint rows of Okta's error catalogue (okta-surface.md §8), byte for byte. Each
//! `OAuthError` carries the `error` sent and Okta's internal name (its `reason`), which only the
//! System Log sees (`debugData.error`): `OAuthError::new` takes both, `bad` uses the `error` as
//! the reason, and `invalid_grant`, `invalid_request` and `invalid_client` fix the `error` and
//! take the reason first.

use crate::oauth::error::OAuthError;
use axum::http::StatusCode;

/// `[a, b]`: how the catalogue fills `[..]`.
#[must_use]
pub fn bracketed(values: &[impl AsRef<str>]) -> String {
    let joined: Vec<&str> = values.iter().map(AsRef::as_ref).collect();
    format!("[{}]", joined.join(", "))
}

pub const INVALID_CODE: &str = "The authorization code is invalid or has expired.";
pub const INVALID_REFRESH: &str = "The refresh token is invalid or expired.";

#[must_use]
pub fn invalid_code() -> OAuthError {
    OAuthError::invalid_grant("invalid_authorization_code", INVALID_CODE)
}

#[must_use]
pub fn invalid_refresh_token() -> OAuthError {
    OAuthError::invalid_grant("invalid_refresh_token", INVALID_REFRESH)
}

#[must_use]
pub fn client_mismatch() -> OAuthError {
    OAuthError::invalid_grant(
        "client_mismatch",
        "The grant was issued to another client. Ensure that the `client_id` matches the one used at the authorize request.",
    )
}

#[must_use]
pub fn mismatched_redirect_uri() -> OAuthError {
    OAuthError::invalid_grant(
        "mismatched_redirect_uri",
        "The 'redirect_uri' does not match the redirection URI used in the authorization request.",
    )
}

#[must_use]
pub fn pkce_missing_verifier() -> OAuthError {
    OAuthError::invalid_request("pkce_missing_verifier", "PKCE code verifier is required by the application.")
}

#[must_use]
pub fn pkce_verifier_without_challenge() -> OAuthError {
    OAuthError::invalid_request(
        "pkce_missing_challenge_verifier_present",
        "PKCE code challenge should be specified in the authorize request for code verification.",
    )
}

#[must_use]
pub fn pkce_verification_failed() -> OAuthError {
    OAuthError::invalid_grant("pkce_verification_failed", "PKCE verification failed.")
}

#[must_use]
pub fn unauthorized_client(configured: &[String]) -> OAuthError {
    OAuthError::bad(
        "unauthorized_client",
        format!(
            "The client is not authorized to use the provided grant type. Configured grant types: {}.",
            bracketed(configured)
        ),
    )
}

#[must_use]
pub fn unsupported_grant_type(configured: &[&str]) -> OAuthError {
    OAuthError::bad(
        "unsupported_grant_type",
        format!(
            "The authorization grant type is not supported by the authorization server. Configured grant types: {}.",
            bracketed(configured)
        ),
    )
}

#[must_use]
pub fn client_credentials_at_org() -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "unsupported_grant_type",
        "unsupported_grant_type_client_creds_org_as",
        "'client_credentials' grant type can only be used with a custom authorization server.",
    )
}

/// A `none` client asking for a grant for confidential clients only (xaa.md §3.1: the XAA
/// grants).
#[must_use]
pub fn public_client() -> OAuthError {
    OAuthError::invalid_client(
        "invalid_client",
        "Client authentication failed. Either the client or the client credentials are invalid.",
    )
}

#[must_use]
pub fn browser_grant() -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "unauthorized_client",
        "unsupported_grant_type_browser_request",
        "Browser requests to the token endpoint may only use the authorization_code grant_type.",
    )
}

#[must_use]
pub fn browser_offline_access() -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "invalid_scope",
        "unsupported_scope_browser_request",
        "Browser requests to the token endpoint may not include the offline_access scope.",
    )
}

#[must_use]
pub fn missing_scopes() -> OAuthError {
    OAuthError::new(StatusCode::BAD_REQUEST, "invalid_scope", "missing_scopes", "No scopes were requested.")
}

#[must_use]
pub fn no_matching_policy() -> OAuthError {
    OAuthError::new(
        StatusCode::UNAUTHORIZED,
        "access_denied",
        "no_matching_policy",
        "Policy evaluation failed for this request, please check the policy configurations.",
    )
}

#[must_use]
pub fn no_scope_allowed() -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "access_denied",
        "no_scope_allowed",
        "Policy evaluation succeeded, but all the requested scopes were rejected.",
    )
}

#[must_use]
pub fn scope_denied(denied: &[String]) -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "access_denied",
        "scope_denied",
        format!("Some of the requested scopes were denied by the policy. Denied scopes: {}.", bracketed(denied)),
    )
}

#[must_use]
pub fn refresh_scopes_denied() -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "access_denied",
        "refresh_scopes_denied",
        "Some of the scopes requested for the refresh request were not granted in the original authorize request.",
    )
}

#[must_use]
pub fn consent_required(scopes: &[String]) -> OAuthError {
    OAuthError::bad("consent_required", format!("The following scopes require user consent: {}.", bracketed(scopes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_filled_as_the_catalogue_shows() {
        assert_eq!(
            unsupported_grant_type(&["authorization_code", "refresh_token"]).description,
            "The authorization grant type is not supported by the authorization server. Configured grant types: \
             [authorization_code, refresh_token]."
        );
        let none: [&str; 0] = [];
        assert_eq!(bracketed(&none), "[]");
        let e = scope_denied(&["a:b".into(), "c".into()]);
        assert_eq!((e.error, e.reason), ("access_denied", "scope_denied"));
        assert_eq!(e.description, "Some of the requested scopes were denied by the policy. Denied scopes: [a:b, c].");
        assert_eq!(no_matching_policy().status, StatusCode::UNAUTHORIZED);
    }
}
