//! Checking a username and password (okta-surface.md §4.3, §9): the throttles first (a refused
//! attempt never reaches Argon2), then the user by login (case-insensitive) and the password
//! policy's lockout, then the password. Unknown user, wrong password, no password and a user
//! that is not ACTIVE all fail alike for the caller (one generic message, one `E0000004`); the
//! System Log records the real cause. A locked-out user is told so (Okta's `LOCKED_OUT`).
//!
//! A failure is logged here (`user.session.start` FAILURE), with `user.account.lock` when it is
//! the one that locks the account. A success is logged by the caller, in the same store call as
//! what it creates (a session or a `sessionToken`).

use super::events::{account_auto_unlock, account_lock, session_start_failure, INVALID_CREDENTIALS};
use super::{password, throttle};
use crate::audit::Context;
use crate::domain::{Millis, User, UserStatus};
use crate::state::AppState;
use crate::store::StoreError;

/// Longest username and password looked at; longer input fails without a lookup.
const MAX_INPUT: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong credentials, unknown or inactive user: never say which.
    #[error("invalid credentials")]
    Invalid,
    /// Too many recent failures from this address, or for this username from it; open again
    /// at `retry_at`.
    #[error("throttled until {retry_at}")]
    Throttled { retry_at: Millis },
    /// The account is `LOCKED_OUT` by the password policy until an admin unlocks it.
    #[error("locked out")]
    LockedOut,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SignInError {
    /// The sentence a person reads on the sign-in page.
    #[must_use]
    pub fn message(&self, now: Millis) -> String {
        match self {
            Self::Invalid => "Unable to sign in. Check your username and password.".to_owned(),
            Self::Throttled { retry_at } => {
                let minutes = ((retry_at - now).max(1) + 59_999) / 60_000;
                let unit = if minutes == 1 { "minute" } else { "minutes" };
                format!("Too many failed sign-in attempts. Try again in {minutes} {unit}.")
            }
            Self::LockedOut => "Your account is locked. Contact your administrator to unlock it.".to_owned(),
            Self::Store(_) => "Sign-in is unavailable right now. Try again later.".to_owned(),
        }
    }
}

/// The ACTIVE user these credentials belong to.
pub async fn verify_credentials(
    state: &AppState,
    ctx: &Context,
    username: &str,
    password: &str,
) -> Result<User, SignInError> {
    let now = state.clock.now_ms();
    let username = username.trim();
    let keys = throttle::memory_keys(ctx.ip.as_deref(), username);
    if let Some(retry_at) = state.sign_in_limiter.blocked_until(&keys, now) {
        return refuse(state, ctx, None, username, retry_at).await;
    }
    if username.is_empty() || username.len() > MAX_INPUT || password.is_empty() || password.len() > MAX_INPUT {
        return fail(state, ctx, None, username, &keys, "malformed_credentials").await;
    }
    let mut user = state.store.find_user_by_login(username).await?;
    if let Some(locked) = user.take_if(|u| u.status == UserStatus::LockedOut) {
        user = Some(still_locked(state, ctx, locked, username).await?);
    }
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = password::verify(hash, password.to_owned()).await;
    match user {
        Some(user) if matches && user.status == UserStatus::Active => Ok(user),
        Some(user) => {
            let detail = if matches {
                "user_not_active"
            } else if user.password_hash.is_none() {
                "no_password"
            } else {
                "wrong_password"
            };
            fail(state, ctx, Some(&user), username, &keys, detail).await
        }
        None => fail(state, ctx, None, username, &keys, "unknown_user").await,
    }
}

/// A `LOCKED_OUT` user: unlocked (and returned) once the auto-unlock period has passed since the
/// lockout, else the attempt is refused and logged as `LOCKED_OUT`.
async fn still_locked(state: &AppState, ctx: &Context, mut user: User, username: &str) -> Result<User, SignInError> {
    let now = state.clock.now_ms();
    let unlock_at = state
        .config
        .lockout_auto_unlock_minutes
        .map(|m| user.status_changed.unwrap_or(user.last_updated) + i64::from(m) * 60_000);
    if unlock_at.is_some_and(|at| at <= now) {
        user.set_status(UserStatus::Active, now);
        let event = account_auto_unlock(&user).build(ctx, now);
        state.store.update_user(&user, &[event]).await?;
        return Ok(user);
    }
    let event = session_start_failure(Some(&user), username, throttle::LOCKED_OUT, "account_locked").build(ctx, now);
    state.store.append_events(&[event]).await?;
    Err(SignInError::LockedOut)
}

/// A counted failure: remembered in memory and logged (and so counted per user in the log);
/// the failure that reaches the password policy's `lockout_attempts` also locks the account,
/// in the same store call.
async fn fail(
    state: &AppState,
    ctx: &Context,
    user: Option<&User>,
    username: &str,
    keys: &[throttle::Key],
    detail: &str,
) -> Result<User, SignInError> {
    let now = state.clock.now_ms();
    state.sign_in_limiter.record_failure(keys, now);
    let event = session_start_failure(user, username, INVALID_CREDENTIALS, detail).build(ctx, now);
    let attempts = state.config.lockout_attempts as usize;
    match user.filter(|u| u.status == UserStatus::Active && attempts > 0) {
        Some(user) if throttle::consecutive_failures(state.store.as_ref(), user, attempts).await? + 1 >= attempts => {
            let mut locked = user.clone();
            locked.set_status(UserStatus::LockedOut, now);
            let lock = account_lock(user, attempts).build(ctx, now);
            state.store.update_user(&locked, &[event, lock]).await?;
        }
        _ => state.store.append_events(&[event]).await?,
    }
    Err(SignInError::Invalid)
}

/// An attempt the throttle refused: logged as `LOCKED_OUT`, not counted.
async fn refuse(
    state: &AppState,
    ctx: &Context,
    user: Option<&User>,
    username: &str,
    retry_at: Millis,
) -> Result<User, SignInError> {
    let now = state.clock.now_ms();
    let event = session_start_failure(user, username, throttle::LOCKED_OUT, "too_many_failures")
        .debug("retryAt", crate::clock::iso8601(retry_at))
        .build(ctx, now);
    state.store.append_events(&[event]).await?;
    Err(SignInError::Throttled { retry_at })
}
