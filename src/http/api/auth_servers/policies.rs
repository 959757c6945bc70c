//! Access policies of a custom AS (`OAUTH_AUTHORIZATION_POLICY`): which clients they cover,
//! in priority order. Writing at a taken priority shifts the others down.

use super::{load_server, reprioritize, server_target, views, BASE};
use crate::audit::Target;
use crate::domain::ids::{new_id, Prefix};
use crate::domain::{AuthServer, Policy, Status, TextEnum};
use crate::http::api::auth::{forbidden, Admin, Audit};
use crate::http::api::body::{store_error, ApiJson, Validation};
use crate::http::api::routes::ApiRoutes;
use crate::http::error::OktaError;
use crate::policy::ALL_CLIENTS;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

pub(super) fn routes(r: ApiRoutes) -> ApiRoutes {
    let all = format!("{BASE}/{{authServerId}}/policies");
    let one = format!("{all}/{{policyId}}");
    r.get(&all, "List all policies", list_policies)
        .post(&all, "Create a policy", 201, create_policy)
        .get(&one, "Retrieve a policy", get_policy)
        .put(&one, "Replace a policy", 200, replace_policy)
        .delete(&one, "Delete a policy", 204, delete_policy)
        .post(&format!("{one}/lifecycle/activate"), "Activate a policy", 204, activate)
        .post(&format!("{one}/lifecycle/deactivate"), "Deactivate a policy", 204, deactivate)
}

pub(super) fn policy_target(p: &Policy) -> Target {
    Target::new(&p.id, "PolicyEntity", &p.name, &p.name)
}

pub(super) async fn load_policy(state: &AppState, server: &AuthServer, id: &str) -> Result<Policy, OktaError> {
    state.store.find_policy(&server.id, id).await?.ok_or_else(|| OktaError::not_found(id, "Policy"))
}

async fn list_policies(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, OktaError> {
    let server = load_server(&state, &id).await?;
    let policies = state.store.list_policies(&server.id).await?;
    Ok(Json(Value::Array(policies.iter().map(|p| views::policy(&state, p)).collect())))
}

#[derive(Deserialize, Default)]
struct Include {
    include: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
struct PolicyConditions {
    clients: Option<Include>,
}

#[derive(Deserialize)]
pub(crate) struct PolicyBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    name: Option<String>,
    description: Option<String>,
    priority: Option<i64>,
    status: Option<String>,
    conditions: Option<PolicyConditions>,
}

/// Applies a validated body to `policy`; returns the priority asked for.
async fn apply(state: &AppState, policy: &mut Policy, body: PolicyBody) -> Result<Option<i64>, OktaError> {
    let mut v = Validation::default();
    match body.kind.as_deref() {
        None => v.error("type", "The field cannot be left blank"),
        Some(k) => v.check(k == "OAUTH_AUTHORIZATION_POLICY", "type", "must be OAUTH_AUTHORIZATION_POLICY"),
    }
    let name = body.name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    v.require(name.as_ref(), "name");
    v.check(name.as_ref().is_none_or(|n| n.chars().count() <= 255), "name", "must be at most 255 characters");
    v.check(body.priority.is_none_or(|p| p >= 1), "priority", "must be 1 or more");
    let status = body.status.as_deref().map_or(Some(policy.status), Status::parse);
    v.check(status.is_some(), "status", "must be ACTIVE or INACTIVE");
    let clients = body.conditions.unwrap_or_default().clients.unwrap_or_default().include.unwrap_or_default();
    if clients.is_empty() {
        v.error("conditions.clients.include", "The field cannot be left blank");
    } else if clients.iter().any(|c| c == ALL_CLIENTS) && clients.len() > 1 {
        v.error("conditions.clients.include", "ALL_CLIENTS cannot be combined with client ids");
    } else {
        for c in clients.iter().filter(|c| *c != ALL_CLIENTS) {
            // An OAuth client is an OIDC app or an AI agent (whose id is its client id).
            let known =
                state.store.find_app_by_client_id(c).await?.is_some() || state.store.find_agent(c).await?.is_some();
            if !known {
                v.error("conditions.clients.include", &format!("{c} is not a client of this org"));
            }
        }
    }
    v.finish()?;
    policy.name = name.unwrap_or_default();
    policy.description = body.description.filter(|d| !d.is_empty());
    policy.status = status.unwrap_or(Status::Active);
    policy.clients = clients;
    Ok(body.priority)
}

/// Places `policy` at `wanted` among the server's other policies and saves it with the shifted ones.
async fn save(
    state: &AppState,
    admin: &impl Audit,
    server: &AuthServer,
    policy: &mut Policy,
    wanted: Option<i64>,
    create: bool,
) -> Result<(), OktaError> {
    let (event_type, message) = if create {
        ("policy.lifecycle.create", "Create policy")
    } else {
        ("policy.lifecycle.update", "Update policy")
    };
    let siblings: Vec<(String, i64)> = state
        .store
        .list_policies(&server.id)
        .await?
        .into_iter()
        .filter(|p| p.id != policy.id)
        .map(|p| (p.id, p.priority))
        .collect();
    let keep = (!create && wanted.is_none()).then_some(policy.priority);
    let (priority, shifted) = reprioritize(&siblings, wanted.or(keep));
    policy.priority = priority;
    let now = state.clock.now_ms();
    policy.last_updated = now;
    let event = admin.event(event_type, message).target(policy_target(policy)).target(server_target(state, server));
    state
        .store
        .save_policy(policy, create, &shifted, &[admin.record(event, now)])
        .await
        .map_err(|e| store_error(e, "authorizationServer"))
}

async fn create_policy(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PolicyBody>,
) -> Result<impl IntoResponse, OktaError> {
    let policy = create(&state, &admin, &id, body).await?;
    Ok((StatusCode::CREATED, Json(views::policy(&state, &policy))))
}

/// Adds the access policy `body` describes to server `id`.
pub(crate) async fn create(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    body: PolicyBody,
) -> Result<Policy, OktaError> {
    let server = load_server(state, id).await?;
    let now = state.clock.now_ms();
    let mut policy = Policy::new(new_id(Prefix::Policy), &server.id, "", 1, now);
    let wanted = apply(state, &mut policy, body).await?;
    save(state, admin, &server, &mut policy, wanted, true).await?;
    Ok(policy)
}

async fn get_policy(
    State(state): State<AppState>,
    _admin: Admin,
    Path((id, policy_id)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let server = load_server(&state, &id).await?;
    Ok(Json(views::policy(&state, &load_policy(&state, &server, &policy_id).await?)))
}

async fn replace_policy(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, policy_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<PolicyBody>,
) -> Result<Json<Value>, OktaError> {
    Ok(Json(views::policy(&state, &replace(&state, &admin, &id, &policy_id, body).await?)))
}

/// Replaces policy `policy_id` of server `id` with `body`.
pub(crate) async fn replace(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    policy_id: &str,
    body: PolicyBody,
) -> Result<Policy, OktaError> {
    let server = load_server(state, id).await?;
    let mut policy = load_policy(state, &server, policy_id).await?;
    let wanted = apply(state, &mut policy, body).await?;
    save(state, admin, &server, &mut policy, wanted, false).await?;
    Ok(policy)
}

async fn delete_policy(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, policy_id)): Path<(String, String)>,
) -> Result<StatusCode, OktaError> {
    delete(&state, &admin, &id, &policy_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a policy (and its rules); a system policy is 403 `E0000006`.
pub(crate) async fn delete(state: &AppState, admin: &impl Audit, id: &str, policy_id: &str) -> Result<(), OktaError> {
    let server = load_server(state, id).await?;
    let policy = load_policy(state, &server, policy_id).await?;
    if policy.system {
        return Err(forbidden());
    }
    let now = state.clock.now_ms();
    let event = admin
        .event("policy.lifecycle.delete", "Delete policy")
        .target(policy_target(&policy))
        .target(server_target(state, &server));
    state.store.delete_policy(&server.id, &policy.id, &[admin.record(event, now)]).await?;
    Ok(())
}

/// Activates or deactivates policy `policy_id` of server `id` (a no-op when it already is).
pub(crate) async fn set_status(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    policy_id: &str,
    status: Status,
) -> Result<StatusCode, OktaError> {
    let server = load_server(state, id).await?;
    let mut policy = load_policy(state, &server, policy_id).await?;
    if policy.status == status {
        return Ok(StatusCode::NO_CONTENT);
    }
    let now = state.clock.now_ms();
    policy.status = status;
    policy.last_updated = now;
    let (kind, message) = if status == Status::Active {
        ("policy.lifecycle.activate", "Activate policy")
    } else {
        ("policy.lifecycle.deactivate", "Deactivate policy")
    };
    let event = admin.event(kind, message).target(policy_target(&policy)).target(server_target(state, &server));
    state.store.update_policy(&policy, &[admin.record(event, now)]).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn activate(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, policy_id)): Path<(String, String)>,
) -> Result<StatusCode, OktaError> {
    set_status(&state, &admin, &id, &policy_id, Status::Active).await
}

async fn deactivate(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, policy_id)): Path<(String, String)>,
) -> Result<StatusCode, OktaError> {
    set_status(&state, &admin, &id, &policy_id, Status::Inactive).await
}
