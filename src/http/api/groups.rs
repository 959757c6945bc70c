//! `/api/v1/groups` (okta-surface.md §11.2): list (`q`, `filter`, `search`), create, get,
//! replace, delete, members, and the apps assigned to a group. The built-in `Everyone` group
//! holds every user implicitly and cannot be edited, deleted or have members changed (403
//! `E0000006`).
//!
//! `q`, `filter` and `search` are evaluated in memory over groups read from the store page by
//! page in id order; the `after` cursor is the last group's id, so paging stays exact.

use super::auth::{forbidden, Admin, Audit};
use super::body::{store_error, ApiJson, ApiQuery, Validation};
use super::paging::{self, href};
use super::routes::ApiRoutes;
use super::users::resolve;
use super::users::views::{self, group_target, user_target};
use crate::audit::filter::{self, Expr, Op};
use crate::clock::iso8601;
use crate::domain::ids::{new_id, Prefix};
use crate::domain::{App, Group, GroupType, TextEnum};
use crate::http::error::OktaError;
use crate::state::AppState;
use crate::store::Page;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

const GROUP_LIMIT: i64 = 10_000;
const MEMBER_LIMIT: i64 = 1000;
const SCAN: i64 = 500;

#[must_use]
pub fn routes(r: ApiRoutes) -> ApiRoutes {
    r.get("/api/v1/groups", "List, filter or search groups", list)
        .post("/api/v1/groups", "Create a group", 200, create)
        .get("/api/v1/groups/{groupId}", "Get a group", get_group)
        .put("/api/v1/groups/{groupId}", "Replace a group's profile", 200, replace)
        .delete("/api/v1/groups/{groupId}", "Delete a group", 204, delete)
        .get("/api/v1/groups/{groupId}/users", "List a group's members", members)
        .put("/api/v1/groups/{groupId}/users/{userId}", "Add a user to a group", 204, add_member)
        .delete("/api/v1/groups/{groupId}/users/{userId}", "Remove a user from a group", 204, remove_member)
        .get("/api/v1/groups/{groupId}/apps", "List the apps assigned to a group", apps)
}

fn invalid_search() -> OktaError {
    OktaError::new(StatusCode::BAD_REQUEST, "E0000031", "Invalid search criteria.")
}

/// `filter`: `eq` on `id` and `type`, any comparison on `lastUpdated`; `and`/`or`.
fn check_filter(e: &Expr) -> bool {
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => check_filter(a) && check_filter(b),
        Expr::Not(_) => false,
        Expr::Cmp { attr, op, value } => {
            value.is_some()
                && ((*op == Op::Eq && matches!(attr.as_str(), "id" | "type"))
                    || (attr == "lastUpdated" && matches!(op, Op::Eq | Op::Gt | Op::Ge | Op::Lt | Op::Le)))
        }
    }
}

fn values(g: &Group, attr: &str) -> Vec<String> {
    match attr {
        "id" => vec![g.id.clone()],
        "type" => vec![g.group_type.as_str().to_owned()],
        "created" => vec![iso8601(g.created)],
        "lastUpdated" => vec![iso8601(g.last_updated)],
        "lastMembershipUpdated" => vec![iso8601(g.last_membership_updated)],
        "profile.name" => vec![g.name.clone()],
        "profile.description" => g.description.clone().into_iter().collect(),
        _ => Vec::new(),
    }
}

const SEARCHABLE: [&str; 7] =
    ["id", "type", "created", "lastUpdated", "lastMembershipUpdated", "profile.name", "profile.description"];

async fn list(State(state): State<AppState>, _admin: Admin, query: ApiQuery, uri: Uri) -> Result<Response, OktaError> {
    let page = paging::page(&query, GROUP_LIMIT, GROUP_LIMIT)?;
    let q = query.get("q").filter(|q| !q.is_empty()).map(str::to_lowercase);
    let expr = match (query.get("filter").filter(|f| !f.is_empty()), query.get("search").filter(|s| !s.is_empty())) {
        (Some(_), Some(_)) => return Err(invalid_search()),
        (Some(f), None) => Some(filter::parse(f).ok().filter(check_filter).ok_or_else(invalid_search)?),
        (None, Some(s)) => Some(
            filter::parse(s)
                .ok()
                .filter(|e| e.comparisons().iter().all(|(a, _)| SEARCHABLE.contains(a)))
                .ok_or_else(invalid_search)?,
        ),
        (None, None) => None,
    };
    let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
    let mut found = Vec::new();
    let mut cursor = Page { after: page.after.clone(), limit: SCAN };
    'scan: loop {
        let rows = state.store.list_groups(&cursor).await?;
        let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) >= SCAN;
        cursor.after = rows.last().map(|g| g.id.clone());
        for g in rows {
            let by_name = q.as_ref().is_none_or(|q| g.name.to_lowercase().starts_with(q));
            if by_name && expr.as_ref().is_none_or(|e| filter::matches(e, &|a| values(&g, a))) {
                found.push(g);
                if found.len() > limit {
                    break 'scan;
                }
            }
        }
        if !full {
            break;
        }
    }
    let (rows, next) = paging::split(found, &page, |g| g.id.clone());
    let items: Vec<Value> = rows.iter().map(|g| views::group(state.base(), g)).collect();
    Ok(paging::list(state.base(), &uri, &items, next.as_deref()))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct GroupBody {
    profile: Option<GroupProfile>,
}

#[derive(Debug, Default, Deserialize)]
struct GroupProfile {
    name: Option<String>,
    description: Option<String>,
}

/// The validated `(name, description)` of a body.
fn profile_of(body: GroupBody) -> Result<(String, Option<String>), OktaError> {
    let profile = body.profile.unwrap_or_default();
    let name = profile.name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    let mut v = Validation::default();
    v.require(name.as_ref(), "name");
    v.check(name.as_ref().is_none_or(|n| n.chars().count() <= 255), "name", "The field must be at most 255 characters");
    v.check(
        profile.description.as_ref().is_none_or(|d| d.chars().count() <= 1024),
        "description",
        "The field must be at most 1024 characters",
    );
    v.finish()?;
    Ok((name.unwrap_or_default(), profile.description))
}

async fn find(state: &AppState, id: &str) -> Result<Group, OktaError> {
    state.store.find_group(id).await?.ok_or_else(|| OktaError::not_found(id, "UserGroup"))
}

/// The group, unless it is the built-in `Everyone` (403 `E0000006`).
async fn editable(state: &AppState, id: &str) -> Result<Group, OktaError> {
    let group = find(state, id).await?;
    if group.group_type == GroupType::BuiltIn {
        return Err(forbidden());
    }
    Ok(group)
}

async fn create(
    State(state): State<AppState>,
    admin: Admin,
    ApiJson(body): ApiJson<GroupBody>,
) -> Result<Json<Value>, OktaError> {
    let group = create_group(&state, &admin, body).await?;
    Ok(Json(views::group(state.base(), &group)))
}

/// A group body from form fields (the admin console).
#[must_use]
pub(crate) fn group_body(name: Option<String>, description: Option<String>) -> GroupBody {
    GroupBody { profile: Some(GroupProfile { name, description }) }
}

/// Creates a group (`POST /api/v1/groups` and the admin console), logging `group.lifecycle.create`.
pub(crate) async fn create_group(state: &AppState, admin: &impl Audit, body: GroupBody) -> Result<Group, OktaError> {
    let (name, description) = profile_of(body)?;
    if state.store.find_group_by_name(&name).await?.is_some() {
        return Err(super::body::conflict("name"));
    }
    let now = state.clock.now_ms();
    let group = Group {
        id: new_id(Prefix::Group),
        group_type: GroupType::OktaGroup,
        name,
        description,
        created: now,
        last_updated: now,
        last_membership_updated: now,
    };
    let event = admin.event("group.lifecycle.create", "Create Okta group").target(group_target(&group));
    state.store.create_group(&group, &[admin.record(event, now)]).await.map_err(|e| store_error(e, "name"))?;
    Ok(group)
}

async fn get_group(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, OktaError> {
    Ok(Json(views::group(state.base(), &find(&state, &id).await?)))
}

/// `PUT`: replaces name and description; logs `group.profile.update`.
async fn replace(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<GroupBody>,
) -> Result<Json<Value>, OktaError> {
    let group = replace_group(&state, &admin, &id, body).await?;
    Ok(Json(views::group(state.base(), &group)))
}

/// Replaces a group's name and description (`PUT` and the admin console).
pub(crate) async fn replace_group(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    body: GroupBody,
) -> Result<Group, OktaError> {
    let mut group = editable(state, id).await?;
    let (name, description) = profile_of(body)?;
    if state.store.find_group_by_name(&name).await?.is_some_and(|other| other.id != group.id) {
        return Err(super::body::conflict("name"));
    }
    let now = state.clock.now_ms();
    group.name = name;
    group.description = description;
    group.last_updated = now;
    let event = admin.event("group.profile.update", "Update group profile").target(group_target(&group));
    state.store.update_group(&group, &[admin.record(event, now)]).await.map_err(|e| store_error(e, "name"))?;
    Ok(group)
}

async fn delete(State(state): State<AppState>, admin: Admin, Path(id): Path<String>) -> Result<StatusCode, OktaError> {
    delete_group(&state, &admin, &id).await
}

/// Deletes a group (not `Everyone`), logging `group.lifecycle.delete`.
pub(crate) async fn delete_group(state: &AppState, admin: &impl Audit, id: &str) -> Result<StatusCode, OktaError> {
    let group = editable(state, id).await?;
    let now = state.clock.now_ms();
    let event = admin.event("group.lifecycle.delete", "Delete Okta group").target(group_target(&group));
    state.store.delete_group(&group.id, &[admin.record(event, now)]).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Members, 1000 a page; `Everyone` lists every user.
async fn members(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
    query: ApiQuery,
    uri: Uri,
) -> Result<Response, OktaError> {
    let group = find(&state, &id).await?;
    let page = paging::page(&query, MEMBER_LIMIT, MEMBER_LIMIT)?;
    let rows = if group.group_type == GroupType::BuiltIn {
        state.store.list_users(None, &paging::probe(&page)).await?
    } else {
        state.store.list_group_members(&group.id, &paging::probe(&page)).await?
    };
    let (rows, next) = paging::split(rows, &page, |u| u.id.clone());
    let items: Vec<Value> = rows.iter().map(|u| views::user(state.base(), u)).collect();
    Ok(paging::list(state.base(), &uri, &items, next.as_deref()))
}

async fn add_member(
    State(state): State<AppState>,
    admin: Admin,
    Path((group_id, user_id)): Path<(String, String)>,
) -> Result<StatusCode, OktaError> {
    membership(&state, &admin, &group_id, &user_id, true).await
}

async fn remove_member(
    State(state): State<AppState>,
    admin: Admin,
    Path((group_id, user_id)): Path<(String, String)>,
) -> Result<StatusCode, OktaError> {
    membership(&state, &admin, &group_id, &user_id, false).await
}

/// Adds or removes a membership; a no-op (already a member, or not one) writes nothing.
pub(crate) async fn membership(
    state: &AppState,
    admin: &impl Audit,
    group_id: &str,
    user_id: &str,
    add: bool,
) -> Result<StatusCode, OktaError> {
    let group = editable(state, group_id).await?;
    let user = resolve(state, user_id).await?;
    let member = state.store.list_user_groups(&user.id).await?.iter().any(|g| g.id == group.id);
    if member == add {
        return Ok(StatusCode::NO_CONTENT);
    }
    let now = state.clock.now_ms();
    let (kind, message) = if add {
        ("group.user_membership.add", "Add user to group membership")
    } else {
        ("group.user_membership.remove", "Remove user from group membership")
    };
    let event = admin.record(admin.event(kind, message).target(user_target(&user)).target(group_target(&group)), now);
    if add {
        state.store.add_group_member(&group.id, &user.id, now, &[event]).await?;
    } else {
        state.store.remove_group_member(&group.id, &user.id, now, &[event]).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// A short Application object (id, name, label, status, signOnMode, dates, self link).
fn app_view(base: &str, app: &App) -> Value {
    json!({
        "id": app.id,
        "name": "oidc_client",
        "label": app.label,
        "status": app.status.as_str(),
        "signOnMode": "OPENID_CONNECT",
        "created": iso8601(app.created),
        "lastUpdated": iso8601(app.last_updated),
        "_links": {"self": href(format!("{base}/api/v1/apps/{}", app.id))},
    })
}

/// The apps the group is assigned to (explicitly; every app assigned to `Everyone` for it).
/// Scans the apps, which number in the tens to hundreds.
async fn apps(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, OktaError> {
    let group = find(&state, &id).await?;
    let mut out = Vec::new();
    let mut page = Page::first(SCAN);
    loop {
        let rows = state.store.list_apps(&page).await?;
        let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) >= SCAN;
        page.after = rows.last().map(|a| a.id.clone());
        for app in rows {
            if state.store.list_app_groups(&app.id).await?.iter().any(|g| g.id == group.id) {
                out.push(app_view(state.base(), &app));
            }
        }
        if !full {
            break;
        }
    }
    Ok(paging::list(state.base(), &uri, &out, None))
}
