//! `AgentStore` over SQL: AI agents with the operations that record their changes, resource
//! connections (one per owner and AS) and delegation links (xaa.md §1.4).

use super::rows::{all, one, to_json, AgentRow, ConnectionRow, LinkRow, OperationRow};
use super::{cached, config_tx, constraint, constraints, with_pool, SqlStore};
use crate::domain::{Agent, DelegationLink, LinkTokenType, LogRecord, Operation, ResourceConnection, TextEnum};
use crate::store::{AgentStore, Page, StoreResult};
use async_trait::async_trait;

const AGENT_COLS: &str = "id, status, app_id, name, description, resource_url, owners, created, last_updated";
const OP_COLS: &str = "id, op_type, status, resource_id, resource_type, resource_status, created, started, completed";
const CONN_COLS: &str = "id, owner_id, connection_type, auth_server_id, resource_indicator, scope_condition, scopes, \
                         target_client_id, consent_required, status, created, last_updated";
const LINK_COLS: &str = "id, from_client_id, token_type, to_agent_id, status, created, last_updated";

fn conn_select(rest: &str) -> String {
    format!("SELECT {CONN_COLS} FROM resource_connections {rest}")
}

fn link_select(rest: &str) -> String {
    format!("SELECT {LINK_COLS} FROM delegation_links {rest}")
}

/// Inserts the operation that records an agent change, inside an open transaction `$tx`.
macro_rules! insert_operation {
    ($tx:ident, $op:expr) => {
        sqlx::query(
            "INSERT INTO operations (id, op_type, status, resource_id, resource_type, resource_status, created, \
             started, completed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&$op.id)
        .bind(&$op.op_type)
        .bind(&$op.status)
        .bind(&$op.resource_id)
        .bind(&$op.resource_type)
        .bind(&$op.resource_status)
        .bind($op.created)
        .bind($op.started)
        .bind($op.completed)
        .execute(&mut *$tx)
        .await?
    };
}

#[async_trait]
impl AgentStore for SqlStore {
    async fn create_agent(&self, agent: &Agent, op: &Operation, events: &[LogRecord]) -> StoreResult<()> {
        config_tx!(self, events, |tx| {
            sqlx::query(
                "INSERT INTO agents (id, status, app_id, name, description, resource_url, owners, created, \
                 last_updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&agent.id)
            .bind(agent.status.as_str())
            .bind(&agent.app_id)
            .bind(&agent.name)
            .bind(&agent.description)
            .bind(&agent.resource_url)
            .bind(to_json(&agent.owners))
            .bind(agent.created)
            .bind(agent.last_updated)
            .execute(&mut *tx)
            .await
            .map_err(constraints("id", "appId"))?;
            insert_operation!(tx, op);
        })
    }

    async fn find_agent(&self, id: &str) -> StoreResult<Option<Agent>> {
        cached!(self, "agent", id, async {
            let sql = format!("SELECT {AGENT_COLS} FROM agents WHERE id = $1");
            one(with_pool!(self, |p| sqlx::query_as::<_, AgentRow>(&sql).bind(id).fetch_optional(p).await?))
        })
    }

    async fn list_agents(&self, page: &Page) -> StoreResult<Vec<Agent>> {
        let sql = format!("SELECT {AGENT_COLS} FROM agents WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2");
        all(with_pool!(self, |p| sqlx::query_as::<_, AgentRow>(&sql)
            .bind(&page.after)
            .bind(page.limit)
            .fetch_all(p)
            .await?))
    }

    async fn update_agent(&self, agent: &Agent, op: &Operation, events: &[LogRecord]) -> StoreResult<()> {
        config_tx!(self, events, |tx| {
            sqlx::query(
                "UPDATE agents SET status = $2, app_id = $3, name = $4, description = $5, resource_url = $6, \
                 owners = $7, last_updated = $8 WHERE id = $1",
            )
            .bind(&agent.id)
            .bind(agent.status.as_str())
            .bind(&agent.app_id)
            .bind(&agent.name)
            .bind(&agent.description)
            .bind(&agent.resource_url)
            .bind(to_json(&agent.owners))
            .bind(agent.last_updated)
            .execute(&mut *tx)
            .await
            .map_err(constraint("appId"))?;
            insert_operation!(tx, op);
        })
    }

    async fn delete_agent(&self, id: &str, op: &Operation, events: &[LogRecord]) -> StoreResult<bool> {
        config_tx!(self, events, |tx| {
            // Keys and connections carry no foreign key to the agent (their owner may be an app),
            // and links may name the agent as their source: delete them explicitly.
            sqlx::query("DELETE FROM client_keys WHERE client_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM resource_connections WHERE owner_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM delegation_links WHERE from_client_id = $1 OR to_agent_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let deleted =
                sqlx::query("DELETE FROM agents WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected() > 0;
            insert_operation!(tx, op);
            deleted
        })
    }

    async fn find_operation(&self, id: &str) -> StoreResult<Option<Operation>> {
        let sql = format!("SELECT {OP_COLS} FROM operations WHERE id = $1");
        one(with_pool!(self, |p| sqlx::query_as::<_, OperationRow>(&sql).bind(id).fetch_optional(p).await?))
    }

    async fn list_operations(&self, page: &Page) -> StoreResult<Vec<Operation>> {
        let sql = format!("SELECT {OP_COLS} FROM operations WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2");
        all(with_pool!(self, |p| sqlx::query_as::<_, OperationRow>(&sql)
            .bind(&page.after)
            .bind(page.limit)
            .fetch_all(p)
            .await?))
    }

    async fn create_connection(&self, conn: &ResourceConnection, events: &[LogRecord]) -> StoreResult<()> {
        config_tx!(self, events, |tx| {
            sqlx::query(
                "INSERT INTO resource_connections (id, owner_id, connection_type, auth_server_id, \
                 resource_indicator, scope_condition, scopes, target_client_id, consent_required, status, created, \
                 last_updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(&conn.id)
            .bind(&conn.owner_id)
            .bind(&conn.connection_type)
            .bind(&conn.auth_server_id)
            .bind(&conn.resource_indicator)
            .bind(&conn.scope_condition)
            .bind(to_json(&conn.scopes))
            .bind(&conn.target_client_id)
            .bind(conn.consent_required)
            .bind(conn.status.as_str())
            .bind(conn.created)
            .bind(conn.last_updated)
            .execute(&mut *tx)
            .await
            .map_err(constraint("authorizationServer"))?;
        })
    }

    async fn find_connection(&self, id: &str) -> StoreResult<Option<ResourceConnection>> {
        let sql = conn_select("WHERE id = $1");
        one(with_pool!(self, |p| sqlx::query_as::<_, ConnectionRow>(&sql).bind(id).fetch_optional(p).await?))
    }

    async fn find_connection_to(
        &self,
        owner_id: &str,
        auth_server_id: &str,
    ) -> StoreResult<Option<ResourceConnection>> {
        cached!(self, "connection_to", &format!("{owner_id}/{auth_server_id}"), async {
            let sql = conn_select("WHERE owner_id = $1 AND auth_server_id = $2");
            one(with_pool!(self, |p| sqlx::query_as::<_, ConnectionRow>(&sql)
                .bind(owner_id)
                .bind(auth_server_id)
                .fetch_optional(p)
                .await?))
        })
    }

    async fn list_connections(&self, owner_id: &str) -> StoreResult<Vec<ResourceConnection>> {
        let sql = conn_select("WHERE owner_id = $1 ORDER BY created, id");
        all(with_pool!(self, |p| sqlx::query_as::<_, ConnectionRow>(&sql).bind(owner_id).fetch_all(p).await?))
    }

    async fn update_connection(&self, conn: &ResourceConnection, events: &[LogRecord]) -> StoreResult<()> {
        config_tx!(self, events, |tx| {
            sqlx::query(
                "UPDATE resource_connections SET owner_id = $2, connection_type = $3, auth_server_id = $4, \
                 resource_indicator = $5, scope_condition = $6, scopes = $7, target_client_id = $8, \
                 consent_required = $9, status = $10, last_updated = $11 WHERE id = $1",
            )
            .bind(&conn.id)
            .bind(&conn.owner_id)
            .bind(&conn.connection_type)
            .bind(&conn.auth_server_id)
            .bind(&conn.resource_indicator)
            .bind(&conn.scope_condition)
            .bind(to_json(&conn.scopes))
            .bind(&conn.target_client_id)
            .bind(conn.consent_required)
            .bind(conn.status.as_str())
            .bind(conn.last_updated)
            .execute(&mut *tx)
            .await
            .map_err(constraint("authorizationServer"))?;
        })
    }

    async fn delete_connection(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool> {
        config_tx!(self, events, |tx| {
            sqlx::query("DELETE FROM resource_connections WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0
        })
    }

    async fn create_delegation_link(&self, link: &DelegationLink, events: &[LogRecord]) -> StoreResult<()> {
        config_tx!(self, events, |tx| {
            sqlx::query(
                "INSERT INTO delegation_links (id, from_client_id, token_type, to_agent_id, status, created, \
                 last_updated) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&link.id)
            .bind(&link.from_client_id)
            .bind(link.token_type.as_str())
            .bind(&link.to_agent_id)
            .bind(link.status.as_str())
            .bind(link.created)
            .bind(link.last_updated)
            .execute(&mut *tx)
            .await
            .map_err(constraint("delegationLink"))?;
        })
    }

    async fn find_delegation_link(&self, id: &str) -> StoreResult<Option<DelegationLink>> {
        let sql = link_select("WHERE id = $1");
        one(with_pool!(self, |p| sqlx::query_as::<_, LinkRow>(&sql).bind(id).fetch_optional(p).await?))
    }

    async fn find_delegation_link_for(
        &self,
        from_client_id: &str,
        token_type: LinkTokenType,
        to_agent_id: &str,
    ) -> StoreResult<Option<DelegationLink>> {
        cached!(
            self,
            "delegation_link_for",
            &format!("{from_client_id}/{}/{to_agent_id}", token_type.as_str()),
            async {
                let sql = link_select("WHERE from_client_id = $1 AND token_type = $2 AND to_agent_id = $3");
                one(with_pool!(self, |p| sqlx::query_as::<_, LinkRow>(&sql)
                    .bind(from_client_id)
                    .bind(token_type.as_str())
                    .bind(to_agent_id)
                    .fetch_optional(p)
                    .await?))
            }
        )
    }

    async fn list_delegation_links(&self, page: &Page) -> StoreResult<Vec<DelegationLink>> {
        let sql = link_select("WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2");
        all(with_pool!(self, |p| sqlx::query_as::<_, LinkRow>(&sql)
            .bind(&page.after)
            .bind(page.limit)
            .fetch_all(p)
            .await?))
    }

    async fn delete_delegation_link(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool> {
        config_tx!(self, events, |tx| {
            sqlx::query("DELETE FROM delegation_links WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected()
                > 0
        })
    }
}
