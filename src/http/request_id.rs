//! One id per request (`oae…`): the `X-Okta-Request-Id` header, the `errorId` of error
//! envelopes and the System Log `transaction.id`.

use crate::domain::ids::{new_id, Prefix};
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served (a fresh one outside a request).
#[must_use]
pub fn current() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_else(|_| new_id(Prefix::ErrorId))
}

pub async fn middleware(request: Request, next: Next) -> Response {
    let id = new_id(Prefix::ErrorId);
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-okta-request-id", value);
    }
    response
}
