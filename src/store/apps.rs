//! OIDC apps, their client secrets, the public keys of apps and agents, and app assignments.

use super::{Page, StoreResult};
use crate::domain::{App, AppStatus, ClientKey, ClientKeyStatus, ClientSecret, Group, LogRecord, Millis, User};
use async_trait::async_trait;

#[async_trait]
pub trait AppStore {
    /// Creates the app with its initial secrets. `Conflict("client_id")` on a duplicate.
    async fn create_app(&self, app: &App, secrets: &[ClientSecret], events: &[LogRecord]) -> StoreResult<()>;
    async fn find_app(&self, id: &str) -> StoreResult<Option<App>>;
    async fn find_app_by_client_id(&self, client_id: &str) -> StoreResult<Option<App>>;
    async fn list_apps(&self, page: &Page) -> StoreResult<Vec<App>>;
    async fn update_app(&self, app: &App, events: &[LogRecord]) -> StoreResult<()>;
    async fn delete_app(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool>;

    async fn create_client_secret(&self, secret: &ClientSecret, events: &[LogRecord]) -> StoreResult<()>;
    async fn list_client_secrets(&self, app_id: &str) -> StoreResult<Vec<ClientSecret>>;
    async fn update_client_secret_status(
        &self,
        id: &str,
        status: AppStatus,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<bool>;
    async fn delete_client_secret(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool>;

    /// Keys of apps and agents alike, by owner client id. `Conflict("kid")` on a duplicate kid.
    async fn create_client_key(&self, key: &ClientKey, events: &[LogRecord]) -> StoreResult<()>;
    async fn list_client_keys(&self, client_id: &str) -> StoreResult<Vec<ClientKey>>;
    async fn update_client_key_status(
        &self,
        client_id: &str,
        kid: &str,
        status: ClientKeyStatus,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<bool>;
    async fn delete_client_key(&self, client_id: &str, kid: &str, events: &[LogRecord]) -> StoreResult<bool>;

    /// Idempotent; the `user_name` is the app-specific username Okta shows.
    async fn assign_user(
        &self,
        app_id: &str,
        user_id: &str,
        user_name: &str,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<bool>;
    async fn unassign_user(&self, app_id: &str, user_id: &str, events: &[LogRecord]) -> StoreResult<bool>;
    async fn list_app_users(&self, app_id: &str, page: &Page) -> StoreResult<Vec<User>>;
    async fn assign_group(
        &self,
        app_id: &str,
        group_id: &str,
        priority: i64,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<bool>;
    async fn unassign_group(&self, app_id: &str, group_id: &str, events: &[LogRecord]) -> StoreResult<bool>;
    async fn list_app_groups(&self, app_id: &str) -> StoreResult<Vec<Group>>;
    /// True if the user is assigned directly or through one of its groups (including the
    /// built-in `Everyone`).
    async fn is_user_assigned(&self, app_id: &str, user_id: &str) -> StoreResult<bool>;
}
