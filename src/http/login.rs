//! baton's sign-in page (okta-surface.md §4.3): `GET /login` shows it on its own (where logout
//! lands), `POST /login` checks the credentials (CSRF first, then `authn::verify_credentials`
//! with its throttling and generic errors). A form that carries an authorize request (hidden
//! `authorize` and `as`) resumes the authorize pipeline, told that the user has just signed in;
//! on failure the pipeline re-validates the request and shows the page again with the reason.
//! A form that carries a brokered consent request (hidden `consent_request`, xaa.md §5) goes
//! back to that request's page (or, carrying `list`, to the list of approvals) after signing
//! in; only a well-formed request id or `list` is carried, so this is no open redirect.

use super::context::RequestContext;
use super::cookies::{self, SameSite};
use super::form::Params;
use super::interaction::{current_session, redirect, respond, LOGIN_PATH};
use super::{csrf, pages};
use crate::authn::events::session_start;
use crate::authn::{session, verify_credentials, SignInError, SESSION_COOKIE};
use crate::domain::{Session, User};
use crate::oauth::authorize::{self, Happened, Input, PageError, SignInRetry};
use crate::oauth::error::OAuthError;
use crate::oauth::token::token_exchange::consent::return_path;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route(LOGIN_PATH, get(show).post(submit))
}

/// The sign-in page with no authorize request behind it.
pub fn standalone_page(
    state: &AppState,
    headers: &HeaderMap,
    consent_request: Option<&str>,
    username: &str,
    error: Option<&str>,
) -> Response {
    let (csrf, cookie) = csrf::token_for_form(state, headers);
    let action = format!("{}{LOGIN_PATH}", state.base());
    let page = pages::LoginPage {
        action: &action,
        csrf: &csrf,
        company: &state.org.company_name,
        auth_server_id: None,
        carried: None,
        app_label: None,
        consent_request,
        username,
        error,
    };
    let mut response = pages::login(&page);
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

async fn show(State(state): State<AppState>, headers: HeaderMap) -> Response {
    standalone_page(&state, &headers, None, "", None)
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
    let previous = match current_session(&state, &headers).await {
        Ok(session) => session,
        Err(e) => return pages::error(&PageError::store(&e)),
    };
    let username = form.get("username").unwrap_or_default();
    let result = match verify_credentials(&state, &ctx.0, username, form.get("password").unwrap_or_default()).await {
        Ok(user) => {
            start(&state, &ctx, &user, previous.as_ref()).await.map(|new| (user, new)).map_err(SignInError::from)
        }
        Err(e) => Err(e),
    };
    if let Err(SignInError::Store(e)) = &result {
        return pages::error(&PageError::store(e));
    }
    if form.get("authorize").is_some() {
        return resume(&state, &ctx, &headers, &form, previous, result).await;
    }
    let consent_request = form.get("consent_request").and_then(|v| Some((v, return_path(v)?)));
    match (result, consent_request) {
        (Ok((_, new)), Some((_, back))) => {
            let mut response = redirect(&format!("{}{back}", state.base()));
            response.headers_mut().append(header::SET_COOKIE, session_cookie(&state, &new.cookie));
            response
        }
        (Ok((user, new)), None) => {
            let message = format!("You are signed in as {}.", user.profile.login());
            let mut response = pages::message("Signed in", &message);
            response.headers_mut().append(header::SET_COOKIE, session_cookie(&state, &new.cookie));
            response
        }
        (Err(e), carried) => {
            standalone_page(&state, &headers, carried.map(|(v, _)| v), username, Some(&e.message(state.clock.now_ms())))
        }
    }
}

async fn start(
    state: &AppState,
    ctx: &RequestContext,
    user: &User,
    previous: Option<&Session>,
) -> Result<session::NewSession, crate::store::StoreError> {
    let now = state.clock.now_ms();
    session::start(state, &ctx.0, user, now, previous, Some(session_start(user, None, "password"))).await
}

fn session_cookie(state: &AppState, cookie: &str) -> axum::http::HeaderValue {
    cookies::set(state, SESSION_COOKIE, cookie, SameSite::Lax)
}

/// Back into the authorize pipeline (the form's hidden `authorize` and `as`) with what just
/// happened.
async fn resume(
    state: &AppState,
    ctx: &RequestContext,
    headers: &HeaderMap,
    form: &Params,
    previous: Option<Session>,
    result: Result<(User, session::NewSession), SignInError>,
) -> Response {
    let params = Params::parse(form.get("authorize").unwrap_or_default().as_bytes());
    let as_id = form.get("as");
    match result {
        Ok((_, new)) => {
            let happened = Happened { authenticated_now: true, ..Happened::default() };
            let input = Input { auth_server_id: as_id, params: &params, session: Some(new.session), happened };
            let mut flow = authorize::run(state, &ctx.0, input).await;
            flow.new_session_cookie = Some(new.cookie);
            respond(state, headers, flow)
        }
        Err(e) => {
            let username = form.get("username").unwrap_or_default().to_owned();
            let retry = SignInRetry { username, message: e.message(state.clock.now_ms()) };
            let happened = Happened { sign_in_failed: Some(retry), ..Happened::default() };
            let input = Input { auth_server_id: as_id, params: &params, session: previous, happened };
            respond(state, headers, authorize::run(state, &ctx.0, input).await)
        }
    }
}
