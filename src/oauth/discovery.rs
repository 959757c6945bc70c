//! Authorization server metadata: OpenID Connect Discovery 1.0 and RFC 8414, in Okta's key
//! order (okta-surface.md §2.1; xaa.md §2). Pure: the caller supplies the issuer, the scopes and
//! the signing algorithm; `served` says which endpoints exist and `grants` which grant types
//! the token endpoint answers (`token::registry::served_at`).

use super::{Served, ID_JAG_PROFILE, ID_JAG_TYPE, JWT_BEARER, TOKEN_EXCHANGE};
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Org,
    Custom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// `/.well-known/openid-configuration`
    OpenId,
    /// `/.well-known/oauth-authorization-server`
    OAuth,
}

pub const ORG_SCOPES: &[&str] = &["openid", "profile", "email", "address", "phone", "offline_access", "groups"];
const AUTH_METHODS: &[&str] = &["client_secret_basic", "client_secret_post", "private_key_jwt", "none"];
const ASSERTION_ALGS: &[&str] = &["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"];
const ID_TOKEN_CLAIMS: &[&str] = &[
    "iss",
    "ver",
    "sub",
    "aud",
    "iat",
    "exp",
    "jti",
    "auth_time",
    "amr",
    "idp",
    "nonce",
    "name",
    "nickname",
    "preferred_username",
    "given_name",
    "middle_name",
    "family_name",
    "email",
    "email_verified",
    "profile",
    "zoneinfo",
    "locale",
    "address",
    "phone_number",
    "picture",
    "website",
    "gender",
    "birthdate",
    "updated_at",
    "at_hash",
    "c_hash",
];
const ACCESS_TOKEN_CLAIMS: &[&str] = &["ver", "jti", "iss", "aud", "iat", "exp", "cid", "uid", "scp", "sub"];

/// Builds one metadata document. `issuer` has no trailing slash; `scopes` are the names to
/// publish (already filtered by `metadataPublish`); `signing_alg` is the server's key algorithm.
#[must_use]
pub fn document(
    kind: Kind,
    doc: Document,
    issuer: &str,
    scopes: &[String],
    signing_alg: &str,
    served: &Served,
    grants: &[&str],
) -> Value {
    let ep =
        |path: &str| Value::String(format!("{issuer}{}/v1/{path}", if kind == Kind::Org { "/oauth2" } else { "" }));
    let has_token = !grants.is_empty();
    let openid = doc == Document::OpenId;
    let mut m = Map::new();
    m.insert("issuer".into(), json!(issuer));
    if served.authorize {
        m.insert("authorization_endpoint".into(), ep("authorize"));
    }
    if has_token {
        m.insert("token_endpoint".into(), ep("token"));
    }
    if openid && served.userinfo {
        m.insert("userinfo_endpoint".into(), ep("userinfo"));
    }
    m.insert("jwks_uri".into(), ep("keys"));
    if served.authorize {
        m.insert("response_types_supported".into(), json!(["code"]));
        m.insert("response_modes_supported".into(), json!(["query", "fragment", "form_post"]));
    }
    if has_token {
        m.insert("grant_types_supported".into(), json!(grants));
    }
    m.insert("subject_types_supported".into(), json!(["public"]));
    if openid && served.authorize {
        m.insert("id_token_signing_alg_values_supported".into(), json!([signing_alg]));
    }
    m.insert("scopes_supported".into(), json!(scopes));
    if has_token {
        m.insert("token_endpoint_auth_methods_supported".into(), json!(AUTH_METHODS));
        m.insert("token_endpoint_auth_signing_alg_values_supported".into(), json!(ASSERTION_ALGS));
    }
    if openid && served.authorize {
        m.insert("claims_supported".into(), json!(ID_TOKEN_CLAIMS));
    } else if !openid && has_token {
        m.insert("claims_supported".into(), json!(ACCESS_TOKEN_CLAIMS));
    }
    if served.authorize {
        m.insert("code_challenge_methods_supported".into(), json!(["S256"]));
    }
    for (on, name) in [(served.introspect, "introspection"), (served.revoke, "revocation")] {
        if on {
            m.insert(format!("{name}_endpoint"), ep(if name == "introspection" { "introspect" } else { "revoke" }));
            m.insert(format!("{name}_endpoint_auth_methods_supported"), json!(AUTH_METHODS));
        }
    }
    if served.logout {
        m.insert("end_session_endpoint".into(), ep("logout"));
    }
    if grants.contains(&TOKEN_EXCHANGE) {
        m.insert("identity_chaining_requested_token_types_supported".into(), json!([ID_JAG_TYPE]));
    }
    if grants.contains(&JWT_BEARER) {
        m.insert("authorization_grant_profiles_supported".into(), json!([ID_JAG_PROFILE]));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG_GRANTS: &[&str] = &["authorization_code", "refresh_token", TOKEN_EXCHANGE];
    const CUSTOM_GRANTS: &[&str] = &["authorization_code", "refresh_token", "client_credentials", JWT_BEARER];
    const ALL: Served = Served { authorize: true, userinfo: true, introspect: true, revoke: true, logout: true };

    #[test]
    fn full_custom_document_matches_okta_key_order() {
        let scopes: Vec<String> = ["openid", "profile"].iter().map(|s| (*s).to_owned()).collect();
        let d =
            document(Kind::Custom, Document::OpenId, "http://h/oauth2/default", &scopes, "RS256", &ALL, CUSTOM_GRANTS);
        let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "issuer",
                "authorization_endpoint",
                "token_endpoint",
                "userinfo_endpoint",
                "jwks_uri",
                "response_types_supported",
                "response_modes_supported",
                "grant_types_supported",
                "subject_types_supported",
                "id_token_signing_alg_values_supported",
                "scopes_supported",
                "token_endpoint_auth_methods_supported",
                "token_endpoint_auth_signing_alg_values_supported",
                "claims_supported",
                "code_challenge_methods_supported",
                "introspection_endpoint",
                "introspection_endpoint_auth_methods_supported",
                "revocation_endpoint",
                "revocation_endpoint_auth_methods_supported",
                "end_session_endpoint",
                "authorization_grant_profiles_supported"
            ]
        );
        assert_eq!(d["token_endpoint"], "http://h/oauth2/default/v1/token");
    }

    #[test]
    fn oauth_document_drops_oidc_fields() {
        let d = document(Kind::Org, Document::OAuth, "http://h", &[], "RS256", &ALL, ORG_GRANTS);
        assert!(d.get("userinfo_endpoint").is_none());
        assert!(d.get("id_token_signing_alg_values_supported").is_none());
        assert_eq!(d["claims_supported"], json!(ACCESS_TOKEN_CLAIMS));
        assert_eq!(d["jwks_uri"], "http://h/oauth2/v1/keys");
        assert_eq!(d["identity_chaining_requested_token_types_supported"], json!([ID_JAG_TYPE]));
        assert!(d.get("authorization_grant_profiles_supported").is_none());
    }

    #[test]
    fn nothing_unserved_is_advertised() {
        let none = Served { authorize: false, userinfo: false, introspect: false, revoke: false, logout: false };
        let d = document(Kind::Custom, Document::OpenId, "http://h/oauth2/x", &[], "ES256", &none, &[]);
        let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["issuer", "jwks_uri", "subject_types_supported", "scopes_supported"]);
    }
}
