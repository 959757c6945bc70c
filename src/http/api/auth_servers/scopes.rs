//! Scopes of a custom AS. Names are unique per server; the system OIDC scopes cannot be
//! deleted or renamed (403 `E0000006`).

use super::{load_server, page_of, server_target, views, BASE};
use crate::audit::Target;
use crate::domain::ids::{new_id, Prefix};
use crate::domain::{AuthServer, ConsentType, Scope, TextEnum};
use crate::http::api::auth::{forbidden, Admin, Audit};
use crate::http::api::body::{store_error, ApiJson, ApiQuery, Validation};
use crate::http::api::paging::{list, page};
use crate::http::api::routes::ApiRoutes;
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

pub(super) fn routes(r: ApiRoutes) -> ApiRoutes {
    let all = format!("{BASE}/{{authServerId}}/scopes");
    let one = format!("{all}/{{scopeId}}");
    r.get(&all, "List all custom token scopes", list_scopes)
        .post(&all, "Create a custom token scope", 201, create_scope)
        .get(&one, "Retrieve a custom token scope", get_scope)
        .put(&one, "Replace a custom token scope", 200, replace_scope)
        .delete(&one, "Delete a custom token scope", 204, delete_scope)
}

fn scope_target(s: &Scope) -> Target {
    Target::new(&s.id, "OAuth2Scope", &s.name, &s.name)
}

async fn load_scope(state: &AppState, server: &AuthServer, id: &str) -> Result<Scope, OktaError> {
    state.store.find_scope(&server.id, id).await?.ok_or_else(|| OktaError::not_found(id, "OAuth2Scope"))
}

/// `filter`: `name eq "…"` and `system eq true|false` terms joined by `and`.
fn filter(expr: &str) -> Result<impl Fn(&Scope) -> bool, OktaError> {
    let invalid = || OktaError::new(StatusCode::BAD_REQUEST, "E0000031", "Invalid search criteria.");
    let mut names = Vec::new();
    let mut system = None;
    for term in expr.split(" and ") {
        let mut parts = term.trim().splitn(3, ' ');
        let (field, op, value) = (parts.next(), parts.next(), parts.next().map(str::trim));
        match (field, op, value) {
            (Some("name"), Some("eq"), Some(v)) if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') => {
                names.push(v[1..v.len() - 1].to_owned());
            }
            (Some("system"), Some("eq"), Some("true")) => system = Some(true),
            (Some("system"), Some("eq"), Some("false")) => system = Some(false),
            _ => return Err(invalid()),
        }
    }
    Ok(move |s: &Scope| names.iter().all(|n| *n == s.name) && system.is_none_or(|b| b == s.system))
}

async fn list_scopes(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
    query: ApiQuery,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, OktaError> {
    let server = load_server(&state, &id).await?;
    let page = page(&query, 200, 200)?;
    let mut rows = state.store.list_scopes(&server.id).await?;
    if let Some(q) = query.get("q").map(str::to_lowercase) {
        rows.retain(|s| s.name.to_lowercase().starts_with(&q));
    }
    if let Some(f) = query.get("filter") {
        let keep = filter(f)?;
        rows.retain(|s| keep(s));
    }
    let (rows, next) = page_of(rows, &page, |s| &s.id);
    let items: Vec<Value> = rows.iter().map(|s| views::scope(&state, s)).collect();
    Ok(list(state.base(), &uri, &items, next.as_deref()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ScopeBody {
    name: Option<String>,
    description: Option<String>,
    display_name: Option<String>,
    consent: Option<String>,
    default: Option<bool>,
    optional: Option<bool>,
    metadata_publish: Option<String>,
}

/// Applies a validated body to `scope` (everything the body leaves out takes its default).
fn apply(scope: &mut Scope, body: ScopeBody) -> Result<(), OktaError> {
    let mut v = Validation::default();
    let name = body.name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    v.require(name.as_ref(), "name");
    v.check(
        name.as_ref().is_none_or(|n| n.len() <= 300 && !n.chars().any(|c| c.is_whitespace() || c == '"' || c == '\\')),
        "name",
        "must be at most 300 characters without spaces, quotes or backslashes",
    );
    let consent = body.consent.as_deref().map_or(Some(ConsentType::Implicit), ConsentType::parse);
    v.check(consent.is_some(), "consent", "must be one of IMPLICIT, REQUIRED, FLEXIBLE");
    let publish = body.metadata_publish.unwrap_or_else(|| "NO_CLIENTS".into());
    v.check(
        publish == "ALL_CLIENTS" || publish == "NO_CLIENTS",
        "metadataPublish",
        "must be ALL_CLIENTS or NO_CLIENTS",
    );
    v.finish()?;
    let name = name.unwrap_or_default();
    if scope.system && scope.name != name {
        return Err(forbidden());
    }
    scope.name = name;
    scope.description = body.description.filter(|d| !d.is_empty());
    scope.display_name = body.display_name.filter(|d| !d.is_empty());
    scope.consent = consent.unwrap_or(ConsentType::Implicit);
    scope.default = body.default.unwrap_or(false);
    scope.optional = body.optional.unwrap_or(false);
    scope.metadata_publish = publish;
    Ok(())
}

async fn create_scope(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ScopeBody>,
) -> Result<impl IntoResponse, OktaError> {
    let scope = create(&state, &admin, &id, body).await?;
    Ok((StatusCode::CREATED, Json(views::scope(&state, &scope))))
}

/// Adds the scope `body` describes to server `id`.
pub(crate) async fn create(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    body: ScopeBody,
) -> Result<Scope, OktaError> {
    let server = load_server(state, id).await?;
    let now = state.clock.now_ms();
    let mut scope = Scope::custom(new_id(Prefix::Scope), &server.id, "", now);
    apply(&mut scope, body)?;
    let event = admin
        .event("oauth2.scope.created", "Create OAuth2 scope")
        .target(scope_target(&scope))
        .target(server_target(state, &server));
    state.store.create_scope(&scope, &[admin.record(event, now)]).await.map_err(|e| store_error(e, "name"))?;
    Ok(scope)
}

async fn get_scope(
    State(state): State<AppState>,
    _admin: Admin,
    Path((id, scope_id)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let server = load_server(&state, &id).await?;
    Ok(Json(views::scope(&state, &load_scope(&state, &server, &scope_id).await?)))
}

async fn replace_scope(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, scope_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ScopeBody>,
) -> Result<Json<Value>, OktaError> {
    Ok(Json(views::scope(&state, &replace(&state, &admin, &id, &scope_id, body).await?)))
}

/// Replaces scope `scope_id` of server `id` with `body`.
pub(crate) async fn replace(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    scope_id: &str,
    body: ScopeBody,
) -> Result<Scope, OktaError> {
    let server = load_server(state, id).await?;
    let mut scope = load_scope(state, &server, scope_id).await?;
    apply(&mut scope, body)?;
    let now = state.clock.now_ms();
    scope.last_updated = now;
    let event = admin
        .event("oauth2.scope.updated", "Update OAuth2 scope")
        .target(scope_target(&scope))
        .target(server_target(state, &server));
    state.store.update_scope(&scope, &[admin.record(event, now)]).await.map_err(|e| store_error(e, "name"))?;
    Ok(scope)
}

async fn delete_scope(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, scope_id)): Path<(String, String)>,
) -> Result<StatusCode, OktaError> {
    delete(&state, &admin, &id, &scope_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a custom scope; a system scope is 403 `E0000006`.
pub(crate) async fn delete(state: &AppState, admin: &impl Audit, id: &str, scope_id: &str) -> Result<(), OktaError> {
    let server = load_server(state, id).await?;
    let scope = load_scope(state, &server, scope_id).await?;
    if scope.system {
        return Err(forbidden());
    }
    let now = state.clock.now_ms();
    let event = admin
        .event("oauth2.scope.deleted", "Delete OAuth2 scope")
        .target(scope_target(&scope))
        .target(server_target(state, &server));
    state.store.delete_scope(&server.id, &scope.id, &[admin.record(event, now)]).await?;
    Ok(())
}
