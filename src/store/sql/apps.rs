//! `AppStore` over SQL: OIDC apps, their client secrets, the public keys of apps and agents
//! (`client_keys`, keyed by owner client id) and user and group assignments.

use super::rows::{all, one, to_json, AppRow, ClientKeyRow, ClientSecretRow, GroupRow, UserRow};
use super::users::{prefixed, GROUP_COLS, USER_COLS};
use super::{cached, config_tx, constraint, with_pool, SqlStore};
use crate::domain::app::{AppGroupAssignment, AppUserAssignment};
use crate::domain::{
    App, AppStatus, ClientKey, ClientKeyStatus, ClientSecret, Group, GroupType, LogRecord, Millis, TextEnum, User,
};
use crate::store::apps::AppChanges;
use crate::store::{AppStore, Page, StoreResult};
use async_trait::async_trait;

const APP_COLS: &str = "id, client_id, label, status, application_type, token_endpoint_auth_method, pkce_required, \
                        consent_method, redirect_uris, post_logout_redirect_uris, response_types, grant_types, \
                        refresh_rotation, refresh_leeway, auto_key_rotation, created, last_updated";
const SECRET_COLS: &str = "id, app_id, secret_hash, status, created, last_updated";
const KEY_COLS: &str = "client_id, kid, jwk, status, created, last_updated";

fn app_select(rest: &str) -> String {
    format!("SELECT {APP_COLS} FROM apps {rest}")
}

/// Inserts one client secret inside an open transaction `$tx`.
macro_rules! insert_secret {
    ($tx:ident, $secret:expr) => {
        sqlx::query(
            "INSERT INTO client_secrets (id, app_id, secret_hash, status, created, last_updated) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&$secret.id)
        .bind(&$secret.app_id)
        .bind(&$secret.secret_hash)
        .bind($secret.status.as_str())
        .bind($secret.created)
        .bind($secret.last_updated)
        .execute(&mut *$tx)
        .await
        .map_err(constraint("appId"))?
    };
}

/// Inserts the app row inside an open transaction `$tx`.
macro_rules! insert_app {
    ($tx:ident, $app:expr) => {
        sqlx::query(
            "INSERT INTO apps (id, client_id, label, status, application_type, token_endpoint_auth_method, \
             pkce_required, consent_method, redirect_uris, post_logout_redirect_uris, response_types, \
             grant_types, refresh_rotation, refresh_leeway, auto_key_rotation, created, last_updated) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(&$app.id)
        .bind(&$app.client_id)
        .bind(&$app.label)
        .bind($app.status.as_str())
        .bind(&$app.application_type)
        .bind($app.token_endpoint_auth_method.as_str())
        .bind($app.pkce_required)
        .bind($app.consent_method.as_str())
        .bind(to_json(&$app.redirect_uris))
        .bind(to_json(&$app.post_logout_redirect_uris))
        .bind(to_json(&$app.response_types))
        .bind(to_json(&$app.grant_types))
        .bind(&$app.refresh_rotation)
        .bind($app.refresh_leeway)
        .bind($app.auto_key_rotation)
        .bind($app.created)
        .bind($app.last_updated)
        .execute(&mut *$tx)
        .await
        .map_err(constraint("client_id"))?;
    };
}

/// Updates the app row inside an open transaction `$tx`.
macro_rules! update_app_row {
    ($tx:ident, $app:expr) => {
        sqlx::query(
            "UPDATE apps SET client_id = $2, label = $3, status = $4, application_type = $5, \
             token_endpoint_auth_method = $6, pkce_required = $7, consent_method = $8, redirect_uris = $9, \
             post_logout_redirect_uris = $10, response_types = $11, grant_types = $12, refresh_rotation = $13, \
             refresh_leeway = $14, auto_key_rotation = $15, last_updated = $16 WHERE id = $1",
        )
        .bind(&$app.id)
        .bind(&$app.client_id)
        .bind(&$app.label)
        .bind($app.status.as_str())
        .bind(&$app.application_type)
        .bind($app.token_endpoint_auth_method.as_str())
        .bind($app.pkce_required)
        .bind($app.consent_method.as_str())
        .bind(to_json(&$app.redirect_uris))
        .bind(to_json(&$app.post_logout_redirect_uris))
        .bind(to_json(&$app.response_types))
        .bind(to_json(&$app.grant_types))
        .bind(&$app.refresh_rotation)
        .bind($app.refresh_leeway)
        .bind($app.auto_key_rotation)
        .bind($app.last_updated)
        .execute(&mut *$tx)
        .await
        .map_err(constraint("client_id"))?;
    };
}

#[async_trait]
impl AppStore for SqlStore {
    async fn create_app(&self, app: &App, secrets: &[ClientSecret], events: &[LogRecord]) -> StoreResult<()> {
        config_tx!(self, events, |tx| {
            insert_app!(tx, app);
            for secret in secrets {
                insert_secret!(tx, secret);
            }
        })
    }

    async fn find_app(&self, id: &str) -> StoreResult<Option<App>> {
        cached!(self, "app", id, async {
            let sql = app_select("WHERE id = $1");
            one(with_pool!(self, |p| sqlx::query_as::<_, AppRow>(&sql).bind(id).fetch_optional(p).await?))
        })
    }

    async fn find_app_by_client_id(&self, client_id: &str) -> StoreResult<Option<App>> {
        cached!(self, "app_by_client_id", client_id, async {
            let sql = app_select("WHERE client_id = $1");
            one(with_pool!(self, |p| sqlx::query_as::<_, AppRow>(&sql).bind(client_id).fetch_optional(p).await?))
        })
    }

    async fn list_apps(&self, page: &Page) -> StoreResult<Vec<App>> {
        let sql = app_select("WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2");
        all(with_pool!(self, |p| sqlx::query_as::<_, AppRow>(&sql)
            .bind(&page.after)
            .bind(page.limit)
            .fetch_all(p)
            .await?))
    }

    async fn update_app(&self, app: &App, events: &[LogRecord]) -> StoreResult<()> {
        config_tx!(self, events, |tx| {
            update_app_row!(tx, app);
        })
    }

    async fn delete_app(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool> {
        config_tx!(self, events, |tx| {
            // client_keys has no foreign key (its owner is an app or an agent): delete the keys
            // registered under the app id or its client id before the app itself.
            sqlx::query(
                "DELETE FROM client_keys WHERE client_id = $1 OR client_id = (SELECT client_id FROM apps WHERE id = $1)",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM apps WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected() > 0
        })
    }

    async fn save_app(&self, app: &App, changes: &AppChanges<'_>, events: &[LogRecord]) -> StoreResult<()> {
        config_tx!(self, events, |tx| {
            if changes.create {
                insert_app!(tx, app);
            } else {
                update_app_row!(tx, app);
            }
            if changes.replace_secrets {
                sqlx::query("DELETE FROM client_secrets WHERE app_id = $1").bind(&app.id).execute(&mut *tx).await?;
            }
            for secret in changes.secrets {
                insert_secret!(tx, secret);
            }
            for kid in changes.drop_kids {
                sqlx::query("DELETE FROM client_keys WHERE client_id = $1 AND kid = $2")
                    .bind(&app.id)
                    .bind(kid)
                    .execute(&mut *tx)
                    .await?;
            }
            for key in changes.keys {
                sqlx::query(
                    "INSERT INTO client_keys (client_id, kid, jwk, status, created, last_updated) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&key.client_id)
                .bind(&key.kid)
                .bind(key.jwk.to_string())
                .bind(key.status.as_str())
                .bind(key.created)
                .bind(key.last_updated)
                .execute(&mut *tx)
                .await
                .map_err(constraint("kid"))?;
            }
        })
    }

    async fn create_client_secret(&self, secret: &ClientSecret, events: &[LogRecord]) -> StoreResult<()> {
        config_tx!(self, events, |tx| {
            insert_secret!(tx, secret);
        })
    }

    async fn list_client_secrets(&self, app_id: &str) -> StoreResult<Vec<ClientSecret>> {
        cached!(self, "client_secrets", app_id, async {
            let sql = format!("SELECT {SECRET_COLS} FROM client_secrets WHERE app_id = $1 ORDER BY created, id");
            all(with_pool!(self, |p| sqlx::query_as::<_, ClientSecretRow>(&sql).bind(app_id).fetch_all(p).await?))
        })
    }

    async fn update_client_secret_status(
        &self,
        id: &str,
        status: AppStatus,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<bool> {
        config_tx!(self, events, |tx| {
            sqlx::query("UPDATE client_secrets SET status = $2, last_updated = $3 WHERE id = $1")
                .bind(id)
                .bind(status.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0
        })
    }

    async fn delete_client_secret(&self, id: &str, events: &[LogRecord]) -> StoreResult<bool> {
        config_tx!(self, events, |tx| {
            sqlx::query("DELETE FROM client_secrets WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected()
                > 0
        })
    }

    async fn create_client_key(&self, key: &ClientKey, events: &[LogRecord]) -> StoreResult<()> {
        config_tx!(self, events, |tx| {
            sqlx::query(
                "INSERT INTO client_keys (client_id, kid, jwk, status, created, last_updated) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&key.client_id)
            .bind(&key.kid)
            .bind(key.jwk.to_string())
            .bind(key.status.as_str())
            .bind(key.created)
            .bind(key.last_updated)
            .execute(&mut *tx)
            .await
            .map_err(constraint("kid"))?;
        })
    }

    async fn list_client_keys(&self, client_id: &str) -> StoreResult<Vec<ClientKey>> {
        cached!(self, "client_keys", client_id, async {
            let sql = format!("SELECT {KEY_COLS} FROM client_keys WHERE client_id = $1 ORDER BY created, kid");
            all(with_pool!(self, |p| sqlx::query_as::<_, ClientKeyRow>(&sql).bind(client_id).fetch_all(p).await?))
        })
    }

    async fn update_client_key_status(
        &self,
        client_id: &str,
        kid: &str,
        status: ClientKeyStatus,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<bool> {
        config_tx!(self, events, |tx| {
            sqlx::query("UPDATE client_keys SET status = $3, last_updated = $4 WHERE client_id = $1 AND kid = $2")
                .bind(client_id)
                .bind(kid)
                .bind(status.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0
        })
    }

    async fn delete_client_key(&self, client_id: &str, kid: &str, events: &[LogRecord]) -> StoreResult<bool> {
        config_tx!(self, events, |tx| {
            sqlx::query("DELETE FROM client_keys WHERE client_id = $1 AND kid = $2")
                .bind(client_id)
                .bind(kid)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0
        })
    }

    async fn assign_user(
        &self,
        app_id: &str,
        user_id: &str,
        user_name: &str,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<bool> {
        // Idempotent: a repeated assignment only updates the app username; true when something changed.
        config_tx!(self, events, |tx| {
            sqlx::query(
                "INSERT INTO app_user_assignments (app_id, user_id, user_name, created) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (app_id, user_id) DO UPDATE SET user_name = excluded.user_name \
                 WHERE app_user_assignments.user_name <> excluded.user_name",
            )
            .bind(app_id)
            .bind(user_id)
            .bind(user_name)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(constraint("userId"))?
            .rows_affected()
                > 0
        })
    }

    async fn unassign_user(&self, app_id: &str, user_id: &str, events: &[LogRecord]) -> StoreResult<bool> {
        config_tx!(self, events, |tx| {
            sqlx::query("DELETE FROM app_user_assignments WHERE app_id = $1 AND user_id = $2")
                .bind(app_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0
        })
    }

    async fn list_app_users(&self, app_id: &str, page: &Page) -> StoreResult<Vec<User>> {
        let sql = format!(
            "SELECT {} FROM users u JOIN app_user_assignments a ON a.user_id = u.id \
             WHERE a.app_id = $1 AND ($2 IS NULL OR u.id > $2) ORDER BY u.id LIMIT $3",
            prefixed("u", USER_COLS)
        );
        all(with_pool!(self, |p| sqlx::query_as::<_, UserRow>(&sql)
            .bind(app_id)
            .bind(&page.after)
            .bind(page.limit)
            .fetch_all(p)
            .await?))
    }

    async fn list_app_user_assignments(&self, app_id: &str, page: &Page) -> StoreResult<Vec<AppUserAssignment>> {
        let sql = "SELECT user_id, user_name, created FROM app_user_assignments \
                   WHERE app_id = $1 AND ($2 IS NULL OR user_id > $2) ORDER BY user_id LIMIT $3";
        let rows: Vec<(String, String, i64)> = with_pool!(self, |p| sqlx::query_as(sql)
            .bind(app_id)
            .bind(&page.after)
            .bind(page.limit)
            .fetch_all(p)
            .await?);
        Ok(rows
            .into_iter()
            .map(|(user_id, user_name, created)| AppUserAssignment { user_id, user_name, created })
            .collect())
    }

    async fn find_app_user_assignment(&self, app_id: &str, user_id: &str) -> StoreResult<Option<AppUserAssignment>> {
        let sql = "SELECT user_id, user_name, created FROM app_user_assignments WHERE app_id = $1 AND user_id = $2";
        let row: Option<(String, String, i64)> =
            with_pool!(self, |p| sqlx::query_as(sql).bind(app_id).bind(user_id).fetch_optional(p).await?);
        Ok(row.map(|(user_id, user_name, created)| AppUserAssignment { user_id, user_name, created }))
    }

    async fn assign_group(
        &self,
        app_id: &str,
        group_id: &str,
        priority: i64,
        now: Millis,
        events: &[LogRecord],
    ) -> StoreResult<bool> {
        // Idempotent like `assign_user`: a repeat only updates the priority.
        config_tx!(self, events, |tx| {
            sqlx::query(
                "INSERT INTO app_group_assignments (app_id, group_id, priority, created) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (app_id, group_id) DO UPDATE SET priority = excluded.priority \
                 WHERE app_group_assignments.priority <> excluded.priority",
            )
            .bind(app_id)
            .bind(group_id)
            .bind(priority)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(constraint("groupId"))?
            .rows_affected()
                > 0
        })
    }

    async fn unassign_group(&self, app_id: &str, group_id: &str, events: &[LogRecord]) -> StoreResult<bool> {
        config_tx!(self, events, |tx| {
            sqlx::query("DELETE FROM app_group_assignments WHERE app_id = $1 AND group_id = $2")
                .bind(app_id)
                .bind(group_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0
        })
    }

    async fn list_app_groups(&self, app_id: &str) -> StoreResult<Vec<Group>> {
        let sql = format!(
            "SELECT {} FROM groups g JOIN app_group_assignments a ON a.group_id = g.id \
             WHERE a.app_id = $1 ORDER BY a.priority, g.id",
            prefixed("g", GROUP_COLS)
        );
        all(with_pool!(self, |p| sqlx::query_as::<_, GroupRow>(&sql).bind(app_id).fetch_all(p).await?))
    }

    async fn list_app_group_assignments(&self, app_id: &str) -> StoreResult<Vec<AppGroupAssignment>> {
        let sql = "SELECT group_id, priority, created FROM app_group_assignments WHERE app_id = $1 \
                   ORDER BY priority, group_id";
        let rows: Vec<(String, i64, i64)> = with_pool!(self, |p| sqlx::query_as(sql).bind(app_id).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|(group_id, priority, created)| AppGroupAssignment { group_id, priority, created })
            .collect())
    }

    async fn is_user_assigned(&self, app_id: &str, user_id: &str) -> StoreResult<bool> {
        // Directly, through a group the user belongs to, or through the built-in group that
        // implicitly holds every user (it has no member rows).
        let sql = "SELECT 1 FROM app_user_assignments WHERE app_id = $1 AND user_id = $2 \
                   UNION ALL SELECT 1 FROM app_group_assignments a \
                   JOIN group_members m ON m.group_id = a.group_id WHERE a.app_id = $1 AND m.user_id = $2 \
                   UNION ALL SELECT 1 FROM app_group_assignments a \
                   JOIN groups g ON g.id = a.group_id WHERE a.app_id = $1 AND g.group_type = $3 \
                   LIMIT 1";
        Ok(with_pool!(self, |p| sqlx::query(sql)
            .bind(app_id)
            .bind(user_id)
            .bind(GroupType::BuiltIn.as_str())
            .fetch_optional(p)
            .await?
            .is_some()))
    }
}
