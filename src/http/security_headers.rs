//! Security headers on every HTML response, by construction: one middleware over the whole
//! router adds what a page did not set itself. Pages may not be framed (clickjacking of the
//! sign-in and consent buttons), load nothing but baton's stylesheet, are never cached and send
//! no referrer (an authorize page's URL holds the request). A page with a stricter or different
//! policy (the `form_post` page's inline script) sets its own, which is kept.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// CSP of every HTML page that does not set one: our stylesheet only, no script.
pub const CSP: &str =
    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

const HTML_DEFAULTS: &[(HeaderName, &str)] = &[
    (header::CONTENT_SECURITY_POLICY, CSP),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::CACHE_CONTROL, "no-store"),
    (header::PRAGMA, "no-cache"),
];

pub async fn middleware(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    apply(response.headers_mut());
    response
}

/// Every page header, replacing what the response had (the console marks its redirects and
/// errors too).
pub fn set_page_headers(h: &mut HeaderMap) {
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    for (name, value) in HTML_DEFAULTS {
        h.insert(name.clone(), HeaderValue::from_static(value));
    }
}

/// `nosniff` on every response; the page defaults on HTML ones, where not already set.
pub fn apply(h: &mut HeaderMap) {
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    if html {
        for (name, value) in HTML_DEFAULTS {
            if !h.contains_key(name) {
                h.insert(name.clone(), HeaderValue::from_static(value));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_gets_defaults_and_keeps_its_own_policy() {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'"));
        apply(&mut h);
        assert_eq!(h[header::CONTENT_SECURITY_POLICY], "default-src 'none'");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
    }

    #[test]
    fn json_gets_only_nosniff() {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        apply(&mut h);
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(!h.contains_key(header::CONTENT_SECURITY_POLICY));
        assert!(!h.contains_key(header::CACHE_CONTROL));
    }
}
