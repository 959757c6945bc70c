//! `/api/v1/api-tokens` (okta-surface.md §10): list, get, revoke by id and revoke the calling
//! token (`current`). Okta has no create endpoint; tokens come from `BATON_ADMIN_API_TOKEN`,
//! seed files and `baton api-tokens create`. A revoked token is deleted, so it then gets 401.

use super::auth::Admin;
use super::paging::href;
use super::routes::ApiRoutes;
use crate::audit::Target;
use crate::clock::iso8601;
use crate::domain::{ApiToken, LogRecord};
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

#[must_use]
pub fn routes(r: ApiRoutes) -> ApiRoutes {
    r.get("/api/v1/api-tokens", "List API tokens", list)
        .get("/api/v1/api-tokens/{apiTokenId}", "Get an API token", get_token)
        .delete("/api/v1/api-tokens/current", "Revoke the calling API token", 204, revoke_current)
        .delete("/api/v1/api-tokens/{apiTokenId}", "Revoke an API token", 204, revoke)
}

/// The Okta `ApiToken` object (never the token or its hash), plus `lastUsed`.
#[must_use]
pub fn view(base: &str, t: &ApiToken) -> Value {
    json!({
        "id": t.id,
        "name": t.name,
        "userId": t.user_id,
        "clientName": t.client_name,
        "created": iso8601(t.created),
        "lastUpdated": iso8601(t.last_updated),
        "expiresAt": t.expires.map(iso8601),
        "tokenWindow": t.token_window,
        "lastUsed": t.last_used.map(iso8601),
        "_links": {"self": href(format!("{base}/api/v1/api-tokens/{}", t.id))},
    })
}

/// The System Log target of a token.
#[must_use]
pub fn target(t: &ApiToken) -> Target {
    Target::new(&t.id, "Token", &t.name, &t.name)
}

async fn list(State(state): State<AppState>, _admin: Admin) -> Result<Json<Value>, OktaError> {
    let tokens = state.store.list_api_tokens().await?;
    Ok(Json(Value::Array(tokens.iter().map(|t| view(state.base(), t)).collect())))
}

async fn get_token(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, OktaError> {
    let token = state.store.find_api_token(&id).await?.ok_or_else(|| OktaError::not_found(&id, "ApiToken"))?;
    Ok(Json(view(state.base(), &token)))
}

fn revoke_event(admin: &Admin, token: &ApiToken, now: i64) -> LogRecord {
    admin.record(admin.event("system.api_token.revoke", "Revoke API token").target(target(token)), now)
}

async fn revoke(State(state): State<AppState>, admin: Admin, Path(id): Path<String>) -> Result<StatusCode, OktaError> {
    let token = state.store.find_api_token(&id).await?.ok_or_else(|| OktaError::not_found(&id, "ApiToken"))?;
    let now = state.clock.now_ms();
    if !state.store.revoke_api_token(&token.id, &[revoke_event(&admin, &token, now)]).await? {
        return Err(OktaError::not_found(&id, "ApiToken"));
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn revoke_current(State(state): State<AppState>, admin: Admin) -> Result<StatusCode, OktaError> {
    let now = state.clock.now_ms();
    let event = revoke_event(&admin, &admin.token, now);
    state.store.revoke_api_token(&admin.token.id, &[event]).await?;
    Ok(StatusCode::NO_CONTENT)
}
