//! The org row and API tokens.

use super::StoreResult;
use crate::domain::{ApiToken, LogRecord, Millis, Org};
use async_trait::async_trait;

#[async_trait]
pub trait OrgStore {
    async fn find_org(&self) -> StoreResult<Option<Org>>;
    async fn create_org(&self, org: &Org, events: &[LogRecord]) -> StoreResult<()>;
    async fn update_org(&self, org: &Org, events: &[LogRecord]) -> StoreResult<()>;
}

#[async_trait]
pub trait ApiTokenStore {
    async fn create_api_token(&self, token: &ApiToken, events: &[LogRecord]) -> StoreResult<()>;
    async fn find_api_token(&self, id: &str) -> StoreResult<Option<ApiToken>>;
    async fn find_api_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<ApiToken>>;
    async fn find_api_token_by_name(&self, name: &str) -> StoreResult<Option<ApiToken>>;
    async fn list_api_tokens(&self) -> StoreResult<Vec<ApiToken>>;
    async fn update_api_token(&self, token: &ApiToken, events: &[LogRecord]) -> StoreResult<()>;
    /// Records a use of the token (`lastUsed`).
    async fn touch_api_token(&self, id: &str, now: Millis) -> StoreResult<()>;
    /// Returns false when no such token existed.
    async fn revoke_api_token(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool>;
}
