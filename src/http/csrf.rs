//! CSRF protection of baton's own forms (sign-in, consent) by double submission: a random
//! `baton_csrf` cookie (`HttpOnly`, `SameSite=Strict`) and a hidden `csrf_token` field that must
//! equal it, compared in constant time. A cross-site page can make the browser post a form but
//! can neither read the cookie nor set it, so it cannot supply the matching field; and a
//! SameSite=Strict cookie is not even sent on a cross-site POST.

use super::cookies::{self, SameSite};
use super::form::Params;
use crate::domain::ids::{new_secret, secrets_equal};
use crate::state::AppState;
use axum::http::{HeaderMap, HeaderValue};

pub const CSRF_COOKIE: &str = "baton_csrf";
pub const CSRF_FIELD: &str = "csrf_token";

/// A token has the shape of `new_secret()`: 43 base64url characters.
fn well_formed(token: &str) -> bool {
    token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The token to put in a form: the browser's current one, else a new one with the
/// `Set-Cookie` that installs it.
#[must_use]
pub fn token_for_form(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    if let Some(token) = cookies::get(headers, CSRF_COOKIE).filter(|t| well_formed(t)) {
        return (token, None);
    }
    let token = new_secret();
    let cookie = cookies::set(state, CSRF_COOKIE, &token, SameSite::Strict);
    (token, Some(cookie))
}

/// The form of a page POST with its CSRF token verified, or the page to answer instead: a
/// malformed body is a 400 page, a missing or wrong token a 403 page.
// The error is the response itself, returned straight from the handler; boxing buys nothing.
#[allow(clippy::result_large_err)]
pub fn checked_form(
    headers: &HeaderMap,
    form: Result<Params, crate::oauth::error::OAuthError>,
) -> Result<Params, axum::response::Response> {
    use super::pages;
    use crate::oauth::authorize::PageError;
    let form = form.map_err(|e| pages::error(&PageError::bad_request(&e)))?;
    if verify(headers, &form) {
        Ok(form)
    } else {
        Err(pages::csrf_rejected())
    }
}

/// True when the form's `csrf_token` equals the `baton_csrf` cookie.
#[must_use]
pub fn verify(headers: &HeaderMap, form: &Params) -> bool {
    let Some(cookie) = cookies::get(headers, CSRF_COOKIE) else { return false };
    let Some(field) = form.get(CSRF_FIELD) else { return false };
    !form.is_repeated(CSRF_FIELD) && well_formed(&cookie) && secrets_equal(&cookie, field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::COOKIE;

    #[test]
    fn field_must_match_cookie() {
        let token = new_secret();
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_str(&format!("{CSRF_COOKIE}={token}")).unwrap());
        assert!(verify(&headers, &Params::parse(format!("{CSRF_FIELD}={token}").as_bytes())));
        assert!(!verify(&headers, &Params::parse(format!("{CSRF_FIELD}={}", new_secret()).as_bytes())));
        assert!(!verify(&headers, &Params::parse(b"username=x")));
        assert!(!verify(&HeaderMap::new(), &Params::parse(format!("{CSRF_FIELD}={token}").as_bytes())));
        let twice = format!("{CSRF_FIELD}={token}&{CSRF_FIELD}={token}");
        assert!(!verify(&headers, &Params::parse(twice.as_bytes())));
    }
}
