//! `UserStore` and `GroupStore` over SQL.

use super::rows::{all, one, to_json, GroupRow, UserRow};
use super::{constraint, with_pool, write_tx, SqlStore};
use crate::domain::{Group, LogRecord, Millis, TextEnum, User, UserStatus};
use crate::store::{GroupStore, Page, StoreResult, UserStore};
use async_trait::async_trait;

pub(super) const USER_COLS: &str =
    "id, status, profile, password_hash, created, activated, status_changed, last_login, \
                         last_updated, password_changed";
pub(super) const GROUP_COLS: &str = "id, group_type, name, description, created, last_updated, last_membership_updated";

fn user_select(rest: &str) -> String {
    format!("SELECT {USER_COLS} FROM users {rest}")
}

fn group_select(rest: &str) -> String {
    format!("SELECT {GROUP_COLS} FROM groups {rest}")
}

#[async_trait]
impl UserStore for SqlStore {
    async fn create_user(&self, user: &User, group_ids: &[String], events: &[LogRecord]) -> StoreResult<()> {
        write_tx!(self, events, |tx| {
            sqlx::query(
                "INSERT INTO users (id, status, login_lower, email, profile, password_hash, created, activated, \
                 status_changed, last_login, last_updated, password_changed) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(&user.id)
            .bind(user.status.as_str())
            .bind(user.profile.login().to_lowercase())
            .bind(user.profile.email())
            .bind(to_json(&user.profile))
            .bind(&user.password_hash)
            .bind(user.created)
            .bind(user.activated)
            .bind(user.status_changed)
            .bind(user.last_login)
            .bind(user.last_updated)
            .bind(user.password_changed)
            .execute(&mut *tx)
            .await
            .map_err(constraint("login"))?;
            for group_id in group_ids {
                sqlx::query("INSERT INTO group_members (group_id, user_id, created) VALUES ($1, $2, $3)")
                    .bind(group_id)
                    .bind(&user.id)
                    .bind(user.created)
                    .execute(&mut *tx)
                    .await
                    .map_err(constraint("groupIds"))?;
            }
        })
    }

    async fn find_user(&self, id: &str) -> StoreResult<Option<User>> {
        let sql = user_select("WHERE id = $1");
        one(with_pool!(self, |p| sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(p).await?))
    }

    async fn find_user_by_login(&self, login: &str) -> StoreResult<Option<User>> {
        let sql = user_select("WHERE login_lower = $1");
        let login = login.to_lowercase();
        one(with_pool!(self, |p| sqlx::query_as::<_, UserRow>(&sql).bind(&login).fetch_optional(p).await?))
    }

    async fn list_users(&self, status: Option<UserStatus>, page: &Page) -> StoreResult<Vec<User>> {
        let sql = user_select("WHERE ($1 IS NULL OR status = $1) AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3");
        let status = status.map(TextEnum::as_str);
        all(with_pool!(self, |p| sqlx::query_as::<_, UserRow>(&sql)
            .bind(status)
            .bind(&page.after)
            .bind(page.limit)
            .fetch_all(p)
            .await?))
    }

    async fn update_user(&self, user: &User, events: &[LogRecord]) -> StoreResult<()> {
        write_tx!(self, events, |tx| {
            sqlx::query(
                "UPDATE users SET status = $2, login_lower = $3, email = $4, profile = $5, password_hash = $6, \
                 activated = $7, status_changed = $8, last_login = $9, last_updated = $10, password_changed = $11 \
                 WHERE id = $1",
            )
            .bind(&user.id)
            .bind(user.status.as_str())
            .bind(user.profile.login().to_lowercase())
            .bind(user.profile.email())
            .bind(to_json(&user.profile))
            .bind(&user.password_hash)
            .bind(user.activated)
            .bind(user.status_changed)
            .bind(user.last_login)
            .bind(user.last_updated)
            .bind(user.password_changed)
            .execute(&mut *tx)
            .await
            .map_err(constraint("login"))?;
        })
    }

    async fn delete_user(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool> {
        write_tx!(self, events, |tx| {
            sqlx::query("DELETE FROM users WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected() > 0
        })
    }

    async fn record_login(&self, id: &str, at: Millis) -> StoreResult<()> {
        let sql = "UPDATE users SET last_login = $2 WHERE id = $1";
        with_pool!(self, |p| sqlx::query(sql).bind(id).bind(at).execute(p).await?.rows_affected());
        Ok(())
    }
}

#[async_trait]
impl GroupStore for SqlStore {
    async fn create_group(&self, group: &Group, events: &[LogRecord]) -> StoreResult<()> {
        write_tx!(self, events, |tx| {
            sqlx::query(
                "INSERT INTO groups (id, group_type, name, description, created, last_updated, \
                 last_membership_updated) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&group.id)
            .bind(group.group_type.as_str())
            .bind(&group.name)
            .bind(&group.description)
            .bind(group.created)
            .bind(group.last_updated)
            .bind(group.last_membership_updated)
            .execute(&mut *tx)
            .await
            .map_err(constraint("name"))?;
        })
    }

    async fn find_group(&self, id: &str) -> StoreResult<Option<Group>> {
        let sql = group_select("WHERE id = $1");
        one(with_pool!(self, |p| sqlx::query_as::<_, GroupRow>(&sql).bind(id).fetch_optional(p).await?))
    }

    async fn find_group_by_name(&self, name: &str) -> StoreResult<Option<Group>> {
        let sql = group_select("WHERE name = $1");
        one(with_pool!(self, |p| sqlx::query_as::<_, GroupRow>(&sql).bind(name).fetch_optional(p).await?))
    }

    async fn list_groups(&self, page: &Page) -> StoreResult<Vec<Group>> {
        let sql = group_select("WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2");
        all(with_pool!(self, |p| sqlx::query_as::<_, GroupRow>(&sql)
            .bind(&page.after)
            .bind(page.limit)
            .fetch_all(p)
            .await?))
    }

    async fn update_group(&self, group: &Group, events: &[LogRecord]) -> StoreResult<()> {
        write_tx!(self, events, |tx| {
            sqlx::query(
                "UPDATE groups SET name = $2, description = $3, last_updated = $4, last_membership_updated = $5 \
                 WHERE id = $1",
            )
            .bind(&group.id)
            .bind(&group.name)
            .bind(&group.description)
            .bind(group.last_updated)
            .bind(group.last_membership_updated)
            .execute(&mut *tx)
            .await
            .map_err(constraint("name"))?;
        })
    }

    async fn delete_group(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool> {
        write_tx!(self, events, |tx| {
            sqlx::query("DELETE FROM groups WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected() > 0
        })
    }

    async fn add_group_member(
        &self,
        group_id: &str,
        user_id: &str,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<bool> {
        write_tx!(self, events, |tx| {
            let added = sqlx::query(
                "INSERT INTO group_members (group_id, user_id, created) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(group_id)
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(constraint("membership"))?
            .rows_affected()
                > 0;
            if added {
                sqlx::query("UPDATE groups SET last_membership_updated = $2 WHERE id = $1")
                    .bind(group_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            added
        })
    }

    async fn remove_group_member(
        &self,
        group_id: &str,
        user_id: &str,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<bool> {
        write_tx!(self, events, |tx| {
            let removed = sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
                .bind(group_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
            if removed {
                sqlx::query("UPDATE groups SET last_membership_updated = $2 WHERE id = $1")
                    .bind(group_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            removed
        })
    }

    async fn list_group_members(&self, group_id: &str, page: &Page) -> StoreResult<Vec<User>> {
        let sql = format!(
            "SELECT {} FROM users u JOIN group_members m ON m.user_id = u.id \
             WHERE m.group_id = $1 AND ($2 IS NULL OR u.id > $2) ORDER BY u.id LIMIT $3",
            prefixed("u", USER_COLS)
        );
        all(with_pool!(self, |p| sqlx::query_as::<_, UserRow>(&sql)
            .bind(group_id)
            .bind(&page.after)
            .bind(page.limit)
            .fetch_all(p)
            .await?))
    }

    async fn list_user_groups(&self, user_id: &str) -> StoreResult<Vec<Group>> {
        let sql = format!(
            "SELECT {} FROM groups g JOIN group_members m ON m.group_id = g.id WHERE m.user_id = $1 ORDER BY g.id",
            prefixed("g", GROUP_COLS)
        );
        all(with_pool!(self, |p| sqlx::query_as::<_, GroupRow>(&sql).bind(user_id).fetch_all(p).await?))
    }
}

/// `a, b` → `t.a, t.b` for joins.
pub(super) fn prefixed(table: &str, cols: &str) -> String {
    cols.split(',').map(|c| format!("{table}.{}", c.trim())).collect::<Vec<_>>().join(", ")
}
