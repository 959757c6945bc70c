//! Browser sessions and the one-time `sessionToken`s of `/api/v1/authn`.

use super::StoreResult;
use crate::domain::{LogRecord, Millis, Session, SessionToken};
use async_trait::async_trait;

#[async_trait]
pub trait SessionStore {
    async fn create_session(&self, session: &Session, events: &[LogRecord]) -> StoreResult<()>;
    async fn find_session(&self, id: &str) -> StoreResult<Option<Session>>;
    /// A live (not ended, not expired at `now`) session by the hash of its cookie.
    async fn find_live_session(&self, token_hash: &str, now: Millis) -> StoreResult<Option<Session>>;
    /// Slides the idle expiry.
    async fn touch_session(&self, id: &str, now: Millis, expires: Millis) -> StoreResult<()>;
    async fn end_session(&self, id: &str, now: Millis, events: &[LogRecord]) -> StoreResult<bool>;
    /// Ends every session of a user (sign out everywhere, deactivation); returns how many.
    async fn end_user_sessions(&self, user_id: &str, now: Millis, events: &[LogRecord]) -> StoreResult<u64>;

    async fn create_session_token(&self, token: &SessionToken, events: &[LogRecord]) -> StoreResult<()>;
    /// Single use: returns the token once if it is unexpired, and deletes it.
    async fn consume_session_token(&self, token_hash: &str, now: Millis) -> StoreResult<Option<SessionToken>>;
}
