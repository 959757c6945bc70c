//! Access graph: `GET /admin/users/{id}/access` loads what
//! `policy::access_graph` needs for one user (assigned apps, agents, delegation links, resource
//! connections, and the policies of the authorization servers they reach) and shows the graph
//! as server-rendered SVG plus a table of the same facts. `GET /admin/graph` picks the user
//! (searched and paged like the users list).

use crate::domain::{AppStatus, AuthServer, Group, ResourceConnection, User};
use crate::http::console::paging::{Pager, Search};
use crate::http::console::{self, ConsoleAdmin, ConsoleResult, Layout};
use crate::http::error::OktaError;
use crate::policy::access_graph::{self, svg, AccessGraph, AssignedApp, GraphInput, ServerInfo};
use crate::state::AppState;
use crate::store::{Page, Store, StoreResult};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::Router;

const SECTION: &str = "/admin/graph";

pub fn router() -> Router<AppState> {
    Router::new().route(SECTION, get(pick)).route("/admin/users/{id}/access", get(show))
}

fn all() -> Page {
    Page { after: None, limit: i64::MAX }
}

pub struct UserRow {
    pub id: String,
    pub login: String,
    pub name: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "console/access_pick.html")]
struct PickPage {
    l: Layout,
    q: String,
    rows: Vec<UserRow>,
    pager: Pager,
}

async fn pick(State(state): State<AppState>, admin: ConsoleAdmin, Query(search): Query<Search>) -> ConsoleResult {
    use crate::domain::TextEnum;
    let (users, pager) = console::users::search_users(&state, &search, SECTION).await?;
    let rows = users
        .iter()
        .map(|u| UserRow {
            id: u.id.clone(),
            login: u.profile.login().to_owned(),
            name: u.profile.display_name(),
            status: u.status.as_str().to_owned(),
        })
        .collect();
    let page = PickPage { l: admin.layout("Access graph", SECTION), q: search.q().to_owned(), rows, pager };
    Ok(console::render(&admin, &page))
}

/// How `user` is assigned to the app, if at all: directly, or through which group.
async fn assignment(store: &dyn Store, app_id: &str, user: &User, groups: &[Group]) -> StoreResult<Option<String>> {
    if !store.is_user_assigned(app_id, &user.id).await? {
        return Ok(None);
    }
    if store.find_app_user_assignment(app_id, &user.id).await?.is_some() {
        return Ok(Some("direct".to_owned()));
    }
    let via = store
        .list_app_groups(app_id)
        .await?
        .into_iter()
        .find(|g| groups.iter().any(|ug| ug.id == g.id) || g.name == "Everyone")
        .map_or_else(|| "group".to_owned(), |g| format!("group {}", g.name));
    Ok(Some(via))
}

async fn server_info(store: &dyn Store, server: AuthServer) -> StoreResult<ServerInfo> {
    let scopes = store.list_scopes(&server.id).await?;
    let mut policies = Vec::new();
    for policy in store.list_policies(&server.id).await? {
        let rules = store.list_rules(&policy.id).await?;
        policies.push((policy, rules));
    }
    Ok(ServerInfo { id: server.id, name: server.name, audiences: server.audiences, scopes, policies })
}

/// The graph of `user` from the store.
pub async fn load(store: &dyn Store, user: &User) -> StoreResult<AccessGraph> {
    let groups = store.list_user_groups(&user.id).await?;
    let mut apps = Vec::new();
    for app in store.list_apps(&all()).await? {
        if app.status != AppStatus::Active {
            continue;
        }
        if let Some(via) = assignment(store, &app.id, user, &groups).await? {
            apps.push(AssignedApp { client_id: app.client_id, label: app.label, via });
        }
    }
    let agents = store.list_agents(&all()).await?;
    let links = store.list_delegation_links(&all()).await?;
    let mut connections: Vec<ResourceConnection> = Vec::new();
    let owners = apps.iter().map(|a| a.client_id.as_str()).chain(agents.iter().map(|a| a.id.as_str()));
    for owner in owners {
        connections.extend(store.list_connections(owner).await?);
    }
    let mut servers: Vec<ServerInfo> = Vec::new();
    for conn in &connections {
        if servers.iter().any(|s| s.id == conn.auth_server_id) {
            continue;
        }
        if let Some(server) = store.find_auth_server(&conn.auth_server_id).await? {
            servers.push(server_info(store, server).await?);
        }
    }
    let input = GraphInput {
        user,
        groups: &groups,
        apps: &apps,
        agents: &agents,
        links: &links,
        connections: &connections,
        servers: &servers,
    };
    Ok(access_graph::compute(&input))
}

pub struct EdgeRow {
    pub from: String,
    pub to: String,
    pub label: String,
}

pub struct ReachRow {
    pub holder: String,
    pub holder_id: String,
    pub server: String,
    pub server_id: String,
    pub resource: String,
    pub connected: String,
    pub granted: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "console/access.html")]
struct AccessPage {
    l: Layout,
    user_id: String,
    user: String,
    svg: String,
    agents: usize,
    edges: Vec<EdgeRow>,
    reach: Vec<ReachRow>,
}

async fn show(State(state): State<AppState>, admin: ConsoleAdmin, Path(id): Path<String>) -> ConsoleResult {
    let Some(user) = state.store.find_user(&id).await? else {
        return Err(OktaError::not_found(&id, "User").into());
    };
    let graph = load(state.store.as_ref(), &user).await?;
    let name = |id: &str| graph.node(id).map_or_else(|| id.to_owned(), |n| n.label.clone());
    let edges = graph.edges.iter().map(|e| EdgeRow { from: name(&e.from), to: name(&e.to), label: e.label.clone() });
    let reach = graph.reach.iter().map(|r| ReachRow {
        holder: r.holder.clone(),
        holder_id: r.holder_id.clone(),
        server: r.server.clone(),
        server_id: r.server_id.clone(),
        resource: r.resource.clone(),
        connected: r.connected.join(" "),
        granted: if r.granted.is_empty() { "none".to_owned() } else { r.granted.join(" ") },
        status: r.status.clone(),
    });
    let page = AccessPage {
        l: admin.layout(&format!("Access graph of {}", user.profile.login()), SECTION),
        user_id: user.id.clone(),
        user: name(&user.id),
        svg: svg::render(&graph),
        agents: graph.nodes.iter().filter(|n| n.kind == access_graph::NodeKind::Agent).count(),
        edges: edges.collect(),
        reach: reach.collect(),
    };
    Ok(console::render(&admin, &page))
}
