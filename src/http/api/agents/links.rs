//! `/delegation-links[/{id}]` (okta-surface.md §13; xaa.md §4.3): "tokens of this app or agent,
//! of this type, may be exchanged by that agent". `from.clientOrn` names an OIDC app
//! (`apps:oidc:{appId or clientId}` or `apps:oidc_client:{appId}`) or another agent; `to` is an
//! agent. Links gate leg 1, the token exchange at the org AS, so the read-only
//! `to.authorizationServerOrn` names the org AS: `orn:okta:idp:{orgId}:authorization_servers:{orgId}`
//! (baton identifies the org AS by the org id, as its signing keys do).

use super::views::{self, agent_orn, app_orn, parse_orn, Orn};
use super::{agent_target, link_target, url, LIMIT_DEFAULT, LIMIT_MAX, PREFIX};
use crate::clock::iso8601;
use crate::domain::ids::{new_id, Prefix};
use crate::domain::{Agent, ConnectionStatus, DelegationLink, LinkTokenType, TextEnum};
use crate::http::api::auth::{Admin, Audit};
use crate::http::api::body::{malformed, store_error, ApiJson, ApiQuery, Validation};
use crate::http::api::paging::{self, href};
use crate::http::api::routes::ApiRoutes;
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

const FROM_TYPE: &str = "OKTA_AUTHORIZATION_SERVER";

#[must_use]
pub(crate) fn routes(r: ApiRoutes) -> ApiRoutes {
    let all = format!("{PREFIX}/delegation-links");
    let one = format!("{all}/{{id}}");
    r.get(&all, "List delegation links", list)
        .post(&all, "Create a delegation link", 201, create)
        .get(&one, "Get a delegation link", get_one)
        .delete(&one, "Delete a delegation link", 204, delete)
}

/// The link as JSON; `from.clientOrn` is rebuilt from the stored client id (an app's ORN uses
/// its app id).
async fn view(state: &AppState, l: &DelegationLink) -> Result<Value, OktaError> {
    let client_orn = if let Some(app) = state.store.find_app_by_client_id(&l.from_client_id).await? {
        app_orn(state, &app.id)
    } else if l.from_client_id.starts_with("wlp") {
        agent_orn(state, &l.from_client_id)
    } else {
        app_orn(state, &l.from_client_id)
    };
    Ok(json!({
        "id": l.id,
        "from": {"type": FROM_TYPE, "clientOrn": client_orn, "tokenType": l.token_type.as_str()},
        "to": {
            "resourceOrn": agent_orn(state, &l.to_agent_id),
            "authorizationServerOrn": views::auth_server_orn(state, &state.org.id),
        },
        "created": iso8601(l.created),
        "_links": {"self": href(url(state, &format!("/delegation-links/{}", l.id)))},
    }))
}

async fn link_or_404(state: &AppState, id: &str) -> Result<DelegationLink, OktaError> {
    state.store.find_delegation_link(id).await?.ok_or_else(|| OktaError::not_found(id, "DelegationLink"))
}

async fn list(State(state): State<AppState>, _admin: Admin, query: ApiQuery, uri: Uri) -> Result<Response, OktaError> {
    let page = paging::page(&query, LIMIT_DEFAULT, LIMIT_MAX)?;
    let rows = state.store.list_delegation_links(&paging::probe(&page)).await?;
    let (rows, next) = paging::split(rows, &page, |l| l.id.clone());
    let mut items = Vec::with_capacity(rows.len());
    for l in &rows {
        items.push(view(&state, l).await?);
    }
    Ok(paging::envelope(state.base(), &uri, &items, next.as_deref()))
}

async fn get_one(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, OktaError> {
    Ok(Json(view(&state, &link_or_404(&state, &id).await?).await?))
}

/// The client id a `from.clientOrn` names, or why it names none.
async fn from_client(state: &AppState, orn: &str) -> Result<Result<String, &'static str>, OktaError> {
    let store = &state.store;
    Ok(match parse_orn(orn, &state.org.id) {
        Ok(Orn::App(x)) => match store.find_app(&x).await? {
            Some(app) => Ok(app.client_id),
            None => store.find_app_by_client_id(&x).await?.map(|a| a.client_id).ok_or("The app does not exist"),
        },
        Ok(Orn::AppById(x)) => store.find_app(&x).await?.map(|a| a.client_id).ok_or("The app does not exist"),
        Ok(Orn::Agent(x)) => store.find_agent(&x).await?.map(|a| a.id).ok_or("The AI agent does not exist"),
        Ok(Orn::AuthServer(_)) => Err("must name an OIDC app or an AI agent"),
        Err(why) => Err(why),
    })
}

async fn to_agent(state: &AppState, orn: &str) -> Result<Result<Agent, &'static str>, OktaError> {
    Ok(match parse_orn(orn, &state.org.id) {
        Ok(Orn::Agent(x)) => state.store.find_agent(&x).await?.ok_or("The AI agent does not exist"),
        Ok(_) => Err("must name an AI agent"),
        Err(why) => Err(why),
    })
}

async fn create(
    State(state): State<AppState>,
    admin: Admin,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, OktaError> {
    let link = create_link(&state, &admin, &body).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &link).await?)).into_response())
}

/// Creates the delegation link `body` (the API's JSON shape) describes.
pub(crate) async fn create_link(
    state: &AppState,
    admin: &impl Audit,
    body: &Value,
) -> Result<DelegationLink, OktaError> {
    if !body.is_object() {
        return Err(malformed());
    }
    let mut v = Validation::default();
    let from = &body["from"];
    match from.get("type") {
        Some(t) if t == FROM_TYPE => {}
        None => v.error("from.type", "The field cannot be left blank"),
        Some(_) => v.error("from.type", "Only OKTA_AUTHORIZATION_SERVER is supported"),
    }
    let client = match from.get("clientOrn").and_then(Value::as_str) {
        None => {
            v.error("from.clientOrn", "The field cannot be left blank");
            None
        }
        Some(orn) => from_client(state, orn).await?.map_err(|why| v.error("from.clientOrn", why)).ok(),
    };
    let token_type = match from.get("tokenType").and_then(Value::as_str).map(LinkTokenType::parse) {
        Some(Some(t)) => Some(t),
        None => {
            v.error("from.tokenType", "The field cannot be left blank");
            None
        }
        Some(None) => {
            v.error("from.tokenType", "must be ACCESS_TOKEN or ID_TOKEN");
            None
        }
    };
    let to = match body["to"].get("resourceOrn").and_then(Value::as_str) {
        None => {
            v.error("to.resourceOrn", "The field cannot be left blank");
            None
        }
        Some(orn) => to_agent(state, orn).await?.map_err(|why| v.error("to.resourceOrn", why)).ok(),
    };
    if let (Some(c), Some(t)) = (&client, &to) {
        v.check(*c != t.id, "from.clientOrn", "must not name the agent the link points to");
    }
    v.finish()?;
    let (Some(client), Some(token_type), Some(to)) = (client, token_type, to) else { return Err(malformed()) };
    let now = state.clock.now_ms();
    let link = DelegationLink {
        id: new_id(Prefix::DelegationLink),
        from_client_id: client,
        token_type,
        to_agent_id: to.id.clone(),
        status: ConnectionStatus::Active,
        created: now,
        last_updated: now,
    };
    let event = admin
        .event("workload_principal.delegation_link.create", "Create delegation link")
        .target(link_target(&link))
        .target(agent_target(&to));
    state
        .store
        .create_delegation_link(&link, &[admin.record(event, now)])
        .await
        .map_err(|e| store_error(e, "from.clientOrn"))?;
    Ok(link)
}

async fn delete(State(state): State<AppState>, admin: Admin, Path(id): Path<String>) -> Result<StatusCode, OktaError> {
    delete_link(&state, &admin, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes delegation link `id`.
pub(crate) async fn delete_link(state: &AppState, admin: &impl Audit, id: &str) -> Result<(), OktaError> {
    let link = link_or_404(state, id).await?;
    let now = state.clock.now_ms();
    let mut event =
        admin.event("workload_principal.delegation_link.delete", "Delete delegation link").target(link_target(&link));
    if let Some(agent) = state.store.find_agent(&link.to_agent_id).await? {
        event = event.target(agent_target(&agent));
    }
    state.store.delete_delegation_link(&link.id, &[admin.record(event, now)]).await?;
    Ok(())
}
