//! Access policies of a custom authorization server and their rules, both evaluated in
//! priority order (ties broken by id so the order is stable).

use crate::domain::{LogRecord, Policy, PolicyRule, TextEnum};
use crate::store::sql::rows::{all, one, to_json, PolicyRow, RuleRow};
use crate::store::sql::{config_tx, constraint, with_pool, SqlStore};
use crate::store::StoreResult;

const POLICY_COLS: &str =
    "id, auth_server_id, name, description, priority, status, system, clients, created, last_updated";
const RULE_COLS: &str = "id, policy_id, auth_server_id, name, priority, status, system, conditions, \
                         access_token_minutes, refresh_token_minutes, refresh_window_minutes, created, last_updated";

pub(super) async fn create_policy(store: &SqlStore, policy: &Policy, events: &[LogRecord]) -> StoreResult<()> {
    config_tx!(store, events, |tx| {
        sqlx::query(
            "INSERT INTO policies (id, auth_server_id, name, description, priority, status, system, clients, \
             created, last_updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&policy.id)
        .bind(&policy.auth_server_id)
        .bind(&policy.name)
        .bind(&policy.description)
        .bind(policy.priority)
        .bind(policy.status.as_str())
        .bind(policy.system)
        .bind(to_json(&policy.clients))
        .bind(policy.created)
        .bind(policy.last_updated)
        .execute(&mut *tx)
        .await
        .map_err(constraint("authorizationServer"))?;
    })
}

pub(super) async fn find_policy(store: &SqlStore, auth_server_id: &str, id: &str) -> StoreResult<Option<Policy>> {
    let sql = format!("SELECT {POLICY_COLS} FROM policies WHERE auth_server_id = $1 AND id = $2");
    one(with_pool!(store, |p| sqlx::query_as::<_, PolicyRow>(&sql)
        .bind(auth_server_id)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

pub(super) async fn list_policies(store: &SqlStore, auth_server_id: &str) -> StoreResult<Vec<Policy>> {
    let sql = format!("SELECT {POLICY_COLS} FROM policies WHERE auth_server_id = $1 ORDER BY priority, id");
    all(with_pool!(store, |p| sqlx::query_as::<_, PolicyRow>(&sql).bind(auth_server_id).fetch_all(p).await?))
}

pub(super) async fn update_policy(store: &SqlStore, policy: &Policy, events: &[LogRecord]) -> StoreResult<()> {
    config_tx!(store, events, |tx| {
        sqlx::query(
            "UPDATE policies SET name = $3, description = $4, priority = $5, status = $6, system = $7, \
             clients = $8, last_updated = $9 WHERE auth_server_id = $1 AND id = $2",
        )
        .bind(&policy.auth_server_id)
        .bind(&policy.id)
        .bind(&policy.name)
        .bind(&policy.description)
        .bind(policy.priority)
        .bind(policy.status.as_str())
        .bind(policy.system)
        .bind(to_json(&policy.clients))
        .bind(policy.last_updated)
        .execute(&mut *tx)
        .await?;
    })
}

/// The policy's rules go with it (`policy_rules.policy_id` cascades).
pub(super) async fn delete_policy(
    store: &SqlStore,
    auth_server_id: &str,
    id: &str,
    events: &[LogRecord],
) -> StoreResult<bool> {
    config_tx!(store, events, |tx| {
        sqlx::query("DELETE FROM policies WHERE auth_server_id = $1 AND id = $2")
            .bind(auth_server_id)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0
    })
}

pub(super) async fn create_rule(store: &SqlStore, rule: &PolicyRule, events: &[LogRecord]) -> StoreResult<()> {
    config_tx!(store, events, |tx| {
        sqlx::query(
            "INSERT INTO policy_rules (id, policy_id, auth_server_id, name, priority, status, system, conditions, \
             access_token_minutes, refresh_token_minutes, refresh_window_minutes, created, last_updated) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&rule.id)
        .bind(&rule.policy_id)
        .bind(&rule.auth_server_id)
        .bind(&rule.name)
        .bind(rule.priority)
        .bind(rule.status.as_str())
        .bind(rule.system)
        .bind(to_json(&rule.conditions))
        .bind(rule.token.access_token_minutes)
        .bind(rule.token.refresh_token_minutes)
        .bind(rule.token.refresh_token_window_minutes)
        .bind(rule.created)
        .bind(rule.last_updated)
        .execute(&mut *tx)
        .await
        .map_err(constraint("policy"))?;
    })
}

pub(super) async fn find_rule(store: &SqlStore, policy_id: &str, id: &str) -> StoreResult<Option<PolicyRule>> {
    let sql = format!("SELECT {RULE_COLS} FROM policy_rules WHERE policy_id = $1 AND id = $2");
    one(with_pool!(store, |p| sqlx::query_as::<_, RuleRow>(&sql).bind(policy_id).bind(id).fetch_optional(p).await?))
}

pub(super) async fn list_rules(store: &SqlStore, policy_id: &str) -> StoreResult<Vec<PolicyRule>> {
    let sql = format!("SELECT {RULE_COLS} FROM policy_rules WHERE policy_id = $1 ORDER BY priority, id");
    all(with_pool!(store, |p| sqlx::query_as::<_, RuleRow>(&sql).bind(policy_id).fetch_all(p).await?))
}

pub(super) async fn update_rule(store: &SqlStore, rule: &PolicyRule, events: &[LogRecord]) -> StoreResult<()> {
    config_tx!(store, events, |tx| {
        sqlx::query(
            "UPDATE policy_rules SET name = $3, priority = $4, status = $5, system = $6, conditions = $7, \
             access_token_minutes = $8, refresh_token_minutes = $9, refresh_window_minutes = $10, \
             last_updated = $11 WHERE policy_id = $1 AND id = $2",
        )
        .bind(&rule.policy_id)
        .bind(&rule.id)
        .bind(&rule.name)
        .bind(rule.priority)
        .bind(rule.status.as_str())
        .bind(rule.system)
        .bind(to_json(&rule.conditions))
        .bind(rule.token.access_token_minutes)
        .bind(rule.token.refresh_token_minutes)
        .bind(rule.token.refresh_token_window_minutes)
        .bind(rule.last_updated)
        .execute(&mut *tx)
        .await?;
    })
}

pub(super) async fn delete_rule(
    store: &SqlStore,
    policy_id: &str,
    id: &str,
    events: &[LogRecord],
) -> StoreResult<bool> {
    config_tx!(store, events, |tx| {
        sqlx::query("DELETE FROM policy_rules WHERE policy_id = $1 AND id = $2")
            .bind(policy_id)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0
    })
}
