//! The access graph of one user ("blast radius"): the apps the user is assigned to,
//! the agents that can act for the user through delegation links (transitively, agent to
//! agent), and the authorization servers each of them can reach through its resource
//! connections, with the scopes the AS's jwt-bearer policy would actually grant for this user.
//! Pure: the caller loads everything into `GraphInput`; `svg::render` draws the result.

pub mod svg;
#[cfg(test)]
mod tests;

use super::user_access::jwt_bearer::{evaluate_jwt_bearer, JwtBearerInput};
use crate::domain::{
    Agent, AgentStatus, ConnectionStatus, DelegationLink, Group, LinkTokenType, Policy, PolicyRule, ResourceConnection,
    Scope, TextEnum, User,
};
use std::collections::BTreeSet;

/// An app the user is assigned to, and how (`direct` or `group <name>`).
#[derive(Debug, Clone)]
pub struct AssignedApp {
    pub client_id: String,
    pub label: String,
    pub via: String,
}

/// A custom authorization server with what its policy decision needs.
#[derive(Debug, Clone)]
pub struct ServerInfo {
    pub id: String,
    pub name: String,
    pub audiences: Vec<String>,
    pub scopes: Vec<Scope>,
    pub policies: Vec<(Policy, Vec<PolicyRule>)>,
}

/// Everything the graph is computed from.
#[derive(Debug, Clone, Copy)]
pub struct GraphInput<'a> {
    pub user: &'a User,
    pub groups: &'a [Group],
    pub apps: &'a [AssignedApp],
    pub agents: &'a [Agent],
    pub links: &'a [DelegationLink],
    pub connections: &'a [ResourceConnection],
    pub servers: &'a [ServerInfo],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
    User,
    App,
    Agent,
    Server,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
    /// Layout column: 0 user, 1 apps, 2… agents by delegation depth, last the servers.
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// What flows: `assigned (direct)`, `ACCESS_TOKEN`, `ID_TOKEN`, or the granted scopes.
    pub label: String,
}

/// One resource connection seen from the user: who holds it, where it leads, what it yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub holder_id: String,
    pub holder: String,
    pub server_id: String,
    pub server: String,
    pub resource: String,
    /// The scopes of the connection.
    pub connected: Vec<String>,
    /// Those the AS's jwt-bearer policy grants for this user (empty: none would be issued).
    pub granted: Vec<String>,
    /// `ACTIVE` or `INACTIVE` (an inactive connection yields nothing).
    pub status: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessGraph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub reach: Vec<Reach>,
}

impl AccessGraph {
    #[must_use]
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The edge label from `from` to `to`, if there is such an edge.
    #[must_use]
    pub fn edge(&self, from: &str, to: &str) -> Option<&str> {
        self.edges.iter().find(|e| e.from == from && e.to == to).map(|e| e.label.as_str())
    }

    fn add_edge(&mut self, from: &str, to: &str, label: &str) {
        if let Some(e) = self.edges.iter_mut().find(|e| e.from == from && e.to == to) {
            if !e.label.split(", ").any(|l| l == label) {
                e.label = format!("{}, {label}", e.label);
            }
        } else {
            self.edges.push(Edge { from: from.into(), to: to.into(), label: label.into() });
        }
    }
}

/// Computes the graph: apps (column 1), agents reached through ACTIVE delegation links or as an
/// assigned app's agent (`Agent::app_id`, ID tokens), breadth first by depth, and every
/// connection of a reached app or agent, evaluated against its AS's policy for this user.
#[must_use]
pub fn compute(input: &GraphInput) -> AccessGraph {
    let mut g = AccessGraph::default();
    let user_label = {
        let name = input.user.profile.display_name();
        let login = input.user.profile.login();
        if name.trim().is_empty() {
            login.to_owned()
        } else {
            format!("{name} ({login})")
        }
    };
    g.nodes.push(Node { id: input.user.id.clone(), kind: NodeKind::User, label: user_label, column: 0 });
    for app in input.apps {
        g.nodes.push(Node { id: app.client_id.clone(), kind: NodeKind::App, label: app.label.clone(), column: 1 });
        g.add_edge(&input.user.id, &app.client_id, &format!("assigned ({})", app.via));
    }
    let active_agent = |id: &str| input.agents.iter().find(|a| a.id == id && a.status == AgentStatus::Active);
    // Breadth first: `frontier` holds the clients reached at the previous depth.
    let mut frontier: Vec<String> = input.apps.iter().map(|a| a.client_id.clone()).collect();
    let mut column = 2;
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for from in &frontier {
            let mut targets: Vec<(&str, &str)> = input
                .links
                .iter()
                .filter(|l| &l.from_client_id == from && l.status == ConnectionStatus::Active)
                .map(|l| (l.to_agent_id.as_str(), l.token_type.as_str()))
                .collect();
            targets.extend(
                input
                    .agents
                    .iter()
                    .filter(|a| a.app_id.as_deref() == Some(from.as_str()))
                    .map(|a| (a.id.as_str(), LinkTokenType::IdToken.as_str())),
            );
            for (to, token_type) in targets {
                let Some(agent) = active_agent(to) else { continue };
                if g.node(to).is_none() {
                    g.nodes.push(Node { id: to.into(), kind: NodeKind::Agent, label: agent.name.clone(), column });
                    next.push(to.to_owned());
                }
                g.add_edge(from, to, token_type);
            }
        }
        frontier = next;
        column += 1;
    }
    let server_column = g.nodes.iter().map(|n| n.column).max().unwrap_or(0).max(1) + 1;
    add_reach(input, &mut g, server_column);
    g
}

fn add_reach(input: &GraphInput, g: &mut AccessGraph, server_column: usize) {
    let holders: Vec<(String, String)> = g
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::App | NodeKind::Agent))
        .map(|n| (n.id.clone(), n.label.clone()))
        .collect();
    let mut servers_seen: BTreeSet<String> = BTreeSet::new();
    for (holder_id, holder) in holders {
        for conn in input.connections.iter().filter(|c| c.owner_id == holder_id) {
            let server = input.servers.iter().find(|s| s.id == conn.auth_server_id);
            let active = conn.status == ConnectionStatus::Active;
            let granted = match server {
                Some(s) if active => {
                    let client_id = conn.target_client_id.as_deref().unwrap_or(&holder_id);
                    evaluate_jwt_bearer(&JwtBearerInput {
                        client_id,
                        user: Some((input.user, input.groups)),
                        candidates: &conn.scopes,
                        server_scopes: &s.scopes,
                        policies: &s.policies,
                    })
                    .map(|d| d.granted)
                    .unwrap_or_default()
                }
                _ => Vec::new(),
            };
            let server_name = server.map_or_else(|| conn.auth_server_id.clone(), |s| s.name.clone());
            let resource = conn
                .resource_indicator
                .clone()
                .or_else(|| server.and_then(|s| s.audiences.first().cloned()))
                .unwrap_or_default();
            if servers_seen.insert(conn.auth_server_id.clone()) {
                g.nodes.push(Node {
                    id: conn.auth_server_id.clone(),
                    kind: NodeKind::Server,
                    label: server_name.clone(),
                    column: server_column,
                });
            }
            let label = if granted.is_empty() { "no scope granted".to_owned() } else { granted.join(" ") };
            g.add_edge(&holder_id, &conn.auth_server_id, &label);
            g.reach.push(Reach {
                holder_id: holder_id.clone(),
                holder: holder.clone(),
                server_id: conn.auth_server_id.clone(),
                server: server_name,
                resource,
                connected: conn.scopes.clone(),
                granted,
                status: conn.status.as_str().to_owned(),
            });
        }
    }
}
