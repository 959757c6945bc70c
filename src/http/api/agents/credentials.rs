//! `/ai-agents/{id}/credentials/jwks[/{keyId}]` (okta-surface.md §13; xaa.md §3): the public
//! keys an agent signs its client assertions with. Public JWKs only (RSA of 2048 bits or more,
//! or EC P-256/384/521); `id` = `kid`, the RFC 7638 thumbprint when the upload has none. Only
//! INACTIVE keys can be deleted.

use super::{agent_or_404, agent_target, page_of, status_error, views, LIMIT_DEFAULT, LIMIT_MAX, PREFIX};
use crate::audit::Target;
use crate::domain::{Agent, ClientKey, ClientKeyStatus, TextEnum};
use crate::http::api::auth::{Admin, Audit};
use crate::http::api::body::{malformed, store_error, ApiJson, ApiQuery, Validation};
use crate::http::api::paging;
use crate::http::api::routes::ApiRoutes;
use crate::http::error::OktaError;
use crate::jose::keys::{jwk_from_value, public_members, thumbprint};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

#[must_use]
pub(crate) fn routes(r: ApiRoutes) -> ApiRoutes {
    let all = format!("{PREFIX}/ai-agents/{{id}}/credentials/jwks");
    let one = format!("{all}/{{keyId}}");
    r.get(&all, "List an AI agent's public keys", list)
        .post(&all, "Add a public key to an AI agent", 201, create)
        .get(&one, "Get an AI agent's public key", get_one)
        .delete(&one, "Delete an INACTIVE public key", 204, delete)
        .post(&format!("{one}/lifecycle/activate"), "Activate a public key", 200, activate)
        .post(&format!("{one}/lifecycle/deactivate"), "Deactivate a public key", 200, deactivate)
}

/// Members that only a private (or symmetric) key has.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

fn key_target(k: &ClientKey) -> Target {
    Target::new(&k.kid, "JsonWebKey", &k.kid, &k.kid)
}

async fn key_or_404(state: &AppState, agent: &Agent, kid: &str) -> Result<ClientKey, OktaError> {
    let keys = state.store.list_client_keys(&agent.id).await?;
    keys.into_iter().find(|k| k.kid == kid).ok_or_else(|| OktaError::not_found(kid, "JsonWebKey"))
}

async fn list(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
    query: ApiQuery,
    uri: Uri,
) -> Result<Response, OktaError> {
    let agent = agent_or_404(&state, &id).await?;
    let page = paging::page(&query, LIMIT_DEFAULT, LIMIT_MAX)?;
    let rows = page_of(state.store.list_client_keys(&agent.id).await?, &page, |k| &k.kid);
    let (rows, next) = paging::split(rows, &page, |k| k.kid.clone());
    let items: Vec<Value> = rows.iter().map(|k| views::key(&state, k)).collect();
    Ok(paging::envelope(state.base(), &uri, &items, next.as_deref()))
}

async fn get_one(
    State(state): State<AppState>,
    _admin: Admin,
    Path((id, kid)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let agent = agent_or_404(&state, &id).await?;
    Ok(Json(views::key(&state, &key_or_404(&state, &agent, &kid).await?)))
}

async fn create(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, OktaError> {
    let body = body.as_object().ok_or_else(malformed)?;
    let key = create_key(&state, &admin, &id, body).await?;
    Ok((StatusCode::CREATED, Json(views::key(&state, &key))).into_response())
}

/// Adds the public JWK `body` (the API's JSON shape) to agent `id`.
pub(crate) async fn create_key(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    body: &Map<String, Value>,
) -> Result<ClientKey, OktaError> {
    let agent = agent_or_404(state, id).await?;
    let (kid, jwk, status) = validate(body)?;
    let now = state.clock.now_ms();
    let key = ClientKey { client_id: agent.id.clone(), kid, jwk, status, created: now, last_updated: now };
    let event = admin
        .event("workload_principal.ai_agent.credential.create", "Create AI agent credential")
        .target(agent_target(&agent))
        .target(key_target(&key));
    state.store.create_client_key(&key, &[admin.record(event, now)]).await.map_err(|e| store_error(e, "kid"))?;
    Ok(key)
}

/// Checks an uploaded JWK; returns its kid, the JWK as stored and its initial status.
fn validate(body: &Map<String, Value>) -> Result<(String, Value, ClientKeyStatus), OktaError> {
    let mut private = Validation::default();
    for m in PRIVATE_MEMBERS {
        if body.contains_key(m) {
            private.error(m, "Private key material is not allowed; upload the public key only");
        }
    }
    private.finish()?;
    let mut v = Validation::default();
    let kty = body.get("kty").and_then(Value::as_str).unwrap_or_default();
    let (allowed, default_alg): (&[&str], &str) = match (kty, body.get("crv").and_then(Value::as_str)) {
        ("RSA", _) => (&["RS256", "RS384", "RS512"], "RS256"),
        ("EC", Some("P-256")) => (&["ES256"], "ES256"),
        ("EC", Some("P-384")) => (&["ES384"], "ES384"),
        ("EC", Some("P-521")) => (&["ES512"], "ES512"),
        ("EC", _) => return Err(Validation::one("crv", "must be P-256, P-384 or P-521")),
        _ => return Err(Validation::one("kty", "must be RSA or EC")),
    };
    let members = public_members(body).map_err(|e| Validation::one("kty", &e.to_string()))?;
    if kty == "RSA" {
        let n_len = members.get("n").and_then(Value::as_str).and_then(|n| URL_SAFE_NO_PAD.decode(n).ok());
        v.check(n_len.is_some_and(|n| n.len() >= 256), "n", "must be the modulus of an RSA key of 2048 bits or more");
    }
    let alg = match body.get("alg") {
        None => default_alg.to_owned(),
        Some(Value::String(a)) if allowed.contains(&a.as_str()) => a.clone(),
        Some(_) => {
            v.error("alg", &format!("must be one of {} for this key", allowed.join(", ")));
            String::new()
        }
    };
    v.check(body.get("use").is_none_or(|u| u == "sig"), "use", "must be sig");
    let status = match body.get("status") {
        None => ClientKeyStatus::Active,
        Some(s) => s.as_str().and_then(ClientKeyStatus::parse).unwrap_or_else(|| {
            v.error("status", "must be ACTIVE or INACTIVE");
            ClientKeyStatus::Active
        }),
    };
    let kid = match body.get("kid") {
        None => thumbprint(&members).map_err(|e| Validation::one("kty", &e.to_string()))?,
        Some(Value::String(k)) if valid_kid(k) => k.clone(),
        Some(_) => {
            v.error("kid", "must be 1 to 255 printable characters without / ? # % or spaces");
            String::new()
        }
    };
    v.finish()?;
    let mut jwk = Map::new();
    jwk.insert("kty".into(), kty.into());
    jwk.insert("alg".into(), alg.into());
    jwk.insert("kid".into(), kid.clone().into());
    jwk.insert("use".into(), "sig".into());
    for (k, value) in members {
        if k != "kty" {
            jwk.insert(k, value);
        }
    }
    let jwk = Value::Object(jwk);
    // The members must make a usable key (valid base64url, a point on the curve, …).
    let usable = jwk_from_value(&jwk).ok().is_some_and(|k| match kty {
        "RSA" => josekit::jws::RS256.verifier_from_jwk(&k).is_ok(),
        _ => {
            josekit::jws::ES256.verifier_from_jwk(&k).is_ok()
                || josekit::jws::ES384.verifier_from_jwk(&k).is_ok()
                || josekit::jws::ES512.verifier_from_jwk(&k).is_ok()
        }
    });
    if !usable {
        return Err(Validation::one(if kty == "RSA" { "n" } else { "x" }, "is not a valid public key"));
    }
    Ok((kid, jwk, status))
}

fn valid_kid(k: &str) -> bool {
    (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic() && !b"/?#%\"\\".contains(&b))
}

async fn delete(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, kid)): Path<(String, String)>,
) -> Result<StatusCode, OktaError> {
    delete_key(&state, &admin, &id, &kid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes an INACTIVE key of agent `id`.
pub(crate) async fn delete_key(state: &AppState, admin: &impl Audit, id: &str, kid: &str) -> Result<(), OktaError> {
    let agent = agent_or_404(state, id).await?;
    let key = key_or_404(state, &agent, kid).await?;
    if key.status != ClientKeyStatus::Inactive {
        return Err(status_error("An ACTIVE key must be deactivated before it can be deleted"));
    }
    let now = state.clock.now_ms();
    let event = admin
        .event("workload_principal.ai_agent.credential.delete", "Delete AI agent credential")
        .target(agent_target(&agent))
        .target(key_target(&key));
    state.store.delete_client_key(&agent.id, &key.kid, &[admin.record(event, now)]).await?;
    Ok(())
}

async fn activate(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, kid)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    Ok(Json(views::key(&state, &lifecycle(&state, &admin, &id, &kid, ClientKeyStatus::Active).await?)))
}

async fn deactivate(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, kid)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    Ok(Json(views::key(&state, &lifecycle(&state, &admin, &id, &kid, ClientKeyStatus::Inactive).await?)))
}

/// Sets the key's status; already there → no write, no event.
pub(crate) async fn lifecycle(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    kid: &str,
    to: ClientKeyStatus,
) -> Result<ClientKey, OktaError> {
    let agent = agent_or_404(state, id).await?;
    let mut key = key_or_404(state, &agent, kid).await?;
    if key.status != to {
        let now = state.clock.now_ms();
        let (event_type, message) = match to {
            ClientKeyStatus::Active => {
                ("workload_principal.ai_agent.credential.activate", "Activate AI agent credential")
            }
            ClientKeyStatus::Inactive => {
                ("workload_principal.ai_agent.credential.deactivate", "Deactivate AI agent credential")
            }
        };
        let event = admin.event(event_type, message).target(agent_target(&agent)).target(key_target(&key));
        state.store.update_client_key_status(&agent.id, &key.kid, to, now, &[admin.record(event, now)]).await?;
        key.status = to;
        key.last_updated = now;
    }
    Ok(key)
}
