//! `GET /metrics`: Prometheus metrics in the `OpenMetrics` text format (`crate::metrics`), on
//! the main listener, or only on `--metrics-listen` when that is set.

use crate::domain::{SigningKeyStatus, TextEnum as _};
use crate::metrics::KeyAge;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(State(state): State<AppState>) -> Response {
    let now = state.clock.now_ms();
    let keys = match state.store.list_all_signing_keys().await {
        Ok(keys) => keys,
        Err(e) => {
            // The counters are still worth a scrape; the key ages are left out.
            tracing::warn!(error = %e, "metrics: could not read the signing keys");
            Vec::new()
        }
    };
    let ages: Vec<KeyAge> = keys
        .iter()
        .filter(|k| k.status != SigningKeyStatus::Expired)
        .map(|k| KeyAge {
            kid: k.kid.clone(),
            owner: k.owner_id.clone(),
            status: k.status.as_str().to_owned(),
            age_seconds: (now - k.created).max(0) / 1000,
        })
        .collect();
    let body = state.metrics.render(&state.store.gauges(), &ages);
    ([(CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], body).into_response()
}
