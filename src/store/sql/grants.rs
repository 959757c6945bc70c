//! `GrantStore` over SQL: authorization codes, refresh-token families and their rotation,
//! issued access tokens, and consumed jtis. Every single-use check is one conditional statement
//! (`UPDATE … WHERE consumed IS NULL`, `INSERT … ON CONFLICT DO NOTHING`), so it holds across
//! replicas without locks in process memory.

use super::rows::{one, to_json, AccessTokenRow, CodeRow, FamilyRow, RefreshTokenRow};
use super::{with_pool, write_tx, SqlStore};
use crate::domain::{AccessTokenRecord, AuthorizationCode, LogRecord, Millis, RefreshFamily, RefreshToken};
use crate::store::{CodeUse, GrantStore, Issuance, StoreResult};
use async_trait::async_trait;

const CODE_COLS: &str = "code_hash, auth_server_id, client_id, user_id, session_id, redirect_uri, scopes, nonce, \
                         code_challenge, code_challenge_method, auth_time, policy_id, rule_id, created, expires, \
                         consumed";
const FAMILY_COLS: &str = "id, auth_server_id, client_id, user_id, scopes, policy_id, rule_id, session_id, grant_id, \
                           auth_time, created, last_used, expires, idle_window_ms, revoked";
const REFRESH_COLS: &str = "token_hash, family_id, created, rotated";
const ACCESS_COLS: &str = "jti, auth_server_id, client_id, user_id, grant_id, created, expires, revoked";

pub(super) const INSERT_REFRESH_TOKEN: &str =
    "INSERT INTO refresh_tokens (token_hash, family_id, created, rotated) VALUES ($1, $2, $3, $4)";

/// Inserts what an `Issuance` carries (new family, then refresh token, then access token)
/// inside an open transaction.
macro_rules! insert_issuance {
    ($tx:ident, $issuance:expr) => {{
        let issuance: &$crate::store::Issuance<'_> = $issuance;
        if let Some(family) = issuance.new_family {
            sqlx::query(
                "INSERT INTO refresh_families (id, auth_server_id, client_id, user_id, scopes, policy_id, \
                 rule_id, session_id, grant_id, auth_time, created, last_used, expires, idle_window_ms, \
                 revoked) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(&family.id)
            .bind(&family.auth_server_id)
            .bind(&family.client_id)
            .bind(&family.user_id)
            .bind(super::rows::to_json(&family.scopes))
            .bind(&family.policy_id)
            .bind(&family.rule_id)
            .bind(&family.session_id)
            .bind(&family.grant_id)
            .bind(family.auth_time)
            .bind(family.created)
            .bind(family.last_used)
            .bind(family.expires)
            .bind(family.idle_window_ms)
            .bind(family.revoked)
            .execute(&mut *$tx)
            .await?;
        }
        if let Some(token) = issuance.refresh_token {
            sqlx::query(super::grants::INSERT_REFRESH_TOKEN)
                .bind(&token.token_hash)
                .bind(&token.family_id)
                .bind(token.created)
                .bind(token.rotated)
                .execute(&mut *$tx)
                .await?;
        }
        if let Some(token) = issuance.access_token {
            sqlx::query(
                "INSERT INTO access_tokens (jti, auth_server_id, client_id, user_id, grant_id, created, expires, \
                 revoked) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&token.jti)
            .bind(&token.auth_server_id)
            .bind(&token.client_id)
            .bind(&token.user_id)
            .bind(&token.grant_id)
            .bind(token.created)
            .bind(token.expires)
            .bind(token.revoked)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}

pub(super) use insert_issuance;

#[async_trait]
impl GrantStore for SqlStore {
    async fn create_code(&self, code: &AuthorizationCode, events: &[LogRecord]) -> StoreResult<()> {
        write_tx!(self, events, |tx| {
            sqlx::query(
                "INSERT INTO authorization_codes (code_hash, auth_server_id, client_id, user_id, session_id, \
                 redirect_uri, scopes, nonce, code_challenge, code_challenge_method, auth_time, policy_id, rule_id, \
                 created, expires, consumed) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(&code.code_hash)
            .bind(&code.auth_server_id)
            .bind(&code.client_id)
            .bind(&code.user_id)
            .bind(&code.session_id)
            .bind(&code.redirect_uri)
            .bind(to_json(&code.scopes))
            .bind(&code.nonce)
            .bind(&code.code_challenge)
            .bind(&code.code_challenge_method)
            .bind(code.auth_time)
            .bind(&code.policy_id)
            .bind(&code.rule_id)
            .bind(code.created)
            .bind(code.expires)
            .bind(code.consumed)
            .execute(&mut *tx)
            .await?;
        })
    }

    async fn consume_code(&self, code_hash: &str, now: Millis) -> StoreResult<CodeUse> {
        // The conditional update is the single-use check: only one caller can flip `consumed`.
        let sql = format!(
            "UPDATE authorization_codes SET consumed = $2 WHERE code_hash = $1 AND consumed IS NULL AND expires > $2 \
             RETURNING {CODE_COLS}"
        );
        let fresh = one(with_pool!(self, |p| sqlx::query_as::<_, CodeRow>(&sql)
            .bind(code_hash)
            .bind(now)
            .fetch_optional(p)
            .await?))?;
        if let Some(code) = fresh {
            return Ok(CodeUse::Fresh(code));
        }
        let sql = format!("SELECT {CODE_COLS} FROM authorization_codes WHERE code_hash = $1");
        let stored: Option<AuthorizationCode> =
            one(with_pool!(self, |p| sqlx::query_as::<_, CodeRow>(&sql).bind(code_hash).fetch_optional(p).await?))?;
        Ok(match stored {
            Some(code) if code.consumed.is_some() => CodeUse::Reused(code),
            _ => CodeUse::Invalid,
        })
    }

    async fn record_issuance(&self, issuance: &Issuance<'_>, events: &[LogRecord]) -> StoreResult<()> {
        // Group commit: committed with every other request's rows waiting at that moment.
        self.writer.write(issuance, events).await
    }

    async fn find_access_token(&self, jti: &str) -> StoreResult<Option<AccessTokenRecord>> {
        let sql = format!("SELECT {ACCESS_COLS} FROM access_tokens WHERE jti = $1");
        one(with_pool!(self, |p| sqlx::query_as::<_, AccessTokenRow>(&sql).bind(jti).fetch_optional(p).await?))
    }

    async fn revoke_access_token(&self, jti: &str, now: Millis, events: &[LogRecord]) -> StoreResult<bool> {
        write_tx!(self, events, |tx| {
            sqlx::query("UPDATE access_tokens SET revoked = $2 WHERE jti = $1 AND revoked IS NULL")
                .bind(jti)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0
        })
    }

    async fn revoke_grant(&self, grant_id: &str, now: Millis, events: &[LogRecord]) -> StoreResult<u64> {
        write_tx!(self, events, |tx| {
            let families = sqlx::query(
                "UPDATE refresh_families SET revoked = $2 WHERE (id = $1 OR grant_id = $1) AND revoked IS NULL",
            )
            .bind(grant_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let tokens = sqlx::query(
                "UPDATE access_tokens SET revoked = $2 WHERE revoked IS NULL AND (grant_id = $1 OR grant_id IN \
                 (SELECT id FROM refresh_families WHERE id = $1 OR grant_id = $1))",
            )
            .bind(grant_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            families + tokens
        })
    }

    async fn find_refresh_token(&self, token_hash: &str) -> StoreResult<Option<(RefreshToken, RefreshFamily)>> {
        let sql = format!("SELECT {REFRESH_COLS} FROM refresh_tokens WHERE token_hash = $1");
        let token: Option<RefreshToken> = one(with_pool!(self, |p| sqlx::query_as::<_, RefreshTokenRow>(&sql)
            .bind(token_hash)
            .fetch_optional(p)
            .await?))?;
        let Some(token) = token else { return Ok(None) };
        let sql = format!("SELECT {FAMILY_COLS} FROM refresh_families WHERE id = $1");
        let family: Option<RefreshFamily> = one(with_pool!(self, |p| sqlx::query_as::<_, FamilyRow>(&sql)
            .bind(&token.family_id)
            .fetch_optional(p)
            .await?))?;
        Ok(family.map(|family| (token, family)))
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        now: Millis,
        rotated_after: Option<Millis>,
        issuance: &Issuance<'_>,
        events: &[LogRecord],
    ) -> StoreResult<bool> {
        write_tx!(self, events, |tx| {
            // COALESCE keeps the first rotation time, so the leeway is measured from it; without a
            // leeway ($3 NULL) the comparison is never true and only the current token rotates.
            let rotated = sqlx::query(
                "UPDATE refresh_tokens SET rotated = COALESCE(rotated, $2) WHERE token_hash = $1 \
                 AND (rotated IS NULL OR rotated >= $3) \
                 AND family_id IN (SELECT id FROM refresh_families WHERE revoked IS NULL)",
            )
            .bind(old_hash)
            .bind(now)
            .bind(rotated_after)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                > 0;
            if !rotated {
                // Nothing is written: the transaction rolls back with the events.
                return Ok(false);
            }
            sqlx::query(
                "UPDATE refresh_families SET last_used = $2 \
                 WHERE id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)",
            )
            .bind(old_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            insert_issuance!(tx, issuance);
            true
        })
    }

    async fn touch_refresh_family(&self, family_id: &str, now: Millis) -> StoreResult<()> {
        with_pool!(self, |p| sqlx::query("UPDATE refresh_families SET last_used = $2 WHERE id = $1")
            .bind(family_id)
            .bind(now)
            .execute(p)
            .await?
            .rows_affected());
        Ok(())
    }

    async fn revoke_refresh_family(&self, family_id: &str, now: Millis, events: &[LogRecord]) -> StoreResult<bool> {
        write_tx!(self, events, |tx| {
            let revoked = sqlx::query("UPDATE refresh_families SET revoked = $2 WHERE id = $1 AND revoked IS NULL")
                .bind(family_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
            // The family's refresh tokens die with it (rotation and lookups check `revoked`); the
            // access tokens issued from it, or from the code it came from, are revoked one by one.
            sqlx::query(
                "UPDATE access_tokens SET revoked = $2 WHERE revoked IS NULL AND (grant_id = $1 OR grant_id = \
                 (SELECT grant_id FROM refresh_families WHERE id = $1))",
            )
            .bind(family_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            revoked
        })
    }

    async fn consume_jti(&self, namespace: &str, jti: &str, expires: Millis) -> StoreResult<bool> {
        let sql = "INSERT INTO consumed_jtis (namespace, jti, expires) VALUES ($1, $2, $3) \
                   ON CONFLICT DO NOTHING";
        let inserted = with_pool!(self, |p| sqlx::query(sql)
            .bind(namespace)
            .bind(jti)
            .bind(expires)
            .execute(p)
            .await?
            .rows_affected());
        Ok(inserted == 1)
    }
}
