//! Client secrets (okta-surface.md §11.3): `GET|POST /credentials/secrets`,
//! `POST …/{secretId}/lifecycle/{activate,deactivate}`, `DELETE …/{secretId}` (INACTIVE only).
//! Any ACTIVE secret authenticates; the plain secret is shown once, in the create response.
//! An app holds at most two secrets (as Okta), and an app that authenticates with a secret
//! keeps at least one ACTIVE. Changes are logged as `application.lifecycle.update` with
//! `debugData.credentialChange` (`client_secret.create`, `.activate`, `.deactivate`, `.delete`).

use super::super::auth::{Admin, Audit};
use super::super::body::{wrong_status, ApiJson, Validation};
use super::super::routes::ApiRoutes;
use super::settings::uses_secret;
use super::{find, target, view};
use crate::domain::ids::{hash_secret, new_id, new_secret, Prefix};
use crate::domain::{App, AppStatus, ClientSecret, TextEnum};
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

const BASE: &str = "/api/v1/apps/{appId}/credentials/secrets";
const MAX_SECRETS: usize = 2;

#[must_use]
pub(super) fn routes(r: ApiRoutes) -> ApiRoutes {
    r.get(BASE, "List an app's client secrets", list)
        .post(BASE, "Add a client secret", 200, create)
        .get(&format!("{BASE}/{{secretId}}"), "Get a client secret", get_secret)
        .delete(&format!("{BASE}/{{secretId}}"), "Delete an INACTIVE client secret", 204, delete)
        .post(&format!("{BASE}/{{secretId}}/lifecycle/activate"), "Activate a client secret", 200, activate)
        .post(&format!("{BASE}/{{secretId}}/lifecycle/deactivate"), "Deactivate a client secret", 200, deactivate)
}

fn event(admin: &impl Audit, app: &App, change: &str, secret_id: &str, now: i64) -> crate::domain::LogRecord {
    let ev = admin
        .event("application.lifecycle.update", "Update application")
        .target(target(app))
        .debug("credentialChange", format!("client_secret.{change}"))
        .debug("secretId", secret_id);
    admin.record(ev, now)
}

async fn find_secret(state: &AppState, app: &App, id: &str) -> Result<ClientSecret, OktaError> {
    let secrets = state.store.list_client_secrets(&app.id).await?;
    secrets.into_iter().find(|s| s.id == id).ok_or_else(|| OktaError::not_found(id, "ClientSecret"))
}

async fn list(
    State(state): State<AppState>,
    _admin: Admin,
    Path(app_id): Path<String>,
) -> Result<Json<Value>, OktaError> {
    let app = find(&state, &app_id).await?;
    let secrets = state.store.list_client_secrets(&app.id).await?;
    Ok(Json(Value::Array(secrets.iter().map(|s| view::secret(&state, s, None)).collect())))
}

async fn get_secret(
    State(state): State<AppState>,
    _admin: Admin,
    Path((app_id, secret_id)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let app = find(&state, &app_id).await?;
    let secret = find_secret(&state, &app, &secret_id).await?;
    Ok(Json(view::secret(&state, &secret, None)))
}

/// Body (optional): `{"client_secret": "…", "status": "ACTIVE" | "INACTIVE"}`; without a
/// `client_secret` a 256-bit random one is generated.
async fn create(
    State(state): State<AppState>,
    admin: Admin,
    Path(app_id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, OktaError> {
    let (secret, plain) = create_secret(&state, &admin, &app_id, &body).await?;
    Ok(Json(view::secret(&state, &secret, Some(&plain))))
}

/// Adds a client secret to app `app_id` as `body` (the API's JSON shape) asks; returns it with
/// its plain value (shown once).
pub(crate) async fn create_secret(
    state: &AppState,
    admin: &impl Audit,
    app_id: &str,
    body: &Value,
) -> Result<(ClientSecret, String), OktaError> {
    let app = find(state, app_id).await?;
    let mut v = Validation::default();
    let plain = match body.get("client_secret").filter(|s| !s.is_null()) {
        None => new_secret(),
        Some(Value::String(s)) if (14..=100).contains(&s.len()) && s.chars().all(|c| c.is_ascii_graphic()) => s.clone(),
        Some(_) => {
            v.error("client_secret", "must be 14 to 100 visible ASCII characters");
            String::new()
        }
    };
    let status = match body.get("status").filter(|s| !s.is_null()) {
        None => AppStatus::Active,
        Some(s) => s.as_str().and_then(AppStatus::parse).unwrap_or_else(|| {
            v.error("status", "must be ACTIVE or INACTIVE");
            AppStatus::Active
        }),
    };
    v.check(
        uses_secret(app.token_endpoint_auth_method),
        "client_secret",
        &format!("not used by token_endpoint_auth_method {}", app.token_endpoint_auth_method.as_str()),
    );
    let existing = state.store.list_client_secrets(&app.id).await?;
    v.check(existing.len() < MAX_SECRETS, "client_secret", "an app can have at most two client secrets");
    v.finish()?;
    let now = state.clock.now_ms();
    let secret = ClientSecret {
        id: new_id(Prefix::ClientSecret),
        app_id: app.id.clone(),
        secret_hash: hash_secret(&plain),
        status,
        created: now,
        last_updated: now,
    };
    state.store.create_client_secret(&secret, &[event(admin, &app, "create", &secret.id, now)]).await?;
    Ok((secret, plain))
}

/// Sets the status of a client secret; already there → no write, no event.
pub(crate) async fn set_status(
    state: &AppState,
    admin: &impl Audit,
    app_id: &str,
    secret_id: &str,
    to: AppStatus,
) -> Result<ClientSecret, OktaError> {
    let app = find(state, app_id).await?;
    let mut secret = find_secret(state, &app, secret_id).await?;
    if secret.status == to {
        return Ok(secret);
    }
    if to == AppStatus::Inactive && uses_secret(app.token_endpoint_auth_method) {
        let secrets = state.store.list_client_secrets(&app.id).await?;
        let others = secrets.iter().filter(|s| s.status == AppStatus::Active && s.id != secret.id).count();
        if others == 0 {
            return Err(Validation::one("client_secret", "the app's only ACTIVE client secret cannot be deactivated"));
        }
    }
    let now = state.clock.now_ms();
    let change = if to == AppStatus::Active { "activate" } else { "deactivate" };
    state
        .store
        .update_client_secret_status(&secret.id, to, now, &[event(admin, &app, change, &secret.id, now)])
        .await?;
    secret.status = to;
    secret.last_updated = now;
    Ok(secret)
}

async fn activate(
    State(state): State<AppState>,
    admin: Admin,
    Path((app_id, secret_id)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let s = set_status(&state, &admin, &app_id, &secret_id, AppStatus::Active).await?;
    Ok(Json(view::secret(&state, &s, None)))
}

async fn deactivate(
    State(state): State<AppState>,
    admin: Admin,
    Path((app_id, secret_id)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let s = set_status(&state, &admin, &app_id, &secret_id, AppStatus::Inactive).await?;
    Ok(Json(view::secret(&state, &s, None)))
}

/// An ACTIVE secret is 403 `E0000038`: deactivate it first.
async fn delete(
    State(state): State<AppState>,
    admin: Admin,
    Path((app_id, secret_id)): Path<(String, String)>,
) -> Result<Response, OktaError> {
    delete_secret(&state, &admin, &app_id, &secret_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Deletes an INACTIVE client secret; an ACTIVE one is 403 `E0000038`.
pub(crate) async fn delete_secret(
    state: &AppState,
    admin: &impl Audit,
    app_id: &str,
    secret_id: &str,
) -> Result<(), OktaError> {
    let app = find(state, app_id).await?;
    let secret = find_secret(state, &app, secret_id).await?;
    if secret.status == AppStatus::Active {
        return Err(wrong_status());
    }
    let now = state.clock.now_ms();
    state.store.delete_client_secret(&secret.id, &[event(admin, &app, "delete", &secret.id, now)]).await?;
    Ok(())
}
