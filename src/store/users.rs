//! Users, groups and memberships.

use super::{Page, StoreResult};
use crate::domain::{Group, LogRecord, Millis, User, UserStatus};
use async_trait::async_trait;

#[async_trait]
pub trait UserStore {
    /// Creates the user and its initial group memberships. `Conflict("login")` on a duplicate
    /// login (compared case-insensitively).
    async fn create_user(&self, user: &User, group_ids: &[String], events: &[LogRecord]) -> StoreResult<()>;
    async fn find_user(&self, id: &str) -> StoreResult<Option<User>>;
    /// Case-insensitive match on `profile.login`.
    async fn find_user_by_login(&self, login: &str) -> StoreResult<Option<User>>;
    async fn list_users(&self, status: Option<UserStatus>, page: &Page) -> StoreResult<Vec<User>>;
    /// Replaces every field of the user with the given id, except `created`.
    async fn update_user(&self, user: &User, events: &[LogRecord]) -> StoreResult<()>;
    /// Deletes the user with its memberships, assignments, sessions and consent; false if absent.
    async fn delete_user(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool>;
    /// Sets `last_login` alone (a sign-in must not overwrite a concurrent profile update).
    async fn record_login(&self, id: &str, at: Millis) -> StoreResult<()>;
}

#[async_trait]
pub trait GroupStore {
    /// `Conflict("name")` on a duplicate name.
    async fn create_group(&self, group: &Group, events: &[LogRecord]) -> StoreResult<()>;
    async fn find_group(&self, id: &str) -> StoreResult<Option<Group>>;
    async fn find_group_by_name(&self, name: &str) -> StoreResult<Option<Group>>;
    async fn list_groups(&self, page: &Page) -> StoreResult<Vec<Group>>;
    async fn update_group(&self, group: &Group, events: &[LogRecord]) -> StoreResult<()>;
    async fn delete_group(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool>;
    /// Idempotent; returns true if the membership is new.
    async fn add_group_member(
        &self,
        group_id: &str,
        user_id: &str,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<bool>;
    async fn remove_group_member(
        &self,
        group_id: &str,
        user_id: &str,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<bool>;
    async fn list_group_members(&self, group_id: &str, page: &Page) -> StoreResult<Vec<User>>;
    /// Explicit memberships only; the built-in `Everyone` group is implied by the policy layer.
    async fn list_user_groups(&self, user_id: &str) -> StoreResult<Vec<Group>>;
}
