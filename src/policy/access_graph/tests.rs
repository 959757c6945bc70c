use super::*;
use crate::domain::auth_server::{IncludeOnly, People};
use crate::domain::{RuleConditions, UserProfile};
use crate::policy::fixtures::{self, scope, strings};
use crate::policy::user_access::jwt_bearer::GRANT_TYPE;
use serde_json::json;

const USER: &str = "00uUser";

fn user() -> User {
    User {
        profile: UserProfile(
            json!({"login": "ann@example.com", "firstName": "Ann", "lastName": "Lee"}).as_object().unwrap().clone(),
        ),
        ..fixtures::user(USER)
    }
}

fn agent(id: &str, name: &str, app_id: Option<&str>, status: AgentStatus) -> Agent {
    Agent {
        id: id.into(),
        status,
        app_id: app_id.map(Into::into),
        name: name.into(),
        description: None,
        resource_url: None,
        owners: vec![],
        created: 0,
        last_updated: 0,
    }
}

fn link(from: &str, to: &str, status: ConnectionStatus) -> DelegationLink {
    DelegationLink {
        id: format!("dlk{from}{to}"),
        from_client_id: from.into(),
        token_type: LinkTokenType::AccessToken,
        to_agent_id: to.into(),
        status,
        created: 0,
        last_updated: 0,
    }
}

fn connection(owner: &str, server: &str, scopes: &[&str]) -> ResourceConnection {
    ResourceConnection {
        id: format!("mcn{owner}"),
        owner_id: owner.into(),
        connection_type: "IDENTITY_ASSERTION_CUSTOM_AS".into(),
        auth_server_id: server.into(),
        resource_indicator: None,
        scope_condition: "INCLUDE_ONLY".into(),
        scopes: strings(scopes),
        target_client_id: None,
        consent_required: false,
        status: ConnectionStatus::Active,
        created: 0,
        last_updated: 0,
    }
}

/// A server whose one policy lets `client` redeem ID-JAGs for `allowed` scopes, for everyone.
fn server(id: &str, name: &str, client: &str, defined: &[&str], allowed: &[&str]) -> ServerInfo {
    let policy = Policy { clients: strings(&[client]), ..Policy::new(format!("00p{id}"), id, "p", 1, 0) };
    let rule = PolicyRule {
        conditions: RuleConditions {
            people: People::everyone(),
            grant_types: IncludeOnly { include: strings(&[GRANT_TYPE]) },
            scopes: IncludeOnly { include: strings(allowed) },
        },
        ..PolicyRule::new(format!("0pr{id}"), &policy.id, id, "r", 1, 0)
    };
    ServerInfo {
        id: id.into(),
        name: name.into(),
        audiences: vec![format!("https://{id}.example")],
        scopes: defined.iter().map(|s| scope(s)).collect(),
        policies: vec![(policy, vec![rule])],
    }
}

struct Fixture {
    user: User,
    apps: Vec<AssignedApp>,
    agents: Vec<Agent>,
    links: Vec<DelegationLink>,
    connections: Vec<ResourceConnection>,
    servers: Vec<ServerInfo>,
}

impl Fixture {
    /// chat app → orch (access token) → kb (access token); orch → ausK {execute, admin asked,
    /// execute allowed}; kb → ausD {read}; an inactive agent and an inactive link are ignored.
    fn new() -> Self {
        Self {
            user: user(),
            apps: vec![AssignedApp { client_id: "0oaChat".into(), label: "Chat".into(), via: "group Everyone".into() }],
            agents: vec![
                agent("wlpOrch", "Orchestrator", None, AgentStatus::Active),
                agent("wlpKb", "Knowledge <Agent>", None, AgentStatus::Active),
                agent("wlpOff", "Off", None, AgentStatus::Inactive),
                agent("wlpLone", "Lone", None, AgentStatus::Active),
            ],
            links: vec![
                link("0oaChat", "wlpOrch", ConnectionStatus::Active),
                link("wlpOrch", "wlpKb", ConnectionStatus::Active),
                link("wlpOrch", "wlpOff", ConnectionStatus::Active),
                link("wlpKb", "wlpLone", ConnectionStatus::Inactive),
                // A cycle back to an agent already reached adds an edge, not a node.
                link("wlpKb", "wlpOrch", ConnectionStatus::Active),
            ],
            connections: vec![
                connection("wlpOrch", "ausK", &["kb:execute", "kb:admin"]),
                connection("wlpKb", "ausD", &["db:read"]),
                connection("wlpLone", "ausD", &["db:read"]),
            ],
            servers: vec![
                server("ausK", "Knowledge", "wlpOrch", &["kb:execute", "kb:admin"], &["kb:execute"]),
                server("ausD", "DB", "wlpKb", &["db:read"], &["*"]),
            ],
        }
    }

    fn graph(&self) -> AccessGraph {
        compute(&GraphInput {
            user: &self.user,
            groups: &[],
            apps: &self.apps,
            agents: &self.agents,
            links: &self.links,
            connections: &self.connections,
            servers: &self.servers,
        })
    }
}

#[test]
fn layers_follow_delegation_depth() {
    let g = Fixture::new().graph();
    let columns: Vec<(&str, usize)> = g.nodes.iter().map(|n| (n.id.as_str(), n.column)).collect();
    assert_eq!(columns, [("00uUser", 0), ("0oaChat", 1), ("wlpOrch", 2), ("wlpKb", 3), ("ausK", 4), ("ausD", 4)]);
    assert_eq!(g.node("00uUser").unwrap().label, "Ann Lee (ann@example.com)");
    assert_eq!(g.edge("00uUser", "0oaChat"), Some("assigned (group Everyone)"));
    assert_eq!(g.edge("0oaChat", "wlpOrch"), Some("ACCESS_TOKEN"));
    assert_eq!(g.edge("wlpOrch", "wlpKb"), Some("ACCESS_TOKEN"));
    assert_eq!(g.edge("wlpKb", "wlpOrch"), Some("ACCESS_TOKEN"));
    assert!(g.node("wlpOff").is_none() && g.node("wlpLone").is_none());
}

#[test]
fn reach_is_what_the_policy_grants() {
    let g = Fixture::new().graph();
    assert_eq!(g.edge("wlpOrch", "ausK"), Some("kb:execute"));
    assert_eq!(g.edge("wlpKb", "ausD"), Some("db:read"));
    assert_eq!(g.reach.len(), 2);
    assert_eq!(g.reach[0].connected, ["kb:execute", "kb:admin"]);
    assert_eq!(g.reach[0].granted, ["kb:execute"]);
    assert_eq!(g.reach[0].resource, "https://ausK.example");
}

#[test]
fn a_policy_for_another_client_grants_nothing() {
    let mut f = Fixture::new();
    f.servers[1] = server("ausD", "DB", "wlpSomeoneElse", &["db:read"], &["*"]);
    let g = f.graph();
    assert_eq!(g.edge("wlpKb", "ausD"), Some("no scope granted"));
    assert!(g.reach[1].granted.is_empty());
}

#[test]
fn an_agents_own_app_hands_it_id_tokens() {
    let mut f = Fixture::new();
    f.links.clear();
    f.agents[0].app_id = Some("0oaChat".into());
    let g = f.graph();
    assert_eq!(g.edge("0oaChat", "wlpOrch"), Some("ID_TOKEN"));
    assert!(g.node("wlpKb").is_none());
}

#[test]
fn no_apps_means_just_the_user() {
    let mut f = Fixture::new();
    f.apps.clear();
    let g = f.graph();
    assert_eq!(g.nodes.len(), 1);
    assert!(g.edges.is_empty() && g.reach.is_empty());
    assert!(svg::render(&g).starts_with("<svg"));
}

#[test]
fn svg_escapes_labels_and_draws_every_node_and_edge() {
    let g = Fixture::new().graph();
    let svg = svg::render(&g);
    assert!(svg.contains("Knowledge &lt;Agent&gt;"));
    assert!(!svg.contains("<Agent>"));
    assert_eq!(svg.matches("<rect").count(), g.nodes.len());
    assert_eq!(svg.matches("<line").count() + svg.matches("<g class=\"edge\"><path ").count(), g.edges.len());
    // Orchestrator → Knowledge AS skips the Knowledge agent's column; Knowledge agent →
    // Orchestrator goes back: both are curves.
    assert_eq!(svg.matches("<g class=\"edge\"><path ").count(), 2);
    assert!(!svg.contains("style="));
    assert_eq!(svg::escape("a\"b'<&>"), "a&quot;b&#39;&lt;&amp;&gt;");
}
