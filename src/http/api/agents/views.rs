//! JSON shapes of the AI-agent API (okta-surface.md §13) and ORN parsing.

use super::url;
use crate::clock::iso8601;
use crate::domain::{Agent, ClientKey, Operation, ResourceConnection, TextEnum};
use crate::http::api::paging::href;
use crate::state::AppState;
use serde_json::{json, Map, Value};

pub(crate) fn agent_url(state: &AppState, id: &str) -> String {
    url(state, &format!("/ai-agents/{id}"))
}

/// An agent; `resourceUrl` only when set, `owners` always (baton's additions).
pub(crate) fn agent(state: &AppState, a: &Agent) -> Value {
    let mut profile = Map::new();
    profile.insert("name".into(), json!(a.name));
    if let Some(d) = &a.description {
        profile.insert("description".into(), json!(d));
    }
    let mut v = json!({
        "id": a.id,
        "status": a.status.as_str(),
        "created": iso8601(a.created),
        "lastUpdated": iso8601(a.last_updated),
        "appId": a.app_id,
        "profile": profile,
        "owners": a.owners,
        "_links": {"self": href(agent_url(state, &a.id))},
    });
    if let Some(u) = &a.resource_url {
        v["resourceUrl"] = json!(u);
    }
    v
}

pub(crate) fn operation(state: &AppState, op: &Operation) -> Value {
    json!({
        "id": op.id,
        "type": op.op_type,
        "status": op.status,
        "created": iso8601(op.created),
        "started": iso8601(op.started),
        "completed": op.completed.map(iso8601),
        "resource": {
            "id": op.resource_id,
            "type": op.resource_type,
            "status": op.resource_status,
            "_links": {"self": href(agent_url(state, &op.resource_id))},
        },
    })
}

pub(crate) fn key_url(state: &AppState, agent_id: &str, kid: &str) -> String {
    url(state, &format!("/ai-agents/{agent_id}/credentials/jwks/{kid}"))
}

/// A JWKS credential: `id` = `kid`, the public members as stored, status and times.
pub(crate) fn key(state: &AppState, k: &ClientKey) -> Value {
    let mut v = Map::new();
    v.insert("id".into(), json!(k.kid));
    if let Some(stored) = k.jwk.as_object() {
        for (name, value) in stored {
            v.insert(name.clone(), value.clone());
        }
    }
    v.insert("kid".into(), json!(k.kid));
    v.insert("status".into(), json!(k.status.as_str()));
    v.insert("created".into(), json!(iso8601(k.created)));
    v.insert("lastUpdated".into(), json!(iso8601(k.last_updated)));
    v.insert("_links".into(), json!({"self": href(key_url(state, &k.client_id, &k.kid))}));
    Value::Object(v)
}

/// The connection under its owner: an agent's on the AI-agent API, an app's (`0oa…`) on
/// `/api/v1/apps`.
pub(crate) fn connection_url(state: &AppState, c: &ResourceConnection) -> String {
    if c.owner_id.starts_with(crate::domain::ids::Prefix::App.as_str()) {
        format!("{}/api/v1/apps/{}/connections/{}", state.base(), c.owner_id, c.id)
    } else {
        url(state, &format!("/ai-agents/{}/connections/{}", c.owner_id, c.id))
    }
}

pub(crate) fn connection(state: &AppState, c: &ResourceConnection) -> Value {
    let org = &state.org.id;
    let mut v = json!({
        "id": c.id,
        "orn": format!("orn:okta:idp:{org}:connections:{}", c.id),
        "connectionType": c.connection_type,
        "status": c.status.as_str(),
        "authorizationServer": {
            "orn": auth_server_orn(state, &c.auth_server_id),
            "issuerUrl": format!("{}/oauth2/{}", state.base(), c.auth_server_id),
        },
        "scopeCondition": c.scope_condition,
        "scopes": c.scopes,
        "created": iso8601(c.created),
        "lastUpdated": iso8601(c.last_updated),
        "_links": {"self": href(connection_url(state, c))},
    });
    if let Some(r) = &c.resource_indicator {
        v["resourceIndicator"] = json!(r);
    }
    // baton's additions, shown only when set (xaa.md §1.4).
    if let Some(t) = &c.target_client_id {
        v["targetClientId"] = json!(t);
    }
    if c.consent_required {
        v["consentRequired"] = json!(true);
    }
    v
}

pub(crate) fn auth_server_orn(state: &AppState, id: &str) -> String {
    format!("orn:okta:idp:{}:authorization_servers:{id}", state.org.id)
}

pub(crate) fn agent_orn(state: &AppState, id: &str) -> String {
    format!("orn:okta:directory:{}:workload-principals:ai-agents:{id}", state.org.id)
}

pub(crate) fn app_orn(state: &AppState, id: &str) -> String {
    format!("orn:okta:idp:{}:apps:oidc:{id}", state.org.id)
}

/// What an ORN names (okta-surface.md §13, "ORN formats").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Orn {
    /// `apps:oidc:{appId or clientId}`.
    App(String),
    /// `apps:oidc_client:{appId}`.
    AppById(String),
    Agent(String),
    AuthServer(String),
}

/// Parses an ORN of this org; `Err` says why it is not one.
pub(crate) fn parse_orn(orn: &str, org_id: &str) -> Result<Orn, &'static str> {
    let parts: Vec<&str> = orn.split(':').collect();
    let (kind, org, rest) = match parts.as_slice() {
        ["orn", "okta", kind @ ("idp" | "directory"), org, rest @ ..] => (*kind, *org, rest),
        _ => return Err("is not a valid ORN"),
    };
    if org != org_id {
        return Err("does not name an object of this org");
    }
    let id = |s: &str| (!s.is_empty()).then(|| s.to_owned()).ok_or("is not a valid ORN");
    match (kind, rest) {
        ("idp", ["apps", "oidc", x]) => Ok(Orn::App(id(x)?)),
        ("idp", ["apps", "oidc_client", x]) => Ok(Orn::AppById(id(x)?)),
        ("idp", ["authorization_servers", x]) => Ok(Orn::AuthServer(id(x)?)),
        ("directory", ["workload-principals", "ai-agents", x]) => Ok(Orn::Agent(id(x)?)),
        _ => Err("is not a supported ORN"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orns_of_this_org_parse_and_others_do_not() {
        let org = "00oabc";
        assert_eq!(parse_orn("orn:okta:idp:00oabc:apps:oidc:0oa1", org), Ok(Orn::App("0oa1".into())));
        assert_eq!(parse_orn("orn:okta:idp:00oabc:apps:oidc_client:0oa1", org), Ok(Orn::AppById("0oa1".into())));
        assert_eq!(
            parse_orn("orn:okta:directory:00oabc:workload-principals:ai-agents:wlp1", org),
            Ok(Orn::Agent("wlp1".into()))
        );
        assert_eq!(
            parse_orn("orn:okta:idp:00oabc:authorization_servers:default", org),
            Ok(Orn::AuthServer("default".into()))
        );
        assert!(parse_orn("orn:okta:idp:00oother:apps:oidc:0oa1", org).is_err());
        assert!(parse_orn("orn:okta:directory:00oabc:apps:oidc:0oa1", org).is_err());
        assert!(parse_orn("orn:okta:idp:00oabc:apps:oidc:", org).is_err());
        assert!(parse_orn("0oa1", org).is_err());
        assert!(parse_orn("orn:okta:idp:00oabc:apps:oidc:0oa1:x", org).is_err());
    }
}
