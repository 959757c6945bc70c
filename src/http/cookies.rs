//! Cookies of the browser interaction: reading the `Cookie` header and writing `Set-Cookie`
//! (RFC 6265). `Secure` is set whenever baton's issuer is `https://` (okta-surface.md §4.3).

use crate::state::AppState;
use axum::http::{header, HeaderMap, HeaderValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Lax,
    Strict,
}

/// The value of cookie `name`, from any `Cookie` header; the first one wins.
#[must_use]
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
}

/// Whether cookies must be `Secure`.
#[must_use]
pub fn secure(state: &AppState) -> bool {
    state.base().starts_with("https://")
}

/// `Set-Cookie` for an `HttpOnly` browser-session cookie (no `Max-Age`: the server decides when
/// the session ends). `value` is base64url, so it needs no quoting.
#[must_use]
pub fn set(state: &AppState, name: &str, value: &str, same_site: SameSite) -> HeaderValue {
    header_value(&format!("{name}={value}{}", attributes(state, same_site)))
}

/// `Set-Cookie` that removes cookie `name`.
#[must_use]
pub fn clear(state: &AppState, name: &str, same_site: SameSite) -> HeaderValue {
    header_value(&format!("{name}=; Max-Age=0{}", attributes(state, same_site)))
}

fn attributes(state: &AppState, same_site: SameSite) -> String {
    let same_site = match same_site {
        SameSite::Lax => "Lax",
        SameSite::Strict => "Strict",
    };
    let secure = if secure(state) { "; Secure" } else { "" };
    format!("; Path=/; HttpOnly; SameSite={same_site}{secure}")
}

fn header_value(s: &str) -> HeaderValue {
    // Names and values are ours (constants and base64url), always valid header text.
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_cookie_among_many() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("a=1; baton_sid=abc"));
        h.append(header::COOKIE, HeaderValue::from_static("baton_csrf=xyz"));
        assert_eq!(get(&h, "baton_sid").as_deref(), Some("abc"));
        assert_eq!(get(&h, "baton_csrf").as_deref(), Some("xyz"));
        assert_eq!(get(&h, "missing"), None);
        h.append(header::COOKIE, HeaderValue::from_static("empty="));
        assert_eq!(get(&h, "empty"), None);
    }
}
