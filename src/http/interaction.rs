//! Turns a pass of the authorize pipeline (`oauth::authorize::Flow`) into the browser's
//! response: a 302 to the client (`query`/`fragment`) or the `form_post` page, the HTML error
//! page, or the sign-in / consent page with a CSRF token. Every redirect carries
//! `Referrer-Policy: no-referrer` (okta-surface.md §4.1). A session created on the way (a
//! redeemed `sessionToken`) gets its cookie whatever the outcome.

use super::cookies::{self, SameSite};
use super::form::Params;
use super::{csrf, pages};
use crate::authn::SESSION_COOKIE;
use crate::oauth::authorize::{ClientReply, Flow, Interaction, Outcome, PageError, ResponseMode};
use crate::oauth::error::OAuthError;
use crate::state::AppState;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The path the sign-in form posts to.
pub const LOGIN_PATH: &str = "/login";
/// The path the consent form posts to.
pub const CONSENT_PATH: &str = "/consent";

pub fn respond(state: &AppState, headers: &HeaderMap, flow: Flow) -> Response {
    let mut response = match flow.outcome {
        Outcome::Page(e) => pages::error(&e),
        Outcome::Client(reply) => to_client(&reply),
        Outcome::SignIn(i) => sign_in(state, headers, &i),
        Outcome::Consent(i) => consent(state, headers, &i),
    };
    if let Some(cookie) = flow.new_session_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookies::set(state, SESSION_COOKIE, &cookie, SameSite::Lax));
    }
    response
}

/// A 302 to `location` that sends no referrer and is not cached.
#[must_use]
pub fn redirect(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let h = response.headers_mut();
    match HeaderValue::from_str(location) {
        Ok(v) => {
            h.insert(header::LOCATION, v);
        }
        Err(_) => return pages::error(&crate::oauth::authorize::PageError::internal(&"unencodable Location")),
    }
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn to_client(reply: &ClientReply) -> Response {
    match reply.mode {
        ResponseMode::FormPost => pages::form_post(&reply.redirect_uri, &reply.params),
        mode => redirect(&crate::oauth::authorize::response::location(&reply.redirect_uri, mode, &reply.params)),
    }
}

fn with_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

fn sign_in(state: &AppState, headers: &HeaderMap, i: &Interaction) -> Response {
    let (csrf, cookie) = csrf::token_for_form(state, headers);
    let action = format!("{}{LOGIN_PATH}", state.base());
    let page = pages::LoginPage {
        action: &action,
        csrf: &csrf,
        company: &state.org.company_name,
        auth_server_id: i.auth_server_id.as_deref(),
        carried: Some(&i.carried),
        app_label: Some(&i.app_label),
        consent_request: None,
        username: i.username.as_deref().unwrap_or_default(),
        error: i.error.as_deref(),
    };
    with_cookie(pages::login(&page), cookie)
}

fn consent(state: &AppState, headers: &HeaderMap, i: &Interaction) -> Response {
    let (csrf, cookie) = csrf::token_for_form(state, headers);
    let action = format!("{}{CONSENT_PATH}", state.base());
    let page = pages::ConsentPage {
        action: &action,
        csrf: &csrf,
        auth_server_id: i.auth_server_id.as_deref(),
        carried: &i.carried,
        app_label: &i.app_label,
        scopes: &i.scopes,
    };
    with_cookie(pages::consent(&page), cookie)
}

/// The live session named by the browser's `baton_sid` cookie.
/// The parameters of a browser endpoint (`/authorize`, `/logout`) and the browser's current
/// session, or the HTML error page to answer instead.
pub async fn page_request(
    state: &AppState,
    headers: &HeaderMap,
    params: Result<Params, OAuthError>,
) -> Result<(Params, Option<crate::domain::Session>), Response> {
    let params = params.map_err(|e| pages::error(&PageError::bad_request(&e)))?;
    let session = current_session(state, headers).await.map_err(|e| pages::error(&PageError::internal(&e)))?;
    Ok((params, session))
}

pub async fn current_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<crate::domain::Session>, crate::store::StoreError> {
    match cookies::get(headers, SESSION_COOKIE) {
        Some(cookie) => crate::authn::session::find_live(state, &cookie).await,
        None => Ok(None),
    }
}
