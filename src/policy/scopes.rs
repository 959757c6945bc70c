//! The `scope` parameter (RFC 6749 §3.3): a list of space-delimited, case-sensitive scope
//! tokens. baton parses it once into an ordered, duplicate-free list and renders granted scopes
//! back as one space-joined string (`scope` in token responses, okta-surface.md §5.3). The OIDC
//! scopes are the system scopes every custom AS has (§1, §11.4).

/// The OIDC scopes: always allowed by an access-policy rule (okta-surface.md §4.5 step 3), but
/// still only granted when the server has them. `groups` is an org-AS scope and not listed.
pub const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "address", "phone", "offline_access"];

/// Splits a `scope` parameter on spaces, drops empty tokens and keeps the first occurrence of
/// each scope, in request order. An absent parameter is an empty list.
#[must_use]
pub fn parse_scope(param: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for token in param.unwrap_or_default().split(' ').filter(|t| !t.is_empty()) {
        if !out.iter().any(|s| s == token) {
            out.push(token.to_owned());
        }
    }
    out
}

/// The space-joined form of a scope list, as in a token response's `scope`.
#[must_use]
pub fn join(scopes: &[String]) -> String {
    scopes.join(" ")
}

/// Whether `scope` is one of the OIDC scopes.
#[must_use]
pub fn is_oidc_scope(scope: &str) -> bool {
    OIDC_SCOPES.contains(&scope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_splits_on_spaces_drops_empties_and_dedupes_in_order() {
        assert_eq!(
            parse_scope(Some("  openid orders:read  openid email orders:read ")),
            vec!["openid", "orders:read", "email"]
        );
    }

    #[test]
    fn parse_of_absent_or_blank_is_empty() {
        assert!(parse_scope(None).is_empty());
        assert!(parse_scope(Some("")).is_empty());
        assert!(parse_scope(Some("   ")).is_empty());
    }

    #[test]
    fn parse_is_case_sensitive_and_splits_only_on_space() {
        // RFC 6749 §3.3: tokens are case-sensitive and delimited by %x20 only.
        assert_eq!(parse_scope(Some("Openid openid a+b")), vec!["Openid", "openid", "a+b"]);
        assert_eq!(parse_scope(Some("a\tb")), vec!["a\tb"]);
    }

    #[test]
    fn join_is_space_separated() {
        assert_eq!(join(&["openid".into(), "email".into(), "offline_access".into()]), "openid email offline_access");
        assert_eq!(join(&[]), "");
    }

    #[test]
    fn oidc_scopes_are_the_system_scopes() {
        assert_eq!(OIDC_SCOPES, crate::domain::auth_server::SYSTEM_SCOPES);
        assert!(is_oidc_scope("offline_access"));
        assert!(is_oidc_scope("openid"));
        assert!(!is_oidc_scope("groups"));
        assert!(!is_oidc_scope("orders:read"));
        assert!(!is_oidc_scope("OPENID"));
    }
}
