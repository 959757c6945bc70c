//! HTTP: router assembly, the request-id middleware, and route modules. Handlers stay thin:
//! extract, call one function of `oauth` (or the store), map the result.

pub mod access;
pub mod api;
pub mod authn;
pub mod authorize;
pub mod consent;
pub mod consent_requests;
pub mod console;
pub mod context;
pub mod cookies;
pub mod cors;
pub mod csrf;
pub mod detach;
pub mod dev;
pub mod discovery;
pub mod error;
pub mod extract;
pub mod form;
pub mod health;
pub mod home;
pub mod interaction;
pub mod introspect;
pub mod login;
pub mod logout;
pub mod me;
pub mod metrics;
pub mod pages;
pub mod request_id;
pub mod security_headers;
pub mod sessions;
pub mod token;
pub mod userinfo;

use crate::state::AppState;
use axum::Router;

/// The whole application; tests drive exactly this router.
pub fn app(state: AppState) -> Router {
    let metrics = if state.config.metrics_listen.is_none() { metrics::router() } else { Router::new() };
    Router::new()
        .merge(metrics)
        .merge(home::router())
        .merge(health::router())
        .merge(cors::apply(discovery::router(), &state))
        .merge(cors::apply(token::router(), &state))
        .merge(cors::apply(introspect::router(), &state))
        .merge(cors::apply(userinfo::router(), &state))
        .merge(authorize::router())
        .merge(login::router())
        .merge(consent::router())
        .merge(consent_requests::router())
        .merge(logout::router())
        .merge(me::router())
        .merge(cors::apply_with_credentials(authn::router(), &state))
        .merge(cors::apply_with_credentials(sessions::router(), &state))
        .merge(api::router(&state))
        .merge(dev::router(&state))
        .merge(console::router())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn(security_headers::middleware))
        .layer(axum::middleware::from_fn_with_state(state.clone(), access::middleware))
        // Outermost: the handler chain runs on its own task, so a client that goes away
        // never cancels store work half-way (http::detach).
        .layer(axum::middleware::from_fn(detach::middleware))
        .with_state(state)
}

/// `/metrics` alone, for `--metrics-listen`.
pub fn metrics_app(state: AppState) -> Router {
    metrics::router().with_state(state)
}
