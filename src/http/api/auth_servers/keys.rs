//! Signing keys of a custom AS: the public JWKs with their status, and `keyRotate` (NEXT →
//! ACTIVE, ACTIVE → EXPIRED, a new NEXT), the rotation `baton keys rotate` does. Tokens are
//! signed with whatever key the store holds as ACTIVE, so the new key signs at once.

use super::{load_server, server_target, views, BASE};
use crate::domain::{SigningKey, SigningKeyStatus};
use crate::http::api::auth::Admin;
use crate::http::api::body::{ApiJson, Validation};
use crate::http::api::routes::ApiRoutes;
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

pub(super) fn routes(r: ApiRoutes) -> ApiRoutes {
    let keys = format!("{BASE}/{{authServerId}}/credentials/keys");
    r.get(&keys, "List all credential keys", list_keys)
        .get(&format!("{keys}/{{keyId}}"), "Retrieve a credential key", get_key)
        .post(
            &format!("{BASE}/{{authServerId}}/credentials/lifecycle/keyRotate"),
            "Rotate all credential keys",
            200,
            rotate,
        )
}

/// ACTIVE, NEXT, then EXPIRED (newest first).
fn ordered(mut keys: Vec<SigningKey>) -> Vec<SigningKey> {
    let rank = |k: &SigningKey| match k.status {
        SigningKeyStatus::Active => 0,
        SigningKeyStatus::Next => 1,
        SigningKeyStatus::Expired => 2,
    };
    keys.sort_by_key(|k| rank(k));
    keys
}

async fn key_list(state: &AppState, server_id: &str) -> Result<Json<Value>, OktaError> {
    let keys = ordered(state.store.list_signing_keys(server_id).await?);
    Ok(Json(Value::Array(keys.iter().map(|k| views::key(state, server_id, k)).collect())))
}

async fn list_keys(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, OktaError> {
    let server = load_server(&state, &id).await?;
    key_list(&state, &server.id).await
}

async fn get_key(
    State(state): State<AppState>,
    _admin: Admin,
    Path((id, kid)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let server = load_server(&state, &id).await?;
    let keys = state.store.list_signing_keys(&server.id).await?;
    let key = keys.iter().find(|k| k.kid == kid).ok_or_else(|| OktaError::not_found(&kid, "JsonWebKey"))?;
    Ok(Json(views::key(&state, &server.id, key)))
}

#[derive(Deserialize)]
struct RotateBody {
    #[serde(rename = "use")]
    key_use: Option<String>,
}

async fn rotate(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RotateBody>,
) -> Result<Json<Value>, OktaError> {
    let server = load_server(&state, &id).await?;
    let mut v = Validation::default();
    v.require(body.key_use.as_ref(), "use");
    v.check(body.key_use.as_deref().is_none_or(|u| u == "sig"), "use", "must be sig");
    v.finish()?;
    let now = state.clock.now_ms();
    let event = admin
        .event("oauth2.as.key.rollover", "Authorization server key rollover")
        .target(server_target(&state, &server));
    state.keys.rotate(state.store.as_ref(), &server.id, server.signing_alg, now, &[admin.record(event, now)]).await?;
    key_list(&state, &server.id).await
}
