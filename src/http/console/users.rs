//! `/admin/users`: list with search, create (with a password), view and edit the profile,
//! activate / deactivate / suspend / unsuspend, delete. Writes go through the Management API's
//! own functions (`api::users`), so validation and System Log events are the API's.

use super::admin::okta_message;
use super::paging::{Pager, Search};
use super::{
    redirect_with_flash, render, render_status, ConsoleAdmin, ConsoleError, ConsoleForm, ConsoleResult, Layout,
};
use crate::clock::iso8601;
use crate::domain::{Millis, TextEnum, User, UserStatus};
use crate::http::api::users::{change_user, create_user, delete_user, resolve, update_user, UserChange};
use crate::http::error::OktaError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{Map, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(create))
        .route("/admin/users/new", get(new))
        .route("/admin/users/{id}", get(show).post(update))
        .route("/admin/users/{id}/lifecycle/{op}", post(lifecycle))
        .route("/admin/users/{id}/delete", post(delete))
}

const SECTION: &str = "/admin/users";

pub struct UserRow {
    pub id: String,
    pub login: String,
    pub name: String,
    pub email: String,
    pub status: &'static str,
    pub last_login: String,
}

fn when(ms: Option<Millis>) -> String {
    ms.map_or_else(|| "never".to_owned(), iso8601)
}

#[must_use]
pub fn row(u: &User) -> UserRow {
    UserRow {
        id: u.id.clone(),
        login: u.profile.login().to_owned(),
        name: u.profile.display_name(),
        email: u.profile.get_str("email").unwrap_or_default().to_owned(),
        status: u.status.as_str(),
        last_login: when(u.last_login),
    }
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    l: Layout,
    q: String,
    rows: Vec<UserRow>,
    pager: Pager,
}

/// Whether `q` (any case) is in the user's login, e-mail, names or id.
fn matches(u: &User, q: &str) -> bool {
    let q = q.to_lowercase();
    let p = &u.profile;
    [p.login(), p.get_str("email").unwrap_or_default(), p.get_str("firstName").unwrap_or_default(), &u.id]
        .iter()
        .chain([p.get_str("lastName").unwrap_or_default()].iter())
        .any(|f| f.to_lowercase().contains(&q))
        || p.display_name().to_lowercase().contains(&q)
}

/// One page of the users `search` finds, for the list at `path`.
pub async fn search_users(
    state: &AppState,
    search: &Search,
    path: &str,
) -> Result<(Vec<User>, Pager), crate::store::StoreError> {
    let q = search.q();
    let store = &state.store;
    search
        .page(
            path,
            |p| async move { store.list_users(None, &p).await },
            |u| q.is_empty() || matches(u, q),
            |u| u.id.clone(),
        )
        .await
}

async fn list(State(state): State<AppState>, admin: ConsoleAdmin, Query(search): Query<Search>) -> ConsoleResult {
    let (users, pager) = search_users(&state, &search, SECTION).await?;
    let rows = users.iter().map(row).collect();
    let page = UsersPage { l: admin.layout("Users", SECTION), q: search.q().to_owned(), rows, pager };
    Ok(render(&admin, &page))
}

#[derive(Template)]
#[template(path = "console/user_new.html")]
struct NewUserPage {
    l: Layout,
    login: String,
    email: String,
    first_name: String,
    last_name: String,
}

async fn new(admin: ConsoleAdmin) -> ConsoleResult {
    let page = NewUserPage {
        l: admin.layout("New user", SECTION),
        login: String::new(),
        email: String::new(),
        first_name: String::new(),
        last_name: String::new(),
    };
    Ok(render(&admin, &page))
}

/// The four profile fields of the forms, as a profile map (empty fields left out, so the API's
/// validation names them).
fn profile_of(f: &ConsoleForm) -> Map<String, Value> {
    ["login", "email", "firstName", "lastName"]
        .iter()
        .filter(|k| !f.text(k).is_empty())
        .map(|k| ((*k).to_owned(), Value::String(f.text(k).to_owned())))
        .collect()
}

fn password_of(f: &ConsoleForm) -> Option<&str> {
    f.form.get("password")
}

/// The form again with the API's error above it (400 for validation, else its status).
fn rejected(f: &ConsoleForm, e: &OktaError, title: &str) -> ConsoleResult {
    if e.status.is_server_error() {
        return Err(ConsoleError::from(e.clone()));
    }
    let mut l = f.admin.layout(title, SECTION);
    l.error = Some(okta_message(e));
    let page = NewUserPage {
        l,
        login: f.text("login").to_owned(),
        email: f.text("email").to_owned(),
        first_name: f.text("firstName").to_owned(),
        last_name: f.text("lastName").to_owned(),
    };
    Ok(render_status(&f.admin, e.status, &page))
}

async fn create(State(state): State<AppState>, f: ConsoleForm) -> ConsoleResult {
    let activate = f.form.get("activate").is_some();
    match create_user(&state, &f.admin, profile_of(&f), password_of(&f), &[], activate).await {
        Ok(user) => {
            let message = format!("User {} created ({}).", user.profile.login(), user.status.as_str());
            Ok(redirect_with_flash(&state, &format!("/admin/users/{}", user.id), &message))
        }
        Err(e) => rejected(&f, &e, "New user"),
    }
}

#[derive(Template)]
#[template(path = "console/user.html")]
struct UserPage {
    l: Layout,
    id: String,
    name: String,
    status: &'static str,
    login: String,
    email: String,
    first_name: String,
    last_name: String,
    created: String,
    last_login: String,
    password_changed: String,
    operations: Vec<(&'static str, &'static str)>,
    groups: Vec<(String, String)>,
}

/// The lifecycle buttons a user of this status gets: (path segment, label).
fn operations(status: UserStatus) -> Vec<(&'static str, &'static str)> {
    match status {
        UserStatus::Active => vec![("suspend", "Suspend"), ("deactivate", "Deactivate")],
        UserStatus::Suspended => vec![("unsuspend", "Unsuspend"), ("deactivate", "Deactivate")],
        UserStatus::LockedOut => vec![("unlock", "Unlock"), ("deactivate", "Deactivate")],
        UserStatus::Staged | UserStatus::Provisioned => vec![("activate", "Activate"), ("deactivate", "Deactivate")],
        UserStatus::Deprovisioned => vec![("activate", "Activate")],
    }
}

async fn user_page(state: &AppState, admin: &ConsoleAdmin, user: &User, error: Option<String>) -> ConsoleResult {
    let groups = state.store.list_user_groups(&user.id).await?.into_iter().map(|g| (g.id, g.name)).collect();
    let mut l = admin.layout(&user.profile.display_name(), SECTION);
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    l.error = error;
    let p = &user.profile;
    let page = UserPage {
        l,
        id: user.id.clone(),
        name: p.display_name(),
        status: user.status.as_str(),
        login: p.login().to_owned(),
        email: p.get_str("email").unwrap_or_default().to_owned(),
        first_name: p.get_str("firstName").unwrap_or_default().to_owned(),
        last_name: p.get_str("lastName").unwrap_or_default().to_owned(),
        created: iso8601(user.created),
        last_login: when(user.last_login),
        password_changed: when(user.password_changed),
        operations: operations(user.status),
        groups,
    };
    Ok(render_status(admin, status, &page))
}

async fn show(State(state): State<AppState>, admin: ConsoleAdmin, Path(id): Path<String>) -> ConsoleResult {
    let user = resolve(&state, &id).await?;
    user_page(&state, &admin, &user, None).await
}

async fn update(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    let user = resolve(&state, &id).await?;
    match update_user(&state, &f.admin, &user.id, Some(profile_of(&f)), password_of(&f), false).await {
        Ok(user) => Ok(redirect_with_flash(&state, &format!("/admin/users/{}", user.id), "Profile saved.")),
        Err(e) if e.status.is_client_error() => user_page(&state, &f.admin, &user, Some(okta_message(&e))).await,
        Err(e) => Err(e.into()),
    }
}

async fn lifecycle(
    State(state): State<AppState>,
    Path((id, op)): Path<(String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let change = match op.as_str() {
        "activate" => UserChange::Activate,
        "deactivate" => UserChange::Deactivate,
        "suspend" => UserChange::Suspend,
        "unsuspend" => UserChange::Unsuspend,
        "unlock" => UserChange::Unlock,
        _ => return Err(OktaError::not_found(&op, "lifecycle operation").into()),
    };
    let user = resolve(&state, &id).await?;
    if user.id == f.admin.user.id && change != UserChange::Activate {
        let message = "You cannot deactivate or suspend yourself while signed in.".to_owned();
        return user_page(&state, &f.admin, &user, Some(message)).await;
    }
    match change_user(&state, &f.admin, user.clone(), change).await {
        Ok(user) => {
            let message = format!("{} is now {}.", user.profile.login(), user.status.as_str());
            Ok(redirect_with_flash(&state, &format!("/admin/users/{}", user.id), &message))
        }
        Err(e) if e.status.is_client_error() => user_page(&state, &f.admin, &user, Some(okta_message(&e))).await,
        Err(e) => Err(e.into()),
    }
}

/// Delete: a user not yet DEPROVISIONED is deactivated first (as the API's DELETE does), then
/// deleted, so one button does both.
async fn delete(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    let user = resolve(&state, &id).await?;
    if user.id == f.admin.user.id {
        return user_page(&state, &f.admin, &user, Some("You cannot delete yourself.".to_owned())).await;
    }
    let login = user.profile.login().to_owned();
    if !delete_user(&state, &f.admin, user).await? {
        let user = resolve(&state, &id).await?;
        delete_user(&state, &f.admin, user).await?;
    }
    Ok(redirect_with_flash(&state, SECTION, &format!("User {login} deleted.")))
}
