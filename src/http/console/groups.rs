//! `/admin/groups`: list with search, create, edit name and description, delete, add and
//! remove members. Writes go through the Management API's functions (`api::groups`): same
//! validation (unique name, `Everyone` untouchable) and the same System Log events.

use super::admin::okta_message;
use super::paging::{Pager, Search};
use super::users::{row, UserRow};
use super::{redirect_with_flash, render_status, ConsoleAdmin, ConsoleForm, ConsoleResult, Layout};

use crate::domain::{Group, GroupType};
use crate::http::api::groups::{create_group, delete_group, group_body, membership, replace_group};
use crate::http::api::users::resolve;
use crate::http::error::OktaError;
use crate::state::AppState;
use crate::store::Page;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/groups", get(list).post(create))
        .route("/admin/groups/{id}", get(show).post(update))
        .route("/admin/groups/{id}/delete", post(delete))
        .route("/admin/groups/{id}/members", post(add_member))
        .route("/admin/groups/{id}/members/{user}/remove", post(remove_member))
}

const SECTION: &str = "/admin/groups";

#[derive(Template)]
#[template(path = "console/groups.html")]
struct GroupsPage {
    l: Layout,
    q: String,
    rows: Vec<(String, String, String, &'static str)>,
    pager: Pager,
    name: String,
    description: String,
}

/// The create form's values and the error that sent them back, under the list.
struct CreateForm {
    status: StatusCode,
    error: Option<String>,
    name: String,
    description: String,
}

async fn groups_page(state: &AppState, admin: &ConsoleAdmin, search: &Search, form: CreateForm) -> ConsoleResult {
    let needle = search.needle();
    let store = &state.store;
    let (groups, pager) = search
        .page(
            SECTION,
            |p| async move { store.list_groups(&p).await },
            |g: &Group| needle.is_empty() || g.name.to_lowercase().contains(&needle),
            |g| g.id.clone(),
        )
        .await?;
    let rows = groups
        .into_iter()
        .map(|g| {
            let kind = if g.group_type == GroupType::BuiltIn { "BUILT_IN" } else { "OKTA_GROUP" };
            (g.id, g.name, g.description.unwrap_or_default(), kind)
        })
        .collect();
    let mut l = admin.layout("Groups", SECTION);
    l.error = form.error;
    let q = search.q().to_owned();
    let page = GroupsPage { l, q, rows, pager, name: form.name, description: form.description };
    Ok(render_status(admin, form.status, &page))
}

async fn list(State(state): State<AppState>, admin: ConsoleAdmin, Query(search): Query<Search>) -> ConsoleResult {
    let form = CreateForm { status: StatusCode::OK, error: None, name: String::new(), description: String::new() };
    groups_page(&state, &admin, &search, form).await
}

fn body_of(f: &ConsoleForm) -> crate::http::api::groups::GroupBody {
    let opt = |k: &str| Some(f.text(k).to_owned()).filter(|v| !v.is_empty());
    group_body(opt("name"), opt("description"))
}

async fn create(State(state): State<AppState>, f: ConsoleForm) -> ConsoleResult {
    match create_group(&state, &f.admin, body_of(&f)).await {
        Ok(g) => {
            Ok(redirect_with_flash(&state, &format!("/admin/groups/{}", g.id), &format!("Group {} created.", g.name)))
        }
        Err(e) if e.status.is_client_error() => {
            let form = CreateForm {
                status: e.status,
                error: Some(okta_message(&e)),
                name: f.text("name").to_owned(),
                description: f.text("description").to_owned(),
            };
            groups_page(&state, &f.admin, &Search::default(), form).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "console/group.html")]
struct GroupPage {
    l: Layout,
    id: String,
    name: String,
    description: String,
    builtin: bool,
    members: Vec<UserRow>,
    pager: Pager,
}

async fn find(state: &AppState, id: &str) -> Result<Group, OktaError> {
    state.store.find_group(id).await?.ok_or_else(|| OktaError::not_found(id, "UserGroup"))
}

async fn group_page(
    state: &AppState,
    admin: &ConsoleAdmin,
    group: &Group,
    search: &Search,
    error: Option<String>,
) -> ConsoleResult {
    let builtin = group.group_type == GroupType::BuiltIn;
    let (store, gid) = (&state.store, group.id.as_str());
    let path = format!("/admin/groups/{gid}");
    let fetch = |p: Page| async move {
        if builtin {
            store.list_users(None, &p).await
        } else {
            store.list_group_members(gid, &p).await
        }
    };
    let (users, pager) = search.page(&path, fetch, |_| true, |u| u.id.clone()).await?;
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let mut l = admin.layout(&group.name, SECTION);
    l.error = error;
    let page = GroupPage {
        l,
        id: group.id.clone(),
        name: group.name.clone(),
        description: group.description.clone().unwrap_or_default(),
        builtin,
        members: users.iter().map(row).collect(),
        pager,
    };
    Ok(render_status(admin, status, &page))
}

async fn show(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Path(id): Path<String>,
    Query(search): Query<Search>,
) -> ConsoleResult {
    let group = find(&state, &id).await?;
    group_page(&state, &admin, &group, &search, None).await
}

/// Shows the group again with the API's error, or fails with it (not found, store error).
async fn again(state: &AppState, f: &ConsoleForm, id: &str, e: &OktaError) -> ConsoleResult {
    if e.status.is_server_error() || e.status == StatusCode::NOT_FOUND && e.summary.contains("UserGroup") {
        return Err(e.clone().into());
    }
    let group = find(state, id).await?;
    let page = group_page(state, &f.admin, &group, &Search::default(), Some(okta_message(e))).await?;
    let mut page = page;
    *page.status_mut() = if e.status.is_client_error() { e.status } else { StatusCode::BAD_REQUEST };
    Ok(page)
}

async fn update(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    match replace_group(&state, &f.admin, &id, body_of(&f)).await {
        Ok(g) => Ok(redirect_with_flash(&state, &format!("/admin/groups/{}", g.id), "Group saved.")),
        Err(e) => again(&state, &f, &id, &e).await,
    }
}

async fn delete(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    let group = find(&state, &id).await?;
    match delete_group(&state, &f.admin, &id).await {
        Ok(_) => Ok(redirect_with_flash(&state, SECTION, &format!("Group {} deleted.", group.name))),
        Err(e) => again(&state, &f, &id, &e).await,
    }
}

async fn add_member(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    let key = f.text("user").to_owned();
    let user = match resolve(&state, &key).await {
        Ok(user) => user,
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            let e = OktaError::new(StatusCode::BAD_REQUEST, "E0000007", format!("No user {key:?}"));
            return again(&state, &f, &id, &e).await;
        }
        Err(e) => return Err(e.into()),
    };
    match membership(&state, &f.admin, &id, &user.id, true).await {
        Ok(_) => {
            let message = format!("{} added.", user.profile.login());
            Ok(redirect_with_flash(&state, &format!("/admin/groups/{id}"), &message))
        }
        Err(e) => again(&state, &f, &id, &e).await,
    }
}

async fn remove_member(
    State(state): State<AppState>,
    Path((id, user)): Path<(String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    match membership(&state, &f.admin, &id, &user, false).await {
        Ok(_) => Ok(redirect_with_flash(&state, &format!("/admin/groups/{id}"), "Member removed.")),
        Err(e) => again(&state, &f, &id, &e).await,
    }
}
