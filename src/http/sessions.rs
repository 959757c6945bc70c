//! `GET|DELETE /api/v1/sessions/me` (okta-surface.md §9): the browser's own session, found by
//! its `baton_sid` cookie. GET shows it in Okta's shape; DELETE ends it (204,
//! `user.session.end`) and clears the cookie. No live session is 404 `E0000007`. CORS with
//! credentials (§2.3), for `@okta/okta-auth-js`'s `session.get` and `closeSession`.

use super::context::RequestContext;
use super::cookies::{self, SameSite};
use super::error::OktaError;
use super::interaction::current_session;
use crate::authn::{session, SESSION_COOKIE};
use crate::clock::iso8601;
use crate::domain::{Session, User};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

const PATH: &str = "/api/v1/sessions/me";

pub fn router() -> Router<AppState> {
    Router::new().route(PATH, get(show).delete(end))
}

/// The live session of this browser and its user.
async fn mine(state: &AppState, headers: &HeaderMap) -> Result<(Session, User), OktaError> {
    let session = current_session(state, headers).await?.ok_or_else(|| OktaError::not_found("me", "Session"))?;
    let user = state.store.find_user(&session.user_id).await?.ok_or_else(|| OktaError::not_found("me", "Session"))?;
    Ok((session, user))
}

async fn show(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, OktaError> {
    let (s, user) = mine(&state, &headers).await?;
    Ok(Json(json!({
        "id": s.id,
        "userId": s.user_id,
        "login": user.profile.login(),
        "createdAt": iso8601(s.created),
        "expiresAt": iso8601(s.expires),
        "status": "ACTIVE",
        "lastPasswordVerification": iso8601(s.auth_time),
        "lastFactorVerification": null,
        "amr": s.amr,
        "idp": {"id": state.org.id, "type": "OKTA"},
        "mfaActive": false,
        "_links": {"self": {"href": format!("{}{PATH}", state.base())}},
    })))
}

async fn end(State(state): State<AppState>, ctx: RequestContext, headers: HeaderMap) -> Result<Response, OktaError> {
    let (s, user) = mine(&state, &headers).await?;
    session::end(&state, &ctx.0, &s, Some(&user), "api").await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().append(header::SET_COOKIE, cookies::clear(&state, SESSION_COOKIE, SameSite::Lax));
    Ok(response)
}
