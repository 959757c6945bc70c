//! The parameter checks of §4.2 step 4 that need no storage, each returning Okta's error row
//! (okta-surface.md §8): `response_type`, `state`, `response_mode`, `prompt`, `max_age` and
//! PKCE (RFC 7636 §4.2–4.3: `S256` only, a missing method is not taken as `plain`).

use super::response::{ResponseMode, RESPONSE_MODES};
use crate::domain::{App, AuthMethod};
use crate::oauth::error::OAuthError;

/// `prompt`, as a set (§4.1: `none`, `login`, `consent`, or `login` and `consent` together).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
}

/// A PKCE challenge bound to the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkce {
    pub challenge: String,
    pub method: String,
}

const PROMPTS: &str = "[none, login, consent, login consent, consent login]";

pub fn response_type(app: &App, value: Option<&str>) -> Result<(), OAuthError> {
    let value = value.ok_or_else(|| OAuthError::missing("response_type"))?;
    if value == "code" && app.response_types.iter().any(|t| t == "code") {
        return Ok(());
    }
    Err(OAuthError::bad(
        "unsupported_response_type",
        format!(
            "The response type is not supported by the authorization server. Configured response types: [{}].",
            app.response_types.join(", ")
        ),
    ))
}

pub fn grant(app: &App) -> Result<(), OAuthError> {
    if app.allows_grant("authorization_code") {
        return Ok(());
    }
    Err(OAuthError::bad(
        "unauthorized_client",
        format!(
            "The client is not authorized to use the provided grant type. Configured grant types: [{}].",
            app.grant_types.join(", ")
        ),
    ))
}

/// `state` is required and limited to `A-Z a-z 0-9 , . _ -` (§4.1).
#[must_use]
pub fn state_is_valid(value: Option<&str>) -> bool {
    value.is_some_and(|s| s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b',' | b'.' | b'_' | b'-')))
}

pub fn state(value: Option<&str>) -> Result<(), OAuthError> {
    if state_is_valid(value) {
        return Ok(());
    }
    Err(OAuthError::invalid_request("invalid_state", "The authentication request has an invalid 'state' parameter."))
}

pub fn response_mode(value: Option<&str>) -> Result<ResponseMode, OAuthError> {
    let Some(value) = value else { return Ok(ResponseMode::Query) };
    if let Some(mode) = ResponseMode::parse(value) {
        return Ok(mode);
    }
    if value == "okta_post_message" {
        return Err(OAuthError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "unsupported_response_mode",
            "unsupported_response_mode_okta_post_message_with_code",
            "'okta_post_message' response mode cannot be used with the 'code' response type.",
        ));
    }
    Err(OAuthError::bad(
        "unsupported_response_mode",
        format!(
            "The response mode is not supported by the authorization server. Configured response modes: [{}].",
            RESPONSE_MODES.join(", ")
        ),
    ))
}

pub fn prompt(value: Option<&str>) -> Result<Prompt, OAuthError> {
    let p = match value {
        None => Prompt::default(),
        Some("none") => Prompt { none: true, ..Prompt::default() },
        Some("login") => Prompt { login: true, ..Prompt::default() },
        Some("consent") => Prompt { consent: true, ..Prompt::default() },
        Some("login consent" | "consent login") => Prompt { login: true, consent: true, none: false },
        Some(_) => {
            return Err(OAuthError::invalid_request(
                "invalid_prompt",
                format!("Invalid value for 'prompt' parameter. Supported values: {PROMPTS}"),
            ))
        }
    };
    Ok(p)
}

/// `max_age` in seconds: a non-negative integer (OIDC Core §3.1.2.1).
pub fn max_age(value: Option<&str>) -> Result<Option<i64>, OAuthError> {
    let Some(value) = value else { return Ok(None) };
    match value.parse::<i64>() {
        Ok(n) if n >= 0 && value.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(n)),
        _ => Err(OAuthError::invalid_request(
            "invalid_max_age",
            "The 'max_age' parameter must be a non-negative integer number of seconds.",
        )),
    }
}

/// PKCE: `S256` only; a challenge is required when the app says so, and always for public
/// clients (`none`).
pub fn pkce(app: &App, challenge: Option<&str>, method: Option<&str>) -> Result<Option<Pkce>, OAuthError> {
    if method.is_some_and(|m| m != "S256") {
        return Err(unsupported_method());
    }
    let required = app.pkce_required || app.token_endpoint_auth_method == AuthMethod::None;
    let Some(challenge) = challenge else {
        if required || method.is_some() {
            return Err(OAuthError::invalid_request(
                "pkce_missing_challenge",
                "PKCE code challenge is required by the application.",
            ));
        }
        return Ok(None);
    };
    if method.is_none() {
        return Err(unsupported_method());
    }
    // RFC 7636 §4.2: code_challenge uses the unreserved characters of the code verifier.
    if !challenge.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')) {
        return Err(OAuthError::invalid_request(
            "pkce_invalid_challenge",
            "PKCE code challenge contains illegal characters.",
        ));
    }
    Ok(Some(Pkce { challenge: challenge.to_owned(), method: "S256".to_owned() }))
}

fn unsupported_method() -> OAuthError {
    OAuthError::invalid_request(
        "pkce_unsupported_code_challenge_method",
        "PKCE code challenge method is not supported. Valid values: [S256]",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_charset() {
        assert!(state_is_valid(Some("aZ09,._-")));
        assert!(!state_is_valid(Some("a b")));
        assert!(!state_is_valid(Some("a+b")));
        assert!(!state_is_valid(Some("é")));
        assert!(!state_is_valid(None));
    }

    #[test]
    fn prompt_combinations() {
        assert_eq!(prompt(Some("login consent")).unwrap(), Prompt { login: true, consent: true, none: false });
        assert_eq!(prompt(Some("consent login")).unwrap(), Prompt { login: true, consent: true, none: false });
        assert!(prompt(None).unwrap() == Prompt::default());
        for bad in ["none login", "select_account", "login  consent", "NONE", "login login"] {
            let e = prompt(Some(bad)).unwrap_err();
            assert_eq!((e.error, e.reason), ("invalid_request", "invalid_prompt"), "{bad}");
        }
    }

    #[test]
    fn max_age_is_a_non_negative_integer() {
        assert_eq!(max_age(Some("0")).unwrap(), Some(0));
        assert_eq!(max_age(Some("3600")).unwrap(), Some(3600));
        for bad in ["-1", "+5", "1.5", "x", "", "99999999999999999999"] {
            assert!(max_age(Some(bad)).is_err(), "{bad}");
        }
    }
}
