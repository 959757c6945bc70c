//! One id per request (`oae…`): the `X-Okta-Request-Id` header, the `errorId` of error
//! envelopes, the System Log `transaction.id` and the `request_id` of the request's span and
//! log lines. `http::access` gives each request its id.

use crate::domain::ids::{new_id, Prefix};
use std::future::Future;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served (a fresh one outside a request).
#[must_use]
pub fn current() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_else(|_| new_id(Prefix::ErrorId))
}

/// A new request id.
#[must_use]
pub fn new() -> String {
    new_id(Prefix::ErrorId)
}

/// Runs `f` as the request `id`.
pub async fn scope<F: Future>(id: String, f: F) -> F::Output {
    REQUEST_ID.scope(id, f).await
}
