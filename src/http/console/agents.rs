//! `/admin/agents`: AI agents (okta-surface.md §13) — list with status, view with owners, keys
//! and resource connections (registering and editing the profile: `agent_profile`); add a public key (a JWK or a PEM `PUBLIC KEY`),
//! activate, deactivate and delete keys, the agent and its connections; connect the agent to a
//! custom authorization server. Writes go through the AI-agent API's own functions
//! (`crate::http::api::agents`): same validation, same System Log events.

use super::apps::{failed, lines};
use super::paging::{Pager, Search};
use super::{redirect_with_flash, render_status, ConsoleAdmin, ConsoleForm, ConsoleResult, Layout};
use crate::clock::iso8601;
use crate::domain::{Agent, AgentStatus, ClientKeyStatus, ConnectionStatus, TextEnum};
use crate::http::api::agents;
use crate::http::api::body::Validation;
use crate::http::error::OktaError;
use crate::state::AppState;
use crate::store::Page;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Map, Value};

const SECTION: &str = "/admin/agents";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/agents", get(list))
        .route("/admin/agents/{id}", get(show))
        .route("/admin/agents/{id}/lifecycle/{action}", post(lifecycle))
        .route("/admin/agents/{id}/keys", post(add_key))
        .route("/admin/agents/{id}/keys/{kid}/{action}", post(key_action))
        .route("/admin/agents/{id}/connections", post(add_connection))
        .route("/admin/agents/{id}/connections/{conn_id}/{action}", post(connection_action))
}

pub struct AgentRow {
    pub id: String,
    pub name: String,
    pub status: String,
    pub app: String,
}

#[derive(Template)]
#[template(path = "console/agents.html")]
struct ListPage {
    l: Layout,
    q: String,
    rows: Vec<AgentRow>,
    pager: Pager,
}

async fn list(State(state): State<AppState>, admin: ConsoleAdmin, Query(search): Query<Search>) -> ConsoleResult {
    let (q, needle) = (search.q(), search.needle());
    let store = &state.store;
    let (agents, pager) = search
        .page(
            SECTION,
            |p| async move { store.list_agents(&p).await },
            |a: &Agent| needle.is_empty() || a.name.to_lowercase().contains(&needle) || a.id == q,
            |a| a.id.clone(),
        )
        .await?;
    let rows = agents
        .into_iter()
        .map(|a| AgentRow {
            status: a.status.as_str().to_owned(),
            id: a.id,
            name: a.name,
            app: a.app_id.unwrap_or_default(),
        })
        .collect();
    let page = ListPage { l: admin.layout("AI agents", SECTION), q: q.to_owned(), rows, pager };
    Ok(render_status(&admin, StatusCode::OK, &page))
}

pub struct KeyRow {
    pub kid: String,
    pub kty: String,
    pub status: String,
    pub created: String,
}

pub struct ConnectionRow {
    pub id: String,
    pub auth_server: String,
    pub resource: String,
    pub scopes: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "console/agent.html")]
struct ShowPage {
    l: Layout,
    id: String,
    name: String,
    description: String,
    status: String,
    app: String,
    resource_url: String,
    owners: Vec<String>,
    created: String,
    keys: Vec<KeyRow>,
    connections: Vec<ConnectionRow>,
    servers: Vec<(String, String)>,
}

async fn show_page(state: &AppState, admin: &ConsoleAdmin, id: &str, error: Option<&OktaError>) -> ConsoleResult {
    let agent = state.store.find_agent(id).await?.ok_or_else(|| OktaError::not_found(id, "AIAgent"))?;
    let owners = owner_logins(state, &agent.owners).await?;
    let keys = state.store.list_client_keys(&agent.id).await?;
    let connections = state.store.list_connections(&agent.id).await?;
    let servers = state.store.list_auth_servers(&Page { after: None, limit: 1000 }).await?;
    let server_name =
        |sid: &str| servers.iter().find(|s| s.id == sid).map_or_else(|| sid.to_owned(), |s| s.name.clone());
    let (l, status) = failed(admin.layout(&agent.name, SECTION), error);
    let page = ShowPage {
        l,
        id: agent.id.clone(),
        description: agent.description.clone().unwrap_or_default(),
        status: agent.status.as_str().to_owned(),
        app: agent.app_id.clone().unwrap_or_default(),
        resource_url: agent.resource_url.clone().unwrap_or_default(),
        owners,
        created: iso8601(agent.created),
        keys: keys
            .iter()
            .map(|k| KeyRow {
                kid: k.kid.clone(),
                kty: k.jwk["kty"].as_str().unwrap_or_default().to_owned(),
                status: k.status.as_str().to_owned(),
                created: iso8601(k.created),
            })
            .collect(),
        connections: connections
            .iter()
            .map(|c| ConnectionRow {
                id: c.id.clone(),
                auth_server: server_name(&c.auth_server_id),
                resource: c.resource_indicator.clone().unwrap_or_default(),
                scopes: c.scopes.join(" "),
                status: c.status.as_str().to_owned(),
            })
            .collect(),
        servers: servers.iter().map(|s| (s.id.clone(), s.name.clone())).collect(),
        name: agent.name,
    };
    Ok(render_status(admin, status, &page))
}

async fn show(State(state): State<AppState>, admin: ConsoleAdmin, Path(id): Path<String>) -> ConsoleResult {
    show_page(&state, &admin, &id, None).await
}

/// Owners by login (an id whose user is gone stays an id).
pub async fn owner_logins(state: &AppState, owners: &[String]) -> Result<Vec<String>, OktaError> {
    let mut out = Vec::new();
    for o in owners {
        out.push(state.store.find_user(o).await?.map_or_else(|| o.clone(), |u| u.profile.login().to_owned()));
    }
    Ok(out)
}

/// Redirects to the agent's page with `message`, or shows the page again with the error.
async fn done(state: &AppState, f: &ConsoleForm, id: &str, r: Result<&str, OktaError>) -> ConsoleResult {
    match r {
        Ok(message) => Ok(redirect_with_flash(state, &format!("/admin/agents/{id}"), message)),
        Err(e) => show_page(state, &f.admin, id, Some(&e)).await,
    }
}

async fn lifecycle(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let r = match action.as_str() {
        "activate" => {
            agents::set_agent_status(&state, &f.admin, &id, AgentStatus::Active).await.map(|_| "Agent activated.")
        }
        "deactivate" => {
            agents::set_agent_status(&state, &f.admin, &id, AgentStatus::Inactive).await.map(|_| "Agent deactivated.")
        }
        "delete" => match agents::delete_agent(&state, &f.admin, &id).await {
            Ok(_) => return Ok(redirect_with_flash(&state, SECTION, "AI agent deleted.")),
            Err(e) => Err(e),
        },
        _ => Err(OktaError::not_found(&action, "Action")),
    };
    done(&state, &f, &id, r).await
}

/// A pasted key: a JWK (JSON object) or a PEM `PUBLIC KEY` block.
fn read_key(text: &str) -> Result<Map<String, Value>, OktaError> {
    let text = text.trim();
    if text.starts_with('{') {
        return match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(Validation::one("key", "is not a JSON Web Key")),
        };
    }
    if text.is_empty() {
        return Err(Validation::one("key", "The field cannot be left blank"));
    }
    crate::seed::pem::public_jwk_from_pem(text).map_err(|e| Validation::one("key", &e.to_string()))
}

async fn add_key(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    let r = match read_key(f.text("key")) {
        Ok(mut jwk) => {
            if !f.text("kid").is_empty() {
                jwk.insert("kid".into(), json!(f.text("kid")));
            }
            if !f.text("inactive").is_empty() {
                jwk.insert("status".into(), json!("INACTIVE"));
            }
            agents::create_key(&state, &f.admin, &id, &jwk).await.map(|_| "Public key added.")
        }
        Err(e) => Err(e),
    };
    done(&state, &f, &id, r).await
}

async fn key_action(
    State(state): State<AppState>,
    Path((id, kid, action)): Path<(String, String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let r = match action.as_str() {
        "activate" => {
            agents::set_key_status(&state, &f.admin, &id, &kid, ClientKeyStatus::Active).await.map(|_| "Key activated.")
        }
        "deactivate" => agents::set_key_status(&state, &f.admin, &id, &kid, ClientKeyStatus::Inactive)
            .await
            .map(|_| "Key deactivated."),
        "delete" => agents::delete_key(&state, &f.admin, &id, &kid).await.map(|()| "Key deleted."),
        _ => Err(OktaError::not_found(&action, "Action")),
    };
    done(&state, &f, &id, r).await
}

async fn add_connection(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    let mut body = Map::new();
    body.insert("connectionType".into(), json!("IDENTITY_ASSERTION_CUSTOM_AS"));
    if !f.text("auth_server").is_empty() {
        let orn = agents::auth_server_orn(&state, f.text("auth_server"));
        body.insert("authorizationServer".into(), json!({"orn": orn}));
    }
    if !f.text("resource_indicator").is_empty() {
        body.insert("resourceIndicator".into(), json!(f.text("resource_indicator")));
    }
    body.insert("scopeCondition".into(), json!("INCLUDE_ONLY"));
    body.insert("scopes".into(), json!(lines(f.text("scopes"))));
    let r = agents::create_connection(&state, &f.admin, &id, &body).await.map(|_| "Connection added.");
    done(&state, &f, &id, r).await
}

async fn connection_action(
    State(state): State<AppState>,
    Path((id, conn_id, action)): Path<(String, String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let r = match action.as_str() {
        "activate" => agents::set_connection_status(&state, &f.admin, &id, &conn_id, ConnectionStatus::Active)
            .await
            .map(|_| "Connection activated."),
        "deactivate" => agents::set_connection_status(&state, &f.admin, &id, &conn_id, ConnectionStatus::Inactive)
            .await
            .map(|_| "Connection deactivated."),
        "delete" => agents::delete_connection(&state, &f.admin, &id, &conn_id).await.map(|()| "Connection deleted."),
        _ => Err(OktaError::not_found(&action, "Action")),
    };
    done(&state, &f, &id, r).await
}
