//! Public keys for `private_key_jwt` (okta-surface.md §11.3): `GET|POST /credentials/jwks`,
//! `GET|DELETE …/jwks/{keyId}`, `POST …/jwks/{keyId}/lifecycle/{activate,deactivate}`. The key
//! id is its `kid` (the RFC 7638 thumbprint when the upload has none); only public keys are
//! accepted. An app using `private_key_jwt` keeps at least one ACTIVE key; only INACTIVE keys
//! are deleted. Changes are logged as `application.lifecycle.update` with
//! `debugData.credentialChange` (`jwk.create`, `.activate`, `.deactivate`, `.delete`).

use super::super::auth::Admin;
use super::super::body::{conflict, store_error, wrong_status, ApiJson, Validation};
use super::super::routes::ApiRoutes;
use super::settings::public_jwk;
use super::{find, target, view};
use crate::domain::{App, AuthMethod, ClientKey, ClientKeyStatus, LogRecord, TextEnum};
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

const BASE: &str = "/api/v1/apps/{appId}/credentials/jwks";
/// Okta's limit of keys per client.
const MAX_KEYS: usize = 50;

#[must_use]
pub(super) fn routes(r: ApiRoutes) -> ApiRoutes {
    r.get(BASE, "List an app's public keys", list)
        .post(BASE, "Add a public key", 200, create)
        .get(&format!("{BASE}/{{keyId}}"), "Get a public key", get_key)
        .delete(&format!("{BASE}/{{keyId}}"), "Delete an INACTIVE public key", 204, delete)
        .post(&format!("{BASE}/{{keyId}}/lifecycle/activate"), "Activate a public key", 200, activate)
        .post(&format!("{BASE}/{{keyId}}/lifecycle/deactivate"), "Deactivate a public key", 200, deactivate)
}

fn event(admin: &Admin, app: &App, change: &str, kid: &str, now: i64) -> LogRecord {
    let ev = admin
        .event("application.lifecycle.update", "Update application")
        .target(target(app))
        .debug("credentialChange", format!("jwk.{change}"))
        .debug("kid", kid);
    admin.record(ev, now)
}

async fn find_key(state: &AppState, app: &App, kid: &str) -> Result<ClientKey, OktaError> {
    let keys = state.store.list_client_keys(&app.id).await?;
    keys.into_iter().find(|k| k.kid == kid).ok_or_else(|| OktaError::not_found(kid, "JsonWebKey"))
}

async fn list(
    State(state): State<AppState>,
    _admin: Admin,
    Path(app_id): Path<String>,
) -> Result<Json<Value>, OktaError> {
    let app = find(&state, &app_id).await?;
    let keys = state.store.list_client_keys(&app.id).await?;
    Ok(Json(Value::Array(keys.iter().map(|k| view::key(&state, &app.id, k)).collect())))
}

async fn get_key(
    State(state): State<AppState>,
    _admin: Admin,
    Path((app_id, kid)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let app = find(&state, &app_id).await?;
    let key = find_key(&state, &app, &kid).await?;
    Ok(Json(view::key(&state, &app.id, &key)))
}

/// Body: a public JWK, optionally with `status` (`ACTIVE` default, or `INACTIVE`).
async fn create(
    State(state): State<AppState>,
    admin: Admin,
    Path(app_id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, OktaError> {
    let app = find(&state, &app_id).await?;
    let mut jwk = body;
    let status = match jwk.as_object_mut().and_then(|m| m.remove("status")).filter(|s| !s.is_null()) {
        None => ClientKeyStatus::Active,
        Some(s) => s
            .as_str()
            .and_then(ClientKeyStatus::parse)
            .ok_or_else(|| Validation::one("status", "must be ACTIVE or INACTIVE"))?,
    };
    let (kid, jwk) = public_jwk(&jwk).map_err(|(member, message)| Validation::one(member, &message))?;
    let existing = state.store.list_client_keys(&app.id).await?;
    if existing.iter().any(|k| k.kid == kid) {
        return Err(conflict("kid"));
    }
    if existing.len() >= MAX_KEYS {
        return Err(Validation::one("jwks", "an app can have at most 50 keys"));
    }
    let now = state.clock.now_ms();
    let key = ClientKey { client_id: app.id.clone(), kid, jwk, status, created: now, last_updated: now };
    state
        .store
        .create_client_key(&key, &[event(&admin, &app, "create", &key.kid, now)])
        .await
        .map_err(|e| store_error(e, "kid"))?;
    Ok(Json(view::key(&state, &app.id, &key)))
}

async fn set_status(
    state: &AppState,
    admin: &Admin,
    app_id: &str,
    kid: &str,
    to: ClientKeyStatus,
) -> Result<Json<Value>, OktaError> {
    let app = find(state, app_id).await?;
    let mut key = find_key(state, &app, kid).await?;
    if key.status == to {
        return Ok(Json(view::key(state, &app.id, &key)));
    }
    if to == ClientKeyStatus::Inactive && app.token_endpoint_auth_method == AuthMethod::PrivateKeyJwt {
        let keys = state.store.list_client_keys(&app.id).await?;
        if !keys.iter().any(|k| k.status == ClientKeyStatus::Active && k.kid != key.kid) {
            return Err(Validation::one("jwks", "the only ACTIVE key of a private_key_jwt app cannot be deactivated"));
        }
    }
    let now = state.clock.now_ms();
    let change = if to == ClientKeyStatus::Active { "activate" } else { "deactivate" };
    let events = [event(admin, &app, change, &key.kid, now)];
    state.store.update_client_key_status(&app.id, &key.kid, to, now, &events).await?;
    key.status = to;
    key.last_updated = now;
    Ok(Json(view::key(state, &app.id, &key)))
}

async fn activate(
    State(state): State<AppState>,
    admin: Admin,
    Path((app_id, kid)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    set_status(&state, &admin, &app_id, &kid, ClientKeyStatus::Active).await
}

async fn deactivate(
    State(state): State<AppState>,
    admin: Admin,
    Path((app_id, kid)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    set_status(&state, &admin, &app_id, &kid, ClientKeyStatus::Inactive).await
}

/// An ACTIVE key is 403 `E0000038`: deactivate it first.
async fn delete(
    State(state): State<AppState>,
    admin: Admin,
    Path((app_id, kid)): Path<(String, String)>,
) -> Result<Response, OktaError> {
    let app = find(&state, &app_id).await?;
    let key = find_key(&state, &app, &kid).await?;
    if key.status == ClientKeyStatus::Active {
        return Err(wrong_status());
    }
    let now = state.clock.now_ms();
    state.store.delete_client_key(&app.id, &key.kid, &[event(&admin, &app, "delete", &key.kid, now)]).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
