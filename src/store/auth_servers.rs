//! Custom authorization servers with their scopes, claims, policies, rules and trusted issuers.

use super::{Page, StoreResult};
use crate::domain::{AuthServer, Claim, LogRecord, Policy, PolicyRule, Scope, SigningKey, TrustedIssuer};
use async_trait::async_trait;

#[async_trait]
pub trait AuthServerStore {
    /// Creates the server with its system scopes and first signing keys in one transaction.
    async fn create_auth_server(
        &self,
        server: &AuthServer,
        scopes: &[Scope],
        keys: &[SigningKey],
        events: &[LogRecord],
    ) -> StoreResult<()>;
    async fn find_auth_server(&self, id: &str) -> StoreResult<Option<AuthServer>>;
    async fn list_auth_servers(&self, page: &Page) -> StoreResult<Vec<AuthServer>>;
    async fn update_auth_server(&self, server: &AuthServer, events: &[LogRecord]) -> StoreResult<()>;
    /// Deletes the server and everything that belongs to it.
    async fn delete_auth_server(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool>;

    /// `Conflict("name")` on a duplicate name in the same server.
    async fn create_scope(&self, scope: &Scope, events: &[LogRecord]) -> StoreResult<()>;
    async fn find_scope(&self, auth_server_id: &str, id: &str) -> StoreResult<Option<Scope>>;
    async fn list_scopes(&self, auth_server_id: &str) -> StoreResult<Vec<Scope>>;
    async fn update_scope(&self, scope: &Scope, events: &[LogRecord]) -> StoreResult<()>;
    async fn delete_scope(&self, auth_server_id: &str, id: &str, events: &[LogRecord]) -> StoreResult<bool>;

    async fn create_claim(&self, claim: &Claim, events: &[LogRecord]) -> StoreResult<()>;
    async fn find_claim(&self, auth_server_id: &str, id: &str) -> StoreResult<Option<Claim>>;
    async fn list_claims(&self, auth_server_id: &str) -> StoreResult<Vec<Claim>>;
    async fn update_claim(&self, claim: &Claim, events: &[LogRecord]) -> StoreResult<()>;
    async fn delete_claim(&self, auth_server_id: &str, id: &str, events: &[LogRecord]) -> StoreResult<bool>;

    async fn create_policy(&self, policy: &Policy, events: &[LogRecord]) -> StoreResult<()>;
    async fn find_policy(&self, auth_server_id: &str, id: &str) -> StoreResult<Option<Policy>>;
    /// Ordered by priority.
    async fn list_policies(&self, auth_server_id: &str) -> StoreResult<Vec<Policy>>;
    async fn update_policy(&self, policy: &Policy, events: &[LogRecord]) -> StoreResult<()>;
    /// Deletes the policy and its rules.
    async fn delete_policy(&self, auth_server_id: &str, id: &str, events: &[LogRecord]) -> StoreResult<bool>;

    async fn create_rule(&self, rule: &PolicyRule, events: &[LogRecord]) -> StoreResult<()>;
    async fn find_rule(&self, policy_id: &str, id: &str) -> StoreResult<Option<PolicyRule>>;
    /// Ordered by priority.
    async fn list_rules(&self, policy_id: &str) -> StoreResult<Vec<PolicyRule>>;
    async fn update_rule(&self, rule: &PolicyRule, events: &[LogRecord]) -> StoreResult<()>;
    async fn delete_rule(&self, policy_id: &str, id: &str, events: &[LogRecord]) -> StoreResult<bool>;

    /// In one transaction: sets the `(id, priority)` pairs of sibling policies of the same server,
    /// then inserts (`create`) or updates `policy`. How the Management API keeps priorities unique.
    async fn save_policy(
        &self,
        policy: &Policy,
        create: bool,
        priorities: &[(String, i64)],
        events: &[LogRecord],
    ) -> StoreResult<()>;
    /// `save_policy` for a rule and its sibling rules of the same policy.
    async fn save_rule(
        &self,
        rule: &PolicyRule,
        create: bool,
        priorities: &[(String, i64)],
        events: &[LogRecord],
    ) -> StoreResult<()>;

    async fn create_trusted_issuer(&self, issuer: &TrustedIssuer, events: &[LogRecord]) -> StoreResult<()>;
    async fn list_trusted_issuers(&self, auth_server_id: &str) -> StoreResult<Vec<TrustedIssuer>>;
    async fn delete_trusted_issuer(&self, auth_server_id: &str, id: &str, events: &[LogRecord]) -> StoreResult<bool>;
}
