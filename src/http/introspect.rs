//! `POST /v1/introspect` and `POST /v1/revoke` of the org AS and every custom AS
//! (okta-surface.md §6.1, §6.2). A public client may name itself with `client_id` in the query
//! as well as in the body. An unknown or INACTIVE custom AS is 404 `E0000007`.

use super::context::RequestContext;
use super::extract::Server;
use super::form::Params;
use crate::audit::Context;
use crate::oauth::error::OAuthError;
use crate::oauth::server::Issuer;
use crate::oauth::{introspect, revoke};
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth2/v1/introspect", post(introspect_handler))
        .route("/oauth2/{as}/v1/introspect", post(introspect_handler))
        .route("/oauth2/v1/revoke", post(revoke_handler))
        .route("/oauth2/{as}/v1/revoke", post(revoke_handler))
}

#[derive(Debug, Clone, Copy)]
enum Endpoint {
    Introspect,
    Revoke,
}

async fn serve(
    state: &AppState,
    issuer: &Issuer,
    endpoint: Endpoint,
    ctx: &Context,
    headers: &HeaderMap,
    query: Option<&str>,
    params: Result<Params, OAuthError>,
) -> Response {
    let mut params = match params {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    if let Some(client_id) = query.and_then(query_client_id) {
        params.insert_if_absent("client_id", &client_id);
    }
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let result = match endpoint {
        Endpoint::Introspect => introspect::introspect(state, issuer, ctx, authorization, &params).await,
        Endpoint::Revoke => revoke::revoke(state, issuer, ctx, authorization, &params).await,
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

fn query_client_id(query: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| k == "client_id" && !v.is_empty())
        .map(|(_, v)| v.into_owned())
}

async fn introspect_handler(
    State(state): State<AppState>,
    Server(issuer): Server,
    RequestContext(ctx): RequestContext,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    params: Result<Params, OAuthError>,
) -> Response {
    serve(&state, &issuer, Endpoint::Introspect, &ctx, &headers, query.as_deref(), params).await
}

async fn revoke_handler(
    State(state): State<AppState>,
    Server(issuer): Server,
    RequestContext(ctx): RequestContext,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    params: Result<Params, OAuthError>,
) -> Response {
    serve(&state, &issuer, Endpoint::Revoke, &ctx, &headers, query.as_deref(), params).await
}
