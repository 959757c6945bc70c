//! The leg-1 rows of xaa.md §4.8, byte for byte. The reason code (`OAuthError::reason`: the
//! argument after the `error` in `OAuthError::new`, the first one of `invalid_grant` and its
//! kin) goes to the System Log only.

use crate::oauth::error::OAuthError;
use axum::http::StatusCode;

#[must_use]
pub fn at_custom_as() -> OAuthError {
    OAuthError::bad(
        "unsupported_grant_type",
        "'urn:ietf:params:oauth:grant-type:token-exchange' grant type is not supported.",
    )
}

#[must_use]
pub fn requested_token_type() -> OAuthError {
    OAuthError::invalid_request("invalid_requested_token_type", "'requested_token_type' is invalid or not supported.")
}

#[must_use]
pub fn subject_token_type() -> OAuthError {
    OAuthError::invalid_request("invalid_subject_token_type", "'subject_token_type' is invalid or not supported.")
}

#[must_use]
pub fn actor_token_type() -> OAuthError {
    OAuthError::invalid_request("invalid_actor_token_type", "'actor_token_type' is invalid or not supported.")
}

#[must_use]
pub fn actor_token() -> OAuthError {
    OAuthError::invalid_request("invalid_actor_token", "'actor_token' is invalid.")
}

#[must_use]
pub fn audience() -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "invalid_target",
        "token_exchange_invalid_audience",
        "Token Exchange requests must include a valid audience of the authorization server.",
    )
}

#[must_use]
pub fn subject_token() -> OAuthError {
    OAuthError::invalid_request("invalid_subject_token", "'subject_token' is invalid.")
}

#[must_use]
pub fn issuer_not_allowed() -> OAuthError {
    OAuthError::invalid_request(
        "invalid_subject_token_issuer_not_allowed",
        "'subject_token' is invalid: the token issuer is not allowed for this exchange.",
    )
}

#[must_use]
pub fn issuing_server_inactive() -> OAuthError {
    OAuthError::invalid_request(
        "invalid_subject_token_authorization_server",
        "'subject_token' is invalid: the authorization server that issued it is not valid.",
    )
}

#[must_use]
pub fn subject_token_expired() -> OAuthError {
    OAuthError::invalid_grant(
        "token_exchange_subject_token_expired",
        "The 'subject_token' either expired or the session associated with it was terminated.",
    )
}

#[must_use]
pub fn client_not_registered() -> OAuthError {
    OAuthError::invalid_request(
        "invalid_subject_token_client_not_registered",
        "'subject_token' is invalid: the client application is not registered for delegation to this agent.",
    )
}

#[must_use]
pub fn no_delegation_link() -> OAuthError {
    OAuthError::invalid_request(
        "invalid_subject_token_no_delegation_link",
        "'subject_token' is invalid: no delegation policy authorizes this token.",
    )
}

#[must_use]
pub fn client_inactive() -> OAuthError {
    OAuthError::invalid_request(
        "invalid_subject_token_client_inactive",
        "'subject_token' is invalid: the client application referenced in the token is not active.",
    )
}

#[must_use]
pub fn user_inactive() -> OAuthError {
    OAuthError::invalid_request(
        "invalid_subject_token_user_inactive",
        "'subject_token' is invalid: the user account is not active.",
    )
}

#[must_use]
pub fn act_malformed() -> OAuthError {
    OAuthError::invalid_request(
        "invalid_subject_token_act_claim_malformed",
        "The 'subject_token' 'act' claim is malformed.",
    )
}

#[must_use]
pub fn act_too_deep() -> OAuthError {
    OAuthError::invalid_request(
        "invalid_subject_token_act_claim_depth",
        "The 'subject_token' 'act' claim contains too many nested actors.",
    )
}

#[must_use]
pub fn no_connection() -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "invalid_target",
        "token_exchange_incomplete_resource_configuration",
        "The resource app is not completely configured or user is not assigned to the app.",
    )
}

#[must_use]
pub fn resource() -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "invalid_target",
        "token_exchange_invalid_resource",
        "'resource' is invalid or not supported.",
    )
}

/// Consent needed (xaa.md §5): the granted scopes that lack approval, and where the user
/// decides.
#[must_use]
pub fn consent_required(lacking: &[String], consent_uri: &str) -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "consent_required",
        "consent_required_token_exchange",
        format!("The following scopes require user consent: {}", super::super::errors::bracketed(lacking)),
    )
    .with("consent_uri", consent_uri)
}

/// The user denied the open request (xaa.md §5), until it expires.
#[must_use]
pub fn consent_denied() -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "access_denied",
        "consent_denied",
        "The resource owner or authorization server denied the request.",
    )
}

#[must_use]
pub fn not_generated() -> OAuthError {
    OAuthError::server_error("id_jag_not_generated", "Failed to create the id assertion authorization grant.")
}
