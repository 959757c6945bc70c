//! `AuthServerStore` over SQL: custom authorization servers and their trusted issuers here;
//! scopes and claims in `scopes`, policies and rules in `policies`. Everything a server owns
//! cascades from it by foreign key, except its signing keys (shared with the org AS, so keyed
//! by a plain `owner_id`).

mod ordering;
mod policies;
mod scopes;

use super::keys::insert_signing_key;
use super::rows::{all, one, to_json, AuthServerRow, TrustedIssuerRow};
use super::{cached, config_tx, constraint, with_pool, SqlStore};
use crate::domain::{AuthServer, Claim, LogRecord, Policy, PolicyRule, Scope, SigningKey, TextEnum, TrustedIssuer};
use crate::store::{AuthServerStore, Page, StoreResult};
use async_trait::async_trait;
use scopes::insert_scope;

const SERVER_COLS: &str = "id, name, description, audiences, resources, issuer_mode, status, signing_alg, \
                           rotation_mode, created, last_updated";
const ISSUER_COLS: &str = "id, auth_server_id, issuer, jwks_uri, jwks, created";

#[async_trait]
impl AuthServerStore for SqlStore {
    async fn create_auth_server(
        &self,
        server: &AuthServer,
        scopes: &[Scope],
        keys: &[SigningKey],
        events: &[LogRecord],
    ) -> StoreResult<()> {
        config_tx!(self, events, |tx| {
            sqlx::query(
                "INSERT INTO auth_servers (id, name, description, audiences, resources, issuer_mode, status, \
                 signing_alg, rotation_mode, created, last_updated) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&server.id)
            .bind(&server.name)
            .bind(&server.description)
            .bind(to_json(&server.audiences))
            .bind(to_json(&server.resources))
            .bind(&server.issuer_mode)
            .bind(server.status.as_str())
            .bind(server.signing_alg.as_str())
            .bind(&server.rotation_mode)
            .bind(server.created)
            .bind(server.last_updated)
            .execute(&mut *tx)
            .await?;
            for scope in scopes {
                insert_scope!(tx, scope);
            }
            for key in keys {
                insert_signing_key!(tx, key);
            }
        })
    }

    async fn find_auth_server(&self, id: &str) -> StoreResult<Option<AuthServer>> {
        cached!(self, "auth_server", id, async {
            let sql = format!("SELECT {SERVER_COLS} FROM auth_servers WHERE id = $1");
            one(with_pool!(self, |p| sqlx::query_as::<_, AuthServerRow>(&sql).bind(id).fetch_optional(p).await?))
        })
    }

    async fn list_auth_servers(&self, page: &Page) -> StoreResult<Vec<AuthServer>> {
        let sql = format!("SELECT {SERVER_COLS} FROM auth_servers WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2");
        all(with_pool!(self, |p| sqlx::query_as::<_, AuthServerRow>(&sql)
            .bind(&page.after)
            .bind(page.limit)
            .fetch_all(p)
            .await?))
    }

    async fn update_auth_server(&self, server: &AuthServer, events: &[LogRecord]) -> StoreResult<()> {
        config_tx!(self, events, |tx| {
            sqlx::query(
                "UPDATE auth_servers SET name = $2, description = $3, audiences = $4, resources = $5, \
                 issuer_mode = $6, status = $7, signing_alg = $8, rotation_mode = $9, last_updated = $10 \
                 WHERE id = $1",
            )
            .bind(&server.id)
            .bind(&server.name)
            .bind(&server.description)
            .bind(to_json(&server.audiences))
            .bind(to_json(&server.resources))
            .bind(&server.issuer_mode)
            .bind(server.status.as_str())
            .bind(server.signing_alg.as_str())
            .bind(&server.rotation_mode)
            .bind(server.last_updated)
            .execute(&mut *tx)
            .await?;
        })
    }

    async fn delete_auth_server(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool> {
        config_tx!(self, events, |tx| {
            sqlx::query("DELETE FROM signing_keys WHERE owner_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM auth_servers WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected() > 0
        })
    }

    async fn create_scope(&self, scope: &Scope, events: &[LogRecord]) -> StoreResult<()> {
        scopes::create_scope(self, scope, events).await
    }

    async fn find_scope(&self, auth_server_id: &str, id: &str) -> StoreResult<Option<Scope>> {
        scopes::find_scope(self, auth_server_id, id).await
    }

    async fn list_scopes(&self, auth_server_id: &str) -> StoreResult<Vec<Scope>> {
        cached!(self, "scopes", auth_server_id, scopes::list_scopes(self, auth_server_id))
    }

    async fn update_scope(&self, scope: &Scope, events: &[LogRecord]) -> StoreResult<()> {
        scopes::update_scope(self, scope, events).await
    }

    async fn delete_scope(&self, auth_server_id: &str, id: &str, events: &[LogRecord]) -> StoreResult<bool> {
        scopes::delete_scope(self, auth_server_id, id, events).await
    }

    async fn create_claim(&self, claim: &Claim, events: &[LogRecord]) -> StoreResult<()> {
        scopes::create_claim(self, claim, events).await
    }

    async fn find_claim(&self, auth_server_id: &str, id: &str) -> StoreResult<Option<Claim>> {
        scopes::find_claim(self, auth_server_id, id).await
    }

    async fn list_claims(&self, auth_server_id: &str) -> StoreResult<Vec<Claim>> {
        cached!(self, "claims", auth_server_id, scopes::list_claims(self, auth_server_id))
    }

    async fn update_claim(&self, claim: &Claim, events: &[LogRecord]) -> StoreResult<()> {
        scopes::update_claim(self, claim, events).await
    }

    async fn delete_claim(&self, auth_server_id: &str, id: &str, events: &[LogRecord]) -> StoreResult<bool> {
        scopes::delete_claim(self, auth_server_id, id, events).await
    }

    async fn create_policy(&self, policy: &Policy, events: &[LogRecord]) -> StoreResult<()> {
        policies::create_policy(self, policy, events).await
    }

    async fn find_policy(&self, auth_server_id: &str, id: &str) -> StoreResult<Option<Policy>> {
        policies::find_policy(self, auth_server_id, id).await
    }

    async fn list_policies(&self, auth_server_id: &str) -> StoreResult<Vec<Policy>> {
        cached!(self, "policies", auth_server_id, policies::list_policies(self, auth_server_id))
    }

    async fn update_policy(&self, policy: &Policy, events: &[LogRecord]) -> StoreResult<()> {
        policies::update_policy(self, policy, events).await
    }

    async fn delete_policy(&self, auth_server_id: &str, id: &str, events: &[LogRecord]) -> StoreResult<bool> {
        policies::delete_policy(self, auth_server_id, id, events).await
    }

    async fn create_rule(&self, rule: &PolicyRule, events: &[LogRecord]) -> StoreResult<()> {
        policies::create_rule(self, rule, events).await
    }

    async fn find_rule(&self, policy_id: &str, id: &str) -> StoreResult<Option<PolicyRule>> {
        cached!(self, "rule", &format!("{policy_id}/{id}"), async { policies::find_rule(self, policy_id, id).await })
    }

    async fn list_rules(&self, policy_id: &str) -> StoreResult<Vec<PolicyRule>> {
        cached!(self, "rules", policy_id, policies::list_rules(self, policy_id))
    }

    async fn update_rule(&self, rule: &PolicyRule, events: &[LogRecord]) -> StoreResult<()> {
        policies::update_rule(self, rule, events).await
    }

    async fn delete_rule(&self, policy_id: &str, id: &str, events: &[LogRecord]) -> StoreResult<bool> {
        policies::delete_rule(self, policy_id, id, events).await
    }

    async fn save_policy(
        &self,
        policy: &Policy,
        create: bool,
        priorities: &[(String, i64)],
        events: &[LogRecord],
    ) -> StoreResult<()> {
        ordering::save_policy(self, policy, create, priorities, events).await
    }

    async fn save_rule(
        &self,
        rule: &PolicyRule,
        create: bool,
        priorities: &[(String, i64)],
        events: &[LogRecord],
    ) -> StoreResult<()> {
        ordering::save_rule(self, rule, create, priorities, events).await
    }

    async fn create_trusted_issuer(&self, issuer: &TrustedIssuer, events: &[LogRecord]) -> StoreResult<()> {
        config_tx!(self, events, |tx| {
            sqlx::query(
                "INSERT INTO trusted_issuers (id, auth_server_id, issuer, jwks_uri, jwks, created) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&issuer.id)
            .bind(&issuer.auth_server_id)
            .bind(&issuer.issuer)
            .bind(&issuer.jwks_uri)
            .bind(issuer.jwks.as_ref().map(ToString::to_string))
            .bind(issuer.created)
            .execute(&mut *tx)
            .await
            .map_err(constraint("issuer"))?;
        })
    }

    async fn list_trusted_issuers(&self, auth_server_id: &str) -> StoreResult<Vec<TrustedIssuer>> {
        cached!(self, "trusted_issuers", auth_server_id, async {
            let sql =
                format!("SELECT {ISSUER_COLS} FROM trusted_issuers WHERE auth_server_id = $1 ORDER BY created, id");
            all(with_pool!(self, |p| sqlx::query_as::<_, TrustedIssuerRow>(&sql)
                .bind(auth_server_id)
                .fetch_all(p)
                .await?))
        })
    }

    async fn delete_trusted_issuer(&self, auth_server_id: &str, id: &str, events: &[LogRecord]) -> StoreResult<bool> {
        config_tx!(self, events, |tx| {
            sqlx::query("DELETE FROM trusted_issuers WHERE auth_server_id = $1 AND id = $2")
                .bind(auth_server_id)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0
        })
    }
}
