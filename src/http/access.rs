//! Every request, outermost after `detach`: its id (`request_id`), its span (carrying that
//! id, continued from the caller's W3C `traceparent` when traces are exported), its metrics
//! (by route template, so ids in paths do not multiply series) and one access log line at
//! info: method, path without the query (queries carry `id_token_hint`, `state`, …), status
//! and milliseconds.

use super::request_id;
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use opentelemetry_http::HeaderExtractor;
use std::time::Instant;
use tracing::Instrument as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id::new();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let path = request.uri().path().to_owned();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        otel.name = %format_args!("{method} {route}"),
        otel.kind = "server",
        http.response.status_code = tracing::field::Empty,
    );
    if state.config.otlp_endpoint.is_some() {
        let caller = opentelemetry::global::get_text_map_propagator(|p| p.extract(&HeaderExtractor(request.headers())));
        // Fails only when no OpenTelemetry layer is installed: then there is no trace to join.
        let _ = span.set_parent(caller);
    }
    let mut response = request_id::scope(id.clone(), next.run(request)).instrument(span.clone()).await;
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    span.record("http.response.status_code", status);
    state.metrics.request(method.as_str(), &route, status, elapsed.as_secs_f64());
    span.in_scope(|| {
        let ms = elapsed.as_secs_f64() * 1000.0;
        tracing::info!(target: "baton::access", status, ms = format_args!("{ms:.1}"), "{method} {path}");
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-okta-request-id", value);
    }
    response
}
