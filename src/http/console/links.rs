//! `/admin/connections`: delegation links (okta-surface.md §13; xaa.md §4.3) — which app or
//! agent's tokens an agent may exchange — listed, created and deleted through the AI-agent
//! API's own functions; and every agent's resource connections at a glance (each managed on
//! its agent's page).

use super::agent_profile::app_choices;
use super::apps::failed;
use super::{redirect_with_flash, render_status, ConsoleForm, ConsoleResult, Layout};
use crate::clock::iso8601;
use crate::domain::TextEnum;
use crate::http::api::agents;
use crate::http::error::OktaError;
use crate::state::AppState;
use crate::store::Page;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

const SECTION: &str = "/admin/connections";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/connections", get(list).post(create))
        .route("/admin/connections/links/{id}/delete", post(delete))
}

pub struct LinkRow {
    pub id: String,
    pub from: String,
    pub token_type: String,
    pub to_id: String,
    pub to: String,
    pub created: String,
}

pub struct ConnectionRow {
    pub agent_id: String,
    pub agent: String,
    pub auth_server: String,
    pub scopes: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "console/links.html")]
struct ListPage {
    l: Layout,
    links: Vec<LinkRow>,
    connections: Vec<ConnectionRow>,
    /// (value, label): `app:{id}` or `agent:{id}`.
    sources: Vec<(String, String)>,
    agents: Vec<(String, String)>,
}

async fn page(state: &AppState, l: Layout) -> Result<ListPage, OktaError> {
    let apps = app_choices(state).await?;
    let all_agents = state.store.list_agents(&Page { after: None, limit: 1000 }).await?;
    let servers = state.store.list_auth_servers(&Page { after: None, limit: 1000 }).await?;
    let agent_name =
        |id: &str| all_agents.iter().find(|a| a.id == id).map_or_else(|| id.to_owned(), |a| a.name.clone());
    let mut links = Vec::new();
    for link in state.store.list_delegation_links(&Page { after: None, limit: 1000 }).await? {
        let from = match state.store.find_app_by_client_id(&link.from_client_id).await? {
            Some(app) => format!("App {}", app.label),
            None => format!("Agent {}", agent_name(&link.from_client_id)),
        };
        links.push(LinkRow {
            id: link.id.clone(),
            from,
            token_type: link.token_type.as_str().to_owned(),
            to: agent_name(&link.to_agent_id),
            to_id: link.to_agent_id.clone(),
            created: iso8601(link.created),
        });
    }
    let mut connections = Vec::new();
    for a in &all_agents {
        for c in state.store.list_connections(&a.id).await? {
            connections.push(ConnectionRow {
                agent_id: a.id.clone(),
                agent: a.name.clone(),
                auth_server: servers
                    .iter()
                    .find(|s| s.id == c.auth_server_id)
                    .map_or_else(|| c.auth_server_id.clone(), |s| s.name.clone()),
                scopes: c.scopes.join(" "),
                status: c.status.as_str().to_owned(),
            });
        }
    }
    let mut sources: Vec<(String, String)> =
        apps.into_iter().map(|(id, label)| (format!("app:{id}"), format!("App: {label}"))).collect();
    sources.extend(all_agents.iter().map(|a| (format!("agent:{}", a.id), format!("Agent: {}", a.name))));
    let agents = all_agents.iter().map(|a| (a.id.clone(), a.name.clone())).collect();
    Ok(ListPage { l, links, connections, sources, agents })
}

async fn list(State(state): State<AppState>, admin: super::ConsoleAdmin) -> ConsoleResult {
    let p = page(&state, admin.layout("Connections & delegation links", SECTION)).await?;
    Ok(render_status(&admin, StatusCode::OK, &p))
}

async fn create(State(state): State<AppState>, f: ConsoleForm) -> ConsoleResult {
    let from = f.text("from");
    let client_orn = match from.split_once(':') {
        Some(("app", id)) => agents::app_orn(&state, id),
        Some(("agent", id)) => agents::agent_orn(&state, id),
        _ => from.to_owned(),
    };
    let mut body = json!({
        "from": {"type": "OKTA_AUTHORIZATION_SERVER", "tokenType": f.text("token_type")},
        "to": {"resourceOrn": agents::agent_orn(&state, f.text("to"))},
    });
    if !client_orn.is_empty() {
        body["from"]["clientOrn"] = json!(client_orn);
    }
    match agents::create_link(&state, &f.admin, &body).await {
        Ok(_) => Ok(redirect_with_flash(&state, SECTION, "Delegation link created.")),
        Err(e) => {
            let (l, status) = failed(f.admin.layout("Connections & delegation links", SECTION), Some(&e));
            Ok(render_status(&f.admin, status, &page(&state, l).await?))
        }
    }
}

async fn delete(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    match agents::delete_link(&state, &f.admin, &id).await {
        Ok(()) => Ok(redirect_with_flash(&state, SECTION, "Delegation link deleted.")),
        Err(e) => {
            let (l, status) = failed(f.admin.layout("Connections & delegation links", SECTION), Some(&e));
            Ok(render_status(&f.admin, status, &page(&state, l).await?))
        }
    }
}
