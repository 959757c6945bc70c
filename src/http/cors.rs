//! CORS for the endpoints browsers call directly (okta-surface.md §2.3): discovery, `/v1/keys`,
//! `/v1/token`, `/v1/introspect`, `/v1/revoke`, `/v1/userinfo` of every AS (and, with
//! credentials, `/api/v1/authn` and `/api/v1/sessions/me`). One allow-list
//! (`BATON_CORS_ORIGINS`, exact `scheme://host:port`): an allowed `Origin` is echoed in
//! `Access-Control-Allow-Origin`; a preflight (`OPTIONS` with `Access-Control-Request-Method`)
//! is answered 204 with the fixed methods, the requested headers echoed (okta-auth-js asks for
//! `X-Okta-User-Agent-Extended`) and a 600 s max age. Other origins get no CORS headers.
//! `/authorize` and `/logout` are navigation-only and never get this layer.
//!
//! Responses of covered routes always carry `Vary: Origin`, so a shared cache never serves one
//! origin's answer to another.

use super::error;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD,
    ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::Arc;

const ALLOW_METHODS: &str = "GET, POST, DELETE, OPTIONS";
const MAX_AGE_S: &str = "600";

#[derive(Debug, Clone)]
struct Cors {
    origins: Arc<Vec<String>>,
    credentials: bool,
}

/// Covers every route of `router` with CORS.
pub fn apply(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    layer(router, state, false)
}

/// Same, adding `Access-Control-Allow-Credentials: true` (cookie-bearing browser calls).
pub fn apply_with_credentials(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    layer(router, state, true)
}

fn layer(router: Router<AppState>, state: &AppState, credentials: bool) -> Router<AppState> {
    let origins = state.config.cors_origins.iter().map(|o| o.trim_end_matches('/').to_owned()).collect();
    let cors = Cors { origins: Arc::new(origins), credentials };
    // The method-not-allowed fallback is set here, under the layer, so that a preflight to a
    // POST-only route reaches the layer instead of the app-wide 405.
    router.method_not_allowed_fallback(error::method_not_allowed).layer(from_fn_with_state(cors, middleware))
}

async fn middleware(State(cors): State<Cors>, request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| cors.origins.iter().any(|allowed| allowed == o))
        .and_then(|o| HeaderValue::from_str(o).ok());
    let preflight =
        request.method() == Method::OPTIONS && request.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if preflight {
        let requested_headers = request.headers().get(ACCESS_CONTROL_REQUEST_HEADERS).cloned();
        let mut response = StatusCode::NO_CONTENT.into_response();
        if origin.is_some() {
            let h = response.headers_mut();
            h.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOW_METHODS));
            if let Some(requested) = requested_headers {
                h.insert(ACCESS_CONTROL_ALLOW_HEADERS, requested);
            }
            h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(MAX_AGE_S));
        }
        response
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    if let Some(origin) = origin {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if cors.credentials {
            headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        }
    }
    add_vary_origin(headers);
    response
}

fn add_vary_origin(headers: &mut HeaderMap) {
    let present = headers
        .get_all(VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|p| p.trim().eq_ignore_ascii_case("origin")));
    if !present {
        headers.append(VARY, HeaderValue::from_static("Origin"));
    }
}
