//! Scopes and claims of a custom authorization server.

use crate::domain::{Claim, LogRecord, Scope, TextEnum};
use crate::store::sql::rows::{all, one, to_json, ClaimRow, ScopeRow};
use crate::store::sql::{config_tx, constraint, with_pool, SqlStore};
use crate::store::StoreResult;

const SCOPE_COLS: &str = "id, auth_server_id, name, description, display_name, system, is_default, optional, \
                          consent, metadata_publish, created, last_updated";
const CLAIM_COLS: &str = "id, auth_server_id, name, status, claim_type, value_type, value, group_filter_type, \
                          scopes, always_include, system, created, last_updated";

/// Inserts one scope inside an open transaction `$tx`; `Conflict("name")` on a duplicate name.
macro_rules! insert_scope {
    ($tx:ident, $scope:expr) => {
        sqlx::query(
            "INSERT INTO scopes (id, auth_server_id, name, description, display_name, system, is_default, \
             optional, consent, metadata_publish, created, last_updated) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&$scope.id)
        .bind(&$scope.auth_server_id)
        .bind(&$scope.name)
        .bind(&$scope.description)
        .bind(&$scope.display_name)
        .bind($scope.system)
        .bind($scope.default)
        .bind($scope.optional)
        .bind($crate::domain::TextEnum::as_str($scope.consent))
        .bind(&$scope.metadata_publish)
        .bind($scope.created)
        .bind($scope.last_updated)
        .execute(&mut *$tx)
        .await
        .map_err($crate::store::sql::constraint("name"))?
    };
}

pub(super) use insert_scope;

pub(super) async fn create_scope(store: &SqlStore, scope: &Scope, events: &[LogRecord]) -> StoreResult<()> {
    config_tx!(store, events, |tx| {
        insert_scope!(tx, scope);
    })
}

pub(super) async fn find_scope(store: &SqlStore, auth_server_id: &str, id: &str) -> StoreResult<Option<Scope>> {
    let sql = format!("SELECT {SCOPE_COLS} FROM scopes WHERE auth_server_id = $1 AND id = $2");
    one(with_pool!(store, |p| sqlx::query_as::<_, ScopeRow>(&sql)
        .bind(auth_server_id)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

pub(super) async fn list_scopes(store: &SqlStore, auth_server_id: &str) -> StoreResult<Vec<Scope>> {
    let sql = format!("SELECT {SCOPE_COLS} FROM scopes WHERE auth_server_id = $1 ORDER BY created, id");
    all(with_pool!(store, |p| sqlx::query_as::<_, ScopeRow>(&sql).bind(auth_server_id).fetch_all(p).await?))
}

pub(super) async fn update_scope(store: &SqlStore, scope: &Scope, events: &[LogRecord]) -> StoreResult<()> {
    config_tx!(store, events, |tx| {
        sqlx::query(
            "UPDATE scopes SET name = $3, description = $4, display_name = $5, system = $6, is_default = $7, \
             optional = $8, consent = $9, metadata_publish = $10, last_updated = $11 \
             WHERE auth_server_id = $1 AND id = $2",
        )
        .bind(&scope.auth_server_id)
        .bind(&scope.id)
        .bind(&scope.name)
        .bind(&scope.description)
        .bind(&scope.display_name)
        .bind(scope.system)
        .bind(scope.default)
        .bind(scope.optional)
        .bind(scope.consent.as_str())
        .bind(&scope.metadata_publish)
        .bind(scope.last_updated)
        .execute(&mut *tx)
        .await
        .map_err(constraint("name"))?;
    })
}

pub(super) async fn delete_scope(
    store: &SqlStore,
    auth_server_id: &str,
    id: &str,
    events: &[LogRecord],
) -> StoreResult<bool> {
    config_tx!(store, events, |tx| {
        sqlx::query("DELETE FROM scopes WHERE auth_server_id = $1 AND id = $2")
            .bind(auth_server_id)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0
    })
}

pub(super) async fn create_claim(store: &SqlStore, claim: &Claim, events: &[LogRecord]) -> StoreResult<()> {
    config_tx!(store, events, |tx| {
        sqlx::query(
            "INSERT INTO claims (id, auth_server_id, name, status, claim_type, value_type, value, \
             group_filter_type, scopes, always_include, system, created, last_updated) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&claim.id)
        .bind(&claim.auth_server_id)
        .bind(&claim.name)
        .bind(claim.status.as_str())
        .bind(claim.claim_type.as_str())
        .bind(claim.value_type.as_str())
        .bind(&claim.value)
        .bind(&claim.group_filter_type)
        .bind(to_json(&claim.scopes))
        .bind(claim.always_include_in_token)
        .bind(claim.system)
        .bind(claim.created)
        .bind(claim.last_updated)
        .execute(&mut *tx)
        .await
        .map_err(constraint("authorizationServer"))?;
    })
}

pub(super) async fn find_claim(store: &SqlStore, auth_server_id: &str, id: &str) -> StoreResult<Option<Claim>> {
    let sql = format!("SELECT {CLAIM_COLS} FROM claims WHERE auth_server_id = $1 AND id = $2");
    one(with_pool!(store, |p| sqlx::query_as::<_, ClaimRow>(&sql)
        .bind(auth_server_id)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

pub(super) async fn list_claims(store: &SqlStore, auth_server_id: &str) -> StoreResult<Vec<Claim>> {
    let sql = format!("SELECT {CLAIM_COLS} FROM claims WHERE auth_server_id = $1 ORDER BY created, id");
    all(with_pool!(store, |p| sqlx::query_as::<_, ClaimRow>(&sql).bind(auth_server_id).fetch_all(p).await?))
}

pub(super) async fn update_claim(store: &SqlStore, claim: &Claim, events: &[LogRecord]) -> StoreResult<()> {
    config_tx!(store, events, |tx| {
        sqlx::query(
            "UPDATE claims SET name = $3, status = $4, claim_type = $5, value_type = $6, value = $7, \
             group_filter_type = $8, scopes = $9, always_include = $10, system = $11, last_updated = $12 \
             WHERE auth_server_id = $1 AND id = $2",
        )
        .bind(&claim.auth_server_id)
        .bind(&claim.id)
        .bind(&claim.name)
        .bind(claim.status.as_str())
        .bind(claim.claim_type.as_str())
        .bind(claim.value_type.as_str())
        .bind(&claim.value)
        .bind(&claim.group_filter_type)
        .bind(to_json(&claim.scopes))
        .bind(claim.always_include_in_token)
        .bind(claim.system)
        .bind(claim.last_updated)
        .execute(&mut *tx)
        .await?;
    })
}

pub(super) async fn delete_claim(
    store: &SqlStore,
    auth_server_id: &str,
    id: &str,
    events: &[LogRecord],
) -> StoreResult<bool> {
    config_tx!(store, events, |tx| {
        sqlx::query("DELETE FROM claims WHERE auth_server_id = $1 AND id = $2")
            .bind(auth_server_id)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0
    })
}
