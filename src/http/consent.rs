//! `POST /consent`: the answer to the consent page (okta-surface.md §4.4). CSRF first, then the
//! carried authorize request goes through the pipeline again with the decision: Allow
//! (`consented_now`: the pipeline recomputes which scopes need consent and stores them) or Deny
//! (`access_denied` to the client).
//!
//! The page is only reached after sign-in, so a sign-in made within `INTERACTION_WINDOW_MS`
//! counts as part of this interaction (`authenticated_now`): `prompt=login` and `max_age` were
//! satisfied by it and must not send the user back to the sign-in page. That window binds
//! nothing a holder of the session cookie could not do anyway: the browser controls the
//! authorize request, `prompt` included.

use super::context::RequestContext;
use super::form::Params;
use super::interaction::{current_session, respond, CONSENT_PATH};
use super::{csrf, pages};
use crate::oauth::authorize::{self, Happened, Input, PageError};
use crate::oauth::error::OAuthError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use axum::Router;

/// How long a sign-in counts as "just now" for the consent form.
pub const INTERACTION_WINDOW_MS: i64 = 10 * 60 * 1000;

pub fn router() -> Router<AppState> {
    Router::new().route(CONSENT_PATH, post(submit))
}

async fn submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    headers: HeaderMap,
    form: Result<Params, OAuthError>,
) -> Response {
    let form = match csrf::checked_form(&state, &headers, form) {
        Ok(form) => form,
        Err(page) => return page,
    };
    let (consented_now, denied_now) = match form.get("decision") {
        Some("allow") => (true, false),
        Some("deny") => (false, true),
        _ => {
            let e =
                OAuthError::invalid_request("invalid_decision", "The consent form needs a decision: allow or deny.");
            return pages::error(&PageError::bad_request(&e));
        }
    };
    let Some(carried) = form.get("authorize") else {
        return pages::error(&PageError::bad_request(&OAuthError::missing("authorize")));
    };
    let session = match current_session(&state, &headers).await {
        Ok(session) => session,
        Err(e) => return pages::error(&PageError::store(&e)),
    };
    let now = state.clock.now_ms();
    let authenticated_now = session.as_ref().is_some_and(|s| now - s.auth_time <= INTERACTION_WINDOW_MS);
    let params = Params::parse(carried.as_bytes());
    let happened = Happened { authenticated_now, consented_now, denied_now, sign_in_failed: None };
    let input = Input { auth_server_id: form.get("as"), params: &params, session, happened };
    respond(&state, &headers, authorize::run(&state, &ctx.0, input).await)
}
