//! The Okta JSON shapes of an app, a client secret and a client key (okta-surface.md §11.3).

use super::super::paging::{action, href};
use super::app_url;
use crate::clock::iso8601;
use crate::domain::ids::hash_secret;
use crate::domain::{App, AppStatus, ClientKey, ClientKeyStatus, ClientSecret, TextEnum};
use crate::state::AppState;
use serde_json::{json, Map, Value};

/// An app; `client_secret` only in the create (or secret-rotating update) response, `keys`
/// rendered as `settings.oauthClient.jwks` when there are any.
pub(super) fn app(state: &AppState, app: &App, keys: &[ClientKey], client_secret: Option<&str>) -> Value {
    let url = app_url(state, &app.id);
    let mut creds = json!({
        "client_id": app.client_id,
        "token_endpoint_auth_method": app.token_endpoint_auth_method.as_str(),
        "pkce_required": app.pkce_required,
        "autoKeyRotation": app.auto_key_rotation,
    });
    if let Some(secret) = client_secret {
        creds["client_secret"] = json!(secret);
    }
    let mut settings = json!({
        "redirect_uris": app.redirect_uris,
        "post_logout_redirect_uris": app.post_logout_redirect_uris,
        "response_types": app.response_types,
        "grant_types": app.grant_types,
        "application_type": app.application_type,
        "consent_method": app.consent_method.as_str(),
        "issuer_mode": "ORG_URL",
    });
    if app.allows_grant("refresh_token") {
        settings["refresh_token"] = json!({"rotation_type": app.refresh_rotation, "leeway": app.refresh_leeway});
    }
    if !keys.is_empty() {
        settings["jwks"] = json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()});
    }
    let mut links = Map::new();
    links.insert("self".into(), href(&url));
    if app.status == AppStatus::Active {
        links.insert("deactivate".into(), action(format!("{url}/lifecycle/deactivate"), "POST"));
    } else {
        links.insert("activate".into(), action(format!("{url}/lifecycle/activate"), "POST"));
        links.insert("delete".into(), action(&url, "DELETE"));
    }
    links.insert("users".into(), href(format!("{url}/users")));
    links.insert("groups".into(), href(format!("{url}/groups")));
    json!({
        "id": app.id,
        "orn": format!("orn:okta:idp:{}:apps:oidc_client:{}", state.org.id, app.id),
        "name": "oidc_client",
        "label": app.label,
        "status": app.status.as_str(),
        "created": iso8601(app.created),
        "lastUpdated": iso8601(app.last_updated),
        "signOnMode": "OPENID_CONNECT",
        "features": [],
        "credentials": {"oauthClient": creds},
        "settings": {"oauthClient": settings},
        "_links": links,
    })
}

/// `activate` or `deactivate` (and `delete` once INACTIVE) links of a secret or key at `url`.
fn credential_links(url: &str, active: bool) -> Value {
    if active {
        json!({"self": href(url), "deactivate": action(format!("{url}/lifecycle/deactivate"), "POST")})
    } else {
        json!({
            "self": href(url),
            "activate": action(format!("{url}/lifecycle/activate"), "POST"),
            "delete": action(url, "DELETE"),
        })
    }
}

/// A hash of the secret that is safe to show: derived from the stored hash (so it reveals
/// nothing that helps authenticate), 22 base64url characters like Okta's.
fn display_hash(stored: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let hex = hash_secret(&format!("secret_hash:{stored}"));
    let bytes: Vec<u8> = (0..16).filter_map(|i| u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok()).collect();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A client secret; `client_secret` only in the create response.
pub(super) fn secret(state: &AppState, s: &ClientSecret, client_secret: Option<&str>) -> Value {
    let url = format!("{}/credentials/secrets/{}", app_url(state, &s.app_id), s.id);
    let mut out = json!({
        "id": s.id,
        "status": s.status.as_str(),
        "secret_hash": display_hash(&s.secret_hash),
        "created": iso8601(s.created),
        "lastUpdated": iso8601(s.last_updated),
        "_links": credential_links(&url, s.status == AppStatus::Active),
    });
    if let Some(plain) = client_secret {
        out["client_secret"] = json!(plain);
    }
    out
}

/// A client key: its public JWK members plus `id` (= `kid`), `status`, times and links.
pub(super) fn key(state: &AppState, app_id: &str, k: &ClientKey) -> Value {
    let url = format!("{}/credentials/jwks/{}", app_url(state, app_id), k.kid);
    let mut out = k.jwk.as_object().cloned().unwrap_or_default();
    out.insert("id".into(), json!(k.kid));
    out.insert("status".into(), json!(k.status.as_str()));
    out.insert("created".into(), json!(iso8601(k.created)));
    out.insert("lastUpdated".into(), json!(iso8601(k.last_updated)));
    out.insert("_links".into(), credential_links(&url, k.status == ClientKeyStatus::Active));
    Value::Object(out)
}
