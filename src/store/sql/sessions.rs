//! `SessionStore` over SQL: browser sessions (found by the hash of their cookie) and the
//! single-use `sessionToken`s of `/api/v1/authn`.

use super::rows::{one, to_json, SessionRow, SessionTokenRow};
use super::{with_pool, write_tx, SqlStore};
use crate::domain::{LogRecord, Millis, Session, SessionToken};
use crate::store::{SessionStore, StoreResult};
use async_trait::async_trait;

const SESSION_COLS: &str = "id, token_hash, user_id, created, last_seen, expires, auth_time, amr, ended";
const TOKEN_COLS: &str = "token_hash, user_id, created, expires";

#[async_trait]
impl SessionStore for SqlStore {
    async fn create_session(&self, session: &Session, events: &[LogRecord]) -> StoreResult<()> {
        write_tx!(self, events, |tx| {
            sqlx::query(
                "INSERT INTO sessions (id, token_hash, user_id, created, last_seen, expires, auth_time, amr, ended) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&session.id)
            .bind(&session.token_hash)
            .bind(&session.user_id)
            .bind(session.created)
            .bind(session.last_seen)
            .bind(session.expires)
            .bind(session.auth_time)
            .bind(to_json(&session.amr))
            .bind(session.ended)
            .execute(&mut *tx)
            .await?;
        })
    }

    async fn find_session(&self, id: &str) -> StoreResult<Option<Session>> {
        let sql = format!("SELECT {SESSION_COLS} FROM sessions WHERE id = $1");
        one(with_pool!(self, |p| sqlx::query_as::<_, SessionRow>(&sql).bind(id).fetch_optional(p).await?))
    }

    async fn find_live_session(&self, token_hash: &str, now: Millis) -> StoreResult<Option<Session>> {
        let sql =
            format!("SELECT {SESSION_COLS} FROM sessions WHERE token_hash = $1 AND ended IS NULL AND expires > $2");
        one(with_pool!(self, |p| sqlx::query_as::<_, SessionRow>(&sql)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(p)
            .await?))
    }

    async fn touch_session(&self, id: &str, now: Millis, expires: Millis) -> StoreResult<()> {
        let sql = "UPDATE sessions SET last_seen = $2, expires = $3 WHERE id = $1 AND ended IS NULL";
        with_pool!(self, |p| sqlx::query(sql).bind(id).bind(now).bind(expires).execute(p).await?.rows_affected());
        Ok(())
    }

    async fn end_session(&self, id: &str, now: Millis, events: &[LogRecord]) -> StoreResult<bool> {
        write_tx!(self, events, |tx| {
            sqlx::query("UPDATE sessions SET ended = $2 WHERE id = $1 AND ended IS NULL")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0
        })
    }

    async fn end_user_sessions(&self, user_id: &str, now: Millis, events: &[LogRecord]) -> StoreResult<u64> {
        write_tx!(self, events, |tx| {
            sqlx::query("UPDATE sessions SET ended = $2 WHERE user_id = $1 AND ended IS NULL")
                .bind(user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        })
    }

    async fn create_session_token(&self, token: &SessionToken, events: &[LogRecord]) -> StoreResult<()> {
        write_tx!(self, events, |tx| {
            sqlx::query("INSERT INTO session_tokens (token_hash, user_id, created, expires) VALUES ($1, $2, $3, $4)")
                .bind(&token.token_hash)
                .bind(&token.user_id)
                .bind(token.created)
                .bind(token.expires)
                .execute(&mut *tx)
                .await?;
        })
    }

    async fn consume_session_token(&self, token_hash: &str, now: Millis) -> StoreResult<Option<SessionToken>> {
        // One statement: of two concurrent redemptions, only one gets the row back.
        let sql = format!("DELETE FROM session_tokens WHERE token_hash = $1 AND expires > $2 RETURNING {TOKEN_COLS}");
        one(with_pool!(self, |p| sqlx::query_as::<_, SessionTokenRow>(&sql)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(p)
            .await?))
    }
}
