//! Self-service pages of any signed-in user, on the normal sign-in session:
//! `GET /me` lists the user's consent grants (each revocable: `POST /me/consents/{id}/revoke`,
//! logging `app.oauth2.as.consent.revoke`), the agents' pending consent requests (approve or
//! deny through the brokered-consent handlers of `consent_requests`, which also list and
//! revoke approvals at `/consent/requests`), and offers "sign out everywhere"
//! (`POST /me/sessions/end`: every session of the user ends, one `user.session.end` event).
//! Every form carries the CSRF token of `csrf`; a POST without it is a 403 page. Without a
//! session, `GET /me` sends the browser to the sign-in page.

use super::context::RequestContext;
use super::form::Params;
use super::interaction::{current_session, redirect, LOGIN_PATH};
use super::{cookies, csrf, pages};
use crate::audit::Target;
use crate::authn::events::{session_end, user_actor};
use crate::authn::SESSION_COOKIE;
use crate::clock::iso8601;
use crate::domain::{Session, User};
use crate::oauth::authorize::PageError;
use crate::oauth::client::Client;
use crate::oauth::error::OAuthError;
use crate::oauth::token::token_exchange::consent::{request_path, LIST_PATH};
use crate::policy::join;
use crate::state::AppState;
use crate::store::StoreError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

pub const ME_PATH: &str = "/me";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(ME_PATH, get(show))
        .route("/me/consents/{id}/revoke", post(revoke))
        .route("/me/sessions/end", post(end_all))
        .layer(axum::middleware::from_fn(super::console::security_headers))
}

fn internal(e: &StoreError) -> Response {
    pages::error(&PageError::store(e))
}

/// The signed-in user and session, or `None`.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Option<(Session, User)>, StoreError> {
    let Some(session) = current_session(state, headers).await? else { return Ok(None) };
    Ok(state.store.find_user(&session.user_id).await?.map(|u| (session, u)))
}

pub struct GrantRow {
    pub id: String,
    pub client: String,
    pub auth_server: String,
    pub scope: String,
    pub source: String,
    pub created: String,
}

pub struct RequestRow {
    pub id: String,
    pub href: String,
    pub agent: String,
    pub auth_server: String,
    pub scopes: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage<'a> {
    csrf: &'a str,
    login: &'a str,
    name: String,
    grants: Vec<GrantRow>,
    requests: Vec<RequestRow>,
    approvals_href: &'a str,
    flash: Option<&'a str>,
}

async fn client_name(state: &AppState, client_id: &str) -> Result<String, StoreError> {
    Ok(Client::find(state.store.as_ref(), client_id)
        .await?
        .map_or_else(|| client_id.to_owned(), |c| c.display_name().to_owned()))
}

async fn server_name(state: &AppState, id: &str) -> Result<String, StoreError> {
    Ok(state.store.find_auth_server(id).await?.map_or_else(|| id.to_owned(), |s| s.name))
}

async fn page(state: &AppState, headers: &HeaderMap, user: &User, flash: Option<&str>) -> Result<Response, StoreError> {
    let mut grants = Vec::new();
    for g in state.store.list_consent_grants(&user.id).await? {
        grants.push(GrantRow {
            client: client_name(state, &g.client_id).await?,
            auth_server: server_name(state, &g.auth_server_id).await?,
            scope: g.scope_name.clone(),
            source: g.source.clone(),
            created: iso8601(g.created),
            id: g.id,
        });
    }
    let mut requests = Vec::new();
    for r in state.store.list_pending_consent_requests(&user.id, state.clock.now_ms()).await? {
        let actor = r.actor_id.as_deref().unwrap_or(&r.client_id);
        requests.push(RequestRow {
            href: request_path(&r.id),
            agent: client_name(state, actor).await?,
            auth_server: server_name(state, &r.auth_server_id).await?,
            scopes: join(&r.scopes),
            expires: iso8601(r.expires),
            id: r.id,
        });
    }
    let (csrf, cookie) = csrf::token_for_form(state, headers);
    let page = MePage {
        csrf: &csrf,
        login: user.profile.login(),
        name: user.profile.display_name(),
        grants,
        requests,
        approvals_href: LIST_PATH,
        flash,
    };
    let mut response = match page.render() {
        Ok(body) => super::console::html(StatusCode::OK, body),
        Err(e) => {
            tracing::error!(error = %e, "me page rendering failed");
            return Ok(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
    };
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

async fn show(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let flash = match cookies::get(&headers, "baton_me_flash").as_deref() {
        Some("revoked") => Some("Consent revoked."),
        _ => None,
    };
    let result = match signed_in(&state, &headers).await {
        Ok(Some((_, user))) => page(&state, &headers, &user, flash).await,
        Ok(None) => return redirect(&format!("{}{LOGIN_PATH}", state.base())),
        Err(e) => Err(e),
    };
    match result {
        Ok(mut response) => {
            if flash.is_some() {
                let clear = cookies::clear(&state, "baton_me_flash", cookies::SameSite::Strict);
                response.headers_mut().append(header::SET_COOKIE, clear);
            }
            response
        }
        Err(e) => internal(&e),
    }
}

/// The CSRF-checked form and the signed-in user, or the response to give (403 without the
/// token, 401 page without a session).
async fn prelude(
    state: &AppState,
    headers: &HeaderMap,
    form: Result<Params, OAuthError>,
) -> Result<(Session, User), Response> {
    csrf::checked_form(state, headers, form)?;
    match signed_in(state, headers).await {
        Ok(Some(pair)) => Ok(pair),
        Ok(None) => Err(pages::error_status(StatusCode::UNAUTHORIZED, "login_required", "Sign in first.")),
        Err(e) => Err(internal(&e)),
    }
}

fn see_other(state: &AppState, path: &str) -> Response {
    let mut response = redirect(&format!("{}{path}", state.base()));
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
}

async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ctx: RequestContext,
    headers: HeaderMap,
    form: Result<Params, OAuthError>,
) -> Response {
    let (session, user) = match prelude(&state, &headers, form).await {
        Ok(pair) => pair,
        Err(response) => return response,
    };
    let grant = match state.store.find_consent_grant(&user.id, &id).await {
        Ok(Some(g)) => g,
        Ok(None) => {
            return pages::error_status(StatusCode::NOT_FOUND, "not_found", "You have no consent grant with this id.")
        }
        Err(e) => return internal(&e),
    };
    let now = state.clock.now_ms();
    let issuer = state.custom_issuer(&grant.auth_server_id);
    let event = crate::audit::Event::new("app.oauth2.as.consent.revoke", "Revoke consent grant", user_actor(&user))
        .target(user_actor(&user))
        .target(Target::new(&grant.auth_server_id, "AuthorizationServer", &issuer, &grant.auth_server_id))
        .client(&grant.client_id)
        .session(&session.id)
        .debug("scopes", grant.scope_name.clone())
        .debug("grantId", grant.id.clone())
        .debug("source", "END_USER")
        .build(&ctx.0, now);
    match state.store.revoke_consent_grant(&user.id, &grant.id, &[event]).await {
        Ok(_) => {
            let mut response = see_other(&state, ME_PATH);
            let flash = cookies::set(&state, "baton_me_flash", "revoked", cookies::SameSite::Strict);
            response.headers_mut().append(header::SET_COOKIE, flash);
            response
        }
        Err(e) => internal(&e),
    }
}

async fn end_all(
    State(state): State<AppState>,
    ctx: RequestContext,
    headers: HeaderMap,
    form: Result<Params, OAuthError>,
) -> Response {
    let (session, user) = match prelude(&state, &headers, form).await {
        Ok(pair) => pair,
        Err(response) => return response,
    };
    let now = state.clock.now_ms();
    let event = session_end(Some(&user), &user.id, &session.id, "everywhere").build(&ctx.0, now);
    match state.store.end_user_sessions(&user.id, now, &[event]).await {
        Ok(n) => {
            let message = format!("Signed out everywhere: {n} session(s) ended.");
            let mut response = pages::message("Signed out everywhere", &message);
            let clear = cookies::clear(&state, SESSION_COOKIE, cookies::SameSite::Lax);
            response.headers_mut().append(header::SET_COOKIE, clear);
            response
        }
        Err(e) => internal(&e),
    }
}
