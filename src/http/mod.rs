//! HTTP: router assembly, the request-id middleware, and route modules. Handlers stay thin:
//! extract, call one function of `oauth` (or the store), map the result.

pub mod discovery;
pub mod error;
pub mod health;
pub mod home;
pub mod request_id;

use crate::state::AppState;
use axum::Router;

/// The whole application; tests drive exactly this router.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(home::router())
        .merge(health::router())
        .merge(discovery::router())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn(request_id::middleware))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
