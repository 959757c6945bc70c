//! `POST /oauth2/v1/token` and `POST /oauth2/{as}/v1/token` (okta-surface.md §5). An unknown or
//! INACTIVE custom AS is 404 `E0000007`; everything else is `oauth::token`.

use super::context::RequestContext;
use super::extract::Server;
use super::form::Params;
use crate::oauth::error::OAuthError;
use crate::oauth::token;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/oauth2/v1/token", post(handle)).route("/oauth2/{as}/v1/token", post(handle))
}

async fn handle(
    State(state): State<AppState>,
    Server(issuer): Server,
    RequestContext(ctx): RequestContext,
    headers: HeaderMap,
    params: Result<Params, OAuthError>,
) -> Response {
    token::token(&state, &issuer, &ctx, &headers, params).await
}
