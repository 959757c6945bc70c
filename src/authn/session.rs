//! Browser sessions (okta-surface.md §4.3, §7.4): the `baton_sid` cookie holds a 256-bit random
//! secret; the store keeps only its SHA-256 hash. A session lives `session_idle_minutes` (default
//! 2 h) past its last use (the authorize pipeline slides it with `touch_session`), records
//! `auth_time` and `amr: ["pwd"]`.
//! Starting a session ends the one the browser had before (no fixation, one user per
//! browser) and records the user's `last_login`.

use super::events;
use crate::audit::{Context, Event};
use crate::domain::ids::{hash_secret, new_id, new_secret, Prefix};
use crate::domain::{Millis, Session, User};
use crate::state::AppState;
use crate::store::StoreResult;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "baton_sid";
/// A session that was just created, with the raw cookie value (shown once, never stored).
#[derive(Debug, Clone)]
pub struct NewSession {
    pub session: Session,
    pub cookie: String,
}

/// The live session named by a raw cookie value.
pub async fn find_live(state: &AppState, cookie: &str) -> StoreResult<Option<Session>> {
    state.store.find_live_session(&hash_secret(cookie), state.clock.now_ms()).await
}

/// Slides the idle expiry of a session in use.
pub async fn touch(state: &AppState, session: &Session) -> StoreResult<()> {
    let now = state.clock.now_ms();
    state.store.touch_session(&session.id, now, now + state.config.session_idle_ms()).await
}

/// Creates a session for `user`, authenticated at `auth_time`, writing `start_event` (a
/// `user.session.start`, stamped with the new session id) in the same store call. Ends
/// `previous` (the browser's old session) first.
pub async fn start(
    state: &AppState,
    ctx: &Context,
    user: &User,
    auth_time: Millis,
    previous: Option<&Session>,
    start_event: Option<Event>,
) -> StoreResult<NewSession> {
    let now = state.clock.now_ms();
    if let Some(old) = previous {
        let end = events::session_end(None, &old.user_id, &old.id, "new_sign_in").build(ctx, now);
        state.store.end_session(&old.id, now, &[end]).await?;
    }
    let cookie = new_secret();
    let session = Session {
        id: new_id(Prefix::Session),
        token_hash: hash_secret(&cookie),
        user_id: user.id.clone(),
        created: now,
        last_seen: now,
        expires: now + state.config.session_idle_ms(),
        auth_time,
        amr: vec!["pwd".to_owned()],
        ended: None,
    };
    let records: Vec<_> = start_event.into_iter().map(|e| e.session(&session.id).build(ctx, now)).collect();
    state.store.create_session(&session, &records).await?;
    state.store.record_login(&user.id, now).await?;
    Ok(NewSession { session, cookie })
}

/// Ends `session` (sign-out), logging `user.session.end`; false if it had already ended.
pub async fn end(
    state: &AppState,
    ctx: &Context,
    session: &Session,
    user: Option<&User>,
    how: &str,
) -> StoreResult<bool> {
    let now = state.clock.now_ms();
    let event = events::session_end(user, &session.user_id, &session.id, how).build(ctx, now);
    state.store.end_session(&session.id, now, &[event]).await
}
