//! Create, partial update (`POST /{id}`) and full replace (`PUT /{id}`) of users: profile
//! validation (okta-surface.md §11.1), write-only passwords hashed with Argon2id on the blocking
//! pool, initial group memberships.

use super::super::auth::{Admin, Audit};
use super::super::body::{store_error, ApiJson, ApiQuery, Validation};
use super::resolve;
use super::views::{self, group_target, user_target};
use crate::domain::ids::{new_id, Prefix};
use crate::domain::{Group, GroupType, LogRecord, User, UserProfile, UserStatus};
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UserBody {
    profile: Option<Map<String, Value>>,
    credentials: Option<Credentials>,
    group_ids: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
struct Credentials {
    password: Option<Password>,
}

#[derive(Debug, Default, Deserialize)]
struct Password {
    value: Option<String>,
}

impl UserBody {
    fn password(&self) -> Option<&str> {
        self.credentials.as_ref()?.password.as_ref()?.value.as_deref()
    }
}

/// `(field, min, max)` of the required profile attributes, in Okta's order.
const REQUIRED: [(&str, usize, usize); 4] =
    [("login", 5, 100), ("email", 5, 100), ("firstName", 1, 50), ("lastName", 1, 50)];

/// Checks the required attributes and the password; custom attributes are kept as they are.
fn validate(profile: &Map<String, Value>, password: Option<&str>) -> Result<(), OktaError> {
    let mut v = Validation::default();
    for (field, min, max) in REQUIRED {
        match profile.get(field) {
            None | Some(Value::Null) => v.error(field, "The field cannot be left blank"),
            Some(Value::String(s)) if s.trim().is_empty() => v.error(field, "The field cannot be left blank"),
            Some(Value::String(s)) => {
                let n = s.chars().count();
                v.check(
                    (min..=max).contains(&n),
                    field,
                    &format!("The field must be between {min} and {max} characters"),
                );
            }
            Some(_) => v.error(field, "The field must be a string"),
        }
    }
    if let Some(pw) = password {
        v.check(!pw.is_empty(), "password", "The field cannot be left blank");
        v.check(pw.chars().count() <= 256, "password", "The field must be at most 256 characters");
    }
    v.finish()
}

/// Drops null-valued attributes: an unset attribute reads as absent.
fn without_nulls(profile: Map<String, Value>) -> Map<String, Value> {
    profile.into_iter().filter(|(_, v)| !v.is_null()).collect()
}

async fn hash(password: &str) -> Result<String, OktaError> {
    crate::authn::password::hash(password.to_owned())
        .await
        .ok_or_else(|| OktaError::internal(&"password hashing failed"))
}

/// The groups of `groupIds`, deduplicated, `Everyone` dropped (it holds every user anyway).
async fn groups_of(state: &AppState, ids: &[String]) -> Result<Vec<Group>, OktaError> {
    let mut groups: Vec<Group> = Vec::new();
    for id in ids {
        let group = state
            .store
            .find_group(id)
            .await?
            .ok_or_else(|| Validation::one("groupIds", &format!("The group {id} does not exist")))?;
        if group.group_type != GroupType::BuiltIn && !groups.iter().any(|g| g.id == group.id) {
            groups.push(group);
        }
    }
    Ok(groups)
}

/// `POST /api/v1/users?activate=`: `STAGED` when `activate=false`, else `ACTIVE` with a
/// password and `PROVISIONED` without.
pub(super) async fn create(
    State(state): State<AppState>,
    admin: Admin,
    query: ApiQuery,
    ApiJson(body): ApiJson<UserBody>,
) -> Result<Json<Value>, OktaError> {
    let activate = query.flag("activate", true)?;
    let profile = body.profile.clone().unwrap_or_default();
    let groups = body.group_ids.as_deref().unwrap_or_default();
    let user = create_user(&state, &admin, profile, body.password(), groups, activate).await?;
    Ok(Json(views::user(state.base(), &user)))
}

/// Creates a user (the API's `POST /api/v1/users` and the admin console): validates the
/// profile and password, hashes the password, logs create/activate/membership events.
pub(crate) async fn create_user(
    state: &AppState,
    admin: &impl Audit,
    profile: Map<String, Value>,
    password: Option<&str>,
    group_ids: &[String],
    activate: bool,
) -> Result<User, OktaError> {
    let profile = without_nulls(profile);
    validate(&profile, password)?;
    let groups = groups_of(state, group_ids).await?;
    let password_hash = match password {
        Some(pw) => Some(hash(pw).await?),
        None => None,
    };
    let now = state.clock.now_ms();
    let status = match (activate, password_hash.is_some()) {
        (false, _) => UserStatus::Staged,
        (true, true) => UserStatus::Active,
        (true, false) => UserStatus::Provisioned,
    };
    let user = User {
        id: new_id(Prefix::User),
        status,
        profile: UserProfile(profile),
        password_changed: password_hash.as_ref().map(|_| now),
        password_hash,
        created: now,
        activated: (status == UserStatus::Active).then_some(now),
        status_changed: (status != UserStatus::Staged).then_some(now),
        last_login: None,
        last_updated: now,
    };
    let target = user_target(&user);
    let mut events =
        vec![admin.record(admin.event("user.lifecycle.create", "Create Okta user").target(target.clone()), now)];
    if status != UserStatus::Staged {
        events.push(
            admin.record(admin.event("user.lifecycle.activate", "Activate Okta user").target(target.clone()), now),
        );
    }
    for g in &groups {
        let event = admin
            .event("group.user_membership.add", "Add user to group membership")
            .target(target.clone())
            .target(group_target(g));
        events.push(admin.record(event, now));
    }
    let ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
    state.store.create_user(&user, &ids, &events).await.map_err(|e| store_error(e, "login"))?;
    Ok(user)
}

/// `POST /api/v1/users/{id}`: the given profile attributes replace the stored ones (null
/// removes one); a password in `credentials` is changed.
pub(super) async fn update(
    State(state): State<AppState>,
    admin: Admin,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<UserBody>,
) -> Result<Json<Value>, OktaError> {
    let user = write(&state, &admin, &key, body.profile.clone(), body.password(), false).await?;
    Ok(Json(views::user(state.base(), &user)))
}

/// `PUT /api/v1/users/{id}`: the profile is replaced as a whole; attributes not given are unset.
pub(super) async fn replace(
    State(state): State<AppState>,
    admin: Admin,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<UserBody>,
) -> Result<Json<Value>, OktaError> {
    let user = write(&state, &admin, &key, body.profile.clone(), body.password(), true).await?;
    Ok(Json(views::user(state.base(), &user)))
}

/// Updates the user named `key` (the API's partial `POST` and full `PUT`, and the admin
/// console): the profile merged (or replaced), the password changed when given.
pub(crate) async fn write(
    state: &AppState,
    admin: &impl Audit,
    key: &str,
    body_profile: Option<Map<String, Value>>,
    password: Option<&str>,
    replace: bool,
) -> Result<User, OktaError> {
    let mut user = resolve(state, key).await?;
    let profile = match (&body_profile, replace) {
        (Some(p), true) => Some(without_nulls(p.clone())),
        (None, true) => Some(Map::new()),
        (Some(p), false) => {
            let mut merged = user.profile.0.clone();
            merged.extend(p.clone());
            Some(without_nulls(merged))
        }
        (None, false) => None,
    };
    validate(profile.as_ref().unwrap_or(&user.profile.0), password)?;
    if profile.is_none() && password.is_none() {
        return Ok(user);
    }
    let now = state.clock.now_ms();
    let mut events: Vec<LogRecord> = Vec::new();
    if let Some(p) = profile {
        user.profile = UserProfile(p);
        let event =
            admin.event("user.account.update_profile", "Update user profile for Okta").target(user_target(&user));
        events.push(admin.record(event, now));
    }
    if let Some(pw) = password {
        user.password_hash = Some(hash(pw).await?);
        user.password_changed = Some(now);
        let event = admin.event("user.account.update_password", "Update password for user").target(user_target(&user));
        events.push(admin.record(event, now));
    }
    user.last_updated = now;
    state.store.update_user(&user, &events).await.map_err(|e| store_error(e, "login"))?;
    Ok(user)
}
