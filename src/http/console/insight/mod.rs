//! Insight pages of the admin console: the System Log viewer, the token
//! inspector and the access graph.

pub mod access;
pub mod inspect;
pub mod logs;

use crate::state::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().merge(logs::router()).merge(inspect::router()).merge(access::router())
}
