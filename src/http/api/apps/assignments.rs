//! App assignments (okta-surface.md §11.3): users (`GET|POST /users`, `GET|DELETE
//! /users/{userId}`) and groups (`GET /groups`, `GET|PUT|DELETE /groups/{groupId}`). They
//! decide `user_not_assigned` at `/authorize` (`is_user_assigned`: directly, through a group,
//! or through `Everyone`). `GET /users` lists direct assignments (`scope` `USER`).

use super::super::auth::{Admin, Audit};
use super::super::body::{ApiJson, ApiQuery, Validation};
use super::super::paging::{self, href};
use super::super::routes::ApiRoutes;
use super::{app_url, find, target};
use crate::audit::Target;
use crate::clock::iso8601;
use crate::domain::app::{AppGroupAssignment, AppUserAssignment};
use crate::domain::{App, Group, User};
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

#[must_use]
pub(super) fn routes(r: ApiRoutes) -> ApiRoutes {
    r.get("/api/v1/apps/{appId}/users", "List users assigned to an app", list_users)
        .post("/api/v1/apps/{appId}/users", "Assign a user to an app", 200, assign_user)
        .get("/api/v1/apps/{appId}/users/{userId}", "Get an app user", get_user)
        .delete("/api/v1/apps/{appId}/users/{userId}", "Unassign a user from an app", 204, unassign_user)
        .get("/api/v1/apps/{appId}/groups", "List groups assigned to an app", list_groups)
        .get("/api/v1/apps/{appId}/groups/{groupId}", "Get an app group assignment", get_group)
        .put("/api/v1/apps/{appId}/groups/{groupId}", "Assign a group to an app", 200, assign_group)
        .delete("/api/v1/apps/{appId}/groups/{groupId}", "Unassign a group from an app", 204, unassign_group)
}

fn user_target(user: &User) -> Target {
    Target::new(&user.id, "User", user.profile.login(), &user.profile.display_name())
}

fn group_target(group: &Group) -> Target {
    Target::new(&group.id, "UserGroup", &group.name, &group.name)
}

fn app_user(state: &AppState, app_id: &str, a: &AppUserAssignment) -> Value {
    let url = app_url(state, app_id);
    json!({
        "id": a.user_id,
        "externalId": null,
        "created": iso8601(a.created),
        "lastUpdated": iso8601(a.created),
        "scope": "USER",
        "status": "ACTIVE",
        "statusChanged": iso8601(a.created),
        "passwordChanged": null,
        "syncState": "DISABLED",
        "credentials": {"userName": a.user_name},
        "profile": {},
        "_links": {
            "app": href(&url),
            "user": href(format!("{}/api/v1/users/{}", state.base(), a.user_id)),
        },
    })
}

fn app_group(state: &AppState, app_id: &str, a: &AppGroupAssignment) -> Value {
    let url = app_url(state, app_id);
    json!({
        "id": a.group_id,
        "lastUpdated": iso8601(a.created),
        "priority": a.priority,
        "profile": {},
        "_links": {
            "self": href(format!("{url}/groups/{}", a.group_id)),
            "app": href(&url),
            "group": href(format!("{}/api/v1/groups/{}", state.base(), a.group_id)),
        },
    })
}

/// Default 50, at most 500 (okta-surface.md §10).
async fn list_users(
    State(state): State<AppState>,
    _admin: Admin,
    Path(app_id): Path<String>,
    query: ApiQuery,
    uri: Uri,
) -> Result<Response, OktaError> {
    let app = find(&state, &app_id).await?;
    let page = paging::page(&query, 50, 500)?;
    let rows = state.store.list_app_user_assignments(&app.id, &paging::probe(&page)).await?;
    let (rows, next) = paging::split(rows, &page, |a| a.user_id.clone());
    let items: Vec<Value> = rows.iter().map(|a| app_user(&state, &app.id, a)).collect();
    Ok(paging::list(state.base(), &uri, &items, next.as_deref()))
}

async fn get_user(
    State(state): State<AppState>,
    _admin: Admin,
    Path((app_id, user_id)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let app = find(&state, &app_id).await?;
    let a = state
        .store
        .find_app_user_assignment(&app.id, &user_id)
        .await?
        .ok_or_else(|| OktaError::not_found(&user_id, "AppUser"))?;
    Ok(Json(app_user(&state, &app.id, &a)))
}

/// Body `{"id":"00u…","scope":"USER","credentials":{"userName":"…"}}`; `userName` defaults to
/// the login. Assigning again changes only the username.
async fn assign_user(
    State(state): State<AppState>,
    admin: Admin,
    Path(app_id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, OktaError> {
    let a = assign_user_core(&state, &admin, &app_id, &body).await?;
    Ok(Json(app_user(&state, &app_id, &a)))
}

/// Assigns the user `body` (the API's JSON shape) names to app `app_id`.
pub(crate) async fn assign_user_core(
    state: &AppState,
    admin: &impl Audit,
    app_id: &str,
    body: &Value,
) -> Result<AppUserAssignment, OktaError> {
    let app = find(state, app_id).await?;
    let mut v = Validation::default();
    let user_id = body.get("id").and_then(Value::as_str).filter(|s| !s.is_empty());
    v.require(user_id.as_ref(), "id");
    if body.get("scope").is_some_and(|s| !s.is_null() && s != "USER") {
        v.error("scope", "must be USER");
    }
    let user_name = match body.pointer("/credentials/userName").filter(|u| !u.is_null()) {
        None => None,
        Some(Value::String(u)) if !u.trim().is_empty() && u.chars().count() <= 100 => Some(u.trim().to_owned()),
        Some(_) => {
            v.error("credentials.userName", "must be a string of 1 to 100 characters");
            None
        }
    };
    v.finish()?;
    let user_id = user_id.unwrap_or_default();
    let user = state.store.find_user(user_id).await?.ok_or_else(|| OktaError::not_found(user_id, "User"))?;
    let user_name = user_name.unwrap_or_else(|| user.profile.login().to_owned());
    let existing = state.store.find_app_user_assignment(&app.id, &user.id).await?;
    let now = state.clock.now_ms();
    match &existing {
        Some(a) if a.user_name == user_name => {}
        _ => {
            let (event_type, message) = if existing.is_some() {
                ("application.user_membership.update", "Update user's application membership")
            } else {
                ("application.user_membership.add", "Add user to application membership")
            };
            let ev = admin.event(event_type, message).target(user_target(&user)).target(target(&app));
            state.store.assign_user(&app.id, &user.id, &user_name, now, &[admin.record(ev, now)]).await?;
        }
    }
    let created = existing.map_or(now, |a| a.created);
    Ok(AppUserAssignment { user_id: user.id, user_name, created })
}

async fn unassign_user(
    State(state): State<AppState>,
    admin: Admin,
    Path((app_id, user_id)): Path<(String, String)>,
) -> Result<Response, OktaError> {
    unassign_user_core(&state, &admin, &app_id, &user_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Removes the direct assignment of `user_id` to app `app_id`.
pub(crate) async fn unassign_user_core(
    state: &AppState,
    admin: &impl Audit,
    app_id: &str,
    user_id: &str,
) -> Result<(), OktaError> {
    let app = find(state, app_id).await?;
    if state.store.find_app_user_assignment(&app.id, user_id).await?.is_none() {
        return Err(OktaError::not_found(user_id, "AppUser"));
    }
    let user = state.store.find_user(user_id).await?.ok_or_else(|| OktaError::not_found(user_id, "User"))?;
    let now = state.clock.now_ms();
    let ev = admin
        .event("application.user_membership.remove", "Remove user from application membership")
        .target(user_target(&user))
        .target(target(&app));
    state.store.unassign_user(&app.id, &user.id, &[admin.record(ev, now)]).await?;
    Ok(())
}

async fn list_groups(
    State(state): State<AppState>,
    _admin: Admin,
    Path(app_id): Path<String>,
) -> Result<Json<Value>, OktaError> {
    let app = find(&state, &app_id).await?;
    let rows = state.store.list_app_group_assignments(&app.id).await?;
    Ok(Json(Value::Array(rows.iter().map(|a| app_group(&state, &app.id, a)).collect())))
}

async fn find_group_assignment(state: &AppState, app: &App, group_id: &str) -> Result<AppGroupAssignment, OktaError> {
    let rows = state.store.list_app_group_assignments(&app.id).await?;
    rows.into_iter()
        .find(|a| a.group_id == group_id)
        .ok_or_else(|| OktaError::not_found(group_id, "ApplicationGroupAssignment"))
}

async fn get_group(
    State(state): State<AppState>,
    _admin: Admin,
    Path((app_id, group_id)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let app = find(&state, &app_id).await?;
    let a = find_group_assignment(&state, &app, &group_id).await?;
    Ok(Json(app_group(&state, &app.id, &a)))
}

/// Body `{"priority": 0}` (optional; a non-negative integer, default 0).
async fn assign_group(
    State(state): State<AppState>,
    admin: Admin,
    Path((app_id, group_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, OktaError> {
    let a = assign_group_core(&state, &admin, &app_id, &group_id, &body).await?;
    Ok(Json(app_group(&state, &app_id, &a)))
}

/// Assigns group `group_id` to app `app_id` with the `priority` of `body`.
pub(crate) async fn assign_group_core(
    state: &AppState,
    admin: &impl Audit,
    app_id: &str,
    group_id: &str,
    body: &Value,
) -> Result<AppGroupAssignment, OktaError> {
    let app = find(state, app_id).await?;
    let priority = match body.get("priority").filter(|p| !p.is_null()) {
        None => 0,
        Some(p) => p
            .as_i64()
            .filter(|n| (0..=100_000).contains(n))
            .ok_or_else(|| Validation::one("priority", "must be a non-negative integer"))?,
    };
    let group = state.store.find_group(group_id).await?.ok_or_else(|| OktaError::not_found(group_id, "Group"))?;
    let existing = state.store.list_app_group_assignments(&app.id).await?.into_iter().find(|a| a.group_id == group.id);
    let now = state.clock.now_ms();
    if existing.as_ref().is_none_or(|a| a.priority != priority) {
        let ev = admin
            .event("group.application_assignment.add", "Add assigned application to group")
            .target(group_target(&group))
            .target(target(&app));
        state.store.assign_group(&app.id, &group.id, priority, now, &[admin.record(ev, now)]).await?;
    }
    let created = existing.map_or(now, |a| a.created);
    Ok(AppGroupAssignment { group_id: group.id, priority, created })
}

async fn unassign_group(
    State(state): State<AppState>,
    admin: Admin,
    Path((app_id, group_id)): Path<(String, String)>,
) -> Result<Response, OktaError> {
    unassign_group_core(&state, &admin, &app_id, &group_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Removes the assignment of group `group_id` to app `app_id`.
pub(crate) async fn unassign_group_core(
    state: &AppState,
    admin: &impl Audit,
    app_id: &str,
    group_id: &str,
) -> Result<(), OktaError> {
    let app = find(state, app_id).await?;
    find_group_assignment(state, &app, group_id).await?;
    let group = state.store.find_group(group_id).await?.ok_or_else(|| OktaError::not_found(group_id, "Group"))?;
    let now = state.clock.now_ms();
    let ev = admin
        .event("group.application_assignment.remove", "Remove assigned application from group")
        .target(group_target(&group))
        .target(target(&app));
    state.store.unassign_group(&app.id, &group.id, &[admin.record(ev, now)]).await?;
    Ok(())
}
