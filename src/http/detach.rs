//! Requests run to completion whatever the client does. axum drops a handler's future when the
//! client goes away (or a timeout fires), and a future dropped inside a store call can leave a
//! transaction open or a pooled connection half-way through a protocol exchange (sqlx issues
//! 3932, 4385, 4393). So every request's handler runs on its own task: when the connection is
//! gone only the response is discarded, and the work the request started (a consumed code, a
//! System Log event) is finished and committed as if the client had stayed.
//!
//! A handler that panics answers 500 instead of taking the connection down with it.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

pub async fn middleware(request: Request, next: Next) -> Response {
    let task = tokio::spawn(next.run(request).instrument(tracing::Span::current()));
    match task.await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(error = %e, "request handler failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
        }
    }
}
