//! Metadata and JWKS routes for the org AS and every custom AS (okta-surface.md §2), including
//! the RFC 8414 §3 form `/.well-known/oauth-authorization-server/oauth2/{as}`.

use super::error::OktaError;
use super::extract::AsId;
use crate::domain::{AuthServer, Status, TextEnum};
use crate::jose::jwks;
use crate::oauth::discovery::{document, Document, Kind, ORG_SCOPES};
use crate::oauth::token::registry::served_at;
use crate::oauth::SERVED;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/openid-configuration", get(openid))
        .route("/.well-known/oauth-authorization-server", get(oauth))
        .route("/oauth2/{as}/.well-known/openid-configuration", get(openid))
        .route("/oauth2/{as}/.well-known/oauth-authorization-server", get(oauth))
        .route("/.well-known/oauth-authorization-server/oauth2/{as}", get(oauth))
        .route("/oauth2/v1/keys", get(keys))
        .route("/oauth2/{as}/v1/keys", get(keys))
}

#[derive(Debug, Deserialize)]
struct ClientQuery {
    client_id: Option<String>,
}

/// The custom AS `id` if it exists and is ACTIVE; otherwise 404 `E0000007` (an INACTIVE
/// server behaves as absent).
pub async fn active_server(state: &AppState, id: &str) -> Result<AuthServer, OktaError> {
    match state.store.find_auth_server(id).await? {
        Some(server) if server.status == Status::Active => Ok(server),
        _ => Err(OktaError::not_found(id, "AuthorizationServer")),
    }
}

/// `?client_id=` must name a known app or agent (Okta uses it to pick an issuer format).
async fn check_client(state: &AppState, query: &ClientQuery) -> Result<(), OktaError> {
    let Some(client_id) = query.client_id.as_deref().filter(|c| !c.is_empty()) else { return Ok(()) };
    let known = state.store.find_app_by_client_id(client_id).await?.is_some()
        || state.store.find_agent(client_id).await?.is_some();
    if known {
        Ok(())
    } else {
        Err(OktaError::new(StatusCode::BAD_REQUEST, "invalid_client", "Invalid value for `client_id` parameter"))
    }
}

async fn org_document(state: &AppState, query: &ClientQuery, doc: Document) -> Result<Json<Value>, OktaError> {
    check_client(state, query).await?;
    let scopes: Vec<String> = ORG_SCOPES.iter().map(|s| (*s).to_owned()).collect();
    Ok(Json(document(Kind::Org, doc, state.base(), &scopes, "RS256", &SERVED, &served_at(Kind::Org))))
}

async fn custom_document(
    state: &AppState,
    id: &str,
    query: &ClientQuery,
    doc: Document,
) -> Result<Json<Value>, OktaError> {
    let server = active_server(state, id).await?;
    check_client(state, query).await?;
    let scopes: Vec<String> = state
        .store
        .list_scopes(&server.id)
        .await?
        .into_iter()
        .filter(|s| s.metadata_publish == "ALL_CLIENTS")
        .map(|s| s.name)
        .collect();
    let issuer = state.custom_issuer(&server.id);
    Ok(Json(document(
        Kind::Custom,
        doc,
        &issuer,
        &scopes,
        server.signing_alg.as_str(),
        &SERVED,
        &served_at(Kind::Custom),
    )))
}

async fn openid(
    State(state): State<AppState>,
    AsId(id): AsId,
    Query(q): Query<ClientQuery>,
) -> Result<Json<Value>, OktaError> {
    metadata(&state, id.as_deref(), &q, Document::OpenId).await
}

async fn oauth(
    State(state): State<AppState>,
    AsId(id): AsId,
    Query(q): Query<ClientQuery>,
) -> Result<Json<Value>, OktaError> {
    metadata(&state, id.as_deref(), &q, Document::OAuth).await
}

async fn metadata(
    state: &AppState,
    id: Option<&str>,
    q: &ClientQuery,
    doc: Document,
) -> Result<Json<Value>, OktaError> {
    match id {
        None => org_document(state, q, doc).await,
        Some(id) => custom_document(state, id, q, doc).await,
    }
}

async fn keys_response(state: &AppState, owner_id: &str, rotation_mode: &str) -> Result<Response, OktaError> {
    let keys = state.store.list_signing_keys(owner_id).await?;
    let now = state.clock.now_ms();
    let max_age = jwks::max_age_seconds(&keys, rotation_mode, now);
    let mut response = Json(jwks::document(&keys, now)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("max-age={max_age}, must-revalidate")) {
        response.headers_mut().insert(header::CACHE_CONTROL, v);
    }
    Ok(response)
}

async fn keys(State(state): State<AppState>, AsId(id): AsId) -> Result<Response, OktaError> {
    match id {
        None => keys_response(&state, &state.org.id, "AUTO").await,
        Some(id) => {
            let server = active_server(&state, &id).await?;
            keys_response(&state, &server.id, &server.rotation_mode).await
        }
    }
}
