//! Brokered consent pages (xaa.md §5): `GET /consent/requests/{id}` (the `consent_uri` of a
//! token exchange) signs the user in if needed and shows who asks for what; `POST` on it
//! approves or denies a PENDING request; `POST …/revoke` withdraws an approval (later exchanges
//! ask again). Only the request's user may see or decide it (others get 403); an unknown id,
//! or a pending or denied request past its expiry, is 404. Both forms need the CSRF token.
//! `GET /consent/requests` lists the signed-in user's approvals ("approvals are listed and
//! revocable"), each with a Revoke form whose hidden `return=list` brings the browser back to
//! the list (303) instead of a message page.
//!
//! Events, each written in the same store call as the change: approving logs
//! `app.oauth2.as.consent.grant` (SUCCESS); denying logs the same type with outcome FAILURE,
//! reason `access_denied` and `debugData.error` = `consent_denied` (Okta has no separate deny
//! event type, okta-surface.md §14); revoking logs `app.oauth2.as.consent.revoke`.

use super::context::RequestContext;
use super::form::Params;
use super::interaction::{current_session, redirect};
use super::{csrf, login, pages};
use crate::audit::{Event, Target};
use crate::authn::events::user_actor;
use crate::clock::iso8601;
use crate::domain::{ConsentRequest, ConsentRequestStatus, Session, TextEnum, User};
use crate::oauth::authorize::{ConsentScope, PageError};
use crate::oauth::client::Client;
use crate::oauth::error::OAuthError;
use crate::oauth::token::token_exchange::consent::{request_path, well_formed_id, LIST_MARKER, LIST_PATH};
use crate::policy::join;
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(LIST_PATH, get(list))
        .route("/consent/requests/{id}", get(show).post(decide))
        .route("/consent/requests/{id}/revoke", post(revoke))
}

fn not_found() -> Response {
    pages::error_status(
        StatusCode::NOT_FOUND,
        "not_found",
        "This consent request does not exist or has expired. Ask the agent to try again.",
    )
}

fn forbidden() -> Response {
    pages::error_status(
        StatusCode::FORBIDDEN,
        "access_denied",
        "This consent request belongs to another user. Only that user may see or decide it.",
    )
}

fn conflict(description: &str) -> Response {
    pages::error_status(StatusCode::CONFLICT, "invalid_request", description)
}

/// The id of the path; one that is not valid UTF-8 is unknown (404), not a bare 400.
fn id_of(path: Result<Path<String>, PathRejection>) -> String {
    path.map(|Path(id)| id).unwrap_or_default()
}

/// The request, if it exists and is still visible: a pending or denied request only until it
/// expires; approvals and revocations always.
async fn find(state: &AppState, id: &str) -> Result<Option<ConsentRequest>, Response> {
    if !well_formed_id(id) {
        return Ok(None);
    }
    let found = state.store.find_consent_request(id).await.map_err(|e| pages::error(&PageError::store(&e)))?;
    let now = state.clock.now_ms();
    Ok(found.filter(|r| match r.status {
        ConsentRequestStatus::Pending | ConsentRequestStatus::Denied => r.expires > now,
        ConsentRequestStatus::Approved | ConsentRequestStatus::Revoked => true,
    }))
}

/// The signed-in request owner, or the response to give instead (`None` = not signed in).
async fn owner(
    state: &AppState,
    headers: &HeaderMap,
    request: &ConsentRequest,
) -> Result<Option<(Session, User)>, Response> {
    let internal = |e: &crate::store::StoreError| pages::error(&PageError::store(e));
    let Some(session) = current_session(state, headers).await.map_err(|e| internal(&e))? else { return Ok(None) };
    if session.user_id != request.user_id {
        return Err(forbidden());
    }
    match state.store.find_user(&session.user_id).await.map_err(|e| internal(&e))? {
        Some(user) => Ok(Some((session, user))),
        None => Err(forbidden()),
    }
}

async fn show(State(state): State<AppState>, id: Result<Path<String>, PathRejection>, headers: HeaderMap) -> Response {
    let id = id_of(id);
    let request = match find(&state, &id).await {
        Ok(Some(r)) => r,
        Ok(None) => return not_found(),
        Err(response) => return response,
    };
    let user = match owner(&state, &headers, &request).await {
        Ok(Some((_, user))) => user,
        Ok(None) => return login::standalone_page(&state, &headers, Some(&request.id), "", None),
        Err(response) => return response,
    };
    match render(&state, &headers, &request, &user).await {
        Ok(response) => response,
        Err(e) => pages::error(&PageError::store(&e)),
    }
}

async fn name_of(state: &AppState, client_id: &str) -> Result<String, crate::store::StoreError> {
    Ok(Client::find(state.store.as_ref(), client_id)
        .await?
        .map_or_else(|| client_id.to_owned(), |c| format!("{} ({})", c.display_name(), c.client_id())))
}

/// Who asks for what in `request`: A (and X when it differs), C, the audience AS, the scopes.
struct Parties {
    agent: String,
    client: Option<String>,
    subject_client: String,
    auth_server: String,
    issuer: String,
    scopes: Vec<ConsentScope>,
}

async fn describe(state: &AppState, request: &ConsentRequest) -> Result<Parties, crate::store::StoreError> {
    let store = state.store.as_ref();
    let actor_id = request.actor_id.as_deref().unwrap_or(&request.client_id);
    let agent = name_of(state, actor_id).await?;
    let client = if actor_id == request.client_id { None } else { Some(name_of(state, &request.client_id).await?) };
    let subject_client = match request.subject_client_id.as_deref() {
        Some(c) => name_of(state, c).await?,
        None => "unknown".to_owned(),
    };
    let server = store.find_auth_server(&request.auth_server_id).await?;
    let auth_server = server.as_ref().map_or_else(|| request.auth_server_id.clone(), |s| s.name.clone());
    let issuer = state.custom_issuer(&request.auth_server_id);
    let defined = store.list_scopes(&request.auth_server_id).await?;
    let scopes = request
        .scopes
        .iter()
        .map(|name| {
            let scope = defined.iter().find(|s| &s.name == name);
            ConsentScope {
                name: name.clone(),
                display_name: scope.and_then(|s| s.display_name.clone()).unwrap_or_else(|| name.clone()),
                description: scope.and_then(|s| s.description.clone()),
            }
        })
        .collect();
    Ok(Parties { agent, client, subject_client, auth_server, issuer, scopes })
}

/// `response` with the CSRF cookie, if a new one was minted.
fn with_cookie(mut response: Response, cookie: Option<axum::http::HeaderValue>) -> Response {
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    request: &ConsentRequest,
    user: &User,
) -> Result<Response, crate::store::StoreError> {
    let p = describe(state, request).await?;
    let (csrf, cookie) = csrf::token_for_form(state, headers);
    let action = format!("{}{}", state.base(), request_path(&request.id));
    let revoke_action = format!("{action}/revoke");
    let list = format!("{}{LIST_PATH}", state.base());
    let page = pages::ConsentRequestPage {
        action: &action,
        revoke_action: &revoke_action,
        csrf: &csrf,
        status: request.status.as_str(),
        agent: &p.agent,
        client: p.client.as_deref(),
        subject_client: &p.subject_client,
        auth_server: &p.auth_server,
        issuer: &p.issuer,
        user: user.profile.login(),
        scopes: &p.scopes,
        list: &list,
    };
    Ok(with_cookie(pages::consent_request(&page), cookie))
}

/// `GET /consent/requests`: the signed-in user's approvals (signing in first if needed).
async fn list(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match list_page(&state, &headers).await {
        Ok(response) => response,
        Err(e) => pages::error(&PageError::store(&e)),
    }
}

async fn list_page(state: &AppState, headers: &HeaderMap) -> Result<Response, crate::store::StoreError> {
    let session = current_session(state, headers).await?;
    let user = match session {
        Some(session) => state.store.find_user(&session.user_id).await?,
        None => None,
    };
    let Some(user) = user else { return Ok(login::standalone_page(state, headers, Some(LIST_MARKER), "", None)) };
    let mut approvals = Vec::new();
    for request in state.store.list_consent_approvals(&user.id).await? {
        let p = describe(state, &request).await?;
        approvals.push(pages::ApprovalRow {
            revoke_action: format!("{}{}/revoke", state.base(), request_path(&request.id)),
            agent: p.agent,
            client: p.client,
            subject_client: p.subject_client,
            auth_server: p.auth_server,
            issuer: p.issuer,
            scopes: p.scopes,
            approved: iso8601(request.decided.unwrap_or(request.created)),
        });
    }
    let (csrf, cookie) = csrf::token_for_form(state, headers);
    let page = pages::ConsentApprovalsPage { csrf: &csrf, user: user.profile.login(), approvals: &approvals };
    Ok(with_cookie(pages::consent_approvals(&page), cookie))
}

/// 303 to the list of approvals (after a revocation from it).
fn back_to_list(state: &AppState) -> Response {
    let mut response = redirect(&format!("{}{LIST_PATH}", state.base()));
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
}

/// What every POST checks first: the form, its CSRF token, the request, its owner. `Err` is
/// the response to give; a browser without a session is sent to the page (which signs in).
async fn post_prelude(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    form: Result<Params, OAuthError>,
) -> Result<(Params, ConsentRequest, Session, User), Response> {
    let form = csrf::checked_form(state, headers, form)?;
    let Some(request) = find(state, id).await? else { return Err(not_found()) };
    match owner(state, headers, &request).await? {
        Some((session, user)) => Ok((form, request, session, user)),
        None => Err(redirect(&format!("{}{}", state.base(), request_path(&request.id)))),
    }
}

/// An event about `request` by its user: targets the user, the audience AS and X.
async fn event(
    state: &AppState,
    kind: &str,
    message: &str,
    request: &ConsentRequest,
    user: &User,
    session: &Session,
) -> Result<Event, Response> {
    let store = state.store.as_ref();
    let internal = |e: crate::store::StoreError| pages::error(&PageError::store(&e));
    let issuer = state.custom_issuer(&request.auth_server_id);
    let as_name = store
        .find_auth_server(&request.auth_server_id)
        .await
        .map_err(internal)?
        .map_or_else(|| "unknown".into(), |s| s.name);
    let x = Client::find(store, &request.client_id).await.map_err(internal)?.map_or_else(
        || Target::new(&request.client_id, "AIAgent", &request.client_id, &request.client_id),
        |c| c.actor(),
    );
    let mut e = Event::new(kind, message, user_actor(user))
        .target(user_actor(user))
        .target(Target::new(&request.auth_server_id, "AuthorizationServer", &issuer, &as_name))
        .target(x)
        .client(&request.client_id)
        .session(&session.id)
        .debug("consent_request_id", request.id.clone())
        .debug("authorization_server", request.auth_server_id.clone())
        .debug("resource_connection_id", request.connection_id.clone())
        .debug("scopes", join(&request.scopes))
        .debug("source", "END_USER");
    if let Some(a) = &request.actor_id {
        e = e.debug("actor", a.clone());
    }
    if let Some(c) = &request.subject_client_id {
        e = e.debug("subject_token_client_id", c.clone());
    }
    Ok(e)
}

async fn decide(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    ctx: RequestContext,
    headers: HeaderMap,
    form: Result<Params, OAuthError>,
) -> Response {
    let (form, request, session, user) = match post_prelude(&state, &headers, &id_of(id), form).await {
        Ok(parts) => parts,
        Err(response) => return response,
    };
    let approve = match form.get("decision") {
        Some("allow") => true,
        Some("deny") => false,
        _ => {
            let e =
                OAuthError::invalid_request("invalid_decision", "The consent form needs a decision: allow or deny.");
            return pages::error(&PageError::bad_request(&e));
        }
    };
    if request.status != ConsentRequestStatus::Pending {
        return conflict("This consent request has already been decided.");
    }
    let now = state.clock.now_ms();
    let event = match event(
        &state,
        "app.oauth2.as.consent.grant",
        "User granted consent to an AI agent",
        &request,
        &user,
        &session,
    )
    .await
    {
        Ok(e) => e,
        Err(page) => return page,
    };
    let (status, event) = if approve {
        (ConsentRequestStatus::Approved, event)
    } else {
        let e = event.debug("error", "consent_denied").debug("error_description", "The user denied the request.");
        (ConsentRequestStatus::Denied, e.failure("access_denied"))
    };
    let record = event.build(&ctx.0, now);
    match state.store.decide_consent_request(&request.id, status, now, &[record]).await {
        Ok(true) if approve => pages::message(
            "Access approved",
            "The agent may now act for you with these permissions. You can close this page.",
        ),
        Ok(true) => {
            pages::message("Access denied", "The agent will not be allowed to act for you. You can close this page.")
        }
        Ok(false) => conflict("This consent request has already been decided or has expired."),
        Err(e) => pages::error(&PageError::store(&e)),
    }
}

async fn revoke(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    ctx: RequestContext,
    headers: HeaderMap,
    form: Result<Params, OAuthError>,
) -> Response {
    let (form, request, session, user) = match post_prelude(&state, &headers, &id_of(id), form).await {
        Ok(parts) => parts,
        Err(response) => return response,
    };
    let to_list = form.get("return") == Some(LIST_MARKER);
    if request.status != ConsentRequestStatus::Approved {
        return conflict("Only an approved consent request can be revoked.");
    }
    let now = state.clock.now_ms();
    let event = match event(
        &state,
        "app.oauth2.as.consent.revoke",
        "User revoked consent of an AI agent",
        &request,
        &user,
        &session,
    )
    .await
    {
        Ok(e) => e,
        Err(page) => return page,
    };
    let record = event.build(&ctx.0, now);
    match state.store.revoke_consent_request(&user.id, &request.id, now, &[record]).await {
        Ok(true) if to_list => back_to_list(&state),
        Ok(true) => pages::message("Access revoked", "The agent must ask for your approval again."),
        Ok(false) => conflict("Only an approved consent request can be revoked."),
        Err(e) => pages::error(&PageError::store(&e)),
    }
}
