//! User lifecycle (okta-surface.md §11.1): activate, deactivate, suspend, unsuspend, unlock, and the
//! two-step delete. Leaving `ACTIVE` ends the user's browser sessions in the same request;
//! their tokens then introspect inactive because introspection checks the user's status.
//!
//! The activation token returned by `activate` is informational: baton has no activation
//! e-mail or welcome page, so the token is random, not stored, and cannot be redeemed. The
//! user's status changes at once (to `ACTIVE` when a password is set).

use super::super::auth::{Admin, Audit};
use super::super::body::{wrong_status, ApiQuery};
use super::resolve;
use super::views::user_target;
use crate::domain::ids::new_secret;
use crate::domain::{User, UserStatus};
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

/// Moves `user` to `to`, writing `event_type` with the update; ends the user's sessions when
/// leaving `ACTIVE`.
async fn transition(
    state: &AppState,
    admin: &impl Audit,
    mut user: User,
    to: UserStatus,
    event_type: &str,
    message: &str,
) -> Result<User, OktaError> {
    let now = state.clock.now_ms();
    let was_active = user.is_active();
    user.set_status(to, now);
    if to == UserStatus::Active {
        user.activated = Some(now);
    }
    let event = admin.record(admin.event(event_type, message).target(user_target(&user)), now);
    state.store.update_user(&user, &[event]).await?;
    if was_active && to != UserStatus::Active {
        state.store.end_user_sessions(&user.id, now, &[]).await?;
    }
    Ok(user)
}

/// `STAGED`, `PROVISIONED` or `DEPROVISIONED` → `ACTIVE` with a password, else `PROVISIONED`;
/// `ACTIVE` → 403 `E0000016`; `SUSPENDED` → 403 `E0000038`.
pub(super) async fn activate(
    State(state): State<AppState>,
    admin: Admin,
    Path(key): Path<String>,
    _query: ApiQuery,
) -> Result<Json<Value>, OktaError> {
    let user = resolve(&state, &key).await?;
    change(&state, &admin, user, Change::Activate).await?;
    let token = new_secret();
    Ok(Json(json!({
        "activationUrl": format!("{}/welcome/{token}", state.base()),
        "activationToken": token,
    })))
}

/// A lifecycle operation of the API and the admin console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Activate,
    Deactivate,
    Suspend,
    Unsuspend,
    Unlock,
}

/// Applies `change` to `user` when its status allows (else the API's 403), logging it.
pub(crate) async fn change(
    state: &AppState,
    admin: &impl Audit,
    user: User,
    change: Change,
) -> Result<User, OktaError> {
    match change {
        Change::Activate => activate_user(state, admin, user).await,
        Change::Deactivate => {
            if user.status == UserStatus::Deprovisioned {
                return Err(wrong_status());
            }
            transition(
                state,
                admin,
                user,
                UserStatus::Deprovisioned,
                "user.lifecycle.deactivate",
                "Deactivate Okta user",
            )
            .await
        }
        Change::Suspend => {
            if user.status != UserStatus::Active {
                return Err(wrong_status());
            }
            transition(state, admin, user, UserStatus::Suspended, "user.lifecycle.suspend", "Suspend Okta user").await
        }
        Change::Unsuspend => {
            if user.status != UserStatus::Suspended {
                return Err(wrong_status());
            }
            transition(state, admin, user, UserStatus::Active, "user.lifecycle.unsuspend", "Unsuspend Okta user").await
        }
        Change::Unlock => {
            if user.status != UserStatus::LockedOut {
                return Err(OktaError::new(StatusCode::FORBIDDEN, "E0000032", "Unlock is not allowed for this user."));
            }
            transition(state, admin, user, UserStatus::Active, "user.account.unlock", "Unlock user account").await
        }
    }
}

async fn activate_user(state: &AppState, admin: &impl Audit, user: User) -> Result<User, OktaError> {
    match user.status {
        UserStatus::Active => {
            return Err(OktaError::new(
                StatusCode::FORBIDDEN,
                "E0000016",
                "Activation failed because the user is already active",
            ))
        }
        UserStatus::Suspended | UserStatus::LockedOut => return Err(wrong_status()),
        UserStatus::Staged | UserStatus::Provisioned | UserStatus::Deprovisioned => {}
    }
    let to = if user.password_hash.is_some() { UserStatus::Active } else { UserStatus::Provisioned };
    transition(state, admin, user, to, "user.lifecycle.activate", "Activate Okta user").await
}

/// Any status but `DEPROVISIONED` → `DEPROVISIONED`.
pub(super) async fn deactivate(
    State(state): State<AppState>,
    admin: Admin,
    Path(key): Path<String>,
) -> Result<Json<Value>, OktaError> {
    let user = resolve(&state, &key).await?;
    change(&state, &admin, user, Change::Deactivate).await?;
    Ok(Json(json!({})))
}

/// `LOCKED_OUT` → `ACTIVE` (the password policy's lockout lifted); anything else 403 `E0000032`.
pub(super) async fn unlock(
    State(state): State<AppState>,
    admin: Admin,
    Path(key): Path<String>,
) -> Result<Json<Value>, OktaError> {
    let user = resolve(&state, &key).await?;
    change(&state, &admin, user, Change::Unlock).await?;
    Ok(Json(json!({})))
}

/// `ACTIVE` → `SUSPENDED`; anything else 403 `E0000038`.
pub(super) async fn suspend(
    State(state): State<AppState>,
    admin: Admin,
    Path(key): Path<String>,
) -> Result<Json<Value>, OktaError> {
    let user = resolve(&state, &key).await?;
    change(&state, &admin, user, Change::Suspend).await?;
    Ok(Json(json!({})))
}

/// `SUSPENDED` → `ACTIVE`; anything else 403 `E0000038`.
pub(super) async fn unsuspend(
    State(state): State<AppState>,
    admin: Admin,
    Path(key): Path<String>,
) -> Result<Json<Value>, OktaError> {
    let user = resolve(&state, &key).await?;
    change(&state, &admin, user, Change::Unsuspend).await?;
    Ok(Json(json!({})))
}

/// `DELETE /api/v1/users/{id}`: a user not yet `DEPROVISIONED` is deactivated; a
/// `DEPROVISIONED` one is deleted with its memberships, assignments, sessions and consent.
pub(super) async fn delete(
    State(state): State<AppState>,
    admin: Admin,
    Path(key): Path<String>,
) -> Result<StatusCode, OktaError> {
    let user = resolve(&state, &key).await?;
    delete_user(&state, &admin, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The API's two-step delete: a user not yet `DEPROVISIONED` is deactivated (false), a
/// `DEPROVISIONED` one deleted (true).
pub(crate) async fn delete_user(state: &AppState, admin: &impl Audit, user: User) -> Result<bool, OktaError> {
    if user.status != UserStatus::Deprovisioned {
        change(state, admin, user, Change::Deactivate).await?;
        return Ok(false);
    }
    let now = state.clock.now_ms();
    let target = user_target(&user);
    let events = [
        admin.record(admin.event("user.lifecycle.delete.initiated", "Delete Okta user").target(target.clone()), now),
        admin.record(admin.event("user.lifecycle.delete.completed", "Delete Okta user completed").target(target), now),
    ];
    state.store.delete_user(&user.id, &events).await?;
    Ok(true)
}
