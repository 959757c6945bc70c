//! The OAuth client behind a request: an OIDC app (`0oa…`) or an AI agent (`wlp…`), looked up
//! by client id, with what the protocol needs to know about either.

use crate::audit::Actor;
use crate::domain::{Agent, AgentStatus, App, AppStatus, AuthMethod};
use crate::store::{Store, StoreResult};

#[derive(Debug, Clone)]
pub enum Client {
    App(App),
    Agent(Agent),
}

impl Client {
    /// The app with this client id, else the agent with this id.
    pub async fn find(store: &dyn Store, client_id: &str) -> StoreResult<Option<Self>> {
        if let Some(app) = store.find_app_by_client_id(client_id).await? {
            return Ok(Some(Self::App(app)));
        }
        Ok(store.find_agent(client_id).await?.map(Self::Agent))
    }

    /// The OAuth `client_id`.
    #[must_use]
    pub fn client_id(&self) -> &str {
        match self {
            Self::App(a) => &a.client_id,
            Self::Agent(a) => &a.id,
        }
    }

    /// The object id owning its keys and secrets (app id or agent id).
    #[must_use]
    pub fn object_id(&self) -> &str {
        match self {
            Self::App(a) => &a.id,
            Self::Agent(a) => &a.id,
        }
    }

    #[must_use]
    pub fn display_name(&self) -> &str {
        match self {
            Self::App(a) => &a.label,
            Self::Agent(a) => &a.name,
        }
    }

    #[must_use]
    pub fn is_active(&self) -> bool {
        match self {
            Self::App(a) => a.status == AppStatus::Active,
            Self::Agent(a) => a.status == AgentStatus::Active,
        }
    }

    /// The one method this client may authenticate with; agents use `private_key_jwt` only.
    #[must_use]
    pub fn auth_method(&self) -> AuthMethod {
        match self {
            Self::App(a) => a.token_endpoint_auth_method,
            Self::Agent(_) => AuthMethod::PrivateKeyJwt,
        }
    }

    #[must_use]
    pub fn sub_profile(&self) -> &'static str {
        match self {
            Self::App(a) => a.sub_profile(),
            Self::Agent(_) => "ai_agent",
        }
    }

    /// Grant types the client may use: an app's configured list; agents may use both XAA
    /// grants (xaa.md §3).
    #[must_use]
    pub fn grant_types(&self) -> Vec<String> {
        match self {
            Self::App(a) => a.grant_types.clone(),
            Self::Agent(_) => super::token::registry::agent_grant_types().into_iter().map(str::to_owned).collect(),
        }
    }

    /// The System Log actor: `PublicClientApp` for apps, `AIAgent` for agents.
    #[must_use]
    pub fn actor(&self) -> Actor {
        let kind = if matches!(self, Self::App(_)) { "PublicClientApp" } else { "AIAgent" };
        Actor::new(self.client_id(), kind, self.client_id(), self.display_name())
    }
}
