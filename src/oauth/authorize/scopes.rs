//! The scope check of §4.2 step 4 (okta-surface.md §1, §8): the org AS knows the OIDC scopes
//! (with `groups`), a custom AS its own scopes (system and custom). In order: an unknown scope
//! is `invalid_scope`, no scope is `missing_scopes`, and OIDC scopes other than
//! `offline_access` without `openid` are `openid_scope_required`.

use crate::domain::Scope;
use crate::oauth::discovery::ORG_SCOPES;
use crate::oauth::error::OAuthError;

/// Scopes that only make sense with `openid` (claims about the user).
const NEED_OPENID: &[&str] = &["profile", "email", "address", "phone", "groups"];

/// Checks `requested` against the scopes the server knows: `server_scopes` for a custom AS,
/// `None` for the org AS.
pub fn check(server_scopes: Option<&[Scope]>, requested: &[String]) -> Result<(), OAuthError> {
    let known = |name: &str| match server_scopes {
        Some(scopes) => scopes.iter().any(|s| s.name == name),
        None => ORG_SCOPES.contains(&name),
    };
    if requested.iter().any(|s| !known(s)) {
        return Err(OAuthError::invalid_scope());
    }
    if requested.is_empty() {
        return Err(OAuthError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "invalid_scope",
            "missing_scopes",
            "No scopes were requested.",
        ));
    }
    let has_openid = requested.iter().any(|s| s == "openid");
    if !has_openid && requested.iter().any(|s| NEED_OPENID.contains(&s.as_str())) {
        return Err(OAuthError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "invalid_scope",
            "openid_scope_required",
            "Requests for ID tokens or access tokens with OpenID scopes require the 'openid' scope.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(name: &str) -> Scope {
        Scope::custom(format!("scp{name}"), "default", name, 0)
    }

    fn reason(server: Option<&[Scope]>, requested: &[&str]) -> Option<&'static str> {
        let requested: Vec<String> = requested.iter().map(|s| (*s).to_owned()).collect();
        check(server, &requested).err().map(|e| e.reason)
    }

    #[test]
    fn org_knows_oidc_scopes_and_groups() {
        assert_eq!(reason(None, &["openid", "groups", "offline_access"]), None);
        assert_eq!(reason(None, &["openid", "orders:read"]), Some("invalid_scope"));
        assert_eq!(reason(None, &[]), Some("missing_scopes"));
        assert_eq!(reason(None, &["groups"]), Some("openid_scope_required"));
        assert_eq!(reason(None, &["offline_access"]), None);
    }

    #[test]
    fn custom_knows_its_own_scopes() {
        let server = [scope("openid"), scope("email"), scope("orders:read")];
        assert_eq!(reason(Some(&server), &["orders:read"]), None);
        assert_eq!(reason(Some(&server), &["openid", "groups"]), Some("invalid_scope"));
        assert_eq!(reason(Some(&server), &["email", "orders:read"]), Some("openid_scope_required"));
        // Unknown wins over the openid rule.
        assert_eq!(reason(Some(&server), &["email", "nope"]), Some("invalid_scope"));
    }
}
