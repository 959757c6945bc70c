//! `/ai-agents[/{id}]` and `/ai-agents/{id}/lifecycle/{activate,deactivate}` (okta-surface.md
//! §13): register (STAGED), list with `search`, read, JSON Merge Patch, replace, delete
//! (STAGED or INACTIVE only) and lifecycle; each write answers 202 with its operation.

use super::operations::{accepted, accepted_empty, completed};
use super::profile::{self, Mode};
use super::{agent_or_404, agent_target, search, status_error, views, LIMIT_DEFAULT, LIMIT_MAX, PREFIX};
use crate::domain::ids::{new_id, Prefix};
use crate::domain::{Agent, AgentStatus};
use crate::http::api::auth::{Admin, Audit};
use crate::http::api::body::{ApiJson, ApiQuery};
use crate::http::api::paging;
use crate::http::api::routes::ApiRoutes;
use crate::http::error::OktaError;
use crate::state::AppState;
use crate::store::Page;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::Json;
use serde_json::Value;

#[must_use]
pub(crate) fn routes(r: ApiRoutes) -> ApiRoutes {
    let one = format!("{PREFIX}/ai-agents/{{id}}");
    r.post(&format!("{PREFIX}/ai-agents"), "Register an AI agent (STAGED)", 202, register)
        .get(&format!("{PREFIX}/ai-agents"), "List AI agents", list)
        .get(&one, "Get an AI agent", get_one)
        .patch(&one, "Update an AI agent (JSON Merge Patch)", 202, patch)
        .put(&one, "Replace an AI agent", 202, replace)
        .delete(&one, "Delete a STAGED or INACTIVE AI agent", 202, delete)
        .post(&format!("{one}/lifecycle/activate"), "Activate an AI agent", 202, activate)
        .post(&format!("{one}/lifecycle/deactivate"), "Deactivate an AI agent", 202, deactivate)
}

async fn register(
    State(state): State<AppState>,
    admin: Admin,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, OktaError> {
    let (_, op) = register_agent(&state, &admin, &body).await?;
    Ok(accepted_empty(&state, &op))
}

/// Registers the agent `body` (the API's JSON shape) describes, STAGED; returns it and the
/// operation recording it.
pub(crate) async fn register_agent(
    state: &AppState,
    admin: &impl Audit,
    body: &Value,
) -> Result<(Agent, crate::domain::Operation), OktaError> {
    let now = state.clock.now_ms();
    let mut agent = Agent {
        id: new_id(Prefix::Agent),
        status: AgentStatus::Staged,
        app_id: None,
        name: String::new(),
        description: None,
        resource_url: None,
        owners: Vec::new(),
        created: now,
        last_updated: now,
    };
    profile::apply(state, &mut agent, body, Mode::Replace).await?;
    let op = completed("ai-agent:Register", &agent, now);
    let event = admin.event("workload_principal.ai_agent.register", "Register AI agent").target(agent_target(&agent));
    state.store.create_agent(&agent, &op, &[admin.record(event, now)]).await?;
    Ok((agent, op))
}

/// How many agents one store read fetches while filtering a `search`.
const SCAN_BATCH: i64 = 200;

async fn list(State(state): State<AppState>, _admin: Admin, query: ApiQuery, uri: Uri) -> Result<Response, OktaError> {
    let page = paging::page(&query, LIMIT_DEFAULT, LIMIT_MAX)?;
    let filter = query.get("search").filter(|s| !s.trim().is_empty()).map(search::parse).transpose()?;
    let rows = match &filter {
        None => state.store.list_agents(&paging::probe(&page)).await?,
        Some(expr) => {
            // Keyset scan in id order, keeping matches until one more than the page is found.
            let want = usize::try_from(page.limit + 1).unwrap_or(usize::MAX);
            let mut found = Vec::new();
            let mut cursor = page.after.clone();
            loop {
                let batch = state.store.list_agents(&Page { after: cursor.clone(), limit: SCAN_BATCH }).await?;
                let full = i64::try_from(batch.len()).unwrap_or(i64::MAX) == SCAN_BATCH;
                cursor = batch.last().map(|a| a.id.clone());
                found.extend(batch.into_iter().filter(|a| search::matches(expr, a)));
                if found.len() >= want || !full {
                    break;
                }
            }
            found.truncate(want);
            found
        }
    };
    let (rows, next) = paging::split(rows, &page, |a| a.id.clone());
    let items: Vec<Value> = rows.iter().map(|a| views::agent(&state, a)).collect();
    Ok(paging::envelope(state.base(), &uri, &items, next.as_deref()))
}

async fn get_one(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, OktaError> {
    Ok(Json(views::agent(&state, &agent_or_404(&state, &id).await?)))
}

async fn patch(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, OktaError> {
    let op = update_agent(&state, &admin, &id, &body, Mode::Patch, "ai-agent:Patch").await?;
    Ok(accepted(&state, &op))
}

async fn replace(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, OktaError> {
    let op = update_agent(&state, &admin, &id, &body, Mode::Replace, "ai-agent:Replace").await?;
    Ok(accepted(&state, &op))
}

/// Applies `body` (the API's JSON shape) to agent `id` as `mode` says; returns the operation
/// recording it.
pub(crate) async fn update_agent(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    body: &Value,
    mode: Mode,
    op_type: &str,
) -> Result<crate::domain::Operation, OktaError> {
    let mut agent = agent_or_404(state, id).await?;
    profile::apply(state, &mut agent, body, mode).await?;
    let now = state.clock.now_ms();
    agent.last_updated = now;
    let op = completed(op_type, &agent, now);
    let event = admin.event("workload_principal.ai_agent.update", "Update AI agent").target(agent_target(&agent));
    state.store.update_agent(&agent, &op, &[admin.record(event, now)]).await?;
    Ok(op)
}

async fn delete(State(state): State<AppState>, admin: Admin, Path(id): Path<String>) -> Result<Response, OktaError> {
    let op = delete_agent(&state, &admin, &id).await?;
    Ok(accepted(&state, &op))
}

/// Deletes a STAGED or INACTIVE agent; returns the operation recording it.
pub(crate) async fn delete_agent(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
) -> Result<crate::domain::Operation, OktaError> {
    let agent = agent_or_404(state, id).await?;
    if agent.status == AgentStatus::Active {
        return Err(status_error("An ACTIVE AI agent must be deactivated before it can be deleted"));
    }
    let now = state.clock.now_ms();
    let op = completed("ai-agent:Delete", &agent, now);
    let event = admin.event("workload_principal.ai_agent.delete", "Delete AI agent").target(agent_target(&agent));
    state.store.delete_agent(&agent.id, &op, &[admin.record(event, now)]).await?;
    Ok(op)
}

async fn activate(State(state): State<AppState>, admin: Admin, Path(id): Path<String>) -> Result<Response, OktaError> {
    let op = lifecycle(&state, &admin, &id, AgentStatus::Active).await?;
    Ok(accepted(&state, &op))
}

async fn deactivate(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Response, OktaError> {
    let op = lifecycle(&state, &admin, &id, AgentStatus::Inactive).await?;
    Ok(accepted(&state, &op))
}

/// Moves the agent to `to`. Already there: the operation is recorded, nothing changes and no
/// lifecycle event is written.
pub(crate) async fn lifecycle(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    to: AgentStatus,
) -> Result<crate::domain::Operation, OktaError> {
    let mut agent = agent_or_404(state, id).await?;
    let now = state.clock.now_ms();
    let (op_type, event_type, message) = match to {
        AgentStatus::Active => ("ai-agent:Activate", "workload_principal.ai_agent.activate", "Activate AI agent"),
        _ => ("ai-agent:Deactivate", "workload_principal.ai_agent.deactivate", "Deactivate AI agent"),
    };
    let mut events = Vec::new();
    if agent.status != to {
        agent.status = to;
        agent.last_updated = now;
        events.push(admin.record(admin.event(event_type, message).target(agent_target(&agent)), now));
    }
    let op = completed(op_type, &agent, now);
    state.store.update_agent(&agent, &op, &events).await?;
    Ok(op)
}
