//! References between seed entries: a user by login or id, a group by name or id, an app by
//! id or client id, an agent by id or name, a custom AS by id or name. References are resolved
//! against the database, which by then holds every entry applied earlier in the run.

use super::util::looks_like;
use super::Run;
use crate::domain::ids::Prefix;
use crate::domain::{Agent, App, AuthServer, Group, User};
use crate::store::Page;
use anyhow::{bail, Result};

/// An OAuth client: an app or an AI agent.
pub(super) enum Client {
    App(App),
    Agent(Agent),
}

impl Client {
    /// The object id (`0oa…` or `wlp…`).
    pub(super) fn id(&self) -> &str {
        match self {
            Self::App(a) => &a.id,
            Self::Agent(a) => &a.id,
        }
    }

    /// The OAuth client id (an agent's is its id).
    pub(super) fn client_id(&self) -> &str {
        match self {
            Self::App(a) => &a.client_id,
            Self::Agent(a) => &a.id,
        }
    }
}

impl Run<'_> {
    pub(super) async fn find_user_ref(&self, r: &str) -> Result<Option<User>> {
        if looks_like(r, Prefix::User) {
            if let Some(u) = self.store.find_user(r).await? {
                return Ok(Some(u));
            }
        }
        Ok(self.store.find_user_by_login(r).await?)
    }

    pub(super) async fn user_ref(&self, r: &str, field: &str) -> Result<User> {
        match self.find_user_ref(r).await? {
            Some(u) => Ok(u),
            None => bail!("{field}: no user with login or id \"{r}\""),
        }
    }

    pub(super) async fn group_ref(&self, r: &str, field: &str) -> Result<Group> {
        if looks_like(r, Prefix::Group) {
            if let Some(g) = self.store.find_group(r).await? {
                return Ok(g);
            }
        }
        match self.store.find_group_by_name(r).await? {
            Some(g) => Ok(g),
            None => bail!("{field}: no group with name or id \"{r}\""),
        }
    }

    pub(super) async fn find_app_ref(&self, r: &str) -> Result<Option<App>> {
        if looks_like(r, Prefix::App) {
            if let Some(a) = self.store.find_app(r).await? {
                return Ok(Some(a));
            }
        }
        Ok(self.store.find_app_by_client_id(r).await?)
    }

    pub(super) async fn app_ref(&self, r: &str, field: &str) -> Result<App> {
        match self.find_app_ref(r).await? {
            Some(a) => Ok(a),
            None => bail!("{field}: no app with id or client id \"{r}\""),
        }
    }

    /// The agent called `name`; more than one is an error, since the seed could not tell them apart.
    pub(super) async fn find_agent_by_name(&self, name: &str, field: &str) -> Result<Option<Agent>> {
        let mut found: Vec<Agent> =
            self.store.list_agents(&Page::first(i64::MAX)).await?.into_iter().filter(|a| a.name == name).collect();
        if found.len() > 1 {
            let ids: Vec<&str> = found.iter().map(|a| a.id.as_str()).collect();
            bail!("{field}: several agents are named \"{name}\" ({}); refer to one by id", ids.join(", "));
        }
        Ok(found.pop())
    }

    pub(super) async fn find_agent_ref(&self, r: &str, field: &str) -> Result<Option<Agent>> {
        if looks_like(r, Prefix::Agent) {
            if let Some(a) = self.store.find_agent(r).await? {
                return Ok(Some(a));
            }
        }
        self.find_agent_by_name(r, field).await
    }

    pub(super) async fn agent_ref(&self, r: &str, field: &str) -> Result<Agent> {
        match self.find_agent_ref(r, field).await? {
            Some(a) => Ok(a),
            None => bail!("{field}: no AI agent with id or name \"{r}\""),
        }
    }

    /// An app (id or client id) or an agent (id or name).
    pub(super) async fn client_ref(&self, r: &str, field: &str) -> Result<Client> {
        if let Some(app) = self.find_app_ref(r).await? {
            return Ok(Client::App(app));
        }
        match self.find_agent_ref(r, field).await? {
            Some(agent) => Ok(Client::Agent(agent)),
            None => bail!("{field}: no app or AI agent with id, client id or name \"{r}\""),
        }
    }

    /// The custom AS called `name`; more than one is an error.
    pub(super) async fn find_server_by_name(&self, name: &str, field: &str) -> Result<Option<AuthServer>> {
        let mut found: Vec<AuthServer> = self
            .store
            .list_auth_servers(&Page::first(i64::MAX))
            .await?
            .into_iter()
            .filter(|s| s.name == name)
            .collect();
        if found.len() > 1 {
            let ids: Vec<&str> = found.iter().map(|s| s.id.as_str()).collect();
            bail!(
                "{field}: several authorization servers are named \"{name}\" ({}); refer to one by id",
                ids.join(", ")
            );
        }
        Ok(found.pop())
    }

    pub(super) async fn server_ref(&self, r: &str, field: &str) -> Result<AuthServer> {
        if let Some(s) = self.store.find_auth_server(r).await? {
            return Ok(s);
        }
        match self.find_server_by_name(r, field).await? {
            Some(s) => Ok(s),
            None => bail!("{field}: no authorization server with id or name \"{r}\""),
        }
    }
}
