//! `OrgStore` and `ApiTokenStore` over SQL: the single org row and the SSWS API tokens of the
//! Management API (stored by hash only).

use super::rows::{all, one, ApiTokenRow, OrgRow};
use super::{with_pool, write_tx, SqlStore};
use crate::domain::{ApiToken, LogRecord, Millis, Org};
use crate::store::{ApiTokenStore, OrgStore, StoreResult};
use async_trait::async_trait;

const ORG_COLS: &str = "id, company_name, subdomain, created, last_updated";
const TOKEN_COLS: &str = "id, name, user_id, client_name, token_hash, super_admin, created, last_updated, expires, \
                          last_used, token_window";

fn token_select(rest: &str) -> String {
    format!("SELECT {TOKEN_COLS} FROM api_tokens {rest}")
}

#[async_trait]
impl OrgStore for SqlStore {
    async fn find_org(&self) -> StoreResult<Option<Org>> {
        let sql = format!("SELECT {ORG_COLS} FROM org ORDER BY created, id LIMIT 1");
        one(with_pool!(self, |p| sqlx::query_as::<_, OrgRow>(&sql).fetch_optional(p).await?))
    }

    async fn create_org(&self, org: &Org, events: &[LogRecord]) -> StoreResult<()> {
        write_tx!(self, events, |tx| {
            sqlx::query(
                "INSERT INTO org (id, company_name, subdomain, created, last_updated) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&org.id)
            .bind(&org.company_name)
            .bind(&org.subdomain)
            .bind(org.created)
            .bind(org.last_updated)
            .execute(&mut *tx)
            .await?;
        })
    }

    async fn update_org(&self, org: &Org, events: &[LogRecord]) -> StoreResult<()> {
        write_tx!(self, events, |tx| {
            sqlx::query("UPDATE org SET company_name = $2, subdomain = $3, last_updated = $4 WHERE id = $1")
                .bind(&org.id)
                .bind(&org.company_name)
                .bind(&org.subdomain)
                .bind(org.last_updated)
                .execute(&mut *tx)
                .await?;
        })
    }
}

#[async_trait]
impl ApiTokenStore for SqlStore {
    async fn create_api_token(&self, token: &ApiToken, events: &[LogRecord]) -> StoreResult<()> {
        write_tx!(self, events, |tx| {
            sqlx::query(
                "INSERT INTO api_tokens (id, name, user_id, client_name, token_hash, super_admin, created, \
                 last_updated, expires, last_used, token_window) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&token.id)
            .bind(&token.name)
            .bind(&token.user_id)
            .bind(&token.client_name)
            .bind(&token.token_hash)
            .bind(token.super_admin)
            .bind(token.created)
            .bind(token.last_updated)
            .bind(token.expires)
            .bind(token.last_used)
            .bind(&token.token_window)
            .execute(&mut *tx)
            .await?;
        })
    }

    async fn find_api_token(&self, id: &str) -> StoreResult<Option<ApiToken>> {
        let sql = token_select("WHERE id = $1");
        one(with_pool!(self, |p| sqlx::query_as::<_, ApiTokenRow>(&sql).bind(id).fetch_optional(p).await?))
    }

    async fn find_api_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<ApiToken>> {
        let sql = token_select("WHERE token_hash = $1");
        one(with_pool!(self, |p| sqlx::query_as::<_, ApiTokenRow>(&sql).bind(token_hash).fetch_optional(p).await?))
    }

    async fn find_api_token_by_name(&self, name: &str) -> StoreResult<Option<ApiToken>> {
        // Names are not unique in the schema: the oldest token of that name wins.
        let sql = token_select("WHERE name = $1 ORDER BY created, id LIMIT 1");
        one(with_pool!(self, |p| sqlx::query_as::<_, ApiTokenRow>(&sql).bind(name).fetch_optional(p).await?))
    }

    async fn list_api_tokens(&self) -> StoreResult<Vec<ApiToken>> {
        let sql = token_select("ORDER BY created, id");
        all(with_pool!(self, |p| sqlx::query_as::<_, ApiTokenRow>(&sql).fetch_all(p).await?))
    }

    async fn update_api_token(&self, token: &ApiToken, events: &[LogRecord]) -> StoreResult<()> {
        write_tx!(self, events, |tx| {
            sqlx::query(
                "UPDATE api_tokens SET name = $2, user_id = $3, client_name = $4, token_hash = $5, super_admin = $6, \
                 last_updated = $7, expires = $8, last_used = $9, token_window = $10 WHERE id = $1",
            )
            .bind(&token.id)
            .bind(&token.name)
            .bind(&token.user_id)
            .bind(&token.client_name)
            .bind(&token.token_hash)
            .bind(token.super_admin)
            .bind(token.last_updated)
            .bind(token.expires)
            .bind(token.last_used)
            .bind(&token.token_window)
            .execute(&mut *tx)
            .await?;
        })
    }

    async fn touch_api_token(&self, id: &str, now: Millis) -> StoreResult<()> {
        with_pool!(self, |p| sqlx::query("UPDATE api_tokens SET last_used = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(p)
            .await?
            .rows_affected());
        Ok(())
    }

    async fn revoke_api_token(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool> {
        write_tx!(self, events, |tx| {
            sqlx::query("DELETE FROM api_tokens WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected() > 0
        })
    }
}
