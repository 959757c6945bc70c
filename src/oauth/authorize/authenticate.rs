//! §4.3: who is asking. A `sessionToken` (from `/api/v1/authn`, single use) becomes a session;
//! an invalid one counts as absent. `prompt=none` needs a live session younger than `max_age`
//! (else `login_required`); `prompt=login`, an expired `max_age` or no session shows the
//! sign-in page, unless the user has just signed in (`authenticated_now`), which is what keeps
//! `prompt=login` from looping. Only ACTIVE users count as signed in.

use super::outcome::{Interaction, Outcome};
use super::request::AuthorizeRequest;
use super::{Happened, Progress, Stop};
use crate::audit::Context;
use crate::authn::session;
use crate::domain::ids::hash_secret;
use crate::domain::{Session, User};
use crate::oauth::error::OAuthError;
use crate::state::AppState;

/// The signed-in user of this request.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub session: Session,
    pub user: User,
}

pub async fn authenticate(
    state: &AppState,
    ctx: &Context,
    req: &AuthorizeRequest,
    current: Option<Session>,
    happened: &Happened,
    progress: &mut Progress,
) -> Result<Authenticated, Stop> {
    let mut fresh = happened.authenticated_now;
    let mut current = current;
    if let Some(redeemed) = redeem_session_token(state, ctx, req, current.as_ref(), progress).await? {
        current = Some(redeemed);
        fresh = true;
    }
    let mut signed_in = None;
    if let Some(session) = current {
        match state.store.find_user(&session.user_id).await? {
            Some(user) if user.is_active() => signed_in = Some(Authenticated { session, user }),
            _ => {}
        }
    }
    if let Some(auth) = &signed_in {
        progress.user = Some(auth.user.clone());
    }
    let now = state.clock.now_ms();
    let too_old =
        |auth: &Authenticated| req.max_age.is_some_and(|max| now - auth.session.auth_time > max.saturating_mul(1000));
    match signed_in {
        Some(auth) if fresh || (!req.prompt.login && !too_old(&auth)) => {
            if !fresh {
                session::touch(state, &auth.session).await?;
            }
            Ok(auth)
        }
        _ if req.prompt.none => Err(Stop::Client(login_required())),
        _ => Err(Stop::Show(Outcome::SignIn(sign_in_page(req, None, None)))),
    }
}

/// Redeems `sessionToken` into a new session (its `auth_time` is when the password was
/// checked). `None` when there is no token, or it is unknown, used, expired or its user is not
/// ACTIVE: an invalid token is treated as absent (§4.3).
async fn redeem_session_token(
    state: &AppState,
    ctx: &Context,
    req: &AuthorizeRequest,
    previous: Option<&Session>,
    progress: &mut Progress,
) -> Result<Option<Session>, Stop> {
    let Some(token) = &req.session_token else { return Ok(None) };
    let now = state.clock.now_ms();
    let Some(redeemed) = state.store.consume_session_token(&hash_secret(token), now).await? else { return Ok(None) };
    let Some(user) = state.store.find_user(&redeemed.user_id).await?.filter(User::is_active) else { return Ok(None) };
    // `user.session.start` was logged when the password was checked (`/api/v1/authn`).
    let new = session::start(state, ctx, &user, redeemed.created, previous, None).await?;
    progress.new_session_cookie = Some(new.cookie);
    Ok(Some(new.session))
}

#[must_use]
pub fn login_required() -> OAuthError {
    OAuthError::bad("login_required", "The client specified not to prompt, but the user is not logged in.")
}

/// The sign-in page for this request.
#[must_use]
pub fn sign_in_page(req: &AuthorizeRequest, username: Option<&str>, error: Option<String>) -> Interaction {
    Interaction {
        auth_server_id: req.issuer().server().map(|s| s.id.clone()),
        carried: req.carried.clone(),
        app_label: req.app().label.clone(),
        username: username.map(str::to_owned).or_else(|| req.login_hint.clone()),
        error,
        scopes: Vec::new(),
    }
}
