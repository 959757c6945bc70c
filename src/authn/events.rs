//! System Log events of sign-in and sign-out (okta-surface.md §12, §14): the user is actor and
//! target; an unknown username is an actor of id `unknown` with the typed name as
//! `alternateId`. Passwords and session secrets never enter an event.

use crate::audit::{Actor, Event, Target};
use crate::domain::User;

pub const SESSION_START: &str = "user.session.start";
pub const SESSION_END: &str = "user.session.end";
/// `outcome.reason` of a rejected password, unknown or inactive user.
pub const INVALID_CREDENTIALS: &str = "INVALID_CREDENTIALS";

/// A user as `actor` (or `target`): type `User`, `alternateId` = login.
#[must_use]
pub fn user_actor(user: &User) -> Actor {
    Actor::new(&user.id, "User", user.profile.login(), &user.profile.display_name())
}

/// Someone who typed a username that names no user.
#[must_use]
pub fn unknown_actor(typed_username: &str) -> Actor {
    Actor::new("unknown", "User", typed_username, "unknown")
}

/// `user.session.start` SUCCESS; `method` says how (`password`, `sessionToken`…).
#[must_use]
pub fn session_start(user: &User, session_id: Option<&str>, method: &str) -> Event {
    let mut e = Event::new(SESSION_START, "User login to Okta", user_actor(user))
        .target(user_actor(user))
        .debug("authenticationMethod", method);
    if let Some(id) = session_id {
        e = e.session(id);
    }
    e
}

/// `user.session.start` FAILURE: `reason` is `INVALID_CREDENTIALS` or `LOCKED_OUT`, `detail`
/// the internal cause (`wrong_password`, `unknown_user`, `user_not_active`, …).
#[must_use]
pub fn session_start_failure(user: Option<&User>, typed_username: &str, reason: &str, detail: &str) -> Event {
    let actor = user.map_or_else(|| unknown_actor(typed_username), user_actor);
    let mut e = Event::new(SESSION_START, "User login to Okta", actor).failure(reason).debug("error", detail);
    if let Some(user) = user {
        e = e.target(user_actor(user));
    }
    e
}

/// `user.account.lock`: the password policy's lockout after `attempts` consecutive failures.
#[must_use]
pub fn account_lock(user: &User, attempts: usize) -> Event {
    Event::new("user.account.lock", "Max sign in attempts exceeded", user_actor(user))
        .target(user_actor(user))
        .debug("lockoutAttempts", attempts.to_string())
}

/// `user.account.unlock` by the user's own sign-in once the auto-unlock period has passed.
#[must_use]
pub fn account_auto_unlock(user: &User) -> Event {
    Event::new("user.account.unlock", "Unlock user account", user_actor(user))
        .target(user_actor(user))
        .debug("unlockedBy", "autoUnlockMinutes")
}

/// `user.session.end` for the session `session_id`; `how` is `logout` or `api`.
#[must_use]
pub fn session_end(user: Option<&User>, user_id: &str, session_id: &str, how: &str) -> Event {
    let actor = user.map_or_else(|| Actor::new(user_id, "User", user_id, user_id), user_actor);
    Event::new(SESSION_END, "User logout from Okta", actor.clone())
        .target(Target::clone(&actor))
        .session(session_id)
        .debug("endedBy", how)
}
