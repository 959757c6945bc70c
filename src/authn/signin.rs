//! Checking a username and password (okta-surface.md §4.3, §9): the throttle first (a refused
//! attempt never reaches Argon2), then the user by login (case-insensitive), then the password.
//! Unknown user, wrong password, no password and a user that is not ACTIVE all fail alike for
//! the caller (one generic message, one `E0000004`); the System Log records the real cause.
//!
//! A failure is logged here (`user.session.start` FAILURE). A success is logged by the caller,
//! in the same store call as what it creates (a session or a `sessionToken`).

use super::events::{session_start_failure, INVALID_CREDENTIALS};
use super::{password, throttle};
use crate::audit::Context;
use crate::domain::{Millis, User};
use crate::state::AppState;
use crate::store::StoreError;

/// Longest username and password looked at; longer input fails without a lookup.
const MAX_INPUT: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong credentials, unknown or inactive user: never say which.
    #[error("invalid credentials")]
    Invalid,
    /// Too many recent failures for this user or address; open again at `retry_at`.
    #[error("throttled until {retry_at}")]
    Throttled { retry_at: Millis },
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
    let user = state.store.find_user_by_login(username).await?;
    if let Some(user) = &user {
        if let Some(retry_at) = throttle::user_blocked_until(state.store.as_ref(), &user.id, now).await? {
            return refuse(state, ctx, Some(user), username, retry_at).await;
        }
    }
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = password::verify(hash, password.to_owned()).await;
    match user {
        Some(user) if matches && user.is_active() => Ok(user),
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

/// A counted failure: remembered in memory, logged (and so counted per user in the log).
async fn fail(
    state: &AppState,
    ctx: &Context,
    user: Option<&User>,
    username: &str,
    keys: &[String],
    detail: &str,
) -> Result<User, SignInError> {
    let now = state.clock.now_ms();
    state.sign_in_limiter.record_failure(keys, now);
    let event = session_start_failure(user, username, INVALID_CREDENTIALS, detail).build(ctx, now);
    state.store.append_events(&[event]).await?;
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
