//! The optional Management API rate limit (okta-surface.md §10): off unless
//! `BATON_API_RATE_LIMIT` is set; then each API token may make that many requests per clock
//! minute, every response carries `X-Rate-Limit-Limit`, `X-Rate-Limit-Remaining` and
//! `X-Rate-Limit-Reset` (epoch seconds), and a request over the limit is 429 `E0000047` with a
//! `Date` header, which is what the Okta SDKs need before they retry. Counted in this
//! process's memory, keyed by the hash of the token (the raw value is never kept).

use crate::domain::ids::hash_secret;
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, DATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const WINDOW_MS: i64 = 60_000;

#[derive(Clone)]
struct Limiter {
    state: AppState,
    limit: u32,
    /// token hash → (window start, requests in it)
    windows: Arc<Mutex<HashMap<String, (i64, u32)>>>,
}

/// Covers `router` with the limit, when one is configured.
pub fn apply(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    match state.config.api_rate_limit {
        None => router,
        Some(limit) => {
            let limiter = Limiter { state: state.clone(), limit, windows: Arc::default() };
            router.layer(from_fn_with_state(limiter, middleware))
        }
    }
}

async fn middleware(State(limiter): State<Limiter>, request: Request, next: Next) -> Response {
    let key = request.headers().get(AUTHORIZATION).map(|v| hash_secret(&String::from_utf8_lossy(v.as_bytes())));
    let now = limiter.state.clock.now_ms();
    let window = now - now.rem_euclid(WINDOW_MS);
    let used = {
        let mut windows = limiter.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        windows.retain(|_, (start, _)| *start == window);
        let entry = windows.entry(key.unwrap_or_default()).or_insert((window, 0));
        entry.1 = entry.1.saturating_add(1);
        entry.1
    };
    let reset = (window + WINDOW_MS) / 1000;
    let remaining = limiter.limit.saturating_sub(used);
    let mut response = if used > limiter.limit {
        let mut r = OktaError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
        )
        .into_response();
        let date = httpdate::fmt_http_date(std::time::SystemTime::now());
        if let Ok(v) = HeaderValue::from_str(&date) {
            r.headers_mut().insert(DATE, v);
        }
        r
    } else {
        next.run(request).await
    };
    set_headers(response.headers_mut(), limiter.limit, remaining, reset);
    response
}

fn set_headers(headers: &mut HeaderMap, limit: u32, remaining: u32, reset: i64) {
    for (name, value) in [
        ("x-rate-limit-limit", limit.to_string()),
        ("x-rate-limit-remaining", remaining.to_string()),
        ("x-rate-limit-reset", reset.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
}
