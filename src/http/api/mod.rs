//! The Okta-compatible Management API (`/api/v1`, okta-surface.md §10–§12) and the AI-agent
//! API (`/workload-principals/api/v1`, §13), behind `Authorization: SSWS {token}`.
//!
//! Every route is registered through `routes::ApiRoutes`, which also documents it, so
//! `/api/v1/openapi.json` lists exactly what is served. Handlers stay thin: authenticate
//! (`auth::Admin`), parse (`body`), validate, make one store call carrying the System Log
//! events of the write, and render the Okta JSON shape.

pub mod agents;
pub mod api_tokens;
pub mod apps;
pub mod auth;
pub mod auth_servers;
pub mod body;
pub mod grants;
pub mod groups;
pub mod logs;
pub mod org;
pub mod paging;
pub mod rate_limit;
pub mod routes;
pub mod users;

use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use routes::ApiRoutes;
use std::sync::Arc;

/// Every Management and AI-agent API route, documented.
#[must_use]
pub fn routes() -> ApiRoutes {
    let r = ApiRoutes::default();
    let r = org::routes(r.tag("Org"));
    let r = api_tokens::routes(r.tag("ApiToken"));
    let r = users::routes(r.tag("User"));
    let r = groups::routes(r.tag("Group"));
    let r = grants::routes(r.tag("UserGrant"));
    let r = apps::routes(r.tag("Application"));
    let r = auth_servers::routes(r.tag("AuthorizationServer"));
    let r = logs::routes(r.tag("SystemLog"));
    agents::routes(r.tag("AIAgent"))
}

/// The API router: the routes, `/api/v1/openapi.json`, and the optional rate limit.
pub fn router(state: &AppState) -> Router<AppState> {
    let (router, operations) = routes().into_parts();
    let operations = Arc::new(operations);
    let openapi = get(move |State(state): State<AppState>| {
        let operations = Arc::clone(&operations);
        async move { Json(routes::openapi(state.base(), &operations)) }
    });
    rate_limit::apply(router, state).route("/api/v1/openapi.json", openapi)
}
