//! Signing keys of every authorization server (org and custom), with their rotation.

use super::StoreResult;
use crate::domain::{LogRecord, Millis, SigningKey};
use async_trait::async_trait;

#[async_trait]
pub trait KeyStore {
    /// `Conflict("kid")` when the kid exists.
    async fn create_signing_key(&self, key: &SigningKey, events: &[LogRecord]) -> StoreResult<()>;
    async fn find_signing_key(&self, kid: &str) -> StoreResult<Option<SigningKey>>;
    /// Every key of one AS (`owner_id` = custom AS id or org id), newest first.
    async fn list_signing_keys(&self, owner_id: &str) -> StoreResult<Vec<SigningKey>>;
    /// Every stored key of every AS (checked against the KEK at start).
    async fn list_all_signing_keys(&self) -> StoreResult<Vec<SigningKey>>;
    /// Atomically: ACTIVE → EXPIRED, NEXT → ACTIVE, `next` inserted as the new NEXT.
    /// Without a NEXT key, `next` becomes ACTIVE directly.
    async fn rotate_signing_keys(
        &self,
        owner_id: &str,
        next: &SigningKey,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<()>;
    /// Drops EXPIRED keys that expired before `before` (no token they signed is still valid).
    async fn delete_expired_signing_keys(&self, owner_id: &str, before: Millis) -> StoreResult<u64>;
}
