//! Console sign-in and sign-out. `GET /admin/login` shows the form (or goes straight to `next`
//! for an admin already signed in); `POST /admin/login` checks CSRF, then the credentials with
//! `authn::verify_credentials` (throttling, Argon2, System Log), then that the user may
//! administer, and only then starts a session (`user.session.start`, the `baton_sid` cookie of
//! the user pages). `next` is followed only when it is a local `/admin` path (no open
//! redirect). `POST /admin/logout` ends the session (`user.session.end`).

use super::admin::{may_administer, ConsoleForm};
use super::{html, see_other};
use crate::authn::events::session_start;
use crate::authn::{session, verify_credentials, SignInError, SESSION_COOKIE};
use crate::http::context::RequestContext;
use crate::http::cookies::{self, SameSite};
use crate::http::form::Params;
use crate::http::{csrf, pages};
use crate::oauth::authorize::PageError;
use crate::oauth::error::OAuthError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/login", get(show).post(submit)).route("/admin/logout", post(logout))
}

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    next: &'a str,
    username: &'a str,
    error: Option<&'a str>,
}

/// `next` when it is a local console path, else `/admin`.
#[must_use]
pub fn local_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if (n == "/admin" || n.starts_with("/admin/") || n.starts_with("/admin?"))
                && !n.contains(['\\', '\r', '\n'])
                && !n.contains("/..") =>
        {
            n
        }
        _ => "/admin",
    }
}

fn page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    next: &str,
    username: &str,
    error: Option<&str>,
) -> Response {
    let (csrf, cookie) = csrf::token_for_form(state, headers);
    let rendered = LoginPage { csrf: &csrf, next, username, error }.render();
    let mut response = match rendered {
        Ok(body) => html(status, body),
        Err(e) => return pages::error(&PageError::internal(&e)),
    };
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

async fn signed_in_admin(state: &AppState, headers: &HeaderMap) -> Result<Option<crate::domain::Session>, Response> {
    let Some(cookie) = cookies::get(headers, SESSION_COOKIE) else { return Ok(None) };
    let internal = |e: &dyn std::fmt::Display| pages::error(&PageError::internal(e));
    let Some(live) = session::find_live(state, &cookie).await.map_err(|e| internal(&e))? else { return Ok(None) };
    let Some(user) = state.store.find_user(&live.user_id).await.map_err(|e| internal(&e))? else { return Ok(None) };
    let admin = may_administer(state, &user).await.map_err(|e| internal(&e.summary))?;
    Ok(admin.then_some(live))
}

async fn show(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let next = local_next(q.get("next").map(String::as_str));
    match signed_in_admin(&state, &headers).await {
        Ok(Some(_)) => see_other(next),
        Ok(None) => page(&state, &headers, StatusCode::OK, next, "", None),
        Err(page) => page,
    }
}

async fn submit(
    State(state): State<AppState>,
    RequestContext(ctx): RequestContext,
    headers: HeaderMap,
    form: Result<Params, OAuthError>,
) -> Response {
    let form = match csrf::checked_form(&state, &headers, form) {
        Ok(form) => form,
        Err(page) => return page,
    };
    let next = local_next(form.get("next")).to_owned();
    let username = form.get("username").unwrap_or_default();
    let now = state.clock.now_ms();
    let user = match verify_credentials(&state, &ctx, username, form.get("password").unwrap_or_default()).await {
        Ok(user) => user,
        Err(SignInError::Store(e)) => return pages::error(&PageError::internal(&e)),
        Err(e) => return page(&state, &headers, StatusCode::OK, &next, username, Some(&e.message(now))),
    };
    match may_administer(&state, &user).await {
        Ok(true) => {}
        Ok(false) => {
            let message = "This account is not an administrator of baton.";
            return page(&state, &headers, StatusCode::FORBIDDEN, &next, username, Some(message));
        }
        Err(e) => return pages::error(&PageError::internal(&e.summary)),
    }
    let previous = match cookies::get(&headers, SESSION_COOKIE) {
        Some(cookie) => match session::find_live(&state, &cookie).await {
            Ok(s) => s,
            Err(e) => return pages::error(&PageError::internal(&e)),
        },
        None => None,
    };
    let event = session_start(&user, None, "password");
    match session::start(&state, &ctx, &user, now, previous.as_ref(), Some(event)).await {
        Ok(new) => {
            let mut response = see_other(&next);
            let cookie = cookies::set(&state, SESSION_COOKIE, &new.cookie, SameSite::Lax);
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Err(e) => pages::error(&PageError::internal(&e)),
    }
}

async fn logout(State(state): State<AppState>, f: ConsoleForm) -> Response {
    let admin = &f.admin;
    if let Err(e) = session::end(&state, &admin.ctx, &admin.session, Some(&admin.user), "logout").await {
        return pages::error(&PageError::internal(&e));
    }
    let mut response = see_other("/admin/login").into_response();
    response.headers_mut().append(header::SET_COOKIE, cookies::clear(&state, SESSION_COOKIE, SameSite::Lax));
    response
}
