//! `GET|POST /oauth2/v1/authorize` and `/oauth2/{as}/v1/authorize` (okta-surface.md §3, §4):
//! the query of a GET or the form body of a POST (never both) go through the authorize
//! pipeline with the browser's session. A POST body that is not a form is an error page: the
//! redirect URI cannot be proven from it. Navigation only: no CORS (§2.3).

use super::context::RequestContext;
use super::extract::{AsId, QueryOrForm};
use super::interaction::{page_request, respond};
use crate::oauth::authorize::{self, Happened, Input};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth2/v1/authorize", get(handle).post(handle))
        .route("/oauth2/{as}/v1/authorize", get(handle).post(handle))
}

async fn handle(
    State(state): State<AppState>,
    AsId(as_id): AsId,
    ctx: RequestContext,
    headers: HeaderMap,
    QueryOrForm(params): QueryOrForm,
) -> Response {
    let (params, session) = match page_request(&state, &headers, params).await {
        Ok(parts) => parts,
        Err(page) => return page,
    };
    let input = Input { auth_server_id: as_id.as_deref(), params: &params, session, happened: Happened::default() };
    let flow = authorize::run(&state, &ctx.0, input).await;
    respond(&state, &headers, flow)
}
