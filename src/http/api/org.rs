//! `/api/v1/org` (okta-surface.md §11.0): the org whose id appears in every ORN. `PUT` and
//! `POST` change `companyName`.

use super::auth::Admin;
use super::body::{ApiJson, Validation};
use super::paging::href;
use super::routes::ApiRoutes;
use crate::audit::Target;
use crate::clock::iso8601;
use crate::domain::Org;
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

#[must_use]
pub fn routes(r: ApiRoutes) -> ApiRoutes {
    r.get("/api/v1/org", "Get the org", get_org)
        .put("/api/v1/org", "Replace the org's company name", 200, update_org)
        .post("/api/v1/org", "Update the org's company name", 200, update_org)
}

fn view(state: &AppState, org: &Org) -> Value {
    json!({
        "id": org.id,
        "companyName": org.company_name,
        "subdomain": org.subdomain,
        "status": "ACTIVE",
        "created": iso8601(org.created),
        "lastUpdated": iso8601(org.last_updated),
        "_links": {"self": href(format!("{}/api/v1/org", state.base()))},
    })
}

async fn current(state: &AppState) -> Result<Org, OktaError> {
    Ok(state.store.find_org().await?.unwrap_or_else(|| (*state.org).clone()))
}

async fn get_org(State(state): State<AppState>, _admin: Admin) -> Result<Json<Value>, OktaError> {
    Ok(Json(view(&state, &current(&state).await?)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrgUpdate {
    company_name: Option<String>,
}

async fn update_org(
    State(state): State<AppState>,
    admin: Admin,
    ApiJson(body): ApiJson<OrgUpdate>,
) -> Result<Json<Value>, OktaError> {
    let mut v = Validation::default();
    let name = body.company_name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    v.require(name.as_ref(), "companyName");
    v.check(name.as_ref().is_none_or(|n| n.len() <= 100), "companyName", "must be at most 100 characters");
    v.finish()?;
    let mut org = current(&state).await?;
    let now = state.clock.now_ms();
    org.company_name = name.unwrap_or_default();
    org.last_updated = now;
    let event = admin.event("system.org.update", "Update org").target(Target::new(
        &org.id,
        "Org",
        &org.subdomain,
        &org.company_name,
    ));
    state.store.update_org(&org, &[admin.record(event, now)]).await?;
    Ok(Json(view(&state, &org)))
}
