//! `/api/v1/users` (okta-surface.md §11.1): list and search, create, get by id, login or login
//! shortname, partial and full update, the lifecycle operations and delete, and a user's
//! groups. Every write carries its `user.*` System Log events in the same store call.

mod lifecycle;
mod profile;
mod search;

pub(crate) use lifecycle::{change as change_user, delete_user, Change as UserChange};
pub(crate) use profile::{create_user, write as update_user};
pub mod views;

use super::auth::Admin;
use super::routes::ApiRoutes;
use crate::domain::user::EVERYONE;
use crate::domain::User;
use crate::http::error::OktaError;
use crate::state::AppState;
use crate::store::Page;
use axum::extract::{Path, State};
use axum::Json;
use serde_json::Value;

#[must_use]
pub fn routes(r: ApiRoutes) -> ApiRoutes {
    r.get("/api/v1/users", "List, filter or search users", search::list)
        .post("/api/v1/users", "Create a user (activate=true by default)", 200, profile::create)
        .get("/api/v1/users/{userId}", "Get a user by id, login or login shortname", get_user)
        .post("/api/v1/users/{userId}", "Update a user's profile or password (partial)", 200, profile::update)
        .put("/api/v1/users/{userId}", "Replace a user's profile", 200, profile::replace)
        .delete("/api/v1/users/{userId}", "Deactivate, or delete a DEPROVISIONED user", 204, lifecycle::delete)
        .post("/api/v1/users/{userId}/lifecycle/activate", "Activate a user", 200, lifecycle::activate)
        .post("/api/v1/users/{userId}/lifecycle/deactivate", "Deactivate a user", 200, lifecycle::deactivate)
        .post("/api/v1/users/{userId}/lifecycle/suspend", "Suspend an ACTIVE user", 200, lifecycle::suspend)
        .post("/api/v1/users/{userId}/lifecycle/unlock", "Unlock a LOCKED_OUT user", 200, lifecycle::unlock)
        .post("/api/v1/users/{userId}/lifecycle/unsuspend", "Unsuspend a SUSPENDED user", 200, lifecycle::unsuspend)
        .get("/api/v1/users/{userId}/groups", "List a user's groups (Everyone included)", user_groups)
}

/// Store rows read per round trip when a request has to scan users.
const SCAN: i64 = 500;

/// Every user with an id after `after`, `SCAN` rows at a time, in id order, stopping once
/// `keep` returns false.
async fn scan_users(
    state: &AppState,
    after: Option<String>,
    mut keep: impl FnMut(User) -> bool,
) -> Result<(), OktaError> {
    let mut page = Page { after, limit: SCAN };
    loop {
        let rows = state.store.list_users(None, &page).await?;
        let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) >= SCAN;
        page.after = rows.last().map(|u| u.id.clone());
        for user in rows {
            if !keep(user) {
                return Ok(());
            }
        }
        if !full {
            return Ok(());
        }
    }
}

/// The user named by `key`: an id, a login (case-insensitive), or a login's shortname (the part
/// before `@`) when exactly one login has it. The shortname lookup scans users; orgs that
/// look users up by shortname at volume should use ids or logins.
pub async fn resolve(state: &AppState, key: &str) -> Result<User, OktaError> {
    if let Some(u) = state.store.find_user(key).await? {
        return Ok(u);
    }
    if let Some(u) = state.store.find_user_by_login(key).await? {
        return Ok(u);
    }
    if !key.contains('@') && !key.is_empty() {
        let wanted = key.to_lowercase();
        let mut found: Vec<User> = Vec::new();
        scan_users(state, None, |u| {
            if u.profile.login().split_once('@').is_some_and(|(short, _)| short.to_lowercase() == wanted) {
                found.push(u);
            }
            found.len() < 2
        })
        .await?;
        if found.len() == 1 {
            return Ok(found.remove(0));
        }
    }
    Err(OktaError::not_found(key, "User"))
}

async fn get_user(
    State(state): State<AppState>,
    _admin: Admin,
    Path(key): Path<String>,
) -> Result<Json<Value>, OktaError> {
    let user = resolve(&state, &key).await?;
    Ok(Json(views::user(state.base(), &user)))
}

/// The user's groups: the built-in `Everyone` first (it holds every user implicitly), then the
/// explicit memberships.
async fn user_groups(
    State(state): State<AppState>,
    _admin: Admin,
    Path(key): Path<String>,
) -> Result<Json<Vec<Value>>, OktaError> {
    let user = resolve(&state, &key).await?;
    let mut groups = Vec::new();
    if let Some(everyone) = state.store.find_group_by_name(EVERYONE).await? {
        groups.push(everyone);
    }
    for g in state.store.list_user_groups(&user.id).await? {
        if !groups.iter().any(|e| e.id == g.id) {
            groups.push(g);
        }
    }
    Ok(Json(groups.iter().map(|g| views::group(state.base(), g)).collect()))
}
