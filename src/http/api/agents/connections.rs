//! `/ai-agents/{id}/connections[/{connectionId}]` (okta-surface.md §13; xaa.md §4.4): what an
//! agent may reach at one custom AS. Only `IDENTITY_ASSERTION_CUSTOM_AS` with `INCLUDE_ONLY`;
//! the AS is named by its ORN and must exist; at most one connection per (agent, AS).

use super::views::{self, parse_orn, Orn};
use super::{agent_or_404, agent_target, connection_target, page_of, LIMIT_DEFAULT, LIMIT_MAX, PREFIX};
use crate::domain::ids::{new_id, Prefix};
use crate::domain::{Agent, ConnectionStatus, ResourceConnection};
use crate::http::api::auth::{Admin, Audit};
use crate::http::api::body::{malformed, store_error, ApiJson, ApiQuery, Validation};
use crate::http::api::paging;
use crate::http::api::routes::ApiRoutes;
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};

const CONNECTION_TYPE: &str = "IDENTITY_ASSERTION_CUSTOM_AS";
const SCOPE_CONDITION: &str = "INCLUDE_ONLY";

#[must_use]
pub(crate) fn routes(r: ApiRoutes) -> ApiRoutes {
    let all = format!("{PREFIX}/ai-agents/{{id}}/connections");
    let one = format!("{all}/{{connectionId}}");
    r.get(&all, "List an AI agent's resource connections", list)
        .post(&all, "Connect an AI agent to a custom authorization server", 201, create)
        .get(&one, "Get a resource connection", get_one)
        .patch(&one, "Update a resource connection", 200, patch)
        .delete(&one, "Delete a resource connection", 204, delete)
        .post(&format!("{one}/lifecycle/activate"), "Activate a resource connection", 200, activate)
        .post(&format!("{one}/lifecycle/deactivate"), "Deactivate a resource connection", 200, deactivate)
}

async fn connection_or_404(state: &AppState, agent: &Agent, id: &str) -> Result<ResourceConnection, OktaError> {
    let conn = state.store.find_connection(id).await?.filter(|c| c.owner_id == agent.id);
    conn.ok_or_else(|| OktaError::not_found(id, "ResourceConnection"))
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
    let rows = page_of(state.store.list_connections(&agent.id).await?, &page, |c| &c.id);
    let (rows, next) = paging::split(rows, &page, |c| c.id.clone());
    let items: Vec<Value> = rows.iter().map(|c| views::connection(&state, c)).collect();
    Ok(paging::envelope(state.base(), &uri, &items, next.as_deref()))
}

async fn get_one(
    State(state): State<AppState>,
    _admin: Admin,
    Path((id, conn_id)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let agent = agent_or_404(&state, &id).await?;
    Ok(Json(views::connection(&state, &connection_or_404(&state, &agent, &conn_id).await?)))
}

/// Applies the members of `body` to `conn` (a `null` `resourceIndicator` removes it). With
/// `create`, `connectionType`, `authorizationServer` and `scopes` are required.
async fn apply(
    state: &AppState,
    conn: &mut ResourceConnection,
    body: &Map<String, Value>,
    create: bool,
) -> Result<(), OktaError> {
    let mut v = Validation::default();
    match body.get("connectionType") {
        None if create => v.error("connectionType", "The field cannot be left blank"),
        None => {}
        Some(t) if t == CONNECTION_TYPE => {}
        Some(_) => v.error("connectionType", "Only IDENTITY_ASSERTION_CUSTOM_AS is supported"),
    }
    match body.get("authorizationServer") {
        None if create => v.error("authorizationServer.orn", "The field cannot be left blank"),
        None => {}
        Some(a) => match a.get("orn").and_then(Value::as_str).map(|o| parse_orn(o, &state.org.id)) {
            None => v.error("authorizationServer.orn", "The field cannot be left blank"),
            Some(Ok(Orn::AuthServer(as_id))) => match state.store.find_auth_server(&as_id).await? {
                Some(server) => conn.auth_server_id = server.id,
                None => v.error("authorizationServer.orn", "The authorization server does not exist"),
            },
            Some(Ok(_)) => v.error("authorizationServer.orn", "must name a custom authorization server"),
            Some(Err(why)) => v.error("authorizationServer.orn", why),
        },
    }
    match body.get("resourceIndicator") {
        None => {}
        Some(Value::Null) => conn.resource_indicator = None,
        Some(Value::String(r)) if super::profile::is_absolute_uri(r) => conn.resource_indicator = Some(r.clone()),
        Some(_) => v.error("resourceIndicator", "must be an absolute URI"),
    }
    match body.get("scopeCondition") {
        None => {}
        Some(c) if c == SCOPE_CONDITION => {}
        Some(_) => v.error("scopeCondition", "Only INCLUDE_ONLY is supported"),
    }
    match body.get("scopes") {
        None if create => v.error("scopes", "The field cannot be left blank"),
        None => {}
        Some(Value::Array(items)) => {
            let mut scopes: Vec<String> = Vec::new();
            for s in items {
                match s.as_str().filter(|s| !s.is_empty() && !s.contains(char::is_whitespace)) {
                    Some(s) if !scopes.iter().any(|x| x == s) => scopes.push(s.to_owned()),
                    Some(_) => {}
                    None => v.error("scopes", "must be scope names"),
                }
            }
            v.check(!scopes.is_empty(), "scopes", "must name at least one scope");
            conn.scopes = scopes;
        }
        Some(_) => v.error("scopes", "must be an array of scope names"),
    }
    v.finish()
}

async fn create(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, OktaError> {
    let body = body.as_object().ok_or_else(malformed)?;
    let conn = create_connection(&state, &admin, &id, body).await?;
    Ok((StatusCode::CREATED, Json(views::connection(&state, &conn))).into_response())
}

/// Connects agent `id` as `body` (the API's JSON shape) asks.
pub(crate) async fn create_connection(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    body: &Map<String, Value>,
) -> Result<ResourceConnection, OktaError> {
    let agent = agent_or_404(state, id).await?;
    let now = state.clock.now_ms();
    let mut conn = ResourceConnection {
        id: new_id(Prefix::Connection),
        owner_id: agent.id.clone(),
        connection_type: CONNECTION_TYPE.into(),
        auth_server_id: String::new(),
        resource_indicator: None,
        scope_condition: SCOPE_CONDITION.into(),
        scopes: Vec::new(),
        target_client_id: None,
        consent_required: false,
        status: ConnectionStatus::Active,
        created: now,
        last_updated: now,
    };
    apply(state, &mut conn, body, true).await?;
    let event = admin
        .event("workload_principal.resource_connection.create", "Create resource connection")
        .target(agent_target(&agent))
        .target(connection_target(&conn));
    state
        .store
        .create_connection(&conn, &[admin.record(event, now)])
        .await
        .map_err(|e| store_error(e, "authorizationServer.orn"))?;
    Ok(conn)
}

async fn patch(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, conn_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, OktaError> {
    let agent = agent_or_404(&state, &id).await?;
    let mut conn = connection_or_404(&state, &agent, &conn_id).await?;
    let body = body.as_object().ok_or_else(malformed)?;
    apply(&state, &mut conn, body, false).await?;
    let now = state.clock.now_ms();
    conn.last_updated = now;
    let event = admin
        .event("workload_principal.resource_connection.update", "Update resource connection")
        .target(agent_target(&agent))
        .target(connection_target(&conn));
    state
        .store
        .update_connection(&conn, &[admin.record(event, now)])
        .await
        .map_err(|e| store_error(e, "authorizationServer.orn"))?;
    Ok(Json(views::connection(&state, &conn)))
}

async fn delete(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, conn_id)): Path<(String, String)>,
) -> Result<StatusCode, OktaError> {
    delete_connection(&state, &admin, &id, &conn_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes connection `conn_id` of agent `id`.
pub(crate) async fn delete_connection(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    conn_id: &str,
) -> Result<(), OktaError> {
    let agent = agent_or_404(state, id).await?;
    let conn = connection_or_404(state, &agent, conn_id).await?;
    let now = state.clock.now_ms();
    let event = admin
        .event("workload_principal.resource_connection.delete", "Delete resource connection")
        .target(agent_target(&agent))
        .target(connection_target(&conn));
    state.store.delete_connection(&conn.id, &[admin.record(event, now)]).await?;
    Ok(())
}

async fn activate(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, conn_id)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    Ok(Json(views::connection(&state, &lifecycle(&state, &admin, &id, &conn_id, ConnectionStatus::Active).await?)))
}

async fn deactivate(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, conn_id)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let conn = lifecycle(&state, &admin, &id, &conn_id, ConnectionStatus::Inactive).await?;
    Ok(Json(views::connection(&state, &conn)))
}

/// Sets the connection's status; already there → no write, no event.
pub(crate) async fn lifecycle(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    conn_id: &str,
    to: ConnectionStatus,
) -> Result<ResourceConnection, OktaError> {
    let agent = agent_or_404(state, id).await?;
    let mut conn = connection_or_404(state, &agent, conn_id).await?;
    if conn.status != to {
        let now = state.clock.now_ms();
        conn.status = to;
        conn.last_updated = now;
        let (event_type, message) = match to {
            ConnectionStatus::Active => {
                ("workload_principal.resource_connection.activate", "Activate resource connection")
            }
            ConnectionStatus::Inactive => {
                ("workload_principal.resource_connection.deactivate", "Deactivate resource connection")
            }
        };
        let event = admin.event(event_type, message).target(agent_target(&agent)).target(connection_target(&conn));
        state.store.update_connection(&conn, &[admin.record(event, now)]).await?;
    }
    Ok(conn)
}
