//! `ConsentStore` over SQL: remembered consent (one grant per user, client, AS and scope) and
//! brokered consent requests (xaa.md §5), decided at most once.

use super::rows::{all, one, to_json, ConsentGrantRow, ConsentRequestRow};
use super::{constraint, insert_events, with_pool, write_tx, SqlStore};
use crate::domain::{ConsentGrant, ConsentRequest, ConsentRequestStatus, LogRecord, Millis, TextEnum};
use crate::store::{ConsentStore, StoreResult};
use async_trait::async_trait;

const GRANT_COLS: &str = "id, user_id, client_id, auth_server_id, scope_id, scope_name, source, created, last_updated";
const REQUEST_COLS: &str = "id, user_id, client_id, actor_id, subject_client_id, connection_id, auth_server_id, \
                            scopes, status, created, expires, decided, revoked";

#[async_trait]
impl ConsentStore for SqlStore {
    async fn create_consent_grants(&self, grants: &[ConsentGrant], events: &[LogRecord]) -> StoreResult<()> {
        write_tx!(self, events, |tx| {
            // A repeated consent keeps the original grant (id, created) and refreshes the rest.
            for grant in grants {
                sqlx::query(
                    "INSERT INTO consent_grants (id, user_id, client_id, auth_server_id, scope_id, scope_name, \
                     source, created, last_updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (user_id, client_id, auth_server_id, scope_name) DO UPDATE SET \
                     scope_id = excluded.scope_id, source = excluded.source, last_updated = excluded.last_updated",
                )
                .bind(&grant.id)
                .bind(&grant.user_id)
                .bind(&grant.client_id)
                .bind(&grant.auth_server_id)
                .bind(&grant.scope_id)
                .bind(&grant.scope_name)
                .bind(&grant.source)
                .bind(grant.created)
                .bind(grant.last_updated)
                .execute(&mut *tx)
                .await
                .map_err(constraint("userId"))?;
            }
        })
    }

    async fn find_consent_grant(&self, user_id: &str, id: &str) -> StoreResult<Option<ConsentGrant>> {
        let sql = format!("SELECT {GRANT_COLS} FROM consent_grants WHERE user_id = $1 AND id = $2");
        one(with_pool!(self, |p| sqlx::query_as::<_, ConsentGrantRow>(&sql)
            .bind(user_id)
            .bind(id)
            .fetch_optional(p)
            .await?))
    }

    async fn list_consent_grants(&self, user_id: &str) -> StoreResult<Vec<ConsentGrant>> {
        let sql = format!("SELECT {GRANT_COLS} FROM consent_grants WHERE user_id = $1 ORDER BY created, id");
        all(with_pool!(self, |p| sqlx::query_as::<_, ConsentGrantRow>(&sql).bind(user_id).fetch_all(p).await?))
    }

    async fn granted_scopes(&self, user_id: &str, client_id: &str, auth_server_id: &str) -> StoreResult<Vec<String>> {
        let sql = "SELECT scope_name FROM consent_grants \
                   WHERE user_id = $1 AND client_id = $2 AND auth_server_id = $3 ORDER BY scope_name";
        let rows: Vec<(String,)> = with_pool!(self, |p| sqlx::query_as(sql)
            .bind(user_id)
            .bind(client_id)
            .bind(auth_server_id)
            .fetch_all(p)
            .await?);
        Ok(rows.into_iter().map(|(name,)| name).collect())
    }

    async fn revoke_consent_grant(&self, user_id: &str, id: &str, events: &[LogRecord]) -> StoreResult<bool> {
        write_tx!(self, events, |tx| {
            sqlx::query("DELETE FROM consent_grants WHERE user_id = $1 AND id = $2")
                .bind(user_id)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0
        })
    }

    async fn revoke_user_consent_grants(&self, user_id: &str, events: &[LogRecord]) -> StoreResult<u64> {
        write_tx!(self, events, |tx| {
            sqlx::query("DELETE FROM consent_grants WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        })
    }

    async fn create_consent_request(&self, request: &ConsentRequest, events: &[LogRecord]) -> StoreResult<()> {
        write_tx!(self, events, |tx| {
            sqlx::query(
                "INSERT INTO consent_requests (id, user_id, client_id, actor_id, subject_client_id, connection_id, \
                 auth_server_id, scopes, status, created, expires, decided, revoked) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(&request.id)
            .bind(&request.user_id)
            .bind(&request.client_id)
            .bind(&request.actor_id)
            .bind(&request.subject_client_id)
            .bind(&request.connection_id)
            .bind(&request.auth_server_id)
            .bind(to_json(&request.scopes))
            .bind(request.status.as_str())
            .bind(request.created)
            .bind(request.expires)
            .bind(request.decided)
            .bind(request.revoked)
            .execute(&mut *tx)
            .await
            .map_err(constraint("userId"))?;
        })
    }

    async fn find_consent_request(&self, id: &str) -> StoreResult<Option<ConsentRequest>> {
        let sql = format!("SELECT {REQUEST_COLS} FROM consent_requests WHERE id = $1");
        one(with_pool!(self, |p| { sqlx::query_as::<_, ConsentRequestRow>(&sql).bind(id).fetch_optional(p).await? }))
    }

    async fn list_pending_consent_requests(&self, user_id: &str, now: Millis) -> StoreResult<Vec<ConsentRequest>> {
        let sql = format!(
            "SELECT {REQUEST_COLS} FROM consent_requests WHERE user_id = $1 AND status = $2 AND expires > $3 \
             ORDER BY created, id"
        );
        all(with_pool!(self, |p| {
            sqlx::query_as::<_, ConsentRequestRow>(&sql)
                .bind(user_id)
                .bind(ConsentRequestStatus::Pending.as_str())
                .bind(now)
                .fetch_all(p)
                .await?
        }))
    }

    async fn decide_consent_request(
        &self,
        id: &str,
        status: ConsentRequestStatus,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<bool> {
        // The events are written only when the decision was taken, in the same transaction.
        write_tx!(self, &[] as &[LogRecord], |tx| {
            let changed = sqlx::query(
                "UPDATE consent_requests SET status = $2, decided = $3 WHERE id = $1 AND status = $4 AND expires > $3",
            )
            .bind(id)
            .bind(status.as_str())
            .bind(now)
            .bind(ConsentRequestStatus::Pending.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected()
                > 0;
            if changed {
                insert_events!(tx, events);
            }
            changed
        })
    }

    async fn list_consent_requests_for(
        &self,
        user_id: &str,
        client_id: &str,
        auth_server_id: &str,
    ) -> StoreResult<Vec<ConsentRequest>> {
        let sql = format!(
            "SELECT {REQUEST_COLS} FROM consent_requests WHERE user_id = $1 AND client_id = $2 AND auth_server_id = $3 \
             ORDER BY created, id"
        );
        all(with_pool!(self, |p| {
            sqlx::query_as::<_, ConsentRequestRow>(&sql)
                .bind(user_id)
                .bind(client_id)
                .bind(auth_server_id)
                .fetch_all(p)
                .await?
        }))
    }

    async fn list_consent_approvals(&self, user_id: &str) -> StoreResult<Vec<ConsentRequest>> {
        let sql = format!(
            "SELECT {REQUEST_COLS} FROM consent_requests WHERE user_id = $1 AND status = $2 ORDER BY created, id"
        );
        all(with_pool!(self, |p| {
            sqlx::query_as::<_, ConsentRequestRow>(&sql)
                .bind(user_id)
                .bind(ConsentRequestStatus::Approved.as_str())
                .fetch_all(p)
                .await?
        }))
    }

    async fn revoke_consent_request(
        &self,
        user_id: &str,
        id: &str,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<bool> {
        // The events are written only when the state changed, in the same transaction.
        write_tx!(self, &[] as &[LogRecord], |tx| {
            let changed = sqlx::query(
                "UPDATE consent_requests SET status = $3, revoked = $4 WHERE id = $1 AND user_id = $2 AND status = $5",
            )
            .bind(id)
            .bind(user_id)
            .bind(ConsentRequestStatus::Revoked.as_str())
            .bind(now)
            .bind(ConsentRequestStatus::Approved.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected()
                > 0;
            if changed {
                insert_events!(tx, events);
            }
            changed
        })
    }
}
