//! `/api/v1/users/{userId}/grants` (okta-surface.md §11.5): a user's consent grants, one per
//! (client, authorization server, scope); list, get, revoke one, revoke all. Each revoked
//! grant logs `app.oauth2.as.consent.revoke` in the same store call.

use super::auth::Admin;
use super::paging::href;
use super::routes::ApiRoutes;
use super::users::resolve;
use super::users::views::user_target;
use crate::audit::Target;
use crate::clock::iso8601;
use crate::domain::{ConsentGrant, LogRecord, User};
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

#[must_use]
pub fn routes(r: ApiRoutes) -> ApiRoutes {
    r.get("/api/v1/users/{userId}/grants", "List a user's consent grants", list)
        .delete("/api/v1/users/{userId}/grants", "Revoke all of a user's consent grants", 204, revoke_all)
        .get("/api/v1/users/{userId}/grants/{grantId}", "Get a consent grant", get_grant)
        .delete("/api/v1/users/{userId}/grants/{grantId}", "Revoke a consent grant", 204, revoke_one)
}

/// The grant's `scopeId`: the scope of that name on the grant's AS now, else the id recorded
/// when consent was given (the scope may have been deleted since).
async fn scope_id(state: &AppState, grant: &ConsentGrant) -> Result<String, OktaError> {
    let scopes = state.store.list_scopes(&grant.auth_server_id).await?;
    Ok(scopes.into_iter().find(|s| s.name == grant.scope_name).map_or_else(|| grant.scope_id.clone(), |s| s.id))
}

async fn view(state: &AppState, grant: &ConsentGrant) -> Result<Value, OktaError> {
    let url = format!("{}/api/v1/users/{}/grants/{}", state.base(), grant.user_id, grant.id);
    Ok(json!({
        "id": grant.id,
        "status": "ACTIVE",
        "created": iso8601(grant.created),
        "createdBy": {"id": grant.user_id, "type": "User"},
        "lastUpdated": iso8601(grant.last_updated),
        "issuer": state.custom_issuer(&grant.auth_server_id),
        "clientId": grant.client_id,
        "userId": grant.user_id,
        "scopeId": scope_id(state, grant).await?,
        "source": grant.source,
        "_links": {"self": href(url)},
    }))
}

async fn list(State(state): State<AppState>, _admin: Admin, Path(key): Path<String>) -> Result<Json<Value>, OktaError> {
    let user = resolve(&state, &key).await?;
    let mut out = Vec::new();
    for grant in state.store.list_consent_grants(&user.id).await? {
        out.push(view(&state, &grant).await?);
    }
    Ok(Json(Value::Array(out)))
}

async fn find(state: &AppState, user: &User, id: &str) -> Result<ConsentGrant, OktaError> {
    state
        .store
        .find_consent_grant(&user.id, id)
        .await?
        .ok_or_else(|| OktaError::not_found(id, "OAuth2ScopeConsentGrant"))
}

async fn get_grant(
    State(state): State<AppState>,
    _admin: Admin,
    Path((key, id)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let user = resolve(&state, &key).await?;
    let grant = find(&state, &user, &id).await?;
    Ok(Json(view(&state, &grant).await?))
}

fn revoke_event(state: &AppState, admin: &Admin, user: &User, grant: &ConsentGrant, now: i64) -> LogRecord {
    let issuer = state.custom_issuer(&grant.auth_server_id);
    let event = admin
        .event("app.oauth2.as.consent.revoke", "Revoke consent grant")
        .target(user_target(user))
        .target(Target::new(&grant.auth_server_id, "AuthorizationServer", &issuer, &grant.auth_server_id))
        .client(&grant.client_id)
        .debug("scopes", grant.scope_name.clone())
        .debug("grantId", grant.id.clone());
    admin.record(event, now)
}

async fn revoke_one(
    State(state): State<AppState>,
    admin: Admin,
    Path((key, id)): Path<(String, String)>,
) -> Result<StatusCode, OktaError> {
    let user = resolve(&state, &key).await?;
    let grant = find(&state, &user, &id).await?;
    let now = state.clock.now_ms();
    let event = revoke_event(&state, &admin, &user, &grant, now);
    if !state.store.revoke_consent_grant(&user.id, &grant.id, &[event]).await? {
        return Err(OktaError::not_found(&id, "OAuth2ScopeConsentGrant"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes every grant of the user, one event per grant, in one store call.
async fn revoke_all(
    State(state): State<AppState>,
    admin: Admin,
    Path(key): Path<String>,
) -> Result<StatusCode, OktaError> {
    let user = resolve(&state, &key).await?;
    let grants = state.store.list_consent_grants(&user.id).await?;
    if grants.is_empty() {
        return Ok(StatusCode::NO_CONTENT);
    }
    let now = state.clock.now_ms();
    let events: Vec<LogRecord> = grants.iter().map(|g| revoke_event(&state, &admin, &user, g, now)).collect();
    state.store.revoke_user_consent_grants(&user.id, &events).await?;
    Ok(StatusCode::NO_CONTENT)
}
