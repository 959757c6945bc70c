//! `KeyStore` over SQL: the signing keys of every authorization server (custom AS id or org id
//! as `owner_id`) and their ACTIVE → EXPIRED, NEXT → ACTIVE rotation.

use super::rows::{all, one, SigningKeyRow};
use super::{cached, config_tx, with_pool, SqlStore};
use crate::domain::{LogRecord, Millis, SigningKey, SigningKeyStatus, TextEnum};
use crate::store::{KeyStore, StoreResult};
use async_trait::async_trait;

const KEY_COLS: &str = "kid, owner_id, alg, status, private_key_enc, public_jwk, created, activated, expired";

/// Inserts one signing key inside an open transaction `$tx`; `Conflict("kid")` on a duplicate.
macro_rules! insert_signing_key {
    ($tx:ident, $key:expr) => {
        sqlx::query(
            "INSERT INTO signing_keys (kid, owner_id, alg, status, private_key_enc, public_jwk, created, activated, \
             expired) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&$key.kid)
        .bind(&$key.owner_id)
        .bind($crate::domain::TextEnum::as_str($key.alg))
        .bind($crate::domain::TextEnum::as_str($key.status))
        .bind(&$key.private_key_enc)
        .bind($key.public_jwk.to_string())
        .bind($key.created)
        .bind($key.activated)
        .bind($key.expired)
        .execute(&mut *$tx)
        .await
        .map_err($crate::store::sql::constraint("kid"))?
    };
}

pub(super) use insert_signing_key;

#[async_trait]
impl KeyStore for SqlStore {
    async fn create_signing_key(&self, key: &SigningKey, events: &[LogRecord]) -> StoreResult<()> {
        config_tx!(self, events, |tx| {
            insert_signing_key!(tx, key);
        })
    }

    async fn find_signing_key(&self, kid: &str) -> StoreResult<Option<SigningKey>> {
        let sql = format!("SELECT {KEY_COLS} FROM signing_keys WHERE kid = $1");
        one(with_pool!(self, |p| sqlx::query_as::<_, SigningKeyRow>(&sql).bind(kid).fetch_optional(p).await?))
    }

    async fn list_signing_keys(&self, owner_id: &str) -> StoreResult<Vec<SigningKey>> {
        cached!(self, "signing_keys", owner_id, async {
            let sql = format!("SELECT {KEY_COLS} FROM signing_keys WHERE owner_id = $1 ORDER BY created DESC, kid");
            all(with_pool!(self, |p| sqlx::query_as::<_, SigningKeyRow>(&sql).bind(owner_id).fetch_all(p).await?))
        })
    }

    async fn list_all_signing_keys(&self) -> StoreResult<Vec<SigningKey>> {
        let sql = format!("SELECT {KEY_COLS} FROM signing_keys ORDER BY owner_id, created DESC, kid");
        all(with_pool!(self, |p| sqlx::query_as::<_, SigningKeyRow>(&sql).fetch_all(p).await?))
    }

    async fn rotate_signing_keys(
        &self,
        owner_id: &str,
        next: &SigningKey,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<()> {
        config_tx!(self, events, |tx| {
            // Expire first, so that the key promoted next is not expired with it.
            sqlx::query("UPDATE signing_keys SET status = $3, expired = $2 WHERE owner_id = $1 AND status = $4")
                .bind(owner_id)
                .bind(now)
                .bind(SigningKeyStatus::Expired.as_str())
                .bind(SigningKeyStatus::Active.as_str())
                .execute(&mut *tx)
                .await?;
            let promoted =
                sqlx::query("UPDATE signing_keys SET status = $3, activated = $2 WHERE owner_id = $1 AND status = $4")
                    .bind(owner_id)
                    .bind(now)
                    .bind(SigningKeyStatus::Active.as_str())
                    .bind(SigningKeyStatus::Next.as_str())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    > 0;
            // Without a NEXT key to promote, the new key has to sign from now on.
            let next = if promoted {
                SigningKey { status: SigningKeyStatus::Next, ..next.clone() }
            } else {
                SigningKey { status: SigningKeyStatus::Active, activated: Some(now), ..next.clone() }
            };
            insert_signing_key!(tx, next);
        })
    }

    async fn delete_expired_signing_keys(&self, owner_id: &str, before: Millis) -> StoreResult<u64> {
        let sql = "DELETE FROM signing_keys WHERE owner_id = $1 AND status = $2 AND expired < $3";
        let unlogged: &[LogRecord] = &[];
        config_tx!(self, unlogged, |tx| sqlx::query(sql)
            .bind(owner_id)
            .bind(SigningKeyStatus::Expired.as_str())
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected())
    }
}
