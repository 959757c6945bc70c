//! AI agents, resource connections, delegation links and AI-agent API operations.

use super::{Page, StoreResult};
use crate::domain::{Agent, DelegationLink, LinkTokenType, LogRecord, Operation, ResourceConnection};
use async_trait::async_trait;

#[async_trait]
pub trait AgentStore {
    /// Writes the agent and the (completed) operation that records the change.
    async fn create_agent(&self, agent: &Agent, op: &Operation, events: &[LogRecord]) -> StoreResult<()>;
    async fn find_agent(&self, id: &str) -> StoreResult<Option<Agent>>;
    async fn list_agents(&self, page: &Page) -> StoreResult<Vec<Agent>>;
    async fn update_agent(&self, agent: &Agent, op: &Operation, events: &[LogRecord]) -> StoreResult<()>;
    /// Deletes the agent with its keys, connections and links.
    async fn delete_agent(&self, id: &str, op: &Operation, events: &[LogRecord]) -> StoreResult<bool>;
    async fn find_operation(&self, id: &str) -> StoreResult<Option<Operation>>;
    /// Operations ordered by id, after `page.after`.
    async fn list_operations(&self, page: &Page) -> StoreResult<Vec<Operation>>;

    /// `Conflict("authorizationServer")` when the owner already has a connection to that AS.
    async fn create_connection(&self, conn: &ResourceConnection, events: &[LogRecord]) -> StoreResult<()>;
    async fn find_connection(&self, id: &str) -> StoreResult<Option<ResourceConnection>>;
    async fn find_connection_to(&self, owner_id: &str, auth_server_id: &str)
        -> StoreResult<Option<ResourceConnection>>;
    async fn list_connections(&self, owner_id: &str) -> StoreResult<Vec<ResourceConnection>>;
    async fn update_connection(&self, conn: &ResourceConnection, events: &[LogRecord]) -> StoreResult<()>;
    async fn delete_connection(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool>;

    async fn create_delegation_link(&self, link: &DelegationLink, events: &[LogRecord]) -> StoreResult<()>;
    async fn find_delegation_link(&self, id: &str) -> StoreResult<Option<DelegationLink>>;
    /// The link `{from, tokenType, to}` that gates a token exchange, if any.
    async fn find_delegation_link_for(
        &self,
        from_client_id: &str,
        token_type: LinkTokenType,
        to_agent_id: &str,
    ) -> StoreResult<Option<DelegationLink>>;
    async fn list_delegation_links(&self, page: &Page) -> StoreResult<Vec<DelegationLink>>;
    async fn delete_delegation_link(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool>;
}
