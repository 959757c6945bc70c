//! Test helpers over HTTP, registered only under `--dev` (`BATON_DEV`); without it every path
//! below is an ordinary 404 `E0000007`. Reference with curl examples: docs/dev-endpoints.md.
//!
//! - `POST /dev/v1/tokens`: mint an access or ID token for any client, user and authorization
//!   server, with chosen scopes, extra claims and lifetime (`tokens`).
//! - `GET|POST|DELETE /dev/v1/clock`: read, set or advance, and reset the server clock (`clock`).
//! - `POST /dev/v1/reset`: wipe the data and re-apply the seed the server started with (`reset`).
//!
//! There is no authentication: `--dev` is refused unless the issuer is loopback (or
//! `--dev-allow-remote` is set). Every action writes a `system.dev.*` System Log event.

mod clock;
mod reset;
mod tokens;

use crate::audit::{Actor, Event};
use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

/// The dev routes when `config.dev` is on, else nothing.
pub fn router(state: &AppState) -> Router<AppState> {
    if !state.config.dev {
        return Router::new();
    }
    Router::new()
        .route("/dev/v1/tokens", post(tokens::mint))
        .route("/dev/v1/clock", get(clock::read).post(clock::set).delete(clock::reset))
        .route("/dev/v1/reset", post(reset::reset))
}

/// An event of a dev action; the actor is the system principal (dev calls are anonymous).
fn event(event_type: &str, message: &str) -> Event {
    Event::new(event_type, message, Actor::system()).debug("devMode", "true")
}
