//! Policy and rule writes that also renumber their siblings, so priorities stay unique in
//! their parent (okta-surface.md §11.4): one transaction for the siblings and the object.

use crate::domain::{LogRecord, Policy, PolicyRule, TextEnum};
use crate::store::sql::rows::to_json;
use crate::store::sql::{config_tx, constraint, SqlStore};
use crate::store::StoreResult;

const INSERT_POLICY: &str = "INSERT INTO policies (id, auth_server_id, name, description, priority, status, system, \
                             clients, created, last_updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
const UPDATE_POLICY: &str = "UPDATE policies SET auth_server_id = $2, name = $3, description = $4, priority = $5, \
                             status = $6, system = $7, clients = $8, created = $9, last_updated = $10 WHERE id = $1";
const INSERT_RULE: &str = "INSERT INTO policy_rules (id, policy_id, auth_server_id, name, priority, status, system, \
                           conditions, access_token_minutes, refresh_token_minutes, refresh_window_minutes, created, \
                           last_updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
const UPDATE_RULE: &str = "UPDATE policy_rules SET policy_id = $2, auth_server_id = $3, name = $4, priority = $5, \
                           status = $6, system = $7, conditions = $8, access_token_minutes = $9, \
                           refresh_token_minutes = $10, refresh_window_minutes = $11, created = $12, \
                           last_updated = $13 WHERE id = $1";

pub(super) async fn save_policy(
    store: &SqlStore,
    policy: &Policy,
    create: bool,
    priorities: &[(String, i64)],
    events: &[LogRecord],
) -> StoreResult<()> {
    config_tx!(store, events, |tx| {
        for (id, priority) in priorities {
            sqlx::query("UPDATE policies SET priority = $3 WHERE auth_server_id = $1 AND id = $2")
                .bind(&policy.auth_server_id)
                .bind(id)
                .bind(priority)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(if create { INSERT_POLICY } else { UPDATE_POLICY })
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

pub(super) async fn save_rule(
    store: &SqlStore,
    rule: &PolicyRule,
    create: bool,
    priorities: &[(String, i64)],
    events: &[LogRecord],
) -> StoreResult<()> {
    config_tx!(store, events, |tx| {
        for (id, priority) in priorities {
            sqlx::query("UPDATE policy_rules SET priority = $3 WHERE policy_id = $1 AND id = $2")
                .bind(&rule.policy_id)
                .bind(id)
                .bind(priority)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(if create { INSERT_RULE } else { UPDATE_RULE })
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
