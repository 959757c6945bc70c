//! OIDC apps, their client secrets, the public keys of apps and agents, and app assignments.

use super::{Page, StoreResult};
use crate::domain::app::{AppGroupAssignment, AppUserAssignment};
use crate::domain::{App, AppStatus, ClientKey, ClientKeyStatus, ClientSecret, Group, LogRecord, Millis, User};
use async_trait::async_trait;

/// What `AppStore::save_app` writes besides the app row, in the same transaction.
#[derive(Debug, Default, Clone, Copy)]
pub struct AppChanges<'a> {
    /// Insert the app (else update it).
    pub create: bool,
    /// Secrets to add.
    pub secrets: &'a [ClientSecret],
    /// Delete the app's existing secrets before adding `secrets`.
    pub replace_secrets: bool,
    /// Keys to add (owned by the app id).
    pub keys: &'a [ClientKey],
    /// Kids of the app's keys to delete.
    pub drop_kids: &'a [String],
}

#[async_trait]
pub trait AppStore {
    /// Creates the app with its initial secrets. `Conflict("client_id")` on a duplicate.
    async fn create_app(&self, app: &App, secrets: &[ClientSecret], events: &[LogRecord]) -> StoreResult<()>;
    async fn find_app(&self, id: &str) -> StoreResult<Option<App>>;
    async fn find_app_by_client_id(&self, client_id: &str) -> StoreResult<Option<App>>;
    async fn list_apps(&self, page: &Page) -> StoreResult<Vec<App>>;
    async fn update_app(&self, app: &App, events: &[LogRecord]) -> StoreResult<()>;
    async fn delete_app(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool>;
    /// Creates or updates the app with its secret and key changes in one transaction.
    /// `Conflict("client_id")` / `Conflict("kid")` on duplicates.
    async fn save_app(&self, app: &App, changes: &AppChanges<'_>, events: &[LogRecord]) -> StoreResult<()>;

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
    /// Direct user assignments, by user id.
    async fn list_app_user_assignments(&self, app_id: &str, page: &Page) -> StoreResult<Vec<AppUserAssignment>>;
    async fn find_app_user_assignment(&self, app_id: &str, user_id: &str) -> StoreResult<Option<AppUserAssignment>>;
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
    /// Group assignments by priority, then group id.
    async fn list_app_group_assignments(&self, app_id: &str) -> StoreResult<Vec<AppGroupAssignment>>;
    /// True if the user is assigned directly or through one of its groups (including the
    /// built-in `Everyone`).
    async fn is_user_assigned(&self, app_id: &str, user_id: &str) -> StoreResult<bool>;
}
