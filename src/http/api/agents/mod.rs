//! The AI-agent API `/workload-principals/api/v1` (okta-surface.md §13): agents and the
//! operations that record their changes, their public keys, resource connections and
//! delegation links. Every write is applied synchronously; the operation it returns is already
//! `COMPLETED`, and every write carries its System Log event (§14) in the same store call.

mod connections;
mod credentials;
mod links;
mod operations;
mod profile;
mod register;
mod search;
mod views;

pub(crate) use connections::{create_connection, delete_connection, lifecycle as set_connection_status};
pub(crate) use credentials::{create_key, delete_key, lifecycle as set_key_status};
pub(crate) use links::{create_link, delete_link};
pub(crate) use profile::Mode;
pub(crate) use register::{delete_agent, lifecycle as set_agent_status, register_agent, update_agent};
pub(crate) use views::{agent_orn, app_orn, auth_server_orn};

use super::body::Validation;
use super::routes::ApiRoutes;
use crate::audit::Target;
use crate::domain::{Agent, DelegationLink, ResourceConnection};
use crate::http::error::OktaError;
use crate::state::AppState;

/// The API's path prefix.
pub const PREFIX: &str = "/workload-principals/api/v1";

/// Lists of this API: `limit` default and maximum.
pub(crate) const LIMIT_DEFAULT: i64 = 20;
pub(crate) const LIMIT_MAX: i64 = 200;

#[must_use]
pub fn routes(r: ApiRoutes) -> ApiRoutes {
    let r = register::routes(r);
    let r = operations::routes(r);
    let r = credentials::routes(r);
    let r = connections::routes(r);
    links::routes(r)
}

/// `{base}/workload-principals/api/v1{path}`.
pub(crate) fn url(state: &AppState, path: &str) -> String {
    format!("{}{PREFIX}{path}", state.base())
}

/// The agent `id`, or 404 `E0000007 … ({id} (AIAgent))`.
pub(crate) async fn agent_or_404(state: &AppState, id: &str) -> Result<Agent, OktaError> {
    state.store.find_agent(id).await?.ok_or_else(|| OktaError::not_found(id, "AIAgent"))
}

pub(crate) fn agent_target(a: &Agent) -> Target {
    Target::new(&a.id, "AIAgent", &a.id, &a.name)
}

pub(crate) fn connection_target(c: &ResourceConnection) -> Target {
    Target::new(&c.id, "ResourceConnection", &c.id, &c.auth_server_id)
}

pub(crate) fn link_target(l: &DelegationLink) -> Target {
    Target::new(&l.id, "DelegationLink", &l.id, &l.id)
}

/// 400 `E0000001` on `status`: the object is not in a state that allows the call.
pub(crate) fn status_error(message: &str) -> OktaError {
    Validation::one("status", message)
}

/// One page of a list the store returns whole (keys, connections): the rows after the row
/// whose cursor is `page.after`, probed to `limit + 1` for `paging::split`.
pub(crate) fn page_of<T>(rows: Vec<T>, page: &crate::store::Page, cursor: impl Fn(&T) -> &str) -> Vec<T> {
    let start = match &page.after {
        None => 0,
        Some(after) => rows.iter().position(|r| cursor(r) == after).map_or(rows.len(), |i| i + 1),
    };
    let take = usize::try_from(page.limit + 1).unwrap_or(usize::MAX);
    rows.into_iter().skip(start).take(take).collect()
}
