//! Accepting and serving connections (HTTP/1.1 and HTTP/2 through hyper), with what
//! `axum::serve` leaves out:
//!
//! - the listen address is bound before start-up work, and until the application is ready
//!   every request is answered 503 (`/healthz` 200: the process is alive; `/readyz` and the
//!   rest 503 with `Retry-After`), so an orchestrator sees "starting", not "refused";
//! - a client has `HEADER_READ_TIMEOUT` to send its request head, and each piece of a body
//!   must arrive within `BODY_READ_TIMEOUT` (else the body read fails and the request is
//!   answered as malformed), so a stalled client holds no handler for long;
//! - shutdown stops accepting, lets requests in flight finish, and closes whatever is still
//!   open when the drain deadline passes: a client stalling mid-body cannot keep the process
//!   alive.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, Response, StatusCode};
use axum::serve::Listener;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tower::ServiceExt as _;
use tower_http::timeout::TimeoutBody;

/// How long a client may take to send a request's line and headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request body may go without sending anything.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The application once start-up is done; until then the starting answers.
pub type Slot = Arc<OnceLock<Router>>;

/// Serves `listener` until `shutdown` completes, then drains for at most `drain`.
pub async fn serve<L>(mut listener: L, app: Slot, shutdown: impl Future<Output = ()>, drain: Duration)
where
    L: Listener<Addr = SocketAddr>,
{
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (io, peer) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let app = app.get().cloned();
            async move { Ok::<_, Infallible>(answer(app, request, peer).await) }
        });
        let connection = graceful.watch(builder.serve_connection_with_upgrades(TokioIo::new(io), service).into_owned());
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, "connection ended: {e}");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("every connection closed"),
        () = tokio::time::sleep(drain) => {
            tracing::warn!(seconds = drain.as_secs(), "drain deadline passed: closing the connections still open");
        }
    }
}

async fn answer(app: Option<Router>, request: Request<Incoming>, peer: SocketAddr) -> Response<Body> {
    let Some(app) = app else { return starting(request.uri().path()) };
    let mut request = request.map(|body| Body::new(TimeoutBody::new(BODY_READ_TIMEOUT, body)));
    request.extensions_mut().insert(ConnectInfo(peer));
    match app.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// What a request gets before the application is ready.
fn starting(path: &str) -> Response<Body> {
    let (status, body) = if path == "/healthz" {
        (StatusCode::OK, r#"{"status":"ok"}"#)
    } else if path == "/readyz" {
        (StatusCode::SERVICE_UNAVAILABLE, r#"{"status":"starting"}"#)
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            r#"{"error":"temporarily_unavailable","error_description":"baton is starting; try again shortly"}"#,
        )
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json"));
    if status != StatusCode::OK {
        response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    }
    response
}
