//! The writable fields of an agent, read from a registration, a replacement (PUT) or a JSON
//! Merge Patch (RFC 7396: a `null` member removes the field): `profile.name` (required, at
//! least 3 characters), `profile.description`, `appId` (an existing app), and baton's
//! additions `resourceUrl` (an absolute URI) and `owners` (existing `00u…` users).

use crate::domain::Agent;
use crate::http::api::body::{malformed, Validation};
use crate::http::error::OktaError;
use crate::state::AppState;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Registration and PUT: every field not given is cleared.
    Replace,
    /// PATCH: fields not given stay; `null` clears.
    Patch,
}

const NAME_MIN: usize = 3;
const TEXT_MAX: usize = 1024;

/// Applies `body` to `agent`, or fails with one `E0000001` naming every bad field.
pub(crate) async fn apply(state: &AppState, agent: &mut Agent, body: &Value, mode: Mode) -> Result<(), OktaError> {
    let body = body.as_object().ok_or_else(malformed)?;
    if mode == Mode::Replace {
        agent.name.clear();
        agent.description = None;
        agent.app_id = None;
        agent.resource_url = None;
        agent.owners.clear();
    }
    let mut v = Validation::default();
    match body.get("profile") {
        None => {}
        Some(Value::Object(p)) => profile(agent, p, &mut v),
        Some(Value::Null) => {
            agent.name.clear();
            agent.description = None;
        }
        Some(_) => v.error("profile", "must be an object"),
    }
    let name_len = agent.name.chars().count();
    if name_len == 0 {
        v.error("profile.name", "The field cannot be left blank");
    } else if name_len < NAME_MIN {
        v.error("profile.name", "must be at least 3 characters long");
    }
    if let Some(app) = body.get("appId") {
        match app {
            Value::Null => agent.app_id = None,
            Value::String(id) if state.store.find_app(id).await?.is_some() => agent.app_id = Some(id.clone()),
            Value::String(_) => v.error("appId", "The referenced app does not exist"),
            _ => v.error("appId", "must be a string"),
        }
    }
    if let Some(u) = body.get("resourceUrl") {
        match u {
            Value::Null => agent.resource_url = None,
            Value::String(s) if is_absolute_uri(s) => agent.resource_url = Some(s.clone()),
            _ => v.error("resourceUrl", "must be an absolute URI"),
        }
    }
    if let Some(o) = body.get("owners") {
        match o {
            Value::Null => agent.owners.clear(),
            Value::Array(items) => owners(state, agent, items, &mut v).await?,
            _ => v.error("owners", "must be an array of user ids"),
        }
    }
    v.finish()
}

fn profile(agent: &mut Agent, p: &Map<String, Value>, v: &mut Validation) {
    match p.get("name") {
        None => {}
        Some(Value::Null) => agent.name.clear(),
        Some(Value::String(s)) if s.trim().chars().count() <= TEXT_MAX => s.trim().clone_into(&mut agent.name),
        Some(Value::String(_)) => v.error("profile.name", "must be at most 1024 characters long"),
        Some(_) => v.error("profile.name", "must be a string"),
    }
    match p.get("description") {
        None => {}
        Some(Value::Null) => agent.description = None,
        Some(Value::String(s)) if s.chars().count() <= TEXT_MAX => agent.description = Some(s.clone()),
        Some(Value::String(_)) => v.error("profile.description", "must be at most 1024 characters long"),
        Some(_) => v.error("profile.description", "must be a string"),
    }
}

async fn owners(state: &AppState, agent: &mut Agent, items: &[Value], v: &mut Validation) -> Result<(), OktaError> {
    let mut ids: Vec<String> = Vec::new();
    for item in items {
        let Some(id) = item.as_str() else {
            v.error("owners", "must be an array of user ids");
            return Ok(());
        };
        if state.store.find_user(id).await?.is_none() {
            v.error("owners", &format!("user {id} does not exist"));
        } else if !ids.iter().any(|i| i == id) {
            ids.push(id.to_owned());
        }
    }
    agent.owners = ids;
    Ok(())
}

/// `scheme:rest` with a valid URI scheme (e.g. `https://…`, `api://default`).
pub(crate) fn is_absolute_uri(s: &str) -> bool {
    s.len() <= TEXT_MAX && !s.chars().any(char::is_whitespace) && url::Url::parse(s).is_ok()
}
