//! `/admin/apps/{id}/users` and `/admin/apps/{id}/groups`: who may sign in to an app (the
//! assignments `/authorize` checks), through the Management API's own assignment functions.

use super::apps::show_page;
use super::{redirect_with_flash, ConsoleForm, ConsoleResult};
use crate::http::api::apps;
use crate::http::api::body::Validation;
use crate::http::error::OktaError;
use crate::state::AppState;
use crate::store::Page;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::Router;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/apps/{id}/users", post(assign_user))
        .route("/admin/apps/{id}/users/{user_id}/delete", post(unassign_user))
        .route("/admin/apps/{id}/groups", post(assign_group))
        .route("/admin/apps/{id}/groups/{group_id}/delete", post(unassign_group))
}

/// A directly assigned user: (user id, login, app username).
pub struct UserRow {
    pub id: String,
    pub login: String,
    pub user_name: String,
}

/// An assigned group: (group id, name, priority).
pub struct GroupRow {
    pub id: String,
    pub name: String,
    pub priority: i64,
}

/// The app's user and group assignments for its page.
pub async fn rows(state: &AppState, app_id: &str) -> Result<(Vec<UserRow>, Vec<GroupRow>), OktaError> {
    let mut users = Vec::new();
    for a in state.store.list_app_user_assignments(app_id, &Page { after: None, limit: 1000 }).await? {
        let login = state.store.find_user(&a.user_id).await?.map(|u| u.profile.login().to_owned()).unwrap_or_default();
        users.push(UserRow { id: a.user_id, login, user_name: a.user_name });
    }
    let mut groups = Vec::new();
    for a in state.store.list_app_group_assignments(app_id).await? {
        let name = state.store.find_group(&a.group_id).await?.map(|g| g.name).unwrap_or_default();
        groups.push(GroupRow { id: a.group_id, name, priority: a.priority });
    }
    Ok((users, groups))
}

async fn done(state: &AppState, f: &ConsoleForm, id: &str, r: Result<(), OktaError>, message: &str) -> ConsoleResult {
    match r {
        Ok(()) => Ok(redirect_with_flash(state, &format!("/admin/apps/{id}"), message)),
        Err(e) => show_page(state, &f.admin, id, Some(&e), None).await,
    }
}

async fn assign_user(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    let who = f.text("user");
    let user_id = match state.store.find_user_by_login(who).await? {
        Some(u) => u.id,
        None => who.to_owned(),
    };
    let mut body = json!({"id": user_id, "scope": "USER"});
    if !f.text("user_name").is_empty() {
        body["credentials"] = json!({"userName": f.text("user_name")});
    }
    let r = apps::assign_user(&state, &f.admin, &id, &body).await.map(|_| ());
    done(&state, &f, &id, r, "User assigned.").await
}

async fn unassign_user(
    State(state): State<AppState>,
    Path((id, user_id)): Path<(String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let r = apps::unassign_user(&state, &f.admin, &id, &user_id).await;
    done(&state, &f, &id, r, "User unassigned.").await
}

async fn assign_group(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    let which = f.text("group");
    let group_id = match state.store.find_group_by_name(which).await? {
        Some(g) => g.id,
        None => which.to_owned(),
    };
    let r = if group_id.is_empty() {
        Err(Validation::one("group", "The field cannot be left blank"))
    } else {
        let mut body = json!({});
        if !f.text("priority").is_empty() {
            match f.text("priority").parse::<i64>() {
                Ok(p) => body["priority"] = json!(p),
                Err(_) => body["priority"] = json!(f.text("priority")),
            }
        }
        apps::assign_group(&state, &f.admin, &id, &group_id, &body).await.map(|_| ())
    };
    done(&state, &f, &id, r, "Group assigned.").await
}

async fn unassign_group(
    State(state): State<AppState>,
    Path((id, group_id)): Path<(String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let r = apps::unassign_group(&state, &f.admin, &id, &group_id).await;
    done(&state, &f, &id, r, "Group unassigned.").await
}
