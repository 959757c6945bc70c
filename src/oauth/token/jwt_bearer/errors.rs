//! The leg-2 rows of xaa.md §6.1 and §6.2, byte for byte: every assertion failure is 400
//! `invalid_grant`; the reason code reaches the System Log only.

use crate::oauth::error::OAuthError;
use axum::http::StatusCode;

/// One row of the §6.2 table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    Malformed,
    Typ,
    Signature,
    UntrustedIssuer,
    Audience,
    ClientMismatch,
    Expired,
    IssuedInFuture,
    NotYetValid,
    LifetimeTooLong,
    Replayed,
    ResourceNotAllowed,
    ResourceMismatch,
    Subject,
    InactiveActor,
    LackingScopes,
}

impl Invalid {
    /// (reason code, `error_description`).
    #[must_use]
    pub fn row(self) -> (&'static str, &'static str) {
        match self {
            Self::Malformed => ("id_jag_malformed", "The id-jag is malformed."),
            Self::Typ => ("id_jag_invalid_typ", "The id-jag 'typ' header must be 'oauth-id-jag+jwt'."),
            Self::Signature => ("id_jag_invalid_signature", "The signature of the id-jag is invalid."),
            Self::UntrustedIssuer => {
                ("id_jag_untrusted_issuer", "The issuer of the id-jag is not a trusted authorization server.")
            }
            Self::Audience => (
                "jwt_bearer_grant_invalid_audience",
                "The audience of the JWT Bearer Grant must match the the issuer of the authorization server.",
            ),
            Self::ClientMismatch => (
                "id_jag_client_mismatch",
                "The 'client_id' in the JWT Bearer Grant must match the 'client_id' used to authenticate the client.",
            ),
            Self::Expired => ("id_jag_expired", "The id-jag is expired."),
            Self::IssuedInFuture => ("id_jag_issued_in_future", "The id-jag is issued in the future."),
            Self::NotYetValid => ("id_jag_not_yet_valid", "The id-jag is not yet valid."),
            Self::LifetimeTooLong => {
                ("id_jag_lifetime_too_long", "The lifetime of the id-jag must not exceed 5 minutes.")
            }
            Self::Replayed => ("id_jag_replayed", "The id-jag was already used."),
            Self::ResourceNotAllowed => (
                "id_jag_resource_not_allowed_for_as",
                "The 'resource' claim in the id-jag is not valid for this authorization server.",
            ),
            Self::ResourceMismatch => (
                "id_jag_resource_mismatch",
                "The 'resource' claim in the id-jag does not match the 'resource' parameter in the request.",
            ),
            Self::Subject => ("id_jag_invalid_subject", "The 'sub' claim in the id-jag is invalid."),
            Self::InactiveActor => ("id_jag_inactive_actor", "The id-jag names an actor that is not active."),
            Self::LackingScopes => ("id_jag_lacking_scopes", "The id-jag must include at least one scope."),
        }
    }
}

impl From<Invalid> for OAuthError {
    fn from(invalid: Invalid) -> Self {
        let (reason, description) = invalid.row();
        OAuthError::invalid_grant(reason, description)
    }
}

/// §6.1: a request `resource` that is not one of this AS's allowed resources.
#[must_use]
pub fn invalid_target() -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "invalid_target",
        "invalid_target",
        "'resource' is invalid or not supported.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_a_400_invalid_grant() {
        let e: OAuthError = Invalid::Audience.into();
        assert_eq!(
            (e.status, e.error, e.reason),
            (StatusCode::BAD_REQUEST, "invalid_grant", "jwt_bearer_grant_invalid_audience")
        );
        assert!(e.description.contains("match the the issuer"));
        assert_eq!(invalid_target().error, "invalid_target");
        assert_eq!(crate::oauth::token::errors::public_client().status, StatusCode::UNAUTHORIZED);
    }
}
