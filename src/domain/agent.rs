//! AI agents (workload principals), resource connections, delegation links and the operations
//! the AI-agent API reports (okta-surface.md §13; xaa.md §1.4).

use super::{Millis, TextEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentStatus {
    Staged,
    Active,
    Inactive,
}

impl TextEnum for AgentStatus {
    const ALL: &'static [(Self, &'static str)] =
        &[(Self::Staged, "STAGED"), (Self::Active, "ACTIVE"), (Self::Inactive, "INACTIVE")];
}

/// An AI agent. Its id (`wlp…`) is also its OAuth client id; it authenticates with
/// `private_key_jwt` against its ACTIVE `ClientKey`s only while ACTIVE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub id: String,
    pub status: AgentStatus,
    /// The OIDC app whose ID tokens the agent may exchange.
    pub app_id: Option<String>,
    pub name: String,
    pub description: Option<String>,
    /// The agent's own resource indicator: access tokens presented by it must carry this `aud`.
    pub resource_url: Option<String>,
    /// `00u…` ids of the humans accountable for the agent.
    pub owners: Vec<String>,
    pub created: Millis,
    pub last_updated: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionStatus {
    Active,
    Inactive,
}

impl TextEnum for ConnectionStatus {
    const ALL: &'static [(Self, &'static str)] = &[(Self::Active, "ACTIVE"), (Self::Inactive, "INACTIVE")];
}

/// What an agent (or app) may reach at one custom AS: at most one per (owner, AS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceConnection {
    pub id: String,
    pub owner_id: String,
    /// `IDENTITY_ASSERTION_CUSTOM_AS`.
    pub connection_type: String,
    pub auth_server_id: String,
    pub resource_indicator: Option<String>,
    /// `INCLUDE_ONLY`.
    pub scope_condition: String,
    pub scopes: Vec<String>,
    /// baton's addition: the client id the redeeming AS sees, when it differs from the owner.
    pub target_client_id: Option<String>,
    /// baton's addition: the user must approve the exchange (brokered consent).
    pub consent_required: bool,
    pub status: ConnectionStatus,
    pub created: Millis,
    pub last_updated: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkTokenType {
    IdToken,
    AccessToken,
}

impl TextEnum for LinkTokenType {
    const ALL: &'static [(Self, &'static str)] = &[(Self::IdToken, "ID_TOKEN"), (Self::AccessToken, "ACCESS_TOKEN")];
}

/// "Tokens of `from_client_id` of this type may be exchanged by agent `to_agent_id`."
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegationLink {
    pub id: String,
    pub from_client_id: String,
    pub token_type: LinkTokenType,
    pub to_agent_id: String,
    pub status: ConnectionStatus,
    pub created: Millis,
    pub last_updated: Millis,
}

/// An asynchronous operation of the AI-agent API; baton completes them synchronously.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub id: String,
    /// `ai-agent:Register`, `ai-agent:Patch`, …
    pub op_type: String,
    /// `COMPLETED` (others are defined by Okta but unused).
    pub status: String,
    pub resource_id: String,
    pub resource_type: String,
    pub resource_status: String,
    pub created: Millis,
    pub started: Millis,
    pub completed: Option<Millis>,
}
