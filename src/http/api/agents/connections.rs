//! Resource connections (okta-surface.md §13; xaa.md §1.4, §4.4): what an agent, or an app,
//! may reach at one custom AS. `/workload-principals/api/v1/ai-agents/{id}/connections` as Okta
//! serves it, and the same resource under `/api/v1/apps/{id}/connections` for app-owned
//! connections (baton's addition: xaa.md lets an app own one, e.g. an MCP client exchanging
//! its user's ID token). Only `IDENTITY_ASSERTION_CUSTOM_AS` with `INCLUDE_ONLY`; the AS is
//! named by its ORN and must exist; at most one connection per (owner, AS). baton's optional
//! members `targetClientId` and `consentRequired` (xaa.md §1.4) are read and shown when set.

use super::views::{self, parse_orn, Orn};
use super::{agent_or_404, agent_target, connection_target, page_of, LIMIT_DEFAULT, LIMIT_MAX, PREFIX};
use crate::audit::Target;
use crate::domain::ids::{new_id, Prefix};
use crate::domain::{ConnectionStatus, ResourceConnection};
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

/// The agent routes and the app routes; in each handler `APP` false = an AI agent owns the
/// connection, true = an app.
#[must_use]
pub(crate) fn routes(r: ApiRoutes) -> ApiRoutes {
    let agent = format!("{PREFIX}/ai-agents/{{id}}/connections");
    let r = owner_routes::<false>(r, &agent, AGENT_SUMMARIES);
    // Documented with the apps; the agent routes that follow keep the AIAgent tag.
    owner_routes::<true>(r.tag("Application"), "/api/v1/apps/{id}/connections", APP_SUMMARIES).tag("AIAgent")
}

type Summaries = [&'static str; 7];
const AGENT_SUMMARIES: Summaries = [
    "List an AI agent's resource connections",
    "Connect an AI agent to a custom authorization server",
    "Get a resource connection",
    "Update a resource connection",
    "Delete a resource connection",
    "Activate a resource connection",
    "Deactivate a resource connection",
];
const APP_SUMMARIES: Summaries = [
    "List an app's resource connections (baton)",
    "Connect an app to a custom authorization server (baton)",
    "Get an app's resource connection (baton)",
    "Update an app's resource connection (baton)",
    "Delete an app's resource connection (baton)",
    "Activate an app's resource connection (baton)",
    "Deactivate an app's resource connection (baton)",
];

fn owner_routes<const APP: bool>(r: ApiRoutes, all: &str, s: Summaries) -> ApiRoutes {
    let one = format!("{all}/{{connectionId}}");
    r.get(all, s[0], list::<APP>)
        .post(all, s[1], 201, create::<APP>)
        .get(&one, s[2], get_one::<APP>)
        .patch(&one, s[3], 200, patch::<APP>)
        .delete(&one, s[4], 204, delete::<APP>)
        .post(&format!("{one}/lifecycle/activate"), s[5], 200, activate::<APP>)
        .post(&format!("{one}/lifecycle/deactivate"), s[6], 200, deactivate::<APP>)
}

/// The owner of a connection, found by the id in the path.
struct Owner {
    id: String,
    target: Target,
}

async fn owner_or_404<const APP: bool>(state: &AppState, id: &str) -> Result<Owner, OktaError> {
    if APP {
        let app = crate::http::api::apps::find(state, id).await?;
        Ok(Owner { target: crate::http::api::apps::target(&app), id: app.id })
    } else {
        let agent = agent_or_404(state, id).await?;
        Ok(Owner { target: agent_target(&agent), id: agent.id })
    }
}

async fn connection_or_404(state: &AppState, owner: &Owner, id: &str) -> Result<ResourceConnection, OktaError> {
    let conn = state.store.find_connection(id).await?.filter(|c| c.owner_id == owner.id);
    conn.ok_or_else(|| OktaError::not_found(id, "ResourceConnection"))
}

/// `event_type` on this connection, the owner first among the targets.
fn event(
    admin: &impl Audit,
    owner: &Owner,
    conn: &ResourceConnection,
    event_type: &str,
    message: &str,
) -> crate::audit::Event {
    admin.event(event_type, message).target(owner.target.clone()).target(connection_target(conn))
}

async fn list<const APP: bool>(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
    query: ApiQuery,
    uri: Uri,
) -> Result<Response, OktaError> {
    let owner = owner_or_404::<APP>(&state, &id).await?;
    let page = paging::page(&query, LIMIT_DEFAULT, LIMIT_MAX)?;
    let rows = page_of(state.store.list_connections(&owner.id).await?, &page, |c| &c.id);
    let (rows, next) = paging::split(rows, &page, |c| c.id.clone());
    let items: Vec<Value> = rows.iter().map(|c| views::connection(&state, c)).collect();
    Ok(paging::envelope(state.base(), &uri, &items, next.as_deref()))
}

async fn get_one<const APP: bool>(
    State(state): State<AppState>,
    _admin: Admin,
    Path((id, conn_id)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let owner = owner_or_404::<APP>(&state, &id).await?;
    Ok(Json(views::connection(&state, &connection_or_404(&state, &owner, &conn_id).await?)))
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
    match body.get("targetClientId") {
        None => {}
        Some(Value::Null) => conn.target_client_id = None,
        Some(Value::String(t)) if !t.is_empty() && t.len() <= 255 && !t.contains(char::is_whitespace) => {
            conn.target_client_id = Some(t.clone());
        }
        Some(_) => v.error("targetClientId", "must be a client id"),
    }
    match body.get("consentRequired") {
        None => {}
        Some(Value::Bool(b)) => conn.consent_required = *b,
        Some(_) => v.error("consentRequired", "must be true or false"),
    }
    v.finish()
}

async fn create<const APP: bool>(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, OktaError> {
    let body = body.as_object().ok_or_else(malformed)?;
    let owner = owner_or_404::<APP>(&state, &id).await?;
    let conn = create_for(&state, &admin, &owner, body).await?;
    Ok((StatusCode::CREATED, Json(views::connection(&state, &conn))).into_response())
}

/// Connects agent `id` as `body` (the API's JSON shape) asks.
pub(crate) async fn create_connection(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    body: &Map<String, Value>,
) -> Result<ResourceConnection, OktaError> {
    let owner = owner_or_404::<false>(state, id).await?;
    create_for(state, admin, &owner, body).await
}

async fn create_for(
    state: &AppState,
    admin: &impl Audit,
    owner: &Owner,
    body: &Map<String, Value>,
) -> Result<ResourceConnection, OktaError> {
    let now = state.clock.now_ms();
    let mut conn = ResourceConnection {
        id: new_id(Prefix::Connection),
        owner_id: owner.id.clone(),
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
    let event =
        event(admin, owner, &conn, "workload_principal.resource_connection.create", "Create resource connection");
    state
        .store
        .create_connection(&conn, &[admin.record(event, now)])
        .await
        .map_err(|e| store_error(e, "authorizationServer.orn"))?;
    Ok(conn)
}

async fn patch<const APP: bool>(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, conn_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, OktaError> {
    let owner = owner_or_404::<APP>(&state, &id).await?;
    let mut conn = connection_or_404(&state, &owner, &conn_id).await?;
    let body = body.as_object().ok_or_else(malformed)?;
    apply(&state, &mut conn, body, false).await?;
    let now = state.clock.now_ms();
    conn.last_updated = now;
    let event =
        event(&admin, &owner, &conn, "workload_principal.resource_connection.update", "Update resource connection");
    state
        .store
        .update_connection(&conn, &[admin.record(event, now)])
        .await
        .map_err(|e| store_error(e, "authorizationServer.orn"))?;
    Ok(Json(views::connection(&state, &conn)))
}

async fn delete<const APP: bool>(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, conn_id)): Path<(String, String)>,
) -> Result<StatusCode, OktaError> {
    let owner = owner_or_404::<APP>(&state, &id).await?;
    delete_for(&state, &admin, &owner, &conn_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes connection `conn_id` of agent `id`.
pub(crate) async fn delete_connection(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    conn_id: &str,
) -> Result<(), OktaError> {
    let owner = owner_or_404::<false>(state, id).await?;
    delete_for(state, admin, &owner, conn_id).await
}

async fn delete_for(state: &AppState, admin: &impl Audit, owner: &Owner, conn_id: &str) -> Result<(), OktaError> {
    let conn = connection_or_404(state, owner, conn_id).await?;
    let now = state.clock.now_ms();
    let event =
        event(admin, owner, &conn, "workload_principal.resource_connection.delete", "Delete resource connection");
    state.store.delete_connection(&conn.id, &[admin.record(event, now)]).await?;
    Ok(())
}

async fn activate<const APP: bool>(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, conn_id)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let owner = owner_or_404::<APP>(&state, &id).await?;
    let conn = set_status(&state, &admin, &owner, &conn_id, ConnectionStatus::Active).await?;
    Ok(Json(views::connection(&state, &conn)))
}

async fn deactivate<const APP: bool>(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, conn_id)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let owner = owner_or_404::<APP>(&state, &id).await?;
    let conn = set_status(&state, &admin, &owner, &conn_id, ConnectionStatus::Inactive).await?;
    Ok(Json(views::connection(&state, &conn)))
}

/// Sets the status of connection `conn_id` of agent `id`; already there → no write, no event.
pub(crate) async fn lifecycle(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    conn_id: &str,
    to: ConnectionStatus,
) -> Result<ResourceConnection, OktaError> {
    let owner = owner_or_404::<false>(state, id).await?;
    set_status(state, admin, &owner, conn_id, to).await
}

async fn set_status(
    state: &AppState,
    admin: &impl Audit,
    owner: &Owner,
    conn_id: &str,
    to: ConnectionStatus,
) -> Result<ResourceConnection, OktaError> {
    let mut conn = connection_or_404(state, owner, conn_id).await?;
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
        let event = event(admin, owner, &conn, event_type, message);
        state.store.update_connection(&conn, &[admin.record(event, now)]).await?;
    }
    Ok(conn)
}
