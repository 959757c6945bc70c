//! The servers themselves: list, create (system scopes and ACTIVE + NEXT keys, no policy), get,
//! replace, delete, and lifecycle. `default` is listed but cannot be deleted.

use super::{load_server, page_of, server_target, views, BASE};
use crate::bootstrap::{system_scopes, DEFAULT_AS};
use crate::domain::ids::{new_id, Prefix};
use crate::domain::{AuthServer, Status};
use crate::http::api::auth::{forbidden, Admin, Audit};
use crate::http::api::body::{conflict, ApiJson, ApiQuery, Validation};
use crate::http::api::paging::{list, page};
use crate::http::api::routes::ApiRoutes;
use crate::http::error::OktaError;
use crate::state::AppState;
use crate::store::Page;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

pub(super) fn routes(r: ApiRoutes) -> ApiRoutes {
    let one = format!("{BASE}/{{authServerId}}");
    r.get(BASE, "List all authorization servers", list_servers)
        .post(BASE, "Create an authorization server", 201, create_server)
        .get(&one, "Retrieve an authorization server", get_server)
        .put(&one, "Replace an authorization server", 200, replace_server)
        .delete(&one, "Delete an authorization server", 204, delete_server)
        .post(&format!("{one}/lifecycle/activate"), "Activate an authorization server", 204, activate)
        .post(&format!("{one}/lifecycle/deactivate"), "Deactivate an authorization server", 204, deactivate)
}

/// The JSON of a server, with its current signing key.
async fn render(state: &AppState, s: &AuthServer) -> Result<Value, OktaError> {
    let keys = state.store.list_signing_keys(&s.id).await?;
    Ok(views::server(state, s, &keys))
}

async fn all_servers(state: &AppState) -> Result<Vec<AuthServer>, OktaError> {
    Ok(state.store.list_auth_servers(&Page { after: None, limit: i64::from(i32::MAX) }).await?)
}

async fn list_servers(
    State(state): State<AppState>,
    _admin: Admin,
    query: ApiQuery,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, OktaError> {
    let page = page(&query, 200, 200)?;
    let q = query.get("q").map(str::to_lowercase);
    let mut rows = all_servers(&state).await?;
    rows.retain(|s| q.as_deref().is_none_or(|q| s.name.to_lowercase().starts_with(q)));
    let (rows, next) = page_of(rows, &page, |s| &s.id);
    let mut items = Vec::with_capacity(rows.len());
    for s in &rows {
        items.push(render(&state, s).await?);
    }
    Ok(list(state.base(), &uri, &items, next.as_deref()))
}

#[derive(Deserialize)]
pub(crate) struct ServerBody {
    name: Option<String>,
    description: Option<String>,
    audiences: Option<Vec<String>>,
}

/// Validated `name`, `description` and the one audience; a name another server has is a conflict.
async fn validate(state: &AppState, body: ServerBody, own_id: Option<&str>) -> Result<ServerBody, OktaError> {
    let mut v = Validation::default();
    let name = body.name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    v.require(name.as_ref(), "name");
    v.check(name.as_ref().is_none_or(|n| n.chars().count() <= 100), "name", "must be at most 100 characters");
    match &body.audiences {
        None => v.error("audiences", "The field cannot be left blank"),
        Some(a) if a.len() != 1 => v.error("audiences", "exactly one audience is required"),
        Some(a) => v.check(!a[0].trim().is_empty(), "audiences", "an audience cannot be blank"),
    }
    v.finish()?;
    let name = name.unwrap_or_default();
    if all_servers(state).await?.iter().any(|s| s.name == name && Some(s.id.as_str()) != own_id) {
        return Err(conflict("name"));
    }
    let description = body.description.filter(|d| !d.is_empty());
    Ok(ServerBody { name: Some(name), description, audiences: body.audiences })
}

async fn create_server(
    State(state): State<AppState>,
    admin: Admin,
    ApiJson(body): ApiJson<ServerBody>,
) -> Result<impl IntoResponse, OktaError> {
    let (server, keys) = create(&state, &admin, body).await?;
    Ok((StatusCode::CREATED, Json(views::server(&state, &server, &keys))))
}

/// Creates a server (ACTIVE, with the system scopes and fresh keys) from `body`.
pub(crate) async fn create(
    state: &AppState,
    admin: &impl Audit,
    body: ServerBody,
) -> Result<(AuthServer, Vec<crate::domain::SigningKey>), OktaError> {
    let body = validate(state, body, None).await?;
    let now = state.clock.now_ms();
    let server = AuthServer {
        description: body.description,
        audiences: body.audiences.unwrap_or_default(),
        ..AuthServer::new(new_id(Prefix::AuthServer), &body.name.unwrap_or_default(), now)
    };
    let keys = state.keys.initial_keys(&server.id, server.signing_alg, now).await?;
    let event = admin.event("oauth2.as.created", "Create authorization server").target(server_target(state, &server));
    state
        .store
        .create_auth_server(&server, &system_scopes(&server.id, now), &keys, &[admin.record(event, now)])
        .await?;
    Ok((server, keys))
}

async fn get_server(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, OktaError> {
    let server = load_server(&state, &id).await?;
    Ok(Json(render(&state, &server).await?))
}

async fn replace_server(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ServerBody>,
) -> Result<Json<Value>, OktaError> {
    let server = replace(&state, &admin, &id, body).await?;
    Ok(Json(render(&state, &server).await?))
}

/// Replaces the name, description and audience of server `id` with `body`.
pub(crate) async fn replace(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    body: ServerBody,
) -> Result<AuthServer, OktaError> {
    let mut server = load_server(state, id).await?;
    let body = validate(state, body, Some(id)).await?;
    let now = state.clock.now_ms();
    server.name = body.name.unwrap_or_default();
    server.description = body.description;
    server.audiences = body.audiences.unwrap_or_default();
    server.last_updated = now;
    let event = admin.event("oauth2.as.updated", "Update authorization server").target(server_target(state, &server));
    state.store.update_auth_server(&server, &[admin.record(event, now)]).await?;
    Ok(server)
}

async fn delete_server(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, OktaError> {
    delete(&state, &admin, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes server `id`; `default` cannot be deleted (403 `E0000006`).
pub(crate) async fn delete(state: &AppState, admin: &impl Audit, id: &str) -> Result<(), OktaError> {
    let server = load_server(state, id).await?;
    if server.id == DEFAULT_AS {
        return Err(forbidden());
    }
    let now = state.clock.now_ms();
    let event = admin.event("oauth2.as.deleted", "Delete authorization server").target(server_target(state, &server));
    if !state.store.delete_auth_server(id, &[admin.record(event, now)]).await? {
        return Err(OktaError::not_found(id, "AuthorizationServer"));
    }
    Ok(())
}

/// Moves server `id` to `status`; already there → no write, no event.
pub(crate) async fn set_status(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    status: Status,
) -> Result<StatusCode, OktaError> {
    let mut server = load_server(state, id).await?;
    if server.status == status {
        return Ok(StatusCode::NO_CONTENT);
    }
    let now = state.clock.now_ms();
    server.status = status;
    server.last_updated = now;
    let (kind, message) = if status == Status::Active {
        ("oauth2.as.activated", "Activate authorization server")
    } else {
        ("oauth2.as.deactivated", "Deactivate authorization server")
    };
    let event = admin.event(kind, message).target(server_target(state, &server));
    state.store.update_auth_server(&server, &[admin.record(event, now)]).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn activate(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, OktaError> {
    set_status(&state, &admin, &id, Status::Active).await
}

async fn deactivate(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, OktaError> {
    set_status(&state, &admin, &id, Status::Inactive).await
}
