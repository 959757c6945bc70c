//! `/v1/logout` (okta-surface.md §6.4; OpenID Connect RP-Initiated Logout 1.0 §2–3).
//! `id_token_hint` is required and must be an ID token of this AS (signature by one of its
//! published keys, exact `iss`; merely expired is fine) whose `aud` is an app. A
//! `post_logout_redirect_uri`, if sent, must be one of that app's `post_logout_redirect_uris`.
//! If the hint's `sub` owns the browser's session, the session ends (`user.session.end`).
//! Then a redirect to the post-logout URI (with `state`) or to baton's sign-in page. Every
//! error is an HTML page (404 for an absent AS).

use super::authorize::PageError;
use super::error::OAuthError;
use super::server::{Issuer, NotServed};
use super::verify::verify_own;
use crate::audit::Context;
use crate::authn::session;
use crate::domain::Session;
use crate::oauth::params::Params;
use crate::state::AppState;
use serde_json::Value;

/// Where the browser goes, and whether its session cookie must be cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedOut {
    pub location: String,
    pub session_ended: bool,
}

pub async fn logout(
    state: &AppState,
    ctx: &Context,
    as_id: Option<&str>,
    params: &Params,
    current: Option<Session>,
) -> Result<LoggedOut, PageError> {
    let issuer = Issuer::resolve(state, as_id).await.map_err(NotServed::page)?;
    params.ensure_unique(&[]).map_err(|e| PageError::bad_request(&e))?;
    let hint = params.require("id_token_hint").map_err(|e| PageError::bad_request(&e))?;
    let claims = verify_own(state.store.as_ref(), state.clock.now_ms(), &issuer, hint, true)
        .await
        .map_err(|e| PageError::store(&e))?
        .map_err(|_| invalid_hint())?;
    let sub = claims.get("sub").and_then(Value::as_str).ok_or_else(invalid_hint)?;
    let client_id = match claims.get("aud") {
        Some(Value::String(aud)) => Some(aud.as_str()),
        Some(Value::Array(auds)) if auds.len() == 1 => auds[0].as_str(),
        _ => None,
    }
    .ok_or_else(invalid_hint)?;
    let app = state.store.find_app_by_client_id(client_id).await.map_err(|e| PageError::store(&e))?;
    let app = app.ok_or_else(invalid_hint)?;
    let post_logout = params.get("post_logout_redirect_uri");
    if post_logout.is_some_and(|uri| !app.post_logout_redirect_uris.iter().any(|u| u == uri)) {
        return Err(PageError::bad_request(&OAuthError::invalid_request(
            "illegal_post_logout_redirect_uri",
            "The 'post_logout_redirect_uri' parameter must be a Logout redirect URI in the client app settings.",
        )));
    }
    let mut session_ended = false;
    if let Some(current) = current.filter(|s| s.user_id == sub) {
        let user = state.store.find_user(sub).await.map_err(|e| PageError::store(&e))?;
        session::end(state, ctx, &current, user.as_ref(), "logout").await.map_err(|e| PageError::store(&e))?;
        session_ended = true;
    }
    let location = match post_logout {
        Some(uri) => match params.get("state") {
            Some(st) => super::authorize::response::location(
                uri,
                super::authorize::ResponseMode::Query,
                &[("state", st.to_owned())],
            ),
            None => uri.to_owned(),
        },
        None => format!("{}/login", state.base()),
    };
    Ok(LoggedOut { location, session_ended })
}

fn invalid_hint() -> PageError {
    PageError::bad_request(&OAuthError::invalid_request(
        "invalid_id_token_hint",
        "The 'id_token_hint' parameter is not a valid ID token of this authorization server.",
    ))
}
