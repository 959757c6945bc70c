//! Per-grant state that must be unique across replicas: authorization codes, refresh-token
//! families, issued access tokens, consumed jtis; and consent (grants and brokered requests).
//! Uniqueness is enforced by the database (primary keys and conditional updates), never by
//! process memory.

use super::StoreResult;
use crate::domain::{
    AccessTokenRecord, AuthorizationCode, ConsentGrant, ConsentRequest, ConsentRequestStatus, LogRecord, Millis,
    RefreshFamily, RefreshToken,
};
use async_trait::async_trait;

/// What presenting an authorization code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeUse {
    /// First use: the code is now consumed and its grant may proceed.
    Fresh(AuthorizationCode),
    /// Already consumed (a replay, even after the code's expiry): the caller revokes what the
    /// first use issued.
    Reused(AuthorizationCode),
    /// Unknown, or expired without ever being used.
    Invalid,
}

/// Everything a successful token response issues, written with its events in one transaction.
#[derive(Debug, Default)]
pub struct Issuance<'a> {
    pub access_token: Option<&'a AccessTokenRecord>,
    pub new_family: Option<&'a RefreshFamily>,
    pub refresh_token: Option<&'a RefreshToken>,
}

#[async_trait]
pub trait GrantStore {
    async fn create_code(&self, code: &AuthorizationCode, events: &[LogRecord]) -> StoreResult<()>;
    /// Atomically marks the code consumed; a second call reports `Reused`.
    async fn consume_code(&self, code_hash: &str, now: Millis) -> StoreResult<CodeUse>;

    /// Records issued tokens (and a new refresh family) with their log events.
    async fn record_issuance(&self, issuance: &Issuance<'_>, events: &[LogRecord]) -> StoreResult<()>;
    async fn find_access_token(&self, jti: &str) -> StoreResult<Option<AccessTokenRecord>>;
    async fn revoke_access_token(&self, jti: &str, now: Millis, events: &[LogRecord]) -> StoreResult<bool>;
    /// Revokes every access token and refresh family issued from one grant (a code's hash or a
    /// family id); used when a code is reused.
    async fn revoke_grant(&self, grant_id: &str, now: Millis, events: &[LogRecord]) -> StoreResult<u64>;

    async fn find_refresh_token(&self, token_hash: &str) -> StoreResult<Option<(RefreshToken, RefreshFamily)>>;
    /// Atomically supersedes `old_hash` with `issuance.refresh_token` if `old_hash` is the
    /// family's current token, or was rotated no earlier than `rotated_after` (the reuse
    /// leeway; `None`: no leeway, only the current token rotates), and only then records the rest of `issuance` (the access token minted from
    /// the refresh) and `events`, all in one transaction. False, with nothing written,
    /// otherwise.
    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        now: Millis,
        rotated_after: Option<Millis>,
        issuance: &Issuance<'_>,
        events: &[LogRecord],
    ) -> StoreResult<bool>;
    /// Marks the family used now (idle window) without rotating (`STATIC` rotation).
    async fn touch_refresh_family(&self, family_id: &str, now: Millis) -> StoreResult<()>;
    /// Revokes the family, its tokens and every access token issued from it.
    async fn revoke_refresh_family(&self, family_id: &str, now: Millis, events: &[LogRecord]) -> StoreResult<bool>;

    /// Single use of a `jti` within a namespace (`client_assertion`, `id_jag:<issuer>`…):
    /// true the first time, false on any later call until `expires` has passed and the row is
    /// purged. Enforced by the primary key, so it holds across replicas.
    async fn consume_jti(&self, namespace: &str, jti: &str, expires: Millis) -> StoreResult<bool>;
}

#[async_trait]
pub trait ConsentStore {
    /// Upserts one grant per (user, client, AS, scope).
    async fn create_consent_grants(&self, grants: &[ConsentGrant], events: &[LogRecord]) -> StoreResult<()>;
    async fn find_consent_grant(&self, user_id: &str, id: &str) -> StoreResult<Option<ConsentGrant>>;
    async fn list_consent_grants(&self, user_id: &str) -> StoreResult<Vec<ConsentGrant>>;
    /// Scope names the user granted to the client at the AS.
    async fn granted_scopes(&self, user_id: &str, client_id: &str, auth_server_id: &str) -> StoreResult<Vec<String>>;
    async fn revoke_consent_grant(&self, user_id: &str, id: &str, events: &[LogRecord]) -> StoreResult<bool>;
    async fn revoke_user_consent_grants(&self, user_id: &str, events: &[LogRecord]) -> StoreResult<u64>;

    async fn create_consent_request(&self, request: &ConsentRequest, events: &[LogRecord]) -> StoreResult<()>;
    async fn find_consent_request(&self, id: &str) -> StoreResult<Option<ConsentRequest>>;
    async fn list_pending_consent_requests(&self, user_id: &str, now: Millis) -> StoreResult<Vec<ConsentRequest>>;
    /// Moves a PENDING, unexpired request to APPROVED or DENIED exactly once.
    async fn decide_consent_request(
        &self,
        id: &str,
        status: ConsentRequestStatus,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<bool>;
    /// Every request (any status, expired or not) for (user, X, audience AS), oldest first:
    /// what a token exchange consults to find a covering approval or an open request.
    async fn list_consent_requests_for(
        &self,
        user_id: &str,
        client_id: &str,
        auth_server_id: &str,
    ) -> StoreResult<Vec<ConsentRequest>>;
    /// The user's remembered approvals (APPROVED, not revoked), oldest first.
    async fn list_consent_approvals(&self, user_id: &str) -> StoreResult<Vec<ConsentRequest>>;
    /// Moves the user's APPROVED request to REVOKED (stamping `revoked`) exactly once; false,
    /// with nothing written, for another user's, an unknown or a not-approved request.
    async fn revoke_consent_request(
        &self,
        user_id: &str,
        id: &str,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<bool>;
}
