//! How a result reaches the client (OAuth 2.0 Multiple Response Type Encoding Practices §2;
//! OAuth 2.0 Form Post Response Mode; okta-surface.md §4.1): appended to the redirect URI's
//! query (`query`, the default for `code`), put in its fragment (`fragment`), or posted by an
//! auto-submitting HTML form (`form_post`). An invalid `response_mode` makes errors go by
//! `query` (§4.2 step 4).

use url::form_urlencoded::Serializer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

/// The modes baton serves, as named in `response_modes_supported`.
pub const RESPONSE_MODES: &[&str] = &["query", "fragment", "form_post"];

impl ResponseMode {
    /// The mode named by a `response_mode` value, if baton serves it.
    #[must_use]
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "query" => Some(Self::Query),
            "fragment" => Some(Self::Fragment),
            "form_post" => Some(Self::FormPost),
            _ => None,
        }
    }
}

/// The `Location` for `query` and `fragment` delivery. The registered URI is kept byte for
/// byte (it was matched exactly); parameters are appended to its query (`query`) or replace
/// its fragment (`fragment`, RFC 6749 §3.1.2 forbids a fragment in a redirect URI anyway).
#[must_use]
pub fn location(redirect_uri: &str, mode: ResponseMode, params: &[(&str, String)]) -> String {
    let mut encoded = Serializer::new(String::new());
    for (k, v) in params {
        encoded.append_pair(k, v);
    }
    let encoded = encoded.finish();
    let (base, _fragment) = redirect_uri.split_once('#').unwrap_or((redirect_uri, ""));
    match mode {
        ResponseMode::Fragment => format!("{base}#{encoded}"),
        ResponseMode::Query | ResponseMode::FormPost => {
            let sep = if base.contains('?') {
                if base.ends_with('?') || base.ends_with('&') {
                    ""
                } else {
                    "&"
                }
            } else {
                "?"
            };
            format!("{base}{sep}{encoded}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> Vec<(&'static str, String)> {
        vec![("code", "a b".to_owned()), ("state", "xyz".to_owned())]
    }

    #[test]
    fn query_appends_to_existing_query() {
        assert_eq!(
            location("https://c.example/cb", ResponseMode::Query, &p()),
            "https://c.example/cb?code=a+b&state=xyz"
        );
        assert_eq!(
            location("https://c.example/cb?x=1", ResponseMode::Query, &p()),
            "https://c.example/cb?x=1&code=a+b&state=xyz"
        );
        assert_eq!(
            location("https://c.example/cb?", ResponseMode::Query, &p()),
            "https://c.example/cb?code=a+b&state=xyz"
        );
    }

    #[test]
    fn fragment_replaces_the_fragment() {
        assert_eq!(location("myapp:/cb", ResponseMode::Fragment, &p()), "myapp:/cb#code=a+b&state=xyz");
        assert_eq!(
            location("https://c/cb?x=1#old", ResponseMode::Fragment, &p()),
            "https://c/cb?x=1#code=a+b&state=xyz"
        );
    }

    #[test]
    fn parses_served_modes_only() {
        assert_eq!(ResponseMode::parse("form_post"), Some(ResponseMode::FormPost));
        assert_eq!(ResponseMode::parse("okta_post_message"), None);
        assert_eq!(ResponseMode::parse("QUERY"), None);
    }
}
