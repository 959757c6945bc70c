//! CSRF protection of baton's own forms (sign-in, consent, console, /me) by signed double
//! submission: a `baton_csrf` cookie (`HttpOnly`, `SameSite=Strict`) holding `nonce.mac`, where
//! the MAC is an HMAC of the nonce under a key derived from the KEK (so every replica accepts
//! it), and a hidden `csrf_token` field that must equal it, compared in constant time. A
//! cross-site page can make the browser post a form but can neither read the cookie nor supply
//! the matching field; a SameSite=Strict cookie is not even sent on a cross-site POST; and a
//! token an attacker makes up and plants as a cookie (login CSRF through a sibling host) fails
//! the MAC. A POST the browser itself marks `Sec-Fetch-Site: cross-site` is refused outright.

use super::cookies::{self, SameSite};
use super::form::Params;
use crate::domain::ids::{new_secret, secrets_equal};
use crate::jose::KeyRing;
use crate::state::AppState;
use axum::http::{HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub const CSRF_COOKIE: &str = "baton_csrf";
pub const CSRF_FIELD: &str = "csrf_token";

/// Purpose of the CSRF MAC key (see `Kek::mac`).
const PURPOSE: &str = "csrf";

/// `nonce.mac`: two runs of 43 base64url characters (32 bytes each).
fn well_formed(token: &str) -> bool {
    let b64 = |s: &str| s.len() == 43 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    token.split_once('.').is_some_and(|(nonce, mac)| b64(nonce) && b64(mac))
}

fn mac_of(keys: &KeyRing, nonce: &str) -> String {
    URL_SAFE_NO_PAD.encode(keys.mac(PURPOSE, nonce.as_bytes()))
}

/// A new token: a random nonce and its MAC.
fn new_token(keys: &KeyRing) -> String {
    let nonce = new_secret();
    let mac = mac_of(keys, &nonce);
    format!("{nonce}.{mac}")
}

/// True when `token` is one this server (or a replica sharing its KEK) made.
fn genuine(keys: &KeyRing, token: &str) -> bool {
    well_formed(token) && token.split_once('.').is_some_and(|(nonce, mac)| secrets_equal(mac, &mac_of(keys, nonce)))
}

/// The token to put in a form: the browser's current one if this server made it, else a new
/// one with the `Set-Cookie` that installs it.
#[must_use]
pub fn token_for_form(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    if let Some(token) = cookies::get(headers, CSRF_COOKIE).filter(|t| genuine(&state.keys, t)) {
        return (token, None);
    }
    let token = new_token(&state.keys);
    let cookie = cookies::set(state, CSRF_COOKIE, &token, SameSite::Strict);
    (token, Some(cookie))
}

/// The form of a page POST with its CSRF token verified, or the page to answer instead: a
/// malformed body is a 400 page, a missing or wrong token a 403 page.
// The error is the response itself, returned straight from the handler; boxing buys nothing.
#[allow(clippy::result_large_err)]
pub fn checked_form(
    state: &AppState,
    headers: &HeaderMap,
    form: Result<Params, crate::oauth::error::OAuthError>,
) -> Result<Params, axum::response::Response> {
    use super::pages;
    use crate::oauth::authorize::PageError;
    let form = form.map_err(|e| pages::error(&PageError::bad_request(&e)))?;
    if verify(&state.keys, headers, &form) {
        Ok(form)
    } else {
        Err(pages::csrf_rejected())
    }
}

/// True when the form's `csrf_token` equals the `baton_csrf` cookie, the cookie carries this
/// server's MAC, and the browser does not flag the request as cross-site.
#[must_use]
pub fn verify(keys: &KeyRing, headers: &HeaderMap, form: &Params) -> bool {
    if headers.get("sec-fetch-site").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site")) {
        return false;
    }
    let Some(cookie) = cookies::get(headers, CSRF_COOKIE) else { return false };
    let Some(field) = form.get(CSRF_FIELD) else { return false };
    !form.is_repeated(CSRF_FIELD) && genuine(keys, &cookie) && secrets_equal(&cookie, field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::COOKIE;

    fn state_with(kek: [u8; 32]) -> KeyRing {
        KeyRing::new(crate::jose::Kek::from_bytes(kek))
    }

    fn cookie(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_str(&format!("{CSRF_COOKIE}={token}")).unwrap());
        headers
    }

    fn field(token: &str) -> Params {
        Params::parse(format!("{CSRF_FIELD}={token}").as_bytes())
    }

    #[test]
    fn field_must_match_a_cookie_this_server_signed() {
        let state = state_with([1; 32]);
        let token = new_token(&state);
        assert!(verify(&state, &cookie(&token), &field(&token)));
        assert!(!verify(&state, &cookie(&token), &field(&new_token(&state))));
        assert!(!verify(&state, &cookie(&token), &Params::parse(b"username=x")));
        assert!(!verify(&state, &HeaderMap::new(), &field(&token)));
        let twice = format!("{CSRF_FIELD}={token}&{CSRF_FIELD}={token}");
        assert!(!verify(&state, &cookie(&token), &Params::parse(twice.as_bytes())));
        // Login CSRF: a token the attacker chose, planted as the cookie and sent in the form.
        let chosen = format!("{}.{}", new_secret(), new_secret());
        assert!(!verify(&state, &cookie(&chosen), &field(&chosen)));
        let unsigned = new_secret();
        assert!(!verify(&state, &cookie(&unsigned), &field(&unsigned)));
        // Another KEK (another deployment) did not make it.
        assert!(!verify(&state_with([2; 32]), &cookie(&token), &field(&token)));
        // The browser says the POST comes from another site.
        let mut cross = cookie(&token);
        cross.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!verify(&state, &cross, &field(&token)));
        let mut same = cookie(&token);
        same.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(verify(&state, &same, &field(&token)));
    }

    #[test]
    fn only_genuine_tokens_are_kept() {
        let keys = state_with([1; 32]);
        let chosen = format!("{}.{}", new_secret(), new_secret());
        assert!(!genuine(&keys, &chosen));
        assert!(genuine(&keys, &new_token(&keys)));
        assert!(!genuine(&keys, "a.b"));
    }
}
