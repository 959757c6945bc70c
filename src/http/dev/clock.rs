//! `GET /dev/v1/clock`, `POST /dev/v1/clock` (`{"time": RFC 3339, "freeze": true}` or
//! `{"advanceSeconds": n}`), `DELETE /dev/v1/clock` (back to real time). Every read of time in
//! baton goes through this clock: token `iat`/`exp`, expiry checks, sessions, the System Log.

use crate::http::api::body::{ApiJson, Validation};
use crate::http::context::RequestContext;
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetClock {
    time: Option<String>,
    /// With `time`: stop the clock there (default) or let it run on from there.
    freeze: Option<bool>,
    advance_seconds: Option<i64>,
}

/// Longest jump accepted: 100 years either way.
const MAX_ADVANCE_SECONDS: i64 = 100 * 366 * 24 * 3600;

fn body(state: &AppState) -> Json<Value> {
    let now = state.clock.now_ms();
    Json(json!({
        "time": crate::clock::iso8601(now),
        "epochSeconds": now.div_euclid(1000),
        "frozen": state.clock.is_frozen(),
    }))
}

pub async fn read(State(state): State<AppState>) -> Json<Value> {
    body(&state)
}

pub async fn set(
    State(state): State<AppState>,
    RequestContext(ctx): RequestContext,
    ApiJson(req): ApiJson<SetClock>,
) -> Result<Json<Value>, OktaError> {
    let (event_type, message, detail) = match (&req.time, req.advance_seconds) {
        (Some(time), None) => {
            let at = time::OffsetDateTime::parse(time, &time::format_description::well_known::Rfc3339)
                .ok()
                .and_then(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok())
                .filter(|ms| (0..=253_402_300_799_000).contains(ms))
                .ok_or_else(|| Validation::one("time", "must be an RFC 3339 time, e.g. 2030-01-01T00:00:00Z"))?;
            if req.freeze.unwrap_or(true) {
                state.clock.freeze_at(at);
            } else {
                state.clock.reset();
                state.clock.advance(at - state.clock.now_ms());
            }
            ("system.dev.clock.set", "Set the server clock", crate::clock::iso8601(at))
        }
        (None, Some(secs)) if req.freeze.is_none() => {
            if !(-MAX_ADVANCE_SECONDS..=MAX_ADVANCE_SECONDS).contains(&secs) {
                return Err(Validation::one("advanceSeconds", "must be within 100 years"));
            }
            state.clock.advance(secs * 1000);
            ("system.dev.clock.advance", "Advance the server clock", secs.to_string())
        }
        (None, Some(_)) => return Err(Validation::one("freeze", "only goes with time")),
        _ => return Err(Validation::one("time", "give exactly one of time and advanceSeconds")),
    };
    let record = super::event(event_type, message).debug("clock", detail).build(&ctx, state.clock.now_ms());
    state.store.append_events(&[record]).await?;
    Ok(body(&state))
}

pub async fn reset(
    State(state): State<AppState>,
    RequestContext(ctx): RequestContext,
) -> Result<Json<Value>, OktaError> {
    state.clock.reset();
    let record =
        super::event("system.dev.clock.reset", "Reset the server clock to real time").build(&ctx, state.clock.now_ms());
    state.store.append_events(&[record]).await?;
    Ok(body(&state))
}
