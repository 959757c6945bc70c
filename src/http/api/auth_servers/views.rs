//! The Okta JSON shapes of §11.4 (servers, keys, scopes, claims) and §1 (policies, rules).

use super::server_url;
use crate::clock::iso8601;
use crate::domain::{
    AuthServer, Claim, ClaimValueType, Policy, PolicyRule, Scope, SigningKey, SigningKeyStatus, Status, TextEnum,
};
use crate::http::api::paging::{action, href};
use crate::jose::keyring::ROTATION_MS;
use crate::state::AppState;
use serde_json::{json, Value};

/// `{"href", "method": "POST"}` to `activate` or `deactivate`, whichever the status allows.
fn lifecycle(url: &str, status: Status) -> (&'static str, Value) {
    let op = if status == Status::Active { "deactivate" } else { "activate" };
    (op, action(format!("{url}/lifecycle/{op}"), "POST"))
}

pub(super) fn server(state: &AppState, s: &AuthServer, keys: &[SigningKey]) -> Value {
    let url = server_url(state, &s.id);
    let issuer = state.custom_issuer(&s.id);
    let active = keys.iter().find(|k| k.status == SigningKeyStatus::Active);
    let last_rotated = active.map(|k| k.activated.unwrap_or(k.created));
    let (op, link) = lifecycle(&url, s.status);
    let mut links = json!({
        "self": href(&url),
        "scopes": href(format!("{url}/scopes")),
        "claims": href(format!("{url}/claims")),
        "policies": href(format!("{url}/policies")),
        "rotateKey": action(format!("{url}/credentials/lifecycle/keyRotate"), "POST"),
        "metadata": [
            {"name": "oauth-authorization-server", "href": format!("{issuer}/.well-known/oauth-authorization-server")},
            {"name": "openid-configuration", "href": format!("{issuer}/.well-known/openid-configuration")},
        ],
    });
    links[op] = link;
    json!({
        "id": s.id,
        "name": s.name,
        "description": s.description,
        "audiences": s.audiences,
        "issuer": issuer,
        "issuerMode": s.issuer_mode,
        "status": s.status.as_str(),
        "created": iso8601(s.created),
        "lastUpdated": iso8601(s.last_updated),
        "credentials": {"signing": {
            "rotationMode": s.rotation_mode,
            "lastRotated": last_rotated.map(iso8601),
            "nextRotation": last_rotated.map(|t| iso8601(t + ROTATION_MS)),
            "kid": active.map(|k| k.kid.clone()),
        }},
        "_links": links,
    })
}

pub(super) fn key(state: &AppState, server_id: &str, k: &SigningKey) -> Value {
    let mut v = k.public_jwk.clone();
    if let Value::Object(m) = &mut v {
        m.insert("kid".into(), json!(k.kid));
        m.insert("alg".into(), json!(k.alg.as_str()));
        m.insert("use".into(), json!("sig"));
        m.insert("status".into(), json!(k.status.as_str()));
        let url = format!("{}/credentials/keys/{}", server_url(state, server_id), k.kid);
        m.insert("_links".into(), json!({"self": {"href": url, "hints": {"allow": ["GET"]}}}));
    }
    v
}

pub(super) fn scope(state: &AppState, s: &Scope) -> Value {
    json!({
        "id": s.id,
        "name": s.name,
        "description": s.description,
        "displayName": s.display_name,
        "system": s.system,
        "default": s.default,
        "optional": s.optional,
        "consent": s.consent.as_str(),
        "metadataPublish": s.metadata_publish,
        "_links": {"self": href(format!("{}/scopes/{}", server_url(state, &s.auth_server_id), s.id))},
    })
}

pub(super) fn claim(state: &AppState, c: &Claim) -> Value {
    let mut v = json!({
        "id": c.id,
        "name": c.name,
        "status": c.status.as_str(),
        "claimType": c.claim_type.as_str(),
        "valueType": c.value_type.as_str(),
        "value": c.value,
        "conditions": {"scopes": c.scopes},
        "system": c.system,
        "alwaysIncludeInToken": c.always_include_in_token,
        "_links": {"self": href(format!("{}/claims/{}", server_url(state, &c.auth_server_id), c.id))},
    });
    if c.value_type == ClaimValueType::Groups {
        v["group_filter_type"] = json!(c.group_filter_type);
    }
    v
}

pub(super) fn policy_url(state: &AppState, p: &Policy) -> String {
    format!("{}/policies/{}", server_url(state, &p.auth_server_id), p.id)
}

pub(super) fn policy(state: &AppState, p: &Policy) -> Value {
    let url = policy_url(state, p);
    let (op, link) = lifecycle(&url, p.status);
    let mut links = json!({"self": href(&url), "rules": href(format!("{url}/rules"))});
    links[op] = link;
    json!({
        "type": "OAUTH_AUTHORIZATION_POLICY",
        "id": p.id,
        "status": p.status.as_str(),
        "name": p.name,
        "description": p.description,
        "priority": p.priority,
        "system": p.system,
        "conditions": {"clients": {"include": p.clients}},
        "created": iso8601(p.created),
        "lastUpdated": iso8601(p.last_updated),
        "_links": links,
    })
}

pub(super) fn rule(state: &AppState, r: &PolicyRule) -> Value {
    let url = format!("{}/policies/{}/rules/{}", server_url(state, &r.auth_server_id), r.policy_id, r.id);
    let (op, link) = lifecycle(&url, r.status);
    let mut links = json!({"self": href(&url)});
    links[op] = link;
    json!({
        "type": "RESOURCE_ACCESS",
        "id": r.id,
        "name": r.name,
        "priority": r.priority,
        "status": r.status.as_str(),
        "system": r.system,
        "conditions": r.conditions,
        "actions": {"token": {
            "accessTokenLifetimeMinutes": r.token.access_token_minutes,
            "refreshTokenLifetimeMinutes": r.token.refresh_token_minutes,
            "refreshTokenWindowMinutes": r.token.refresh_token_window_minutes,
        }},
        "created": iso8601(r.created),
        "lastUpdated": iso8601(r.last_updated),
        "_links": links,
    })
}
